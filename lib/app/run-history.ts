import type { Logger } from '@aws-lambda-powertools/logger';
import { mapWithConcurrency } from '../domain/concurrency';
import type { RunRollupStore, RunSummaryStore } from '../domain/ports';
import { HOURLY_ROLLUP_RETENTION_DAYS, RUN_RETENTION_DAYS } from '../domain/retention';
import {
  ceilDay,
  ceilHour,
  EMPTY_RUN_STATS,
  floorDay,
  floorHour,
  mergeRunStats,
  RunStatsAccumulator,
  summarizeRuns,
  summarizeRunsByHour,
  type RunStats,
} from '../domain/run-stats';
import type { TimeRange } from '../domain/time-range';
import type { Deadline } from './deadline';
import { MINUTE_MS, HOUR_MS, DAY_MS } from '../domain/time';

/**
 * Run history by the hour and by the day: the probe rolls up each finished hour, and each finished
 * UTC day from its hours (writer); the API combines days, hours and raw run summaries for what is
 * not rolled up (reader). See lib/domain/run-stats.ts.
 */

/**
 * The probe rolls up the previous hour during minutes 5 to 9 of each hour: late enough that the
 * hour's last run has written its summary, with five chances in case a run fails.
 */
export const ROLLUP_FIRST_MINUTE = 5;
export const ROLLUP_LAST_MINUTE = 9;
/** How far back the reader looks at raw run summaries for hours not rolled up (their default retention). */
export const RAW_RUN_LOOKBACK_DAYS = RUN_RETENTION_DAYS;
/** The rollup is left to a later run when less time than this is left before the run's deadline. */
export const ROLLUP_MIN_REMAINING_MS = 2_000;
/** How many days of raw run summaries are read at once. */
const RAW_READ_CONCURRENCY = 8;

export interface RollupWriterDeps {
  runs: Pick<RunSummaryStore, 'listRunSummaries'>;
  rollups: RunRollupStore;
  logger: Pick<Logger, 'info' | 'error'>;
  /** The run's deadline; none: no limit. */
  deadline?: Deadline;
  /** How long hourly rollups are kept: days older than this can no longer be rolled up. Default HOURLY_ROLLUP_RETENTION_DAYS. */
  hourlyRetentionDays?: number;
}

export type RollupOutcome = 'not-due' | 'no-time' | 'already-rolled-up' | 'rolled-up' | 'failed';

/**
 * Called by the probe after each run: during minutes 5 to 9 of an hour, rolls up the previous hour
 * unless that is already done. Never throws: a failed rollup is logged and retried by the next
 * run, and until then readers use the raw run summaries of that hour. A run with less than
 * ROLLUP_MIN_REMAINING_MS left before its deadline leaves it to the next run.
 */
export async function rollUpPreviousHour(tick: string, deps: RollupWriterDeps): Promise<RollupOutcome> {
  const tickEpochMs = Date.parse(tick);
  const minute = Math.floor((tickEpochMs - floorHour(tickEpochMs)) / MINUTE_MS);
  if (minute < ROLLUP_FIRST_MINUTE || minute > ROLLUP_LAST_MINUTE) return 'not-due';
  const hour = new Date(floorHour(tickEpochMs) - HOUR_MS).toISOString();
  if (deps.deadline && deps.deadline.remainingMs() < ROLLUP_MIN_REMAINING_MS) return 'no-time';
  try {
    if (await deps.rollups.hasRollup('hour', hour)) return 'already-rolled-up';
    const monitors = await rollUpHour(hour, deps);
    deps.logger.info('hour rolled up', { tick, hour, monitors });
    return 'rolled-up';
  } catch (error) {
    deps.logger.error('could not roll up the hour', { tick, hour, error: String(error) });
    return 'failed';
  }
}

/** The most missed hours one run rolls up (oldest first): a run's spare time is bounded. */
export const BACKFILL_HOURS_PER_RUN = 6;

/**
 * Called by the probe after rollUpPreviousHour, in the same minutes 5 to 9: rolls up hours the
 * probe missed (no run between their minutes 5 and 9 of the next hour got to them), oldest first,
 * at most BACKFILL_HOURS_PER_RUN a run. An hour is missed when it lies after the first rolled-up
 * hour (hours before monitoring began are not gaps) and before the previous hour, and its run
 * summaries may still be there: within the last RUN_RETENTION_DAYS less a day. Costs one Query of
 * the rollup markers an hour (about 800 small items at most); never throws. Returns the hours
 * rolled up.
 */
