import { addressScreen, blockedAddressKind, type BlockedAddressKind } from '../../lib/adapters/address-blocklist';

describe('blockedAddressKind', () => {
  const cases: Array<[string, BlockedAddressKind | undefined]> = [
    // unspecified, and "this network"
    ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'], ['::', 'unspecified'], ['0:0:0:0:0:0:0:0', 'unspecified'],
    // loopback
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['::1', 'loopback'], ['0:0:0:0:0:0:0:1', 'loopback'], ['[::1]', 'loopback'],
    // private: RFC 1918 edges, IPv6 ULA, site-local
    ['10.0.0.0', 'private'], ['10.255.255.255', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'], ['fc00::1', 'private'], ['fd12:3456:789a::1', 'private'], ['FD00::1', 'private'], ['fec0::1', 'private'],
    // link-local, the instance metadata service
    ['169.254.169.254', 'link-local'], ['169.254.0.1', 'link-local'], ['fe80::1', 'link-local'], ['febf::1', 'link-local'], ['fe80::1%eth0', 'link-local'],
    // CGNAT
    ['100.64.0.1', 'cgnat'], ['100.127.255.255', 'cgnat'],
    // IPv4-mapped IPv6, dotted and hex
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::ffff:10.0.0.5', 'private'], ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:100.64.0.1', 'cgnat'], ['::ffff:0.0.0.0', 'unspecified'], ['[::ffff:192.168.1.1]', 'private'],
    // public, and the edges just outside the blocked ranges
    ['8.8.8.8', undefined], ['1.1.1.1', undefined], ['9.255.255.255', undefined], ['11.0.0.0', undefined], ['172.15.255.255', undefined],
    ['172.32.0.0', undefined], ['192.167.255.255', undefined], ['192.169.0.0', undefined], ['169.253.255.255', undefined],
    ['169.255.0.0', undefined], ['100.63.255.255', undefined], ['100.128.0.0', undefined], ['128.0.0.1', undefined],
    ['::ffff:8.8.8.8', undefined], ['2606:4700::1111', undefined], ['fbff::1', undefined], ['fe00::1', undefined], ['::2', undefined],
    // not an IP address
    ['localhost', undefined], ['example.com', undefined], ['', undefined], ['999.1.1.1', undefined],
  ];

  it.each(cases)('%s is %s', (address, kind) => {
    expect(blockedAddressKind(address)).toBe(kind);
  });
});

describe('addressScreen', () => {
  it('lets the allowed addresses through, in any spelling, and blocks the rest as blockedAddressKind does', () => {
    const screen = addressScreen(['127.0.0.2', 'fd00::5']);
    expect([screen('127.0.0.2'), screen('::ffff:127.0.0.2'), screen('fd00:0::5'), screen('[fd00::5]')]).toEqual([undefined, undefined, undefined, undefined]);
    expect([screen('127.0.0.1'), screen('fd00::6'), screen('169.254.169.254'), screen('8.8.8.8')]).toEqual(['loopback', 'private', 'link-local', undefined]);
  });

  it('is blockedAddressKind itself when nothing is allowed', () => {
    expect(addressScreen([])).toBe(blockedAddressKind);
  });

  it('refuses an allowed address that is not an IP address', () => {
    expect(() => addressScreen(['internal.example.com'])).toThrow(/not an IP address/);
  });
});
