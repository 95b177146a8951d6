import { CronExpressionParser } from 'cron-parser';
import { DAY_MS } from './time';

/**
 * Maintenance windows: planned time when a monitor's checks keep running and are stored, but its
 * state machine pauses (no outage, recovery or reminder alert) and the time counts neither as up
 * nor as down (it is reported apart, as maintenance). Pure: times come in as epoch milliseconds.
 *
 * A window is configured in monitors.yml, one-off (`start`, `duration`) or recurring (a 5-field
 * `cron` in a `timezone`, `duration`), or opened ad hoc (`npm run maintenance -- start`), which
 * stores it in the table. A duration is elapsed time: a recurring window that spans a change of
 * daylight-saving time lasts as long as any other (it ends an hour later or earlier on the wall
 * clock).
 */

/** One window as monitors.yml configures it. */
export interface MaintenanceWindowConfig {
  name: string;
  /** The monitors it covers, by id; undefined: every monitor. */
  monitors?: string[];
  /** A one-off window's start, ISO-8601 with its offset. */
  start?: string;
  /** A recurring window's starts: a 5-field cron expression, read in `timezone`. */
  cron?: string;
  /** The IANA time zone `cron` is read in; `UTC` by default. */
  timezone: string;
  durationMs: number;
}

/** A window opened from the command line, stored in the table (item `MAINTENANCE`, `<startAt>#<id>`). */
export interface AdHocMaintenance {
  /** Unique, chosen when opened. */
  id: string;
  name: string;
  /** The monitors it covers, by id; undefined: every monitor (`all`). */
  monitors?: string[];
  startAt: string;
  /** When it ends: set when opened from its duration, moved to the time it was stopped by `stop`. */
  endAt: string;
}

/** Where ad-hoc windows are kept. */
export interface MaintenanceReader {
  /** Every stored ad-hoc window (open, planned or past; the table forgets them with transitions' retention). */
  listAdHocWindows(): Promise<AdHocMaintenance[]>;
}

export interface MaintenanceStore extends MaintenanceReader {
  openAdHocWindow(window: AdHocMaintenance): Promise<void>;
  /** Ends the window at `endAt` (only ever earlier than it was). */
  closeAdHocWindow(window: AdHocMaintenance, endAt: string): Promise<void>;
}

/** One stretch of maintenance of one monitor, in epoch milliseconds: [startMs, endMs). */
export interface MaintenancePeriod {
  name: string;
  startMs: number;
  endMs: number;
}

/** What the API shows of a monitor in maintenance: which window, and when it ends (of overlapping windows, the last end). */
export interface ActiveMaintenance {
  name: string;
  until: string;
}

/** A planned window, as the status page announces it. */
export interface PlannedMaintenance {
  name: string;
  startAt: string;
  until: string;
}

/** Cron expressions have exactly five fields here (minute hour day-of-month month day-of-week). */
export function isFiveFieldCron(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
    return true;
  } catch {
    return false;
  }
}

/** Whether `zone` is an IANA time zone name this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** How far back and ahead occurrences of a recurring window are looked for, at most (a guard, not a limit users meet). */
const MAX_OCCURRENCES = 200_000;

/**
 * The maintenance calendar of every monitor: the configured windows and the stored ad-hoc ones.
 * Built once per run or request; every question is about one monitor.
 */
export class MaintenanceSchedule {
  /** Recurring windows' starts by window and day (cronStarts). */
  private readonly cachedStarts = new Map<string, number[]>();

  constructor(
    private readonly windows: readonly MaintenanceWindowConfig[],
    private readonly adHoc: readonly AdHocMaintenance[] = [],
  ) {}

  /** Whether there is no window at all (most monitors files): every question answers at once. */
  get empty(): boolean {
    return this.windows.length === 0 && this.adHoc.length === 0;
  }

  /** The windows covering `monitorId` that overlap [fromMs, toMs), each occurrence apart, oldest start first. */
  occurrences(monitorId: string, fromMs: number, toMs: number): MaintenancePeriod[] {
    const periods: MaintenancePeriod[] = [];
    for (const [index, window] of this.windows.entries()) {
      if (!covers(window.monitors, monitorId)) continue;
      if (window.start !== undefined) {
        const startMs = Date.parse(window.start);
        if (startMs < toMs && startMs + window.durationMs > fromMs) periods.push({ name: window.name, startMs, endMs: startMs + window.durationMs });
      } else if (window.cron !== undefined) {
        for (const startMs of this.cronStarts(index, window, window.cron, fromMs - window.durationMs, toMs)) {
          if (startMs + window.durationMs > fromMs) periods.push({ name: window.name, startMs, endMs: startMs + window.durationMs });
        }
      }
    }
    for (const window of this.adHoc) {
      if (!covers(window.monitors, monitorId)) continue;
      const startMs = Date.parse(window.startAt);
      const endMs = Date.parse(window.endAt);
      if (endMs > startMs && startMs < toMs && endMs > fromMs) periods.push({ name: window.name, startMs, endMs });
    }
    return periods.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  }

