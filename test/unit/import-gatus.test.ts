import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { formatImportReport, importConfig, ImportError } from '../../tools/cli/import';
import { importGatus } from '../../tools/cli/import/gatus';
import { parseTestMonitors } from '../fixtures/monitors-yml';

const FIXTURE = readFileSync(path.join(__dirname, '../fixtures/import/gatus-config.yaml'), 'utf8');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** A Gatus config with the given endpoints (YAML lines, each indented as a list item), with an email provider unless told otherwise. */
const EMAIL = 'alerting:\n  email:\n    from: gatus@example.com\n    to: oncall@example.com\n';
const gatus = (endpoints: string, extra = EMAIL) => `${extra}endpoints:\n${endpoints}\n`;
const notesOf = (text: string) => importGatus(text, 'config.yaml').notes;

describe('importGatus: the documented fixture', () => {
  const result = importConfig('gatus', FIXTURE, 'config.yaml');
  const { config, monitor } = parseTestMonitors(result.yaml, 'monitors.yml');

  it('says where the file came from, and imports every endpoint that maps', () => {
    expect(result.yaml.startsWith('# monitors.yml imported from Gatus (config.yaml) by `uptime-monitor import gatus`.\n')).toBe(true);
    expect(result.imported).toBe(8);
    expect(config.monitors.map((m) => m.id)).toEqual(['frontend', 'api', 'postgres', 'dns-example-org', 'gone-domain', 'partner', 'frontend-2', 'nightly-backup']);
  });

  it('maps the email provider to notify and the others to channels, credentials as env references', () => {
    expect(config.notify).toEqual({ from: 'gatus@example.com', to: ['oncall@example.com', 'team@example.com'] });
    expect(config.channels).toEqual([
      { name: 'email', type: 'email' },
      { name: 'slack', type: 'slack', url: { env: 'GATUS_SLACK_WEBHOOK_URL' } },
      { name: 'discord', type: 'discord', url: { env: 'DISCORD_WEBHOOK_URL' } },
      { name: 'teams', type: 'teams', url: { env: 'GATUS_TEAMS_WEBHOOK_URL' } },
      { name: 'pagerduty', type: 'pagerduty', routingKey: { env: 'GATUS_PAGERDUTY_INTEGRATION_KEY' } },
      { name: 'custom', type: 'webhook', url: 'https://hooks.example.com/gatus', secret: { env: 'GATUS_CUSTOM_SECRET' } },
    ]);
  });

  it('maps [STATUS] == 200, pat(*text*), [RESPONSE_TIME] and [CERTIFICATE_EXPIRATION], the interval and the alerts with the default-alert', () => {
    const frontend = monitor('frontend');
    expect(frontend).toMatchObject({
      name: 'Frontend',
      url: 'https://example.com/',
      intervalMs: 30_000,
      expect: { status: [200], bodyContains: 'Welcome', maxResponseTimeMs: 500 },
      tls: { warnBeforeMs: [2 * DAY] },
      alerts: ['slack', 'email'],
      failureThreshold: 4,
      successThreshold: 3,
      sendOnResolved: true,
    });
  });

  it('maps the method, headers, [STATUS] < 300, [BODY].path == value, client.timeout and minimum-reminder-interval', () => {
    const api = monitor('api');
    expect(api).toMatchObject({
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: { env: 'API_AUTHORIZATION' } },
      timeoutMs: 10_000,
      intervalMs: MINUTE,
      alerts: ['discord'],
      failureThreshold: 3,
      successThreshold: 2,
      sendOnResolved: true,
      remindEveryMs: 30 * MINUTE,
    });
    expect(api.expect.status).toEqual(Array.from({ length: 100 }, (_, index) => 200 + index));
    expect(api.expect.json).toEqual({ status: 'UP', 'data.0.healthy': true });
  });

  it('maps tcp:// with [CONNECTED] == true, and a DNS query with [BODY] and [DNS_RCODE]', () => {
    expect(monitor('postgres')).toMatchObject({ type: 'tcp', url: 'tcp://db.example.com:5432', intervalMs: 2 * MINUTE, alerts: ['pagerduty'], failureThreshold: 2, successThreshold: 1, sendOnResolved: false });
    expect(monitor('dns-example-org')).toMatchObject({
      type: 'dns',
      url: 'dns://example.org',
      dns: { recordType: 'A', server: '8.8.8.8', expect: ['93.184.216.34'] },
      alerts: ['custom'],
    });
    expect(monitor('gone-domain')).toMatchObject({ type: 'dns', url: 'dns://gone.example.net', alerts: [] });
  });

  it('maps a ${VAR} inside a URL to an env reference, any(...) statuses, external endpoints to heartbeats', () => {
    expect(monitor('partner')).toMatchObject({ url: { env: 'PARTNER_URL' }, expect: { status: [200], json: { ok: true } }, alerts: ['teams'] });
    expect(monitor('frontend-2')).toMatchObject({ name: 'Frontend', expect: { status: [200, 204] }, alerts: [] });
    expect(monitor('nightly-backup')).toMatchObject({ type: 'heartbeat', intervalMs: DAY, heartbeat: { token: { env: 'NIGHTLY_BACKUP_TOKEN' } }, alerts: ['email'] });
  });

  it('maps groups to status page groups, ui to the title and description, announcements, maintenance to recurring windows', () => {
    expect(config.statusPage).toMatchObject({
      title: 'Example Status',
      description: 'Health of the example.com services',
      groups: [
        { name: 'core', monitors: ['frontend', 'api'] },
        { name: 'database', monitors: ['postgres', 'dns-example-org'] },
        { name: 'partners', monitors: ['partner', 'frontend-2'] },
        { name: 'jobs', monitors: ['nightly-backup'] },
      ],
    });
    expect(config.statusPage.announcements).toEqual([
      { text: 'Card payments are failing; we are on it', severity: 'critical', from: '2026-11-30T08:00:00.000Z' },
      { text: 'Card payments work again', severity: 'info', from: '2026-11-30T09:30:00.000Z' },
    ]);
    expect(config.maintenance).toEqual([
      { name: 'Gatus maintenance', cron: '0 23 * * 1,4', timezone: 'Europe/Amsterdam', durationMs: 60 * MINUTE },
      { name: 'Frontend maintenance 1', monitors: ['frontend-2'], cron: '0 2 * * 0', timezone: 'UTC', durationMs: 30 * MINUTE },
    ]);
  });

  it('reports every field, condition and endpoint it could not map, with the reason', () => {
    expect(formatImportReport('gatus', result)).toEqual([
      'imported 8 monitors from Gatus; 30 things could not be mapped as written:',
      '  alerting.email host, port, username, password: email goes out through Amazon SES here, not an SMTP server: verify notify.from in SES',
      '  alerting.slack webhook-url: a credential, kept out of monitors.yml: written as { env: GATUS_SLACK_WEBHOOK_URL }; set GATUS_SLACK_WEBHOOK_URL to the value in config.yaml (or use an ssm or secretsManager reference)',
      '  alerting.teams webhook-url: a credential, kept out of monitors.yml: written as { env: GATUS_TEAMS_WEBHOOK_URL }; set GATUS_TEAMS_WEBHOOK_URL to the value in config.yaml (or use an ssm or secretsManager reference)',
      '  alerting.teams webhook-url: Gatus teams posts to an Office 365 connector, which Microsoft retired; a teams channel here posts to a Workflows webhook: replace the URL with one',
      '  alerting.pagerduty integration-key: a credential, kept out of monitors.yml: written as { env: GATUS_PAGERDUTY_INTEGRATION_KEY }; set GATUS_PAGERDUTY_INTEGRATION_KEY to the value in config.yaml (or use an ssm or secretsManager reference)',
      '  alerting.custom method, body: a webhook here POSTs signed JSON (Standard Webhooks), not a custom body; written with secret { env: GATUS_CUSTOM_SECRET }: set it to a whsec_ secret (openssl rand -base64 32) and verify the signature at the receiver',
      '  alerting.telegram: no telegram channel here (channels: email, slack, discord, teams, webhook, pagerduty, sns); not imported',
      '  endpoints[0] (Frontend) alerts[1].description: an alert here carries the monitor, state and reason, not a description; left out',
      "  endpoints[0] (Frontend) alerts: thresholds differ between its alerts, and are one per monitor here: failureThreshold 4 and successThreshold 3 (the first alert's) are used",
      '  endpoints[0] (Frontend) alerts: send-on-resolved differs between its alerts, and is one per monitor here: recoveries are sent to every channel',
      '  endpoints[1] (API) headers.Authorization: a credential, kept out of monitors.yml: written as { env: API_AUTHORIZATION }; set API_AUTHORIZATION to the value in config.yaml (or use an ssm or secretsManager reference)',
      '  endpoints[1] (API) body: a monitor here sends no request body; left out (a POST is sent empty)',
      '  endpoints[1] (API) interval: 45s is not an interval here (10s, 15s, 20s, 30s or whole minutes up to 24h); written as 1m',
      '  endpoints[1] (API) client.insecure: certificates are always verified here; left out',
      '  endpoints[1] (API) conditions[3] "len([BODY].items) > 0": len([BODY].items) has no equivalent check here; left out',
      '  endpoints[4] (Gone domain) conditions[0] "[DNS_RCODE] == NXDOMAIN": only [DNS_RCODE] == NOERROR is mapped: a dns monitor here fails on NXDOMAIN, SERVFAIL and the like; left out',
      '  endpoints[5] (Ping gateway) url: icmp://: no such monitor type here (http, https, tcp:// and DNS are imported); not imported',
      '  endpoints[6] (Old service): disabled in Gatus (enabled: false); not imported',
      '  endpoints[7] (Partner) url: holds $PARTNER_KEY inside other text, and a reference here stands for a whole value; written as { env: PARTNER_URL }: set PARTNER_URL to "https://partner.example.com/health?key=${PARTNER_KEY}" with the secret filled in',
      '  endpoints[7] (Partner) conditions[1] "[IP] == 203.0.113.7": [IP] has no equivalent check here; left out',
      '  endpoints[7] (Partner) conditions: no [STATUS] condition: Gatus accepts any status, a monitor here expects 200 (set expect.status to accept others)',
      '  endpoints[7] (Partner) alerts[1] (teams): disabled in Gatus; left out',
      '  endpoints[7] (Partner) ui: no equivalent here; left out',
      "  external-endpoints[0] (Nightly backup) token: the job now pings /ping/{token} on this stack's API instead of Gatus's push endpoint; written as { env: NIGHTLY_BACKUP_TOKEN }: set it to a token of 16 or more characters of A-Z a-z 0-9 _ -",
      '  external-endpoints[1] (Ad-hoc job): no heartbeat.interval: Gatus only records what is pushed, a heartbeat here needs the interval its pings come at; not imported',
      '  alerting.telegram: the alerts of 1 endpoint to it go nowhere here',
      '  ui header: no such status page setting here (title and description are imported)',
      '  announcements[2]: archived in Gatus; not imported (the status page here shows current announcements only)',
      '  (top level) storage: a Gatus server setting; nothing to import (this stack has its own DynamoDB table)',
      '  (top level) metrics: a Gatus server setting; nothing to import (this stack has its own settings)',
    ]);
  });

  it('writes no credential from the source into monitors.yml', () => {
    for (const secret of ['hunter2', 'XXXX', 's3cr3t', '0123456789abcdef', 'backup-push-token', 'webhookb2/abc']) expect(result.yaml).not.toContain(secret);
  });
});

