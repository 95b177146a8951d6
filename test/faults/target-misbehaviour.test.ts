import { buildProbeTarget } from '../../lib/app/probe-targets';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { generate } from 'selfsigned';
import { DEFAULT_MAX_BODY_BYTES, HttpProber } from '../../lib/adapters/http-prober';
import { evaluateResult } from '../../lib/domain/evaluate';
import type { CheckResult, MonitorConfig } from '../../lib/domain/types';
import { freePort } from '../../tools/local/free-port';
import { defaultMonitor } from '../fixtures/monitor-config';
import { answerInvalidJson, answerOk, listenOnLoopback } from '../support/http-answers';

/**
 * Every way a target can misbehave, each served for real on 127.0.0.1 (the `.invalid` host never
 * resolves): each must end as a classified failure within the monitor's timeout, reading no more
 * than the body cap.
 */
jest.setTimeout(20_000);

const FIFTY_MB = 50 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** What the 50 MB route wrote before the prober hung up. */
const fiftyMb = { written: 0, closed: Promise.resolve() };
const servers: Array<Server | TcpServer> = [];
const sockets = new Set<Socket>();
const outcomes: Array<{ name: string; reason: string; message: string; ms: number }> = [];
let http: string;
let https: string;
let silentTcp: string;
let notHttp: string;

function track(server: Server | TcpServer): void {
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
}

async function listen(server: Server | TcpServer): Promise<number> {
  track(server);
  return listenOnLoopback(server);
}

function misbehave(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  switch (path) {
    case '/no-answer':
      return;
    case '/drip-body': {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => response.write('{'), 1000);
      response.once('close', () => clearInterval(timer));
      return;
    }
    case '/drip-headers': {
      const head = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"status":"OK"}';
      let sent = 0;
      const timer = setInterval(() => (sent < head.length ? request.socket.write(head[sent++] ?? '') : clearInterval(timer)), 1000);
      request.socket.once('close', () => clearInterval(timer));
      return;
    }
    case '/fifty-mb': {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(FIFTY_MB) });
      fiftyMb.written = 0;
      fiftyMb.closed = new Promise((resolve) => response.once('close', () => resolve()));
      const writeMore = (): void => {
        while (fiftyMb.written < FIFTY_MB && !response.destroyed) {
          fiftyMb.written += CHUNK.length;
          if (!response.write(CHUNK)) {
            response.once('drain', writeMore);
            return;
          }
        }
        if (fiftyMb.written >= FIFTY_MB) response.end();
      };
      writeMore();
      return;
    }
    case '/loop':
      response.writeHead(302, { location: '/loop' }).end();
      return;
    case '/invalid-json':
      return answerInvalidJson(response);
    case '/html-page':
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><body><h1>Please sign in</h1></body></html>');
      return;
    case '/reset-mid-body':
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
      response.write('{"status":"OK","padding":"' + 'x'.repeat(1000));
      setTimeout(() => request.socket.destroy(), 20);
      return;
    case '/reset-at-once':
      request.socket.destroy();
      return;
    case '/huge-header':
      response.writeHead(200, { 'content-type': 'application/json', 'x-filler': 'y'.repeat(128 * 1024) }).end('{"status":"OK"}');
      return;
    case '/ok':
      return answerOk(response);
    default:
      response.writeHead(404).end();
  }
}

beforeAll(async () => {
  http = `http://127.0.0.1:${await listen(createHttpServer(misbehave))}`;
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048, algorithm: 'sha256' });
  https = `https://127.0.0.1:${await listen(createHttpsServer({ key: pems.private, cert: pems.cert }, misbehave))}`;
  // Accepts the connection and never says a word.
  silentTcp = `http://127.0.0.1:${await listen(createTcpServer(() => undefined))}`;
  // Speaks another protocol.
  notHttp = `http://127.0.0.1:${await listen(createTcpServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n')))}`;
});

