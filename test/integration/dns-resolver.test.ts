import type { LookupAddress } from 'node:dns';
import { createSocket } from 'node:dgram';
import type { LookupFunction } from 'node:net';
import { CaresResolver, DnsLookupError } from '../../lib/adapters/dns-resolver';
import { QTYPE_A, QTYPE_AAAA, startDnsServer, type RunningDnsServer } from '../support/dns-server';

/** CaresResolver against a real DNS server on 127.0.0.1 (test/support/dns-server.ts, TEST_ZONE). */
let server: RunningDnsServer;

beforeAll(async () => {
  server = await startDnsServer();
});

afterAll(async () => {
  await server.close();
});

/** How many queries of `type` for `name` the server has seen. */
function queriesFor(name: string, type = QTYPE_A): number {
  return server.queries.filter((query) => query.name === name && query.type === type).length;
}

/** A clock the test moves. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let nowMs = 1000;
  return { now: () => nowMs, advance: (ms) => (nowMs += ms) };
}

async function rejection(promise: Promise<unknown>): Promise<DnsLookupError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof DnsLookupError)) throw new Error(`expected a DnsLookupError, got ${String(error)}`);
  return error;
}

function callLookup(lookup: LookupFunction, hostname: string, options: { all?: boolean; family?: number }): Promise<{ error: unknown; address: unknown; family: unknown }> {
  return new Promise((resolve) => lookup(hostname, options, (error, address, family) => resolve({ error, address, family })));
}

describe('CaresResolver', () => {
  it('answers a name with its A records', async () => {
    const resolver = new CaresResolver({ servers: [server.address] });
    expect(await resolver.resolve('private-7.test')).toEqual([{ address: '10.0.0.7', family: 4 }]);
  });

  it('answers with AAAA records when the name has no A record', async () => {
    const resolver = new CaresResolver({ servers: [server.address] });
    expect(await resolver.resolve('v6only.test')).toEqual([{ address: '::1', family: 6 }]);
    expect(queriesFor('v6only.test', QTYPE_A)).toBeGreaterThanOrEqual(1);
    expect(queriesFor('v6only.test', QTYPE_AAAA)).toBeGreaterThanOrEqual(1);
  });

  it('keeps an answer for its TTL, then asks again', async () => {
    const clock = manualClock();
    const resolver = new CaresResolver({ servers: [server.address], monotonicNowMs: clock.now });
    await resolver.resolve('ttl1.test');
    clock.advance(900);
    await resolver.resolve('ttl1.test');
    expect(queriesFor('ttl1.test')).toBe(1);
    clock.advance(200);
    await resolver.resolve('ttl1.test');
    expect(queriesFor('ttl1.test')).toBe(2);
  });

  it('keeps an answer no longer than maxTtlMs, whatever its TTL', async () => {
    const clock = manualClock();
    const resolver = new CaresResolver({ servers: [server.address], monotonicNowMs: clock.now, maxTtlMs: 5000 });
    await resolver.resolve('ok-100.test');
    clock.advance(4999);
    await resolver.resolve('ok-100.test');
    expect(queriesFor('ok-100.test')).toBe(1);
    clock.advance(2);
    await resolver.resolve('ok-100.test');
    expect(queriesFor('ok-100.test')).toBe(2);
  });

  it('shares one query between lookups of a name in flight', async () => {
    const resolver = new CaresResolver({ servers: [server.address] });
    const answers = await Promise.all(Array.from({ length: 10 }, () => resolver.resolve('ok-101.test')));
    expect(answers.map((answer) => answer[0]?.address)).toEqual(Array(10).fill('127.0.0.1'));
    expect(queriesFor('ok-101.test')).toBe(1);
  });

  it('holds at most maxCacheEntries names, dropping the oldest', async () => {
    const resolver = new CaresResolver({ servers: [server.address], maxCacheEntries: 2 });
    for (const name of ['ok-102.test', 'ok-103.test', 'ok-104.test']) await resolver.resolve(name);
    expect(resolver.cacheSize).toBe(2);
    await resolver.resolve('ok-104.test');
    await resolver.resolve('ok-102.test');
    expect([queriesFor('ok-102.test'), queriesFor('ok-103.test'), queriesFor('ok-104.test')]).toEqual([2, 1, 1]);
  });

  it('does not keep a failure: the next lookup asks again', async () => {
    const resolver = new CaresResolver({ servers: [server.address] });
    await rejection(resolver.resolve('missing-105.test'));
    await rejection(resolver.resolve('missing-105.test'));
    expect(queriesFor('missing-105.test')).toBe(2);
  });

  it.each([
    ['missing.test', 'ENOTFOUND'],
    ['servfail.test', 'ESERVFAIL'],
    ['refused.test', 'EREFUSED'],
  ])('a failed lookup of %s is a DnsLookupError with the resolver code %s', async (name, dnsCode) => {
    const error = await rejection(new CaresResolver({ servers: [server.address] }).resolve(name));
    expect(error).toMatchObject({ code: 'ERR_PROBE_DNS', dnsCode, hostname: name, message: `DNS lookup failed for ${name} (${dnsCode})` });
  });

  it('a name server that refuses the connection is a DnsLookupError, not a refused target', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const closedPort = socket.address().port;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    const error = await rejection(new CaresResolver({ servers: [`127.0.0.1:${closedPort}`], timeoutMs: 600 }).resolve('ok-1.test'));
    expect(error).toMatchObject({ code: 'ERR_PROBE_DNS', dnsCode: 'ECONNREFUSED' });
  });

  it('a name server that never answers fails the lookup with ETIMEOUT after about timeoutMs', async () => {
    const started = performance.now();
    const error = await rejection(new CaresResolver({ servers: [server.address], timeoutMs: 300 }).resolve('hang-106.test'));
    expect(error.dnsCode).toBe('ETIMEOUT');
    // c-ares rounds its timers up: about 300 ms, well under a second.
    expect(performance.now() - started).toBeLessThan(1500);
    expect(queriesFor('hang-106.test')).toBe(2);
  });

  it('cancelPending ends the lookups in flight at once', async () => {
    const resolver = new CaresResolver({ servers: [server.address], timeoutMs: 30_000 });
    const pending = rejection(resolver.resolve('hang-107.test'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    resolver.cancelPending();
    expect((await pending).dnsCode).toBe('ECANCELLED');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('answers localhost and *.localhost as loopback without a query', async () => {
    const resolver = new CaresResolver({ servers: [server.address] });
    const loopback = [
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ];
    const before = server.queries.length;
    for (const name of ['localhost', 'localhost.', 'api.localhost']) expect(await resolver.resolve(name)).toEqual(loopback);
    expect(server.queries.length).toBe(before);
  });

  describe('lookupFunction, as net.connect calls it', () => {
    let lookup: LookupFunction;
    beforeAll(() => {
      lookup = new CaresResolver({ servers: [server.address] }).lookupFunction();
    });

    it('answers every address with all, the first one without', async () => {
      expect(await callLookup(lookup, 'localhost', { all: true })).toEqual({
        error: null,
        address: [
          { address: '127.0.0.1', family: 4 },
          { address: '::1', family: 6 },
        ],
        family: undefined,
      });
      expect(await callLookup(lookup, 'localhost', {})).toEqual({ error: null, address: '127.0.0.1', family: 4 });
    });

    it('keeps to the family asked for', async () => {
      expect(await callLookup(lookup, 'localhost', { family: 6 })).toEqual({ error: null, address: '::1', family: 6 });
      const { error } = await callLookup(lookup, 'ok-107.test', { family: 6 });
      expect(error).toMatchObject({ code: 'ERR_PROBE_DNS', dnsCode: 'ENODATA' });
    });

    it('passes a resolver failure on', async () => {
      const { error } = await callLookup(lookup, 'missing.test', { all: true });
      expect(error).toBeInstanceOf(DnsLookupError);
    });

    it('passes on the error the screen makes of the addresses', async () => {
      const seen: Array<readonly LookupAddress[]> = [];
      const screened = new CaresResolver({ servers: [server.address] }).lookupFunction((hostname, addresses) => {
        seen.push(addresses);
        return hostname === 'private-9.test' ? new Error('refused by the screen') : undefined;
      });
      expect((await callLookup(screened, 'private-9.test', { all: true })).error).toMatchObject({ message: 'refused by the screen' });
      expect((await callLookup(screened, 'ok-108.test', { all: true })).error).toBeNull();
      expect(seen).toEqual([[{ address: '10.0.0.9', family: 4 }], [{ address: '127.0.0.1', family: 4 }]]);
    });
  });
});
