import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { connect as tlsConnect, createSecureContext, rootCertificates, type ConnectionOptions, type SecureContext, type TLSSocket } from 'node:tls';
import zlib from 'node:zlib';
import type { Prober } from '../domain/ports';
import type { Certificate } from '../domain/certificate';
import type { NetworkFailureReason, ProbeOutcome, ProbeTarget } from '../domain/types';
import { addressScreen, blockedAddressScreen, type BlockedAddressKind } from './address-blocklist';
import { CaresResolver } from './dns-resolver';
import { sourceAddressFor } from './source-address';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_USER_AGENT = 'uptime-monitor/0.1';

/** The longest error detail copied into an outcome's message. */
const MAX_MESSAGE_CHARS = 200;

export interface HttpProberOptions {
  /** The most body bytes read; the rest of the stream is cancelled. Default 64 KiB. */
  maxBodyBytes?: number;
  /** A monotonic clock in milliseconds, for latency. Default `performance.now`. */
  monotonicNowMs?: () => number;
  /** Sent unless the monitor sets its own User-Agent header (and always on another origin). */
  userAgent?: string;
  /**
   * Refuse to connect to loopback, private, link-local (the instance metadata service), CGNAT and
   * unspecified addresses, and their IPv4-mapped IPv6 forms: a check that would fails as
   * `blocked-address`. The resolved address is checked, and an IP address in the URL, at every
   * redirect. Default false (`npm start` probes targets on 127.0.0.1).
   */
  blockPrivateAddresses?: boolean;
  /** IP addresses `blockPrivateAddresses` lets through all the same (a private endpoint meant to be probed). */
  allowedAddresses?: readonly string[];
  /** Name servers for the resolver (`ip` or `ip:port`). Default: those of /etc/resolv.conf. */
  dnsServers?: string[];
  /** About how long a DNS lookup may take before it fails as `dns`. Default 3 s; the monitor's timeout still bounds the check. */
  dnsTimeoutMs?: number;
  /** How many names the DNS cache holds at most. Default 1000. */
  dnsCacheEntries?: number;
  /**
   * CA certificates (PEM) trusted beside Node's own, for this prober alone (tests). A process
   * trusts more with NODE_EXTRA_CA_CERTS, which `npm start` passes to the functions.
   */
  extraCaCertificates?: readonly string[];
  /**
   * The local address requests are sent from (`npm start` gives each vantage point its own
   * loopback address). A loopback one is used towards loopback targets only (./source-address.ts).
   * Default: the system's choice.
   */
  sourceAddress?: string;
}

/** How many redirects are followed before the check fails as a loop. */
export const MAX_REDIRECTS = 20;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const ACCEPT_ENCODING = 'gzip, deflate, br';

/**
 * Agents that open a new connection for every request (a monitor's host is seldom checked again
 * within a connection's life) but keep TLS sessions, so a warm Lambda resumes them next minute.
 */
const MAX_CACHED_SESSIONS = 10_000;

/**
 * An https agent whose connections share one secure context (the trusted CAs, ciphers, curves) and
 * that keeps the TLS sessions itself. Both for the CPU an HTTPS check takes (measured with
 * `node --cpu-prof`, 1,000 checks at concurrency 64 against a local server, Node 20, OpenSSL 3.0):
 *
 * - Without a shared context `tls.connect` builds one per connection: SSL_CTX_new took about
 *   0.3 ms a check.
 * - Node's own agent hands the cached session to `tls.connect` as `session`, which parses it twice
 *   (in the socket's set-up and once more after it); each parse decodes the certificate inside,
 *   about 0.2 ms on OpenSSL 3.0. Here the session is set once, on the new socket while it is still
 *   connecting: its handshake waits for the TCP connection, as after `tls.connect`'s own call.
 *
 * Together: 1.35 -> 0.92 ms of CPU an HTTPS check (plain HTTP 0.28 ms), alternating rounds in one
 * process. The rest is Node's TLS floor on OpenSSL 3.0: that one session parse, a new TLS socket
 * (0.16 ms), the ClientHello's X25519 key share, the key schedule and the records.
 *
 * Neither changes what a check proves: every connection still verifies the chain against these
 * CAs (`rejectUnauthorized` stays true) and the host name against the certificate, and resumes
 * only a session such a handshake began, of the same host, port and TLS options (`getName`).
 * Sessions are kept as Node's agent keeps them: the latest per key, at most
 * `MAX_CACHED_SESSIONS` keys (the oldest goes first), forgotten when a connection fails.
 */
