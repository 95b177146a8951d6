import fc from 'fast-check';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import {
  assertReachableFromLambda,
  classifyTargetHost,
  findUnreachableTargets,
  type UnreachableKind,
} from '../../deploy/reachability';
import { ConfigError } from '../../lib/domain/errors';
import { thrownBy } from '../support/thrown';

describe('classifyTargetHost', () => {
  const unreachable: Array<[string, UnreachableKind, string, string]> = [
    // url, kind, host as reported, range
    ['http://127.0.0.1:4010/health', 'loopback', '127.0.0.1', '127.0.0.0/8'],
    ['https://127.255.255.254/', 'loopback', '127.255.255.254', '127.0.0.0/8'],
    ['http://127.1/', 'loopback', '127.0.0.1', '127.0.0.0/8'], // the URL parser normalises short forms
    ['http://2130706433/', 'loopback', '127.0.0.1', '127.0.0.0/8'],
    ['http://0x7f.0.0.1/', 'loopback', '127.0.0.1', '127.0.0.0/8'],
    ['http://[::1]:8080/x', 'loopback', '::1', '::1/128'],
    ['http://[0:0:0:0:0:0:0:1]/', 'loopback', '::1', '::1/128'],
    ['http://[::ffff:127.0.0.1]/', 'loopback', '::ffff:7f00:1', '127.0.0.0/8'],
    ['http://localhost:3000/', 'loopback', 'localhost', 'localhost'],
    ['http://LOCALHOST./', 'loopback', 'localhost.', 'localhost'],
    ['http://api.localhost/', 'loopback', 'api.localhost', 'localhost'],
    ['http://0.0.0.0:8080/', 'unspecified', '0.0.0.0', '0.0.0.0/8'],
    ['http://[::]/', 'unspecified', '::', '::/128'],
    ['http://10.0.0.1/', 'private', '10.0.0.1', '10.0.0.0/8'],
    ['http://10.255.255.255/', 'private', '10.255.255.255', '10.0.0.0/8'],
    ['http://172.16.0.1/', 'private', '172.16.0.1', '172.16.0.0/12'],
    ['http://172.31.255.255/', 'private', '172.31.255.255', '172.16.0.0/12'],
    ['http://192.168.1.20:8080/', 'private', '192.168.1.20', '192.168.0.0/16'],
    ['http://[fc00::1]/', 'private', 'fc00::1', 'fc00::/7'],
    ['http://[fd12:3456::1]/', 'private', 'fd12:3456::1', 'fc00::/7'],
    ['http://[::ffff:10.1.2.3]/', 'private', '::ffff:a01:203', '10.0.0.0/8'],
    ['http://169.254.169.254/latest/', 'link-local', '169.254.169.254', '169.254.0.0/16'],
    ['http://[fe80::1]/', 'link-local', 'fe80::1', 'fe80::/10'],
  ];

  it.each(unreachable)('%s is %s', (url, kind, host, range) => {
    expect(classifyTargetHost(url)).toEqual({ host, kind, range });
  });

  it.each([
    'https://example.com/',
    'https://localhost.example.com/', // a public name that merely starts with localhost
    'https://mylocalhost/',
    'http://1.1.1.1/',
    'http://11.0.0.1/',
    'http://126.255.255.255/',
    'http://128.0.0.1/',
    'http://172.15.255.255/',
    'http://172.32.0.1/',
    'http://192.167.255.255/',
    'http://192.169.0.1/',
    'http://169.253.255.255/',
    'http://169.255.0.1/',
    'http://[2606:4700:4700::1111]/',
    'http://[fe00::1]/', // just outside fe80::/10
    'http://[fec0::1]/',
    'not a url',
  ])('%s is reachable', (url) => {
    expect(classifyTargetHost(url)).toBeUndefined();
  });

  /** An independent oracle for IPv4: the ranges as integer bounds. */
  function expectedIpv4Kind(a: number, b: number): UnreachableKind | undefined {
    if (a === 127) return 'loopback';
    if (a === 0) return 'unspecified';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
    if (a === 169 && b === 254) return 'link-local';
    return undefined;
  }

  it('classifies every IPv4 address as the range bounds say', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const [a, b] = ip.split('.').map(Number) as [number, number];
        expect(classifyTargetHost(`http://${ip}/`)?.kind).toBe(expectedIpv4Kind(a, b));
      }),
      { numRuns: 2000 },
    );
  });

  it('classifies the IPv4-mapped IPv6 form of an address like the address itself', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(classifyTargetHost(`http://[::ffff:${ip}]/`)?.kind).toBe(classifyTargetHost(`http://${ip}/`)?.kind);
      }),
      { numRuns: 500 },
    );
  });
});

