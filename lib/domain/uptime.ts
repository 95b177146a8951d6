import { BadRequestError, quoteInput } from './errors';
import type { MonitorStatus, Transition } from './types';
import { HOUR_MS, DAY_MS } from './time';

/**
 * Uptime and incident math over one monitor's transitions. Pure: `now` comes in as an argument.
 *
 * A monitor's timeline: before its first transition it is UNKNOWN; from each transition's
 * `startedAt` it has that transition's `to` status until the next transition's `startedAt`; the
 * last status lasts until `now`. Time after `now` is not tracked. An outage (an incident) is one
 * DOWN period of that timeline: it begins at the `startedAt` of a transition to DOWN (the first
 * failing check) and ends at the `startedAt` of the following transition to UP (the first
 * successful check), or is still open at `now`.
 */

/** A time range, ISO-8601 UTC, `from` before `to`. */
export interface TimeWindow {
  from: string;
  to: string;
}

export interface UptimeReport {
  /** UP time over UP plus DOWN time inside the window, in percent; null when neither was seen. */
  uptimePercent: number | null;
  /** UP time inside the window. */
  upSeconds: number;
  /** DOWN time inside the window. */
  downtimeSeconds: number;
  /** How many outages overlap the window, including one still open and ones cut by its edges. */
  outages: number;
  /**
   * Full length of the longest outage overlapping the window, not clipped to the window (an open
   * outage counts up to `now`); 0 when there was none. It can exceed the window's length.
   */
  longestOutageSeconds: number;
  /**
   * Mean time to recovery: the mean full length (not clipped) of the outages that ended inside the
   * window, that is whose recovery began in (from, to]; an outage that began before the window but
   * ended inside it counts whole. Open outages are left out: their repair time is not known yet.
   * Null when no outage ended inside the window.
   */
  mttrSeconds: number | null;
}

export interface Incident {
  /** The first failing check of the outage. */
  startedAt: string;
  /** The check that confirmed the outage (crossed the failure threshold). */
  confirmedAt: string;
  /** The first successful check of the recovery, or null while the monitor is still down. */
  endedAt: string | null;
  /** From `startedAt` to `endedAt`, or to `now` while still down. */
  durationSeconds: number;
  /** The failure reason recorded with the outage, null when none was recorded. */
  reason: string | null;
}

export type WindowName = '1h' | '24h' | '7d' | '30d';

export interface WindowQuery {
  window?: string;
  from?: string;
  to?: string;
}


export const WINDOW_LENGTHS_MS: Readonly<Record<WindowName, number>> = {
  '1h': HOUR_MS,
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
  '30d': 30 * DAY_MS,
};
export const DEFAULT_WINDOW: WindowName = '24h';
export const MAX_RANGE_DAYS = 400;
export const DEFAULT_INCIDENT_LIMIT = 20;
export const MAX_INCIDENT_LIMIT = 100;
export const DEFAULT_DAY_COUNT = 90;

/** One stretch of the timeline with a single status, in epoch milliseconds. */
interface StatusPeriod {
  status: MonitorStatus;
  startMs: number;
  /** The next period's start, or `now` for the last period. */
  endMs: number;
  /** The transition that began the period. */
  transition: Transition;
  /** The transition that ended it; undefined for the last period. */
  endedBy?: Transition;
}

/**
 * Uptime over a window: time-based, UNKNOWN time (before the first transition, after `now`) left
 * out. See {@link UptimeReport} for what each figure means.
 */
export function computeUptime(transitions: readonly Transition[], window: TimeWindow, now: string): UptimeReport {
  const timeline = buildTimeline(transitions, parseTime(now, 'now'));
  return measureWindow(timeline, parseTime(window.from, 'window.from'), parseTime(window.to, 'window.to')).report;
}

/**
 * Mean time between failures over a window: the UP time inside the window divided by the number of
 * outages that began inside it (an outage still open counts: it began). Null when none began there.
 */
export function computeMtbf(transitions: readonly Transition[], window: TimeWindow, now: string): number | null {
  const timeline = buildTimeline(transitions, parseTime(now, 'now'));
  const { report, outagesBegun } = measureWindow(timeline, parseTime(window.from, 'window.from'), parseTime(window.to, 'window.to'));
  return outagesBegun > 0 ? report.upSeconds / outagesBegun : null;
}

