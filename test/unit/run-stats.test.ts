import fc from 'fast-check';
import {
  describeLatency,
  EMPTY_RUN_STATS,
  latencyBucket,
  latencyPercentile,
  mergeRunStats,
  summarizeRuns,
  summarizeRunsByHour,
  type RunStats,
} from '../../lib/domain/run-stats';
import type { RunMonitorResult, RunSummary } from '../../lib/domain/types';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');

function buildRun(minute: number, results: Record<string, RunMonitorResult>): RunSummary {
  const values = Object.values(results);
  return {
    tick: new Date(T0 + minute * 60_000).toISOString(),
    startedAt: new Date(T0 + minute * 60_000 + 100).toISOString(),
    durationMs: 500,
    checks: values.length,
    failures: values.filter((result) => !result.ok).length,
    monitorsDown: 0,
    results,
  };
}

const up = (latencyMs: number): RunMonitorResult => ({ ok: true, latencyMs, statusCode: 200 });
const down: RunMonitorResult = { ok: false, latencyMs: 5000, reason: 'timeout' };

/** The exact nearest-rank percentile: the smallest value at least `percent` % of the values do not exceed. */
function exactPercentile(values: readonly number[], percent: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((percent / 100) * sorted.length) - 1] ?? Number.NaN;
}

describe('summarizeRuns', () => {
  it('counts checks and failed checks per monitor, and times only the successful ones', () => {
    const stats = summarizeRuns([
      buildRun(0, { api: up(100), web: down }),
      buildRun(1, { api: up(300), web: up(50) }),
      buildRun(2, { api: down }),
    ]);
    expect(stats.get('api')).toMatchObject({ checks: 3, failedChecks: 1, latency: { count: 2, sumMs: 400, minMs: 100, maxMs: 300 } });
    expect(stats.get('web')).toMatchObject({ checks: 2, failedChecks: 1, latency: { count: 1, sumMs: 50, minMs: 50, maxMs: 50 } });
    expect(stats.has('other')).toBe(false);
  });

  it('gives nothing for no runs', () => {
    expect(summarizeRuns([]).size).toBe(0);
  });
});

describe('summarizeRunsByHour', () => {
  it('puts each run in the hour of its tick, for the monitors asked for only', () => {
    const byHour = summarizeRunsByHour(
      [buildRun(59, { api: up(10), web: up(20) }), buildRun(60, { api: down }), buildRun(61, { api: up(30) })],
      ['api', 'absent'],
    );
    expect([...(byHour.get('api')?.entries() ?? [])].map(([hourMs, stats]) => [new Date(hourMs).toISOString(), stats.checks, stats.failedChecks])).toEqual([
      ['2024-05-01T10:00:00.000Z', 1, 0],
      ['2024-05-01T11:00:00.000Z', 2, 1],
    ]);
    expect(byHour.get('absent')?.size).toBe(0);
    expect(byHour.has('web')).toBe(false);
  });
});

describe('latency percentiles', () => {
  it('is null without a successful check', () => {
    expect(latencyPercentile(EMPTY_RUN_STATS.latency, 95)).toBeNull();
    expect(describeLatency(summarizeRuns([buildRun(0, { api: down })]).get('api')?.latency ?? EMPTY_RUN_STATS.latency)).toBeNull();
  });

  it('is exact when every time is the same', () => {
    const stats = summarizeRuns([buildRun(0, { api: up(123) }), buildRun(1, { api: up(123) })]).get('api');
    expect(describeLatency(stats?.latency ?? EMPTY_RUN_STATS.latency)).toEqual({ avg: 123, p50: 123, p95: 123 });
  });

  it('reads a skewed distribution within 2.5 % of the exact nearest-rank value', () => {
    // 90 fast answers and 10 slow ones: the median is fast, the 95th percentile slow.
    const times = [...Array.from({ length: 90 }, (_, i) => 80 + i), ...Array.from({ length: 10 }, (_, i) => 2000 + 100 * i)];
    const latency = summarizeRuns(times.map((ms, minute) => buildRun(minute, { api: up(ms) }))).get('api')?.latency ?? EMPTY_RUN_STATS.latency;
    const p50 = latencyPercentile(latency, 50) ?? 0;
    const p95 = latencyPercentile(latency, 95) ?? 0;
    expect(Math.abs(p50 - exactPercentile(times, 50)) / exactPercentile(times, 50)).toBeLessThanOrEqual(0.025);
    expect(Math.abs(p95 - exactPercentile(times, 95)) / exactPercentile(times, 95)).toBeLessThanOrEqual(0.025);
    expect(p50).toBeLessThan(200);
    expect(p95).toBeGreaterThan(2000);
    expect(describeLatency(latency)?.avg).toBe(Math.round(times.reduce((a, b) => a + b, 0) / times.length));
  });

  it('stays within 2.5 % of the exact value and within the min and max, for any times', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(50, 90, 95, 99, 100),
        (times, percent) => {
          const latency = summarizeRuns(times.map((ms, minute) => buildRun(minute, { api: up(ms) }))).get('api')?.latency;
          const estimate = latencyPercentile(latency ?? EMPTY_RUN_STATS.latency, percent) ?? Number.NaN;
          const exact = exactPercentile(times, percent);
          expect(estimate).toBeGreaterThanOrEqual(Math.min(...times));
          expect(estimate).toBeLessThanOrEqual(Math.max(...times));
          expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(Math.max(1, exact * 0.025));
        },
      ),
    );
  });

  it.each([0, -5, 101, Number.NaN])('refuses percent=%p', (percent) => {
    expect(() => latencyPercentile(EMPTY_RUN_STATS.latency, percent)).toThrow(RangeError);
  });

  it('puts each time in the bucket whose bounds hold it', () => {
    for (const ms of [0, 1, 2, 10, 99, 100, 101, 1000, 59_999]) {
      const bucket = latencyBucket(ms);
      if (ms <= 1) expect(bucket).toBe(0);
      else {
        expect(ms).toBeLessThanOrEqual(1.05 ** bucket * (1 + 1e-9));
        expect(ms).toBeGreaterThan(1.05 ** (bucket - 1));
      }
    }
  });
});

describe('mergeRunStats', () => {
  it('gives the figures of the whole from the figures of its parts, exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ok: fc.boolean(), latencyMs: fc.integer({ min: 0, max: 10_000 }) }), { maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (results, cuts) => {
          const runs = results.map((result, minute) => buildRun(minute, { api: result.ok ? up(result.latencyMs) : down }));
          const whole = summarizeRuns(runs).get('api') ?? EMPTY_RUN_STATS;
          const bounds = [0, ...cuts.map((cut) => cut % (runs.length + 1)).sort((a, b) => a - b), runs.length];
          const parts: RunStats[] = [];
          for (let i = 0; i + 1 < bounds.length; i += 1) {
            parts.push(summarizeRuns(runs.slice(bounds[i], bounds[i + 1])).get('api') ?? EMPTY_RUN_STATS);
          }
          expect(mergeRunStats(parts)).toEqual(mergeRunStats([whole]));
        },
      ),
    );
  });

  it('of nothing is empty', () => {
    expect(mergeRunStats([])).toEqual({ checks: 0, failedChecks: 0, latency: { count: 0, sumMs: 0, minMs: 0, maxMs: 0, buckets: new Map() } });
  });
});
