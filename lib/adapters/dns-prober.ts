import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { findDnsMismatch } from '../domain/dns-answer';
import type { Prober } from '../domain/ports';
import type { DnsRecordType, ProbeFailureReason, ProbeOutcome, ProbeTarget } from '../domain/types';
import { addressScreen, type BlockedAddressKind } from './address-blocklist';
import { sourceAddressFor } from './source-address';

/** The longest error detail copied into an outcome's message. */
const MAX_MESSAGE_CHARS = 200;

export interface DnsProberOptions {
  /** A monotonic clock in milliseconds, for latency. Default `performance.now`. */
  monotonicNowMs?: () => number;
  /** Refuse to query a `server` on a loopback, private, link-local, CGNAT or unspecified address (`blocked-address`). */
  blockPrivateAddresses?: boolean;
  /** IP addresses `blockPrivateAddresses` lets through all the same. */
  allowedAddresses?: readonly string[];
  /**
   * As HttpProber's: the local address queries are sent from, when every name server asked can be
   * reached from it (a loopback one reaches loopback name servers only, ./source-address.ts).
   */
  sourceAddress?: string;
}

type Resolver = InstanceType<typeof dns.Resolver>;

/** Each record type's query, and the text its records are compared by. */
const QUERIES: Readonly<Record<DnsRecordType, (resolver: Resolver, name: string) => Promise<string[]>>> = {
  A: (resolver, name) => resolver.resolve4(name),
  AAAA: (resolver, name) => resolver.resolve6(name),
  CNAME: (resolver, name) => resolver.resolveCname(name),
  // The exchange, not the preference: `expect: [mail.example.com]`.
  MX: async (resolver, name) => (await resolver.resolveMx(name)).map((record) => record.exchange),
  NS: (resolver, name) => resolver.resolveNs(name),
  // A TXT record's strings (at most 255 bytes each) joined: the value as published.
  TXT: async (resolver, name) => (await resolver.resolveTxt(name)).map((chunks) => chunks.join('')),
  // The target host.
  SRV: async (resolver, name) => (await resolver.resolveSrv(name)).map((record) => record.name),
  // `<tag> <value>`: `issue letsencrypt.org`.
  CAA: async (resolver, name) =>
    (await resolver.resolveCaa(name)).flatMap((record) =>
      Object.entries(record)
        .filter(([tag]) => tag !== 'critical')
        .map(([tag, value]) => `${tag} ${String(value)}`),
    ),
  PTR: (resolver, name) => resolver.resolvePtr(name),
  // The primary name server.
  SOA: async (resolver, name) => [(await resolver.resolveSoa(name)).nsname],
};

class DnsProbeError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Checks a `dns://name` target: asks for its records of the monitor's type (`dns.type`, default
 * A), from `dns.server` when given (`ip` or `ip:port`), else from the system's name servers
 * (/etc/resolv.conf), with c-ares (`node:dns` Resolver, a new one per check so that the check's
 * timeout can cancel its query and nothing else).
 *
 * An answer set that holds every value of `dns.expect` (compared without case or trailing dot,
 * lib/domain/dns-answer.ts) is a success, as is any answer when nothing is expected. NXDOMAIN or
 * no record of the type fails as `dns`, a name server that does not answer within the monitor's
 * timeout as `timeout`, an answer without an expected value as `dns-mismatch`. Latency runs to the
 * answer.
 *
 * `probe()` never throws: every failure comes back as an `error` outcome.
 */
export class DnsProber implements Prober {
  private readonly monotonicNowMs: () => number;
  private readonly blockedKind: ((address: string) => BlockedAddressKind | undefined) | undefined;
  private readonly sourceAddress: string | undefined;

  constructor(options: DnsProberOptions = {}) {
    this.monotonicNowMs = options.monotonicNowMs ?? (() => performance.now());
    this.sourceAddress = options.sourceAddress;
    this.blockedKind = options.blockPrivateAddresses === true ? addressScreen(options.allowedAddresses ?? []) : undefined;
  }

