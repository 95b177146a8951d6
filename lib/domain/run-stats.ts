import type { RunMonitorResult, RunSummary } from './types';
import { DAY_MS, HOUR_MS } from './time';

/**
 * Check counts and response times from run summaries, and the hourly rollups that keep reading them
 * cheap. Pure: no clock, no SDK.
 *
 * A month of 1-minute runs is 43,200 run summaries, each holding every monitor's result: reading
 * them all for one monitor's 30-day figures would cost thousands of read units per request. So the
 * probe rolls each finished hour up into one small item per monitor ({@link RunStats}), and readers
 * combine whole rolled-up hours with raw run summaries for the rest of the window.
 *
 * Response times are those of successful checks only: a failed check's time (a timeout, a refused
 * connection) measures the failure, not how fast the service answers.
 */


/**
 * Response times as a mergeable histogram: bucket `i` (1 and up) holds times in
 * (GROWTH^(i-1), GROWTH^i] ms, bucket 0 times up to 1 ms. Percentiles read from it are within
 * about 2.5 % of the exact value (and exact when all times are equal); count, sum, min and max are exact.
 */
export interface LatencyStats {
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  /** Bucket index to count; only non-empty buckets. */
  buckets: ReadonlyMap<number, number>;
}

/** One monitor's checks over some stretch of time. */
export interface RunStats {
  checks: number;
  failedChecks: number;
  /** Response times of the successful checks. */
  latency: LatencyStats;
}

/** Figures a reader shows: whole milliseconds, null when there was no successful check. */
export interface LatencyFigures {
  avg: number;
  p50: number;
  p95: number;
}

const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);

export const EMPTY_RUN_STATS: RunStats = Object.freeze({
  checks: 0,
  failedChecks: 0,
  latency: Object.freeze({ count: 0, sumMs: 0, minMs: 0, maxMs: 0, buckets: new Map<number, number>() }),
});

/** The histogram bucket of a response time. */
export function latencyBucket(latencyMs: number): number {
  return latencyMs <= 1 ? 0 : Math.ceil(Math.log(latencyMs) / LOG_GROWTH - 1e-9);
}

/** Adds up checks and figures; the sums of parts equal the figures of the whole. */
export class RunStatsAccumulator {
  private checks = 0;
  private failedChecks = 0;
  private count = 0;
  private sumMs = 0;
  private minMs = Number.POSITIVE_INFINITY;
  private maxMs = Number.NEGATIVE_INFINITY;
  private readonly buckets = new Map<number, number>();

  addResult(result: RunMonitorResult): this {
    this.checks += 1;
    if (!result.ok) {
      this.failedChecks += 1;
      return this;
    }
    const latencyMs = Math.max(0, result.latencyMs);
    this.count += 1;
    this.sumMs += latencyMs;
    this.minMs = Math.min(this.minMs, latencyMs);
    this.maxMs = Math.max(this.maxMs, latencyMs);
    const bucket = latencyBucket(latencyMs);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    return this;
  }

  addStats(stats: RunStats): this {
    this.checks += stats.checks;
    this.failedChecks += stats.failedChecks;
    if (stats.latency.count === 0) return this;
    this.count += stats.latency.count;
    this.sumMs += stats.latency.sumMs;
    this.minMs = Math.min(this.minMs, stats.latency.minMs);
    this.maxMs = Math.max(this.maxMs, stats.latency.maxMs);
    for (const [bucket, count] of stats.latency.buckets) this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + count);
    return this;
  }

  result(): RunStats {
    const empty = this.count === 0;
    return {
      checks: this.checks,
      failedChecks: this.failedChecks,
      latency: {
        count: this.count,
        sumMs: this.sumMs,
        minMs: empty ? 0 : this.minMs,
        maxMs: empty ? 0 : this.maxMs,
        buckets: new Map([...this.buckets].sort(([a], [b]) => a - b)),
      },
    };
  }
}

