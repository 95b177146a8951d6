/**
 * Do healthy checks fail when other checks' DNS lookups hang? Before and after the prober resolved
 * names with c-ares:
 *
 *   npx tsx tools/bench/dns-starvation.ts [--healthy 20 --hanging 64 --timeout 2000]
 *
 * Before: `http.request` resolved with `dns.lookup`, getaddrinfo on libuv's thread pool (4 threads
 * unless UV_THREADPOOL_SIZE says otherwise). getaddrinfo cannot be pointed at a test name server, so
 * the pool's threads are held the way hanging lookups hold them: each blocked in a read(2) of a named
 * pipe that gets no data until the measurement ends. Healthy checks of `localhost` then wait for a
 * thread until their timeout.
 * After: HttpProber, with the pool held the same way, checks `hang-N.test` names that a DNS server on
 * 127.0.0.1 never answers and healthy `ok-N.test` names (127.0.0.1), all at the probe's concurrency.
 *
 * Prints, before and after: healthy checks passed / total and their longest latency. Contacts nothing
 * beyond 127.0.0.1. test/integration/dns-starvation.test.ts asserts the same figures.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, read, rmSync, writeSync } from 'node:fs';
import { Agent, createServer, get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HttpProber } from '../../lib/adapters/http-prober';
import { mapWithConcurrency } from '../../lib/domain/concurrency';
import type { ProbeOutcome } from '../../lib/domain/types';
import { startDnsServer } from '../../test/support/dns-server';
import { answerOk, startOnLoopback } from '../../test/support/http-answers';

/** As the probe runs its checks (PROBE_CONCURRENCY's default). */
export const PROBE_CONCURRENCY = 64;

export interface StarvationOptions {
  healthy: number;
  hanging: number;
  timeoutMs: number;
}

/** One check: whether it passed, how long it took, and why it failed. */
export interface CheckFigure {
  url: string;
  ok: boolean;
  latencyMs: number;
  reason?: string;
}

export interface StarvationFigures {
  /** How many libuv pool threads were held for the measurement. */
  poolThreads: number;
  /** dns.lookup (getaddrinfo) checks of localhost, the pool held. */
  before: CheckFigure[];
  /** HttpProber checks, healthy and hanging names together, the pool held. */
  after: { healthy: CheckFigure[]; hanging: CheckFigure[] };
}

/**
 * Holds `threads` threads of libuv's pool, each in a read of a named pipe without data, as hanging
 * getaddrinfo calls hold them. Answers the function that lets them go (it writes a byte to each pipe).
 */
export function holdThreadPool(threads: number): () => Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pool-hold-'));
  const released: Array<Promise<void>> = [];
  const fds: number[] = [];
  for (let index = 0; index < threads; index += 1) {
    const fifo = path.join(dir, `fifo-${index}`);
    execFileSync('mkfifo', [fifo]);
    // O_RDWR: the open itself does not wait for a writer, and the read never sees end of file.
    const fd = openSync(fifo, constants.O_RDWR);
    fds.push(fd);
    released.push(new Promise((resolve) => read(fd, Buffer.alloc(1), 0, 1, null, () => resolve())));
  }
  return async () => {
    for (const fd of fds) writeSync(fd, 'x');
    await Promise.all(released);
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  };
}

/** The pool's size in this process: UV_THREADPOOL_SIZE, else libuv's 4. */
export function threadPoolSize(): number {
  const configured = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(configured) && configured > 0 ? Math.min(configured, 1024) : 4;
}

/** A GET with Node's default lookup (dns.lookup), as HttpProber made it before c-ares. */
function getWithDnsLookup(url: string, timeoutMs: number, agent: Agent): Promise<CheckFigure> {
  const started = performance.now();
  const figure = (ok: boolean, reason?: string): CheckFigure => ({ url, ok, latencyMs: Math.round(performance.now() - started), ...(reason ? { reason } : {}) });
  return new Promise((resolve) => {
    const request = get(url, { agent, signal: AbortSignal.timeout(timeoutMs) }, (response) => {
      response.resume();
      response.once('end', () => resolve(figure(response.statusCode === 200, response.statusCode === 200 ? undefined : 'http-status')));
    });
    request.once('error', (error: Error) => resolve(figure(false, error.name === 'AbortError' ? 'timeout' : error.message)));
  });
}