  async probe(target: ProbeTarget, signal?: AbortSignal): Promise<ProbeOutcome> {
    const monotonicStartMs = this.monotonicNowMs();
    const elapsed = (): number => Math.max(0, Math.round(this.monotonicNowMs() - monotonicStartMs));
    const check = target.dns ?? { recordType: 'A' as const };
    let name = target.url;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      name = parseDnsUrl(target.url);
      // c-ares tries twice, each try waiting half the monitor's timeout; the timer below bounds the whole.
      const resolver = new dns.Resolver({ timeout: Math.max(1, Math.ceil(target.timeoutMs / 2)), tries: 2 });
      if (check.server !== undefined) {
        const host = serverHost(check.server);
        const kind = this.blockedKind?.(host);
        if (kind !== undefined) throw new DnsProbeError(`name server ${check.server} is a ${kind} address, blocked`, 'ERR_PROBE_BLOCKED_ADDRESS');
        resolver.setServers([check.server]);
      }
      this.sendFromSourceAddress(resolver);
      if (signal?.aborted) throw new DnsProbeError('probe cancelled', 'ECANCELLED');
      const values = await new Promise<string[]>((resolve, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          resolver.cancel();
        }, target.timeoutMs);
        onAbort = () => resolver.cancel();
        signal?.addEventListener('abort', onAbort, { once: true });
        QUERIES[check.recordType](resolver, name).then(resolve, reject);
      });
      if (values.length === 0) throw new DnsProbeError(`no ${check.recordType} record for ${name}`, 'ENODATA');
      const mismatch = check.expect === undefined ? undefined : findDnsMismatch(name, check.recordType, check.expect, values);
      if (mismatch !== undefined) return { kind: 'error', reason: 'dns-mismatch', message: mismatch, latencyMs: elapsed() };
      return { kind: 'answered', values, latencyMs: elapsed() };
    } catch (error) {
      return { kind: 'error', ...classifyDnsError(error, name, check.recordType, target, timedOut, signal), latencyMs: elapsed() };
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Binds the resolver's queries to the source address, if every one of its name servers can be reached from it. */
  private sendFromSourceAddress(resolver: Resolver): void {
    if (this.sourceAddress === undefined) return;
    const source = this.sourceAddress;
    if (!resolver.getServers().every((server) => sourceAddressFor(source, serverHost(server)) === source)) return;
    if (isIP(source) === 4) resolver.setLocalAddress(source);
    else resolver.setLocalAddress('0.0.0.0', source);
  }
}

/** The name of `dns://name`, without a trailing dot; throws a DnsProbeError for anything else. */
export function parseDnsUrl(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || parsed.protocol !== 'dns:' || parsed.hostname === '') throw new DnsProbeError(`not a dns://name URL: ${url}`, 'ERR_INVALID_URL');
  return parsed.hostname.replace(/\.$/, '');
}

/** The address of a `server` (`ip`, `ip:port`, `[ipv6]:port`). */
export function serverHost(server: string): string {
  if (isIP(server) !== 0) return server;
  const bracketed = /^\[(.*)\](?::\d+)?$/.exec(server);
  if (bracketed) return bracketed[1] as string;
  return server.replace(/:\d+$/, '');
}

function classifyDnsError(
  error: unknown,
  name: string,
  recordType: DnsRecordType,
  target: ProbeTarget,
  timedOut: boolean,
  signal: AbortSignal | undefined,
): { reason: ProbeFailureReason; message: string } {
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const detail = typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : String(error);
  if (timedOut || code === 'ETIMEOUT') return { reason: 'timeout', message: `no DNS answer for ${recordType} ${name} within ${target.timeoutMs} ms` };
  if (signal?.aborted) return { reason: 'timeout', message: 'probe cancelled before an answer (the run ran out of time)' };
  if (code === 'ERR_PROBE_BLOCKED_ADDRESS') return { reason: 'blocked-address', message: cap(detail) };
  if (code === 'ENOTFOUND') return { reason: 'dns', message: cap(`${name} does not exist (NXDOMAIN)`) };
  if (code === 'ENODATA') return { reason: 'dns', message: cap(`no ${recordType} record for ${name}`) };
  if (code !== undefined && /^E[A-Z]+$/.test(code)) return { reason: 'dns', message: cap(`DNS query ${recordType} ${name} failed (${code})`) };
  return { reason: 'network', message: cap(code === undefined ? detail : `${detail} (${code})`) };
}

function cap(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}
