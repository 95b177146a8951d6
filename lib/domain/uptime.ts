import type { MaintenancePeriod } from './maintenance';
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
 *
 * Maintenance (lib/domain/maintenance.ts): the time of a monitor's maintenance windows counts
 * neither as up nor as down. It is taken out of the UP and DOWN time it overlaps and reported
 * apart, so UP + DOWN + maintenance = the monitored time; maintenance over UNKNOWN time (before the
 * first transition, after a removal, after `nowIso`) stays unmonitored, not maintenance. Uptime is
 * UP over UP plus DOWN, so a range spent wholly in maintenance has a null percent. Outages are
 * left as the transitions record them, maintenance or not: their number, the longest, MTTR, the
 * divisor of MTBF and the incidents list are unchanged by a window, and an outage that runs into
 * one keeps its full length (only its downtime shrinks). Every function taking `maintenance`
 * takes the monitor's periods as MaintenanceSchedule.periods gives them; any periods do: they are
 * merged here (overlapping time counts once) and clipped to each range and to `nowIso`.
 */

export interface UptimeReport {
  /** UP time over UP plus DOWN time inside the range (maintenance left out), in percent; null when neither was seen. */
  uptimePercent: number | null;
  /** UP time inside the range, outside maintenance. */
  upSeconds: number;
  /** DOWN time inside the range, outside maintenance. */
  downtimeSeconds: number;
  /** Maintenance time inside the range that would otherwise have been UP or DOWN time. */
  maintenanceSeconds: number;
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
 * after a removal, after `nowIso`) left out, the monitor's `maintenance` counted apart. See
 * {@link UptimeReport} for what each figure means.
 */
export function computeUptime(
  transitions: readonly Transition[],
  range: TimeRange,
  nowIso: string,
  maintenance: readonly MaintenancePeriod[] = [],
): UptimeReport {
  const timeline = buildTimeline(transitions, parseTime(nowIso, 'nowIso'), maintenance);
  return measureRange(timeline, parseTime(range.from, 'range.from'), parseTime(range.to, 'range.to')).report;
}

/**
 * Mean time between failures over a time range: the UP time inside the range (maintenance left out)
 * divided by the number of outages that began inside it (an outage still open counts: it began).
 * Null when none began there.
 */
export function computeMtbf(
  transitions: readonly Transition[],
  range: TimeRange,
  nowIso: string,
  maintenance: readonly MaintenancePeriod[] = [],
): number | null {
  const timeline = buildTimeline(transitions, parseTime(nowIso, 'nowIso'), maintenance);
  const { report, outagesBegun } = measureRange(timeline, parseTime(range.from, 'range.from'), parseTime(range.to, 'range.to'));
  return outagesBegun > 0 ? report.upSeconds / outagesBegun : null;
}

/** Uptime of one UTC day. */
export interface DayUptime {
  /** The UTC day, `YYYY-MM-DD`. */
  date: string;
  /**
   * As {@link UptimeReport.uptimePercent} over that day (today: up to `nowIso`); null when nothing
   * was tracked, or the whole tracked day was maintenance.
   */
  uptimePercent: number | null;
  downtimeSeconds: number;
  /** Maintenance that day, as {@link UptimeReport.maintenanceSeconds}. */
  maintenanceSeconds: number;
  /** Outages overlapping the day. */
  outages: number;
}

/**
 * Uptime per UTC day over the last `days` days, oldest first; the last one is today, up to `nowIso`.
 * A day before the monitor was established, or after `nowIso`, has a null percent.
 */
