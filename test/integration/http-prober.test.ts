import { execFile } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { generate } from 'selfsigned';
import { DEFAULT_USER_AGENT, HttpProber } from '../../lib/adapters/http-prober';
import { deadlineIn } from '../../lib/app/deadline';
import { evaluateResult } from '../../lib/domain/evaluate';
import type { Expectations, ProbeOutcome, ProbeTarget } from '../../lib/domain/types';
import { freePort } from '../../tools/local/free-port';
import { startDnsServer, type RunningDnsServer } from '../support/dns-server';
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
/** `<local address> <path and query>` of every request the servers received. */
const received: string[] = [];

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
  received.push(`${req.socket.localAddress ?? '?'} ${req.url ?? ''}`);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  switch (url.pathname) {
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
    case '/to':
      // Redirects wherever `location` says.
      res.writeHead(302, { location: url.searchParams.get('location') ?? '/' });
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

/** What a check requests, with the expectations its answer is evaluated against (a monitor's defaults). */
type TestTarget = ProbeTarget & { expect: Expectations };

function targetFor(url: string, overrides: Partial<TestTarget> = {}): TestTarget {
  return { url, method: 'GET', headers: {}, timeoutMs: 5000, expect: { status: [200] }, ...overrides };
}

function asResponse(outcome: ProbeOutcome): Extract<ProbeOutcome, { kind: 'response' }> {
  if (outcome.kind !== 'response') {
    throw new Error(`expected a response, got ${outcome.kind === 'error' ? `${outcome.reason}: ${outcome.message}` : outcome.kind}`);
  }
  return outcome;
}

function asError(outcome: ProbeOutcome): Extract<ProbeOutcome, { kind: 'error' }> {
  if (outcome.kind !== 'error') {
    throw new Error(`expected an error, got ${outcome.kind === 'response' ? `HTTP ${outcome.statusCode}` : outcome.kind}`);
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
    const target = targetFor(`${baseUrl}/ok`, { expect: { status: [200], json: { status: 'OK' } } });
    const outcome = asResponse(await prober.probe(target));
    expect(outcome).toMatchObject({
      statusCode: 200,
      contentType: 'application/json',
      body: '{"status":"OK"}',
      bodyTruncated: false,
    });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
    expect(outcome.latencyMs).toBeLessThan(5000);
    const result = evaluateResult(target.expect, outcome, CHECKED_AT);
    expect(result).toEqual({ ok: true, checkedAt: CHECKED_AT, latencyMs: outcome.latencyMs, statusCode: 200 });
  });

  it('a 500 is a response, and evaluates as http-status', async () => {
    const target = targetFor(`${baseUrl}/error`);
    const outcome = asResponse(await prober.probe(target));
    expect(outcome.statusCode).toBe(500);
    const result = evaluateResult(target.expect, outcome, CHECKED_AT);
    expect(result).toMatchObject({ ok: false, reason: 'http-status', statusCode: 500, message: 'expected 200, got 500' });
  });

  it('a 200 whose JSON status is not OK evaluates as body-mismatch', async () => {
    const target = targetFor(`${baseUrl}/degraded`, {
      expect: { status: [200], json: { status: 'OK', 'components.0.status': 'up' } },
    });
    const result = evaluateResult(target.expect, await prober.probe(target), CHECKED_AT);
    expect(result).toMatchObject({
      ok: false,
      reason: 'body-mismatch',
      statusCode: 200,
      message: 'status: expected "OK", got "DEGRADED"',
    });
  });

  it('invalid JSON evaluates as invalid-json', async () => {
    const target = targetFor(`${baseUrl}/invalid-json`, { expect: { status: [200], json: { status: 'OK' } } });
    const result = evaluateResult(target.expect, await prober.probe(target), CHECKED_AT);
    expect(result).toMatchObject({ ok: false, reason: 'invalid-json', statusCode: 200 });
  });

  it('sends the method, the monitor headers and a default User-Agent', async () => {
    const target = targetFor(`${baseUrl}/echo`, { method: 'POST', headers: { 'X-Probe': 'yes' } });
    const outcome = asResponse(await prober.probe(target));
    const echoed = JSON.parse(outcome.body) as { method: string; headers: Record<string, string> };
    expect(echoed.method).toBe('POST');
    expect(echoed.headers['x-probe']).toBe('yes');
    expect(echoed.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
  });

  it('keeps a User-Agent the monitor sets', async () => {
    const target = targetFor(`${baseUrl}/echo`, { headers: { 'user-agent': 'my-agent/2' } });
    const echoed = JSON.parse(asResponse(await prober.probe(target)).body) as { headers: Record<string, string> };
    expect(echoed.headers['user-agent']).toBe('my-agent/2');
  });

  it('reads a 204 with no body', async () => {
    const outcome = asResponse(await prober.probe(targetFor(`${baseUrl}/no-content`)));
    expect(outcome).toMatchObject({ statusCode: 204, body: '', bodyTruncated: false });
  });

  it('decodes the body as UTF-8', async () => {
    const outcome = asResponse(await prober.probe(targetFor(`${baseUrl}/utf8`)));
    expect(outcome.body).toBe('héllo wörld ✓ 🚀');
    expect(outcome.contentType).toBe('text/plain; charset=utf-8');
  });

  it('cuts the body at the cap without splitting a UTF-8 character', async () => {
    // 'héllo' is h(1) é(2) l l o: a cap of 2 bytes falls inside 'é'.
    const outcome = asResponse(await new HttpProber({ maxBodyBytes: 2 }).probe(targetFor(`${baseUrl}/utf8`)));
    expect(outcome.body).toBe('h');
    expect(outcome.bodyTruncated).toBe(true);
  });

  it('follows a redirect', async () => {
    const outcome = asResponse(await prober.probe(targetFor(`${baseUrl}/redirect`)));
    expect(outcome).toMatchObject({ statusCode: 200, body: '{"status":"OK"}' });
  });

  it('turns a POST into a GET after a 303, as browsers and fetch do', async () => {
    const outcome = asResponse(await prober.probe(targetFor(`${baseUrl}/see-other`, { method: 'POST' })));
    expect((JSON.parse(outcome.body) as { method: string }).method).toBe('GET');
  });

  it('keeps the method after a 307, and does not send credentials to another origin', async () => {
    const target = targetFor(`${baseUrl}/elsewhere`, { method: 'PUT', headers: { Authorization: 'Bearer secret' } });
    const echoed = JSON.parse(asResponse(await prober.probe(target)).body) as { method: string; headers: Record<string, string> };
    expect(echoed.method).toBe('PUT');
    expect(echoed.headers.authorization).toBeUndefined();
  });

  it('sends credentials on a redirect within the same origin', async () => {
    const target = targetFor(`${baseUrl}/see-other`, { headers: { Authorization: 'Bearer secret' } });
    const echoed = JSON.parse(asResponse(await prober.probe(target)).body) as { headers: Record<string, string> };
    expect(echoed.headers.authorization).toBe('Bearer secret');
  });

  it('asks for compression and reads gzip and brotli bodies decompressed', async () => {
    const gzip = asResponse(await prober.probe(targetFor(`${baseUrl}/gzip`)));
    expect(JSON.parse(gzip.body)).toEqual({ status: 'OK', encoding: 'gzip, deflate, br' });
    const br = asResponse(await prober.probe(targetFor(`${baseUrl}/br`)));
    expect(br.body).toBe('{"status":"OK"}');
  });

  it('a handler that never answers is a timeout, within a bounded time', async () => {
    const started = performance.now();
    const outcome = asError(await prober.probe(targetFor(`${baseUrl}/hang`, { timeoutMs: 300 })));
    const wallMs = performance.now() - started;
    expect(outcome.reason).toBe('timeout');
    expect(outcome.message).toBe('no answer within 300 ms');
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(250);
    expect(wallMs).toBeLessThan(3000);
  });

  it('the timeout also covers a body that never ends', async () => {
    const started = performance.now();
    const outcome = asError(await prober.probe(targetFor(`${baseUrl}/hang-body`, { timeoutMs: 300 })));
    expect(outcome.reason).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('a caller signal cancels the probe', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const outcome = asError(await prober.probe(targetFor(`${baseUrl}/hang`, { timeoutMs: 10_000 }), controller.signal));
    expect(outcome.reason).toBe('timeout');
    expect(outcome.message).toMatch(/cancelled/);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('many checks in flight share a run\'s signal, and leave no listener behind', async () => {
    const signal = deadlineIn(60_000).signalBefore(0);
    const pending = Promise.all(Array.from({ length: 40 }, () => prober.probe(targetFor(`${baseUrl}/slow`), signal)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(getEventListeners(signal, 'abort')).toHaveLength(40);
    const outcomes = await pending;
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(Array(40).fill('response'));
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('a refused port is connection-refused', async () => {
    const port = await freePort();
    const outcome = asError(await prober.probe(targetFor(`http://127.0.0.1:${port}/`)));
    expect(outcome.reason).toBe('connection-refused');
    expect(outcome.message).toContain('ECONNREFUSED');
  });

  it('a 5 MB body is cut at the cap', async () => {
    const maxBodyBytes = 64 * 1024;
    const outcome = asResponse(await new HttpProber({ maxBodyBytes }).probe(targetFor(`${baseUrl}/large`)));
    expect(outcome.statusCode).toBe(200);
    expect(outcome.bodyTruncated).toBe(true);
    expect(outcome.body).toHaveLength(maxBodyBytes);
    expect(outcome.body).toMatch(/^a+$/);
  });

  it('stops reading an endless body at the cap and hangs up (memory stays bounded)', async () => {
    const outcome = asResponse(await new HttpProber({ maxBodyBytes: 1024 }).probe(targetFor(`${baseUrl}/endless`)));
    expect(outcome.bodyTruncated).toBe(true);
    expect(outcome.body).toHaveLength(1024);
    const stats = endless.at(-1);
    expect(stats).toBeDefined();
    // The prober cancels the stream, so the server sees the connection close long before 1 GiB.
    await stats?.closedByClient;
    expect(stats?.bytesWritten).toBeLessThan(64 * 1024 * 1024);
  });

  it('a slow answer past maxResponseTime evaluates as too-slow', async () => {
    const target = targetFor(`${baseUrl}/slow`, { expect: { status: [200], maxResponseTimeMs: 100 } });
    const outcome = asResponse(await prober.probe(target));
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(350);
    const result = evaluateResult(target.expect, outcome, CHECKED_AT);
    expect(result).toMatchObject({ ok: false, reason: 'too-slow', statusCode: 200 });
  });

  it('a socket destroyed mid-body is a failure', async () => {
    const outcome = asError(await prober.probe(targetFor(`${baseUrl}/reset-mid-body`)));
    expect(['connection-reset', 'network']).toContain(outcome.reason);
  });

  it('a redirect loop is a network failure that says so', async () => {
    const outcome = asError(await prober.probe(targetFor(`${baseUrl}/loop`)));
    expect(outcome.reason).toBe('network');
    expect(outcome.message).toMatch(/redirect/);
  });

  it('speaking TLS to a plain HTTP port is a tls failure', async () => {
    const outcome = asError(await prober.probe(targetFor(`${baseUrl.replace('http:', 'https:')}/ok`)));
    expect(outcome.reason).toBe('tls');
    expect(outcome.message).toMatch(/^TLS error ERR_SSL_\w+: /);
    expect(outcome.message).not.toContain('openssl/');
  });

  it('an unresolvable host is a dns failure', async () => {
    // `.invalid` is reserved (RFC 6761) and never resolves; on this machine (no DNS to the internet)
    // the lookup fails in milliseconds, so no traffic leaves 127.0.0.1 to any target. The timeout is
    // a safety net so a resolver that hangs shows up as a failed assertion, not a stuck run.
    const outcome = asError(await prober.probe(targetFor('http://does-not-exist.invalid/', { timeoutMs: 5000 })));
    expect(outcome.reason).toBe('dns');
    expect(outcome.message).toContain('does-not-exist.invalid');
  });

  it('an invalid URL is a network failure, not a throw', async () => {
    const outcome = asError(await prober.probe(targetFor('not a url')));
    expect(outcome.reason).toBe('network');
  });

  it('measures latency with the injected clock', async () => {
    const ticks = [1000, 1250];
    const clock = jest.fn(() => ticks.shift() ?? 9999);
    const outcome = asResponse(await new HttpProber({ monotonicNowMs: clock }).probe(targetFor(`${baseUrl}/ok`)));
    expect(outcome.latencyMs).toBe(250);
    expect(clock).toHaveBeenCalledTimes(2);
  });
});

/** Headers a monitor may configure, credentials under any name among them. */
const CONFIGURED_HEADERS = {
  Authorization: 'Bearer secret',
  'X-Api-Key': 'key-123',
  'X-Tenant': 'acme',
  Cookie: 'session=abc',
  'User-Agent': 'my-agent/2',
  'Accept-Encoding': 'identity',
};

type Echoed = { method: string; headers: Record<string, string | undefined> };

describe('HttpProber: redirects and configured headers', () => {
  const prober = new HttpProber();

  it('a redirect to another origin carries none of the configured headers, only the default User-Agent and Accept-Encoding', async () => {
    const echoed = JSON.parse(asResponse(await prober.probe(targetFor(`${baseUrl}/elsewhere`, { headers: CONFIGURED_HEADERS }))).body) as Echoed;
    expect(echoed.headers.host).toMatch(/^localhost:/);
    for (const name of ['authorization', 'x-api-key', 'x-tenant', 'cookie']) expect(echoed.headers[name]).toBeUndefined();
    expect(echoed.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(echoed.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('a redirect within the origin keeps every configured header', async () => {
    const echoed = JSON.parse(asResponse(await prober.probe(targetFor(`${baseUrl}/see-other`, { headers: CONFIGURED_HEADERS }))).body) as Echoed;
    expect(echoed.headers).toMatchObject({
      authorization: 'Bearer secret',
      'x-api-key': 'key-123',
      'x-tenant': 'acme',
      cookie: 'session=abc',
      'user-agent': 'my-agent/2',
      'accept-encoding': 'identity',
    });
  });

  it('once a redirect left the origin, coming back to it does not bring the configured headers back', async () => {
    const back = `${baseUrl}/echo`;
    const away = `${baseUrl.replace('127.0.0.1', 'localhost')}/to?location=${encodeURIComponent(back)}`;
    const echoed = JSON.parse(asResponse(await prober.probe(targetFor(`${baseUrl}/to?location=${encodeURIComponent(away)}`, { headers: CONFIGURED_HEADERS }))).body) as Echoed;
    expect(echoed.headers.host).toMatch(/^127\.0\.0\.1:/);
    expect(echoed.headers['x-api-key']).toBeUndefined();
    expect(echoed.headers.authorization).toBeUndefined();
    expect(echoed.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
  });
});

/** Runs HttpProber in a node process that trusts `caFile` (NODE_EXTRA_CA_CERTS is read at start only). */
function probeTrusting(caFile: string, urls: string[]): Promise<ProbeOutcome[]> {
  const script = [
    "const { HttpProber } = require('./lib/adapters/http-prober');",
    'const prober = new HttpProber();',
    "const targets = JSON.parse(process.env.PROBE_URLS).map((url) => ({ url, method: 'GET', headers: { 'X-Api-Key': 'key-123' }, timeoutMs: 5000 }));",
    'Promise.all(targets.map((target) => prober.probe(target))).then((outcomes) => process.stdout.write(JSON.stringify(outcomes)));',
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '-e', script],
      { cwd: path.join(__dirname, '..', '..'), timeout: 20_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, PROBE_URLS: JSON.stringify(urls) } },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as ProbeOutcome[])),
    );
  });
}

describe('HttpProber: a redirect from https to http', () => {
  let tlsServer: Server;
  let tlsUrl: string;
  let caDir: string;

  beforeAll(async () => {
    // CN localhost: selfsigned names localhost and 127.0.0.1 in subjectAltName.
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, algorithm: 'sha256' });
    caDir = mkdtempSync(path.join(tmpdir(), 'probe-ca-'));
    writeFileSync(path.join(caDir, 'ca.pem'), pems.cert);
    tlsServer = createHttpsServer({ key: pems.private, cert: pems.cert }, route);
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    tlsUrl = `https://localhost:${(tlsServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    tlsServer.closeAllConnections();
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    rmSync(caDir, { recursive: true, force: true });
  });

  it('fails as insecure-redirect, naming both origins and no query, and sends nothing over http', async () => {
    const plain = `${baseUrl}/ok?token=downgrade-secret`;
    const secureElsewhere = `${tlsUrl.replace('localhost', '127.0.0.1')}/ok`;
    const [trusted, downgraded, upgraded] = await probeTrusting(path.join(caDir, 'ca.pem'), [
      `${tlsUrl}/ok`,
      `${tlsUrl}/to?location=${encodeURIComponent(plain)}&token=first-secret`,
      `${tlsUrl}/to?location=${encodeURIComponent(secureElsewhere)}`,
    ]);
    // The child trusts the certificate: https itself works, and so does https to https elsewhere.
    expect(trusted).toMatchObject({ kind: 'response', statusCode: 200 });
    expect(upgraded).toMatchObject({ kind: 'response', statusCode: 200 });
    const failure = asError(downgraded as ProbeOutcome);
    expect(failure.reason).toBe('insecure-redirect');
    expect(failure.message).toBe(`redirect from ${tlsUrl} to ${baseUrl} leaves HTTPS`);
    expect(failure.message).not.toContain('secret');
    expect(received.filter((entry) => entry.endsWith(' /ok?token=downgrade-secret'))).toEqual([]);
  });
});

describe('HttpProber: blockPrivateAddresses', () => {
  let dns: RunningDnsServer;
  /** The same routes on 127.0.0.2, let through with allowedAddresses: a first hop that is not blocked. */
  let second: Server;
  let secondUrl: string;
  let port: string;

  beforeAll(async () => {
    dns = await startDnsServer();
    second = createServer(route);
    await new Promise<void>((resolve) => second.listen(0, '127.0.0.2', resolve));
    secondUrl = `http://127.0.0.2:${(second.address() as AddressInfo).port}`;
    port = new URL(baseUrl).port;
  });

  afterAll(async () => {
    second.closeAllConnections();
    await new Promise<void>((resolve) => second.close(() => resolve()));
    await dns.close();
  });

  const blocking = () => new HttpProber({ blockPrivateAddresses: true, allowedAddresses: ['127.0.0.2'], dnsServers: [dns.address] });
  /** Whether a server got a request whose query holds `m=<marker>`. */
  const reached = (marker: string) => received.some((entry) => new URL(entry.split(' ')[1] ?? '/', 'http://x').searchParams.get('m') === marker);

  it.each([
    ['127.0.0.1', 'http://127.0.0.1:PORT/echo?m=literal-v4', '127.0.0.1 is a loopback address, blocked'],
    ['an IPv4-mapped 127.0.0.1', 'http://[::ffff:127.0.0.1]:PORT/echo?m=literal-mapped', '[::ffff:7f00:1] is a loopback address, blocked'],
    ['::1', 'http://[::1]:PORT/echo?m=literal-v6', '[::1] is a loopback address, blocked'],
    ['169.254.169.254', 'http://169.254.169.254/latest/meta-data/?m=literal-metadata', '169.254.169.254 is a link-local address, blocked'],
  ])('refuses a URL with the address %s before sending anything', async (_name, url, message) => {
    const marker = new URL(url.replace('PORT', port)).searchParams.get('m') as string;
    const outcome = asError(await blocking().probe(targetFor(url.replace('PORT', port))));
    expect(outcome).toMatchObject({ reason: 'blocked-address', message });
    expect(reached(marker)).toBe(false);
  });

  it.each([
    ['127.0.0.1', 'ok-1.test', 'ok-1.test resolves to 127.0.0.1, a loopback address, blocked'],
    ['10.0.0.5', 'private-5.test', 'private-5.test resolves to 10.0.0.5, a private address, blocked'],
    ['169.254.169.254', 'metadata.test', 'metadata.test resolves to 169.254.169.254, a link-local address, blocked'],
    ['::1 (AAAA only)', 'v6only.test', 'v6only.test resolves to ::1, a loopback address, blocked'],
    ['loopback (localhost)', 'localhost', 'localhost resolves to 127.0.0.1, a loopback address, blocked'],
  ])('refuses a name that resolves to %s', async (_name, host, message) => {
    const marker = `named-${host}`;
    const outcome = asError(await blocking().probe(targetFor(`http://${host}:${port}/echo?m=${marker}`)));
    expect(outcome).toMatchObject({ reason: 'blocked-address', message });
    expect(reached(marker)).toBe(false);
  });

  it('refuses a redirect to a literal 127.0.0.1, after an allowed first hop', async () => {
    const next = `${baseUrl}/echo?m=redirect-literal`;
    const outcome = asError(await blocking().probe(targetFor(`${secondUrl}/to?location=${encodeURIComponent(next)}`)));
    expect(outcome).toMatchObject({ reason: 'blocked-address', message: '127.0.0.1 is a loopback address, blocked' });
    expect(received).toContain(`127.0.0.2 /to?location=${encodeURIComponent(next)}`);
    expect(reached('redirect-literal')).toBe(false);
  });

  it('refuses a redirect to a name that resolves to 10.x', async () => {
    const next = `http://private-6.test:${port}/echo?m=redirect-named`;
    const outcome = asError(await blocking().probe(targetFor(`${secondUrl}/to?location=${encodeURIComponent(next)}`)));
    expect(outcome).toMatchObject({ reason: 'blocked-address', message: 'private-6.test resolves to 10.0.0.6, a private address, blocked' });
  });

  it('an allowed address is reached, by literal and by its IPv4-mapped form', async () => {
    const prober = blocking();
    expect(asResponse(await prober.probe(targetFor(`${secondUrl}/ok`))).statusCode).toBe(200);
    expect(asResponse(await prober.probe(targetFor(`${secondUrl.replace('127.0.0.2', '[::ffff:127.0.0.2]')}/ok`))).statusCode).toBe(200);
  });

  it('with the option off, the same literals, names and redirects are probed', async () => {
    const prober = new HttpProber({ dnsServers: [dns.address] });
    const urls = [
      `${baseUrl}/ok`,
      `http://ok-1.test:${port}/ok`,
      `http://localhost:${port}/ok`,
      `${secondUrl}/to?location=${encodeURIComponent(`${baseUrl}/ok`)}`,
      `${secondUrl}/to?location=${encodeURIComponent(`http://ok-2.test:${port}/ok`)}`,
    ];
    const outcomes = await Promise.all(urls.map((url) => prober.probe(targetFor(url))));
    expect(outcomes.map((outcome) => asResponse(outcome).statusCode)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('HttpProber: name resolution with c-ares', () => {
  let dns: RunningDnsServer;
  let port: string;

  beforeAll(async () => {
    dns = await startDnsServer();
    port = new URL(baseUrl).port;
  });

  afterAll(async () => {
    await dns.close();
  });

  it('reaches a name the DNS server answers', async () => {
    const outcome = asResponse(await new HttpProber({ dnsServers: [dns.address] }).probe(targetFor(`http://ok-3.test:${port}/ok`)));
    expect(outcome).toMatchObject({ statusCode: 200, body: '{"status":"OK"}' });
  });

  it.each([
    ['does not exist', 'missing.test', 'ENOTFOUND'],
    ['has a failing name server', 'servfail.test', 'ESERVFAIL'],
    ['is refused by its name server', 'refused.test', 'EREFUSED'],
  ])('a name that %s is a dns failure', async (_name, host, code) => {
    const outcome = asError(await new HttpProber({ dnsServers: [dns.address] }).probe(targetFor(`http://${host}:${port}/ok`)));
    expect(outcome).toMatchObject({ reason: 'dns', message: `DNS lookup failed for ${host} (${code})` });
  });

  it('a name server that refuses the connection is a dns failure, not connection-refused', async () => {
    const closedPort = await freePort();
    const outcome = asError(await new HttpProber({ dnsServers: [`127.0.0.1:${closedPort}`], dnsTimeoutMs: 600 }).probe(targetFor(`http://ok-4.test:${port}/ok`)));
    expect(outcome).toMatchObject({ reason: 'dns', message: 'DNS lookup failed for ok-4.test (ECONNREFUSED)' });
  });

  it('a name server that never answers fails the check as dns when the lookup gives up first', async () => {
    const prober = new HttpProber({ dnsServers: [dns.address], dnsTimeoutMs: 300 });
    const outcome = asError(await prober.probe(targetFor(`http://hang-1.test:${port}/ok`, { timeoutMs: 5000 })));
    expect(outcome).toMatchObject({ reason: 'dns', message: 'DNS lookup failed for hang-1.test (ETIMEOUT)' });
    // c-ares rounds its timers up: about 300 ms to 1 s, well before the check's 5 s.
    expect(outcome.latencyMs).toBeLessThan(3000);
  });

  it("... and as timeout, at the check's timeout, when the check gives up first", async () => {
    const prober = new HttpProber({ dnsServers: [dns.address], dnsTimeoutMs: 10_000 });
    const started = performance.now();
    const outcome = asError(await prober.probe(targetFor(`http://hang-2.test:${port}/ok`, { timeoutMs: 300 })));
    prober.cancelPendingLookups();
    expect(outcome).toMatchObject({ reason: 'timeout', message: 'no answer within 300 ms' });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('names the host of the hop whose lookup failed', async () => {
    const prober = new HttpProber({ dnsServers: [dns.address] });
    const outcome = asError(await prober.probe(targetFor(`${baseUrl}/to?location=${encodeURIComponent(`http://missing-hop.test:${port}/ok`)}`)));
    expect(outcome).toMatchObject({ reason: 'dns', message: 'DNS lookup failed for missing-hop.test (ENOTFOUND)' });
  });
});