afterAll(async () => {
  const width = Math.max(...outcomes.map((outcome) => outcome.name.length));
  console.log(
    ['target misbehaviour matrix:', ...outcomes.map((o) => `  ${o.name.padEnd(width)}  ${o.reason.padEnd(18)} ${String(o.ms).padStart(5)} ms  ${o.message}`)].join('\n'),
  );
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

function monitorFor(url: string, overrides: Partial<MonitorConfig> = {}): MonitorConfig {
  return defaultMonitor('target', url, { name: 'Target', timeoutMs: 1_500, expect: { status: [200], json: { status: 'OK' } }, ...overrides });
}

/** Probes and evaluates one target, as the probe cycle does, and records the row of the matrix. */
async function check(name: string, monitor: MonitorConfig): Promise<{ result: CheckResult; ms: number }> {
  const started = performance.now();
  const outcome = await new HttpProber().probe(buildProbeTarget(monitor));
  const ms = Math.round(performance.now() - started);
  const result = evaluateResult(monitor.expect, outcome, '2024-05-01T12:00:00.000Z');
  outcomes.push({ name, reason: result.ok ? 'ok' : (result.reason ?? '?'), message: result.message ?? '', ms });
  return { result, ms };
}

describe('each misbehaviour is a classified failure within the timeout', () => {
  it.each([
    { name: 'no answer at all (HTTP server never responds)', path: `/no-answer`, reason: 'timeout', message: /^no answer within 1500 ms$/ },
    { name: 'a body that drips one byte a second', path: `/drip-body`, reason: 'timeout', message: /^no answer within 1500 ms$/ },
    { name: 'headers that drip one byte a second', path: `/drip-headers`, reason: 'timeout', message: /^no answer within 1500 ms$/ },
    { name: 'a redirect loop', path: `/loop`, reason: 'network', message: /too many redirects/ },
    { name: 'invalid JSON', path: `/invalid-json`, reason: 'invalid-json', message: /^body is not valid JSON$/ },
    { name: 'a wrong content type (an HTML sign-in page)', path: `/html-page`, reason: 'invalid-json', message: /content type text\/html/ },
    { name: 'a connection reset mid-body', path: `/reset-mid-body`, reason: 'connection-reset', message: /connection closed early/ },
    { name: 'a connection reset before any answer', path: `/reset-at-once`, reason: 'connection-reset', message: /connection closed early/ },
    { name: 'a 128 KB response header', path: `/huge-header`, reason: 'network', message: /header/i },
  ])('$name: $reason', async ({ name, path, reason, message }) => {
    const { result, ms } = await check(name, monitorFor(`${http}${path}`));
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.message).toMatch(message);
    expect(ms).toBeLessThan(1_500 + 1_000);
  });

  it('a TCP server that never speaks: timeout', async () => {
    const { result, ms } = await check('a TCP server that never speaks', monitorFor(`${silentTcp}/`));
    expect(result).toMatchObject({ ok: false, reason: 'timeout', message: 'no answer within 1500 ms' });
    expect(ms).toBeLessThan(2_500);
  });

  it('a server speaking another protocol: network', async () => {
    const { result, ms } = await check('a server speaking another protocol', monitorFor(`${notHttp}/`));
    expect(result.ok).toBe(false);
    expect(['network', 'connection-reset']).toContain(result.reason);
    expect(ms).toBeLessThan(2_500);
  });

  it('a self-signed TLS certificate (generated for this test): tls', async () => {
    const { result, ms } = await check('TLS with a self-signed certificate', monitorFor(`${https}/ok`));
    expect(result).toMatchObject({ ok: false, reason: 'tls' });
    expect(result.message).toMatch(/^TLS error (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN): /);
    expect(ms).toBeLessThan(2_500);
  });

  it('the same server with a valid answer over plain HTTP succeeds (the TLS failure is the certificate)', async () => {
    const { result } = await check('control: the same answer over plain HTTP', monitorFor(`${http}/ok`));
    expect(result.ok).toBe(true);
  });

  it('an unresolvable host (.invalid): dns', async () => {
    const { result, ms } = await check('an unresolvable host (.invalid)', monitorFor('http://uptime-target.invalid/health'));
    expect(result).toMatchObject({ ok: false, reason: 'dns' });
    expect(result.message).toContain('uptime-target.invalid');
    expect(ms).toBeLessThan(2_500);
  });

  it('a refused connection: connection-refused', async () => {
    const { result } = await check('a refused connection', monitorFor(`http://127.0.0.1:${await freePort()}/`));
    expect(result).toMatchObject({ ok: false, reason: 'connection-refused' });
  });

  it('a 50 MB body: read up to the cap only, then the connection is dropped (bounded memory): invalid-json', async () => {
    const heapBefore = process.memoryUsage();
    const monitor = monitorFor(`${http}/fifty-mb`, { timeoutMs: 5_000 });
    const { result, ms } = await check('a 50 MB body', monitor);
    await fiftyMb.closed;
    const heapAfter = process.memoryUsage();
    const row = outcomes.at(-1);
    if (row) row.message += ` (the server got ${(fiftyMb.written / 1024 / 1024).toFixed(1)} MB out before the prober hung up)`;

    expect(result).toMatchObject({ ok: false, reason: 'invalid-json', message: 'body is not valid JSON (it was truncated at the size cap)' });
    expect(ms).toBeLessThan(5_000);
    // The prober stopped reading at the cap and hung up: the server got rid of a few MB at most
    // (socket buffers), and this process did not hold the 50 MB.
    expect(fiftyMb.written).toBeLessThan(8 * 1024 * 1024);
    expect(heapAfter.heapUsed + heapAfter.arrayBuffers - (heapBefore.heapUsed + heapBefore.arrayBuffers)).toBeLessThan(20 * 1024 * 1024);
    expect(DEFAULT_MAX_BODY_BYTES).toBe(64 * 1024);
  });
});
