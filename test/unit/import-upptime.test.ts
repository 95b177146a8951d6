import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { formatImportReport, importConfig, ImportError } from '../../tools/cli/import';
import { importUpptime, UPPTIME_DEFAULT_STATUSES } from '../../tools/cli/import/upptime';
import { parseTestMonitors } from '../fixtures/monitors-yml';

const FIXTURE = readFileSync(path.join(__dirname, '../fixtures/import/upptimerc.yml'), 'utf8');
const MINUTE = 60_000;

const upptime = (sites: string, extra = '') => `owner: o\nrepo: r\n${extra}sites:\n${sites}\n`;
const siteNotes = (text: string) =>
  importUpptime(text, '.upptimerc.yml')
    .notes.filter((note) => note.subject.startsWith('sites'))
    .map((note) => `${note.subject}${note.field ? ` ${note.field}` : ''}: ${note.reason}`);

describe('importUpptime: the documented fixture', () => {
  const result = importConfig('upptime', FIXTURE, '.upptimerc.yml');
  const { config, monitor } = parseTestMonitors(result.yaml, 'monitors.yml');

  it('imports every site that maps, with the uptime schedule as the interval', () => {
    expect(result.yaml.startsWith('# monitors.yml imported from Upptime (.upptimerc.yml) by `uptime-monitor import upptime`.\n')).toBe(true);
    expect(result.imported).toBe(8);
    expect(config.monitors.map((m) => m.id)).toEqual(['google', 'example-api', 'secret-site', 'user-lookup', 'database', 'internal-host', 'slow-legacy-app', 'google-eu']);
    expect(config.monitors.every((m) => m.intervalMs === 10 * MINUTE)).toBe(true);
  });

  it("keeps Upptime's default accepted statuses when a site gives none, written once", () => {
    expect(monitor('google').expect.status).toEqual(UPPTIME_DEFAULT_STATUSES);
    expect(monitor('slow-legacy-app').expect.status).toEqual(UPPTIME_DEFAULT_STATUSES);
    expect(result.yaml.match(/200, 201, 202/g)).toHaveLength(1);
    expect(result.yaml).toContain('status: *status-200-308');
  });

  it('maps the method, headers with $SECRET placeholders, expectedStatusCodes, maxResponseTime and the body text check', () => {
    expect(monitor('example-api')).toMatchObject({
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: { env: 'EXAMPLE_API_AUTHORIZATION' }, 'X-Api-Key': { env: 'API_KEY' } },
      expect: { status: [200, 201], bodyContains: '"ok":true', maxResponseTimeMs: 2000 },
    });
  });

  it('maps a $SECRET URL to an env reference, and one with a secret inside to a reference for the whole URL', () => {
    expect(monitor('secret-site')).toMatchObject({ url: { env: 'SECRET_SITE' }, expect: { status: [200] } });
    expect(monitor('user-lookup').url).toEqual({ env: 'USER_LOOKUP_URL' });
  });

  it('maps tcp-ping sites to tcp monitors', () => {
    expect(monitor('database')).toMatchObject({ type: 'tcp', url: 'tcp://db.example.com:5432' });
    expect(monitor('internal-host')).toMatchObject({ type: 'tcp', url: { env: 'INTERNAL_HOST_URL' } });
  });

  it('keeps the slug as the id, and maps the status website', () => {
    expect(monitor('google-eu')).toMatchObject({ name: 'Google', url: 'https://www.google.de', method: 'GET' });
    expect(config.statusPage).toMatchObject({
      title: 'Example Status',
      description: '**Example** service status — Live status of the example.com services.',
      url: 'https://status.example.com',
    });
  });

  it('lists the env variables to set in the header comment', () => {
    expect(result.yaml).toContain('# Upptime secrets became env references: set API_KEY, EXAMPLE_API_AUTHORIZATION, INTERNAL_HOST_URL, SECRET_SITE, USER_LOOKUP_URL where sls deploy runs');
  });

  it('reports every field and site it could not map, with the reason', () => {
    expect(formatImportReport('upptime', result)).toEqual([
      'imported 8 monitors from Upptime; 21 things could not be mapped as written:',
      '  sites[1] (Example API) headers[1] (Authorization): holds $API_TOKEN inside other text, and a reference here stands for a whole value; written as { env: EXAMPLE_API_AUTHORIZATION }: set EXAMPLE_API_AUTHORIZATION to "Bearer $API_TOKEN" with the secret filled in',
      '  sites[1] (Example API) body: a monitor here sends no request body; left out',
      '  sites[3] (User lookup) url: holds $MY_API_KEY inside other text, and a reference here stands for a whole value; written as { env: USER_LOOKUP_URL }: set USER_LOOKUP_URL to "https://example.com/get-user/3?api_key=$MY_API_KEY" with the secret filled in',
      '  sites[5] (Internal host) url: the host or port is an Upptime secret, and a reference here holds the whole URL: written as { env: INTERNAL_HOST_URL }; set INTERNAL_HOST_URL to tcp://$INTERNAL_HOST:443 with the secret filled in',
      '  sites[6] (Chat socket) check: ws: no such monitor type here (http and tcp-ping are imported); not imported',
      '  sites[7] (Slow legacy app) maxResponseTime: 60000 ms is above the largest maxResponseTime here (30s); left out',
      '  sites[7] (Slow legacy app) maxRedirects: redirects are always followed here (up to 20); left out',
      '  sites[7] (Slow legacy app) __dangerous__insecure: certificates are always verified here; left out',
      '  sites[7] (Slow legacy app) __dangerous__body_down: a monitor here can require text in the body, not its absence; left out',
      '  sites[7] (Slow legacy app) icon: the status page here shows no icons; left out',
      '  sites[7] (Slow legacy app) assignees: alerts here go to channels, not GitHub assignees; left out',
      '  sites[8] (Google) method: FETCH is not a method here (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS); GET is used',
      "  workflowSchedule graphs: schedules of Upptime's GitHub workflows; nothing to import (only uptime sets the interval)",
      '  status-website logoUrl: no such status page setting here; left out',
      '  status-website theme: no such status page setting here; left out',
      '  (top level) assignees: alerts here go to channels, not GitHub assignees: set notify.to (email) or add a channel',
      '  (top level) owner: an Upptime setting for its GitHub repository, issues or Pages site; nothing to import',
      '  (top level) repo: an Upptime setting for its GitHub repository, issues or Pages site; nothing to import',
      '  (top level) user-agent: an Upptime setting for its GitHub repository, issues or Pages site; nothing to import',
      '  notify from: Upptime gives no email sender; notify.from is written as uptime@example.com: set your SES-verified sender',
      '  notify to: Upptime gives no email recipient; notify.to is written as [oncall@example.com]: set who gets the email alerts',
    ]);
  });

  it('writes no secret value into monitors.yml', () => {
    expect(result.yaml).not.toMatch(/\$[A-Z_]+/);
  });
});