function asFigure(url: string, outcome: ProbeOutcome): CheckFigure {
  return outcome.kind === 'response'
    ? { url, ok: outcome.statusCode === 200, latencyMs: outcome.latencyMs, ...(outcome.statusCode === 200 ? {} : { reason: 'http-status' }) }
    : { url, ok: false, latencyMs: outcome.latencyMs, reason: outcome.kind === 'error' ? outcome.reason : outcome.kind };
}

/** The hanging and healthy URLs, healthy ones spread among the hanging so each runs while lookups hang. */
function interleave(healthy: string[], hanging: string[]): string[] {
  const all: string[] = [];
  const every = Math.max(1, Math.floor(hanging.length / Math.max(1, healthy.length)));
  let h = 0;
  for (let index = 0; index < hanging.length; index += 1) {
    all.push(hanging[index] as string);
    if ((index + 1) % every === 0 && h < healthy.length) all.push(healthy[h++] as string);
  }
  return all.concat(healthy.slice(h));
}

/** Runs the before and the after measurement with the thread pool held; stops everything it started. */
export async function measureDnsStarvation(options: StarvationOptions): Promise<StarvationFigures> {
  const dns = await startDnsServer();
  const target = await startOnLoopback(createServer((_request, response) => answerOk(response)));
  const port = new URL(target.baseUrl).port;
  const poolThreads = threadPoolSize();
  const release = holdThreadPool(poolThreads);
  try {
    const agent = new Agent({ keepAlive: false });
    const before = await mapWithConcurrency(
      Array.from({ length: options.healthy }, () => `http://localhost:${port}/ok`),
      PROBE_CONCURRENCY,
      (url) => getWithDnsLookup(url, options.timeoutMs, agent),
    );
    // A lookup gives up before the check's timeout, as the defaults have it (3 s of a 5 s timeout).
    const prober = new HttpProber({ dnsServers: [dns.address], dnsTimeoutMs: Math.round(options.timeoutMs * 0.6) });
    const healthyUrls = Array.from({ length: options.healthy }, (_, index) => `http://ok-${index}.test:${port}/ok`);
    const hangingUrls = Array.from({ length: options.hanging }, (_, index) => `http://hang-${index}.test:${port}/ok`);
    const figures = await mapWithConcurrency(interleave(healthyUrls, hangingUrls), PROBE_CONCURRENCY, async (url) =>
      asFigure(url, await prober.probe({ url, method: 'GET', headers: {}, timeoutMs: options.timeoutMs })),
    ).finally(() => prober.cancelPendingLookups());
    return {
      poolThreads,
      before,
      after: { healthy: figures.filter((f) => f.url.includes('//ok-')), hanging: figures.filter((f) => f.url.includes('//hang-')) },
    };
  } finally {
    await release();
    await target.close();
    await dns.close();
  }
}

/** `passed/total passed, longest latency N ms`. */
export function describeChecks(checks: readonly CheckFigure[]): string {
  const passed = checks.filter((check) => check.ok).length;
  const longest = Math.max(0, ...checks.map((check) => check.latencyMs));
  const reasons = [...new Set(checks.filter((check) => !check.ok).map((check) => check.reason ?? '?'))];
  return `${passed}/${checks.length} passed, longest ${longest} ms${reasons.length > 0 ? ` (failed: ${reasons.join(', ')})` : ''}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { healthy: { type: 'string', default: '20' }, hanging: { type: 'string', default: '64' }, timeout: { type: 'string', default: '2000' } },
  });
  const options = { healthy: Number(values.healthy), hanging: Number(values.hanging), timeoutMs: Number(values.timeout) };
  const figures = await measureDnsStarvation(options);
  console.log(`dns starvation: ${figures.poolThreads} thread-pool threads held, timeout ${options.timeoutMs} ms, concurrency ${PROBE_CONCURRENCY}`);
  console.log(`before (dns.lookup, getaddrinfo): healthy ${describeChecks(figures.before)}`);
  console.log(`after (c-ares, ${options.hanging} hanging lookups alongside): healthy ${describeChecks(figures.after.healthy)}`);
  console.log(`after: hanging ${describeChecks(figures.after.hanging)}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
