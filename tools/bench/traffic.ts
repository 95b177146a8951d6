/**
 * What one check costs on the wire and in CPU, over plain HTTP and over HTTPS, each with a new
 * connection (a monitor's host is seldom checked again within a connection's life), as a probe on
 * the internet makes them. Bytes are counted at the target, as the raw TCP bytes each connection
 * carried: what the probe sent is what AWS bills as data transfer out (TCP/IP headers, about 40
 * bytes a packet, come on top). The client runs in a process of its own, so its CPU is the
 * checks' alone; TLS sessions are resumed after the first check, as a warm Lambda resumes those
 * of the previous minute.
 *
 * The CPU is that of a warm process, as the cost it is added to (the probe scenario's steady runs,
 * measured after a baseline fetch and three runs, median of three): four rounds of the checks
 * first, then the median of three measured rounds. With only a third of a round before (as until
 * Step 12), the measured round still paid for V8 compiling the client's code: 0.69 ms a plain
 * check, more than the 0.47 ms a whole steady probe run took per check.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import type { TrafficClientReply, TrafficClientRequest } from './traffic-client';

export interface CheckTraffic {
  protocol: 'http' | 'https';
  /** CPU of the probe's process per check, ms. */
  cpuMsPerCheck: number;
  /** Bytes the probe sent per check (TCP payload: TLS records included). */
  bytesOutPerCheck: number;
  /** Bytes the probe received per check. */
  bytesInPerCheck: number;
}

export interface TrafficOptions {
  /** Checks a round. */
  checks: number;
  concurrency: number;
  latencyMs: number;
  /** Rounds before the measured ones. Default 4. */
  warmupRounds?: number;
  /** Measured rounds; the CPU is their median. Default 3. */
  rounds?: number;
}

function answer(latencyMs: number) {
  return (request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    setTimeout(() => response.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end('{"status":"OK"}'), latencyMs);
  };
}

async function measure(protocol: 'http' | 'https', server: Server, caFile: string, options: TrafficOptions): Promise<CheckTraffic> {
  let bytesIn = 0;
  let bytesOut = 0;
  let connections = 0;
  let counting = false;
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    if (!counting) return;
    connections += 1;
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      bytesIn += socket.bytesRead;
      bytesOut += socket.bytesWritten;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${protocol}://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  // Under tsx, the child inherits its loader through execArgv.
  const child = fork(path.join(__dirname, 'traffic-client.ts'), [], {
    execArgv: process.execArgv,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const replies: TrafficClientReply[] = [];
    let wake: (() => void) | undefined;
    child.on('message', (reply: TrafficClientReply) => {
      replies.push(reply);
      wake?.();
    });
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the traffic client exited (${code})`))));
    exited.catch(() => undefined);
    const next = () => Promise.race([new Promise<TrafficClientReply>((resolve) => {
      const take = () => (replies.length > 0 ? resolve(replies.shift() as TrafficClientReply) : (wake = take));
      take();
    }), exited]);
    const rounds = options.rounds ?? 3;
    child.send({ url, checks: options.checks, concurrency: options.concurrency, warmupRounds: options.warmupRounds ?? 4, rounds } satisfies TrafficClientRequest);
    await next(); // warmed up
    counting = true;
    child.send('go');
    const done = await next();
    if (done.type !== 'done') throw new Error('the traffic client answered out of order');
    if (done.failures.length > 0) throw new Error(`${protocol} checks failed: ${done.failures.join('; ')}`);
    // Every connection has closed (Connection: close) once its check is done; wait for the last events.
    for (let waited = 0; open.size > 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    if (connections !== options.checks * rounds) throw new Error(`${options.checks * rounds} ${protocol} checks opened ${connections} connections`);
    const cpuMs = [...done.cpuMsPerRound].sort((a, b) => a - b)[Math.floor(rounds / 2)] as number;
    return { protocol, cpuMsPerCheck: cpuMs / options.checks, bytesOutPerCheck: bytesIn / connections, bytesInPerCheck: bytesOut / connections };
  } finally {
    child.kill();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Measures a check over plain HTTP and over HTTPS (a generated certificate the client trusts). */
export async function measureCheckTraffic(options: TrafficOptions): Promise<CheckTraffic[]> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'uptime-bench-tls-'));
  const caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, pems.cert);
  try {
    return [
      await measure('http', createHttpServer(answer(options.latencyMs)), caFile, options),
      await measure('https', createHttpsServer({ key: pems.private, cert: pems.cert }, answer(options.latencyMs)), caFile, options),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