/** Uptime of one UTC day. */
export interface DayUptime {
  /** The UTC day, `YYYY-MM-DD`. */
  date: string;
  /** As {@link UptimeReport.uptimePercent} over that day (today: up to `now`); null when nothing was tracked. */
  uptimePercent: number | null;
  downtimeSeconds: number;
  /** Outages overlapping the day. */
  outages: number;
}

/**
 * Uptime per UTC day over the last `days` days, oldest first; the last one is today, up to `now`.
 * A day before the monitor was established, or after `now`, has a null percent.
 */
export function computeDailyUptime(transitions: readonly Transition[], days: number, now: string): DayUptime[] {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a whole number of at least 1, got ${days}`);
  const nowMs = parseTime(now, 'now');
  const timeline = buildTimeline(transitions, nowMs);
  const todayMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return Array.from({ length: days }, (_, index) => {
    const fromMs = todayMs - (days - 1 - index) * DAY_MS;
    const { report } = measureWindow(timeline, fromMs, fromMs + DAY_MS);
    return {
      date: new Date(fromMs).toISOString().slice(0, 10),
      uptimePercent: report.uptimePercent,
      downtimeSeconds: report.downtimeSeconds,
      outages: report.outages,
    };
  });
}

/** A calendar month in UTC: `from` is its first midnight, `to` the first midnight of the next month. */
export interface MonthWindow extends TimeWindow {
  /** `YYYY-MM`. */
  month: string;
}

/** One monitor's figures for an SLA report over a calendar month. */
export interface MonthlyUptime {
  /** As {@link UptimeReport.uptimePercent}; null when the monitor was not tracked that month. */
  uptimePercent: number | null;
  downtimeSeconds: number;
  /** UP plus DOWN time inside the month: less than the month when the monitor was added during it, or for the month in progress. */
  monitoredSeconds: number;
  /** Outages overlapping the month, including one still open and ones that began the month before. */
  incidents: number;
  /** Full length of the longest of them, as {@link UptimeReport.longestOutageSeconds}; 0 when none. */
  longestIncidentSeconds: number;
}

/** A monitor's uptime, downtime and incidents over a calendar month (UTC). */
export function computeMonthlyUptime(transitions: readonly Transition[], month: MonthWindow, now: string): MonthlyUptime {
  const report = computeUptime(transitions, month, now);
  return {
    uptimePercent: report.uptimePercent,
    downtimeSeconds: report.downtimeSeconds,
    monitoredSeconds: report.upSeconds + report.downtimeSeconds,
    incidents: report.outages,
    longestIncidentSeconds: report.longestOutageSeconds,
  };
}

/** The monitor's outages over its whole history, newest first, at most `limit` of them. */
export function listIncidents(transitions: readonly Transition[], now: string, limit: number): Incident[] {
  const nowMs = parseTime(now, 'now');
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number, got ${limit}`);
  return buildOutages(transitions, nowMs)
    .reverse()
    .slice(0, limit)
    .map((outage) => ({
      startedAt: outage.transition.startedAt,
      confirmedAt: outage.transition.confirmedAt,
      endedAt: outage.endedBy?.startedAt ?? null,
      durationSeconds: (outage.endMs - outage.startMs) / 1000,
      reason: outage.transition.reason ?? null,
    }));
}

/**
 * The time range a query asks for: a named `window` (1h, 24h, 7d or 30d, default 24h) ending at
 * `now`, or an explicit `from` and `to` (ISO-8601 with a time zone, or a bare date meaning UTC
 * midnight), at most 400 days apart. Returns ISO-8601 UTC; throws BadRequestError for anything else.
 */
