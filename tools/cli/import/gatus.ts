import { DNS_RECORD_TYPES } from '../../../lib/domain/types';
import {
  buildMonitorsYaml,
  coerceExpected,
  envName,
  formatMs,
  ImportError,
  isCredentialHeader,
  isMapping,
  noteUnread,
  parseYamlMapping,
  SlugAllocator,
  statusRange,
  toHeartbeatTiming,
  toInterval,
  toSecretValue,
  toTimeout,
  type ChannelDraft,
  type ImportNote,
  type ImportResult,
  type Mapping,
  type MonitorDraft,
} from './import-result';

/**
 * Gatus `config.yaml` (https://github.com/TwiN/gatus#configuration) to monitors.yml: `endpoints`
 * (http, tcp:// and DNS), `external-endpoints` (as heartbeats), `alerting` providers that have a
 * channel here, groups as status page groups, `ui.title`/`ui.description` and `maintenance`.
 */
export function importGatus(text: string, fileName: string): ImportResult {
  const config = parseYamlMapping(text, fileName, 'not a Gatus config: expected a mapping with endpoints');
  if (!Array.isArray(config.endpoints) && !Array.isArray(config['external-endpoints'])) {
    throw new ImportError(`${fileName}: not a Gatus config: it has no endpoints list`);
  }
  const notes: ImportNote[] = [];
  const channelNames = new SlugAllocator(['email']);
  const alerting = readAlerting(config.alerting, fileName, channelNames, notes);
  const ids = new SlugAllocator();
  const monitors: MonitorDraft[] = [];
  const maintenance: NonNullable<Parameters<typeof buildMonitorsYaml>[0]['maintenance']> = [];
  (Array.isArray(config.endpoints) ? config.endpoints : []).forEach((entry: unknown, index: number) => {
    const draft = readEndpoint(entry, index, { fileName, ids, alerting, notes, maintenance });
    if (draft) monitors.push(draft);
  });
  (Array.isArray(config['external-endpoints']) ? config['external-endpoints'] : []).forEach((entry: unknown, index: number) => {
    const draft = readExternalEndpoint(entry, index, { fileName, ids, alerting, notes, maintenance });
    if (draft) monitors.push(draft);
  });
  for (const provider of alerting.unmapped) {
    const count = alerting.uses.get(provider) ?? 0;
    if (count > 0) notes.push({ subject: `alerting.${provider}`, reason: `the alerts of ${count} endpoint${count === 1 ? '' : 's'} to it go nowhere here` });
  }
  const ui = isMapping(config.ui) ? config.ui : {};
  noteUnread(ui, ['title', 'description'], 'ui', () => 'no such status page setting here (title and description are imported)', notes);
  if (isMapping(config.maintenance)) {
    const window = maintenanceWindow(config.maintenance, 'maintenance', notes);
    if (window) maintenance.unshift({ subject: 'maintenance', window: { name: 'Gatus maintenance', ...window } });
  }
  const announcements = readAnnouncements(config.announcements, notes);
  const read = ['endpoints', 'external-endpoints', 'alerting', 'ui', 'maintenance', 'announcements'];
  noteUnread(config, read, '(top level)', (field) => `a Gatus server setting; nothing to import (this stack has its own ${field === 'storage' ? 'DynamoDB table' : 'settings'})`, notes);
  return buildMonitorsYaml({
    tool: 'gatus',
    fileName,
    ...(alerting.notify ? { notify: alerting.notify } : {}),
    channels: alerting.channels,
    monitors,
    maintenance,
    statusPage: {
      subject: 'ui',
      ...(typeof ui.title === 'string' ? { title: ui.title } : {}),
      ...(typeof ui.description === 'string' ? { description: ui.description } : {}),
      announcements,
    },
    comments: [
      'Gatus conditions became expect (status, json, bodyContains, maxResponseTime); [CERTIFICATE_EXPIRATION] > D became',
      'tls.warnBefore [D]: here a certificate close to expiry sends a warning, it does not fail the check.',
    ],
    notes,
  });
}

