import fc from 'fast-check';
import { FAILURE_REASONS, RunResultsDecodeError, decodeRunResults, decodeRunStats, encodeRunResults, encodeRunStats } from '../../lib/domain/run-results-codec';
import type { RunMonitorResult } from '../../lib/domain/types';

const result: fc.Arbitrary<RunMonitorResult> = fc.oneof(
  fc.record({ ok: fc.constant(true), latencyMs: fc.nat({ max: 60_000 }), statusCode: fc.constantFrom(200, 204, 301) }),
  fc.record(
    {
      ok: fc.constant(false),
      latencyMs: fc.nat({ max: 60_000 }),
      statusCode: fc.integer({ min: 100, max: 599 }),
      reason: fc.constantFrom(...FAILURE_REASONS),
    },
    { requiredKeys: ['ok', 'latencyMs'] },
  ),
);

describe('run results codec', () => {
  it('reads back what it wrote, for any results', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/), result), (results) => {
        const encoded = encodeRunResults(results);
        expect(encoded.roster).toEqual(Object.keys(results).sort());
        expect(decodeRunResults(encoded.roster, encoded.text)).toEqual(results);
      }),
    );
  });

  it('writes a good check as its latency in base 36, and the entries in id order', () => {
    const encoded = encodeRunResults({
      'web-shop': { ok: true, latencyMs: 123, statusCode: 200 },
      'api-payments': { ok: false, latencyMs: 5000, reason: 'timeout' },
      'api-orders': { ok: false, latencyMs: 87, statusCode: 503, reason: 'http-status' },
    });
    expect(encoded.roster).toEqual(['api-orders', 'api-payments', 'web-shop']);
    expect(encoded.text).toBe('2f~0~dz~6,3uw~0~~0,3f');
  });

  it('keeps 1,000 good checks under 4 bytes each', () => {
    const results = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`monitor-${i}`, { ok: true, latencyMs: 80 + (i % 900), statusCode: 200 }]));
    expect(encodeRunResults(results).text.length).toBeLessThan(4000);
  });

  it('refuses results that do not match the roster', () => {
    expect(() => decodeRunResults(['a', 'b'], '2f')).toThrow(RunResultsDecodeError);
    expect(() => decodeRunResults(['a'], 'zz~0~~99')).toThrow(RunResultsDecodeError);
    expect(() => decodeRunResults(['a'], '!!')).toThrow(RunResultsDecodeError);
  });

  it('reads an empty summary', () => {
    expect(decodeRunResults([], '')).toEqual({});
    expect(encodeRunResults({})).toEqual({ roster: [], text: '' });
  });
});

describe('run figures codec', () => {
  const stats = fc.record({
    checks: fc.nat({ max: 100_000 }),
    failedChecks: fc.nat({ max: 100_000 }),
    latency: fc.record({
      count: fc.nat({ max: 100_000 }),
      sumMs: fc.nat({ max: 2_000_000_000 }),
      minMs: fc.nat({ max: 60_000 }),
      maxMs: fc.nat({ max: 60_000 }),
      buckets: fc.array(fc.tuple(fc.nat({ max: 300 }), fc.integer({ min: 1, max: 10_000 }))).map((pairs) => new Map(pairs)),
    }),
  });

  it('reads back what it wrote, for any figures', () => {
    fc.assert(
      fc.property(stats, (figures) => {
        expect(decodeRunStats(encodeRunStats(figures))).toEqual(figures);
      }),
    );
  });

  it('writes an hour of minute checks in a few dozen characters', () => {
    const text = encodeRunStats({
      checks: 60,
      failedChecks: 1,
      latency: { count: 59, sumMs: 7080, minMs: 98, maxMs: 160, buckets: new Map([[95, 30], [96, 20], [104, 9]]) },
    });
    expect(text).toBe('1o.1.1n.5go.2q.4g.@2n:u;k;;;;;;;;9');
  });

  it('writes a day of minute checks in about half the characters of bucket:count pairs', () => {
    // 1,440 checks spread over 35 buckets, 80 to 440 ms, as a day of a real service's times.
    const buckets = new Map(Array.from({ length: 35 }, (_, index) => [90 + index, 20 + ((index * 37) % 60)] as [number, number]));
    const figures = { checks: 1440, failedChecks: 3, latency: { count: 1437, sumMs: 200_000, minMs: 80, maxMs: 440, buckets } };
    const text = encodeRunStats(figures);
    const pairs = [...buckets].map(([bucket, count]) => `${bucket.toString(36)}:${count.toString(36)}`).join(';');
    expect(text.length).toBeLessThan(pairs.length * 0.6);
    expect(decodeRunStats(text)).toEqual(figures);
  });

  it('still reads figures written as bucket:count pairs', () => {
    expect(decodeRunStats('1o.1.1n.5go.2q.4g.2n:u;2o:k;2w:9')).toEqual({
      checks: 60,
      failedChecks: 1,
      latency: { count: 59, sumMs: 7080, minMs: 98, maxMs: 160, buckets: new Map([[95, 30], [96, 20], [104, 9]]) },
    });
  });

  it('refuses what it did not write', () => {
    expect(() => decodeRunStats('1o.1.1n')).toThrow(RunResultsDecodeError);
    expect(() => decodeRunStats('1o.1.1n.5go.2q.4g.2n-u')).toThrow(RunResultsDecodeError);
    expect(() => decodeRunStats('1o.1.1n.5go.2q.4g.@:u')).toThrow(RunResultsDecodeError);
    expect(() => decodeRunStats('1o.1.1n.5go.2q.4g.@2n:u;k-;9')).toThrow(RunResultsDecodeError);
    expect(() => encodeRunStats({ checks: -1, failedChecks: 0, latency: { count: 0, sumMs: 0, minMs: 0, maxMs: 0, buckets: new Map() } })).toThrow(RangeError);
  });
});
