import { BlockList, isIP, SocketAddress } from 'node:net';

/**
 * Which addresses a probe must not connect to when the prober blocks private addresses: the
 * function's own machine and network, and the instance metadata service (169.254.169.254, in
 * link-local). A monitor's URL, or a redirect, or a public name whose DNS answer points inside,
 * would otherwise let monitors.yml (or a target) reach what only the function should.
 *
 * Built on `node:net` BlockList rather than hand-written parsing: it parses every IPv6 spelling and
 * matches an IPv4-mapped IPv6 address (`::ffff:10.0.0.5`, `::ffff:a00:5`) against the IPv4 rules.
 * Not covered (no route to them from Lambda): NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
 * spellings of private IPv4 addresses.
 */
export type BlockedAddressKind = 'unspecified' | 'loopback' | 'private' | 'link-local' | 'cgnat';

const RULES: ReadonlyArray<readonly [BlockedAddressKind, string, number, 'ipv4' | 'ipv6']> = [
  // 0.0.0.0/8 is "this network" (RFC 1122): a connection to 0.0.0.0 reaches the machine itself.
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  // Unique local addresses (RFC 4193), and the site-local ones they replaced (fec0::/10).
  ['private', 'fc00::', 7, 'ipv6'],
  ['private', 'fec0::', 10, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  // Shared address space of carrier-grade NAT (RFC 6598).
  ['cgnat', '100.64.0.0', 10, 'ipv4'],
];

/** Every rule in one list, for the one check a connection costs; the kind is looked up only for a hit. */
const ALL = new BlockList();
const BY_KIND = new Map<BlockedAddressKind, BlockList>();
for (const [kind, network, prefix, family] of RULES) {
  ALL.addSubnet(network, prefix, family);
  let list = BY_KIND.get(kind);
  if (list === undefined) BY_KIND.set(kind, (list = new BlockList()));
  list.addSubnet(network, prefix, family);
}

/**
 * The kind of a blocked address, or undefined for an address the prober may connect to. `address`
 * is an IP address as DNS answers it or as a URL's host holds it (IPv6 with or without brackets);
 * anything that is not an IP address is undefined.
 */
export function blockedAddressKind(address: string): BlockedAddressKind | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 0) return undefined;
  // One parse, shared by the checks below.
  const socketAddress = new SocketAddress({ address: bare, family: family === 4 ? 'ipv4' : 'ipv6' });
  if (!ALL.check(socketAddress)) return undefined;
  for (const [kind, list] of BY_KIND) if (list.check(socketAddress)) return kind;
  return undefined;
}

/**
 * `blockedAddressKind`, except for `allowed` addresses (any spelling of them, IPv4-mapped
 * included): a private endpoint a deployment means to probe while every other stays blocked.
 */
export function addressScreen(allowed: readonly string[]): (address: string) => BlockedAddressKind | undefined {
  if (allowed.length === 0) return blockedAddressKind;
  const allowList = new BlockList();
  for (const address of allowed) {
    const family = isIP(address);
    if (family === 0) throw new RangeError(`allowed address '${address}' is not an IP address`);
    allowList.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
  }
  return (address) => {
    const kind = blockedAddressKind(address);
    if (kind === undefined) return undefined;
    const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
    return allowList.check(bare, isIP(bare) === 4 ? 'ipv4' : 'ipv6') ? undefined : kind;
  };
}

/**
 * A lookup screen for CaresResolver.lookupFunction: one blocked address refuses the whole name,
 * since a connection may try any of them. `refuse` makes the prober's own error from the message.
 */
export function blockedAddressScreen(
  blockedKind: (address: string) => BlockedAddressKind | undefined,
  refuse: (message: string) => Error,
): (hostname: string, addresses: ReadonlyArray<{ address: string }>) => Error | undefined {
  return (hostname, addresses) => {
    for (const { address } of addresses) {
      const kind = blockedKind(address);
      if (kind !== undefined) return refuse(`${hostname} resolves to ${address}, a ${kind} address, blocked`);
    }
    return undefined;
  };
}