describe('importGatus: conditions', () => {
  const endpoint = (conditions: string[], url = 'https://a.example.com') =>
    gatus(`  - name: a\n    url: "${url}"\n    conditions:\n${conditions.map((c) => `      - "${c}"`).join('\n')}`);
  const imported = (conditions: string[], url?: string) => {
    const result = importConfig('gatus', endpoint(conditions, url), 'config.yaml');
    return { monitor: parseTestMonitors(result.yaml, 'monitors.yml').monitor('a'), notes: result.notes.map((n) => `${n.field ?? ''}: ${n.reason}`) };
  };

  it.each([
    [['[STATUS] == 200'], [200]],
    [['[STATUS] == 503'], [503]],
    [['[STATUS] >= 200', '[STATUS] <= 204'], [200, 201, 202, 203, 204]],
    [['[STATUS] < 203', '[STATUS] != 201'], [200, 202]],
    [['[STATUS] == any(200, 301)'], [200, 301]],
    [['[STATUS] > 598'], [599]],
  ])('%j accepts %j', (conditions, statuses) => {
    expect(imported(conditions).monitor.expect.status).toEqual(statuses);
  });

  it.each([
    ['[RESPONSE_TIME] < 45000', '[RESPONSE_TIME] < 45000', '45000 ms is above the largest maxResponseTime here (30s); left out'],
    ['[RESPONSE_TIME] > 10', '[RESPONSE_TIME] > 10', 'only [RESPONSE_TIME] < N (milliseconds) is mapped; left out'],
    ['[BODY] == pat(*a*b*)', '[BODY] == pat(*a*b*)', 'only [BODY] == pat(*text*) (the body contains text) is mapped; left out'],
    ['[BODY] == ok', '[BODY] == ok', 'only [BODY] == pat(*text*) (the body contains text) is mapped; left out'],
    ['[BODY].name == pat(jo*)', '[BODY].name == pat(jo*)', 'only [BODY].path == value (an exact value) is mapped; left out'],
    ['[BODY].count > 3', '[BODY].count > 3', 'only [BODY].path == value (an exact value) is mapped; left out'],
    ['has([BODY].errors) == false', 'has([BODY].errors) == false', 'has([BODY].errors) has no equivalent check here; left out'],
    ['[DOMAIN_EXPIRATION] > 720h', '[DOMAIN_EXPIRATION] > 720h', '[DOMAIN_EXPIRATION] has no equivalent check here; left out'],
    ['[CERTIFICATE_EXPIRATION] > 30m', '[CERTIFICATE_EXPIRATION] > 30m', '30m is outside the certificate warnings allowed here (1h to 365d); left out'],
    ['[CONNECTED] == false', '[CONNECTED] == false', 'only [CONNECTED] == true is mapped (every check here must connect); left out'],
    ['[DNS_RCODE] == NOERROR', '[DNS_RCODE] == NOERROR', '[DNS_RCODE] applies to DNS monitors only; this one is http; left out'],
    ['[STATUS] == pat(2*)', '[STATUS] == pat(2*)', 'only a status number or any(...) compared with ==, !=, <, <=, > or >= is mapped; left out'],
  ])('%s is not mapped', (condition, quoted, reason) => {
    expect(imported(['[STATUS] == 200', condition]).notes).toEqual([`conditions[1] ${JSON.stringify(quoted)}: ${reason}`]);
  });

  it('watches the certificate of https:// only', () => {
    expect(imported(['[STATUS] == 200', '[CERTIFICATE_EXPIRATION] > 720h']).monitor.tls).toEqual({ warnBeforeMs: [30 * DAY] });
    const plain = imported(['[STATUS] == 200', '[CERTIFICATE_EXPIRATION] > 48h'], 'http://a.example.com');
    expect(plain.monitor.tls).toBeUndefined();
    expect(plain.notes).toEqual(['conditions[1] "[CERTIFICATE_EXPIRATION] > 48h": certificates are watched on https:// monitors only here; left out']);
  });

  it('notes [STATUS] on a tcp monitor and other conditions on a tcp monitor', () => {
    const tcp = imported(['[CONNECTED] == true', '[STATUS] == 200', '[RESPONSE_TIME] < 100'], 'tcp://db.example.com:5432');
    expect(tcp.monitor).toMatchObject({ type: 'tcp', url: 'tcp://db.example.com:5432' });
    expect(tcp.notes).toEqual([
      'conditions[1] "[STATUS] == 200": [STATUS] applies to http monitors only; this one is tcp; left out',
      'conditions[2] "[RESPONSE_TIME] < 100": a response time limit applies to http monitors only here; this one is tcp; left out',
    ]);
  });
});