export async function backfillMissedHours(tick: string, deps: RollupWriterDeps): Promise<string[]> {
  const tickEpochMs = Date.parse(tick);
  const minute = Math.floor((tickEpochMs - floorHour(tickEpochMs)) / MINUTE_MS);
  if (minute < ROLLUP_FIRST_MINUTE || minute > ROLLUP_LAST_MINUTE) return [];
  const previousHourMs = floorHour(tickEpochMs) - HOUR_MS;
  const oldestMs = floorHour(tickEpochMs - (RUN_RETENTION_DAYS - 1) * DAY_MS);
  const done: string[] = [];
  try {
    const rolledUp = await deps.rollups.listRolledUp('hour', new Date(oldestMs).toISOString(), new Date(previousHourMs).toISOString());
    const firstMs = Math.min(...[...rolledUp].map((hour) => Date.parse(hour)));
    if (!Number.isFinite(firstMs)) return done;
    for (let hourMs = firstMs + HOUR_MS; hourMs < previousHourMs && done.length < BACKFILL_HOURS_PER_RUN; hourMs += HOUR_MS) {
      const hour = new Date(hourMs).toISOString();
      if (rolledUp.has(hour)) continue;
      if (deps.deadline && deps.deadline.remainingMs() < ROLLUP_MIN_REMAINING_MS) break;
      const monitors = await rollUpHour(hour, deps);
      done.push(hour);
      deps.logger.info('missed hour rolled up', { tick, hour, monitors });
    }
    // A day already rolled up without one of these hours is rolled up again, with it.
    for (const day of new Set(done.map((hour) => new Date(floorDay(Date.parse(hour))).toISOString()))) {
      if (await deps.rollups.hasRollup('day', day)) await rollUpDay(day, deps);
    }
  } catch (error) {
    deps.logger.error('could not roll up the missed hours; a later run tries again', { tick, done, error: String(error) });
  }
  return done;
}

/** Rolls up the hour starting at `hour` from its run summaries; returns how many monitors it covered. */
export async function rollUpHour(hour: string, deps: Pick<RollupWriterDeps, 'runs' | 'rollups'>): Promise<number> {
  const endMs = Date.parse(hour) + HOUR_MS;
  const summaries = await deps.runs.listRunSummaries(hour, new Date(endMs - 1).toISOString());
  const stats = summarizeRuns(summaries);
  await deps.rollups.putRollup('hour', hour, stats);
  return stats.size;
}

/** The most finished days one run rolls up (oldest first). */
export const DAYS_PER_RUN = 3;

/**
 * Called by the probe after the hourly rollups, in the same minutes 5 to 9: rolls up each finished
 * UTC day from its hourly rollups into one item per 16 monitors (lib/adapters/dynamodb-run-rollup-store.ts),
 * oldest first, at most DAYS_PER_RUN a run. A day is ready once its last hour (23:00) is rolled up,
 * or once it is too old for a missed hour of it to be rolled up any more (RUN_RETENTION_DAYS less a
 * day); days before the first rolled-up day with no rolled-up hour (before monitoring began) are
 * left alone, and so are days whose hours have expired (hourlyRetentionDays). A deployment that had
 * only hourly rollups gets its days this way too, a few a run. Costs one Query of the day markers a
 * run, and one of the hour markers while a day waits; never throws. Returns the days rolled up.
 */