export function computeDailyUptime(
  transitions: readonly Transition[],
  days: number,
  nowIso: string,
  maintenance: readonly MaintenancePeriod[] = [],
): DayUptime[] {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a whole number of at least 1, got ${days}`);
  const nowMs = parseTime(nowIso, 'nowIso');
  const timeline = buildTimeline(transitions, nowMs, maintenance);
  const todayMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return Array.from({ length: days }, (_, index) => {
    const fromMs = todayMs - (days - 1 - index) * DAY_MS;
    const { report } = measureRange(timeline, fromMs, fromMs + DAY_MS);
    return {
      date: new Date(fromMs).toISOString().slice(0, 10),
      uptimePercent: report.uptimePercent,
      downtimeSeconds: report.downtimeSeconds,
      maintenanceSeconds: report.maintenanceSeconds,
      outages: report.outages,
    };
  });
}

/** One monitor's figures for an SLA report over a calendar month. */
export interface MonthlyUptime {
  /** As {@link UptimeReport.uptimePercent}; null when the monitor was not tracked that month. */
  uptimePercent: number | null;
  downtimeSeconds: number;
  /** Maintenance inside the month, as {@link UptimeReport.maintenanceSeconds}. */
  maintenanceSeconds: number;
  /**
   * UP, DOWN and maintenance time inside the month: less than the month when the monitor was added
   * during it, or for the month in progress.
   */
  monitoredSeconds: number;
  /** Outages overlapping the month, including one still open and ones that began the month before. */
  incidents: number;
  /** Full length of the longest of them, as {@link UptimeReport.longestOutageSeconds}; 0 when none. */
  longestIncidentSeconds: number;
}

/** A monitor's uptime, downtime and incidents over a calendar month (UTC). */
export function computeMonthlyUptime(
  transitions: readonly Transition[],
  month: CalendarMonth,
  nowIso: string,
  maintenance: readonly MaintenancePeriod[] = [],
): MonthlyUptime {
  const report = computeUptime(transitions, month, nowIso, maintenance);
  return {
    uptimePercent: report.uptimePercent,
    downtimeSeconds: report.downtimeSeconds,
    maintenanceSeconds: report.maintenanceSeconds,
    monitoredSeconds: report.upSeconds + report.downtimeSeconds + report.maintenanceSeconds,
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
  /** The maintenance stretches, merged, oldest first, none empty. */
  maintenance: Array<{ startMs: number; endMs: number }>;
  nowMs: number;
}

function buildTimeline(transitions: readonly Transition[], nowMs: number, maintenance: readonly MaintenancePeriod[]): Timeline {
  const periods = buildPeriods(transitions, nowMs);
  return { periods, outages: periods.filter((period) => period.status === 'DOWN'), maintenance: mergeMaintenance(maintenance), nowMs };
}

/** Maintenance periods sorted and merged where they overlap or touch, so no time counts twice. */
function mergeMaintenance(periods: readonly MaintenancePeriod[]): Array<{ startMs: number; endMs: number }> {
  const merged: Array<{ startMs: number; endMs: number }> = [];
  for (const { startMs, endMs } of [...periods].sort((a, b) => a.startMs - b.startMs)) {
    if (!(endMs > startMs)) continue;
    const last = merged.at(-1);
    if (last && startMs <= last.endMs) last.endMs = Math.max(last.endMs, endMs);
    else merged.push({ startMs, endMs });
  }
  return merged;
}

/** The range's figures, and how many outages began inside it (for MTBF). */
function measureRange(timeline: Timeline, fromMs: number, toMs: number): { report: UptimeReport; outagesBegun: number } {
  const trackedEndMs = Math.min(toMs, timeline.nowMs);
  const maintenance = timeline.maintenance.filter((stretch) => stretch.startMs < trackedEndMs && stretch.endMs > fromMs);
  let upMs = 0;
  let downMs = 0;
  let maintenanceMs = 0;
  for (const period of timeline.periods) {
    if (period.status === 'UNKNOWN') continue;
    const startMs = Math.max(period.startMs, fromMs);
    const endMs = Math.min(period.endMs, trackedEndMs);
    if (endMs <= startMs) continue;
    const inMaintenanceMs = maintenance.reduce((sum, stretch) => sum + Math.max(0, Math.min(stretch.endMs, endMs) - Math.max(stretch.startMs, startMs)), 0);
    maintenanceMs += inMaintenanceMs;
    if (period.status === 'UP') upMs += endMs - startMs - inMaintenanceMs;
    else downMs += endMs - startMs - inMaintenanceMs;
  }

  const overlapping = timeline.outages.filter((outage) => outage.startMs < trackedEndMs && outage.endMs > fromMs);
  const recovered = overlapping.filter((outage) => outage.endedBy?.to === 'UP' && outage.endMs > fromMs && outage.endMs <= toMs);
  const trackedMs = upMs + downMs;
  const report: UptimeReport = {
    uptimePercent: trackedMs > 0 ? (upMs / trackedMs) * 100 : null,
    upSeconds: upMs / 1000,
    downtimeSeconds: downMs / 1000,
    maintenanceSeconds: maintenanceMs / 1000,
    outages: overlapping.length,
    longestOutageSeconds: overlapping.reduce((longest, outage) => Math.max(longest, outage.endMs - outage.startMs), 0) / 1000,
    mttrSeconds:
      recovered.length > 0
        ? recovered.reduce((sum, outage) => sum + (outage.endMs - outage.startMs), 0) / recovered.length / 1000
        : null,
  };
  return { report, outagesBegun: overlapping.filter((outage) => outage.startMs >= fromMs).length };
}
