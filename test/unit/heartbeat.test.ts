import { resolveDeploySettings } from '../../deploy/deploy-settings';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { evaluateHeartbeat, type HeartbeatRecord } from '../../lib/domain/heartbeat';
import { checkIntervalMs } from '../../lib/domain/schedule';
import { planShards } from '../../lib/domain/shards';
import { HOUR_MS, MINUTE_MS } from '../../lib/domain/time';

const MONITOR = { intervalMs: 24 * HOUR_MS, heartbeat: { graceMs: HOUR_MS, token: 'backup-token-0123456789' } };
const DEPLOYED_AT = '2024-05-01T00:00:00.000Z';
const at = (hours: number, minutes = 0) => new Date(Date.parse(DEPLOYED_AT) + hours * HOUR_MS + minutes * MINUTE_MS).toISOString();
const record = (lastPing?: HeartbeatRecord['lastPing']): HeartbeatRecord => ({ monitorId: 'backup', firstSeenAt: DEPLOYED_AT, ...(lastPing ? { lastPing } : {}) });

describe('evaluateHeartbeat (interval 24h, grace 1h)', () => {
  it.each<[string, HeartbeatRecord | undefined, string, { ok: boolean; reason?: string } | undefined]>([
    ['no record yet (the probe notes it first): unchecked', undefined, at(30), undefined],
    ['never pinged, within interval + grace of being first seen: unchecked (UNKNOWN)', record(), at(25), undefined],
    ['never pinged, interval + grace past being first seen: no-ping', record(), at(25, 1), { ok: false, reason: 'no-ping' }],
    ['pinged just now: ok', record({ kind: 'ok', at: at(10) }), at(10), { ok: true }],
    ['last ping exactly interval + grace ago: still ok', record({ kind: 'ok', at: at(10) }), at(35), { ok: true }],
    ['last ping a minute past interval + grace: no-ping', record({ kind: 'ok', at: at(10) }), at(35, 1), { ok: false, reason: 'no-ping' }],
    ['last ping a fail ping, just now: fail-signal', record({ kind: 'fail', at: at(10) }), at(10), { ok: false, reason: 'fail-signal' }],
    ['last ping a fail ping, long ago: still fail-signal (the latest word)', record({ kind: 'fail', at: at(10) }), at(60), { ok: false, reason: 'fail-signal' }],
    ['a ping dated after the check (clocks apart): ok', record({ kind: 'ok', at: at(10, 1) }), at(10), { ok: true }],
  ])('%s', (_case, stored, checkedAt, expected) => {
    const result = evaluateHeartbeat(MONITOR, stored, checkedAt);
    if (expected === undefined) {
      expect(result).toBeUndefined();
      return;
    }
    expect(result).toMatchObject({ ...expected, checkedAt, latencyMs: 0 });
    if (expected.ok) expect(result?.reason).toBeUndefined();
    else expect(result?.message).toMatch(expected.reason === 'no-ping' ? /expected every 1d, 1h grace/ : /reported a failure/);
  });

  it('with grace 0 a ping is late as soon as its interval has passed', () => {
    const strict = { intervalMs: MINUTE_MS, heartbeat: { graceMs: 0, token: 'x'.repeat(16) } };
    expect(evaluateHeartbeat(strict, record({ kind: 'ok', at: at(0) }), at(0, 1))?.ok).toBe(true);
    expect(evaluateHeartbeat(strict, record({ kind: 'ok', at: at(0) }), new Date(Date.parse(at(0, 1)) + 1).toISOString())?.reason).toBe('no-ping');
  });
});

describe('checkIntervalMs', () => {
  it('checks a heartbeat monitor at every tick of the period, any other at its interval', () => {
    expect(checkIntervalMs({ type: 'heartbeat', intervalMs: 24 * HOUR_MS }, MINUTE_MS)).toBe(MINUTE_MS);
    expect(checkIntervalMs({ type: 'heartbeat', intervalMs: 24 * HOUR_MS }, 2_000)).toBe(2_000);
    expect(checkIntervalMs({ type: 'http', intervalMs: 5 * MINUTE_MS }, MINUTE_MS)).toBe(5 * MINUTE_MS);
  });
});

describe('heartbeat monitors and the schedule', () => {
  const FILE = `notify: { from: uptime@example.com, to: [team@example.com] }
monitors:
  - { id: api, url: "https://api.example.com/health", interval: 5m }
  - { id: backup, type: heartbeat, interval: 10s, token: abcdefghijklmnop }
  - { id: etl, type: heartbeat, interval: 7m, token: abcdefghijklmnop }
`;
  const config = parseMonitorsConfig(FILE, 'monitors.yml');
  const settings = (scheduleRate: string) =>
    resolveDeploySettings({ config, fileName: 'monitors.yml', monitorsFile: 'monitors.yml', stackName: 'uptime-monitor-dev', stage: 'dev', params: { scheduleRate }, checkDeployability: true });

  it('are never fast: no shard of sub-minute cycles, no longer probe timeout, whatever their interval', () => {
    expect(planShards(config.monitors, 1, MINUTE_MS).map((shard) => [shard.monitors.map((monitor) => monitor.id), shard.fast])).toEqual([
      [['api'], false],
      [['backup'], false],
      [['etl'], false],
    ]);
    expect(planShards(config.monitors, 10, MINUTE_MS)[0]?.fast).toBe(false);
    expect(settings('5m').probeTimeoutSeconds).toBe(55);
  });

  it('need not fit the schedule rate: they are weighed at every run', () => {
    expect(() => settings('5m')).not.toThrow();
  });
});
