import type { Prober } from '../domain/ports';
import type { ProbeOutcome, ProbeTarget } from '../domain/types';
import { DnsProber } from './dns-prober';
import { HttpProber } from './http-prober';
import { TcpProber } from './tcp-prober';

/** A heartbeat target reached the prober: heartbeats are pinged, never probed. */
export class UnprobeableTargetError extends Error {
  override readonly name = 'UnprobeableTargetError';
}

export interface MonitorProberOptions {
  /** As HttpProber's, for every type: refuse loopback, private, link-local, CGNAT and unspecified addresses. */
  blockPrivateAddresses?: boolean;
  /** As HttpProber's, for every type: the local address checks are sent from. Default: the system's choice. */
  sourceAddress?: string;
}

/**
 * The probe's one Prober: routes each target by its type to the prober of that type (http, the
 * default, to HttpProber; tcp to TcpProber; dns to DnsProber). A heartbeat target is a caller's
 * mistake and throws UnprobeableTargetError; every other failure comes back as an outcome.
 */
export class MonitorProber implements Prober {
  constructor(
    private readonly probers: { http: Prober; tcp: Prober; dns: Prober },
  ) {}

  /** The probers of deployed and local stacks, sharing their settings. */
  static create(options: MonitorProberOptions = {}): MonitorProber {
    const shared = { blockPrivateAddresses: options.blockPrivateAddresses === true, sourceAddress: options.sourceAddress };
    return new MonitorProber({ http: new HttpProber(shared), tcp: new TcpProber(shared), dns: new DnsProber(shared) });
  }

  async probe(target: ProbeTarget, signal?: AbortSignal): Promise<ProbeOutcome> {
    const type = target.type ?? 'http';
    if (type === 'heartbeat') throw new UnprobeableTargetError(`a heartbeat monitor is not probed (${target.url || 'no URL'}): its job pings it`);
    return this.probers[type].probe(target, signal);
  }
}
