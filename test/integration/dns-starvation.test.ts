import { lookup } from 'node:dns';
import { describeChecks, holdThreadPool, measureDnsStarvation, threadPoolSize } from '../../tools/bench/dns-starvation';

/**
 * Hanging DNS lookups of some monitors must not fail the others. A real DNS server on 127.0.0.1
 * never answers `hang-N.test` and answers `ok-N.test` with 127.0.0.1; a real HTTP server answers
 * the healthy checks. libuv's thread pool is held for the whole measurement, as hanging getaddrinfo
 * calls hold it (tools/bench/dns-starvation.ts says how), so the c-ares path is shown not to use it.
 */
jest.setTimeout(30_000);

/** A monitor's default timeout. */
const TIMEOUT_MS = 5000;
/**
 * "Well inside the timeout" for a healthy check: the checks take about 50-300 ms on an idle
 * machine; the margin is for a machine busy with other test workers (over 1 s was seen at a load
 * of 13 on 2 cores).
 */
const HEALTHY_WITHIN_MS = 2000;

describe('DNS starvation', () => {
  it('holding the thread pool holds dns.lookup: the way the measurement blocks the pool works', async () => {
    const release = holdThreadPool(threadPoolSize());
    let answered = false;
    const lookedUp = new Promise<void>((resolve) => lookup('localhost', () => resolve())).then(() => {
      answered = true;
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBe(false);
    } finally {
      await release();
    }
    await lookedUp;
    expect(answered).toBe(true);
  });

  it('64 hanging lookups leave 20 healthy checks passing well inside their timeout; with getaddrinfo none passes', async () => {
    const figures = await measureDnsStarvation({ healthy: 20, hanging: 64, timeoutMs: TIMEOUT_MS });
    console.log(
      [
        `dns starvation (${figures.poolThreads} pool threads held, timeout ${TIMEOUT_MS} ms):`,
        `  before, dns.lookup: healthy ${describeChecks(figures.before)}`,
        `  after, c-ares: healthy ${describeChecks(figures.after.healthy)}; hanging ${describeChecks(figures.after.hanging)}`,
      ].join('\n'),
    );

    // Before: every healthy check waits for a pool thread until its timeout, a false outage.
    expect(figures.before).toHaveLength(20);
    expect(figures.before.filter((check) => check.ok)).toHaveLength(0);
    expect(new Set(figures.before.map((check) => check.reason))).toEqual(new Set(['timeout']));

    // After: each healthy check passes in well under its timeout.
    expect(figures.after.healthy).toHaveLength(20);
    for (const check of figures.after.healthy) {
      expect(check).toMatchObject({ ok: true });
      expect(check.latencyMs).toBeLessThan(HEALTHY_WITHIN_MS);
    }
    // ... and each hanging one fails as dns or timeout, within its timeout (and a little).
    expect(figures.after.hanging).toHaveLength(64);
    for (const check of figures.after.hanging) {
      expect(check.ok).toBe(false);
      expect(['dns', 'timeout']).toContain(check.reason);
      expect(check.latencyMs).toBeLessThan(TIMEOUT_MS + 500);
    }
  });
});