describe('importUpptime: sites', () => {
  it.each([
    ['*/5 * * * *', 5 * MINUTE, []],
    ['* * * * *', MINUTE, []],
    ['*/30 * * * *', 30 * MINUTE, []],
    ['0 * * * *', 5 * MINUTE, ['workflowSchedule uptime: "0 * * * *" is not an every-N-minutes schedule; defaults.interval is 5m (Upptime\'s default)']],
  ])('workflowSchedule.uptime %j checks every %d ms', (cron, ms, notes) => {
    const result = importConfig('upptime', upptime('  - name: a\n    url: https://a.example.com', `workflowSchedule:\n  uptime: "${cron}"\n`), '.upptimerc.yml');
    expect(parseTestMonitors(result.yaml, 'monitors.yml').monitor('a').intervalMs).toBe(ms);
    expect(result.notes.filter((note) => note.subject === 'workflowSchedule').map((note) => `${note.subject} ${note.field}: ${note.reason}`)).toEqual(notes);
  });

  it('checks every 5 minutes without a workflowSchedule, as Upptime does', () => {
    const result = importConfig('upptime', upptime('  - name: a\n    url: https://a.example.com'), '.upptimerc.yml');
    expect(parseTestMonitors(result.yaml, 'monitors.yml').monitor('a').intervalMs).toBe(5 * MINUTE);
  });

  it.each([
    ['  - name: a\n    url: https://a.example.com\n    expectedStatusCodes: [200, 700]', 'sites[0] (a) expectedStatusCodes: holds values that are not HTTP statuses (100 to 599); they are left out'],
    ['  - name: a\n    url: https://a.example.com\n    headers: "Accept: text/html"', 'sites[0] (a) headers: not a list of "Name: value" lines; left out'],
    ['  - name: a\n    url: https://a.example.com\n    headers: ["no colon here"]', 'sites[0] (a) headers[0]: not a "Name: value" header; left out'],
    ['  - name: a\n    url: https://a.example.com\n    __dangerous__body_degraded: slow', 'sites[0] (a) __dangerous__body_degraded: there is no degraded state here; left out'],
    ['  - name: a\n    url: https://a.example.com\n    type: globalping\n    location: Europe', 'sites[0] (a) type: checks run from this stack\'s region, not from Globalping probes; left out'],
    ['  - name: a\n    url: https://a.example.com\n    mystery: 1', 'sites[0] (a) mystery: no equivalent here; left out'],
    ['  - name: a\n    url: https://a.example.com\n  - name: b', 'sites[1] (b) url: missing; not imported'],
    ['  - name: a\n    url: https://a.example.com\n  - name: b\n    check: tcp-ping\n    url: b.example.com', 'sites[1] (b) port: a tcp-ping site needs a port; not imported'],
    ['  - name: a\n    url: https://a.example.com\n  - name: b\n    check: tcp-ping\n    url: db.example.com\n    port: 5432\n    maxResponseTime: 100', 'sites[1] (b) maxResponseTime: a tcp monitor here has no response time limit; left out'],
  ])('notes %j', (sites, note) => {
    expect(siteNotes(upptime(sites))[0]).toBe(note);
  });

  it('maps an IPv6 tcp-ping site with brackets', () => {
    const result = importConfig('upptime', upptime('  - name: v6\n    check: tcp-ping\n    url: "2001:db8::1"\n    port: 443'), '.upptimerc.yml');
    expect(parseTestMonitors(result.yaml, 'monitors.yml').monitor('v6').url).toBe('tcp://[2001:db8::1]:443');
  });

  it('leaves out a site whose URL the validation refuses, with its message', () => {
    expect(siteNotes(upptime('  - name: a\n    url: https://a.example.com\n  - name: ftp\n    url: ftp://files.example.com'))).toEqual([
      'sites[1] (ftp): not imported: url: must be an http:// or https:// URL',
    ]);
  });
});