describe('importGatus: intervals, ids, secrets and validation', () => {
  it.each([
    ['90s', 2 * MINUTE, '90s is not an interval here (10s, 15s, 20s, 30s or whole minutes up to 24h); written as 2m'],
    ['5s', 10_000, '5s is not an interval here (10s, 15s, 20s, 30s or whole minutes up to 24h); written as 10s'],
    ['48h', DAY, '2d is longer than the longest interval here (24h); written as 24h'],
    ['1m30s', 2 * MINUTE, '90s is not an interval here (10s, 15s, 20s, 30s or whole minutes up to 24h); written as 2m'],
    ['5m', 5 * MINUTE, undefined],
    ['1h', 60 * MINUTE, undefined],
  ])('interval %s becomes %d ms', (interval, ms, reason) => {
    const result = importConfig('gatus', gatus(`  - name: a\n    url: https://a.example.com\n    interval: ${interval}\n    conditions: ["[STATUS] == 200"]`), 'config.yaml');
    expect(parseTestMonitors(result.yaml, 'monitors.yml').monitor('a').intervalMs).toBe(ms);
    expect(result.notes).toEqual(reason ? [{ subject: 'endpoints[0] (a)', field: 'interval', reason }] : []);
  });

  it.each([
    ['30m', 30 * MINUTE, undefined, undefined],
    ['26h', DAY, 2 * 60 * MINUTE, undefined],
    ['768h', DAY, 7 * DAY, '32d is longer than the longest heartbeat wait here (interval 24h + grace 7d); written as that'],
  ])('an external endpoint expected every %s waits interval %d ms and grace %s ms', (every, intervalMs, graceMs, reason) => {
    const text = `${EMAIL}external-endpoints:\n  - name: job\n    token: t\n    heartbeat:\n      interval: ${every}\n`;
    const result = importConfig('gatus', text, 'config.yaml');
    const job = parseTestMonitors(result.yaml, 'monitors.yml').monitor('job');
    expect(job.intervalMs).toBe(intervalMs);
    if (graceMs !== undefined) expect(job.heartbeat?.graceMs).toBe(graceMs);
    expect(result.notes.filter((note) => note.field === 'heartbeat.interval').map((note) => note.reason)).toEqual(reason ? [reason] : []);
  });

  it('makes unique ids from names', () => {
    const result = importConfig(
      'gatus',
      gatus(['Payments API', 'payments-api', 'Ünïcode Çafé', '***'].map((name) => `  - name: "${name}"\n    url: https://a.example.com\n    conditions: ["[STATUS] == 200"]`).join('\n')),
      'config.yaml',
    );
    expect(parseTestMonitors(result.yaml, 'monitors.yml').config.monitors.map((m) => [m.id, m.name])).toEqual([
      ['payments-api', 'Payments API'],
      ['payments-api-2', 'payments-api'],
      ['unicode-cafe', 'Ünïcode Çafé'],
      ['monitor', '***'],
    ]);
  });

  it('writes $VAR and ${VAR} header values as env references, and a literal credential header as one too', () => {
    const result = importGatus(
      gatus('  - name: a\n    url: https://a.example.com\n    headers:\n      X-Tenant: $TENANT\n      X-Token: "${API_TOKEN}"\n      Cookie: session=abc\n    conditions: ["[STATUS] == 200"]'),
      'config.yaml',
    );
    expect(parseTestMonitors(result.yaml, 'monitors.yml').monitor('a').headers).toEqual({ 'X-Tenant': { env: 'TENANT' }, 'X-Token': { env: 'API_TOKEN' }, Cookie: { env: 'A_COOKIE' } });
    expect(result.yaml).not.toContain('session=abc');
    expect(result.notes.map((n) => n.field)).toEqual(['headers.Cookie']);
  });

  it('leaves out what the validation of monitors.yml refuses, and says so with its message', () => {
    const result = importConfig(
      'gatus',
      gatus(
        [
          '  - name: ok\n    url: https://a.example.com\n    conditions: ["[STATUS] == 200"]\n    alerts: [{ type: custom }, { type: email }]',
          '  - name: no port\n    url: tcp://db.example.com\n    conditions: ["[CONNECTED] == true"]',
          '  - name: slow\n    url: https://b.example.com\n    interval: 10s\n    client: { timeout: 15s }\n    conditions: ["[STATUS] == 200"]',
        ].join('\n'),
        'alerting:\n  email:\n    from: not-an-address\n    to: "ops@example.com,nobody"\n  slack:\n    webhook-url: not-a-url\n  custom:\n    url: not-a-url\n',
      ),
      'config.yaml',
    );
    const { config } = parseTestMonitors(result.yaml, 'monitors.yml');
    expect(config.monitors.map((m) => m.id)).toEqual(['ok', 'slow']);
    expect(config.notify).toEqual({ from: 'uptime@example.com', to: ['ops@example.com'] });
    expect(config.monitors[0]?.alerts).toEqual(['email']);
    expect(result.notes.map((n) => `${n.subject}${n.field ? ` ${n.field}` : ''}: ${n.reason}`)).toEqual([
      'alerting.slack webhook-url: a credential, kept out of monitors.yml: written as { env: GATUS_SLACK_WEBHOOK_URL }; set GATUS_SLACK_WEBHOOK_URL to the value in config.yaml (or use an ssm or secretsManager reference)',
      'alerting.custom: a webhook here POSTs signed JSON (Standard Webhooks), not a custom body; written with secret { env: GATUS_CUSTOM_SECRET }: set it to a whsec_ secret (openssl rand -base64 32) and verify the signature at the receiver',
      'alerting.email from: "not-an-address" is not an email address; notify.from is written as uptime@example.com: set your SES-verified sender',
      'alerting.email to: not an email address, left out: nobody',
      'alerting.custom: not imported: channels.custom.url: must be an http:// or https:// URL',
      "endpoints[0] (ok) alerts: channel 'custom' was not imported; left out",
      'endpoints[1] (no port): not imported: url: must be a tcp://host:port URL, such as tcp://db.example.com:5432, or a secret reference: { ssm: /name }, { secretsManager: name, key: field } or { env: NAME }',
      'endpoints[2] (slow) timeout: left out: 15s must be shorter than its 10s interval, so one check ends before the next starts',
    ]);
  });
});

