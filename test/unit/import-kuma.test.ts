import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatImportReport, importConfig, ImportError } from '../../tools/cli/import';
import { importKuma } from '../../tools/cli/import/kuma';
import { parseTestMonitors } from '../fixtures/monitors-yml';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../fixtures/import', name), 'utf8');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

/** A Kuma backup with one smtp notification (id 1) and the given monitors, each with Kuma's usual fields. */
function backup(...monitors: Array<Record<string, unknown>>): string {
  const smtp = { type: 'smtp', smtpFrom: 'kuma@example.com', smtpTo: 'oncall@example.com' };
  return JSON.stringify({
    version: '1.23.16',
    notificationList: [{ id: 1, name: 'Email', active: true, isDefault: false, config: JSON.stringify(smtp) }],
    monitorList: monitors.map((monitor, index) => ({
      id: index + 100,
      type: 'http',
      url: 'https://a.example.com',
      method: 'GET',
      interval: 60,
      retryInterval: 60,
      resendInterval: 0,
      maxretries: 0,
      timeout: 10,
      active: true,
      upsideDown: false,
      maxredirects: 10,
      accepted_statuscodes: ['200'],
      expiryNotification: true,
      notificationIDList: { 1: true },
      tags: [],
      ...monitor,
    })),
  });
}
const imported = (...monitors: Array<Record<string, unknown>>) => {
  const result = importConfig('kuma', backup(...monitors), 'backup.json');
  return { ...parseTestMonitors(result.yaml, 'monitors.yml'), notes: result.notes.map((n) => `${n.subject}${n.field ? ` ${n.field}` : ''}: ${n.reason}`) };
};

