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
  now?: () => number;
  /** Sent unless the monitor sets its own User-Agent header. */
  userAgent?: string;
}

/**
 * Probes an HTTP(S) endpoint with Node's global `fetch` (undici).
 *
 * The monitor's timeout covers the whole exchange, connection to the last body byte read; the body
 * is read up to `maxBodyBytes` and then the stream is cancelled. Latency runs from the request to
 * the end of that read. Redirects are followed (at most 20; a loop is a `network` failure).
 * `probe()` never throws: every failure comes back as an `error` outcome.
 */
export class HttpProber implements Prober {
  private readonly maxBodyBytes: number;
  private readonly now: () => number;
  private readonly userAgent: string;

  constructor(options: HttpProberOptions = {}) {
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) {
      throw new RangeError(`maxBodyBytes must be a non-negative integer, got ${maxBodyBytes}`);
    }
    this.maxBodyBytes = maxBodyBytes;
    this.now = options.now ?? (() => performance.now());
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  }

  async probe(monitor: MonitorConfig, signal?: AbortSignal): Promise<ProbeOutcome> {
    const startedAt = this.now();
    const elapsed = (): number => Math.max(0, Math.round(this.now() - startedAt));
    let timeoutSignal: AbortSignal | undefined;
    try {
      timeoutSignal = AbortSignal.timeout(monitor.timeoutMs);
      const combined = signal ? AbortSignal.any([timeoutSignal, signal]) : timeoutSignal;
      const headers = new Headers(monitor.headers);
      if (!headers.has('user-agent')) headers.set('user-agent', this.userAgent);

      const response = await fetch(monitor.url, {
        method: monitor.method,
        headers,
        redirect: 'follow',
        signal: combined,
      });
      const { body, bodyTruncated } = await readBody(response, this.maxBodyBytes);
      const contentType = response.headers.get('content-type') ?? undefined;
      return {
        kind: 'response',
        statusCode: response.status,
        ...(contentType === undefined ? {} : { contentType }),
        body,
        bodyTruncated,
        latencyMs: elapsed(),
      };
    } catch (error) {
      return { kind: 'error', ...classifyError(error, monitor, timeoutSignal, signal), latencyMs: elapsed() };
    }
  }
}

/** Reads at most `maxBytes` of the body as UTF-8, cancelling the stream past the cap. */
async function readBody(response: Response, maxBytes: number): Promise<{ body: string; bodyTruncated: boolean }> {
  if (response.body === null) return { body: '', bodyTruncated: false };
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  let body = '';
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { body: body + decoder.decode(), bodyTruncated: false };
    const room = maxBytes - received;
    if (value.byteLength > room) {
      // `stream: true` holds back a multi-byte character cut in half at the cap instead of
      // turning it into a replacement character.
      body += decoder.decode(value.subarray(0, room), { stream: true });
      // Not awaited: the answer is complete, and closing the connection must not delay it.
      reader.cancel().catch(() => undefined);
      return { body, bodyTruncated: true };
    }
    received += value.byteLength;
    body += decoder.decode(value, { stream: true });
  }
}

type Classified = { reason: NetworkFailureReason; message: string };

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
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
 * Names the reason of a failed fetch. undici wraps the cause: `TypeError('fetch failed')` or
 * `TypeError('terminated')` carries the socket, DNS or TLS error (with a string `code`) in `cause`,
 * sometimes an `AggregateError` of one error per address tried. An abort is told apart by which
 * signal fired, not by the error, since both arrive as DOMExceptions.
 */
function classifyError(
  error: unknown,
  monitor: MonitorConfig,
  timeoutSignal: AbortSignal | undefined,
  callerSignal: AbortSignal | undefined,
): Classified {
  if (timeoutSignal?.aborted) {
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
    if (TIMEOUT_CODES.has(code)) return { reason: 'timeout', message: cap(`${detail} (${code})`) };
  }
  if (chain.some((cause) => /redirect count exceeded/i.test(errorMessage(cause)))) {
    return { reason: 'network', message: 'too many redirects (more than 20): a redirect loop?' };
  }
  const innermost = chain.at(-1);
  const detail = innermost === undefined ? 'unknown error' : errorMessage(innermost);
  const code = innermost === undefined ? undefined : errorCode(innermost);
  return { reason: 'network', message: cap(code === undefined ? detail : `${detail} (${code})`) };
}

/**
 * The error, its `cause` chain and the members of any AggregateError, outermost first. Read by
 * shape, not `instanceof`: undici's errors may come from another realm (a jest sandbox, a VM).
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
