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

  it('resumes a session only with the host and port whose handshake began it', async () => {
    const prober = new HttpProber({ extraCaCertificates: [ca.cert] });
    await prober.probe(target(`${first.url}/`));
    await prober.probe(target(`${first.url}/`));
    expect(first.handshakes.slice(-2)).toEqual([false, true]);
    // Another port (and certificate): a full handshake, verified, then resumed in turn.
    await prober.probe(target(`${second.url}/`));
    await prober.probe(target(`${second.url}/`));
    expect(second.handshakes.slice(-2)).toEqual([false, true]);
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

describe('HttpProber: every https check verifies, on connections that share one secure context', () => {
  let selfSigned: { server: Server; url: string };
  let wrongHost: { server: Server; url: string };

  async function listen(key: string, cert: string): Promise<{ server: Server; url: string }> {
    const server = createServer({ key, cert }, (_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/` };
  }

  beforeAll(async () => {
    const own = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    selfSigned = await listen(own.private, own.cert);
    // Signed by the trusted test CA, but for another name than the one the check connects to.
    const other = await generate([{ name: 'commonName', value: 'other.test' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      ca,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'other.test' }] }],
    });
    wrongHost = await listen(other.private, other.cert);
  });

  afterAll(async () => {
    await Promise.all(
      [selfSigned.server, wrongHost.server].map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  });

  it.each([
    ['the default CAs', () => new HttpProber()],
    ['the default CAs and a test CA', () => new HttpProber({ extraCaCertificates: [ca.cert] })],
  ])('with %s, a self-signed certificate fails as tls at every check, after good checks too', async (_name, makeProber) => {
    const prober = makeProber();
    await prober.probe(target(`${first.url}/`));
    for (let check = 0; check < 3; check += 1) {
      const outcome = await prober.probe(target(selfSigned.url));
      expect(outcome).toMatchObject({ kind: 'error', reason: 'tls' });
      if (outcome.kind === 'error') expect(outcome.message).toMatch(/SELF_SIGNED/);
    }
  });

  it("a trusted CA's certificate for another host fails as tls at every check", async () => {
    const prober = new HttpProber({ extraCaCertificates: [ca.cert] });
    expect(await prober.probe(target(`${first.url}/`))).toMatchObject({ kind: 'response', statusCode: 200 });
    for (let check = 0; check < 3; check += 1) {
      const outcome = await prober.probe(target(wrongHost.url));
      expect(outcome).toMatchObject({ kind: 'error', reason: 'tls' });
      if (outcome.kind === 'error') expect(outcome.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    }
  });

  it('a prober that trusts the test CA does not lend that trust to a prober that does not', async () => {
    expect(await new HttpProber({ extraCaCertificates: [ca.cert] }).probe(target(`${second.url}/`))).toMatchObject({ kind: 'response', statusCode: 200 });
    expect(await new HttpProber().probe(target(`${second.url}/`))).toMatchObject({ kind: 'error', reason: 'tls' });
  });
});