describe('importUpptime: input it cannot read', () => {
  it.each([
    ['sites: [a\n', '.upptimerc.yml: not valid YAML: '],
    ['owner: o\nrepo: r\n', '.upptimerc.yml: not an Upptime config: it has no sites list'],
    ['just text\n', '.upptimerc.yml: not an Upptime config: expected a mapping with sites'],
    ['owner: o\nsites: []\n', '.upptimerc.yml: no monitor could be imported'],
  ])('%j is refused', (text, message) => {
    expect(() => importConfig('upptime', text, '.upptimerc.yml')).toThrow(ImportError);
    expect(() => importConfig('upptime', text, '.upptimerc.yml')).toThrow(message);
  });
});

describe('importUpptime: any site list', () => {
  const value = (...realistic: unknown[]) => fc.oneof(fc.constantFrom(...realistic), fc.jsonValue({ maxDepth: 2 }));
  const site = fc.record(
    {
      name: value('Google', 'Ünï', ''),
      url: value('https://a.example.com', '$SECRET', 'https://x/?k=$K', 'db.example.com', 'ftp://x', '2001:db8::1'),
      check: value('tcp-ping', 'ws', 'http'),
      port: value(5432, '$PORT', 'http'),
      method: value('POST', 'get', 'FETCH'),
      headers: value(['Authorization: Bearer $T'], ['no colon'], 'Accept: x'),
      expectedStatusCodes: value([200, 201], [700], 404),
      maxResponseTime: value(500, 90000, 'fast'),
      __dangerous__body_down_if_text_missing: value('ok', ''),
      slug: value('google-eu', 'Bad Slug!'),
    },
    { requiredKeys: [] },
  );

  it('imports each site or says why not, and what it writes is a valid monitors.yml', () => {
    fc.assert(
      fc.property(fc.array(site, { maxLength: 4 }), (sites) => {
        let result;
        try {
          result = importConfig('upptime', stringify({ owner: 'o', repo: 'r', sites }), '.upptimerc.yml');
        } catch (error) {
          if (!(error instanceof ImportError)) throw error;
          expect(error.message).not.toContain('\n');
          return;
        }
        expect(parseTestMonitors(result.yaml, 'monitors.yml').config.monitors).toHaveLength(result.imported);
        const dropped = new Set(result.notes.filter((note) => /^sites\[\d+\]/.test(note.subject) && /^not imported|; not imported$/.test(note.reason)).map((note) => note.subject));
        expect(result.imported + dropped.size).toBe(sites.length);
      }),
      { numRuns: 60 },
    );
  });
});