/** Each monitor's figures over the given run summaries. */
export function summarizeRuns(summaries: readonly RunSummary[]): Map<string, RunStats> {
  const accumulators = new Map<string, RunStatsAccumulator>();
  for (const summary of summaries) {
    for (const [monitorId, result] of Object.entries(summary.results)) {
      let accumulator = accumulators.get(monitorId);
      if (!accumulator) accumulators.set(monitorId, (accumulator = new RunStatsAccumulator()));
      accumulator.addResult(result);
    }
  }
  return new Map([...accumulators].map(([monitorId, accumulator]) => [monitorId, accumulator.result()]));
}

/**
 * The given monitors' figures per hour (keyed by the hour's start, epoch ms) over the given run
 * summaries; a run belongs to the hour its tick is in.
 */
export function summarizeRunsByHour(
  summaries: readonly RunSummary[],
  monitorIds: readonly string[],
): Map<string, Map<number, RunStats>> {
  const wanted = new Set(monitorIds);
  const accumulators = new Map<string, Map<number, RunStatsAccumulator>>(monitorIds.map((id) => [id, new Map()]));
  for (const summary of summaries) {
    const hourMs = floorHour(Date.parse(summary.tick));
    for (const [monitorId, result] of Object.entries(summary.results)) {
      if (!wanted.has(monitorId)) continue;
      const hours = accumulators.get(monitorId) ?? new Map<number, RunStatsAccumulator>();
      let accumulator = hours.get(hourMs);
      if (!accumulator) hours.set(hourMs, (accumulator = new RunStatsAccumulator()));
      accumulator.addResult(result);
    }
  }
  return new Map(
    [...accumulators].map(([monitorId, hours]) => [
      monitorId,
      new Map([...hours].map(([hourMs, accumulator]) => [hourMs, accumulator.result()])),
    ]),
  );
}

/** The sum of several stretches' figures. */
export function mergeRunStats(parts: Iterable<RunStats>): RunStats {
  const accumulator = new RunStatsAccumulator();
  for (const part of parts) accumulator.addStats(part);
  return accumulator.result();
}

/**
 * The nearest-rank percentile of the response times: the smallest time that at least `percent` % of
 * them do not exceed, read from the histogram (the bucket's geometric middle, kept within the exact
 * min and max). Null when there is no time at all.
 */
export function latencyPercentile(latency: LatencyStats, percent: number): number | null {
  if (!(percent > 0 && percent <= 100)) throw new RangeError(`percent must be in (0, 100], got ${percent}`);
  if (latency.count === 0) return null;
  const rank = Math.ceil((percent / 100) * latency.count);
  let seen = 0;
  for (const [bucket, count] of [...latency.buckets].sort(([a], [b]) => a - b)) {
    seen += count;
    if (seen >= rank) {
      const middle = bucket === 0 ? 1 : GROWTH ** (bucket - 0.5);
      return Math.min(latency.maxMs, Math.max(latency.minMs, middle));
    }
  }
  return latency.maxMs;
}

/** Average, median and 95th percentile in whole milliseconds; null without a successful check. */
export function describeLatency(latency: LatencyStats): LatencyFigures | null {
  if (latency.count === 0) return null;
  return {
    avg: Math.round(latency.sumMs / latency.count),
    p50: Math.round(latencyPercentile(latency, 50) ?? 0),
    p95: Math.round(latencyPercentile(latency, 95) ?? 0),
  };
}

/** The start of the hour `ms` is in (epoch ms, UTC). */
export function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** The first hour start at or after `ms`. */
export function ceilHour(ms: number): number {
  return Math.ceil(ms / HOUR_MS) * HOUR_MS;
}

/** The start of the UTC day `ms` is in (epoch ms). */
export function floorDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** The first UTC midnight at or after `ms`. */
export function ceilDay(ms: number): number {
  return Math.ceil(ms / DAY_MS) * DAY_MS;
}
