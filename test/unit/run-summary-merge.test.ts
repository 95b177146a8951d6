import { mergeLatestRun, mergeShardsByTick, mergeShardsOfTick } from '../../lib/domain/run-summary-merge';
import type { RunSummary } from '../../lib/domain/types';

const part = (tick: string, startedAt: string, fields: Partial<RunSummary>): RunSummary => ({
  tick,
  startedAt,
  durationMs: 100,
  checks: 1,
  failures: 0,
  monitorsDown: 0,
  results: {},
  ...fields,
});

describe('mergeShardsOfTick', () => {
  it('adds the shards of a tick up: results joined, counts summed, the earliest start, the longest duration', () => {
    const merged = mergeShardsOfTick([
      part('T1', 'T1+2', { durationMs: 300, checks: 2, failures: 1, monitorsDown: 1, results: { a: { ok: false, latencyMs: 9, reason: 'timeout' } } }),
      part('T1', 'T1+1', { durationMs: 200, checks: 3, failures: 0, monitorsDown: 2, results: { b: { ok: true, latencyMs: 5, statusCode: 200 } } }),
    ]);
    expect(merged).toEqual({
      tick: 'T1',
      startedAt: 'T1+1',
      durationMs: 300,
      checks: 5,
      failures: 1,
      monitorsDown: 3,
      results: { a: { ok: false, latencyMs: 9, reason: 'timeout' }, b: { ok: true, latencyMs: 5, statusCode: 200 } },
    });
  });

  it('returns a single part as it is, and refuses none', () => {
    const only = part('T1', 'T1', { checks: 4 });
    expect(mergeShardsOfTick([only])).toBe(only);
    expect(() => mergeShardsOfTick([])).toThrow(RangeError);
  });

  it('leaves the parts it merged unchanged', () => {
    const first = part('T1', 'T1', { results: { a: { ok: true, latencyMs: 1 } } });
    mergeShardsOfTick([first, part('T1', 'T1', { results: { b: { ok: true, latencyMs: 2 } } })]);
    expect(first.results).toEqual({ a: { ok: true, latencyMs: 1 } });
  });
});

describe('mergeShardsByTick', () => {
  it('gives one summary per tick, oldest tick first', () => {
    const merged = mergeShardsByTick([part('T2', 'T2', { checks: 1 }), part('T1', 'T1', { checks: 2 }), part('T2', 'T2', { checks: 3 })]);
    expect(merged.map((summary) => [summary.tick, summary.checks])).toEqual([
      ['T1', 2],
      ['T2', 4],
    ]);
  });
});

describe('mergeLatestRun', () => {
  it('gives the latest tick the newest result of monitors it did not check, with when each was checked', () => {
    const latest = mergeLatestRun(
      [
        part('T0', 'T0+s', { results: { a: { ok: true, latencyMs: 1 }, f: { ok: true, latencyMs: 2 } } }),
        part('T1', 'T1+s', { results: { f: { ok: false, latencyMs: 3 } } }),
        part('T2', 'T2+s', { checks: 1, results: { f: { ok: true, latencyMs: 4 } } }),
      ],
      'T2',
    );
    expect(latest).toEqual(
      part('T2', 'T2+s', { checks: 1, results: { a: { ok: true, latencyMs: 1, checkedAt: 'T0+s' }, f: { ok: true, latencyMs: 4 } } }),
    );
  });

  it('is undefined when nothing of the latest tick is there, and the tick alone when it is all there is', () => {
    expect(mergeLatestRun([part('T1', 'T1', {})], 'T2')).toBeUndefined();
    const alone = part('T2', 'T2', { results: { a: { ok: true, latencyMs: 1 } } });
    expect(mergeLatestRun([alone], 'T2')).toBe(alone);
  });
});
