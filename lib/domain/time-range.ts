import { FutureMonthError, quoteInput } from './errors';
import { DAY_MS, HOUR_MS } from './time';

/**
 * The words for spans of time, used alike in code, API and docs. A **time range** is an interval
 * `{from, to}`; a **window** is only one of the named lengths (`1h`, `24h`, `7d`, `30d`) ending now;
 * a **calendar month** is a time range from one UTC month's first midnight to the next's. Pure.
 */

/** An interval, ISO-8601 UTC, `from` before `to`. */
export interface TimeRange {
  from: string;
  to: string;
}

/** A calendar month in UTC: `from` is its first midnight, `to` the first midnight of the next month. */
export interface CalendarMonth extends TimeRange {
  /** `YYYY-MM`. */
  month: string;
}

export const WINDOW_NAMES = ['1h', '24h', '7d', '30d'] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];

/** The windows the public views (status page, badges) show. */
export const PUBLIC_WINDOW_NAMES = ['24h', '7d', '30d'] as const satisfies readonly WindowName[];
export type PublicWindowName = (typeof PUBLIC_WINDOW_NAMES)[number];

export const WINDOW_LENGTHS_MS: Readonly<Record<WindowName, number>> = {
  '1h': HOUR_MS,
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
  '30d': 30 * DAY_MS,
};
/** The window of the uptime API, the badges and the status page's response times when none is named. */
export const DEFAULT_WINDOW: PublicWindowName = '24h';

/** The time range a window covers: its length, ending at `nowIso`. */
export function rangeOfWindow(window: WindowName, nowIso: string): TimeRange {
  const nowMs = parseTime(nowIso, 'nowIso');
  return { from: new Date(nowMs - WINDOW_LENGTHS_MS[window]).toISOString(), to: new Date(nowMs).toISOString() };
}

/** The time range between two instants in epoch milliseconds, as ISO-8601 UTC. */
export function rangeBetween(fromMs: number, toMs: number): TimeRange {
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
}

/**
 * A calendar month (UTC) from `YYYY-MM` (already checked for its form), or the month `nowIso` is in
 * when none is given. A month that has not begun yet throws FutureMonthError.
 */
export function resolveCalendarMonth(month: string | undefined, nowIso: string): CalendarMonth {
  const nowMs = parseTime(nowIso, 'nowIso');
  const current = new Date(nowMs);
  const match = month === undefined ? null : /^(\d{4})-(\d{2})$/.exec(month);
  if (month !== undefined && !match) throw new RangeError(`month must be written YYYY-MM, got ${quoteInput(month)}`);
  const year = match ? Number(match[1]) : current.getUTCFullYear();
  const monthIndex = match ? Number(match[2]) - 1 : current.getUTCMonth();
  if (monthIndex < 0 || monthIndex > 11) throw new RangeError(`month must be written YYYY-MM, got ${quoteInput(month ?? '')}`);
  const from = new Date(0);
  from.setUTCFullYear(year, monthIndex, 1);
  const to = new Date(0);
  to.setUTCFullYear(year, monthIndex + 1, 1);
  if (from.getTime() > nowMs) throw new FutureMonthError(month ?? '');
  return { month: from.toISOString().slice(0, 7), from: from.toISOString(), to: to.toISOString() };
}

/** The range cut at `nowIso`: nothing has happened later. */
export function clipRangeToNow(range: TimeRange, nowIso: string): TimeRange {
  return { from: range.from, to: range.to < nowIso ? range.to : nowIso };
}

/** An ISO-8601 time in epoch milliseconds; RangeError, naming `what`, when it is not one. */
export function parseTime(text: string, what: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new RangeError(`${what} is not a time: '${text}'`);
  return ms;
}

/** What a caller asks a figure over: a named window ending now, or a time range. */
export type RangeRequest = { window: WindowName } | TimeRange;

/** The time range a request stands for at `nowIso`. */
export function resolveRange(request: RangeRequest, nowIso: string): TimeRange {
  return 'window' in request ? rangeOfWindow(request.window, nowIso) : { from: request.from, to: request.to };
}