class HttpsProbeAgent extends https.Agent {
  private readonly sessions = new Map<string, Buffer>();

  constructor(secureContext: SecureContext) {
    // maxCachedSessions 0: Node's agent keeps no session of its own, this one does.
    super({ keepAlive: false, maxCachedSessions: 0, secureContext });
  }

  override createConnection(options: https.RequestOptions): Duplex {
    const key = this.getName(options);
    const socket = tlsConnect(options as ConnectionOptions);
    const session = this.sessions.get(key);
    // `setSession` is what `tls.connect` calls for its `session` option (undocumented, there since Node 0.11).
    if (session !== undefined && socket.connecting) (socket as TLSSocket & { setSession(session: Buffer): void }).setSession(session);
    socket.on('session', (next: Buffer) => this.keepSession(key, next));
    socket.once('close', (hadError: boolean) => {
      if (hadError) this.sessions.delete(key);
    });
    return socket;
  }

  private keepSession(key: string, session: Buffer): void {
    this.sessions.delete(key);
    this.sessions.set(key, session);
    if (this.sessions.size > MAX_CACHED_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
  }
}

const AGENTS = {
  'http:': new http.Agent({ keepAlive: false }),
  // Node's CA store, with NODE_EXTRA_CA_CERTS, as `tls.connect` would have used.
  'https:': new HttpsProbeAgent(createSecureContext()),
};

/**
 * The leaf certificate of each host's last full TLS handshake. A resumed session shows no peer
 * certificate (Node gives an empty one, measured on Node 20 with TLS 1.3 tickets), yet it can
 * only resume the session that certificate opened: so a resumed check reports the certificate its
 * session began with. A renewal shows at the next full handshake, when the session expires (hours).
 * Bounded as the agent's session cache; the oldest host goes first.
 */
class CertificateCache {
  private readonly byHost = new Map<string, Certificate>();

  constructor(private readonly maxEntries: number) {}

  read(host: string, response: http.IncomingMessage): Certificate | undefined {
    const socket = response.socket as TLSSocket | null;
    const seen = peerCertificate(socket);
    if (seen) {
      this.byHost.delete(host);
      this.byHost.set(host, seen);
      if (this.byHost.size > this.maxEntries) this.byHost.delete(this.byHost.keys().next().value as string);
      return seen;
    }
    return typeof socket?.isSessionReused === 'function' && socket.isSessionReused() ? this.byHost.get(host) : undefined;
  }
}

const CERTIFICATES = new CertificateCache(MAX_CACHED_SESSIONS);

/** A failure the prober itself decides on; `code` is what classifyError reads. */
class ProbeRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Probes an HTTP(S) endpoint with Node's own `http`/`https` clients: about half the CPU of
 * `fetch` per check, which is what a probe run at Lambda's 256 MB share of a vCPU is bound by.
 *
 * The monitor's timeout covers the whole exchange, connection to the last body byte read; the body
 * is read up to `maxBodyBytes` and then the connection is closed. Latency runs from the request to
 * the end of that read. Redirects are followed as `fetch` follows them (at most 20, a loop is a
 * `network` failure; 303, and 301/302 after a POST, continue as GET). Once a redirect leaves the
 * target's origin, none of the configured headers is sent again, even back on that origin (as
 * `fetch` drops Authorization): a header may hold a credential, whatever its name; only the
 * prober's own User-Agent and Accept-Encoding go on. A redirect from https to http fails the check
 * as `insecure-redirect`. Compressed bodies (gzip, deflate, br) are decompressed.
 *
 * Names are resolved with c-ares (./dns-resolver.ts), never on libuv's thread pool, so a target's
 * hanging name server holds only its own check. With `blockPrivateAddresses` the address connected
 * to is checked (./address-blocklist.ts): the resolved one, in the lookup the socket connects with,
 * so a name cannot resolve to one address when checked and another when used.
 *
 * `probe()` never throws: every failure comes back as an `error` outcome.
 */
export class HttpProber implements Prober {
  private readonly maxBodyBytes: number;
  private readonly monotonicNowMs: () => number;
  private readonly userAgent: string;
  /** The kind of a blocked address, undefined for one the probe may connect to; none: nothing is blocked. */
  private readonly blockedKind: ((address: string) => BlockedAddressKind | undefined) | undefined;
  private readonly lookup: LookupFunction;
  private readonly resolver: CaresResolver;
  /** The headers sent to another origin than the target's: the prober's own, one object for every check. */
  private readonly ownHeaders: Readonly<Record<string, string>>;
  private readonly agents: typeof AGENTS;
  /** The certificate each host's last full handshake showed, for checks that resume its TLS session. */
  private readonly certificates: CertificateCache;
  private readonly sourceAddress: string | undefined;