export function resolveWindow(query: WindowQuery, now: string): TimeWindow {
  const nowMs = parseTime(now, 'now');
  const hasRange = query.from !== undefined || query.to !== undefined;
  if (query.window !== undefined && hasRange) {
    throw new BadRequestError('give either window or from and to, not both');
  }
  if (hasRange) {
    if (query.from === undefined) throw new BadRequestError('from is missing: from and to must be given together');
    if (query.to === undefined) throw new BadRequestError('to is missing: from and to must be given together');
    const fromMs = parseQueryTime(query.from, 'from');
    const toMs = parseQueryTime(query.to, 'to');
    if (fromMs >= toMs) throw new BadRequestError('from must be before to');
    if (toMs - fromMs > MAX_RANGE_DAYS * DAY_MS) {
      const days = Math.ceil((toMs - fromMs) / DAY_MS);
      throw new BadRequestError(`from and to must be at most ${MAX_RANGE_DAYS} days apart, got about ${days} days`);
    }
    return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
  }
  const name = query.window ?? DEFAULT_WINDOW;
  if (!isWindowName(name)) {
    throw new BadRequestError(`window must be one of ${Object.keys(WINDOW_LENGTHS_MS).join(', ')}, got ${quoteInput(name)}`);
  }
  return { from: new Date(nowMs - WINDOW_LENGTHS_MS[name]).toISOString(), to: new Date(nowMs).toISOString() };
}

/**
 * How many incidents a query asks for: `limit`, a whole number from 1 to 100 written in plain
 * digits, default 20. Throws BadRequestError for anything else.
 */
export function parseIncidentLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_INCIDENT_LIMIT;
  const limit = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_INCIDENT_LIMIT)) {
    throw new BadRequestError(`limit must be a whole number from 1 to ${MAX_INCIDENT_LIMIT}, got ${quoteInput(text)}`);
  }
  return limit;
}

/**
 * How many days `/daily` covers: `days`, a whole number from 1 to 400 written in plain digits,
 * default 90. Throws BadRequestError for anything else.
 */
export function parseDayCount(text: string | undefined): number {
  if (text === undefined) return DEFAULT_DAY_COUNT;
  const days = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(days >= 1 && days <= MAX_RANGE_DAYS)) {
    throw new BadRequestError(`days must be a whole number from 1 to ${MAX_RANGE_DAYS}, got ${quoteInput(text)}`);
  }
  return days;
}

/**
 * The calendar month (UTC) a report asks for: `YYYY-MM`, default the month `now` is in. A month that
 * has not begun is refused. Throws BadRequestError for anything else.
 */
export function resolveMonth(text: string | undefined, now: string): MonthWindow {
  const nowMs = parseTime(now, 'now');
  const current = new Date(nowMs);
  const match = text === undefined ? null : /^(\d{4})-(\d{2})$/.exec(text);
  if (text !== undefined && !match) throw new BadRequestError(`month must be written YYYY-MM, such as 2024-05, got ${quoteInput(text)}`);
  const year = match ? Number(match[1]) : current.getUTCFullYear();
  const monthIndex = match ? Number(match[2]) - 1 : current.getUTCMonth();
  if (monthIndex < 0 || monthIndex > 11) throw new BadRequestError(`month must be written YYYY-MM, such as 2024-05, got ${quoteInput(text ?? '')}`);
  const from = new Date(0);
  from.setUTCFullYear(year, monthIndex, 1);
  const to = new Date(0);
  to.setUTCFullYear(year, monthIndex + 1, 1);
  if (from.getTime() > nowMs) throw new BadRequestError(`month ${quoteInput(text ?? '')} has not begun yet`);
  return { month: from.toISOString().slice(0, 7), from: from.toISOString(), to: to.toISOString() };
}

function isWindowName(name: string): name is WindowName {
  return Object.hasOwn(WINDOW_LENGTHS_MS, name);
}

/**
 * The timeline as periods, oldest first, merging consecutive transitions to the same status (which
 * the state machine never writes, but which must not count an outage twice). The UNKNOWN time
 * before the first transition is not a period. Periods never end before they start.
 */
function buildPeriods(transitions: readonly Transition[], nowMs: number): StatusPeriod[] {
  const ordered = transitions
    .map((transition) => ({ transition, startMs: parseTime(transition.startedAt, 'transition.startedAt') }))
    .sort((a, b) => a.startMs - b.startMs);
  const periods: StatusPeriod[] = [];
  for (const { transition, startMs } of ordered) {
    const previous = periods.at(-1);
    if (previous) {
      if (previous.status === transition.to) continue;
      previous.endMs = startMs;
      previous.endedBy = transition;
    }
    periods.push({ status: transition.to, startMs, endMs: startMs, transition });
  }
  const last = periods.at(-1);
  if (last) last.endMs = Math.max(last.startMs, nowMs);
  return periods;
}

