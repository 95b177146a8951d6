import fc from 'fast-check';
import { planShards, shardKey, statesToRead, type ShardableMonitor } from '../../lib/domain/shards';
import { MINUTE_MS } from '../../lib/domain/time';


function monitors(count: number, intervalMs = MINUTE_MS, prefix = 'm'): ShardableMonitor[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${String(i).padStart(5, '0')}`, intervalMs }));
}

const ids = (list: readonly ShardableMonitor[]) => list.map((monitor) => monitor.id);

describe('planShards', () => {
  it('keeps up to maxPerShard monitors in one shard, ordered by id', () => {
    const list = [{ id: 'b', intervalMs: MINUTE_MS }, { id: 'a', intervalMs: 10_000 }, { id: 'c', intervalMs: MINUTE_MS }];
    const plan = planShards(list, 3, MINUTE_MS);
    expect(plan).toEqual([{ index: 0, count: 1, monitors: [list[1], list[0], list[2]], fast: true }]);
  });

  it('splits 10,000 monitors into 10 shards of 1,000 that cover each monitor once', () => {
    const list = monitors(10_000).reverse();
    const plan = planShards(list, 1000, MINUTE_MS);
    expect(plan.map((shard) => shard.monitors.length)).toEqual(Array(10).fill(1000));
    expect(plan.map((shard) => [shard.index, shard.count])).toEqual(Array.from({ length: 10 }, (_, i) => [i, 10]));
    expect(plan.flatMap((shard) => ids(shard.monitors))).toEqual(ids(list).sort());
  });

  it('makes shards of near-equal size: 2,501 monitors at 1,000 a shard are 834, 834 and 833', () => {
    expect(planShards(monitors(2501), 1000, MINUTE_MS).map((shard) => shard.monitors.length)).toEqual([834, 834, 833]);
  });

  it('keeps monitors checked more often than once a period in shards of their own, first', () => {
    const fast = monitors(30, 10_000, 'f');
    const slow = monitors(1500, MINUTE_MS, 'a');
    const plan = planShards([...slow, ...fast], 1000, MINUTE_MS);
    expect(plan.map((shard) => [shard.fast, shard.monitors.length])).toEqual([
      [true, 30],
      [false, 750],
      [false, 750],
    ]);
    expect(ids(plan[0]?.monitors ?? [])).toEqual(ids(fast));
  });

  it('refuses a shard size below one', () => {
    expect(() => planShards(monitors(3), 0, MINUTE_MS)).toThrow(RangeError);
    expect(() => planShards(monitors(3), 1.5, MINUTE_MS)).toThrow(RangeError);
  });

  it('puts every monitor in exactly one shard of at most maxPerShard, in as few shards as that allows', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,6}$/), { maxLength: 300 }),
        fc.array(fc.constantFrom(10_000, 30_000, MINUTE_MS, 5 * MINUTE_MS), { minLength: 300, maxLength: 300 }),
        fc.integer({ min: 1, max: 120 }),
        (names, intervals, max) => {
          const list = names.map((id, i) => ({ id, intervalMs: intervals[i] ?? MINUTE_MS }));
          const plan = planShards(list, max, MINUTE_MS);
          const fastCount = list.filter((monitor) => monitor.intervalMs < MINUTE_MS).length;
          const expected = list.length <= max ? 1 : Math.ceil(fastCount / max) + Math.ceil((list.length - fastCount) / max);
          expect(plan).toHaveLength(expected);
          expect(plan.flatMap((shard) => ids(shard.monitors)).sort()).toEqual([...names].sort());
          for (const shard of plan) {
            expect(shard.monitors.length).toBeLessThanOrEqual(max);
            if (plan.length > 1) expect(shard.monitors.every((monitor) => monitor.intervalMs < MINUTE_MS === shard.fast)).toBe(true);
          }
        },
      ),
    );
  });
});

describe('planShards, as a shard invocation plans again (runShardTick)', () => {
  it('plans the same monitors in each shard from the same configuration, whatever its order', () => {
    const list = monitors(2500);
    const plan = planShards(list, 1000, MINUTE_MS);
    expect(planShards([...list].reverse(), 1000, MINUTE_MS)[2]).toEqual(plan[2]);
  });

  it('plans a different number of shards once the configuration or the shard size changed', () => {
    expect(planShards(monitors(2500), 1000, MINUTE_MS)).toHaveLength(3);
    expect(planShards(monitors(3500), 1000, MINUTE_MS)).toHaveLength(4);
    expect(planShards(monitors(2500), 500, MINUTE_MS)).toHaveLength(5);
  });
});

describe('shardKey', () => {
  it('names a shard 1-based, and the only shard not at all', () => {
    expect(shardKey({ index: 2, count: 10 })).toBe('3/10');
    expect(shardKey({ index: 0, count: 1 })).toBe('');
  });
});

describe('statesToRead', () => {
  const all = Array.from({ length: 1000 }, (_, i) => `m-${String(i).padStart(4, '0')}`);

  it('reads the id range of a shard of neighbouring monitors', () => {
    expect(statesToRead(all.slice(200, 400), all)).toEqual({ from: 'm-0200', to: 'm-0399' });
  });

  it('reads a few monitors spread over the ids one by one', () => {
    expect(statesToRead(['m-0999', 'm-0001', 'm-0500'], all)).toEqual({ ids: ['m-0001', 'm-0500', 'm-0999'] });
  });

  it('reads a range once it costs fewer units than one read per monitor', () => {
    // 100 monitors in a range of 1,000 states: 1,000 × 256 B is 62.5 units, fewer than 100.
    const spread = all.filter((_, i) => i % 10 === 0);
    expect(statesToRead(spread, all)).toEqual({ from: 'm-0000', to: 'm-0990' });
    // 50 of them: 50 units, fewer than the 62 the range would cost.
    expect(statesToRead(spread.filter((_, i) => i % 2 === 0), all)).toEqual({ ids: spread.filter((_, i) => i % 2 === 0) });
  });

  it('reads a single monitor as a range of one', () => {
    expect(statesToRead(['m-0500'], all)).toEqual({ from: 'm-0500', to: 'm-0500' });
  });
});
