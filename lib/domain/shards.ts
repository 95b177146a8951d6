/**
 * Fan-out past one Lambda: the monitors of one scheduled run split into shards, each probed by an
 * invocation of its own. Pure.
 *
 * Shards are planned from the configuration alone, so the scheduled invocation (which hands the
 * shards out) and every shard invocation (which finds its own monitors by index) agree on them
 * without passing monitor lists around. Monitors checked more often than once per period (a 10 s
 * interval under a 1-minute schedule) are kept in shards of their own: such a shard stays alive
 * for the whole period to run its extra cycles, and the other shards need not.
 */

export interface ShardableMonitor {
  id: string;
  intervalMs: number;
  /** A `heartbeat` monitor is never fast: its interval is how often its job pings, and it is weighed once a period. */
  type?: string;
}

/** Whether a monitor is checked more often than once per period. */
function isFast(monitor: ShardableMonitor, periodMs: number): boolean {
  return monitor.type !== 'heartbeat' && monitor.intervalMs < periodMs;
}

/** Which shard of how many: what the scheduled invocation hands to a shard invocation. */
export interface ShardRef {
  /** 0-based. */
  index: number;
  count: number;
}

export interface Shard<T extends ShardableMonitor> extends ShardRef {
  /** This shard's monitors, by id. */
  monitors: T[];
  /** Whether its monitors are checked more often than once per period (it runs extra cycles). */
  fast: boolean;
}

/**
 * Splits the monitors into as few shards as keep each at `maxPerShard` or fewer monitors, of
 * near-equal size (they differ by one at most), the fast monitors (interval shorter than
 * `periodMs`) apart from the others. Monitors are ordered by id, so adding one moves few others.
 * With at most `maxPerShard` monitors, all of them make one shard, fast or not.
 */
export function planShards<T extends ShardableMonitor>(monitors: readonly T[], maxPerShard: number, periodMs: number): Shard<T>[] {
  if (!Number.isInteger(maxPerShard) || maxPerShard < 1) throw new RangeError(`maxPerShard must be a whole number of 1 or more, got ${maxPerShard}`);
  const sorted = [...monitors].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (sorted.length <= maxPerShard) {
    return [{ index: 0, count: 1, monitors: sorted, fast: sorted.some((monitor) => isFast(monitor, periodMs)) }];
  }
  const fast = sorted.filter((monitor) => isFast(monitor, periodMs));
  const slow = sorted.filter((monitor) => !isFast(monitor, periodMs));
  const groups = [
    ...splitEvenly(fast, Math.ceil(fast.length / maxPerShard)).map((part) => ({ monitors: part, fast: true })),
    ...splitEvenly(slow, Math.ceil(slow.length / maxPerShard)).map((part) => ({ monitors: part, fast: false })),
  ];
  return groups.map((group, index) => ({ index, count: groups.length, ...group }));
}

/** The shard's name in keys and logs, `3/10` (1-based); empty for the only shard of an unsharded run. */
export function shardKey(ref: ShardRef): string {
  return ref.count === 1 ? '' : `${ref.index + 1}/${ref.count}`;
}

/** `parts` runs of near-equal length, in order, the longer ones first. */
function splitEvenly<T>(items: readonly T[], parts: number): T[][] {
  const result: T[][] = [];
  let start = 0;
  for (let part = 0; part < parts; part += 1) {
    const size = Math.floor(items.length / parts) + (part < items.length % parts ? 1 : 0);
    result.push(items.slice(start, start + size));
    start += size;
  }
  return result;
}

/** The `source` of the event a shard invocation receives (a scheduled event's is `aws.events`). */
export const SHARD_EVENT_SOURCE = 'uptime-monitor.probe-shard';

/** What a shard invocation is told: which scheduled run, and which of its shards. */
export interface ShardRequest {
  /** The scheduled run's tick (ISO-8601). */
  tick: string;
  shard: ShardRef;
}

/** Starts a shard's run in another invocation, without waiting for it to finish. */
export interface ShardDispatcher {
  dispatch(request: ShardRequest): Promise<void>;
}

/** Which runs and states a store serves: those of one shard (or of an unsharded run). */
export interface RunScope {
  /** The shard's key (shardKey): its runs' summary, marker and lock are its own. Empty for an unsharded run. */
  shard: string;
  /** The states its runs read: all of them, those with an id in [from, to], or just these. */
  states: 'all' | { from: string; to: string } | { ids: readonly string[] };
}

/** What a state item takes, about, when a Query reads it (4 KB per read unit). */
const STATE_ITEM_BYTES = 256;

/**
 * How a cycle reads its monitors' states, whichever costs fewer read units: a Query of the id
 * range they span (which also reads every other monitor's state in it, at about 16 states a
 * unit), or a BatchGetItem of just theirs (a unit each). A shard of neighbouring ids reads its
 * range; a few sub-minute monitors spread over the ids are read one by one.
 */
export function statesToRead(dueIds: readonly string[], allIdsSorted: readonly string[]): RunScope['states'] {
  const ids = [...dueIds].sort();
  const from = ids[0] ?? '';
  const to = ids.at(-1) ?? '';
  const inRange = lowerBound(allIdsSorted, to, true) - lowerBound(allIdsSorted, from, false);
  return (inRange * STATE_ITEM_BYTES) / 4096 < ids.length ? { from, to } : { ids };
}

/** The index of the first id above `id` (or at or above it, when not `after`), in sorted ids. */
function lowerBound(sorted: readonly string[], id: string, after: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    const value = sorted[middle] as string;
    if (value < id || (after && value === id)) low = middle + 1;
    else high = middle;
  }
  return low;
}
