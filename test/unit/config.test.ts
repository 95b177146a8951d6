import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadMonitorsConfig, parseMonitorsConfig } from '../../lib/config/monitors';
import { ConfigError } from '../../lib/domain/errors';
import { defaultMonitor, EMAIL_ONLY_CHANNELS, NO_PAGE_SETTINGS } from '../fixtures/monitor-config';

const HEADER = 'notify:\n  from: monitor@example.com\n  to: [oncall@example.com]\n';
const withMonitors = (...monitors: string[]) => `${HEADER}monitors:\n${monitors.map((m) => `  - ${m}`).join('\n')}\n`;
const refusal = (text: string) => {
  try {
    parseMonitorsConfig(text, 'monitors.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the file was accepted');
};

describe('parseMonitorsConfig', () => {
  it('applies defaults to a minimal monitor', () => {
    const config = parseMonitorsConfig(withMonitors('{ id: api, url: "https://api.example.com/health" }'), 'monitors.yml');
    expect(config).toEqual({
      notify: { from: 'monitor@example.com', to: ['oncall@example.com'] },
      channels: EMAIL_ONLY_CHANNELS,
      monitors: [defaultMonitor('api', 'https://api.example.com/health', { notify: { to: ['oncall@example.com'] } })],
      ...NO_PAGE_SETTINGS,
    });
  });

  it('accepts checks within the minute: 10s, 15s, 20s or 30s, with a shorter timeout', () => {
    const config = parseMonitorsConfig(
      withMonitors('{ id: a, url: "https://a.example.com", interval: 10s, timeout: 3s }', '{ id: b, url: "https://b.example.com", interval: 30s }'),
      'monitors.yml',
    );
    expect(config.monitors.map((monitor) => [monitor.intervalMs, monitor.timeoutMs])).toEqual([
      [10_000, 3000],
      [30_000, 5000],
    ]);
  });

  it('reads every documented field and lets a monitor override the defaults', () => {
    const text = `${HEADER}defaults:
  timeout: 3s
  interval: 2m
  failureThreshold: 3
  successThreshold: 4
monitors:
  - id: payments-api
    name: Payments API
    url: https://api.example.com/health
    method: POST
    headers: { Authorization: Bearer abc }
    timeout: 1500ms
    interval: 5m
    failureThreshold: 1
    expect:
      status: [200, 204]
      json: { status: OK, data.version: 2 }
      bodyContains: healthy
      maxResponseTime: 2s
    notify: { to: [team@example.com] }
  - id: web
    url: http://web.example.com
`;
    const [payments, web] = parseMonitorsConfig(text, 'monitors.yml').monitors;
    expect(payments).toEqual({
      id: 'payments-api',
      name: 'Payments API',
      type: 'http',
      url: 'https://api.example.com/health',
      method: 'POST',
      headers: { Authorization: 'Bearer abc' },
      timeoutMs: 1500,
      intervalMs: 300_000,
      failureThreshold: 1,
      successThreshold: 4,
      expect: { status: [200, 204], json: { status: 'OK', 'data.version': 2 }, bodyContains: 'healthy', maxResponseTimeMs: 2000 },
      notify: { to: ['team@example.com'] },
      public: true,
      alerts: ['email'],
      sendOnResolved: true,
      tls: { warnBeforeMs: [14 * 86_400_000, 3 * 86_400_000] },
      dependsOn: [],
    });
    expect(web).toMatchObject({ type: 'http', timeoutMs: 3000, intervalMs: 120_000, failureThreshold: 3, successThreshold: 4 });
    expect(web?.tls).toBeUndefined();
  });

  it('accepts a single status as well as a list', () => {
    const [monitor] = parseMonitorsConfig(withMonitors('{ id: a, url: "https://a.example.com", expect: { status: 204 } }'), 'm.yml').monitors;
    expect(monitor?.expect.status).toEqual([204]);
  });

  it.each<[string, string, string]>([
    [
      'a status out of range',
      withMonitors('{ id: a, url: "https://a.example.com" }', '{ id: b, url: "https://b.example.com" }', '{ id: payments-api, url: "https://p.example.com", expect: { status: 999 } }'),
      'monitors.yml: monitors[2] (payments-api).expect.status: must be an HTTP status between 100 and 599',
    ],
    ['a status in a list out of range', withMonitors('{ id: a, url: "https://a.example.com", expect: { status: [200, 42] } }'), 'monitors.yml: monitors[0] (a).expect.status[1]: must be an HTTP status between 100 and 599'],
    ['an unknown monitor key', withMonitors('{ id: a, url: "https://a.example.com", timout: 5s }'), 'monitors.yml: monitors[0] (a).timout: unknown field'],
    ['an unknown top-level key', `${HEADER}monitor: []\nmonitors:\n  - { id: a, url: "https://a.example.com" }\n`, 'monitors.yml: monitor: unknown field'],
    ['an unknown expect key', withMonitors('{ id: a, url: "https://a.example.com", expect: { code: 200 } }'), 'monitors.yml: monitors[0] (a).expect.code: unknown field'],
    ['a duplicate id', withMonitors('{ id: a, url: "https://a.example.com" }', '{ id: a, url: "https://b.example.com" }'), 'monitors.yml: monitors[1] (a).id: duplicate id, already used by monitors[0]'],
    ['a URL that is not http(s)', withMonitors('{ id: a, url: "ftp://a.example.com" }'), 'monitors.yml: monitors[0] (a).url: must be an http:// or https:// URL'],
    ['a URL that is not a URL', withMonitors('{ id: a, url: "not a url" }'), 'monitors.yml: monitors[0] (a).url: must be an http:// or https:// URL'],
    ['a missing URL', withMonitors('{ id: a }'), 'monitors.yml: monitors[0] (a).url: is required'],
    ['a missing id', withMonitors('{ url: "https://a.example.com" }'), 'monitors.yml: monitors[0].id: is required'],
    ['an id with capitals', withMonitors('{ id: Payments, url: "https://a.example.com" }'), 'monitors.yml: monitors[0] (Payments).id: must be 1 to 63 characters of a-z, 0-9 and -'],
    ['a zero failure threshold', withMonitors('{ id: a, url: "https://a.example.com", failureThreshold: 0 }'), 'monitors.yml: monitors[0] (a).failureThreshold: must be 1 or more'],
    ['a zero success threshold in defaults', `${HEADER}defaults: { successThreshold: 0 }\nmonitors:\n  - { id: a, url: "https://a.example.com" }\n`, 'monitors.yml: defaults.successThreshold: must be 1 or more'],
    ['a fractional threshold', withMonitors('{ id: a, url: "https://a.example.com", failureThreshold: 1.5 }'), 'monitors.yml: monitors[0] (a).failureThreshold: must be a whole number of checks, 1 or more'],
    ['a bad duration', withMonitors('{ id: a, url: "https://a.example.com", timeout: 5 seconds }'), "monitors.yml: monitors[0] (a).timeout: '5 seconds' is not a duration such as 5s, 1m or 2h"],
    ['a number as duration', withMonitors('{ id: a, url: "https://a.example.com", timeout: 5 }'), 'monitors.yml: monitors[0] (a).timeout: must be a duration such as 5s, 1m or 2h'],
    ['a timeout over 30s', withMonitors('{ id: a, url: "https://a.example.com", timeout: 45s }'), "monitors.yml: monitors[0] (a).timeout: '45s' must be between 100ms and 30s"],
    ['an interval that is not whole minutes', withMonitors('{ id: a, url: "https://a.example.com", interval: 90s }'), 'monitors.yml: monitors[0] (a).interval: must be a whole number of minutes'],
    ['a method that is not HTTP', withMonitors('{ id: a, url: "https://a.example.com", method: FETCH }'), 'monitors.yml: monitors[0] (a).method: must be one of GET'],
    ['a header that is not a string', withMonitors('{ id: a, url: "https://a.example.com", headers: { X-Count: 1 } }'), 'monitors.yml: monitors[0] (a).headers.X-Count: must be a string or a secret reference: { ssm: /name }'],
    ['an empty bodyContains', withMonitors('{ id: a, url: "https://a.example.com", expect: { bodyContains: "" } }'), 'monitors.yml: monitors[0] (a).expect.bodyContains: must not be empty'],
    ['a bad sender', `notify: { from: nobody, to: [a@example.com] }\nmonitors:\n  - { id: a, url: "https://a.example.com" }\n`, 'monitors.yml: notify.from: must be an email address'],
    ['an empty recipient list', `notify: { from: a@example.com, to: [] }\nmonitors:\n  - { id: a, url: "https://a.example.com" }\n`, 'monitors.yml: notify.to: must list at least one address'],
    ['a bad monitor recipient', withMonitors('{ id: a, url: "https://a.example.com", notify: { to: [team] } }'), 'monitors.yml: monitors[0] (a).notify.to[0]: must be an email address'],
    ['no monitors', `${HEADER}monitors: []\n`, 'monitors.yml: monitors: must list at least one monitor'],
    ['a missing notify block', 'monitors:\n  - { id: a, url: "https://a.example.com" }\n', 'monitors.yml: notify: is required'],
    ['an empty file', '', 'monitors.yml: the file is empty'],
    ['a file that is not YAML', 'notify: [unclosed\n', 'monitors.yml: not valid YAML'],
    ['a YAML list instead of a mapping', '- a\n- b\n', 'monitors.yml: must be a mapping with notify and monitors'],
    ['a duplicated YAML key', `${HEADER}notify: {}\nmonitors: []\n`, 'monitors.yml: not valid YAML: Map keys must be unique'],
  ])('refuses %s', (_, text, message) => {
    expect(refusal(text)).toContain(message);
  });
});

describe('loadMonitorsConfig', () => {
  it('names the file it cannot read', () => {
    expect(() => loadMonitorsConfig('/nonexistent/monitors.yml')).toThrow(/monitors\.yml: cannot read \/nonexistent\/monitors\.yml \(ENOENT\)/);
  });

  it('names the file in validation messages', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'monitors-'));
    const file = path.join(dir, 'prod-monitors.yml');
    writeFileSync(file, withMonitors('{ id: a, url: "https://a.example.com", failureThreshold: 0 }'));
    expect(() => loadMonitorsConfig(file)).toThrow('prod-monitors.yml: monitors[0] (a).failureThreshold: must be 1 or more');
  });

  it('accepts the shipped monitors.yml', () => {
    const config = loadMonitorsConfig(path.join(__dirname, '..', '..', 'monitors.yml'));
    expect(config.monitors.length).toBeGreaterThan(0);
    expect(new Set(config.monitors.map((m) => m.id)).size).toBe(config.monitors.length);
  });
});