describe('findUnreachableTargets', () => {
  const config = parseMonitorsConfig(
    [
      'notify: { from: monitor@example.com, to: [oncall@example.com] }',
      'monitors:',
      '  - { id: api, url: "http://127.0.0.1:4010/health" }',
      '  - { id: site, url: "https://example.com/" }',
      '  - { id: nas, url: "http://192.168.1.20:8080/" }',
      '  - { id: dev, url: "http://localhost:3000/" }',
      '  - { id: metadata, url: "http://169.254.169.254/" }',
      '  - { id: db, type: tcp, url: "tcp://10.1.2.3:5432" }',
      '  - { id: cache, type: tcp, url: "tcp://[::1]:6379" }',
      '  - { id: mx, type: dns, url: "dns://example.com", dns: { type: MX, server: "127.0.0.1:5353" } }',
      '  - { id: lan, type: dns, url: "dns://localhost", dns: { server: "::1" } }',
      '  - { id: public-tcp, type: tcp, url: "tcp://db.example.com:5432" }',
      '  - { id: public-dns, type: dns, url: "dns://example.com", dns: { server: "1.1.1.1:53" } }',
    ].join('\n'),
    'monitors.yml',
  );

  it('names the file, the monitor and the field of every unreachable target, in file order', () => {
    const why = ', which Lambda cannot reach; use --stage local to run it on this machine';
    expect(findUnreachableTargets(config, 'monitors.yml')).toEqual([
      `monitors.yml: monitors[0] (api).url: 127.0.0.1 is a loopback address${why}`,
      `monitors.yml: monitors[2] (nas).url: 192.168.1.20 is a private-network address (192.168.0.0/16)${why}`,
      `monitors.yml: monitors[3] (dev).url: localhost is a loopback name${why}`,
      `monitors.yml: monitors[4] (metadata).url: 169.254.169.254 is a link-local address (169.254.0.0/16)${why}`,
      `monitors.yml: monitors[5] (db).url: 10.1.2.3 is a private-network address (10.0.0.0/8)${why}`,
      `monitors.yml: monitors[6] (cache).url: ::1 is a loopback address${why}`,
      `monitors.yml: monitors[7] (mx).dns.server: 127.0.0.1 is a loopback address${why}`,
      `monitors.yml: monitors[8] (lan).url: localhost is a loopback name${why}`,
      `monitors.yml: monitors[8] (lan).dns.server: ::1 is a loopback address${why}`,
    ]);
  });

  it('finds nothing in a file of public targets', () => {
    const publicOnly = { ...config, monitors: config.monitors.filter((monitor) => monitor.id.startsWith('public') || monitor.id === 'site') };
    expect(findUnreachableTargets(publicOnly, 'monitors.yml')).toEqual([]);
    expect(() => assertReachableFromLambda(publicOnly, 'monitors.yml')).not.toThrow();
  });

  it('throws a ConfigError with one line per unreachable target', () => {
    const thrown = thrownBy(() => assertReachableFromLambda(config, 'prod.yml'));
    expect(thrown).toBeInstanceOf(ConfigError);
    const lines = (thrown as ConfigError).message.split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe(
      'prod.yml: monitors[0] (api).url: 127.0.0.1 is a loopback address, which Lambda cannot reach; use --stage local to run it on this machine',
    );
  });
});