export async function rollUpFinishedDays(tick: string, deps: RollupWriterDeps): Promise<string[]> {
  const tickEpochMs = Date.parse(tick);
  const minute = Math.floor((tickEpochMs - floorHour(tickEpochMs)) / MINUTE_MS);
  if (minute < ROLLUP_FIRST_MINUTE || minute > ROLLUP_LAST_MINUTE) return [];
  const todayMs = floorDay(tickEpochMs);
  const oldestMs = todayMs - ((deps.hourlyRetentionDays ?? HOURLY_ROLLUP_RETENTION_DAYS) - 1) * DAY_MS;
  // Older than this, a day's missing hours are past backfillMissedHours' reach: it is as complete as it will be.
  const settledBeforeMs = floorHour(tickEpochMs - (RUN_RETENTION_DAYS - 1) * DAY_MS);
  const done: string[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  try {
    const days = [...(await deps.rollups.listRolledUp('day', iso(oldestMs), iso(todayMs)))].map(Date.parse);
    const firstDayMs = days.length > 0 ? Math.min(...days) : undefined;
    const rolledUpDays = new Set(days);
    let scanFromMs = firstDayMs === undefined ? oldestMs : firstDayMs + DAY_MS;
    while (scanFromMs < todayMs && rolledUpDays.has(scanFromMs)) scanFromMs += DAY_MS;
    if (scanFromMs >= todayMs) return done;
    const hours = [...(await deps.rollups.listRolledUp('hour', iso(scanFromMs), iso(todayMs)))].map(Date.parse);
    for (let dayMs = scanFromMs; dayMs < todayMs && done.length < DAYS_PER_RUN; dayMs += DAY_MS) {
      if (rolledUpDays.has(dayMs)) continue;
      const hoursOfDay = hours.filter((hourMs) => hourMs >= dayMs && hourMs < dayMs + DAY_MS);
      const settled = dayMs + DAY_MS <= settledBeforeMs;
      const ready = hoursOfDay.includes(dayMs + 23 * HOUR_MS) || settled;
      // Before the first rolled-up day, a day with no hour is one before monitoring began.
      if (!ready || (hoursOfDay.length === 0 && firstDayMs === undefined)) continue;
      if (deps.deadline && deps.deadline.remainingMs() < ROLLUP_MIN_REMAINING_MS) break;
      const monitors = await rollUpDay(iso(dayMs), deps);
      done.push(iso(dayMs));
      deps.logger.info('day rolled up', { tick, day: iso(dayMs), hours: hoursOfDay.length, monitors });
    }
  } catch (error) {
    deps.logger.error('could not roll up the finished days; a later run tries again', { tick, done, error: String(error) });
  }
  return done;
}

/** Rolls up the UTC day starting at `day` from its hourly rollups; returns how many monitors it covered. */
export async function rollUpDay(day: string, deps: Pick<RollupWriterDeps, 'rollups'>): Promise<number> {
  const { byMonitor } = await deps.rollups.readRollups('hour', undefined, day, new Date(Date.parse(day) + DAY_MS).toISOString());
  const stats = new Map([...byMonitor].map(([monitorId, hours]) => [monitorId, mergeRunStats(hours.values())]));
  await deps.rollups.putRollup('day', day, stats);
  return stats.size;
}

export interface RunHistoryDeps {
  runs: Pick<RunSummaryStore, 'listRunSummaries'>;
  rollups: RunRollupStore;
}

/** One monitor's checks in one hour of a window, the first and last hours cut to the window. */
export interface HourRunStats {
  /** Where the stretch starts: the hour's start, or the window's start for the first hour. */
  from: string;
  /** Where it ends: the next hour's start, or the window's end for the last hour. */
  to: string;
  stats: RunStats;
}

/**
 * The given monitors' run figures per hour over [window.from, window.to), oldest first, one entry for
 * every hour the window touches. Whole hours that are rolled up come from their rollups (one small
 * Query per monitor); the rest (the window's cut edges, the hour in progress, an hour the probe has
 * not rolled up yet) from the raw run summaries, which are read only back to `rawSince`.
 */
export async function loadHourlyRunStats(
  deps: RunHistoryDeps,
  monitorIds: readonly string[],
  window: TimeRange,
  rawSince: string,
): Promise<Map<string, HourRunStats[]>> {
  const fromMs = Date.parse(window.from);
  const toMs = Date.parse(window.to);
  const result = new Map<string, HourRunStats[]>(monitorIds.map((id) => [id, []]));
  if (!(fromMs < toMs) || monitorIds.length === 0) return result;

  const firstWholeMs = ceilHour(fromMs);
  const lastWholeEndMs = floorHour(toMs);
  const wholeFrom = new Date(firstWholeMs).toISOString();
  const wholeTo = new Date(lastWholeEndMs).toISOString();
  // The cut hours at the window's edges are read raw whatever is rolled up: at once with the rollups.
  const cutRanges: Array<[number, number]> = [];
  for (let hourMs = floorHour(fromMs); hourMs < toMs; hourMs += HOUR_MS) {
    if (!(hourMs >= fromMs && hourMs + HOUR_MS <= toMs)) cutRanges.push([Math.max(hourMs, fromMs), Math.min(hourMs + HOUR_MS, toMs)]);
  }
  const [{ rolledUp, byMonitor: monitorHours }, cutRuns] = await Promise.all([
    deps.rollups.readRollups('hour', monitorIds, wholeFrom, wholeTo),
    readRawRuns(deps.runs, cutRanges, Date.parse(rawSince)),
  ]);

  // Then the whole hours not rolled up (the previous hour before the probe got to it, a missed one).
  const rawRanges: Array<[number, number]> = [];
  for (let hourMs = firstWholeMs; hourMs + HOUR_MS <= lastWholeEndMs; hourMs += HOUR_MS) {
    if (rolledUp.has(new Date(hourMs).toISOString())) continue;
    const last = rawRanges.at(-1);
    if (last && last[1] === hourMs) last[1] = hourMs + HOUR_MS;
    else rawRanges.push([hourMs, hourMs + HOUR_MS]);
  }
  const rawByHour = summarizeRunsByHour([...cutRuns, ...(await readRawRuns(deps.runs, rawRanges, Date.parse(rawSince)))], monitorIds);

  monitorIds.forEach((monitorId) => {
    const rolled = monitorHours.get(monitorId) ?? new Map<string, RunStats>();
    const raw = rawByHour.get(monitorId) ?? new Map<number, RunStats>();
    const hours = result.get(monitorId) ?? [];
    for (let hourMs = floorHour(fromMs); hourMs < toMs; hourMs += HOUR_MS) {
      const hour = new Date(hourMs).toISOString();
      const whole = hourMs >= fromMs && hourMs + HOUR_MS <= toMs;
      const stats = whole && rolledUp.has(hour) ? (rolled.get(hour) ?? EMPTY_RUN_STATS) : (raw.get(hourMs) ?? EMPTY_RUN_STATS);
      hours.push({
        from: new Date(Math.max(hourMs, fromMs)).toISOString(),
        to: new Date(Math.min(hourMs + HOUR_MS, toMs)).toISOString(),
        stats,
      });
    }
  });
  return result;
}

/** Ranges longer than this read the rollups of their whole days, and hours only at their edges. */
export const DAILY_READ_AFTER_MS = 2 * DAY_MS;

/**
 * The given monitors' run figures over [window.from, window.to), summed. A window up to two days
 * long sums its hours (loadHourlyRunStats). A longer one reads the daily rollups of the whole UTC
 * days inside it, and hours only for the cut days at its edges and for any day not rolled up yet
 * (the day just finished, a day the probe missed): about 30 small items for 30 days instead of 720.
 * The edge hours and the days are read at once; the hours of days not rolled up after that.
 */
export async function loadRunStats(
  deps: RunHistoryDeps,
  monitorIds: readonly string[],
  window: TimeRange,
  rawSince: string,
): Promise<Map<string, RunStats>> {
  const fromMs = Date.parse(window.from);
  const toMs = Date.parse(window.to);
  const iso = (ms: number) => new Date(ms).toISOString();
  const sumHours = (hourly: Map<string, HourRunStats[]>, into: Map<string, RunStatsAccumulator>) => {
    for (const [monitorId, hours] of hourly) for (const hour of hours) into.get(monitorId)?.addStats(hour.stats);
  };
  const sums = new Map(monitorIds.map((id) => [id, new RunStatsAccumulator()]));
  const hourly = (startMs: number, endMs: number) => loadHourlyRunStats(deps, monitorIds, { from: iso(startMs), to: iso(endMs) }, rawSince);
  if (!(toMs - fromMs > DAILY_READ_AFTER_MS)) {
    sumHours(await hourly(fromMs, toMs), sums);
  } else {
    const firstDayMs = ceilDay(fromMs);
    const endDayMs = floorDay(toMs);
    const [days, head, tail] = await Promise.all([
      deps.rollups.readRollups('day', monitorIds, iso(firstDayMs), iso(endDayMs)),
      hourly(fromMs, firstDayMs),
      hourly(endDayMs, toMs),
    ]);
    sumHours(head, sums);
    sumHours(tail, sums);
    for (const [monitorId, byDay] of days.byMonitor) for (const stats of byDay.values()) sums.get(monitorId)?.addStats(stats);
    // Days not rolled up yet, in runs of consecutive days, read by the hour.
    const missing: Array<[number, number]> = [];
    for (let dayMs = firstDayMs; dayMs < endDayMs; dayMs += DAY_MS) {
      if (days.rolledUp.has(iso(dayMs))) continue;
      const last = missing.at(-1);
      if (last && last[1] === dayMs) last[1] = dayMs + DAY_MS;
      else missing.push([dayMs, dayMs + DAY_MS]);
    }
    for (const part of await Promise.all(missing.map(([startMs, endMs]) => hourly(startMs, endMs)))) sumHours(part, sums);
  }
  return new Map([...sums].map(([monitorId, sum]) => [monitorId, sum.result()]));
}

/** The run summaries with a tick in any of the ranges [start, end), read one UTC day at a time, several at once. */
async function readRawRuns(runs: Pick<RunSummaryStore, 'listRunSummaries'>, ranges: ReadonlyArray<[number, number]>, sinceMs: number) {
  const pieces: Array<[number, number]> = [];
  for (const [rangeStart, rangeEnd] of ranges) {
    let startMs = Math.max(rangeStart, sinceMs);
    while (startMs < rangeEnd) {
      const endMs = Math.min(rangeEnd, Math.floor(startMs / DAY_MS) * DAY_MS + DAY_MS);
      pieces.push([startMs, endMs]);
      startMs = endMs;
    }
  }
  const parts = await mapWithConcurrency(pieces, RAW_READ_CONCURRENCY, ([startMs, endMs]) =>
    runs.listRunSummaries(new Date(startMs).toISOString(), new Date(endMs - 1).toISOString()),
  );
  return parts.flat();
}
