import { isSecretRef, type SecretValue } from '../lib/domain/secret-ref';
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../lib/domain/errors';
import type { MonitorsConfig } from '../lib/domain/types';

/** Why a deployed Lambda function (outside any VPC) cannot reach a target host. */
export type UnreachableKind = 'loopback' | 'private' | 'link-local' | 'unspecified';

export interface UnreachableHost {
  /** The host as written in the URL (IPv4 normalised by the URL parser, IPv6 without brackets). */
  host: string;
  kind: UnreachableKind;
  /** The address range it falls in, e.g. `10.0.0.0/8`; for the name localhost, `localhost`. */
  range: string;
}

interface Range {
  kind: UnreachableKind;
  network: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** The ranges a Lambda function cannot reach. IPv4-mapped IPv6 (::ffff:a.b.c.d) matches the IPv4 ranges. */
const RANGES: readonly Range[] = [
  { kind: 'loopback', network: '127.0.0.0', prefix: 8, family: 'ipv4' },
  { kind: 'loopback', network: '::1', prefix: 128, family: 'ipv6' },
  { kind: 'unspecified', network: '0.0.0.0', prefix: 8, family: 'ipv4' },
  { kind: 'unspecified', network: '::', prefix: 128, family: 'ipv6' },
  { kind: 'private', network: '10.0.0.0', prefix: 8, family: 'ipv4' },
  { kind: 'private', network: '172.16.0.0', prefix: 12, family: 'ipv4' },
  { kind: 'private', network: '192.168.0.0', prefix: 16, family: 'ipv4' },
  { kind: 'private', network: 'fc00::', prefix: 7, family: 'ipv6' },
  { kind: 'link-local', network: '169.254.0.0', prefix: 16, family: 'ipv4' },
  { kind: 'link-local', network: 'fe80::', prefix: 10, family: 'ipv6' },
];

const BLOCKS = RANGES.map((range) => {
  const block = new BlockList();
  block.addSubnet(range.network, range.prefix, range.family);
  return { range, block };
});

const DESCRIPTIONS: Readonly<Record<UnreachableKind, string>> = {
  loopback: 'a loopback address',
  unspecified: 'the unspecified address (it means this machine)',
  private: 'a private-network address',
  'link-local': 'a link-local address',
};

/**
 * Whether the host of a monitor's URL is one a Lambda function cannot reach: a loopback, private,
 * link-local or unspecified address given literally, or the name `localhost` (and `*.localhost`,
 * which RFC 6761 reserves for loopback). Pure: no DNS lookup, so a public name that resolves to a
 * private address is not caught. Undefined for any other host, and for text that is not a URL.
 */
export function classifyTargetHost(url: string): UnreachableHost | undefined {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return { host, kind: 'loopback', range: 'localhost' };
  const family = isIP(host);
  if (family === 0) return undefined;
  for (const { range, block } of BLOCKS) {
    if (block.check(host, family === 4 ? 'ipv4' : 'ipv6')) {
      return { host, kind: range.kind, range: `${range.network}/${range.prefix}` };
    }
  }
  return undefined;
}

/**
 * One message per monitor whose URL a deployed stack cannot probe, naming the file, the monitor and
 * the field: `monitors.yml: monitors[0] (api).url: 127.0.0.1 is a loopback address, which Lambda
 * cannot reach; use --stage local to run it on this machine`. The URL's host is checked for every
 * type (`http(s)://`, `tcp://host:port`, `dns://name`), and a dns monitor's `dns.server` too.
 */
export function findUnreachableTargets(config: MonitorsConfig, fileName: string): string[] {
  return config.monitors.flatMap((monitor, index) => {
    const field = `${fileName}: monitors[${index}] (${monitor.id})`;
    // A URL kept in a secret reference is not known at package time; the probe refuses private
    // addresses at run time (reason blocked-address).
    const unreachable = isSecretRef(monitor.url) ? undefined : classifyTargetHost(monitor.url);
    const server = monitor.dns?.server === undefined ? undefined : classifyTargetHost(`dns://${isIP(monitor.dns.server) === 6 ? `[${monitor.dns.server}]` : monitor.dns.server}`);
    return [
      ...(unreachable ? [`${field}.url: ${describeUnreachable(unreachable)}`] : []),
      ...(server ? [`${field}.dns.server: ${describeUnreachable(server)}`] : []),
    ];
  }).concat(findUnreachableChannels(config, fileName));
}

/** A channel's literal URL that a deployed notifier cannot reach (loopback, private): for the local stage only, as monitor URLs are. */
function findUnreachableChannels(config: MonitorsConfig, fileName: string): string[] {
  return config.channels.flatMap((channel) => {
    const urls: Array<[string, SecretValue | undefined]> =
      channel.type === 'pagerduty' ? [['url', channel.url]] : 'url' in channel ? [['url', channel.url]] : [];
    return urls.flatMap(([field, url]) => {
      if (url === undefined || isSecretRef(url)) return [];
      const unreachable = classifyTargetHost(url);
      return unreachable ? [`${fileName}: channels.${channel.name}.${field}: ${describeUnreachable(unreachable)}`] : [];
    });
  });
}

/** Throws a ConfigError listing every monitor a deployed stack cannot reach. */
export function assertReachableFromLambda(config: MonitorsConfig, fileName: string): void {
  const messages = findUnreachableTargets(config, fileName);
  if (messages.length > 0) throw new ConfigError(messages.join('\n'));
}

function describeUnreachable({ host, kind, range }: UnreachableHost): string {
  const what =
    range === 'localhost'
      ? 'a loopback name'
      : kind === 'loopback'
        ? DESCRIPTIONS.loopback
        : `${DESCRIPTIONS[kind]} (${range})`;
  return `${host} is ${what}, which Lambda cannot reach; use --stage local to run it on this machine`;
}
