import { isIP } from 'node:net';
import { blockedAddressKind } from './address-blocklist';

/**
 * The local address a check's connection (or DNS query) to `destination` is sent from, given the
 * prober's configured `sourceAddress`; undefined: the system's choice.
 *
 * Why not always the configured one: `npm start` gives each local vantage point its own loopback
 * address (home 127.0.0.1, the confirmers 127.0.0.2, 127.0.0.3 …) so that a target on this
 * machine can fail for one of them only, and a socket bound to a loopback address cannot reach
 * any other host (Linux refuses the connect with EINVAL, tried). So a loopback source address is
 * used only towards a loopback destination of its own IP version, and a monitor of a public host
 * keeps working under `npm start`. Any other source address is used as given.
 *
 * `destination` is a URL's host or a name server's address: an IP address (IPv6 with or without
 * brackets) or a name. A name counts as loopback only when it is `localhost` or under `.localhost`
 * (which the resolver answers as 127.0.0.1 first, ./dns-resolver.ts); other names are resolved
 * later, too late to choose, and get the system's choice.
 */
export function sourceAddressFor(sourceAddress: string | undefined, destination: string): string | undefined {
  if (sourceAddress === undefined || blockedAddressKind(sourceAddress) !== 'loopback') return sourceAddress;
  const bare = destination.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return isIP(sourceAddress) === 4 ? sourceAddress : undefined;
  return isIP(bare) === isIP(sourceAddress) && blockedAddressKind(bare) === 'loopback' ? sourceAddress : undefined;
}