describe('monitor types', () => {
  const parse = (monitor: string) => parseMonitorsConfig(`notify: { from: a@example.com, to: [b@example.com] }\nmonitors:\n  - ${monitor}\n`, 'monitors.yml').monitors[0];
  const refused = (monitor: string) => {
    try {
      parse(monitor);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`accepted: ${monitor}`);
  };

  it('reads tcp, dns and heartbeat monitors with their defaults', () => {
    expect(parse('{ id: db, type: tcp, url: "tcp://db.example.com:5432" }')).toMatchObject({ type: 'tcp', url: 'tcp://db.example.com:5432', timeoutMs: 5000 });
    expect(parse('{ id: db, type: tcp, url: "tcp://db.example.com:5432" }')?.tls).toBeUndefined();
    expect(parse('{ id: mx, type: dns, url: "dns://example.com", dns: { type: MX, expect: [mail.example.com], server: 1.1.1.1 } }')).toMatchObject({
      type: 'dns',
      dns: { recordType: 'MX', expect: ['mail.example.com'], server: '1.1.1.1' },
    });
    expect(parse('{ id: a, type: dns, url: "dns://example.com" }')?.dns).toEqual({ recordType: 'A' });
    expect(parse('{ id: backup, type: heartbeat, interval: 24h, grace: 1h, token: abcdefghijklmnop }')).toMatchObject({
      type: 'heartbeat',
      url: '',
      intervalMs: 86_400_000,
      heartbeat: { graceMs: 3_600_000, token: 'abcdefghijklmnop' },
    });
    // The default grace: a tenth of the interval, between 1 minute and 1 hour.
    expect(parse('{ id: b, type: heartbeat, interval: 24h, token: { ssm: /uptime/prod/backup-token } }')?.heartbeat).toEqual({ graceMs: 3_600_000, token: { ssm: '/uptime/prod/backup-token' } });
    expect(parse('{ id: b, type: heartbeat, interval: 30m, token: abcdefghijklmnop }')?.heartbeat?.graceMs).toBe(180_000);
    expect(parse('{ id: b, type: heartbeat, interval: 5m, token: abcdefghijklmnop }')?.heartbeat?.graceMs).toBe(60_000);
  });

  it('reads certificate warnings, longest first, for https monitors', () => {
    expect(parse('{ id: a, url: "https://a.example.com", tls: { warnBefore: [3d, 30d, 7d] } }')?.tls).toEqual({ warnBeforeMs: [30, 7, 3].map((days) => days * 86_400_000) });
  });

  it.each<[string, string, string]>([
    ['an unknown type', '{ id: a, type: ping, url: "https://a.example.com" }', 'monitors[0] (a).type: must be one of http, tcp, dns, heartbeat'],
    ['a tcp URL without a port', '{ id: a, type: tcp, url: "tcp://db.example.com" }', 'monitors[0] (a).url: must be a tcp://host:port URL'],
    ['an http URL on a tcp monitor', '{ id: a, type: tcp, url: "https://a.example.com" }', 'monitors[0] (a).url: must be a tcp://host:port URL'],
    ['a dns URL with a path', '{ id: a, type: dns, url: "dns://example.com/x" }', 'monitors[0] (a).url: must be a dns://name URL'],
    ['a tcp URL on an http monitor', '{ id: a, url: "tcp://db.example.com:5432" }', 'monitors[0] (a).url: must be an http:// or https:// URL'],
    ['an unknown record type', '{ id: a, type: dns, url: "dns://example.com", dns: { type: XYZ } }', 'monitors[0] (a).dns.type: must be one of A, AAAA'],
    ['a resolver that is not an address', '{ id: a, type: dns, url: "dns://example.com", dns: { server: dns.google } }', 'monitors[0] (a).dns.server: must be an IP address'],
    ['dns on an http monitor', '{ id: a, url: "https://a.example.com", dns: { type: A } }', 'monitors[0] (a).dns: applies to dns monitors only; this one is type http'],
    ['tls on a plain http monitor', '{ id: a, url: "http://a.example.com", tls: { warnBefore: [3d] } }', 'monitors[0] (a).tls: applies to https:// monitors only'],
    ['a warning of a minute', '{ id: a, url: "https://a.example.com", tls: { warnBefore: [1m] } }', "monitors[0] (a).tls.warnBefore[0]: '1m' must be between 1h and 365d"],
    ['a heartbeat without a token', '{ id: a, type: heartbeat, interval: 1h }', 'monitors[0] (a).token: is required for a heartbeat monitor'],
    ['a short token', '{ id: a, type: heartbeat, interval: 1h, token: short }', 'monitors[0] (a).token: must be at least 16 characters'],
    ['a heartbeat with a URL', '{ id: a, type: heartbeat, url: "https://a.example.com", token: abcdefghijklmnop }', 'monitors[0] (a).url: a heartbeat monitor has no URL'],
    ['headers on a tcp monitor', '{ id: a, type: tcp, url: "tcp://db.example.com:5432", headers: { X-A: b } }', 'monitors[0] (a).headers: applies to http monitors only; this one is type tcp'],
    ['a timeout on a heartbeat', '{ id: a, type: heartbeat, token: abcdefghijklmnop, timeout: 5s }', 'monitors[0] (a).timeout: applies to http, tcp and dns monitors only'],
  ])('refuses %s, naming the field', (_, monitor, message) => {
    expect(refused(monitor)).toContain(`monitors.yml: ${message}`);
  });
});