describe('importKuma: the 1.x backup fixture', () => {
  const result = importConfig('kuma', fixture('kuma-backup.json'), 'kuma-backup.json');
  const { config, monitor } = parseTestMonitors(result.yaml, 'monitors.yml');

  it('imports http, keyword, json-query, port, dns and push monitors', () => {
    expect(result.yaml.startsWith('# monitors.yml imported from Uptime Kuma (kuma-backup.json) by `uptime-monitor import kuma`.\n# 9 monitors imported;')).toBe(true);
    expect(config.monitors.map((m) => [m.id, m.type])).toEqual([
      ['website', 'http'],
      ['shop', 'http'],
      ['error-page', 'http'],
      ['api-status', 'http'],
      ['api-items', 'http'],
      ['postgres', 'tcp'],
      ['mx-record', 'dns'],
      ['nightly-backup', 'heartbeat'],
      ['legacy-app', 'http'],
    ]);
  });

  it('maps the smtp notification to notify and the others to channels, credentials as env references', () => {
    expect(config.notify).toEqual({ from: 'kuma@example.com', to: ['oncall@example.com', 'lead@example.com'] });
    expect(config.channels).toEqual([
      { name: 'email', type: 'email' },
      { name: 'team-slack', type: 'slack', url: { env: 'KUMA_TEAM_SLACK_URL' } },
      { name: 'discord-ops', type: 'discord', url: { env: 'KUMA_DISCORD_OPS_URL' } },
      { name: 'teams', type: 'teams', url: { env: 'KUMA_TEAMS_URL' } },
      { name: 'pagerduty', type: 'pagerduty', routingKey: { env: 'KUMA_PAGERDUTY_ROUTING_KEY' } },
      { name: 'hooks', type: 'webhook', url: 'https://hooks.example.com/kuma', secret: { env: 'KUMA_HOOKS_SECRET' } },
    ]);
  });

  it('maps the interval, retries, resend interval, accepted status codes and notifications', () => {
    expect(monitor('website')).toMatchObject({
      url: 'https://www.example.com',
      intervalMs: MINUTE,
      timeoutMs: 30_000,
      failureThreshold: 3,
      successThreshold: 1,
      remindEveryMs: 10 * MINUTE,
      alerts: ['email', 'team-slack'],
      expect: { status: range(200, 299) },
    });
  });

  it('maps a keyword monitor with method, headers and basic auth', () => {
    expect(monitor('shop')).toMatchObject({
      method: 'POST',
      headers: { Accept: 'text/html', 'X-Api-Key': { env: 'SHOP_X_API_KEY' }, Authorization: { env: 'SHOP_AUTHORIZATION' } },
      expect: { bodyContains: 'Add to cart' },
      intervalMs: 30_000,
      timeoutMs: 24_000,
      failureThreshold: 1,
      alerts: ['discord-ops'],
    });
    expect(monitor('error-page').expect.bodyContains).toBeUndefined();
  });

  it('maps a json-query with a plain path, and leaves a JSONata expression out', () => {
    expect(monitor('api-status')).toMatchObject({ expect: { status: [200, 201], json: { status: 'ok' } }, timeoutMs: 10_000, alerts: ['teams'] });
    expect(monitor('api-items').expect.json).toBeUndefined();
  });

  it('maps port, dns and push monitors', () => {
    expect(monitor('postgres')).toMatchObject({ url: 'tcp://db.example.com:5432', intervalMs: 2 * MINUTE, alerts: ['pagerduty'] });
    expect(monitor('mx-record')).toMatchObject({ url: 'dns://example.com', dns: { recordType: 'MX', server: '1.1.1.1' }, alerts: [] });
    expect(monitor('nightly-backup')).toMatchObject({ intervalMs: DAY, heartbeat: { token: { env: 'NIGHTLY_BACKUP_TOKEN' } }, alerts: [] });
    expect(monitor('legacy-app')).toMatchObject({ intervalMs: MINUTE, alerts: ['hooks'], expect: { status: [...range(200, 299), 404] } });
  });

  it('maps group monitors to status page groups', () => {
    expect(config.statusPage.groups).toEqual([{ name: 'Core services', monitors: ['website', 'shop'] }]);
  });

  it('writes the same status list once, with an anchor', () => {
    expect(result.yaml.match(/200, 201, 202/g)).toHaveLength(2); // 200-299, and 200-299 with 404
    expect(result.yaml.match(/\*status-200-299/g)).toHaveLength(3); // shop, error-page and api-items refer to website's
  });

  it('writes no credential from the backup into monitors.yml', () => {
    for (const secret of ['hunter2', 'XXXX', 'k-123', '0123456789abcdef', 'abc123XYZ', 'webhooks/1/abc']) expect(result.yaml).not.toContain(secret);
  });

  it('reports every field, notification and monitor it could not map, with the reason', () => {
    expect(formatImportReport('kuma', result)).toEqual([
      'imported 9 monitors from Uptime Kuma; 31 things could not be mapped as written:',
      '  notificationList[0] (Ops email) smtpHost, smtpPort, smtpUsername, smtpPassword, smtpSecure: email goes out through Amazon SES here, not an SMTP server: verify notify.from in SES',
      '  notificationList[0] (Ops email) smtpCC, smtpBCC: no CC or BCC here: those addresses are added to notify.to',
      '  notificationList[1] (Team Slack) slackwebhookURL: a credential, kept out of monitors.yml: written as { env: KUMA_TEAM_SLACK_URL }; set KUMA_TEAM_SLACK_URL to the value in kuma-backup.json (or use an ssm or secretsManager reference)',
      '  notificationList[2] (Discord ops) discordWebhookUrl: a credential, kept out of monitors.yml: written as { env: KUMA_DISCORD_OPS_URL }; set KUMA_DISCORD_OPS_URL to the value in kuma-backup.json (or use an ssm or secretsManager reference)',
      '  notificationList[3] (Teams) webhookUrl: a credential, kept out of monitors.yml: written as { env: KUMA_TEAMS_URL }; set KUMA_TEAMS_URL to the value in kuma-backup.json (or use an ssm or secretsManager reference)',
      '  notificationList[4] (PagerDuty) pagerdutyIntegrationKey: a credential, kept out of monitors.yml: written as { env: KUMA_PAGERDUTY_ROUTING_KEY }; set KUMA_PAGERDUTY_ROUTING_KEY to the value in kuma-backup.json (or use an ssm or secretsManager reference)',
      "  notificationList[5] (Hooks): a webhook here POSTs signed JSON (Standard Webhooks), not Kuma's body or its custom body; written with secret { env: KUMA_HOOKS_SECRET }: set it to a whsec_ secret (openssl rand -base64 32) and verify the signature at the receiver",
      '  notificationList[6] (Telegram): telegram: no such channel here (channels: email, slack, discord, teams, webhook, pagerduty, sns); not imported',
      '  notificationList[7] (Old Slack): inactive in Kuma; not imported',
      "  monitorList[1] (Website) retryInterval: retries come at the monitor's interval here (1m), not every 30s",
      '  monitorList[2] (Shop) headers.X-Api-Key: a credential, kept out of monitors.yml: written as { env: SHOP_X_API_KEY }; set SHOP_X_API_KEY to the value in kuma-backup.json (or use an ssm or secretsManager reference)',
      '  monitorList[2] (Shop) basic_auth_user, basic_auth_pass: basic auth is sent as an Authorization header here: written as { env: SHOP_AUTHORIZATION }; set SHOP_AUTHORIZATION to "Basic " and the base64 of user:password',
      '  monitorList[2] (Shop) body: a monitor here sends no request body; left out',
      '  monitorList[3] (Error page) invertKeyword: the body must not contain "error": a monitor here can require text, not its absence; left out',
      '  monitorList[5] (API items) jsonPath: "$sum(items.count)": only a plain path (a.b[0].c) is mapped, not a JSONata expression; the JSON check is left out',
      "  monitorList[8] (Nightly backup) pushToken: the job now pings /ping/{token} on this stack's API instead of Kuma's /api/push/… URL; written as { env: NIGHTLY_BACKUP_TOKEN }: set it to a token of 16 or more characters of A-Z a-z 0-9 _ - (Kuma's token is too short)",
      "  monitorList[8] (Nightly backup) notificationIDList: notification \"Telegram\" was not imported; this monitor's alerts to it go nowhere",
      "  monitorList[8] (Nightly backup) notificationIDList: notification \"Old Slack\" was not imported; this monitor's alerts to it go nowhere",
      '  monitorList[9] (Gateway) type: ping: no ICMP ping here; a tcp monitor on a port the host serves is the nearest (http, keyword, json-query, port, dns and push are imported); not imported',
      '  monitorList[10] (Redis container) type: docker: no Docker container check here (http, keyword, json-query, port, dns and push are imported); not imported',
      '  monitorList[11] (Paused site): paused in Kuma (active: false); not imported',
      '  monitorList[12] (Inverted site) upsideDown: no upside-down (inverted) monitors here; not imported',
      '  monitorList[13] (Legacy app) accepted_statuscodes: "abc" is not a status or range from 100 to 599; left out',
      '  monitorList[13] (Legacy app) maxredirects: redirects are always followed here (up to 20); left out',
      '  monitorList[13] (Legacy app) ignoreTls: certificates are always verified here; left out',
      '  monitorList[13] (Legacy app) interval: 45s is not an interval here (10s, 15s, 20s, 30s or whole minutes up to 24h); written as 1m',
      '  monitorList[13] (Legacy app) description: no description here; left out',
      '  monitorList[13] (Legacy app) proxyId: checks here go out directly, not through a proxy; left out',
      '  monitorList[13] (Legacy app) tags: no tags here; left out',
      "  monitorList timeout: 6 monitors (website, error-page, api-items, postgres, mx-record, legacy-app) had Kuma's default timeout (0.8 × interval) above 30s, the longest here; written as 30s",
      '  monitorList expiryNotification: 5 https monitors (shop, error-page, api-status, api-items, legacy-app) had certificate expiry notifications off in Kuma; every https monitor here warns before its certificate expires (tls.warnBefore, default 14d and 3d)',
    ]);
  });
});

