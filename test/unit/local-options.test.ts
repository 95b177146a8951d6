import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../lib/domain/errors';
import { readLocalOptions } from '../../tools/local/local-environment';
import { writeLocalMonitorsFile } from '../../tools/local/local-monitors';
import { formatLogLine, isShown, parseLogLine } from '../../tools/local/log-view';

describe('readLocalOptions', () => {
  it('has documented defaults', () => {
    expect(readLocalOptions([], {}, '/repo')).toEqual({
      monitorsFile: '/repo/monitors.yml',
      secretsFile: '/repo/secrets.local.yml',
      intervalMs: 10_000,
      apiPort: 3000,
      sesPort: 8005,
      dynamoDbPort: 8000,
      demoPort: 4010,
      dataDir: '/repo/.local',
      fresh: false,
      demo: true,
      verbose: false,
    });
  });

  it('reads the environment and flags', () => {
    const options = readLocalOptions(
      ['--fresh', '--no-demo'],
      { MONITORS_FILE: 'conf/m.yml', LOCAL_PROBE_INTERVAL: '2s', API_PORT: '3100', LOCAL_DATA_DIR: '/tmp/x' },
      '/repo',
    );
    expect(options).toMatchObject({ monitorsFile: '/repo/conf/m.yml', intervalMs: 2000, apiPort: 3100, dataDir: '/tmp/x', fresh: true, demo: false });
  });

  it('reads LOCAL_CONFIRMERS as a count, unset or empty as none given', () => {
    expect(readLocalOptions([], { LOCAL_CONFIRMERS: '0' }, '/repo').confirmers).toBe(0);
    expect(readLocalOptions([], { LOCAL_CONFIRMERS: '3' }, '/repo').confirmers).toBe(3);
    expect(readLocalOptions([], { LOCAL_CONFIRMERS: '' }, '/repo').confirmers).toBeUndefined();
    expect(readLocalOptions([], {}, '/repo').confirmers).toBeUndefined();
  });

  it.each<[string[], Record<string, string>, string]>([
    [[], { LOCAL_PROBE_INTERVAL: '7s' }, "environment variable LOCAL_PROBE_INTERVAL: '7s' must be one of 2s, 3s"],
    [[], { LOCAL_PROBE_INTERVAL: '1s' }, "environment variable LOCAL_PROBE_INTERVAL: '1s' must be one of"],
    [[], { LOCAL_PROBE_INTERVAL: 'fast' }, "environment variable LOCAL_PROBE_INTERVAL: 'fast' must be one of"],
    [[], { API_PORT: 'http' }, 'environment variable API_PORT: must be a TCP port number'],
    [[], { SES_PORT: '70000' }, 'environment variable SES_PORT: must be a TCP port from 1 to 65535'],
    [[], { DEMO_PORT: '3000' }, 'environment variable DEMO_PORT: port 3000 is also API_PORT'],
    [[], { LOCAL_CONFIRMERS: 'two' }, "environment variable LOCAL_CONFIRMERS: 'two' must be a whole number of local confirmers (0 runs none)"],
    [[], { LOCAL_CONFIRMERS: '-1' }, "environment variable LOCAL_CONFIRMERS: '-1' must be a whole number"],
    [['--frsh'], {}, "unknown option '--frsh'"],
  ])('refuses %j %j', (argv, env, message) => {
    expect(() => readLocalOptions(argv, env, '/repo')).toThrow(ConfigError);
    expect(() => readLocalOptions(argv, env, '/repo')).toThrow(message);
  });
});

