import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { TcpProber } from '../../lib/adapters/tcp-prober';
import { buildProbeTarget } from '../../lib/app/probe-targets';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { evaluateResult } from '../../lib/domain/evaluate';
import type { ProbeOutcome, ProbeTarget } from '../../lib/domain/types';
import { startDnsServer, type RunningDnsServer } from '../support/dns-server';

/** TcpProber against real listeners on 127.0.0.1, names resolved by a real DNS server (TEST_ZONE). */
let dns: RunningDnsServer;
let listener: net.Server;
let port: number;

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

beforeAll(async () => {
  dns = await startDnsServer();
  listener = net.createServer((socket) => socket.destroy());
  port = await listen(listener);
});

afterAll(async () => {
  await Promise.all([dns.close(), new Promise((resolve) => listener.close(resolve))]);
});

/** The target of a tcp monitor of monitors.yml, as the probe builds it. */
function tcpTarget(url: string, timeout = '2s'): ProbeTarget {
  const config = parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: db, name: Database, type: tcp, url: "${url}", timeout: ${timeout} }
`,
    'monitors.yml',
  );
  return buildProbeTarget(config.monitors[0] as NonNullable<(typeof config.monitors)[0]>);
}

function asError(outcome: ProbeOutcome): Extract<ProbeOutcome, { kind: 'error' }> {
  if (outcome.kind !== 'error') throw new Error(`expected an error, got ${outcome.kind}`);
  return outcome;
}

const prober = new TcpProber();

describe('TcpProber', () => {
  let resolving: TcpProber;
  beforeAll(() => {
    resolving = new TcpProber({ dns: { servers: [dns.address], timeoutMs: 600 } });
  });

  it('counts a connection made as a success, whatever the HTTP expectations say, with its latency', async () => {
    const accepted = new Promise<void>((resolve) => listener.once('connection', () => resolve()));
    const outcome = await prober.probe(tcpTarget(`tcp://127.0.0.1:${port}`));
    expect(outcome).toEqual({ kind: 'connected', latencyMs: expect.any(Number) as number });
    await accepted;
    const result = evaluateResult({ status: [200] }, outcome, '2026-05-04T10:00:00.000Z');
    expect(result).toEqual({ ok: true, checkedAt: '2026-05-04T10:00:00.000Z', latencyMs: outcome.latencyMs });
  });

  it('resolves a name as the HTTP prober does (c-ares, the given name servers; localhost as loopback)', async () => {
    expect(await resolving.probe(tcpTarget(`tcp://ok-1.test:${port}`))).toMatchObject({ kind: 'connected' });
    expect(await resolving.probe(tcpTarget(`tcp://localhost:${port}`))).toMatchObject({ kind: 'connected' });
  });

  it('fails a closed port as connection-refused', async () => {
    const closed = net.createServer();
    const closedPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const outcome = asError(await prober.probe(tcpTarget(`tcp://127.0.0.1:${closedPort}`)));
    expect(outcome.reason).toBe('connection-refused');
    expect(outcome.message).toContain(`127.0.0.1:${closedPort}`);
  });

  it('fails a name that does not exist as dns', async () => {
    const outcome = asError(await resolving.probe(tcpTarget(`tcp://missing.test:${port}`)));
    expect(outcome).toMatchObject({ reason: 'dns', message: 'DNS lookup failed for missing.test (ENOTFOUND)' });
  });

  it('refuses loopback and private addresses, literal or resolved, when they are blocked', async () => {
    const blocking = new TcpProber({ blockPrivateAddresses: true, dns: { servers: [dns.address] } });
    const connections: net.Socket[] = [];
    const onConnection = (socket: net.Socket) => connections.push(socket);
    listener.on('connection', onConnection);
    try {
      expect(asError(await blocking.probe(tcpTarget(`tcp://127.0.0.1:${port}`)))).toMatchObject({ reason: 'blocked-address', message: '127.0.0.1 is a loopback address, blocked' });
      expect(asError(await blocking.probe(tcpTarget(`tcp://ok-1.test:${port}`)))).toMatchObject({ reason: 'blocked-address', message: 'ok-1.test resolves to 127.0.0.1, a loopback address, blocked' });
      expect(asError(await blocking.probe(tcpTarget('tcp://private-7.test:5432')))).toMatchObject({ reason: 'blocked-address' });
    } finally {
      listener.off('connection', onConnection);
    }
    expect(connections).toHaveLength(0);
  });

  describe('against a listener that never accepts', () => {
    // A listener in another process whose event loop is blocked right after listen() with a
    // backlog of 1: Linux completes handshakes into the accept queue until it is full, then drops
    // every SYN, so a connection neither succeeds nor is refused: the monitor's timeout ends it.
    let child: ChildProcess;
    let fullPort: number;
    const fillers: net.Socket[] = [];

    beforeAll(async () => {
      const code = `const net = require('node:net');
const server = net.createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});`;
      child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      fullPort = await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.stdout?.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
      });
      // Fill the accept queue: connect until a connection is neither made nor refused in 250 ms.
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const socket = net.connect({ host: '127.0.0.1', port: fullPort });
        fillers.push(socket);
        socket.on('error', () => undefined);
        const made = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 250);
          socket.once('connect', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (!made) return;
      }
      throw new Error('the accept queue never filled');
    });

    afterAll(async () => {
      for (const socket of fillers) socket.destroy();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    });

    it('fails as timeout after the monitor timeout', async () => {
      const started = performance.now();
      const outcome = asError(await prober.probe(tcpTarget(`tcp://127.0.0.1:${fullPort}`, '400ms')));
      expect(outcome).toMatchObject({ reason: 'timeout', message: 'no connection within 400 ms' });
      expect(outcome.latencyMs).toBeGreaterThanOrEqual(390);
      expect(performance.now() - started).toBeLessThan(1500);
    });

    it('fails as timeout when the run cancels the probe', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const outcome = asError(await prober.probe(tcpTarget(`tcp://127.0.0.1:${fullPort}`, '5s'), controller.signal));
      expect(outcome).toMatchObject({ reason: 'timeout', message: 'probe cancelled before a connection (the run ran out of time)' });
    });
  });
});
