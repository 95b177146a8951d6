import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Prober } from '../domain/ports';
import type { MonitorConfig, NetworkFailureReason, ProbeOutcome } from '../domain/types';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_USER_AGENT = 'uptime-monitor/0.1';

/** The longest error detail copied into an outcome's message. */
const MAX_MESSAGE_CHARS = 200;

export interface HttpProberOptions {
  /** The most body bytes read; the rest of the stream is cancelled. Default 64 KiB. */
  maxBodyBytes?: number;
  /** A monotonic clock in milliseconds, for latency. Default `performance.now`. */
  monotonicNowMs?: () => number;
  /** Sent unless the monitor sets its own User-Agent header. */
  userAgent?: string;
}

/** How many redirects are followed before the check fails as a loop. */
export const MAX_REDIRECTS = 20;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers not sent on to another origin when a redirect leads there. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * Agents that open a new connection for every request (a monitor's host is seldom checked again
 * within a connection's life) but keep TLS sessions, so a warm Lambda resumes them next minute.
 */
const AGENTS = {
  'http:': new http.Agent({ keepAlive: false }),
  'https:': new https.Agent({ keepAlive: false, maxCachedSessions: 10_000 }),
};

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
 * `network` failure; 303, and 301/302 after a POST, continue as GET; credentials are not sent to
 * another origin). Compressed bodies (gzip, deflate, br) are decompressed.
 * `probe()` never throws: every failure comes back as an `error` outcome.
 */
export class HttpProber implements Prober {
  private readonly maxBodyBytes: number;
  private readonly monotonicNowMs: () => number;
  private readonly userAgent: string;

  constructor(options: HttpProberOptions = {}) {
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) {
      throw new RangeError(`maxBodyBytes must be a non-negative integer, got ${maxBodyBytes}`);
    }
    this.maxBodyBytes = maxBodyBytes;
    this.monotonicNowMs = options.monotonicNowMs ?? (() => performance.now());
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  }

  async probe(monitor: MonitorConfig, signal?: AbortSignal): Promise<ProbeOutcome> {
    const monotonicStartMs = this.monotonicNowMs();
    const elapsed = (): number => Math.max(0, Math.round(this.monotonicNowMs() - monotonicStartMs));
    // One controller for the whole exchange, aborted by the timeout or by the caller's signal
    // (cheaper than AbortSignal.timeout with AbortSignal.any, per check).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, monitor.timeoutMs);
    const onCallerAbort = () => controller.abort();
    if (signal?.aborted) controller.abort();
    else signal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(monitor.headers ?? {})) headers[name.toLowerCase()] = value;
      headers['user-agent'] ??= this.userAgent;
      headers['accept-encoding'] ??= 'gzip, deflate, br';
      let url = new URL(monitor.url);
      let method = monitor.method;
      for (let redirects = 0; ; redirects += 1) {
        const response = await send(url, method, headers, controller.signal);
        const location = response.headers.location;
        if (REDIRECT_STATUSES.has(response.statusCode ?? 0) && location !== undefined) {
          response.destroy();
          if (redirects === MAX_REDIRECTS) throw new ProbeRequestError(`redirect count exceeded (more than ${MAX_REDIRECTS})`, 'ERR_TOO_MANY_REDIRECTS');
          const next = new URL(location, url);
          if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new ProbeRequestError(`redirect to a ${next.protocol} URL`, 'ERR_REDIRECT_PROTOCOL');
          if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
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
        };
      }
    } catch (error) {
      return { kind: 'error', ...classifyError(error, monitor, timedOut, signal), latencyMs: elapsed() };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
  }
}

/** Sends one request (no body) and resolves with the response once its headers are in. */
function send(url: URL, method: string, headers: Record<string, string>, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const protocol = url.protocol === 'https:' ? https : http;
    const agent = AGENTS[url.protocol as keyof typeof AGENTS];
    if (agent === undefined) {
      reject(new ProbeRequestError(`unsupported protocol ${url.protocol}`, 'ERR_INVALID_PROTOCOL'));
      return;
    }
    const request = protocol.request(url, { method, headers, agent, signal });
    request.once('response', resolve);
    request.on('error', reject);
    request.end();
  });
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
  monitor: MonitorConfig,
  timedOut: boolean,
  callerSignal: AbortSignal | undefined,
): Classified {
  if (timedOut) {
    return { reason: 'timeout', message: `no answer within ${monitor.timeoutMs} ms` };
  }
  if (callerSignal?.aborted) {
    return { reason: 'timeout', message: 'probe cancelled before an answer (the run ran out of time)' };
  }
  const chain = collectCauses(error);
  for (const cause of chain) {
    const code = errorCode(cause);
    if (code === undefined) continue;
    const detail = errorMessage(cause);
    if (DNS_CODES.has(code)) return { reason: 'dns', message: cap(`DNS lookup failed for ${hostOf(monitor.url)} (${code})`) };
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