/** Go's time.ParseDuration forms (`30s`, `1m30s`, `1.5h`, `500ms`) in milliseconds. */
export function parseGoDuration(text: unknown): number | undefined {
  if (typeof text === 'number') return undefined;
  if (typeof text !== 'string' || !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text.trim())) return undefined;
  const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const match of text.trim().matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(match[1]) * (unitMs[match[2] as string] as number);
  return total;
}

// ---------------------------------------------------------------------------------------------
// alerting

interface Alerting {
  notify?: { from?: string; to?: string[]; subject: string };
  channels: ChannelDraft[];
  /** Gatus provider -> channel name here (`email` for email). */
  channelOf: Map<string, string>;
  /** Providers configured but with no channel here. */
  unmapped: string[];
  /** Endpoint alerts per provider, for the note on an unmapped one. */
  uses: Map<string, number>;
  /** `alerting.<provider>.default-alert`. */
  defaultAlert: Map<string, Mapping>;
}

/** Gatus providers with a channel type here, and the field holding where to send. */
const CHANNEL_PROVIDERS: Record<string, { type: string; field: string }> = {
  slack: { type: 'slack', field: 'webhook-url' },
  discord: { type: 'discord', field: 'webhook-url' },
  teams: { type: 'teams', field: 'webhook-url' },
  'teams-workflows': { type: 'teams', field: 'webhook-url' },
  pagerduty: { type: 'pagerduty', field: 'integration-key' },
  custom: { type: 'webhook', field: 'url' },
};

function readAlerting(section: unknown, fileName: string, names: SlugAllocator, notes: ImportNote[]): Alerting {
  const alerting: Alerting = { channels: [], channelOf: new Map(), unmapped: [], uses: new Map(), defaultAlert: new Map() };
  if (!isMapping(section)) return alerting;
  for (const [provider, settings] of Object.entries(section)) {
    const subject = `alerting.${provider}`;
    if (!isMapping(settings)) {
      notes.push({ subject, reason: 'not a mapping; not imported' });
      alerting.unmapped.push(provider);
      continue;
    }
    if (isMapping(settings['default-alert'])) alerting.defaultAlert.set(provider, settings['default-alert']);
    if (settings.overrides !== undefined) notes.push({ subject, field: 'overrides', reason: 'per-group provider settings have no equivalent here; the provider\'s own settings are used for every group' });
    if (provider === 'email') {
      const to = typeof settings.to === 'string' ? settings.to.split(',').map((address) => address.trim()).filter(Boolean) : undefined;
      alerting.notify = { subject, ...(typeof settings.from === 'string' ? { from: settings.from } : {}), ...(to ? { to } : {}) };
      alerting.channelOf.set(provider, 'email');
      const smtp = ['host', 'port', 'username', 'password', 'client'].filter((field) => settings[field] !== undefined);
      if (smtp.length > 0) notes.push({ subject, field: smtp.join(', '), reason: 'email goes out through Amazon SES here, not an SMTP server: verify notify.from in SES' });
      noteUnread(settings, ['from', 'to', 'default-alert', 'overrides', ...smtp], subject, () => 'no such email setting here', notes);
      continue;
    }
    const known = CHANNEL_PROVIDERS[provider];
    if (!known) {
      notes.push({ subject, reason: `no ${provider} channel here (channels: email, slack, discord, teams, webhook, pagerduty, sns); not imported` });
      alerting.unmapped.push(provider);
      continue;
    }
    const target = settings[known.field];
    if (typeof target !== 'string' || target === '') {
      notes.push({ subject, field: known.field, reason: 'missing; the provider is not imported' });
      alerting.unmapped.push(provider);
      continue;
    }
    const name = names.take(provider === 'teams-workflows' && !('teams' in section) ? 'teams' : provider, 'channel');
    const secret = (field: string, value: string, credential: boolean) =>
      toSecretValue(value, { subject, field, fallbackEnv: envName('GATUS', provider, field), credential, fileName, notes });
    let channel: Mapping;
    if (known.type === 'pagerduty') {
      channel = { type: 'pagerduty', routingKey: secret(known.field, target, true) };
    } else if (known.type === 'webhook') {
      const secretEnv = envName('GATUS', provider, 'secret');
      channel = { type: 'webhook', url: secret(known.field, target, false), secret: { env: secretEnv } };
      const custom = ['method', 'body', 'headers', 'placeholders'].filter((field) => settings[field] !== undefined).join(', ');
      notes.push({
        subject,
        ...(custom === '' ? {} : { field: custom }),
        reason: `a webhook here POSTs signed JSON (Standard Webhooks), not a custom body; written with secret { env: ${secretEnv} }: set it to a whsec_ secret (openssl rand -base64 32) and verify the signature at the receiver`,
      });
    } else {
      channel = { type: known.type, url: secret(known.field, target, true) };
      if (provider === 'teams') {
        notes.push({ subject, field: known.field, reason: 'Gatus teams posts to an Office 365 connector, which Microsoft retired; a teams channel here posts to a Workflows webhook: replace the URL with one' });
      }
    }
    noteUnread(settings, [known.field, 'default-alert', 'overrides', 'method', 'body', 'headers', 'placeholders'], subject, () => `no such ${known.type} channel setting here`, notes);
    alerting.channels.push({ subject, name, channel });
    alerting.channelOf.set(provider, name);
  }
  return alerting;
}

