import { promises as dns, type LookupAddress, type RecordWithTtl } from 'node:dns';
import type { LookupFunction } from 'node:net';

/**
 * Name resolution for the prober with c-ares (Node's own `node:dns` Resolver binding: no
 * dependency), not `dns.lookup`.
 *
 * Why: `dns.lookup`, what `http.request` uses unless told otherwise, runs getaddrinfo on libuv's
 * thread pool, 4 threads in all. Four lookups that hang (a target's broken name server) hold every
 * thread, and every other check's lookup queues behind them until it fails as `timeout`: a false
 * outage of healthy monitors. c-ares sends its queries on sockets of the event loop, so a hanging
 * lookup holds nothing but its own check. Measured by tools/bench/dns-starvation.ts and
 * test/integration/dns-starvation.test.ts.
 *
 * What c-ares does not do that getaddrinfo did: read /etc/hosts and nsswitch. `localhost` and
 * `*.localhost` are answered here as loopback (RFC 6761 §6.3 says they are, whatever a resolver
 * says); no other name of /etc/hosts resolves (on Lambda that file names only localhost). Nor are
 * resolv.conf's search domains tried: a monitor's URL names its host in full.
 * A name resolves to its A records, or to its AAAA records when it has no A record.
 */

/** The longest an answer is kept, whatever its TTL. */
export const DEFAULT_MAX_TTL_MS = 60_000;
/** The most names kept; past it the oldest entry goes. */
export const DEFAULT_MAX_CACHE_ENTRIES = 1000;
/** How long a lookup waits for a name server before it fails as `dns` (ETIMEOUT), about. */
export const DEFAULT_DNS_TIMEOUT_MS = 3000;

export interface CaresResolverOptions {
  /** Name servers (`ip` or `ip:port`, `[ipv6]:port`). Default: those of /etc/resolv.conf. */
  servers?: string[];
  /**
   * About how long one lookup waits for an answer in all: c-ares tries twice, waiting a third of it,
   * then twice that (c-ares rounds its timers, so a short timeout can take somewhat longer).
   */
  timeoutMs?: number;
  /** How many names the cache holds at most. Default 1000. */
  maxCacheEntries?: number;
  /** The longest an answer is cached; shorter when its TTL is. Default 60 s. */
  maxTtlMs?: number;
  /** A monotonic clock in milliseconds, for the cache. Default `performance.now`. */
  monotonicNowMs?: () => number;
}

/** A failed lookup, with the resolver's code (ENOTFOUND, ENODATA, ESERVFAIL, ETIMEOUT, ECONNREFUSED...). */
export class DnsLookupError extends Error {
  override readonly name = 'DnsLookupError';
  /** One code for every resolver failure: a resolver's ECONNREFUSED is not a refused connection to the target. */
  readonly code = 'ERR_PROBE_DNS';

  constructor(
    readonly hostname: string,
    readonly dnsCode: string,
    options?: { cause: unknown },
  ) {
    super(`DNS lookup failed for ${hostname} (${dnsCode})`, options);
  }
}

interface CacheEntry {
  addresses: readonly LookupAddress[];
  expiresAtMonotonicMs: number;
}

const LOOPBACK: readonly LookupAddress[] = Object.freeze([
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
]);

/** Resolves names with c-ares, caching answers for their TTL (capped) and sharing a lookup in flight. */
export class CaresResolver {
  private readonly resolver: dns.Resolver;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<readonly LookupAddress[]>>();
  private readonly maxCacheEntries: number;
  private readonly maxTtlMs: number;
  private readonly monotonicNowMs: () => number;

