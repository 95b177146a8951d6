import net, { type LookupFunction, type Socket } from 'node:net';
import type { Prober } from '../domain/ports';
import type { ProbeFailureReason, ProbeOutcome, ProbeTarget } from '../domain/types';
import { addressScreen, blockedAddressScreen, type BlockedAddressKind } from './address-blocklist';
import { CaresResolver, type CaresResolverOptions } from './dns-resolver';
import { sourceAddressFor } from './source-address';

/** The longest error detail copied into an outcome's message. */
const MAX_MESSAGE_CHARS = 200;

/** Opens a TCP connection: `net.connect` unless a test gives another. */
export type SocketFactory = (options: net.TcpNetConnectOpts) => Socket;

export interface TcpProberOptions {
  /** A monotonic clock in milliseconds, for latency. Default `performance.now`. */
  monotonicNowMs?: () => number;
  /** As HttpProber's: refuse loopback, private, link-local, CGNAT and unspecified addresses (`blocked-address`). */
  blockPrivateAddresses?: boolean;
  /** IP addresses `blockPrivateAddresses` lets through all the same. */
  allowedAddresses?: readonly string[];
  /** The resolver to share with the other probers; default a CaresResolver of its own with `dns`. */
  resolver?: CaresResolver;
  /** Options of its own CaresResolver (when no `resolver` is given). */
  dns?: CaresResolverOptions;
  /** Default `net.connect`. */
  connect?: SocketFactory;
  /** As HttpProber's: the local address connections are made from (a loopback one towards loopback hosts only). */
  sourceAddress?: string;
}

class TcpProbeError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Checks a `tcp://host:port` target: a connection made within the monitor's timeout is a success;
 * the connection is closed at once, nothing is sent. Latency runs from the start of the check
 * (the name's lookup included, as an HTTP check's) to the connection made.
 *
 * Names are resolved as HttpProber resolves them (c-ares, ./dns-resolver.ts), and with
 * `blockPrivateAddresses` the address connected to is screened (./address-blocklist.ts), in the
 * lookup the socket connects with, and an IP address in the URL before connecting.
 *
 * `probe()` never throws: every failure comes back as an `error` outcome (`connection-refused`,
 * `timeout`, `dns`, `blocked-address`, or `network` for anything else).
 */
export class TcpProber implements Prober {
  private readonly monotonicNowMs: () => number;
  private readonly blockedKind: ((address: string) => BlockedAddressKind | undefined) | undefined;
  private readonly lookup: LookupFunction;
  private readonly connect: SocketFactory;
  private readonly sourceAddress: string | undefined;

  constructor(options: TcpProberOptions = {}) {
    this.monotonicNowMs = options.monotonicNowMs ?? (() => performance.now());
    this.sourceAddress = options.sourceAddress;
    this.connect = options.connect ?? ((connectOptions) => net.connect(connectOptions));
    const blockedKind = options.blockPrivateAddresses === true ? addressScreen(options.allowedAddresses ?? []) : undefined;
    this.blockedKind = blockedKind;
    const resolver = options.resolver ?? new CaresResolver(options.dns);
    this.lookup = resolver.lookupFunction(
      blockedKind === undefined ? undefined : blockedAddressScreen(blockedKind, (message) => new TcpProbeError(message, 'ERR_PROBE_BLOCKED_ADDRESS')),
    );
  }

  async probe(target: ProbeTarget, signal?: AbortSignal): Promise<ProbeOutcome> {
    const monotonicStartMs = this.monotonicNowMs();
    const elapsed = (): number => Math.max(0, Math.round(this.monotonicNowMs() - monotonicStartMs));
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let socket: Socket | undefined;
    try {
      const { host, port } = parseTcpUrl(target.url);
      const kind = this.blockedKind?.(host);
      if (kind !== undefined) throw new TcpProbeError(`${host} is a ${kind} address, blocked`, 'ERR_PROBE_BLOCKED_ADDRESS');
      if (signal?.aborted) throw new TcpProbeError('probe cancelled', 'ABORT_ERR');
      const opened = this.connect({ host, port, lookup: this.lookup, localAddress: sourceAddressFor(this.sourceAddress, host) });
      socket = opened;
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new TcpProbeError(`no connection within ${target.timeoutMs} ms`, 'ETIMEDOUT'));
        }, target.timeoutMs);
        onAbort = () => reject(new TcpProbeError('probe cancelled', 'ABORT_ERR'));
        signal?.addEventListener('abort', onAbort, { once: true });
        opened.once('connect', () => resolve());
        opened.on('error', reject);
      });
      return { kind: 'connected', latencyMs: elapsed() };
    } catch (error) {
      return { kind: 'error', ...classifyTcpError(error, target, timedOut, signal), latencyMs: elapsed() };
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
      socket?.destroy();
    }
  }
}

/** The host (IPv6 without brackets) and port of `tcp://host:port`; throws a TcpProbeError for anything else. */
export function parseTcpUrl(url: string): { host: string; port: number } {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || parsed.protocol !== 'tcp:' || parsed.hostname === '' || parsed.port === '') {
    throw new TcpProbeError(`not a tcp://host:port URL: ${url}`, 'ERR_INVALID_URL');
  }
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(parsed.port) };
}

function classifyTcpError(
  error: unknown,
  target: ProbeTarget,
  timedOut: boolean,
  signal: AbortSignal | undefined,
): { reason: ProbeFailureReason; message: string } {
  if (timedOut) return { reason: 'timeout', message: `no connection within ${target.timeoutMs} ms` };
  if (signal?.aborted) return { reason: 'timeout', message: 'probe cancelled before a connection (the run ran out of time)' };
  // A name with several addresses fails as an AggregateError of one error per address tried.
  const members = typeof error === 'object' && error !== null && 'errors' in error && Array.isArray(error.errors) ? (error.errors as unknown[]) : [];
  const codes = [error, ...members].map(codeOf);
  const code = codes.find((each) => each === 'ECONNREFUSED') ?? codes.find((each) => each !== undefined);
  const detail = typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' && error.message !== '' ? error.message : String(error);
  // Before ECONNREFUSED: a resolver's refused query is a DNS failure, not the target refusing.
  if (code === 'ERR_PROBE_DNS') return { reason: 'dns', message: cap(detail) };
  if (code === 'ERR_PROBE_BLOCKED_ADDRESS') return { reason: 'blocked-address', message: cap(detail) };
  if (code === 'ECONNREFUSED') return { reason: 'connection-refused', message: cap(`connection refused: ${detail}`) };
  if (code === 'ETIMEDOUT') return { reason: 'timeout', message: cap(detail) };
  return { reason: 'network', message: cap(code === undefined ? detail : `${detail} (${code})`) };
}

/** Read by shape, not `instanceof`: errors may come from another realm (a jest sandbox). */
function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function cap(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}