  constructor(options: HttpProberOptions = {}) {
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) {
      throw new RangeError(`maxBodyBytes must be a non-negative integer, got ${maxBodyBytes}`);
    }
    this.maxBodyBytes = maxBodyBytes;
    this.monotonicNowMs = options.monotonicNowMs ?? (() => performance.now());
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.ownHeaders = Object.freeze({ 'user-agent': this.userAgent, 'accept-encoding': ACCEPT_ENCODING });
    this.sourceAddress = options.sourceAddress;
    // The certificates go with the agent whose TLS sessions they stand for.
    if (options.extraCaCertificates === undefined) {
      this.agents = AGENTS;
      this.certificates = CERTIFICATES;
    } else {
      this.agents = { ...AGENTS, 'https:': new HttpsProbeAgent(createSecureContext({ ca: [...rootCertificates, ...options.extraCaCertificates] })) };
      this.certificates = new CertificateCache(MAX_CACHED_SESSIONS);
    }
    const blockedKind = options.blockPrivateAddresses === true ? addressScreen(options.allowedAddresses ?? []) : undefined;
    this.blockedKind = blockedKind;
    const resolver = (this.resolver = new CaresResolver({
      ...(options.dnsServers === undefined ? {} : { servers: options.dnsServers }),
      ...(options.dnsTimeoutMs === undefined ? {} : { timeoutMs: options.dnsTimeoutMs }),
      ...(options.dnsCacheEntries === undefined ? {} : { maxCacheEntries: options.dnsCacheEntries }),
    }));
    this.lookup = resolver.lookupFunction(
      blockedKind === undefined ? undefined : blockedAddressScreen(blockedKind, (message) => new ProbeRequestError(message, 'ERR_PROBE_BLOCKED_ADDRESS')),
    );
  }

  /**
   * Ends the DNS lookups still in flight, which checks that timed out leave behind until the name
   * server answers or gives up: for a process that is done probing (a test, a bench). The prober
   * stays usable.
   */
  cancelPendingLookups(): void {
    this.resolver.cancelPending();
  }

  async probe(target: ProbeTarget, signal?: AbortSignal): Promise<ProbeOutcome> {
    const monotonicStartMs = this.monotonicNowMs();
    const elapsed = (): number => Math.max(0, Math.round(this.monotonicNowMs() - monotonicStartMs));
    // One controller for the whole exchange, aborted by the timeout or by the caller's signal
    // (cheaper than AbortSignal.timeout with AbortSignal.any, per check).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, target.timeoutMs);
    const onCallerAbort = () => controller.abort();
    if (signal?.aborted) controller.abort();
    else signal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const configured: Record<string, string> = {};
      for (const name in target.headers) configured[name.toLowerCase()] = target.headers[name] as string;
      configured['user-agent'] ??= this.userAgent;
      configured['accept-encoding'] ??= ACCEPT_ENCODING;
      let url = new URL(target.url);
      const targetOrigin = url.origin;
      let headers: Readonly<Record<string, string>> = configured;
      let method = target.method;
      let certificate: Certificate | undefined;
      for (let redirects = 0; ; redirects += 1) {
        const response = await send(url, method, headers, controller.signal, this.lookup, this.blockedKind, this.agents, sourceAddressFor(this.sourceAddress, url.hostname));
        // The monitor's own certificate, not a redirect target's: read while the socket is open.
        if (redirects === 0 && url.protocol === 'https:') certificate = this.certificates.read(url.host, response);
        const location = response.headers.location;
        if (REDIRECT_STATUSES.has(response.statusCode ?? 0) && location !== undefined) {
          response.destroy();
          if (redirects === MAX_REDIRECTS) throw new ProbeRequestError(`redirect count exceeded (more than ${MAX_REDIRECTS})`, 'ERR_TOO_MANY_REDIRECTS');
          const next = new URL(location, url);
          if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new ProbeRequestError(`redirect to a ${next.protocol} URL`, 'ERR_REDIRECT_PROTOCOL');
          if (url.protocol === 'https:' && next.protocol === 'http:') {
            throw new ProbeRequestError(`redirect from ${url.origin} to ${next.origin} leaves HTTPS`, 'ERR_PROBE_INSECURE_REDIRECT');
          }
          if (next.origin !== targetOrigin) headers = this.ownHeaders;
          const status = response.statusCode as number;
          if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) method = 'GET';
          url = next;
          continue;
        }
        const { body, bodyTruncated } = method === 'HEAD' ? { body: '', bodyTruncated: false } : await readBody(response, this.maxBodyBytes);
        if (method === 'HEAD') response.destroy();
        const contentType = response.headers['content-type'];
        return {
          kind: 'response',
          statusCode: response.statusCode as number,
          ...(contentType === undefined ? {} : { contentType }),
          body,
          bodyTruncated,
          latencyMs: elapsed(),
          ...(certificate === undefined ? {} : { certificate }),
        };
      }
    } catch (error) {
      return { kind: 'error', ...classifyError(error, target, timedOut, signal), latencyMs: elapsed() };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
  }
}