  /**
   * The time `monitorId` spends in maintenance inside [fromMs, toMs): overlapping windows merged,
   * clipped to the range, oldest first (the name is the first window's of each merged stretch).
   */
  periods(monitorId: string, fromMs: number, toMs: number): MaintenancePeriod[] {
    if (this.empty || toMs <= fromMs) return [];
    const merged: MaintenancePeriod[] = [];
    for (const period of this.occurrences(monitorId, fromMs, toMs)) {
      const last = merged.at(-1);
      if (last && period.startMs <= last.endMs) last.endMs = Math.max(last.endMs, period.endMs);
      else merged.push({ ...period });
    }
    return merged.map((period) => ({ ...period, startMs: Math.max(period.startMs, fromMs), endMs: Math.min(period.endMs, toMs) }));
  }

  /**
   * The window `monitorId` is in at `atMs`, if any: the name of the one that ends last, and when
   * the maintenance ends (windows that overlap or touch it carry it on).
   */
  activeAt(monitorId: string, atMs: number): ActiveMaintenance | undefined {
    if (this.empty) return undefined;
    const around = this.occurrences(monitorId, atMs, atMs + 1).filter((period) => period.startMs <= atMs && atMs < period.endMs);
    if (around.length === 0) return undefined;
    const latest = around.reduce((a, b) => (b.endMs > a.endMs ? b : a));
    // A window starting as (or before) this one ends carries the maintenance on: look a little further, up to a day.
    let untilMs = latest.endMs;
    for (let guard = 0; guard < 24; guard += 1) {
      const following = this.occurrences(monitorId, untilMs, untilMs + 1).filter((period) => period.startMs <= untilMs && period.endMs > untilMs);
      const further = following.reduce((end, period) => Math.max(end, period.endMs), untilMs);
      if (further === untilMs) break;
      untilMs = further;
    }
    return { name: latest.name, until: new Date(untilMs).toISOString() };
  }

  /** The next window of `monitorId` that starts after `atMs`, within `horizonMs`. */
  next(monitorId: string, atMs: number, horizonMs: number): PlannedMaintenance | undefined {
    if (this.empty) return undefined;
    const upcoming = this.occurrences(monitorId, atMs, atMs + horizonMs).find((period) => period.startMs > atMs);
    return upcoming ? { name: upcoming.name, startAt: new Date(upcoming.startMs).toISOString(), until: new Date(upcoming.endMs).toISOString() } : undefined;
  }

  /**
   * The starts of a recurring window in [fromMs, toMs). Parsing a cron expression costs about
   * 0.3 ms, as much as a check: a run asks for every check (`activeAt`), so spans within two days
   * are answered from the starts of the two days from the span's first, worked out once per
   * window and day; longer spans once per window and span.
   */
  private cronStarts(index: number, window: MaintenanceWindowConfig, cron: string, fromMs: number, toMs: number): number[] {
    const dayMs = Math.floor(fromMs / DAY_MS) * DAY_MS;
    // A longer span is kept as asked: a page or report asks the same span of every monitor.
    const [spanFromMs, spanToMs] = toMs > dayMs + 2 * DAY_MS ? [fromMs, toMs] : [dayMs, dayMs + 2 * DAY_MS];
    const key = `${index}@${spanFromMs}-${spanToMs}`;
    let starts = this.cachedStarts.get(key);
    if (!starts) {
      starts = cronStartsBetween(cron, window.timezone, spanFromMs, spanToMs);
      this.cachedStarts.set(key, starts);
    }
    return starts.filter((startMs) => startMs >= fromMs && startMs < toMs);
  }

  /** Total milliseconds of maintenance of `monitorId` inside [fromMs, toMs). */
  millisecondsIn(monitorId: string, fromMs: number, toMs: number): number {
    return this.periods(monitorId, fromMs, toMs).reduce((sum, period) => sum + (period.endMs - period.startMs), 0);
  }
}

/** The starts of `cron` read in `timezone` in [fromMs, toMs), oldest first. */
function cronStartsBetween(cron: string, timezone: string, fromMs: number, toMs: number): number[] {
  // The expression's next start after fromMs - 1 ms: a start at fromMs itself counts.
  const starts = CronExpressionParser.parse(cron, { currentDate: new Date(fromMs - 1), tz: timezone });
  const found: number[] = [];
  for (let count = 0; count < MAX_OCCURRENCES; count += 1) {
    const startMs = starts.next().getTime();
    if (startMs >= toMs) break;
    found.push(startMs);
  }
  return found;
}

function covers(monitors: readonly string[] | undefined, monitorId: string): boolean {
  return monitors === undefined || monitors.includes(monitorId);
}
