import { DNS_RECORD_TYPES } from '../../../lib/domain/types';
import {
  buildMonitorsYaml,
  coerceExpected,
  envName,
  formatMs,
  ImportError,
  isCredentialHeader,
  isMapping,
  SlugAllocator,
  statusRange,
  tcpUrl,
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
 * An Uptime Kuma backup (Settings > Backup > Export, 1.x and 2.x: `{ version, notificationList,
 * monitorList }`) to monitors.yml: http, keyword, json-query, port, dns and push monitors, group
 * monitors as status page groups, and the notifications that have a channel here.
 */
export function importKuma(text: string, fileName: string): ImportResult {
  let backup: unknown;
  try {
    backup = JSON.parse(text);
  } catch (cause) {
    throw new ImportError(`${fileName}: not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`, [], { cause });
  }
  if (!isMapping(backup) || !Array.isArray(backup.monitorList)) {
    throw new ImportError(`${fileName}: not an Uptime Kuma backup: it has no monitorList (export one from Settings > Backup)`);
  }
  const notes: ImportNote[] = [];
  const notifications = readNotifications(backup.notificationList, fileName, notes);
  const monitorList: unknown[] = backup.monitorList;
  const groups = new Map<number, string>();
  for (const entry of monitorList) {
    if (isMapping(entry) && entry.type === 'group' && typeof entry.id === 'number') groups.set(entry.id, String(entry.name ?? `group ${entry.id}`));
  }
  const ids = new SlugAllocator();
  const monitors: MonitorDraft[] = [];
  const clamped: string[] = [];
  const expiryOff: string[] = [];
  monitorList.forEach((entry, index) => {
    const draft = readMonitor(entry, index, { fileName, ids, notes, notifications, groups, clamped, expiryOff });
    if (draft) monitors.push(draft);
  });
  if (clamped.length > 0) {
    notes.push({
      subject: 'monitorList',
      field: 'timeout',
      reason: `${clamped.length} monitor${clamped.length === 1 ? '' : 's'} (${clamped.join(', ')}) had Kuma's default timeout (0.8 × interval) above 30s, the longest here; written as 30s`,
    });
  }
  if (expiryOff.length > 0) {
    notes.push({
      subject: 'monitorList',
      field: 'expiryNotification',
      reason: `${expiryOff.length} https monitor${expiryOff.length === 1 ? '' : 's'} (${expiryOff.join(', ')}) had certificate expiry notifications off in Kuma; every https monitor here warns before its certificate expires (tls.warnBefore, default 14d and 3d)`,
    });
  }
  for (const list of ['proxyList', 'maintenanceList', 'statusPageList'] as const) {
    const items = backup[list];
    if (Array.isArray(items) && items.length > 0) {
      const reason = {
        proxyList: 'checks here go out directly, not through a proxy; not imported',
        maintenanceList: 'Kuma maintenance is not imported: add maintenance windows to monitors.yml (see Maintenance windows)',
        statusPageList: 'one status page here, its groups from Kuma\'s group monitors; the status pages are not imported',
      }[list];
      notes.push({ subject: list, reason: `${items.length} entr${items.length === 1 ? 'y' : 'ies'}: ${reason}` });
    }
  }
  return buildMonitorsYaml({
    tool: 'kuma',
    fileName,
    ...(notifications.notify ? { notify: notifications.notify } : {}),
    channels: notifications.channels,
    monitors,
    comments: [
      `Uptime Kuma ${typeof backup.version === 'string' ? backup.version : '(version not given)'}: retries became failureThreshold (retries + 1); a monitor is up again at its first good check (successThreshold 1).`,
    ],
    notes,
  });
}

// ---------------------------------------------------------------------------------------------
// notificationList

interface Notifications {
  notify?: { from?: string; to?: string[]; subject: string };
  channels: ChannelDraft[];
  /** Kuma notification id -> channel name here (`email` for the email one). */
  channelOf: Map<number, string>;
  /** Kuma notification id -> its name, for those that were not imported. */
  unmapped: Map<number, string>;
}

function parseConfig(config: unknown): Mapping | undefined {
  if (isMapping(config)) return config;
  if (typeof config !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(config);
    return isMapping(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const NOTIFICATION_URLS: Record<string, { type: string; field: string }> = {
  slack: { type: 'slack', field: 'slackwebhookURL' },
  discord: { type: 'discord', field: 'discordWebhookUrl' },
  teams: { type: 'teams', field: 'webhookUrl' },
  pagerduty: { type: 'pagerduty', field: 'pagerdutyIntegrationKey' },
  webhook: { type: 'webhook', field: 'webhookURL' },
};

function readNotifications(list: unknown, fileName: string, notes: ImportNote[]): Notifications {
  const result: Notifications = { channels: [], channelOf: new Map(), unmapped: new Map() };
  const names = new SlugAllocator(['email']);
  (Array.isArray(list) ? list : []).forEach((entry: unknown, index: number) => {
    const id = isMapping(entry) && typeof entry.id === 'number' ? entry.id : undefined;
    const name = isMapping(entry) && typeof entry.name === 'string' ? entry.name : undefined;
    const subject = `notificationList[${index}]${name ? ` (${name})` : ''}`;
    const config = isMapping(entry) ? parseConfig(entry.config) : undefined;
    const skip = (reason: string, field?: string) => {
      notes.push({ subject, ...(field ? { field } : {}), reason });
      if (id !== undefined) result.unmapped.set(id, name ?? `notification ${id}`);
    };
    if (!isMapping(entry) || id === undefined || config === undefined) return skip('not a notification with an id and a config; not imported');
    if (entry.active === false || entry.active === 0) return skip('inactive in Kuma; not imported');
    const type = String(config.type ?? '');
    if (type === 'smtp') {
      if (result.notify) return skip('a second email notification: email here has one sender and one recipient list (notify); not imported');
      const to = [config.smtpTo, config.smtpCC, config.smtpBCC]
        .flatMap((field) => (typeof field === 'string' ? field.split(',') : []))
        .map((address) => address.trim())
        .filter(Boolean);
      result.notify = { subject, ...(typeof config.smtpFrom === 'string' && config.smtpFrom !== '' ? { from: config.smtpFrom.replace(/^.*<([^>]+)>\s*$/, '$1') } : {}), to };
      result.channelOf.set(id, 'email');
      const smtp = ['smtpHost', 'smtpPort', 'smtpUsername', 'smtpPassword', 'smtpSecure'].filter((field) => config[field] !== undefined && config[field] !== '');
      if (smtp.length > 0) notes.push({ subject, field: smtp.join(', '), reason: 'email goes out through Amazon SES here, not an SMTP server: verify notify.from in SES' });
      if (config.smtpCC || config.smtpBCC) notes.push({ subject, field: 'smtpCC, smtpBCC', reason: 'no CC or BCC here: those addresses are added to notify.to' });
      return undefined;
    }
    const known = NOTIFICATION_URLS[type.toLowerCase()];
    if (!known) return skip(`${type || 'a notification without a type'}: no such channel here (channels: email, slack, discord, teams, webhook, pagerduty, sns); not imported`);
    const target = config[known.field];
    if (typeof target !== 'string' || target === '') return skip('missing; the notification is not imported', known.field);
    const channelName = names.take(name ?? type, 'channel');
    const secret = (field: string, value: string, credential: boolean) =>
      toSecretValue(value, { subject, field, fallbackEnv: envName('KUMA', channelName, known.type === 'pagerduty' ? 'routing_key' : 'url'), credential, fileName, notes });
    let channel: Mapping;
    if (known.type === 'pagerduty') {
      channel = { type: 'pagerduty', routingKey: secret(known.field, target, true) };
      const endpoint = config.pagerdutyIntegrationUrl;
      if (typeof endpoint === 'string' && endpoint !== '' && endpoint !== 'https://events.pagerduty.com/v2/enqueue') {
        notes.push({ subject, field: 'pagerdutyIntegrationUrl', reason: 'PagerDuty alerts here go to the Events API v2 endpoint; left out' });
      }
    } else if (known.type === 'webhook') {
      const secretEnv = envName('KUMA', channelName, 'secret');
      channel = { type: 'webhook', url: secret(known.field, target, false), secret: { env: secretEnv } };
      notes.push({
        subject,
        reason: `a webhook here POSTs signed JSON (Standard Webhooks), not Kuma's body${config.webhookCustomBody ? ' or its custom body' : ''}; written with secret { env: ${secretEnv} }: set it to a whsec_ secret (openssl rand -base64 32) and verify the signature at the receiver`,
      });
    } else {
      channel = { type: known.type, url: secret(known.field, target, true) };
      if (known.type === 'teams' && /webhookb2|outlook\.office\.com\/webhook/i.test(target)) {
        notes.push({ subject, field: known.field, reason: 'an Office 365 connector URL, which Microsoft retired; a teams channel here posts to a Workflows webhook: replace the URL with one' });
      }
    }
    result.channels.push({ subject, name: channelName, channel });
    result.channelOf.set(id, channelName);
    return undefined;
  });
  return result;
}

// ---------------------------------------------------------------------------------------------
// monitorList

interface MonitorContext {
  fileName: string;
  ids: SlugAllocator;
  notes: ImportNote[];
  notifications: Notifications;
  groups: Map<number, string>;
  /** Ids whose Kuma default timeout was cut to 30s. */
  clamped: string[];
  /** Ids of https monitors without Kuma's certificate expiry notification. */
  expiryOff: string[];
}

const IMPORTED_TYPES = ['http', 'keyword', 'json-query', 'port', 'dns', 'push'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const TYPE_REASONS: Record<string, string> = {
  ping: 'no ICMP ping here; a tcp monitor on a port the host serves is the nearest',
  docker: 'no Docker container check here',
  'real-browser': 'no browser check here',
  'grpc-keyword': 'no gRPC check here',
  mqtt: 'no MQTT check here',
  steam: 'no game server check here',
  gamedig: 'no game server check here',
};

function readMonitor(entry: unknown, index: number, context: MonitorContext): MonitorDraft | undefined {
  const { notes } = context;
  const name = isMapping(entry) && typeof entry.name === 'string' ? entry.name : undefined;
  const subject = `monitorList[${index}]${name ? ` (${name})` : ''}`;
  if (!isMapping(entry)) {
    notes.push({ subject, reason: 'not a monitor; not imported' });
    return undefined;
  }
  const type = String(entry.type ?? '');
  if (type === 'group') return undefined; // its children carry it, as their status page group
  if (!IMPORTED_TYPES.includes(type)) {
    notes.push({ subject, field: 'type', reason: `${type}: ${TYPE_REASONS[type] ?? 'no such monitor type here'} (http, keyword, json-query, port, dns and push are imported); not imported` });
    return undefined;
  }
  if (entry.active === false || entry.active === 0) {
    notes.push({ subject, reason: 'paused in Kuma (active: false); not imported' });
    return undefined;
  }
  if (entry.upsideDown === true || entry.upsideDown === 1) {
    notes.push({ subject, field: 'upsideDown', reason: 'no upside-down (inverted) monitors here; not imported' });
    return undefined;
  }
  const id = context.ids.take(name ?? `${type}-${index + 1}`, 'monitor');
  const monitor: Mapping = { id };
  if (name !== undefined && name !== id) monitor.name = name.slice(0, 200);
  const intervalSeconds = typeof entry.interval === 'number' && entry.interval > 0 ? entry.interval : 60;
  const expect: Mapping = {};

  if (type === 'push') {
    monitor.type = 'heartbeat';
    const tokenEnv = envName(id, 'token');
    monitor.token = { env: tokenEnv };
    notes.push({
      subject,
      field: 'pushToken',
      reason: `the job now pings /ping/{token} on this stack's API instead of Kuma's /api/push/… URL; written as { env: ${tokenEnv} }: set it to a token of 16 or more characters of A-Z a-z 0-9 _ - (Kuma's token${typeof entry.pushToken === 'string' && entry.pushToken.length >= 16 ? ' will do' : ' is too short'})`,
    });
  } else if (type === 'port') {
    if (typeof entry.hostname !== 'string' || entry.hostname === '' || entry.port === undefined || entry.port === null) {
      notes.push({ subject, field: 'hostname, port', reason: 'missing; not imported' });
      return undefined;
    }
    monitor.type = 'tcp';
    monitor.url = tcpUrl(entry.hostname, String(entry.port));
  } else if (type === 'dns') {
    if (typeof entry.hostname !== 'string' || entry.hostname === '') {
      notes.push({ subject, field: 'hostname', reason: 'missing; not imported' });
      return undefined;
    }
    monitor.type = 'dns';
    monitor.url = `dns://${entry.hostname.replace(/\.$/, '')}`;
    const dns: Mapping = {};
    const recordType = String(entry.dns_resolve_type ?? 'A').toUpperCase();
    if ((DNS_RECORD_TYPES as readonly string[]).includes(recordType)) dns.type = recordType;
    else notes.push({ subject, field: 'dns_resolve_type', reason: `${recordType} is not a record type here (${DNS_RECORD_TYPES.join(', ')}); asked for A instead` });
    if (typeof entry.dns_resolve_server === 'string' && entry.dns_resolve_server !== '') {
      const port = Number(entry.port);
      const server = entry.dns_resolve_server.includes(':') && !entry.dns_resolve_server.startsWith('[') ? `[${entry.dns_resolve_server}]` : entry.dns_resolve_server;
      dns.server = Number.isInteger(port) && port > 0 && port !== 53 ? `${server}:${port}` : entry.dns_resolve_server;
    }
    readDnsConditions(entry.conditions, subject, dns, notes);
    monitor.dns = dns;
  } else {
    if (typeof entry.url !== 'string' || entry.url === '') {
      notes.push({ subject, field: 'url', reason: 'missing; not imported' });
      return undefined;
    }
    monitor.url = entry.url;
    readHttp(entry, subject, id, monitor, expect, context);
    if (type === 'keyword') {
      if (typeof entry.keyword !== 'string' || entry.keyword === '') notes.push({ subject, field: 'keyword', reason: 'missing; the keyword check is left out' });
      else if (entry.invertKeyword === true || entry.invertKeyword === 1) {
        notes.push({ subject, field: 'invertKeyword', reason: `the body must not contain ${JSON.stringify(entry.keyword)}: a monitor here can require text, not its absence; left out` });
      } else expect.bodyContains = entry.keyword;
    }
    if (type === 'json-query') readJsonQuery(entry, subject, expect, notes);
    if (Object.keys(expect).length > 0) monitor.expect = expect;
  }

  // Timing and thresholds.
  const timing = type === 'push' ? toHeartbeatTiming(intervalSeconds * 1000) : undefined;
  const interval = timing ? { value: timing.interval, reason: timing.reason } : toInterval(intervalSeconds * 1000);
  if (interval.reason) notes.push({ subject, field: 'interval', reason: interval.reason });
  if (interval.value !== '1m') monitor.interval = interval.value;
  if (timing?.grace) monitor.grace = timing.grace;
  if (type !== 'push' && typeof entry.timeout === 'number' && entry.timeout > 0) {
    const ms = Math.round(entry.timeout * 1000);
    const kumaDefault = Math.abs(entry.timeout - intervalSeconds * 0.8) < 0.01;
    if (kumaDefault && ms > 30_000) {
      monitor.timeout = '30s';
      context.clamped.push(id);
    } else {
      const timeout = toTimeout(ms);
      if (timeout.reason) notes.push({ subject, field: 'timeout', reason: timeout.reason });
      monitor.timeout = timeout.value;
    }
  }
  const retries = typeof entry.maxretries === 'number' && entry.maxretries > 0 ? entry.maxretries : 0;
  monitor.failureThreshold = Math.min(100, retries + 1);
  if (retries + 1 > 100) notes.push({ subject, field: 'maxretries', reason: `${retries} retries: the largest failureThreshold here is 100` });
  monitor.successThreshold = 1;
  if (retries > 0 && typeof entry.retryInterval === 'number' && entry.retryInterval > 0 && entry.retryInterval !== intervalSeconds) {
    notes.push({ subject, field: 'retryInterval', reason: `retries come at the monitor's interval here (${interval.value}), not every ${entry.retryInterval}s` });
  }
  if (typeof entry.resendInterval === 'number' && entry.resendInterval > 0) {
    const every = Math.min(7 * 86_400_000, Math.max(60_000, entry.resendInterval * intervalSeconds * 1000));
    monitor.remindEvery = formatMs(Math.ceil(every / 60_000) * 60_000);
  }

  // Alerts.
  const alerts: string[] = [];
  const listed = isMapping(entry.notificationIDList) ? entry.notificationIDList : {};
  for (const [key, on] of Object.entries(listed)) {
    if (!on) continue;
    const channel = context.notifications.channelOf.get(Number(key));
    if (channel !== undefined) {
      if (!alerts.includes(channel)) alerts.push(channel);
    } else {
      const unmapped = context.notifications.unmapped.get(Number(key));
      notes.push({ subject, field: 'notificationIDList', reason: `notification ${unmapped ? JSON.stringify(unmapped) : key} was not imported; this monitor's alerts to it go nowhere` });
    }
  }
  monitor.alerts = alerts;

  readLeftovers(entry, subject, type, notes);
  const parent = typeof entry.parent === 'number' ? context.groups.get(entry.parent) : undefined;
  return { subject, monitor, ...(parent ? { group: parent } : {}) };
}

function readHttp(entry: Mapping, subject: string, id: string, monitor: Mapping, expect: Mapping, context: MonitorContext): void {
  const { notes } = context;
  const method = String(entry.method ?? 'GET').toUpperCase();
  if (METHODS.includes(method)) {
    if (method !== 'GET') monitor.method = method;
  } else notes.push({ subject, field: 'method', reason: `${method} is not a method here (${METHODS.join(', ')}); GET is used` });
  const headers: Mapping = {};
  if (typeof entry.headers === 'string' && entry.headers.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(entry.headers);
    } catch {
      parsed = undefined;
    }
    if (!isMapping(parsed)) notes.push({ subject, field: 'headers', reason: 'not a JSON object of headers; left out' });
    else {
      for (const [header, value] of Object.entries(parsed)) {
        headers[header] = toSecretValue(String(value), {
          subject,
          field: `headers.${header}`,
          fallbackEnv: envName(id, header),
          credential: isCredentialHeader(header),
          fileName: context.fileName,
          notes,
        });
      }
    }
  }
  const auth = String(entry.authMethod ?? (entry.basic_auth_user ? 'basic' : ''));
  if (auth === 'basic' && typeof entry.basic_auth_user === 'string' && entry.basic_auth_user !== '') {
    const env = envName(id, 'authorization');
    headers.Authorization = { env };
    notes.push({
      subject,
      field: 'basic_auth_user, basic_auth_pass',
      reason: `basic auth is sent as an Authorization header here: written as { env: ${env} }; set ${env} to "Basic " and the base64 of user:password`,
    });
  } else if (auth !== '' && auth !== 'null' && auth !== 'basic') {
    notes.push({ subject, field: 'authMethod', reason: `${auth}: no such authentication here (send a header instead); left out` });
  }
  if (Object.keys(headers).length > 0) monitor.headers = headers;
  if (typeof entry.body === 'string' && entry.body.trim() !== '') notes.push({ subject, field: 'body', reason: 'a monitor here sends no request body; left out' });
  const statuses = readStatusCodes(entry.accepted_statuscodes, subject, notes);
  if (statuses !== undefined && !(statuses.length === 1 && statuses[0] === 200)) expect.status = statuses.length === 1 ? statuses[0] : statuses;
  if (entry.maxredirects === 0) notes.push({ subject, field: 'maxredirects', reason: 'redirects are always followed here (up to 20); left out' });
  if (entry.ignoreTls === true || entry.ignoreTls === 1) notes.push({ subject, field: 'ignoreTls', reason: 'certificates are always verified here; left out' });
  if ((entry.expiryNotification === false || entry.expiryNotification === 0) && String(entry.url).startsWith('https:')) context.expiryOff.push(id);
}

/** Kuma's accepted status codes: `"200-299"` ranges and single codes. */
function readStatusCodes(value: unknown, subject: string, notes: ImportNote[]): number[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const codes = new Set<number>();
  for (const item of value) {
    const range = /^\s*(\d{3})\s*-\s*(\d{3})\s*$/.exec(String(item));
    const single = /^\s*(\d{3})\s*$/.exec(String(item));
    if (range) statusRange(Number(range[1]), Number(range[2])).forEach((code) => codes.add(code));
    else if (single && Number(single[1]) >= 100 && Number(single[1]) <= 599) codes.add(Number(single[1]));
    else notes.push({ subject, field: 'accepted_statuscodes', reason: `${JSON.stringify(item)} is not a status or range from 100 to 599; left out` });
  }
  return codes.size > 0 ? [...codes].sort((a, b) => a - b) : undefined;
}

/** `status`, `$.data.state`, `items[0].ok` (JSONata that is a plain path) compared with == to a value. */
function readJsonQuery(entry: Mapping, subject: string, expect: Mapping, notes: ImportNote[]): void {
  const path = typeof entry.jsonPath === 'string' ? entry.jsonPath.trim() : '';
  const operator = typeof entry.jsonPathOperator === 'string' ? entry.jsonPathOperator : '==';
  const plain = /^(\$\.?)?[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[\d+\])*$/.test(path);
  if (!plain) {
    notes.push({ subject, field: 'jsonPath', reason: `${JSON.stringify(path)}: only a plain path (a.b[0].c) is mapped, not a JSONata expression; the JSON check is left out` });
    return;
  }
  if (operator !== '==') {
    notes.push({ subject, field: 'jsonPathOperator', reason: `${operator}: only == is mapped (expect.json compares exactly); the JSON check is left out` });
    return;
  }
  if (entry.expectedValue === undefined || entry.expectedValue === null) {
    notes.push({ subject, field: 'expectedValue', reason: 'missing; the JSON check is left out' });
    return;
  }
  const dotted = path.replace(/^\$\.?/, '').replace(/\[(\d+)\]/g, '.$1');
  expect.json = { [dotted]: coerceExpected(String(entry.expectedValue)) };
}

/** Kuma 2.x DNS conditions: `record` equals/contains a value become dns.expect. */
function readDnsConditions(value: unknown, subject: string, dns: Mapping, notes: ImportNote[]): void {
  let conditions: unknown = value;
  if (typeof value === 'string') {
    try {
      conditions = JSON.parse(value);
    } catch {
      conditions = undefined;
    }
  }
  if (!Array.isArray(conditions) || conditions.length === 0) return;
  const expected: string[] = [];
  conditions.forEach((condition: unknown, position: number) => {
    const ok =
      isMapping(condition) &&
      condition.type === 'expression' &&
      condition.variable === 'record' &&
      ['equals', 'contains', '=='].includes(String(condition.operator)) &&
      (position === 0 || condition.andOr === 'and' || condition.andOr === undefined) &&
      typeof condition.value === 'string';
    if (ok) expected.push(condition.value as string);
    else notes.push({ subject, field: `conditions[${position}]`, reason: 'only "record equals/contains value" joined by and is mapped (values the answer must hold); left out' });
  });
  if (expected.length > 0) dns.expect = expected;
}

/** Fields every Kuma monitor has (state, other types' settings): not noted when empty or default. */
const HANDLED = new Set([
  'id', 'name', 'type', 'url', 'method', 'headers', 'body', 'hostname', 'port', 'interval', 'retryInterval', 'resendInterval',
  'maxretries', 'timeout', 'active', 'upsideDown', 'keyword', 'invertKeyword', 'jsonPath', 'jsonPathOperator', 'expectedValue',
  'accepted_statuscodes', 'maxredirects', 'ignoreTls', 'expiryNotification', 'dns_resolve_type', 'dns_resolve_server', 'conditions',
  'pushToken', 'notificationIDList', 'parent', 'authMethod', 'basic_auth_user', 'basic_auth_pass', 'httpBodyEncoding',
  // Kuma's own state and bookkeeping.
  'pathName', 'childrenIDs', 'weight', 'forceInactive', 'maintenance', 'dns_last_result', 'includeSensitiveData', 'screenshot',
  'userId', 'user_id', 'created_date', 'path', 'kafkaProducerSaslOptions', 'kafkaProducerBrokers', 'game', 'gamedigGivenPortOnly',
  // Other types' settings that hold a default on every monitor.
  'packetSize', 'oauth_auth_method', 'ipFamily',
]);

const LEFTOVER_REASONS: Record<string, string> = {
  description: 'no description here; left out',
  tags: 'no tags here; left out',
  proxyId: 'checks here go out directly, not through a proxy; left out',
  cacheBust: 'no cache-busting query here; left out',
  tlsCert: 'no client certificates here; left out',
  tlsKey: 'no client certificates here; left out',
  tlsCa: 'no custom CA here; left out',
};

function readLeftovers(entry: Mapping, subject: string, type: string, notes: ImportNote[]): void {
  for (const [field, value] of Object.entries(entry)) {
    if (HANDLED.has(field)) continue;
    const empty = value === null || value === undefined || value === false || value === 0 || value === '' || (Array.isArray(value) && value.length === 0) || (isMapping(value) && Object.keys(value).length === 0);
    if (empty) continue;
    // Another type's settings (mqtt*, database*, grpc*, radius*, docker*, kafka*...) hold defaults on every monitor.
    if (/^(mqtt|database|grpc|radius|docker|kafka|snmp|rabbitmq|smtp|remote_browser|remoteBrowser|oauth|ws|game|conditions)/i.test(field) && type !== 'dns') continue;
    notes.push({ subject, field, reason: LEFTOVER_REASONS[field] ?? 'no equivalent here; left out' });
  }
}