describe('writeLocalMonitorsFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'local-monitors-'));
  const source = path.join(dir, 'monitors.yml');
  writeFileSync(
    source,
    `notify: { from: a@example.com, to: [b@example.com] }
defaults: { timeout: 5s, interval: 5m }
monitors:
  - { id: api, url: "https://api.example.com", interval: 10m }
  - { id: quick, url: "https://quick.example.com", timeout: 500ms }
`,
  );

  it('checks every monitor at each local tick, caps timeouts at the tick, and adds the demo monitor', () => {
    const { file, config } = writeLocalMonitorsFile({ monitorsFile: source, outputDir: dir, intervalMs: 2000, demoHealthUrl: 'http://127.0.0.1:4010/health' });
    expect(file).toBe(path.join(dir, 'monitors.local.yml'));
    expect(readFileSync(file, 'utf8')).toContain('Written by npm start');
    expect(config.monitors.map((m) => [m.id, m.intervalMs, m.timeoutMs])).toEqual([
      ['api', 60_000, 2000],
      ['quick', 60_000, 500],
      ['demo', 60_000, 2000],
    ]);
    expect(config.monitors[2]?.expect).toEqual({ status: [200], json: { status: 'OK' } });
  });

  it("keeps a heartbeat monitor's interval (its job's; the file's default when it has none) and gives it no timeout", () => {
    const heartbeats = path.join(dir, 'heartbeats.yml');
    writeFileSync(
      heartbeats,
      `notify: { from: a@example.com, to: [b@example.com] }
defaults: { timeout: 5s, interval: 5m }
monitors:
  - { id: backup, type: heartbeat, interval: 24h, grace: 0s, token: abcdefghijklmnop }
  - { id: etl, type: heartbeat, token: { env: ETL_TOKEN } }
`,
    );
    const { config } = writeLocalMonitorsFile({ monitorsFile: heartbeats, outputDir: dir, intervalMs: 2000 });
    expect(config.monitors.map((m) => [m.id, m.intervalMs, m.heartbeat?.graceMs])).toEqual([
      ['backup', 86_400_000, 0],
      ['etl', 300_000, 60_000],
    ]);
  });

  it('leaves the demo out when asked', () => {
    const { config } = writeLocalMonitorsFile({ monitorsFile: source, outputDir: dir, intervalMs: 10_000 });
    expect(config.monitors.map((m) => m.id)).toEqual(['api', 'quick']);
  });

  it('refuses a bad source file with the message that names it', () => {
    const bad = path.join(dir, 'bad.yml');
    writeFileSync(bad, 'notify: { from: a@example.com, to: [b@example.com] }\nmonitors:\n  - { id: x, url: nope }\n');
    expect(() => writeLocalMonitorsFile({ monitorsFile: bad, outputDir: dir, intervalMs: 2000 })).toThrow(
      'bad.yml: monitors[0] (x).url: must be an http:// or https:// URL',
    );
  });
});

describe('log view', () => {
  const failed = JSON.stringify({
    level: 'WARN',
    message: 'check failed',
    timestamp: '2026-01-01T10:00:02.123Z',
    monitorId: 'demo',
    reason: 'http-status',
    detail: 'expected 200, got 503',
    statusCode: 503,
    latencyMs: 4,
  });

  it('reads handler JSON lines and ignores everything else', () => {
    expect(parseLogLine(failed)).toMatchObject({ message: 'check failed' });
    expect(parseLogLine('✔ Server ready: http://127.0.0.1:3000')).toBeUndefined();
    expect(parseLogLine('{not json')).toBeUndefined();
    expect(parseLogLine('{"a":1}')).toBeUndefined();
  });

  it('shows failed checks, transitions and errors, not routine lines', () => {
    expect(isShown(parseLogLine(failed)!)).toBe(true);
    expect(isShown({ level: 'INFO', message: 'run finished' })).toBe(false);
    expect(isShown({ level: 'ERROR', message: 'anything' })).toBe(true);
  });

  it.each<[Record<string, unknown>, string]>([
    [JSON.parse(failed) as Record<string, unknown>, '10:00:02  ✗ demo check failed (http-status: expected 200, got 503) [503] in 4 ms'],
    [{ level: 'ERROR', message: 'monitor down', timestamp: '2026-01-01T10:00:04Z', monitorId: 'demo', startedAt: '2026-01-01T10:00:02Z', reason: 'timeout' }, '10:00:04  ▼ demo is DOWN (failing since 10:00:02): timeout'],
    [{ level: 'INFO', message: 'monitor recovered', timestamp: '2026-01-01T10:01:00Z', monitorId: 'demo', startedAt: '2026-01-01T10:00:58Z' }, '10:01:00  ▲ demo is UP again (recovering since 10:00:58)'],
    [{ level: 'INFO', message: 'transition email sent', timestamp: '2026-01-01T10:01:01Z', monitorId: 'demo', from: 'DOWN', to: 'UP' }, '10:01:01  ✉ email sent for demo (DOWN -> UP)'],
    [{ level: 'ERROR', message: 'boom', timestamp: '2026-01-01T10:01:01Z', service: 's', code: 7 }, '10:01:01  ERROR boom {"code":7}'],
  ])('formats %j', (line, text) => {
    expect(formatLogLine(line)).toBe(text);
  });
});
