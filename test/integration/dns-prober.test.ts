import { DnsProber } from '../../lib/adapters/dns-prober';
import { buildProbeTarget } from '../../lib/app/probe-targets';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { evaluateResult } from '../../lib/domain/evaluate';
import type { ProbeOutcome, ProbeTarget } from '../../lib/domain/types';
import { mxData, nameData, QTYPE_A, QTYPE_CNAME, QTYPE_MX, QTYPE_TXT, startDnsServer, txtData, type DnsZone, type RunningDnsServer } from '../support/dns-server';

/** DnsProber against a real DNS server on 127.0.0.1 (test/support/dns-server.ts). */
const ZONE: DnsZone = ({ name, type }) => {
  if (name === 'example.test') {
    if (type === QTYPE_A) return { addresses: ['192.0.2.10', '192.0.2.11'] };
    if (type === QTYPE_MX) return { rdata: [mxData(10, 'Mail.Example.test'), mxData(20, 'backup.example.test')] };
    if (type === QTYPE_TXT) return { rdata: [txtData('v=spf1 ', 'include:_spf.example.test ~all'), txtData('other')] };
    return { addresses: [] };
  }
  if (name === 'www.example.test' && type === QTYPE_CNAME) return { rdata: [nameData('example.test')] };
  if (name === 'hang.example.test') return 'no-answer';
  return { rcode: 'NXDOMAIN' };
};

let server: RunningDnsServer;
const prober = new DnsProber();

beforeAll(async () => {
  server = await startDnsServer(ZONE);
});

afterAll(async () => {
  await server.close();
});

/** The target of a dns monitor of monitors.yml asking `server`, as the probe builds it. */
function dnsTarget(name: string, dns: string, timeout = '2s'): ProbeTarget {
  const config = parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: records, name: Records, type: dns, url: "dns://${name}", timeout: ${timeout}, dns: { ${dns}, server: "${server.address}" } }
`,
    'monitors.yml',
  );
  return buildProbeTarget(config.monitors[0] as NonNullable<(typeof config.monitors)[0]>);
}

function asError(outcome: ProbeOutcome): Extract<ProbeOutcome, { kind: 'error' }> {
  if (outcome.kind !== 'error') throw new Error(`expected an error, got ${outcome.kind}`);
  return outcome;
}

describe('DnsProber', () => {
  it.each([
    ['A', 'example.test', 'type: A, expect: [192.0.2.11]', ['192.0.2.10', '192.0.2.11']],
    ['MX (the exchange, without case or trailing dot)', 'example.test', 'type: MX, expect: ["mail.example.test."]', ['Mail.Example.test', 'backup.example.test']],
    ['TXT (its strings joined)', 'example.test', 'type: TXT, expect: ["v=spf1 include:_spf.example.test ~all"]', ['v=spf1 include:_spf.example.test ~all', 'other']],
    ['CNAME', 'www.example.test', 'type: CNAME, expect: [example.test]', ['example.test']],
    ['MX with nothing expected (any answer)', 'example.test', 'type: MX', ['Mail.Example.test', 'backup.example.test']],
  ])('answers a matching %s as a success', async (_case, name, dns, values) => {
    const outcome = await prober.probe(dnsTarget(name, dns));
    expect(outcome).toMatchObject({ kind: 'answered', values });
    // The HTTP expectations (status 200) do not apply.
    const result = evaluateResult({ status: [200] }, outcome, '2026-05-04T10:00:00.000Z');
    expect(result).toEqual({ ok: true, checkedAt: '2026-05-04T10:00:00.000Z', latencyMs: outcome.latencyMs });
  });

  it('fails an answer without an expected value as dns-mismatch, saying what was expected and what came back', async () => {
    const outcome = asError(await prober.probe(dnsTarget('example.test', 'type: MX, expect: [mail.example.test, mx.other.test]')));
    expect(outcome.reason).toBe('dns-mismatch');
    expect(outcome.message).toBe('MX example.test: expected mail.example.test, mx.other.test; got Mail.Example.test, backup.example.test');
    expect(evaluateResult({ status: [200] }, outcome, '2026-05-04T10:00:00.000Z')).toMatchObject({ ok: false, reason: 'dns-mismatch' });
  });

  it('fails a name that does not exist (NXDOMAIN) as dns', async () => {
    const outcome = asError(await prober.probe(dnsTarget('missing.example.test', 'type: A')));
    expect(outcome).toMatchObject({ reason: 'dns', message: 'missing.example.test does not exist (NXDOMAIN)' });
  });

  it('fails a name without a record of the type (no data) as dns', async () => {
    const outcome = asError(await prober.probe(dnsTarget('example.test', 'type: AAAA')));
    expect(outcome).toMatchObject({ reason: 'dns', message: 'no AAAA record for example.test' });
  });

  it('fails a name server that does not answer within the timeout as timeout', async () => {
    const started = performance.now();
    const outcome = asError(await prober.probe(dnsTarget('hang.example.test', 'type: A', '300ms')));
    expect(outcome).toMatchObject({ reason: 'timeout', message: 'no DNS answer for A hang.example.test within 300 ms' });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a name server on a private address when private addresses are blocked', async () => {
    const queriesBefore = server.queries.length;
    const outcome = asError(await new DnsProber({ blockPrivateAddresses: true }).probe(dnsTarget('example.test', 'type: A')));
    expect(outcome).toMatchObject({ reason: 'blocked-address', message: `name server ${server.address} is a loopback address, blocked` });
    expect(server.queries).toHaveLength(queriesBefore);
  });
});
