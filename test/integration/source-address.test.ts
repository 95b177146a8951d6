import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import { DnsProber } from '../../lib/adapters/dns-prober';
import { HttpProber } from '../../lib/adapters/http-prober';
import { MonitorProber } from '../../lib/adapters/monitor-prober';
import { TcpProber } from '../../lib/adapters/tcp-prober';
import type { ProbeTarget } from '../../lib/domain/types';
import { startDnsServer, type RunningDnsServer } from '../support/dns-server';
import { answerOk, listenOnLoopback } from '../support/http-answers';

/**
 * Each prober sends from the source address it is given, as `npm start`'s vantage points do (home
 * 127.0.0.1, the confirmers 127.0.0.2, 127.0.0.3 …): real servers on 127.0.0.1 record the address
 * each request, connection or query came from.
 */
const SOURCE = '127.0.0.2';

let httpPort: number;
let tcpPort: number;
let dns: RunningDnsServer;
const httpSenders: string[] = [];
const tcpSenders: string[] = [];
const httpServer = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
  httpSenders.push(request.socket.remoteAddress ?? '');
  request.resume();
  answerOk(response);
});
const tcpServer = net.createServer((socket) => {
  tcpSenders.push(socket.remoteAddress ?? '');
  socket.destroy();
});

beforeAll(async () => {
  httpPort = await listenOnLoopback(httpServer);
  tcpPort = await listenOnLoopback(tcpServer);
  dns = await startDnsServer();
});

afterAll(async () => {
  httpServer.closeAllConnections();
  await Promise.all([new Promise((resolve) => httpServer.close(resolve)), new Promise((resolve) => tcpServer.close(resolve)), dns.close()]);
});

const target = (url: string, extra: Partial<ProbeTarget> = {}): ProbeTarget => ({ url, method: 'GET', headers: {}, timeoutMs: 2000, ...extra });
const httpTarget = (host = '127.0.0.1') => target(`http://${host}:${httpPort}/health`);
const tcpTarget = () => target(`tcp://127.0.0.1:${tcpPort}`, { type: 'tcp' });
const dnsTarget = () => target('dns://ok-1.test', { type: 'dns', dns: { recordType: 'A', server: dns.address } });

/** The address the server saw the one request `send` made come from. */
async function senderOf(senders: string[], send: () => Promise<unknown>): Promise<string | undefined> {
  const before = senders.length;
  await send();
  expect(senders).toHaveLength(before + 1);
  return senders[before];
}

describe('HttpProber sourceAddress', () => {
  it('sends from the source address it is given', async () => {
    const outcome = await new HttpProber({ sourceAddress: SOURCE }).probe(httpTarget());
    expect(outcome.kind).toBe('response');
    expect(httpSenders.at(-1)).toBe(SOURCE);
  });

  it('sends from it to localhost too', async () => {
    expect(await senderOf(httpSenders, () => new HttpProber({ sourceAddress: SOURCE }).probe(httpTarget('localhost')))).toBe(SOURCE);
  });

  it('leaves the choice to the system without one (127.0.0.1 to a loopback target)', async () => {
    expect(await senderOf(httpSenders, () => new HttpProber().probe(httpTarget()))).toBe('127.0.0.1');
  });
});

describe('TcpProber sourceAddress', () => {
  it('connects from the source address it is given', async () => {
    const sender = await senderOf(tcpSenders, async () => expect((await new TcpProber({ sourceAddress: SOURCE }).probe(tcpTarget())).kind).toBe('connected'));
    expect(sender).toBe(SOURCE);
  });
});

describe('DnsProber sourceAddress', () => {
  it('queries its name server from the source address it is given', async () => {
    const outcome = await new DnsProber({ sourceAddress: SOURCE }).probe(dnsTarget());
    expect(outcome).toMatchObject({ kind: 'answered', values: ['127.0.0.1'] });
    expect(dns.senders.at(-1)).toBe(SOURCE);
  });
});

describe('MonitorProber.create sourceAddress', () => {
  it('gives every type of check the source address', async () => {
    const prober = MonitorProber.create({ sourceAddress: '127.0.0.3' });
    expect(await senderOf(httpSenders, () => prober.probe(httpTarget()))).toBe('127.0.0.3');
    expect(await senderOf(tcpSenders, () => prober.probe(tcpTarget()))).toBe('127.0.0.3');
    await prober.probe(dnsTarget());
    expect(dns.senders.at(-1)).toBe('127.0.0.3');
  });
});