describe('importGatus: input it cannot read', () => {
  it.each([
    ['endpoints: [a\n', 'config.yaml: not valid YAML: '],
    ['- just\n- a list\n', 'config.yaml: not a Gatus config: expected a mapping with endpoints'],
    ['storage:\n  type: memory\n', 'config.yaml: not a Gatus config: it has no endpoints list'],
    ['endpoints: {}\n', 'config.yaml: not a Gatus config: it has no endpoints list'],
  ])('%j is refused', (text, message) => {
    expect(() => importConfig('gatus', text, 'config.yaml')).toThrow(ImportError);
    expect(() => importConfig('gatus', text, 'config.yaml')).toThrow(message);
  });

  it('refuses a config of which no endpoint maps, naming the first reason, on one line', () => {
    let error: unknown;
    try {
      importConfig('gatus', gatus('  - name: ping\n    url: icmp://gw.example.com\n    conditions: ["[CONNECTED] == true"]'), 'config.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).message).toBe(
      'config.yaml: no monitor could be imported (first: endpoints[0] (ping) url: icmp://: no such monitor type here (http, https, tcp:// and DNS are imported); not imported)',
    );
    expect((error as ImportError).notes).toHaveLength(1);
  });

  it('refuses YAML that does not parse with its first line, and an alias bomb', () => {
    expect(() => importConfig('gatus', 'endpoints:\n  - name: [a\n', 'config.yaml')).toThrow(/^config\.yaml: not valid YAML: [^\n]*[^:\n]$/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((key, index) => `${key}: &${key} [${Array(9).fill(`*${'abcdefgh'[index]}`).join(', ')}]`), 'endpoints: *h', ''].join('\n');
    expect(() => importConfig('gatus', bomb, 'config.yaml')).toThrow(ImportError);
  });

  it('says so when everything was mapped', () => {
    const result = importConfig('gatus', gatus('  - name: a\n    url: https://a.example.com\n    conditions: ["[STATUS] == 200"]'), 'config.yaml');
    expect(formatImportReport('gatus', result)).toEqual(['imported 1 monitor from Gatus; everything was mapped']);
  });

  it('reads a mapping that is not an endpoint as a note, not a crash', () => {
    expect(notesOf(gatus('  - just a string\n  - name: a\n    url: https://a.example.com\n    conditions: ["[STATUS] == 200"]'))).toEqual([
      { subject: 'endpoints[0]', reason: 'not a mapping; not imported' },
    ]);
  });
});

describe('importGatus: any endpoint list', () => {
  const value = (...realistic: unknown[]) => fc.oneof(fc.constantFrom(...realistic), fc.jsonValue({ maxDepth: 2 }));
  const endpoint = fc.record(
    {
      name: value('api', 'API', 'Ünï', ''),
      url: value('https://a.example.com', 'tcp://db.example.com:5432', 'tcp://db', 'icmp://gw', '8.8.8.8', '${URL}', 'https://x/?k=$K'),
      method: value('POST', 'get', 'FETCH'),
      headers: value({ Authorization: 'Bearer x' }, { 'X-A': '$A' }),
      interval: value('30s', '45s', '90m', '48h', 'soon'),
      conditions: value(['[STATUS] == 200'], ['[STATUS] < 300', '[BODY].a == 1'], ['[CONNECTED] == true'], ['[BODY] == pat(*x*)', '[RESPONSE_TIME] < 99999']),
      alerts: value([{ type: 'slack' }], [{ type: 'email', 'failure-threshold': 0 }], [{ type: 'nope' }]),
      dns: value({ 'query-name': 'example.org', 'query-type': 'MX' }, { 'query-type': 'HTTPS' }),
      client: value({ timeout: '45s' }, { insecure: true }),
      group: value('core', ''),
      enabled: value(false, true),
    },
    { requiredKeys: [] },
  );

  it('imports each endpoint or says why not, and what it writes is a valid monitors.yml', () => {
    fc.assert(
      fc.property(fc.array(endpoint, { maxLength: 4 }), (endpoints) => {
        const text = stringify({ alerting: { email: { from: 'g@example.com', to: 'o@example.com' }, slack: { 'webhook-url': '${SLACK}' } }, endpoints });
        let result;
        try {
          result = importConfig('gatus', text, 'config.yaml');
        } catch (error) {
          if (!(error instanceof ImportError)) throw error;
          expect(error.message).not.toContain('\n');
          return;
        }
        expect(parseTestMonitors(result.yaml, 'monitors.yml').config.monitors).toHaveLength(result.imported);
        const dropped = new Set(result.notes.filter((note) => /^endpoints\[\d+\]/.test(note.subject) && /^not imported|; not imported$/.test(note.reason)).map((note) => note.subject));
        expect(result.imported + dropped.size).toBe(endpoints.length);
      }),
      { numRuns: 60 },
    );
  });
});