describe('importKuma: the 2.x backup fixture', () => {
  const result = importConfig('kuma', fixture('kuma-backup-2.json'), 'kuma-backup-2.json');
  const { monitor, config } = parseTestMonitors(result.yaml, 'monitors.yml');

  it('maps a ${VAR} notification URL, jsonPathOperator ==, a $.path, and DNS conditions on the record', () => {
    expect(config.channels).toContainEqual({ name: 'team-slack', type: 'slack', url: { env: 'SLACK_WEBHOOK_URL' } });
    expect(monitor('api-status')).toMatchObject({ expect: { json: { 'data.state': true } }, alerts: ['team-slack'] });
    expect(monitor('queue-depth').expect.json).toBeUndefined();
    expect(monitor('web-a-record')).toMatchObject({ url: 'dns://www.example.com', dns: { recordType: 'A', server: '9.9.9.9:5353', expect: ['93.184.216.34'] } });
    expect(result.yaml).toContain('# Uptime Kuma 2.0.2: retries became failureThreshold');
  });

  it('reports what it could not map', () => {
    expect(formatImportReport('kuma', result)).toEqual([
      'imported 3 monitors from Uptime Kuma; 6 things could not be mapped as written:',
      '  monitorList[1] (Queue depth) jsonPathOperator: <: only == is mapped (expect.json compares exactly); the JSON check is left out',
      '  monitorList[2] (Web A record) conditions[1]: only "record equals/contains value" joined by and is mapped (values the answer must hold); left out',
      "  monitorList timeout: 3 monitors (api-status, queue-depth, web-a-record) had Kuma's default timeout (0.8 × interval) above 30s, the longest here; written as 30s",
      '  monitorList expiryNotification: 2 https monitors (api-status, queue-depth) had certificate expiry notifications off in Kuma; every https monitor here warns before its certificate expires (tls.warnBefore, default 14d and 3d)',
      '  notify from: Uptime Kuma gives no email sender; notify.from is written as uptime@example.com: set your SES-verified sender',
      '  notify to: Uptime Kuma gives no email recipient; notify.to is written as [oncall@example.com]: set who gets the email alerts',
    ]);
  });
});