describe('maintenance windows, dependencies and the status page (the contract of Step 11)', () => {
  const CONTRACT = `${HEADER}maintenance:
  - name: Database upgrade
    monitors: [payments-api, db-port]   # omitted: every monitor
    start: 2026-12-05T02:00:00Z
    duration: 2h
  - name: Weekly patching
    cron: "0 3 * * SUN"                 # recurring, 5-field cron
    timezone: Europe/Berlin             # IANA name; default UTC
    duration: 1h
monitors:
  - id: payments-api
    url: https://pay.example.com/health
    dependsOn: [db-port]                # while db-port is DOWN, payments-api's alerts are held back
  - { id: db-port, type: tcp, url: "tcp://db.example.com:5432" }
statusPage:
  title: Acme status
  description: Live status of Acme's public services
  url: https://status.acme.example       # optional: links from alerts go here
  groups:
    - { name: Payments, monitors: [payments-api, db-port] }
  announcements:
    - { text: "Card payments may be slow", severity: warning, from: 2026-12-01T10:00:00Z, until: 2026-12-02T00:00:00Z }
`;

  it('reads the contract as the issue writes it', () => {
    const config = parseMonitorsConfig(CONTRACT, 'monitors.yml');
    expect(config.maintenance).toEqual([
      { name: 'Database upgrade', monitors: ['payments-api', 'db-port'], start: '2026-12-05T02:00:00.000Z', timezone: 'UTC', durationMs: 2 * 3_600_000 },
      { name: 'Weekly patching', cron: '0 3 * * SUN', timezone: 'Europe/Berlin', durationMs: 3_600_000 },
    ]);
    expect(config.monitors.map((monitor) => [monitor.id, monitor.dependsOn])).toEqual([
      ['payments-api', ['db-port']],
      ['db-port', []],
    ]);
    expect(config.statusPage).toEqual({
      title: 'Acme status',
      description: "Live status of Acme's public services",
      url: 'https://status.acme.example',
      groups: [{ name: 'Payments', monitors: ['payments-api', 'db-port'] }],
      announcements: [{ text: 'Card payments may be slow', severity: 'warning', from: '2026-12-01T10:00:00.000Z', until: '2026-12-02T00:00:00.000Z' }],
    });
  });

  it.each<[string, string, string]>([
    ['an unknown dependency', 'dependsOn: [db-port]', 'dependsOn: [db]'],
    ['a dependency on itself', 'dependsOn: [db-port]', 'dependsOn: [payments-api]'],
    ['a cycle', '{ id: db-port, type: tcp,', '{ id: db-port, dependsOn: [payments-api], type: tcp,'],
    ['a window of an unknown monitor', 'monitors: [payments-api, db-port]   #', 'monitors: [payments-api, db]   #'],
    ['a 6-field cron', '"0 3 * * SUN"', '"0 0 3 * * SUN"'],
    ['a cron that does not parse', '"0 3 * * SUN"', '"0 25 * * SUN"'],
    ['an unknown time zone', 'Europe/Berlin', 'Europe/Atlantis'],
    ['a window with start and cron', '    duration: 2h', '    duration: 2h\n    cron: "0 4 * * *"'],
    ['a window with neither', '    start: 2026-12-05T02:00:00Z\n', ''],
    ['a start without offset', '2026-12-05T02:00:00Z', '2026-12-05T02:00:00'],
    ['a time zone on a one-off window', '    duration: 2h', '    duration: 2h\n    timezone: UTC'],
    ['a group of an unknown monitor', '{ name: Payments, monitors: [payments-api, db-port] }', '{ name: Payments, monitors: [payments-api, db] }'],
    ['a monitor in two groups', '{ name: Payments, monitors: [payments-api, db-port] }', '{ name: Payments, monitors: [payments-api] }\n    - { name: Data, monitors: [db-port, payments-api] }'],
    ['an unknown severity', 'severity: warning', 'severity: urgent'],
    ['an announcement ending before it starts', 'until: 2026-12-02T00:00:00Z', 'until: 2026-11-30T00:00:00Z'],
    ['a status page URL that is not one', 'url: https://status.acme.example', 'url: status.acme.example'],
  ])('refuses %s, naming where', (_case, from, to) => {
    expect(CONTRACT).toContain(from);
    expect(refusal(CONTRACT.replace(from, to))).toMatchSnapshot();
  });
});
