import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { DEFAULT_USER_AGENT, HttpProber } from '../../lib/adapters/http-prober';
import { deadlineIn } from '../../lib/app/deadline';
import { evaluateResult } from '../../lib/domain/evaluate';
import type { MonitorConfig, ProbeOutcome } from '../../lib/domain/types';
import { freePort } from '../../tools/local/free-port';
import { defaultMonitor } from '../fixtures/monitor-config';
import { startOnLoopback, type LoopbackServer } from '../support/http-answers';

const CHECKED_AT = '2024-05-01T12:00:00.000Z';
const FIVE_MB = 5 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'a');

/** What the `/endless` route saw: how much it wrote before the client hung up. */
interface EndlessStats {
  bytesWritten: number;
  closedByClient: Promise<void>;
}

let target: LoopbackServer;
let baseUrl: string;
const endless: EndlessStats[] = [];

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  res.writeHead(statusCode, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Writes 64 KiB chunks, respecting back-pressure, until `total` bytes or until the client leaves. */
function streamChunks(res: ServerResponse, total: number, stats?: { bytesWritten: number }): void {
  let written = 0;
  const writeMore = (): void => {
    while (written < total && !res.destroyed) {
      const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, total - written));
      written += chunk.length;
      if (stats) stats.bytesWritten = written;
      if (!res.write(chunk)) {
        res.once('drain', writeMore);
        return;
      }
    }
    if (written >= total) res.end();
  };
  writeMore();
}

function route(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  switch (path) {
    case '/ok':
      return sendJson(res, 200, { status: 'OK' });
    case '/error':
      return sendJson(res, 500, { status: 'ERROR' });
    case '/degraded':
      return sendJson(res, 200, { status: 'DEGRADED', components: [{ name: 'db', status: 'down' }] });
    case '/invalid-json':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status": OK');
      return;
    case '/echo':
      return sendJson(res, 200, { method: req.method, headers: req.headers });
    case '/no-content':
      res.writeHead(204);
      res.end();
      return;
    case '/hang':
      // Never answers; the socket is destroyed in afterAll.
      return;
    case '/hang-body':
      // Headers now, then a body that never ends.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      return;
    case '/slow':
      setTimeout(() => sendJson(res, 200, { status: 'OK' }), 400);
      return;
    case '/large':
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(FIVE_MB) });
      return streamChunks(res, FIVE_MB);
    case '/endless': {
      // Up to 1 GiB, so the test ends even if the prober read everything (and then fails).
      const stats: EndlessStats = {
        bytesWritten: 0,
        closedByClient: new Promise((resolve) => res.once('close', () => resolve())),
      };
      endless.push(stats);
      res.writeHead(200, { 'content-type': 'text/plain' });
      return streamChunks(res, 1024 * 1024 * 1024, stats);
    }
    case '/utf8':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('héllo wörld ✓ 🚀');
      return;
    case '/reset-mid-body':
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
      res.write('x'.repeat(1000));
      setTimeout(() => req.socket.destroy(), 50);
      return;
    case '/loop':
      res.writeHead(302, { location: '/loop' });
      res.end();
      return;
    case '/redirect':
      res.writeHead(302, { location: '/ok' });
      res.end();
      return;
    case '/see-other':
      res.writeHead(303, { location: '/echo' });
      res.end();
      return;
    case '/elsewhere':
      // The same server under another origin (localhost instead of 127.0.0.1).
      res.writeHead(307, { location: `http://localhost:${(req.socket.localPort as number).toString()}/echo` });
      res.end();
      return;
    case '/gzip':
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ status: 'OK', encoding: req.headers['accept-encoding'] })));
      return;
    case '/br':
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' });
      res.end(brotliCompressSync('{"status":"OK"}'));
      return;
    default:
      res.writeHead(404);
      res.end();
  }
}

function monitorFor(url: string, overrides: Partial<MonitorConfig> = {}): MonitorConfig {
  return defaultMonitor('test', url, { name: 'Test', ...overrides });
}