  constructor(options: CaresResolverOptions = {}) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 3) throw new RangeError(`DNS timeout must be a whole number of 3 ms or more, got ${timeoutMs}`);
    this.maxCacheEntries = options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES;
    if (!Number.isInteger(this.maxCacheEntries) || this.maxCacheEntries < 0) {
      throw new RangeError(`maxCacheEntries must be a non-negative integer, got ${this.maxCacheEntries}`);
    }
    this.maxTtlMs = options.maxTtlMs ?? DEFAULT_MAX_TTL_MS;
    this.monotonicNowMs = options.monotonicNowMs ?? (() => performance.now());
    this.resolver = new dns.Resolver({ timeout: Math.round(timeoutMs / 3), tries: 2 });
    if (options.servers !== undefined) this.resolver.setServers(options.servers);
  }

  /** How many names the cache holds now. */
  get cacheSize(): number {
    return this.cache.size;
  }

  /**
   * Ends the queries in flight (their lookups fail with ECANCELLED). A lookup whose check ended
   * first, at its timeout, goes on until the name server answers or c-ares gives up: this lets a
   * process that is done (a test, a bench) end without waiting for them.
   */
  cancelPending(): void {
    this.resolver.cancel();
  }

  /**
   * The addresses of `hostname` (lower case, as a URL's hostname is): its A records, else its AAAA
   * records. Rejects with a DnsLookupError.
   */
  resolve(hostname: string): Promise<readonly LookupAddress[]> {
    const bare = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
    if (bare === 'localhost' || bare.endsWith('.localhost')) return Promise.resolve(LOOPBACK);
    const cached = this.cache.get(hostname);
    if (cached !== undefined) {
      if (cached.expiresAtMonotonicMs > this.monotonicNowMs()) return Promise.resolve(cached.addresses);
      this.cache.delete(hostname);
    }
    let pending = this.inFlight.get(hostname);
    if (pending === undefined) {
      pending = this.query(hostname).finally(() => this.inFlight.delete(hostname));
      this.inFlight.set(hostname, pending);
    }
    return pending;
  }

  /** A `lookup` for `net.connect`/`http.request`, answering from `resolve`; `screen` may refuse the addresses with an error. */
  lookupFunction(screen?: (hostname: string, addresses: readonly LookupAddress[]) => Error | undefined): LookupFunction {
    return (hostname, options, callback) => {
      this.resolve(hostname).then(
        (resolved) => {
          const family = options.family === 4 || options.family === 6 ? options.family : 0;
          const addresses = family === 0 ? resolved : resolved.filter((entry) => entry.family === family);
          const first = addresses[0];
          const error = first === undefined ? new DnsLookupError(hostname, 'ENODATA') : screen?.(hostname, addresses);
          if (error !== undefined || first === undefined) callback(error ?? null, '');
          else if (options.all === true) callback(null, addresses as LookupAddress[]);
          else callback(null, first.address, first.family);
        },
        (error: unknown) => callback(error as NodeJS.ErrnoException, ''),
      );
    };
  }

  private async query(hostname: string): Promise<readonly LookupAddress[]> {
    let records: RecordWithTtl[];
    let family: 4 | 6 = 4;
    try {
      records = await this.resolver.resolve4(hostname, { ttl: true });
      if (records.length === 0) throw Object.assign(new Error('no A record'), { code: 'ENODATA' });
    } catch (error) {
      if (codeOf(error) !== 'ENODATA') throw new DnsLookupError(hostname, codeOf(error), { cause: error });
      try {
        records = await this.resolver.resolve6(hostname, { ttl: true });
        family = 6;
      } catch (error6) {
        throw new DnsLookupError(hostname, codeOf(error6), { cause: error6 });
      }
      if (records.length === 0) throw new DnsLookupError(hostname, 'ENODATA');
    }
    const addresses = Object.freeze(records.map((record) => ({ address: record.address, family })));
    const ttlMs = Math.min(this.maxTtlMs, Math.min(...records.map((record) => record.ttl)) * 1000);
    if (ttlMs > 0 && this.maxCacheEntries > 0) {
      if (this.cache.size >= this.maxCacheEntries) {
        // Map keeps insertion order: the first key is the oldest entry.
        const oldest = this.cache.keys().next();
        if (oldest.done !== true) this.cache.delete(oldest.value);
      }
      this.cache.set(hostname, { addresses, expiresAtMonotonicMs: this.monotonicNowMs() + ttlMs });
    }
    return addresses;
  }
}

function codeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}
