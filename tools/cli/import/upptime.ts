import {
  buildMonitorsYaml,
  envName,
  formatMs,
  ImportError,
  isCredentialHeader,
  isMapping,
  noteUnread,
  parseYamlMapping,
  placeholders,
  SlugAllocator,
  tcpUrl,
  toSecretValue,
  type ImportNote,
  type ImportResult,
  type Mapping,
  type MonitorDraft,
} from './import-result';

/** What Upptime accepts when a site gives no expectedStatusCodes (upptime/uptime-monitor, src/update.ts). */
export const UPPTIME_DEFAULT_STATUSES: readonly number[] = [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308];

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Top-level keys that configure GitHub (issues, commits, the README, the Pages site): nothing to import. */
const GITHUB_SETTINGS_REASON = 'an Upptime setting for its GitHub repository, issues or Pages site; nothing to import';

/**
 * Upptime `.upptimerc.yml` (https://upptime.js.org/docs/configuration) to monitors.yml: `sites`
 * (http, and `check: tcp-ping` as tcp), `$SECRET` placeholders as `env` references, the uptime
 * workflow's schedule as the interval, and `status-website` name, intro and domain.
 */
export function importUpptime(text: string, fileName: string): ImportResult {
  const config = parseYamlMapping(text, fileName, 'not an Upptime config: expected a mapping with sites');
  if (!Array.isArray(config.sites)) throw new ImportError(`${fileName}: not an Upptime config: it has no sites list`);
  const notes: ImportNote[] = [];
  const ids = new SlugAllocator();
  // One list object for every site without expectedStatusCodes: written once, with an anchor.
  const defaultStatuses = [...UPPTIME_DEFAULT_STATUSES];
  const monitors: MonitorDraft[] = [];
  const envNames = new Set<string>();
  config.sites.forEach((entry: unknown, index: number) => {
    const draft = readSite(entry, index, { fileName, ids, notes, defaultStatuses, envNames });
    if (draft) monitors.push(draft);
  });

  const defaults: Mapping = { interval: readSchedule(config.workflowSchedule, notes) };
  const site = isMapping(config['status-website']) ? config['status-website'] : {};
  const statusPage: { subject: string; title?: string; description?: string; url?: string } = { subject: 'status-website' };
  if (typeof site.name === 'string') statusPage.title = site.name;
  const intro = [site.introTitle, site.introMessage].filter((part): part is string => typeof part === 'string' && part !== '');
  if (intro.length > 0) statusPage.description = intro.join(' — ');
  if (typeof site.cname === 'string' && site.cname !== '') statusPage.url = `https://${site.cname}${typeof site.baseUrl === 'string' ? site.baseUrl : ''}`;
  noteUnread(site, ['name', 'introTitle', 'introMessage', 'cname', 'baseUrl'], 'status-website', () => 'no such status page setting here; left out', notes);
  if (Array.isArray(config.assignees) && config.assignees.length > 0) {
    notes.push({ subject: '(top level)', field: 'assignees', reason: 'alerts here go to channels, not GitHub assignees: set notify.to (email) or add a channel' });
  }
  if (config.notifications !== undefined) {
    notes.push({ subject: '(top level)', field: 'notifications', reason: 'Upptime notifications are set in repository secrets; add the matching channels under channels' });
  }
  noteUnread(config, ['sites', 'workflowSchedule', 'status-website', 'assignees', 'notifications'], '(top level)', () => GITHUB_SETTINGS_REASON, notes);
  return buildMonitorsYaml({
    tool: 'upptime',
    fileName,
    channels: [],
    defaults,
    monitors,
    statusPage,
    comments: [
      'Upptime checks every 5 minutes unless workflowSchedule.uptime says otherwise: defaults.interval.',
      'maxResponseTime became expect.maxResponseTime: a slower answer fails the check here (Upptime marks it degraded).',
      ...(envNames.size > 0
        ? [`Upptime secrets became env references: set ${[...envNames].sort().join(', ')} where sls deploy runs (or switch to ssm / secretsManager references).`]
        : []),
    ],
    notes,
  });
}

