import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';
import { HttpProber } from '../../lib/adapters/http-prober';
import type { ProbeOutcome, ProbeTarget } from '../../lib/domain/types';

/**
 * The leaf certificate in an https check's outcome, from real TLS servers on 127.0.0.1 with
 * certificates of a test CA made here: on a full handshake, on a resumed TLS session (which shows
 * no peer certificate of its own), never a redirect target's, never for plain http.
 */

const DAY_MS = 86_400_000;
let ca: { key: string; cert: string };
let first: { server: Server; url: string; cert: string; handshakes: boolean[] };
let second: { server: Server; url: string; cert: string; handshakes: boolean[] };
let plain: HttpServer;
let plainUrl: string;

async function startTarget(commonName: string, expiresInMs: number, route: (url: string) => [number, Record<string, string>]) {
  const leaf = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - DAY_MS),
    notAfterDate: new Date(Date.now() + expiresInMs),
    ca,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  const handshakes: boolean[] = [];
  const server = createServer({ key: leaf.private, cert: leaf.cert }, (request, response) => {
    const [status, headers] = route(request.url ?? '/');
    response.writeHead(status, headers).end('ok');
  });
  server.on('secureConnection', (socket: TLSSocket) => handshakes.push(socket.isSessionReused()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, cert: leaf.cert, handshakes };
}

beforeAll(async () => {
  const authority = await generate([{ name: 'commonName', value: 'Prober Test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, critical: true },
    ],
  });
  ca = { key: authority.private, cert: authority.cert };
  second = await startTarget('second.test', 40 * DAY_MS, () => [200, {}]);
  first = await startTarget('first.test', 10 * DAY_MS, (url) => (url === '/away' ? [302, { location: `${second.url}/` }] : [200, {}]));
  plain = createHttpServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await Promise.all(
    [first.server, second.server, plain].map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  );
});

const target = (url: string): ProbeTarget => ({ url, method: 'GET', headers: {}, timeoutMs: 3000 });
const certificateOf = (outcome: ProbeOutcome) => (outcome.kind === 'response' ? outcome.certificate : undefined);

function expected(pem: string, subject: string) {
  const x509 = new X509Certificate(pem);
  return {
    fingerprint: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
    expiresAt: new Date(x509.validTo).toISOString(),
    issuer: 'CN=Prober Test CA',
    subject,
  };
}

describe('HttpProber: the certificate of an https check', () => {
  it('reports the leaf certificate on a full handshake and on every resumed session after it', async () => {
    const prober = new HttpProber({ extraCaCertificates: [ca.cert] });
    const outcomes = [];
    for (let check = 0; check < 3; check += 1) outcomes.push(await prober.probe(target(`${first.url}/`)));
    // The agent keeps TLS sessions: the later checks resumed, and showed no certificate of their own.
    expect(first.handshakes).toEqual([false, true, true]);
    for (const outcome of outcomes) expect(certificateOf(outcome)).toEqual(expected(first.cert, 'CN=first.test'));
  });

  it("reports the monitor's own certificate, not a redirect target's", async () => {
    const outcome = await new HttpProber({ extraCaCertificates: [ca.cert] }).probe(target(`${first.url}/away`));
    expect(outcome).toMatchObject({ kind: 'response', statusCode: 200 });
    expect(certificateOf(outcome)?.subject).toBe('CN=first.test');
  });

  it('reports none for plain http, nor for a certificate it does not trust (a tls failure)', async () => {
    expect(certificateOf(await new HttpProber().probe(target(plainUrl)))).toBeUndefined();
    expect(await new HttpProber().probe(target(`${second.url}/`))).toMatchObject({ kind: 'error', reason: 'tls' });
  });
});