describe('importKuma: monitors', () => {
  it.each([
    [0, 1],
    [1, 2],
    [4, 5],
    [150, 100],
  ])('%d retries become failureThreshold %d', (maxretries, threshold) => {
    expect(imported({ name: 'a', maxretries, retryInterval: 60 }).monitor('a').failureThreshold).toBe(threshold);
  });

  it.each([
    [20, 20_000, []],
    [300, 5 * MINUTE, []],
    [90, 2 * MINUTE, ['monitorList[0] (a) interval: 90s is not an interval here (10s, 15s, 20s, 30s or whole minutes up to 24h); written as 2m']],
    [172800, DAY, ['monitorList[0] (a) interval: 2d is longer than the longest interval here (24h); written as 24h']],
  ])('an interval of %d s becomes %d ms', (interval, ms, notes) => {
    const result = imported({ name: 'a', interval, timeout: 5 });
    expect(result.monitor('a').intervalMs).toBe(ms);
    expect(result.notes).toEqual(notes);
  });

  it.each([
    [['200-299'], range(200, 299)],
    [['200-299', '300-399'], range(200, 399)],
    [['201'], [201]],
    [['418', '200'], [200, 418]],
  ])('accepted_statuscodes %j', (codes, statuses) => {
    expect(imported({ name: 'a', accepted_statuscodes: codes }).monitor('a').expect.status).toEqual(statuses);
  });

  it.each([
    ['status', 'ok', { status: 'ok' }],
    ['$.data.items[0].up', 'true', { 'data.items.0.up': true }],
    ['count', '3', { count: 3 }],
  ])('json-query %s == %s', (jsonPath, expectedValue, json) => {
    expect(imported({ name: 'a', type: 'json-query', jsonPath, expectedValue }).monitor('a').expect.json).toEqual(json);
  });

  it('maps a push monitor expected every 2 days to interval 24h and grace 1d', () => {
    expect(imported({ name: 'weekly', type: 'push', interval: 172800, pushToken: 'x'.repeat(32) }).monitor('weekly')).toMatchObject({
      type: 'heartbeat',
      intervalMs: DAY,
      heartbeat: { graceMs: DAY },
    });
  });

  it('maps resendInterval to remindEvery, within 1m to 7d', () => {
    expect(imported({ name: 'a', resendInterval: 30 }).monitor('a').remindEveryMs).toBe(30 * MINUTE);
    expect(imported({ name: 'a', resendInterval: 100_000 }).monitor('a').remindEveryMs).toBe(7 * DAY);
  });

  it('maps an IPv6 port monitor and a DNS server on another port', () => {
    const { monitor } = imported(
      { name: 'v6', type: 'port', hostname: '2001:db8::1', port: 22 },
      { name: 'ns', type: 'dns', hostname: 'example.com.', port: 5353, dns_resolve_type: 'TXT', dns_resolve_server: '2001:db8::53' },
    );
    expect(monitor('v6').url).toBe('tcp://[2001:db8::1]:22');
    expect(monitor('ns')).toMatchObject({ url: 'dns://example.com', dns: { recordType: 'TXT', server: '[2001:db8::53]:5353' } });
  });

  it('notes a retired Teams connector URL, another auth method, and an unparseable headers field', () => {
    const text = JSON.stringify({
      version: '1.23.16',
      notificationList: [{ id: 2, name: 'Old Teams', active: true, config: JSON.stringify({ type: 'teams', webhookUrl: 'https://x.webhook.office.com/webhookb2/abc' }) }],
      monitorList: [{ id: 1, name: 'a', type: 'http', url: 'https://a.example.com', interval: 60, timeout: 5, authMethod: 'ntlm', headers: '{not json', notificationIDList: { 2: true } }],
    });
    const result = importKuma(text, 'backup.json');
    expect(result.notes.map((n) => `${n.subject}${n.field ? ` ${n.field}` : ''}: ${n.reason}`)).toEqual([
      'notificationList[0] (Old Teams) webhookUrl: a credential, kept out of monitors.yml: written as { env: KUMA_OLD_TEAMS_URL }; set KUMA_OLD_TEAMS_URL to the value in backup.json (or use an ssm or secretsManager reference)',
      'notificationList[0] (Old Teams) webhookUrl: an Office 365 connector URL, which Microsoft retired; a teams channel here posts to a Workflows webhook: replace the URL with one',
      'monitorList[0] (a) headers: not a JSON object of headers; left out',
      'monitorList[0] (a) authMethod: ntlm: no such authentication here (send a header instead); left out',
      'notify from: Uptime Kuma gives no email sender; notify.from is written as uptime@example.com: set your SES-verified sender',
      'notify to: Uptime Kuma gives no email recipient; notify.to is written as [oncall@example.com]: set who gets the email alerts',
    ]);
  });

  it('notes proxies, maintenance and status pages in the backup', () => {
    const text = JSON.stringify({ ...JSON.parse(backup({ name: 'a' })), proxyList: [{ id: 1 }], maintenanceList: [{ id: 1 }, { id: 2 }], statusPageList: [{ id: 1 }] });
    expect(importKuma(text, 'backup.json').notes.map((n) => `${n.subject}: ${n.reason}`)).toEqual([
      'proxyList: 1 entry: checks here go out directly, not through a proxy; not imported',
      'maintenanceList: 2 entries: Kuma maintenance is not imported: add maintenance windows to monitors.yml (see Maintenance windows)',
      "statusPageList: 1 entry: one status page here, its groups from Kuma's group monitors; the status pages are not imported",
    ]);
  });
});