/** `workflowSchedule.uptime` (`*\/5 * * * *`, the default) as an interval. */
function readSchedule(schedule: unknown, notes: ImportNote[]): string {
  const cron = isMapping(schedule) ? schedule.uptime : undefined;
  if (isMapping(schedule)) {
    const others = Object.keys(schedule).filter((key) => key !== 'uptime');
    if (others.length > 0) notes.push({ subject: 'workflowSchedule', field: others.join(', '), reason: 'schedules of Upptime\'s GitHub workflows; nothing to import (only uptime sets the interval)' });
  }
  if (cron === undefined) return '5m';
  const every = /^\*\/(\d+) \* \* \* \*$/.exec(String(cron).trim());
  const minutes = every ? Number(every[1]) : String(cron).trim() === '* * * * *' ? 1 : undefined;
  if (minutes !== undefined && minutes >= 1 && minutes <= 59) return `${minutes}m`;
  notes.push({ subject: 'workflowSchedule', field: 'uptime', reason: `${JSON.stringify(cron)} is not an every-N-minutes schedule; defaults.interval is 5m (Upptime's default)` });
  return '5m';
}

interface SiteContext {
  fileName: string;
  ids: SlugAllocator;
  notes: ImportNote[];
  defaultStatuses: number[];
  envNames: Set<string>;
}

const SITE_REASONS: Record<string, string> = {
  body: 'a monitor here sends no request body; left out',
  icon: 'the status page here shows no icons; left out',
  assignees: 'alerts here go to channels, not GitHub assignees; left out',
  tags: 'no tags here; left out',
  ipv6: 'a tcp monitor here connects to whichever address the name resolves to first; left out',
  __dangerous__insecure: 'certificates are always verified here; left out',
  __dangerous__disable_verify_peer: 'certificates are always verified here; left out',
  __dangerous__disable_verify_host: 'certificates are always verified here; left out',
  __dangerous__body_down: 'a monitor here can require text in the body, not its absence; left out',
  __dangerous__body_degraded: 'there is no degraded state here; left out',
  __dangerous__body_degraded_if_text_missing: 'there is no degraded state here; left out',
  type: 'checks run from this stack\'s region, not from Globalping probes; left out',
  location: 'checks run from this stack\'s region, not from Globalping probes; left out',
};

