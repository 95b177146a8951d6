import { DAY_MS } from './time';
import { parseTime, type CalendarMonth, type TimeRange } from './time-range';
import type { MonitorStatus, Transition } from './types';

/**
 * Uptime and incident math over one monitor's transitions. Pure: the time now comes in as `nowIso`.
 *
 * A monitor's timeline: before its first transition it is UNKNOWN; from each transition's
 * `startedAt` it has that transition's `to` status until the next transition's `startedAt`; the
 * last status lasts until `now`. UNKNOWN time is unmonitored, neither up nor down: before the
 * first transition, after a removal from the configuration (a transition to UNKNOWN) until the
 * monitor, added back, is established or goes down again, and after `nowIso`. An outage (an
 * incident) is one DOWN period of that timeline: it begins at the `startedAt` of a transition to
 * DOWN (the first failing check) and ends at the `startedAt` of the next transition: a recovery
 * (the first successful check) or a removal (the tick of the run that found the monitor gone);
 * or it is still open at `nowIso`.
 */

export interface UptimeReport {
  /** UP time over UP plus DOWN time (the monitored time) inside the range, in percent; null when neither was seen. */
  uptimePercent: number | null;
  /** UP time inside the range. */
  upSeconds: number;
  /** DOWN time inside the range. */
  downtimeSeconds: number;
  /** How many outages overlap the range, including one still open and ones cut by its edges. */
  outages: number;
  /**
   * Full length of the longest outage overlapping the range, not clipped to the range (an open
   * outage counts up to `nowIso`); 0 when there was none. It can exceed the range's length.
   */
  longestOutageSeconds: number;
  /**
   * Mean time to recovery: the mean full length (not clipped) of the outages that ended inside the
   * range, that is whose recovery began in (from, to]; an outage that began before the range but
   * ended inside it counts whole. Open outages are left out: their repair time is not known yet;
   * so are outages ended by a removal from the configuration, whose repair was never seen. Null
   * when no outage recovered inside the range.
   */
  mttrSeconds: number | null;
}

export interface Incident {
  /** The first failing check of the outage. */
  startedAt: string;
  /** The check that confirmed the outage (crossed the failure threshold). */
  confirmedAt: string;
  /**
   * The first successful check of the recovery, or the tick of the run that found the monitor
   * removed from the configuration; null while the monitor is still down.
   */
  endedAt: string | null;
  /** From `startedAt` to `endedAt`, or to `nowIso` while still down. */
  durationSeconds: number;
  /** The failure reason recorded with the outage, null when none was recorded. */
  reason: string | null;
}

/** One stretch of the timeline with a single status, in epoch milliseconds. */
interface StatusPeriod {
  status: MonitorStatus;
  startMs: number;
  /** The next period's start, or `nowIso` for the last period. */
  endMs: number;
  /** The transition that began the period. */
  transition: Transition;
  /** The transition that ended it; undefined for the last period. */
  endedBy?: Transition;
}

/**
 * Uptime over a time range: time-based, UNKNOWN time (unmonitored: before the first transition,
 * after a removal, after `nowIso`) left out. See {@link UptimeReport} for what each figure means.
 */
export function computeUptime(transitions: readonly Transition[], range: TimeRange, nowIso: string): UptimeReport {
  const timeline = buildTimeline(transitions, parseTime(nowIso, 'nowIso'));
  return measureRange(timeline, parseTime(range.from, 'range.from'), parseTime(range.to, 'range.to')).report;
}

/**
 * Mean time between failures over a time range: the UP time inside the range divided by the number of
 * outages that began inside it (an outage still open counts: it began). Null when none began there.
 */
export function computeMtbf(transitions: readonly Transition[], range: TimeRange, nowIso: string): number | null {
  const timeline = buildTimeline(transitions, parseTime(nowIso, 'nowIso'));
  const { report, outagesBegun } = measureRange(timeline, parseTime(range.from, 'range.from'), parseTime(range.to, 'range.to'));
  return outagesBegun > 0 ? report.upSeconds / outagesBegun : null;
}

/** Uptime of one UTC day. */
export interface DayUptime {
  /** The UTC day, `YYYY-MM-DD`. */
  date: string;
  /** As {@link UptimeReport.uptimePercent} over that day (today: up to `nowIso`); null when nothing was tracked. */
  uptimePercent: number | null;
  downtimeSeconds: number;
  /** Outages overlapping the day. */
  outages: number;
}

/**
 * Uptime per UTC day over the last `days` days, oldest first; the last one is today, up to `nowIso`.
 * A day before the monitor was established, or after `nowIso`, has a null percent.
 */
export function computeDailyUptime(transitions: readonly Transition[], days: number, nowIso: string): DayUptime[] {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a whole number of at least 1, got ${days}`);
  const nowMs = parseTime(nowIso, 'nowIso');
  const timeline = buildTimeline(transitions, nowMs);
  const todayMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return Array.from({ length: days }, (_, index) => {
    const fromMs = todayMs - (days - 1 - index) * DAY_MS;
    const { report } = measureRange(timeline, fromMs, fromMs + DAY_MS);
    return {
      date: new Date(fromMs).toISOString().slice(0, 10),
      uptimePercent: report.uptimePercent,
      downtimeSeconds: report.downtimeSeconds,
      outages: report.outages,
    };
  });
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
export function computeMonthlyUptime(transitions: readonly Transition[], month: CalendarMonth, nowIso: string): MonthlyUptime {
  const report = computeUptime(transitions, month, nowIso);
  return {
    uptimePercent: report.uptimePercent,
    downtimeSeconds: report.downtimeSeconds,
    monitoredSeconds: report.upSeconds + report.downtimeSeconds,
    incidents: report.outages,
    longestIncidentSeconds: report.longestOutageSeconds,
  };
}

/** The monitor's outages over its whole history, newest first, at most `limit` of them. */
export function listIncidents(transitions: readonly Transition[], nowIso: string, limit: number): Incident[] {
  const nowMs = parseTime(nowIso, 'nowIso');
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

/** The DOWN periods, oldest first; an open one ends at `nowIso` and has no `endedBy`. */
function buildOutages(transitions: readonly Transition[], nowMs: number): StatusPeriod[] {
  return buildPeriods(transitions, nowMs).filter((period) => period.status === 'DOWN');
}

/** A monitor's timeline up to `nowIso`, built once and measured over any number of time ranges. */
interface Timeline {
  periods: StatusPeriod[];
  outages: StatusPeriod[];
  nowMs: number;
}

function buildTimeline(transitions: readonly Transition[], nowMs: number): Timeline {
  const periods = buildPeriods(transitions, nowMs);
  return { periods, outages: periods.filter((period) => period.status === 'DOWN'), nowMs };
}

/** The range's figures, and how many outages began inside it (for MTBF). */
function measureRange(timeline: Timeline, fromMs: number, toMs: number): { report: UptimeReport; outagesBegun: number } {
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
  const recovered = overlapping.filter((outage) => outage.endedBy?.to === 'UP' && outage.endMs > fromMs && outage.endMs <= toMs);
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
