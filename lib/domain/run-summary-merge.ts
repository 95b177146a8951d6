import type { RunMonitorResult, RunSummary } from './types';

/**
 * A run of many shards writes one run summary per shard; readers see the shards of a tick as one
 * summary. Pure: the store reads the parts, these rules put them together.
 */

/** The shards of one tick as one summary: results joined, counts added up, the earliest start, the longest duration. */
export function mergeShardsOfTick(parts: readonly RunSummary[]): RunSummary {
  const [first, ...rest] = parts;
  if (!first) throw new RangeError('a tick has at least one run summary to merge');
  if (rest.length === 0) return first;
  return rest.reduce(
    (merged, part) => ({
      tick: merged.tick,
      startedAt: part.startedAt < merged.startedAt ? part.startedAt : merged.startedAt,
      durationMs: Math.max(merged.durationMs, part.durationMs),
      checks: merged.checks + part.checks,
      failures: merged.failures + part.failures,
      monitorsDown: merged.monitorsDown + part.monitorsDown,
      results: { ...merged.results, ...part.results },
    }),
    { ...first, results: { ...first.results } },
  );
}

/** The parts (shard summaries of any ticks) as one summary per tick, oldest tick first. */
export function mergeShardsByTick(parts: readonly RunSummary[]): RunSummary[] {
  const byTick = new Map<string, RunSummary[]>();
  for (const part of parts) byTick.set(part.tick, [...(byTick.get(part.tick) ?? []), part]);
  return [...byTick.keys()].sort().map((tick) => mergeShardsOfTick(byTick.get(tick) ?? []));
}

/**
 * The summary of `latestTick` (its shards added up), whose results also hold each other monitor's
 * newest result from the earlier ticks in `parts`, with the time it was checked (a sub-minute cycle
 * checks only some monitors). Undefined when `parts` has nothing of `latestTick`.
 */
export function mergeLatestRun(parts: readonly RunSummary[], latestTick: string): RunSummary | undefined {
  const ticks = mergeShardsByTick(parts);
  const latest = ticks.find((summary) => summary.tick === latestTick);
  if (!latest) return undefined;
  if (ticks.length === 1) return latest;
  const results: Record<string, RunMonitorResult> = {};
  for (const summary of ticks) {
    for (const [monitorId, result] of Object.entries(summary.results)) {
      results[monitorId] = summary.tick === latestTick ? result : { ...result, checkedAt: summary.startedAt };
    }
  }
  return { ...latest, results };
}