/**
 * Sends one request (no body) and resolves with the response once its headers are in. Names are
 * resolved with `lookup`; Node connects to an IP address in the URL without calling it, so such an
 * address is checked here against `blockedKind`. Sent from `localAddress` when given.
 */
function send(
  url: URL,
  method: string,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
  lookup: LookupFunction,
  blockedKind: ((address: string) => BlockedAddressKind | undefined) | undefined,
  agents: typeof AGENTS,
  localAddress: string | undefined,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const protocol = url.protocol === 'https:' ? https : http;
    const agent = agents[url.protocol as keyof typeof AGENTS];
    if (agent === undefined) {
      reject(new ProbeRequestError(`unsupported protocol ${url.protocol}`, 'ERR_INVALID_PROTOCOL'));
      return;
    }
    if (blockedKind !== undefined) {
      const kind = blockedKind(url.hostname);
      if (kind !== undefined) {
        reject(new ProbeRequestError(`${url.hostname} is a ${kind} address, blocked`, 'ERR_PROBE_BLOCKED_ADDRESS'));
        return;
      }
    }
    const request = protocol.request(url, { method, headers, agent, signal, lookup, localAddress });
    request.once('response', resolve);
    request.on('error', reject);
    request.end();
  });
}

/**
 * The leaf certificate a full TLS handshake of `socket` was handed, or undefined when there is none
 * to read (a resumed session). A few microseconds: the certificate is already parsed.
 */
function peerCertificate(socket: TLSSocket | null): Certificate | undefined {
  if (socket === null || typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate();
  if (peer === null || typeof peer !== 'object' || !peer.fingerprint256 || !peer.valid_to) return undefined;
  const expiresMs = Date.parse(peer.valid_to);
  if (Number.isNaN(expiresMs)) return undefined;
  return {
    fingerprint: peer.fingerprint256.replace(/:/g, '').toLowerCase(),
    expiresAt: new Date(expiresMs).toISOString(),
    issuer: distinguishedName(peer.issuer),
    subject: distinguishedName(peer.subject),
  };
}

/** `CN=…, O=…` from Node's parsed name (a field given twice is an array). */
function distinguishedName(name: Record<string, string | string[] | undefined> | undefined): string {
  if (!name) return '';
  const order = ['CN', 'O', 'OU', 'L', 'ST', 'C'];
  const keys = [...order.filter((key) => key in name), ...Object.keys(name).filter((key) => !order.includes(key))];
  return cap(
    keys
      .flatMap((key) => {
        const value = name[key];
        return value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((part) => `${key}=${part}`);
      })
      .join(', '),
  );
}

/** Reads at most `maxBytes` of the (decompressed) body as UTF-8, closing the connection past the cap. */
async function readBody(response: http.IncomingMessage, maxBytes: number): Promise<{ body: string; bodyTruncated: boolean }> {
  const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decompress =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  const stream: Readable = decompress ? response.pipe(decompress) : response;
  if (decompress) response.once('error', (error) => decompress.destroy(error));
  const decoder = new TextDecoder('utf-8');
  let body = '';
  let received = 0;
  try {
    for await (const chunk of stream) {
      const value = chunk as Buffer;
      const room = maxBytes - received;
      if (value.byteLength > room) {
        // `stream: true` holds back a multi-byte character cut in half at the cap instead of
        // turning it into a replacement character.
        body += decoder.decode(value.subarray(0, room), { stream: true });
        return { body, bodyTruncated: true };
      }
      received += value.byteLength;
      body += decoder.decode(value, { stream: true });
    }
    // A connection closed before the announced length arrived ends the stream without an error.
    if (!response.complete) throw new ProbeRequestError('the connection closed before the body was complete', 'ECONNRESET');
    return { body: body + decoder.decode(), bodyTruncated: false };
  } finally {
    // Done reading (all of it, up to the cap, or failed): the connection is not kept.
    response.destroy();
    decompress?.destroy();
  }
}

type Classified = { reason: NetworkFailureReason; message: string };

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT']);
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'PATH_LENGTH_EXCEEDED',
]);