// ---------------------------------------------------------------------------------------------
// endpoints

interface EndpointContext {
  fileName: string;
  ids: SlugAllocator;
  alerting: Alerting;
  notes: ImportNote[];
  maintenance: NonNullable<Parameters<typeof buildMonitorsYaml>[0]['maintenance']>;
}

const ENDPOINT_FIELDS = ['name', 'group', 'url', 'method', 'headers', 'body', 'interval', 'conditions', 'alerts', 'client', 'dns', 'enabled', 'maintenance-windows'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * An entry of `endpoints` or `external-endpoints` with its subject for the report (`endpoints[3]
 * (API)`); undefined, noted, when it is not a mapping or is disabled.
 */
function openEntry(raw: unknown, where: string, notes: ImportNote[]): { subject: string; name: string | undefined; mapping: Mapping } | undefined {
  const name = isMapping(raw) && typeof raw.name === 'string' ? raw.name : undefined;
  const subject = `${where}${name ? ` (${name})` : ''}`;
  if (!isMapping(raw)) {
    notes.push({ subject, reason: 'not a mapping; not imported' });
    return undefined;
  }
  if (raw.enabled === false) {
    notes.push({ subject, reason: 'disabled in Gatus (enabled: false); not imported' });
    return undefined;
  }
  return { subject, name, mapping: raw };
}

function readEndpoint(raw: unknown, index: number, context: EndpointContext): MonitorDraft | undefined {
  const opened = openEntry(raw, `endpoints[${index}]`, context.notes);
  if (!opened) return undefined;
  const { notes } = context;
  const { subject, name, mapping: entry } = opened;
  if (typeof entry.url !== 'string' || entry.url === '') {
    notes.push({ subject, field: 'url', reason: 'missing; not imported' });
    return undefined;
  }
  const rawUrl = entry.url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rawUrl)?.[1]?.toLowerCase();
  const isDns = isMapping(entry.dns);
  const type = isDns ? 'dns' : scheme === 'http' || scheme === 'https' ? 'http' : scheme === 'tcp' ? 'tcp' : undefined;
  if (type === undefined) {
    notes.push({
      subject,
      field: 'url',
      reason: `${scheme ? `${scheme}://` : 'a URL without a scheme'}: no such monitor type here (http, https, tcp:// and DNS are imported); not imported`,
    });
    return undefined;
  }
  const id = context.ids.take(name ?? rawUrl, 'monitor');
  const monitor: Mapping = { id };
  if (name !== undefined && name !== id) monitor.name = name.slice(0, 200);
  if (type !== 'http') monitor.type = type;
  const expect: Mapping = {};
  const dns: Mapping = {};
  let warnBefore: string | undefined;

  if (type === 'dns') {
    const query = entry.dns as Mapping;
    const queryName = typeof query['query-name'] === 'string' ? query['query-name'].replace(/\.$/, '') : undefined;
    if (queryName === undefined) {
      notes.push({ subject, field: 'dns.query-name', reason: 'missing; not imported' });
      return undefined;
    }
    monitor.url = `dns://${queryName}`;
    const queryType = typeof query['query-type'] === 'string' ? query['query-type'].toUpperCase() : 'A';
    if ((DNS_RECORD_TYPES as readonly string[]).includes(queryType)) dns.type = queryType;
    else notes.push({ subject, field: 'dns.query-type', reason: `${queryType} is not a record type here (${DNS_RECORD_TYPES.join(', ')}); asked for A instead` });
    // The endpoint's URL is the resolver to ask.
    const server = rawUrl.replace(/^dns:\/\//i, '').replace(/:53$/, '');
    dns.server = server;
    noteUnread(query, ['query-name', 'query-type'], subject, (field) => `dns.${field}: no such DNS setting here`, notes);
  } else {
    const secretUrl = toSecretValue(rawUrl, { subject, field: 'url', fallbackEnv: envName(id, 'url'), credential: false, fileName: context.fileName, notes });
    monitor.url = secretUrl;
  }

  if (type === 'http') {
    if (entry.method !== undefined) {
      const method = String(entry.method).toUpperCase();
      if (METHODS.includes(method)) {
        if (method !== 'GET') monitor.method = method;
      } else notes.push({ subject, field: 'method', reason: `${method} is not a method here (${METHODS.join(', ')}); GET is used` });
    }
    if (isMapping(entry.headers)) {
      const headers: Mapping = {};
      for (const [header, value] of Object.entries(entry.headers)) {
        headers[header] = toSecretValue(String(value), {
          subject,
          field: `headers.${header}`,
          fallbackEnv: envName(id, header),
          credential: isCredentialHeader(header),
          fileName: context.fileName,
          notes,
        });
      }
      if (Object.keys(headers).length > 0) monitor.headers = headers;
    }
  } else {
    for (const field of ['method', 'headers'] as const) {
      if (entry[field] !== undefined) notes.push({ subject, field, reason: `applies to http monitors only; this one is ${type}` });
    }
  }
  if (entry.body !== undefined && entry.body !== '') {
    notes.push({ subject, field: 'body', reason: 'a monitor here sends no request body; left out (a POST is sent empty)' });
  }
  if (entry.interval !== undefined) {
    const ms = parseGoDuration(entry.interval);
    if (ms === undefined) notes.push({ subject, field: 'interval', reason: `${JSON.stringify(entry.interval)} is not a duration; the default (1m) is used` });
    else {
      const interval = toInterval(ms);
      if (interval.reason) notes.push({ subject, field: 'interval', reason: interval.reason });
      if (interval.value !== '1m') monitor.interval = interval.value;
    }
  }
  readClient(entry.client, subject, monitor, notes);

  // Conditions.
  const conditions: unknown[] = Array.isArray(entry.conditions) ? entry.conditions : [];
  let statuses: number[] | undefined;
  let sawStatus = false;
  conditions.forEach((condition, position) => {
    const field = `conditions[${position}] ${JSON.stringify(String(condition))}`;
    const unmapped = (reason: string) => notes.push({ subject, field, reason });
    const match = /^\s*(.+?)\s*(==|!=|<=|>=|<|>)\s*(.*?)\s*$/.exec(String(condition));
    if (!match) return unmapped('not a Gatus condition; left out');
    const [, left, operator, right] = match as unknown as [string, string, string, string];
    const upper = left.toUpperCase();
    if (upper === '[STATUS]') {
      if (type !== 'http') return unmapped(`[STATUS] applies to http monitors only; this one is ${type}; left out`);
      // 1xx answers are never final: a check sees 200 to 599.
      const next = applyStatusCondition(statuses ?? statusRange(200, 599), operator, right);
      if (next === undefined) return unmapped('only a status number or any(...) compared with ==, !=, <, <=, > or >= is mapped; left out');
      sawStatus = true;
      statuses = next;
      return undefined;
    }
    if (upper === '[RESPONSE_TIME]') {
      const limit = Number(right);
      if (type !== 'http') return unmapped(`a response time limit applies to http monitors only here; this one is ${type}; left out`);
      if (!['<', '<='].includes(operator) || !Number.isFinite(limit) || limit <= 0) return unmapped('only [RESPONSE_TIME] < N (milliseconds) is mapped; left out');
      if (limit > 30_000) return unmapped(`${limit} ms is above the largest maxResponseTime here (30s); left out`);
      expect.maxResponseTime = formatMs(Math.round(limit));
      return undefined;
    }
    if (upper === '[CERTIFICATE_EXPIRATION]') {
      const ms = parseGoDuration(right);
      if (type !== 'http' || !rawUrl.toLowerCase().startsWith('https://')) return unmapped('certificates are watched on https:// monitors only here; left out');
      if (!['>', '>='].includes(operator) || ms === undefined) return unmapped('only [CERTIFICATE_EXPIRATION] > duration is mapped; left out');
      if (ms < 3_600_000 || ms > 365 * 86_400_000) return unmapped(`${right} is outside the certificate warnings allowed here (1h to 365d); left out`);
      warnBefore = formatMs(Math.round(ms / 3_600_000) * 3_600_000);
      return undefined;
    }
    if (upper === '[CONNECTED]') {
      if (operator === '==' && right.toLowerCase() === 'true') return undefined; // every check here must connect
      return unmapped('only [CONNECTED] == true is mapped (every check here must connect); left out');
    }
    if (upper === '[DNS_RCODE]') {
      if (type !== 'dns') return unmapped(`[DNS_RCODE] applies to DNS monitors only; this one is ${type}; left out`);
      if (operator === '==' && right.toUpperCase() === 'NOERROR') return undefined; // a dns monitor here fails on any other answer code
      return unmapped('only [DNS_RCODE] == NOERROR is mapped: a dns monitor here fails on NXDOMAIN, SERVFAIL and the like; left out');
    }
    if (upper === '[BODY]') {
      if (type === 'dns') {
        if (operator !== '==' || /^(pat|any)\(/i.test(right)) return unmapped('only [BODY] == value is mapped for DNS (a value the answer must hold); left out');
        dns.expect = [...((dns.expect as string[] | undefined) ?? []), right];
        return undefined;
      }
      const pattern = /^pat\((.*)\)$/i.exec(right)?.[1];
      if (type === 'http' && operator === '==' && pattern !== undefined && /^\*[^*]+\*$/.test(pattern)) {
        if (expect.bodyContains !== undefined) return unmapped('only one bodyContains per monitor here; left out');
        expect.bodyContains = pattern.slice(1, -1);
        return undefined;
      }
      return unmapped('only [BODY] == pat(*text*) (the body contains text) is mapped; left out');
    }
    const bodyPath = /^\[BODY\]((?:\.[^.[\]]+|\[\d+\])+)$/i.exec(left)?.[1];
    if (bodyPath !== undefined) {
      if (type !== 'http') return unmapped(`a JSON body check applies to http monitors only; this one is ${type}; left out`);
      if (operator !== '==' || /^(pat|any|len|has)\(/i.test(right) || /^\[/.test(right)) return unmapped('only [BODY].path == value (an exact value) is mapped; left out');
      const path = bodyPath.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
      expect.json = { ...((expect.json as Mapping | undefined) ?? {}), [path]: coerceExpected(right) };
      return undefined;
    }
    return unmapped(`${left} has no equivalent check here; left out`);
  });
  if (type === 'http') {
    if (statuses !== undefined) {
      if (statuses.length === 0) notes.push({ subject, field: 'conditions', reason: 'the [STATUS] conditions accept no status at all; expect.status left at 200' });
      else if (!(statuses.length === 1 && statuses[0] === 200)) {
        const rest = { ...expect };
        Object.keys(expect).forEach((key) => delete expect[key]);
        Object.assign(expect, { status: statuses.length === 1 ? statuses[0] : statuses }, rest);
      }
    } else if (!sawStatus) {
      notes.push({ subject, field: 'conditions', reason: 'no [STATUS] condition: Gatus accepts any status, a monitor here expects 200 (set expect.status to accept others)' });
    }
  }
  if (Object.keys(expect).length > 0) monitor.expect = expect;
  if (warnBefore !== undefined) monitor.tls = { warnBefore: [warnBefore] };
  if (Object.keys(dns).length > 0) monitor.dns = dns;

  readAlerts(entry.alerts, subject, monitor, context);
  if (Array.isArray(entry['maintenance-windows'])) {
    entry['maintenance-windows'].forEach((window: unknown, position: number) => {
      const windowSubject = `${subject} maintenance-windows[${position}]`;
      const parsed = isMapping(window) ? maintenanceWindow(window, windowSubject, notes) : undefined;
      if (!isMapping(window)) notes.push({ subject: windowSubject, reason: 'not a mapping; not imported' });
      if (parsed) context.maintenance.push({ subject: windowSubject, window: { name: `${name ?? id} maintenance ${position + 1}`, ...parsed }, monitorSubjects: [subject] });
    });
  }
  noteUnread(entry, ENDPOINT_FIELDS, subject, () => 'no equivalent here; left out', notes);
  return { subject, monitor, ...(typeof entry.group === 'string' && entry.group !== '' ? { group: entry.group } : {}) };
}

/** The statuses left after one `[STATUS] op value` condition; undefined when it is not a form that maps. */
function applyStatusCondition(current: number[], operator: string, right: string): number[] | undefined {
  const any = /^any\((.*)\)$/i.exec(right)?.[1];
  const values = (any !== undefined ? any.split(',') : [right]).map((value) => Number(value.trim()));
  if (values.some((value) => !Number.isInteger(value))) return undefined;
  if (any !== undefined && operator !== '==') return undefined;
  const [value] = values as [number];
  const keep: Record<string, (code: number) => boolean> = {
    '==': (code) => values.includes(code),
    '!=': (code) => code !== value,
    '<': (code) => code < value,
    '<=': (code) => code <= value,
    '>': (code) => code > value,
    '>=': (code) => code >= value,
  };
  return current.filter(keep[operator] as (code: number) => boolean);
}

function readClient(client: unknown, subject: string, monitor: Mapping, notes: ImportNote[]): void {
  if (client === undefined) return;
  if (!isMapping(client)) {
    notes.push({ subject, field: 'client', reason: 'not a mapping; left out' });
    return;
  }
  if (client.timeout !== undefined) {
    const ms = parseGoDuration(client.timeout);
    if (ms === undefined) notes.push({ subject, field: 'client.timeout', reason: `${JSON.stringify(client.timeout)} is not a duration; the default (5s) is used` });
    else {
      const timeout = toTimeout(ms);
      if (timeout.reason) notes.push({ subject, field: 'client.timeout', reason: timeout.reason });
      monitor.timeout = timeout.value;
    }
  }
  const reasons: Record<string, string> = {
    insecure: 'certificates are always verified here; left out',
    'ignore-redirect': 'redirects are always followed here (up to 20); left out',
  };
  for (const field of Object.keys(client).filter((key) => key !== 'timeout' && client[key] !== false && client[key] !== null)) {
    notes.push({ subject, field: `client.${field}`, reason: reasons[field] ?? 'no such client setting here; left out' });
  }
}

function readAlerts(alerts: unknown, subject: string, monitor: Mapping, context: EndpointContext): void {
  const { notes, alerting } = context;
  if (!Array.isArray(alerts) || alerts.length === 0) {
    // Gatus alerts nobody about an endpoint without alerts.
    monitor.alerts = [];
    return;
  }
  const channels: string[] = [];
  const failure: number[] = [];
  const success: number[] = [];
  const resolved: boolean[] = [];
  const reminders: number[] = [];
  alerts.forEach((raw: unknown, position: number) => {
    const field = `alerts[${position}]`;
    if (!isMapping(raw) || typeof raw.type !== 'string') {
      notes.push({ subject, field, reason: 'not an alert with a type; left out' });
      return;
    }
    const provider = raw.type;
    const alert: Mapping = { ...(alerting.defaultAlert.get(provider) ?? {}), ...raw };
    if (alert.enabled === false) {
      notes.push({ subject, field: `${field} (${provider})`, reason: 'disabled in Gatus; left out' });
      return;
    }
    const channel = alerting.channelOf.get(provider);
    if (channel === undefined) {
      alerting.uses.set(provider, (alerting.uses.get(provider) ?? 0) + 1);
      if (!alerting.unmapped.includes(provider)) {
        notes.push({ subject, field: `${field} (${provider})`, reason: `alerting.${provider} is not configured; left out` });
      }
      return;
    }
    if (!channels.includes(channel)) channels.push(channel);
    failure.push(typeof alert['failure-threshold'] === 'number' ? alert['failure-threshold'] : 3);
    success.push(typeof alert['success-threshold'] === 'number' ? alert['success-threshold'] : 2);
    resolved.push(alert['send-on-resolved'] === true);
    const reminder = parseGoDuration(alert['minimum-reminder-interval']);
    if (reminder !== undefined && reminder > 0) reminders.push(reminder);
    if (typeof alert.description === 'string' && alert.description !== '') {
      notes.push({ subject, field: `${field}.description`, reason: 'an alert here carries the monitor, state and reason, not a description; left out' });
    }
    for (const key of Object.keys(raw)) {
      if (!['type', 'enabled', 'failure-threshold', 'success-threshold', 'send-on-resolved', 'description', 'minimum-reminder-interval'].includes(key)) {
        notes.push({ subject, field: `${field}.${key}`, reason: 'no such alert setting here; left out' });
      }
    }
  });
  monitor.alerts = channels;
  if (channels.length === 0) return;
  // Thresholds are per monitor here, per alert in Gatus: the first alert's win.
  monitor.failureThreshold = failure[0];
  monitor.successThreshold = success[0];
  if (new Set(failure).size > 1 || new Set(success).size > 1) {
    notes.push({
      subject,
      field: 'alerts',
      reason: `thresholds differ between its alerts, and are one per monitor here: failureThreshold ${failure[0]} and successThreshold ${success[0]} (the first alert's) are used`,
    });
  }
  if (resolved.every((value) => !value)) monitor.sendOnResolved = false;
  else if (resolved.some((value) => !value)) {
    notes.push({ subject, field: 'alerts', reason: 'send-on-resolved differs between its alerts, and is one per monitor here: recoveries are sent to every channel' });
  }
  if (reminders.length > 0) {
    const every = Math.min(7 * 86_400_000, Math.max(60_000, Math.min(...reminders)));
    monitor.remindEvery = formatMs(Math.ceil(every / 60_000) * 60_000);
  }
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Gatus `maintenance` (`start: "23:00"`, `duration`, `timezone`, `every: [Monday]`) as a recurring window. */
function maintenanceWindow(section: Mapping, subject: string, notes: ImportNote[]): Mapping | undefined {
  if (section.enabled === false) {
    notes.push({ subject, reason: 'disabled in Gatus; not imported' });
    return undefined;
  }
  const start = /^(\d{1,2}):(\d{2})$/.exec(String(section.start ?? ''));
  const duration = parseGoDuration(section.duration);
  if (!start || duration === undefined) {
    notes.push({ subject, reason: 'needs start (hh:mm) and duration; not imported' });
    return undefined;
  }
  const days = Array.isArray(section.every) ? section.every.map((day: unknown) => WEEKDAYS.indexOf(String(day).toLowerCase())) : [];
  if (days.includes(-1)) {
    notes.push({ subject, field: 'every', reason: 'not a list of weekdays; not imported' });
    return undefined;
  }
  noteUnread(section, ['enabled', 'start', 'duration', 'every', 'timezone'], subject, () => 'no such maintenance setting here; left out', notes);
  return {
    cron: `${Number(start[2])} ${Number(start[1])} * * ${days.length > 0 ? [...new Set(days)].sort().join(',') : '*'}`,
    ...(typeof section.timezone === 'string' && section.timezone !== '' ? { timezone: section.timezone } : {}),
    duration: formatMs(Math.max(60_000, Math.round(duration / 60_000) * 60_000)),
  };
}

// ---------------------------------------------------------------------------------------------
// external-endpoints: pushed results, a heartbeat here.

function readExternalEndpoint(raw: unknown, index: number, context: EndpointContext): MonitorDraft | undefined {
  const opened = openEntry(raw, `external-endpoints[${index}]`, context.notes);
  if (!opened) return undefined;
  const { notes } = context;
  const { subject, name, mapping: entry } = opened;
  const heartbeat = isMapping(entry.heartbeat) ? parseGoDuration(entry.heartbeat.interval) : undefined;
  if (heartbeat === undefined || heartbeat === 0) {
    notes.push({ subject, reason: 'no heartbeat.interval: Gatus only records what is pushed, a heartbeat here needs the interval its pings come at; not imported' });
    return undefined;
  }
  const id = context.ids.take(name ?? `external-${index + 1}`, 'heartbeat');
  const monitor: Mapping = { id, ...(name !== undefined && name !== id ? { name: name.slice(0, 200) } : {}), type: 'heartbeat' };
  const timing = toHeartbeatTiming(heartbeat);
  if (timing.reason) notes.push({ subject, field: 'heartbeat.interval', reason: timing.reason });
  monitor.interval = timing.interval;
  if (timing.grace) monitor.grace = timing.grace;
  const tokenEnv = envName(id, 'token');
  monitor.token = { env: tokenEnv };
  notes.push({
    subject,
    field: 'token',
    reason: `the job now pings /ping/{token} on this stack's API instead of Gatus's push endpoint; written as { env: ${tokenEnv} }: set it to a token of 16 or more characters of A-Z a-z 0-9 _ -`,
  });
  readAlerts(entry.alerts, subject, monitor, context);
  noteUnread(entry, ['name', 'group', 'token', 'heartbeat', 'alerts', 'enabled'], subject, () => 'no equivalent here; left out', notes);
  return { subject, monitor, ...(typeof entry.group === 'string' && entry.group !== '' ? { group: entry.group } : {}) };
}

// ---------------------------------------------------------------------------------------------
// announcements: the status page's.

const SEVERITY_OF: Record<string, string> = { outage: 'critical', warning: 'warning', information: 'info', operational: 'info', none: 'info' };

function readAnnouncements(list: unknown, notes: ImportNote[]): Array<{ subject: string; announcement: Mapping }> {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    notes.push({ subject: 'announcements', reason: 'not a list; not imported' });
    return [];
  }
  return list.flatMap((entry: unknown, index: number) => {
    const subject = `announcements[${index}]`;
    if (!isMapping(entry) || typeof entry.message !== 'string' || entry.message === '') {
      notes.push({ subject, reason: 'no message; not imported' });
      return [];
    }
    if (entry.archived === true) {
      notes.push({ subject, reason: 'archived in Gatus; not imported (the status page here shows current announcements only)' });
      return [];
    }
    const type = String(entry.type ?? 'none');
    if (!(type in SEVERITY_OF)) notes.push({ subject, field: 'type', reason: `${type} is not a Gatus announcement type; shown as info` });
    const timestamp = entry.timestamp instanceof Date ? entry.timestamp.toISOString() : typeof entry.timestamp === 'string' ? entry.timestamp : undefined;
    return [{ subject, announcement: { text: entry.message, severity: SEVERITY_OF[type] ?? 'info', ...(timestamp ? { from: timestamp } : {}) } }];
  });
}