describe('importKuma: input it cannot read', () => {
  it.each([
    ['{"monitorList": [', 'backup.json: not valid JSON: '],
    ['[]', 'backup.json: not an Uptime Kuma backup: it has no monitorList (export one from Settings > Backup)'],
    ['{"version": "1.23.16", "notificationList": []}', 'backup.json: not an Uptime Kuma backup: it has no monitorList'],
    ['{"version": "1.23.16", "monitorList": []}', 'backup.json: no monitor could be imported'],
    [
      '{"monitorList": [{"id": 1, "name": "gw", "type": "ping", "hostname": "gw"}]}',
      'backup.json: no monitor could be imported (first: monitorList[0] (gw) type: ping: no ICMP ping here',
    ],
  ])('%j is refused', (text, message) => {
    expect(() => importConfig('kuma', text, 'backup.json')).toThrow(ImportError);
    expect(() => importConfig('kuma', text, 'backup.json')).toThrow(message);
  });
});

describe('importKuma: any monitor list', () => {
  const value = (...realistic: unknown[]) => fc.oneof(fc.constantFrom(...realistic), fc.jsonValue({ maxDepth: 2 }));
  const monitor = fc.record(
    {
      id: fc.integer({ min: 1, max: 5 }),
      name: value('Website', 'Ünï', ''),
      type: value('http', 'keyword', 'json-query', 'port', 'dns', 'push', 'group', 'ping'),
      url: value('https://a.example.com', 'not a url', 'https://'),
      hostname: value('db.example.com', '2001:db8::1', ''),
      port: value(5432, 53, 0),
      interval: value(20, 45, 60, 86400, 0),
      timeout: value(48, 5, 0.5),
      maxretries: value(0, 3, 500),
      accepted_statuscodes: value(['200-299'], ['abc'], ['100-999']),
      keyword: value('ok', ''),
      jsonPath: value('status', '$sum(a)'),
      expectedValue: value('ok', '1'),
      dns_resolve_type: value('A', 'HTTPS'),
      dns_resolve_server: value('1.1.1.1', 'resolver'),
      headers: value('{"Authorization": "x"}', '{bad'),
      parent: value(1, 2),
      notificationIDList: value({ 1: true }, { 9: true }),
      active: value(true, false),
    },
    { requiredKeys: [] },
  );

  it('imports each monitor (but groups) or says why not, and what it writes is a valid monitors.yml', () => {
    fc.assert(
      fc.property(fc.array(monitor, { maxLength: 4 }), (monitorList) => {
        const notificationList = [{ id: 1, name: 'Mail', active: true, config: JSON.stringify({ type: 'smtp', smtpFrom: 'k@example.com', smtpTo: 'o@example.com' }) }];
        let result;
        try {
          result = importConfig('kuma', JSON.stringify({ version: '1.23.16', notificationList, monitorList }), 'backup.json');
        } catch (error) {
          if (!(error instanceof ImportError)) throw error;
          expect(error.message).not.toContain('\n');
          return;
        }
        expect(parseTestMonitors(result.yaml, 'monitors.yml').config.monitors).toHaveLength(result.imported);
        const dropped = new Set(result.notes.filter((note) => /^monitorList\[\d+\]/.test(note.subject) && /^not imported|; not imported$/.test(note.reason)).map((note) => note.subject));
        const groups = monitorList.filter((entry) => entry.type === 'group').length;
        expect(result.imported + dropped.size + groups).toBe(monitorList.length);
      }),
      { numRuns: 60 },
    );
  });
});