function readSite(entry: unknown, index: number, context: SiteContext): MonitorDraft | undefined {
  const { notes } = context;
  const name = isMapping(entry) && typeof entry.name === 'string' ? entry.name : undefined;
  const subject = `sites[${index}]${name ? ` (${name})` : ''}`;
  if (!isMapping(entry)) {
    notes.push({ subject, reason: 'not a mapping; not imported' });
    return undefined;
  }
  if (typeof entry.url !== 'string' || entry.url.trim() === '') {
    notes.push({ subject, field: 'url', reason: 'missing; not imported' });
    return undefined;
  }
  const check = entry.check === undefined ? 'http' : String(entry.check);
  if (check !== 'http' && check !== 'tcp-ping') {
    notes.push({ subject, field: 'check', reason: `${check}: no such monitor type here (http and tcp-ping are imported); not imported` });
    return undefined;
  }
  // Upptime's own id is the slug of the name (or `slug`): kept, so links keep their meaning.
  const id = context.ids.take(typeof entry.slug === 'string' ? entry.slug : (name ?? entry.url), 'site');
  const monitor: Mapping = { id };
  if (name !== undefined && name !== id) monitor.name = name.slice(0, 200);
  const secret = (value: string, field: string, fallbackEnv: string, credential: boolean) => {
    const result = toSecretValue(value, { subject, field, fallbackEnv, credential, fileName: context.fileName, notes });
    if (typeof result !== 'string') context.envNames.add(result.env);
    return result;
  };
  const read = ['name', 'url', 'slug', 'check'];

  if (check === 'tcp-ping') {
    read.push('port');
    const port = entry.port;
    if (port === undefined || !/^\d{1,5}$|^\$\w+$/.test(String(port))) {
      notes.push({ subject, field: 'port', reason: 'a tcp-ping site needs a port; not imported' });
      return undefined;
    }
    monitor.type = 'tcp';
    const host = entry.url.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
    const whole = tcpUrl(host, String(port));
    const wholePlaceholder = /^\$\{?\w+\}?$/.test(host) || placeholders(String(port)).length > 0;
    if (wholePlaceholder) {
      // Upptime puts the host (or port) alone in the secret; a reference here holds the whole tcp:// URL.
      const env = envName(id, 'url');
      context.envNames.add(env);
      monitor.url = { env };
      notes.push({
        subject,
        field: 'url',
        reason: `the host or port is an Upptime secret, and a reference here holds the whole URL: written as { env: ${env} }; set ${env} to ${whole} with the secret filled in`,
      });
    } else monitor.url = whole;
  } else {
    monitor.url = secret(entry.url.trim(), 'url', envName(id, 'url'), false);
    if (entry.method !== undefined) {
      read.push('method');
      const method = String(entry.method).toUpperCase();
      if (METHODS.includes(method)) {
        if (method !== 'GET') monitor.method = method;
      } else notes.push({ subject, field: 'method', reason: `${method} is not a method here (${METHODS.join(', ')}); GET is used` });
    }
    if (entry.headers !== undefined) {
      read.push('headers');
      const headers: Mapping = {};
      (Array.isArray(entry.headers) ? entry.headers : []).forEach((line: unknown, position: number) => {
        const match = /^\s*([^:\s]+)\s*:\s*(.*)$/.exec(String(line));
        if (!match) {
          notes.push({ subject, field: `headers[${position}]`, reason: 'not a "Name: value" header; left out' });
          return;
        }
        const [, header, value] = match as unknown as [string, string, string];
        headers[header] = secret(value, `headers[${position}] (${header})`, envName(id, header), isCredentialHeader(header));
      });
      if (!Array.isArray(entry.headers)) notes.push({ subject, field: 'headers', reason: 'not a list of "Name: value" lines; left out' });
      if (Object.keys(headers).length > 0) monitor.headers = headers;
    }
    const expect: Mapping = {};
    read.push('expectedStatusCodes');
    if (entry.expectedStatusCodes === undefined) {
      expect.status = context.defaultStatuses;
    } else {
      const codes = (Array.isArray(entry.expectedStatusCodes) ? entry.expectedStatusCodes : [entry.expectedStatusCodes]).map(Number);
      const valid = codes.filter((code) => Number.isInteger(code) && code >= 100 && code <= 599);
      if (valid.length < codes.length) notes.push({ subject, field: 'expectedStatusCodes', reason: 'holds values that are not HTTP statuses (100 to 599); they are left out' });
      if (valid.length > 0 && !(valid.length === 1 && valid[0] === 200)) expect.status = valid.length === 1 ? valid[0] : [...new Set(valid)];
    }
    if (typeof entry.__dangerous__body_down_if_text_missing === 'string' && entry.__dangerous__body_down_if_text_missing !== '') {
      read.push('__dangerous__body_down_if_text_missing');
      expect.bodyContains = entry.__dangerous__body_down_if_text_missing;
    }
    if (entry.maxResponseTime !== undefined) {
      read.push('maxResponseTime');
      const ms = Number(entry.maxResponseTime);
      if (!Number.isFinite(ms) || ms <= 0) notes.push({ subject, field: 'maxResponseTime', reason: 'not a number of milliseconds; left out' });
      else if (ms > 30_000) notes.push({ subject, field: 'maxResponseTime', reason: `${ms} ms is above the largest maxResponseTime here (30s); left out` });
      else expect.maxResponseTime = formatMs(Math.round(ms));
    }
    if (Object.keys(expect).length > 0) monitor.expect = expect;
  }
  if (check === 'tcp-ping' && entry.maxResponseTime !== undefined) {
    read.push('maxResponseTime');
    notes.push({ subject, field: 'maxResponseTime', reason: 'a tcp monitor here has no response time limit; left out' });
  }
  if (entry.maxRedirects !== undefined) {
    read.push('maxRedirects');
    if (Number(entry.maxRedirects) === 0) notes.push({ subject, field: 'maxRedirects', reason: 'redirects are always followed here (up to 20); left out' });
  }
  for (const field of Object.keys(entry)) {
    if (read.includes(field) || entry[field] === undefined || entry[field] === null || entry[field] === false) continue;
    const reason = SITE_REASONS[field] ?? (check === 'tcp-ping' && ['method', 'headers', 'expectedStatusCodes'].includes(field) ? 'applies to http sites only; left out' : 'no equivalent here; left out');
    notes.push({ subject, field, reason });
  }
  return { subject, monitor };
}