/** The DOWN periods, oldest first; an open one ends at `now` and has no `endedBy`. */
function buildOutages(transitions: readonly Transition[], nowMs: number): StatusPeriod[] {
  return buildPeriods(transitions, nowMs).filter((period) => period.status === 'DOWN');
}

/** A monitor's timeline up to `now`, built once and measured over any number of windows. */
interface Timeline {
  periods: StatusPeriod[];
  outages: StatusPeriod[];
  nowMs: number;
}

function buildTimeline(transitions: readonly Transition[], nowMs: number): Timeline {
  const periods = buildPeriods(transitions, nowMs);
  return { periods, outages: periods.filter((period) => period.status === 'DOWN'), nowMs };
}

/** The window's figures, and how many outages began inside it (for MTBF). */
function measureWindow(timeline: Timeline, fromMs: number, toMs: number): { report: UptimeReport; outagesBegun: number } {
  const trackedEndMs = Math.min(toMs, timeline.nowMs);
  let upMs = 0;
  let downMs = 0;
  for (const period of timeline.periods) {
    const overlapMs = Math.min(period.endMs, trackedEndMs) - Math.max(period.startMs, fromMs);
    if (overlapMs <= 0) continue;
    if (period.status === 'UP') upMs += overlapMs;
    else if (period.status === 'DOWN') downMs += overlapMs;
  }

  const overlapping = timeline.outages.filter((outage) => outage.startMs < trackedEndMs && outage.endMs > fromMs);
  const recovered = overlapping.filter((outage) => outage.endedBy && outage.endMs > fromMs && outage.endMs <= toMs);
  const trackedMs = upMs + downMs;
  const report: UptimeReport = {
    uptimePercent: trackedMs > 0 ? (upMs / trackedMs) * 100 : null,
    upSeconds: upMs / 1000,
    downtimeSeconds: downMs / 1000,
    outages: overlapping.length,
    longestOutageSeconds: overlapping.reduce((longest, outage) => Math.max(longest, outage.endMs - outage.startMs), 0) / 1000,
    mttrSeconds:
      recovered.length > 0
        ? recovered.reduce((sum, outage) => sum + (outage.endMs - outage.startMs), 0) / recovered.length / 1000
        : null,
  };
  return { report, outagesBegun: overlapping.filter((outage) => outage.startMs >= fromMs).length };
}

function parseTime(text: string, what: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new RangeError(`${what} is not a time: '${text}'`);
  return ms;
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2})))?$/;

/**
 * Parses a query parameter as ISO-8601: `2024-05-01T10:00:00Z`, with optional seconds and fraction
 * and `Z` or a `+02:00` style offset, or a bare date `2024-05-01` (UTC midnight). A time without a
 * zone is refused: it would depend on the server's. Calendar and clock fields are checked (no
 * 30 February, no 24:00), which `Date.parse` alone does not do.
 */
function parseQueryTime(text: string, name: 'from' | 'to'): number {
  const match = ISO_TIME.exec(text);
  if (!match) {
    throw new BadRequestError(
      `${name} must be an ISO-8601 time with a time zone such as 2024-05-01T00:00:00Z, got ${quoteInput(text)}`,
    );
  }
  const [, year, month, day, hour, minute, second, fraction = '', , sign, offsetHour, offsetMinute] = match;
  const [y, mo, d, h, mi, s, oh, om] = [year, month, day, hour, minute, second, offsetHour, offsetMinute].map(
    (field) => Number(field ?? '0'),
  ) as [number, number, number, number, number, number, number, number];
  const daysInMonth = mo >= 1 && mo <= 12 ? new Date(Date.UTC(y, mo, 0)).getUTCDate() : 0;
  if (d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) {
    throw new BadRequestError(`${name} is not a valid date and time: ${quoteInput(text)}`);
  }
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const offsetMs = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  const utc = new Date(0);
  utc.setUTCFullYear(y, mo - 1, d);
  utc.setUTCHours(h, mi, s, ms);
  return utc.getTime() - offsetMs;
}