function asResponse(outcome: ProbeOutcome): Extract<ProbeOutcome, { kind: 'response' }> {
  if (outcome.kind !== 'response') {
    throw new Error(`expected a response, got ${outcome.reason}: ${outcome.message}`);
  }
  return outcome;
}

function asError(outcome: ProbeOutcome): Extract<ProbeOutcome, { kind: 'error' }> {
  if (outcome.kind !== 'error') {
    throw new Error(`expected an error, got HTTP ${outcome.statusCode}`);
  }
  return outcome;
}

beforeAll(async () => {
  target = await startOnLoopback(createServer(route));
  baseUrl = target.baseUrl;
});

afterAll(async () => {
  await target.close();
});

describe('HttpProber against real HTTP servers on 127.0.0.1', () => {
  const prober = new HttpProber();

  it('reads a 200 with its body, content type and latency, and it evaluates as a success', async () => {
    const monitor = monitorFor(`${baseUrl}/ok`, { expect: { status: [200], json: { status: 'OK' } } });
    const outcome = asResponse(await prober.probe(monitor));
    expect(outcome).toMatchObject({
      statusCode: 200,
      contentType: 'application/json',
      body: '{"status":"OK"}',
      bodyTruncated: false,
    });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
    expect(outcome.latencyMs).toBeLessThan(5000);
    const result = evaluateResult(monitor.expect, outcome, CHECKED_AT);
    expect(result).toEqual({ ok: true, checkedAt: CHECKED_AT, latencyMs: outcome.latencyMs, statusCode: 200 });
  });

  it('a 500 is a response, and evaluates as http-status', async () => {
    const monitor = monitorFor(`${baseUrl}/error`);
    const outcome = asResponse(await prober.probe(monitor));
    expect(outcome.statusCode).toBe(500);
    const result = evaluateResult(monitor.expect, outcome, CHECKED_AT);
    expect(result).toMatchObject({ ok: false, reason: 'http-status', statusCode: 500, message: 'expected 200, got 500' });
  });

  it('a 200 whose JSON status is not OK evaluates as body-mismatch', async () => {
    const monitor = monitorFor(`${baseUrl}/degraded`, {
      expect: { status: [200], json: { status: 'OK', 'components.0.status': 'up' } },
    });
    const result = evaluateResult(monitor.expect, await prober.probe(monitor), CHECKED_AT);
    expect(result).toMatchObject({
      ok: false,
      reason: 'body-mismatch',
      statusCode: 200,
      message: 'status: expected "OK", got "DEGRADED"',
    });
  });

  it('invalid JSON evaluates as invalid-json', async () => {
    const monitor = monitorFor(`${baseUrl}/invalid-json`, { expect: { status: [200], json: { status: 'OK' } } });
    const result = evaluateResult(monitor.expect, await prober.probe(monitor), CHECKED_AT);
    expect(result).toMatchObject({ ok: false, reason: 'invalid-json', statusCode: 200 });
  });

  it('sends the method, the monitor headers and a default User-Agent', async () => {
    const monitor = monitorFor(`${baseUrl}/echo`, { method: 'POST', headers: { 'X-Probe': 'yes' } });
    const outcome = asResponse(await prober.probe(monitor));
    const echoed = JSON.parse(outcome.body) as { method: string; headers: Record<string, string> };
    expect(echoed.method).toBe('POST');
    expect(echoed.headers['x-probe']).toBe('yes');
    expect(echoed.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
  });

  it('keeps a User-Agent the monitor sets', async () => {
    const monitor = monitorFor(`${baseUrl}/echo`, { headers: { 'user-agent': 'my-agent/2' } });
    const echoed = JSON.parse(asResponse(await prober.probe(monitor)).body) as { headers: Record<string, string> };
    expect(echoed.headers['user-agent']).toBe('my-agent/2');
  });

  it('reads a 204 with no body', async () => {
    const outcome = asResponse(await prober.probe(monitorFor(`${baseUrl}/no-content`)));
    expect(outcome).toMatchObject({ statusCode: 204, body: '', bodyTruncated: false });
  });

  it('decodes the body as UTF-8', async () => {
    const outcome = asResponse(await prober.probe(monitorFor(`${baseUrl}/utf8`)));
    expect(outcome.body).toBe('héllo wörld ✓ 🚀');
    expect(outcome.contentType).toBe('text/plain; charset=utf-8');
  });

  it('cuts the body at the cap without splitting a UTF-8 character', async () => {
    // 'héllo' is h(1) é(2) l l o: a cap of 2 bytes falls inside 'é'.
    const outcome = asResponse(await new HttpProber({ maxBodyBytes: 2 }).probe(monitorFor(`${baseUrl}/utf8`)));
    expect(outcome.body).toBe('h');
    expect(outcome.bodyTruncated).toBe(true);
  });

  it('follows a redirect', async () => {
    const outcome = asResponse(await prober.probe(monitorFor(`${baseUrl}/redirect`)));
    expect(outcome).toMatchObject({ statusCode: 200, body: '{"status":"OK"}' });
  });

  it('turns a POST into a GET after a 303, as browsers and fetch do', async () => {
    const outcome = asResponse(await prober.probe(monitorFor(`${baseUrl}/see-other`, { method: 'POST' })));
    expect((JSON.parse(outcome.body) as { method: string }).method).toBe('GET');
  });

  it('keeps the method after a 307, and does not send credentials to another origin', async () => {
    const monitor = monitorFor(`${baseUrl}/elsewhere`, { method: 'PUT', headers: { Authorization: 'Bearer secret', 'X-Probe': 'yes' } });
    const echoed = JSON.parse(asResponse(await prober.probe(monitor)).body) as { method: string; headers: Record<string, string> };
    expect(echoed.method).toBe('PUT');
    expect(echoed.headers['x-probe']).toBe('yes');
    expect(echoed.headers.authorization).toBeUndefined();
  });

  it('sends credentials on a redirect within the same origin', async () => {
    const monitor = monitorFor(`${baseUrl}/see-other`, { headers: { Authorization: 'Bearer secret' } });
    const echoed = JSON.parse(asResponse(await prober.probe(monitor)).body) as { headers: Record<string, string> };
    expect(echoed.headers.authorization).toBe('Bearer secret');
  });

  it('asks for compression and reads gzip and brotli bodies decompressed', async () => {
    const gzip = asResponse(await prober.probe(monitorFor(`${baseUrl}/gzip`)));
    expect(JSON.parse(gzip.body)).toEqual({ status: 'OK', encoding: 'gzip, deflate, br' });
    const br = asResponse(await prober.probe(monitorFor(`${baseUrl}/br`)));
    expect(br.body).toBe('{"status":"OK"}');
  });

  it('a handler that never answers is a timeout, within a bounded time', async () => {
    const started = performance.now();
    const outcome = asError(await prober.probe(monitorFor(`${baseUrl}/hang`, { timeoutMs: 300 })));
    const wallMs = performance.now() - started;
    expect(outcome.reason).toBe('timeout');
    expect(outcome.message).toBe('no answer within 300 ms');
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(250);
    expect(wallMs).toBeLessThan(3000);
  });

  it('the timeout also covers a body that never ends', async () => {
    const started = performance.now();
    const outcome = asError(await prober.probe(monitorFor(`${baseUrl}/hang-body`, { timeoutMs: 300 })));
    expect(outcome.reason).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('a caller signal cancels the probe', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const outcome = asError(await prober.probe(monitorFor(`${baseUrl}/hang`, { timeoutMs: 10_000 }), controller.signal));
    expect(outcome.reason).toBe('timeout');
    expect(outcome.message).toMatch(/cancelled/);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('many checks in flight share a run\'s signal, and leave no listener behind', async () => {
    const signal = deadlineIn(60_000).signalBefore(0);
    const pending = Promise.all(Array.from({ length: 40 }, () => prober.probe(monitorFor(`${baseUrl}/slow`), signal)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(getEventListeners(signal, 'abort')).toHaveLength(40);
    const outcomes = await pending;
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(Array(40).fill('response'));
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('a refused port is connection-refused', async () => {
    const port = await freePort();
    const outcome = asError(await prober.probe(monitorFor(`http://127.0.0.1:${port}/`)));
    expect(outcome.reason).toBe('connection-refused');
    expect(outcome.message).toContain('ECONNREFUSED');
  });

  it('a 5 MB body is cut at the cap', async () => {
    const maxBodyBytes = 64 * 1024;
    const outcome = asResponse(await new HttpProber({ maxBodyBytes }).probe(monitorFor(`${baseUrl}/large`)));
    expect(outcome.statusCode).toBe(200);
    expect(outcome.bodyTruncated).toBe(true);
    expect(outcome.body).toHaveLength(maxBodyBytes);
    expect(outcome.body).toMatch(/^a+$/);
  });

  it('stops reading an endless body at the cap and hangs up (memory stays bounded)', async () => {
    const outcome = asResponse(await new HttpProber({ maxBodyBytes: 1024 }).probe(monitorFor(`${baseUrl}/endless`)));
    expect(outcome.bodyTruncated).toBe(true);
    expect(outcome.body).toHaveLength(1024);
    const stats = endless.at(-1);
    expect(stats).toBeDefined();
    // The prober cancels the stream, so the server sees the connection close long before 1 GiB.
    await stats?.closedByClient;
    expect(stats?.bytesWritten).toBeLessThan(64 * 1024 * 1024);
  });

  it('a slow answer past maxResponseTime evaluates as too-slow', async () => {
    const monitor = monitorFor(`${baseUrl}/slow`, { expect: { status: [200], maxResponseTimeMs: 100 } });
    const outcome = asResponse(await prober.probe(monitor));
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(350);
    const result = evaluateResult(monitor.expect, outcome, CHECKED_AT);
    expect(result).toMatchObject({ ok: false, reason: 'too-slow', statusCode: 200 });
  });

  it('a socket destroyed mid-body is a failure', async () => {
    const outcome = asError(await prober.probe(monitorFor(`${baseUrl}/reset-mid-body`)));
    expect(['connection-reset', 'network']).toContain(outcome.reason);
  });

  it('a redirect loop is a network failure that says so', async () => {
    const outcome = asError(await prober.probe(monitorFor(`${baseUrl}/loop`)));
    expect(outcome.reason).toBe('network');
    expect(outcome.message).toMatch(/redirect/);
  });

  it('speaking TLS to a plain HTTP port is a tls failure', async () => {
    const outcome = asError(await prober.probe(monitorFor(`${baseUrl.replace('http:', 'https:')}/ok`)));
    expect(outcome.reason).toBe('tls');
    expect(outcome.message).toMatch(/^TLS error ERR_SSL_\w+: /);
    expect(outcome.message).not.toContain('openssl/');
  });

  it('an unresolvable host is a dns failure', async () => {
    // `.invalid` is reserved (RFC 6761) and never resolves; on this machine (no DNS to the internet)
    // the lookup fails in milliseconds, so no traffic leaves 127.0.0.1 to any target. The timeout is
    // a safety net so a resolver that hangs shows up as a failed assertion, not a stuck run.
    const outcome = asError(await prober.probe(monitorFor('http://does-not-exist.invalid/', { timeoutMs: 5000 })));
    expect(outcome.reason).toBe('dns');
    expect(outcome.message).toContain('does-not-exist.invalid');
  });

  it('an invalid URL is a network failure, not a throw', async () => {
    const outcome = asError(await prober.probe(monitorFor('not a url')));
    expect(outcome.reason).toBe('network');
  });

  it('measures latency with the injected clock', async () => {
    const ticks = [1000, 1250];
    const clock = jest.fn(() => ticks.shift() ?? 9999);
    const outcome = asResponse(await new HttpProber({ monotonicNowMs: clock }).probe(monitorFor(`${baseUrl}/ok`)));
    expect(outcome.latencyMs).toBe(250);
    expect(clock).toHaveBeenCalledTimes(2);
  });
});