function isTlsCode(code: string): boolean {
  return TLS_CODES.has(code) || /^(CERT_|ERR_TLS_|ERR_SSL_)/.test(code);
}

/**
 * Names the reason of a failed request from the error's string `code` (socket, DNS, TLS, HTTP
 * parser), looking through `cause` and the members of an `AggregateError` (one error per address
 * tried). An abort is told apart by what fired it, the timeout or the caller, not by the error.
 */
function classifyError(
  error: unknown,
  target: ProbeTarget,
  timedOut: boolean,
  callerSignal: AbortSignal | undefined,
): Classified {
  if (timedOut) {
    return { reason: 'timeout', message: `no answer within ${target.timeoutMs} ms` };
  }
  if (callerSignal?.aborted) {
    return { reason: 'timeout', message: 'probe cancelled before an answer (the run ran out of time)' };
  }
  const chain = collectCauses(error);
  for (const cause of chain) {
    const code = errorCode(cause);
    if (code === undefined) continue;
    const detail = errorMessage(cause);
    // Before ECONNREFUSED: a resolver's refused query is a DNS failure, not the target refusing.
    if (code === 'ERR_PROBE_DNS') return { reason: 'dns', message: cap(detail) };
    if (code === 'ERR_PROBE_BLOCKED_ADDRESS') return { reason: 'blocked-address', message: cap(detail) };
    if (code === 'ERR_PROBE_INSECURE_REDIRECT') return { reason: 'insecure-redirect', message: cap(detail) };
    if (DNS_CODES.has(code)) return { reason: 'dns', message: cap(`DNS lookup failed for ${hostOf(target.url)} (${code})`) };
    if (code === 'ECONNREFUSED') return { reason: 'connection-refused', message: cap(`connection refused: ${detail}`) };
    if (RESET_CODES.has(code)) return { reason: 'connection-reset', message: cap(`connection closed early: ${detail} (${code})`) };
    if (isTlsCode(code)) return { reason: 'tls', message: cap(`TLS error ${code}: ${simplifyOpenSslMessage(detail)}`) };
    // A failed handshake arrives as EPROTO with OpenSSL's message: name it by OpenSSL's reason.
    if (code === 'EPROTO' && /:SSL routines:/.test(detail)) {
      const reason = simplifyOpenSslMessage(detail);
      return { reason: 'tls', message: cap(`TLS error ERR_SSL_${reason.toUpperCase().replace(/\W+/g, '_')}: ${reason}`) };
    }
    if (TIMEOUT_CODES.has(code)) return { reason: 'timeout', message: cap(`${detail} (${code})`) };
  }
  if (chain.some((cause) => errorCode(cause) === 'ERR_TOO_MANY_REDIRECTS')) {
    return { reason: 'network', message: `too many redirects (more than ${MAX_REDIRECTS}): a redirect loop?` };
  }
  const innermost = chain.at(-1);
  const detail = innermost === undefined ? 'unknown error' : errorMessage(innermost);
  const code = innermost === undefined ? undefined : errorCode(innermost);
  return { reason: 'network', message: cap(code === undefined ? detail : `${detail} (${code})`) };
}

/**
 * The error, its `cause` chain and the members of any AggregateError, outermost first. Read by
 * shape, not `instanceof`: errors may come from another realm (a jest sandbox, a VM).
 */
function collectCauses(error: unknown): unknown[] {
  const found: unknown[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && found.length < 20) {
    const current = pending.shift();
    if (current === undefined || current === null || found.includes(current)) continue;
    found.push(current);
    if (typeof current !== 'object') continue;
    if ('errors' in current && Array.isArray(current.errors)) pending.push(...(current.errors as unknown[]));
    if ('cause' in current) pending.push(current.cause);
  }
  return found;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function errorMessage(error: unknown): string {
  const text =
    typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
      ? error.message
      : String(error);
  return text.trim().split('\n')[0] ?? '';
}

/** Keeps the reason of an OpenSSL error string (`...:error:0A00010B:SSL routines:fn:reason:file:line:`). */
function simplifyOpenSslMessage(message: string): string {
  return /:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/.exec(message)?.[1] ?? message;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function cap(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}
