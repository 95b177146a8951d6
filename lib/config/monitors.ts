import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../domain/duration';
import { ConfigError } from '../domain/errors';
import { EMAIL_CHANNEL, type ChannelConfig } from '../domain/alert';
import { isWebhookSecret } from '../domain/alert-payloads';
import type { SecretValue } from '../domain/secret-ref';
import { ANNOUNCEMENT_SEVERITIES, DNS_RECORD_TYPES, MONITOR_TYPES, type ConfirmSettings, type MonitorConfig, type MonitorsConfig, type MonitorType } from '../domain/types';
import { defaultQuorum } from '../domain/confirmation';
import { isFiveFieldCron, isTimeZone } from '../domain/maintenance';
import { findDependencyCycle } from '../domain/dependencies';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../domain/time';
import { isIP } from 'node:net';

const MAX_TIMEOUT_MS = 30_000;

const email = z.email({ error: 'must be an email address' });
const emailList = z.array(email, { error: 'must be a list of email addresses' }).min(1, { error: 'must list at least one address' });

function duration(min: number, max: number, hint: string) {
  return z
    .string({ error: 'must be a duration such as 5s, 1m or 2h' })
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `'${text}' is not a duration such as 5s, 1m or 2h` });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({ code: 'custom', message: `'${text}' ${hint}` });
        return z.NEVER;
      }
      return ms;
    });
}

const timeout = duration(100, MAX_TIMEOUT_MS, 'must be between 100ms and 30s');
/** Intervals shorter than the minute schedule: checked several times inside each minute's run. */
export const SUB_MINUTE_INTERVALS_MS: readonly number[] = [10_000, 15_000, 20_000, 30_000];
const interval = duration(SUB_MINUTE_INTERVALS_MS[0] as number, 24 * 60 * MINUTE_MS, 'must be between 10s and 24h').refine(
  (ms) => ms % MINUTE_MS === 0 || SUB_MINUTE_INTERVALS_MS.includes(ms),
  { error: 'must be a whole number of minutes (the schedule runs every minute), or 10s, 15s, 20s or 30s to check within the minute' },
);
const threshold = z
  .number({ error: 'must be a whole number of checks, 1 or more' })
  .int({ error: 'must be a whole number of checks, 1 or more' })
  .min(1, { error: 'must be 1 or more' })
  .max(100, { error: 'must be 100 or less' });

const httpStatus = z
  .number({ error: 'must be an HTTP status between 100 and 599' })
  .int({ error: 'must be an HTTP status between 100 and 599' })
  .min(100, { error: 'must be an HTTP status between 100 and 599' })
  .max(599, { error: 'must be an HTTP status between 100 and 599' });

const url = z
  .string({ error: 'must be an http:// or https:// URL' })
  .refine(
    (text) => {
      try {
        const parsed = new URL(text);
        return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
      } catch {
        return false;
      }
    },
    { error: 'must be an http:// or https:// URL' },
  )
  // fetch refuses such URLs (every check would fail), and the password would end up in logs and emails.
  .refine((text) => !URL.canParse(text) || (new URL(text).username === '' && new URL(text).password === ''), {
    error: 'must not hold a user name or password; send credentials in headers (Authorization) instead',
  });

/** `tcp://host:port`: a host and a port, nothing else. */
function isTcpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const parsed = new URL(text);
  return parsed.protocol === 'tcp:' && parsed.hostname !== '' && parsed.port !== '' && parsed.username === '' && parsed.password === '' && ['', '/'].includes(parsed.pathname) && parsed.search === '';
}

/** `dns://name`: the name to resolve, nothing else. */
function isDnsUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const parsed = new URL(text);
  return parsed.protocol === 'dns:' && parsed.hostname !== '' && parsed.port === '' && parsed.username === '' && ['', '/'].includes(parsed.pathname) && parsed.search === '';
}

const URL_RULES: Record<Exclude<MonitorType, 'heartbeat'>, { test: (text: string) => boolean; hint: string }> = {
  http: { test: (text) => url.safeParse(text).success, hint: 'must be an http:// or https:// URL' },
  tcp: { test: isTcpUrl, hint: 'must be a tcp://host:port URL, such as tcp://db.example.com:5432' },
  dns: { test: isDnsUrl, hint: 'must be a dns://name URL, such as dns://example.com' },
};

const REFERENCE_FORMS = '{ ssm: /name }, { secretsManager: name, key: field } or { env: NAME }';

/** `{ ssm: /name }`, `{ secretsManager: name-or-arn, key?: field }` or `{ env: NAME }`: see lib/domain/secret-ref.ts. */
const secretRef = z.union(
  [
    z.strictObject({
      ssm: z
        .string({ error: 'must be a parameter name' })
        .regex(/^[A-Za-z0-9_.\-/]{1,2048}$/, { error: 'must be an SSM parameter name such as /uptime/prod/api-key' }),
    }),
    z.strictObject({
      secretsManager: z
        .string({ error: 'must be a secret name or ARN' })
        .regex(/^[A-Za-z0-9/_+=.@:-]{1,2048}$/, { error: 'must be a Secrets Manager secret name or ARN' }),
      key: z.string({ error: 'must be the name of a field of the JSON secret' }).min(1, { error: 'must not be empty' }).optional(),
    }),
    z.strictObject({
      env: z
        .string({ error: 'must be an environment variable name' })
        .regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/, { error: 'must be an environment variable name such as API_TOKEN' }),
    }),
  ],
  { error: `must be a secret reference: ${REFERENCE_FORMS}` },
);

/** A field that takes a literal or a secret reference. */
function secretValue<Literal extends z.ZodType<string>>(literal: Literal, hint: string) {
  return z.union([literal, secretRef], {
    error: (issue) =>
      typeof issue.input === 'object' && issue.input !== null && !Array.isArray(issue.input) ? `must be a secret reference: ${REFERENCE_FORMS}` : hint,
  });
}

const channelName = z
  .string({ error: 'must be a channel name' })
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'must be 1 to 63 characters of a-z, 0-9 and -, starting with a letter or digit' });
const alertList = z.array(channelName, { error: 'must be a list of channel names, such as [email, team-slack]' });
/** At least a minute: reminders go out from the probe's runs, one a minute at most. */
const remindEvery = duration(MINUTE_MS, 7 * 24 * 60 * MINUTE_MS, 'must be between 1m and 7d');
const sendOnResolved = z.boolean({ error: 'must be true or false' });

const defaultsSchema = z.strictObject(
  {
    timeout: timeout.prefault('5s'),
    interval: interval.prefault('1m'),
    failureThreshold: threshold.default(2),
    successThreshold: threshold.default(2),
    alerts: alertList.optional(),
    sendOnResolved: sendOnResolved.optional(),
    remindEvery: remindEvery.optional(),
  },
  { error: 'must be a mapping of timeout, interval, failureThreshold, successThreshold, alerts, sendOnResolved and remindEvery' },
);

/** A Standard Webhooks signing secret (the rule: lib/domain/alert-payloads.ts isWebhookSecret). */
const webhookSecret = z.string().refine(isWebhookSecret, {
  error: 'must be a Standard Webhooks secret: whsec_ followed by the base64 of 24 to 64 random bytes (openssl rand -base64 32)',
});

const httpsOrLocalUrl = z.string({ error: 'must be an http:// or https:// URL' }).refine(
  (text) => URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol) && new URL(text).hostname !== '',
  { error: 'must be an http:// or https:// URL' },
);
const channelUrl = secretValue(httpsOrLocalUrl, `must be an http:// or https:// URL, or a secret reference: ${REFERENCE_FORMS}`);

const channelSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('slack'), url: channelUrl }),
    z.strictObject({ type: z.literal('discord'), url: channelUrl }),
    z.strictObject({ type: z.literal('teams'), url: channelUrl }),
    z.strictObject({
      type: z.literal('webhook'),
      url: channelUrl,
      secret: secretValue(webhookSecret, 'must be a Standard Webhooks secret (whsec_…) or a secret reference'),
    }),
    z.strictObject({
      type: z.literal('pagerduty'),
      routingKey: secretValue(z.string().min(1, { error: 'must not be empty' }), `must be a routing key, or a secret reference: ${REFERENCE_FORMS}`),
      url: httpsOrLocalUrl.optional(),
    }),
    z.strictObject({
      type: z.literal('sns'),
      topicArn: z.string({ error: 'must be an SNS topic ARN' }).regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, {
        error: 'must be an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:oncall',
      }),
    }),
  ],
  { error: 'must be a mapping with type: slack, discord, teams, webhook, pagerduty or sns' },
);

const statusHint = 'must be an HTTP status between 100 and 599, or a list of them';

const expectSchema = z.strictObject(
  {
    status: z
      .union([httpStatus, z.array(httpStatus, { error: statusHint }).min(1, { error: 'must list at least one status' })], { error: statusHint })
      .optional(),
    json: z.record(z.string(), z.unknown(), { error: 'must map dotted paths to expected values' }).optional(),
    bodyContains: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
    maxResponseTime: duration(1, MAX_TIMEOUT_MS, 'must be between 1ms and 30s').optional(),
  },
  { error: 'must be a mapping of status, json, bodyContains and maxResponseTime' },
);

/** A resolver to ask: an IPv4 or IPv6 address, optionally with a port (`1.1.1.1:53`, `[::1]:5353`). */
function isResolverAddress(text: string): boolean {
  if (isIP(text) !== 0) return true;
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  return host !== undefined && isIP(host) !== 0 && port >= 1 && port <= 65535;
}

const tlsSchema = z.strictObject(
  {
    warnBefore: z
      .array(duration(HOUR_MS, 365 * DAY_MS, 'must be between 1h and 365d'), { error: 'must be a list of durations such as [14d, 3d]' })
      .min(1, { error: 'must list at least one duration' }),
  },
  { error: 'must be a mapping with warnBefore: a list of durations such as [14d, 3d]' },
);

const dnsSchema = z.strictObject(
  {
    type: z.enum(DNS_RECORD_TYPES, { error: `must be one of ${DNS_RECORD_TYPES.join(', ')}` }).default('A'),
    expect: z
      .array(z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }), { error: 'must be a list of values such as [mail.example.com]' })
      .min(1, { error: 'must list at least one value' })
      .optional(),
    server: z
      .string({ error: 'must be an IP address such as 1.1.1.1' })
      .refine(isResolverAddress, { error: 'must be an IP address such as 1.1.1.1, optionally with a port (1.1.1.1:53)' })
      .optional(),
  },
  { error: 'must be a mapping of type, expect and server' },
);

/** A heartbeat's token: long enough that guessing one is hopeless, and safe in a URL path. */
const heartbeatToken = z
  .string({ error: 'must be a string' })
  .min(16, { error: 'must be at least 16 characters' })
  .max(256, { error: 'must be at most 256 characters' })
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'must be made of A-Z, a-z, 0-9, _ and - (it goes in a URL path)' });

/** `http`, `http and tcp`, `http, tcp and dns`. */
const listed = (names: readonly string[]) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`);

/** Fields that only some types take. */
const TYPE_FIELDS: ReadonlyArray<{ field: string; types: readonly MonitorType[] }> = [
  { field: 'method', types: ['http'] },
  { field: 'headers', types: ['http'] },
  { field: 'expect', types: ['http'] },
  { field: 'tls', types: ['http'] },
  { field: 'dns', types: ['dns'] },
  { field: 'grace', types: ['heartbeat'] },
  { field: 'token', types: ['heartbeat'] },
  { field: 'timeout', types: ['http', 'tcp', 'dns'] },
];

const monitorId = z
  .string({ error: 'must be a string of a-z, 0-9 and -' })
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'must be 1 to 63 characters of a-z, 0-9 and -, starting with a letter or digit' });
const monitorIds = z.array(monitorId, { error: 'must be a list of monitor ids, such as [payments-api, db-port]' });

/** A point in time with its offset: `2026-12-05T02:00:00Z` or `2026-12-05T03:00:00+01:00`; kept as UTC ISO-8601. */
const instant = z
  .string({ error: 'must be a time such as 2026-12-05T02:00:00Z' })
  .refine((text) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) && Number.isFinite(Date.parse(text)), {
    error: 'must be a time with its offset, such as 2026-12-05T02:00:00Z',
  })
  .transform((text) => new Date(Date.parse(text)).toISOString());

const maintenanceSchema = z
  .strictObject(
    {
      name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(200, { error: 'must be at most 200 characters' }),
      monitors: monitorIds.min(1, { error: 'must list at least one monitor (leave it out for every monitor)' }).optional(),
      start: instant.optional(),
      cron: z
        .string({ error: 'must be a 5-field cron expression such as "0 3 * * SUN"' })
        .refine(isFiveFieldCron, { error: 'must be a 5-field cron expression (minute hour day-of-month month day-of-week), such as "0 3 * * SUN"' })
        .optional(),
      timezone: z.string({ error: 'must be an IANA time zone such as Europe/Berlin' }).refine(isTimeZone, { error: 'must be an IANA time zone such as Europe/Berlin' }).optional(),
      duration: duration(MINUTE_MS, 31 * DAY_MS, 'must be between 1m and 31d'),
    },
    { error: 'must be a mapping of name, monitors, start or cron, timezone and duration' },
  )
  .superRefine((window, ctx) => {
    if (window.start !== undefined && window.cron !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'a window has either start (a one-off window) or cron (a recurring one), not both' });
    } else if (window.start === undefined && window.cron === undefined) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: 'is required (a one-off window), or cron instead (a recurring one)' });
    }
    if (window.timezone !== undefined && window.cron === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'applies to a recurring window (cron) only; give start with its offset instead' });
    }
  });

const statusPageSchema = z.strictObject(
  {
    title: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(200, { error: 'must be at most 200 characters' }).optional(),
    description: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(1000, { error: 'must be at most 1000 characters' }).optional(),
    url: httpsOrLocalUrl.optional(),
    groups: z
      .array(
        z.strictObject(
          {
            name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(200, { error: 'must be at most 200 characters' }),
            monitors: monitorIds.min(1, { error: 'must list at least one monitor' }),
          },
          { error: 'must be a mapping of name and monitors' },
        ),
        { error: 'must be a list of groups such as { name: Payments, monitors: [payments-api] }' },
      )
      .optional(),
    announcements: z
      .array(
        z
          .strictObject(
            {
              text: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(2000, { error: 'must be at most 2000 characters' }),
              severity: z.enum(ANNOUNCEMENT_SEVERITIES, { error: `must be one of ${ANNOUNCEMENT_SEVERITIES.join(', ')}` }).default('info'),
              from: instant.optional(),
              until: instant.optional(),
            },
            { error: 'must be a mapping of text, severity, from and until' },
          )
          .refine((note) => note.from === undefined || note.until === undefined || note.from < note.until, { path: ['until'], error: 'must be later than from' }),
        { error: 'must be a list of announcements such as { text: "Card payments may be slow", severity: warning }' },
      )
      .optional(),
  },
  { error: 'must be a mapping of title, description, url, groups and announcements' },
);

const monitorSchema = z.strictObject(
  {
    id: monitorId,
    name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(200, { error: 'must be at most 200 characters' }).optional(),
    type: z.enum(MONITOR_TYPES, { error: `must be one of ${MONITOR_TYPES.join(', ')}` }).optional(),
    // Checked against the type below.
    url: z.unknown().optional(),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], { error: 'must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' }).optional(),
    headers: z
      .record(z.string(), secretValue(z.string(), `must be a string or a secret reference: ${REFERENCE_FORMS}`), {
        error: 'must map header names to strings or secret references',
      })
      .optional(),
    timeout: timeout.optional(),
    interval: interval.optional(),
    failureThreshold: threshold.optional(),
    successThreshold: threshold.optional(),
    expect: expectSchema.optional(),
    notify: z.strictObject({ to: emailList }, { error: 'must be a mapping with to: a list of email addresses' }).optional(),
    public: z.boolean({ error: 'must be true or false' }).optional(),
    alerts: alertList.optional(),
    sendOnResolved: sendOnResolved.optional(),
    remindEvery: remindEvery.optional(),
    tls: tlsSchema.optional(),
    dns: dnsSchema.optional(),
    grace: duration(0, 7 * DAY_MS, 'must be between 0s and 7d').optional(),
    token: secretValue(heartbeatToken, `must be a token of at least 16 characters, or a secret reference: ${REFERENCE_FORMS}`).optional(),
    dependsOn: monitorIds.optional(),
  },
  { error: 'must be a mapping with at least id and url' },
).superRefine((monitor, ctx) => {
  const type = monitor.type ?? 'http';
  for (const { field, types } of TYPE_FIELDS) {
    if (field in monitor && (monitor as Record<string, unknown>)[field] !== undefined && !types.includes(type)) {
      ctx.addIssue({ code: 'custom', path: [field], message: `applies to ${listed(types)} monitors only; this one is type ${type}` });
    }
  }
  if (type === 'heartbeat') {
    if (monitor.url !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'a heartbeat monitor has no URL: its job pings /ping/{token}' });
    if (monitor.token === undefined) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: `is required for a heartbeat monitor (a token of at least 16 characters, or a secret reference: ${REFERENCE_FORMS})` });
    }
    return;
  }
  const rule = URL_RULES[type];
  const hint = `${rule.hint}, or a secret reference: ${REFERENCE_FORMS}`;
  if (monitor.url === undefined) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: `is required (${hint})` });
  } else if (typeof monitor.url === 'object' && monitor.url !== null && !Array.isArray(monitor.url)) {
    if (!secretRef.safeParse(monitor.url).success) ctx.addIssue({ code: 'custom', path: ['url'], message: `must be a secret reference: ${REFERENCE_FORMS}` });
  } else if (typeof monitor.url !== 'string' || !rule.test(monitor.url)) {
    const credentials = type === 'http' && typeof monitor.url === 'string' && url.safeParse(monitor.url).error?.issues[0]?.message;
    ctx.addIssue({ code: 'custom', path: ['url'], message: credentials || hint });
  }
  if (type === 'http' && monitor.tls !== undefined && typeof monitor.url === 'string' && URL.canParse(monitor.url) && new URL(monitor.url).protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', path: ['tls'], message: 'applies to https:// monitors only: a plain http:// answer has no certificate' });
  }
});

/** How late a heartbeat's ping may be, when grace is not given: a tenth of its interval, between 1m and 1h. */
export function defaultGraceMs(intervalMs: number): number {
  return Math.min(HOUR_MS, Math.max(MINUTE_MS, Math.round(intervalMs / 10)));
}

/** Certificate warnings when tls is not given: 14 and 3 days before expiry. */
export const DEFAULT_WARN_BEFORE_MS: readonly number[] = [14 * DAY_MS, 3 * DAY_MS];

/** An AWS region name: eu-west-1, ap-southeast-2, us-gov-west-1, ... */
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
/** The most confirmer regions: each is a Lambda invoke per suspect, and more add little certainty. */
export const MAX_CONFIRM_REGIONS = 8;

const confirmSchema = z.strictObject(
  {
    regions: z
      .array(z.string().regex(AWS_REGION, { error: 'must be an AWS region name such as eu-west-1' }), { error: 'must be a list of AWS regions' })
      .min(1, { error: 'must list at least one confirmer region' })
      .max(MAX_CONFIRM_REGIONS, { error: `must list at most ${MAX_CONFIRM_REGIONS} confirmer regions` }),
    quorum: z.int({ error: 'must be a whole number of vantage points' }).min(1, { error: 'must be at least 1' }).optional(),
    alertOnRegional: z.boolean({ error: 'must be true or false' }).default(false),
  },
  { error: 'must be a mapping with regions (and optionally quorum, alertOnRegional)' },
);

const fileSchema = z.strictObject({
  notify: z.strictObject({ from: email, to: emailList }, { error: 'must have from and to' }),
  channels: z.record(channelName, channelSchema, { error: 'must map channel names to channels' }).optional(),
  defaults: defaultsSchema.optional(),
  monitors: z.array(monitorSchema, { error: 'must be a list of monitors' }).min(1, { error: 'must list at least one monitor' }),
  maintenance: z.array(maintenanceSchema, { error: 'must be a list of maintenance windows' }).optional(),
  statusPage: statusPageSchema.optional(),
  confirm: confirmSchema.optional(),
});

type MonitorsFile = z.output<typeof fileSchema>;

/** Reads and validates a monitors file; throws ConfigError naming the file, monitor and field. */
export function loadMonitorsConfig(file: string): MonitorsConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path.basename(file)}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  return parseMonitorsConfig(text, path.basename(file));
}

/** Validates the text of a monitors file and applies defaults. */
export function parseMonitorsConfig(text: string, fileName: string): MonitorsConfig {
  if (text.trim() === '') throw new ConfigError(`${fileName}: the file is empty; it needs notify and monitors`);
  const document = parseDocument(text, { uniqueKeys: true });
  const yamlError = document.errors[0];
  if (yamlError) {
    throw new ConfigError(`${fileName}: not valid YAML: ${yamlError.message.split('\n')[0]?.replace(/:$/, '')}`, { cause: yamlError });
  }
  let raw: unknown;
  try {
    raw = document.toJS();
  } catch (error) {
    // An alias bomb ("billion laughs"): the yaml library refuses to expand it.
    throw new ConfigError(`${fileName}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${fileName}: must be a mapping with notify and monitors`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${fileName}: ${describeIssue(raw, issue)}`, { cause: parsed.error });
  }
  const config = applyDefaults(parsed.data);
  assertUniqueIds(config, fileName);
  assertKnownChannels(parsed.data, config, fileName);
  assertTimeoutsFitIntervals(config, fileName);
  assertKnownMonitorReferences(parsed.data, config, fileName);
  const confirm = readConfirm(parsed.data, fileName);
  return confirm ? { ...config, confirm } : config;
}

/** `confirm`: each region once, and a quorum the vantage points (the home region and the regions) can reach. */
function readConfirm(file: MonitorsFile, fileName: string): ConfirmSettings | undefined {
  if (!file.confirm) return undefined;
  const { regions, quorum, alertOnRegional } = file.confirm;
  const repeated = regions.find((region, index) => regions.indexOf(region) !== index);
  if (repeated) throw new ConfigError(`${fileName}: confirm.regions: ${repeated} is listed twice`);
  const points = regions.length + 1;
  if (quorum !== undefined && quorum > points) {
    throw new ConfigError(`${fileName}: confirm.quorum: ${quorum} is more than the ${points} vantage points (the home region and ${regions.length} confirmer region${regions.length === 1 ? '' : 's'})`);
  }
  return { regions: [...regions], quorum: quorum ?? defaultQuorum(regions.length), alertOnRegional };
}

function applyDefaults(file: MonitorsFile): MonitorsConfig {
  const defaults = file.defaults ?? defaultsSchema.parse({});
  const monitors = file.monitors.map((monitor): MonitorConfig => {
    const status = monitor.expect?.status;
    const type = monitor.type ?? 'http';
    const url = type === 'heartbeat' ? '' : (monitor.url as SecretValue);
    const intervalMs = monitor.interval ?? defaults.interval;
    // Every https monitor watches its certificate; a URL kept as a reference is taken to be https.
    const https = type === 'http' && (typeof url !== 'string' || url.startsWith('https:'));
    const warnBeforeMs = [...(monitor.tls?.warnBefore ?? (https ? DEFAULT_WARN_BEFORE_MS : []))].sort((a, b) => b - a);
    return {
      id: monitor.id,
      name: monitor.name ?? monitor.id,
      type,
      url,
      method: monitor.method ?? 'GET',
      headers: monitor.headers ?? {},
      timeoutMs: monitor.timeout ?? defaults.timeout,
      intervalMs,
      failureThreshold: monitor.failureThreshold ?? defaults.failureThreshold,
      successThreshold: monitor.successThreshold ?? defaults.successThreshold,
      expect: {
        status: status === undefined ? [200] : Array.isArray(status) ? status : [status],
        ...(monitor.expect?.json ? { json: monitor.expect.json } : {}),
        ...(monitor.expect?.bodyContains ? { bodyContains: monitor.expect.bodyContains } : {}),
        ...(monitor.expect?.maxResponseTime !== undefined ? { maxResponseTimeMs: monitor.expect.maxResponseTime } : {}),
      },
      notify: { to: monitor.notify?.to ?? file.notify.to },
      public: monitor.public ?? true,
      alerts: monitor.alerts ?? defaults.alerts ?? [EMAIL_CHANNEL],
      sendOnResolved: monitor.sendOnResolved ?? defaults.sendOnResolved ?? true,
      ...((monitor.remindEvery ?? defaults.remindEvery) === undefined ? {} : { remindEveryMs: monitor.remindEvery ?? defaults.remindEvery }),
      ...(warnBeforeMs.length > 0 ? { tls: { warnBeforeMs: [...new Set(warnBeforeMs)] } } : {}),
      ...(monitor.dns ? { dns: { recordType: monitor.dns.type, ...(monitor.dns.expect ? { expect: monitor.dns.expect } : {}), ...(monitor.dns.server ? { server: monitor.dns.server } : {}) } } : {}),
      ...(type === 'dns' && !monitor.dns ? { dns: { recordType: 'A' as const } } : {}),
      ...(type === 'heartbeat' && monitor.token !== undefined ? { heartbeat: { graceMs: monitor.grace ?? defaultGraceMs(intervalMs), token: monitor.token } } : {}),
      dependsOn: [...new Set(monitor.dependsOn ?? [])],
    };
  });
  const maintenance = (file.maintenance ?? []).map((window) => ({
    name: window.name,
    ...(window.monitors ? { monitors: [...new Set(window.monitors)] } : {}),
    ...(window.start !== undefined ? { start: window.start } : {}),
    ...(window.cron !== undefined ? { cron: window.cron.trim() } : {}),
    timezone: window.timezone ?? 'UTC',
    durationMs: window.duration,
  }));
  const page = file.statusPage;
  const statusPage = {
    title: page?.title ?? DEFAULT_STATUS_PAGE_TITLE,
    ...(page?.description !== undefined ? { description: page.description } : {}),
    ...(page?.url !== undefined ? { url: page.url } : {}),
    groups: (page?.groups ?? []).map((group) => ({ name: group.name, monitors: [...new Set(group.monitors)] })),
    announcements: (page?.announcements ?? []).map((note) => ({
      text: note.text,
      severity: note.severity,
      ...(note.from !== undefined ? { from: note.from } : {}),
      ...(note.until !== undefined ? { until: note.until } : {}),
    })),
  };
  const channels: ChannelConfig[] = [
    { name: EMAIL_CHANNEL, type: 'email' },
    ...Object.entries(file.channels ?? {}).map(([name, channel]) => ({ name, ...channel }) as ChannelConfig),
  ];
  return { notify: file.notify, channels, monitors, maintenance, statusPage };
}

/** The status page's title when monitors.yml gives none. */
export const DEFAULT_STATUS_PAGE_TITLE = 'Service status';

/**
 * Every monitor id named outside its own entry (dependsOn, maintenance windows, status page groups)
 * is a configured monitor; dependsOn names no cycle; a monitor is in one status page group at most.
 */
function assertKnownMonitorReferences(file: MonitorsFile, config: MonitorsConfig, fileName: string): void {
  const ids = config.monitors.map((monitor) => monitor.id);
  const known = new Set(ids);
  const listedIds = ids.length > 8 ? `${ids.slice(0, 8).join(', ')} and ${ids.length - 8} more` : ids.join(', ');
  const check = (names: readonly string[] | undefined, field: string) => {
    const index = (names ?? []).findIndex((name) => !known.has(name));
    if (index >= 0) throw new ConfigError(`${fileName}: ${field}[${index}]: unknown monitor '${(names ?? [])[index]}'; the monitors are ${listedIds}`);
  };
  file.monitors.forEach((monitor, index) => {
    const field = `monitors[${index}] (${monitor.id}).dependsOn`;
    check(monitor.dependsOn, field);
    const self = (monitor.dependsOn ?? []).indexOf(monitor.id);
    if (self >= 0) throw new ConfigError(`${fileName}: ${field}[${self}]: a monitor cannot depend on itself`);
  });
  const cycle = findDependencyCycle(config.monitors);
  if (cycle) {
    const index = config.monitors.findIndex((monitor) => monitor.id === cycle[0]);
    throw new ConfigError(`${fileName}: monitors[${index}] (${cycle[0]}).dependsOn: a cycle: ${cycle.join(' -> ')}; a monitor cannot depend on itself through others`);
  }
  (file.maintenance ?? []).forEach((window, index) => check(window.monitors, `maintenance[${index}] (${window.name}).monitors`));
  const grouped = new Map<string, string>();
  (file.statusPage?.groups ?? []).forEach((group, index) => {
    const field = `statusPage.groups[${index}] (${group.name}).monitors`;
    check(group.monitors, field);
    group.monitors.forEach((id, position) => {
      const other = grouped.get(id);
      if (other !== undefined && other !== group.name) {
        throw new ConfigError(`${fileName}: ${field}[${position}]: '${id}' is already in the group '${other}'; a monitor is shown in one group`);
      }
      grouped.set(id, group.name);
    });
  });
}

/** Every alert list names channels that exist; `email` is the built-in one and cannot be redefined. */
function assertKnownChannels(file: MonitorsFile, config: MonitorsConfig, fileName: string): void {
  if (file.channels && EMAIL_CHANNEL in file.channels) {
    throw new ConfigError(`${fileName}: channels.${EMAIL_CHANNEL}: the name '${EMAIL_CHANNEL}' is the built-in email channel (notify); name this channel otherwise`);
  }
  const known = new Set(config.channels.map((channel) => channel.name));
  const check = (names: readonly string[] | undefined, field: string) => {
    const index = (names ?? []).findIndex((name) => !known.has(name));
    if (index >= 0) {
      throw new ConfigError(
        `${fileName}: ${field}[${index}]: unknown channel '${(names ?? [])[index]}'; the channels are ${[...known].join(', ')} (email is notify, the others are under channels)`,
      );
    }
  };
  check(file.defaults?.alerts, 'defaults.alerts');
  file.monitors.forEach((monitor, index) => check(monitor.alerts, `monitors[${index}] (${monitor.id}).alerts`));
}

function assertUniqueIds(config: MonitorsConfig, fileName: string): void {
  const seen = new Map<string, number>();
  config.monitors.forEach((monitor, index) => {
    const first = seen.get(monitor.id);
    if (first !== undefined) {
      throw new ConfigError(
        `${fileName}: monitors[${index}] (${monitor.id}).id: duplicate id, already used by monitors[${first}]`,
      );
    }
    seen.set(monitor.id, index);
  });
}

/** A monitor checked within the minute must be done with one check before the next is due. */
function assertTimeoutsFitIntervals(config: MonitorsConfig, fileName: string): void {
  config.monitors.forEach((monitor, index) => {
    if (monitor.intervalMs < MINUTE_MS && monitor.timeoutMs >= monitor.intervalMs) {
      throw new ConfigError(
        `${fileName}: monitors[${index}] (${monitor.id}).timeout: ${monitor.timeoutMs / 1000}s must be shorter than its ` +
          `${monitor.intervalMs / 1000}s interval, so one check ends before the next starts`,
      );
    }
  });
}

/** `monitors[2] (payments-api).expect.status: must be ...` */
function describeIssue(raw: object, issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid';
  const segments = [...issue.path];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    segments.push(keys[0] ?? '?');
    message = `unknown field${keys.length > 1 ? `s ${keys.map((k) => `'${k}'`).join(', ')}` : ''}; check the spelling against the documented fields`;
  } else if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && valueAt(raw, segments) === undefined) {
    message = `is required (${message})`;
  }
  return `${formatPath(raw, segments)}: ${message}`;
}

function valueAt(raw: object, segments: PropertyKey[]): unknown {
  let node: unknown = raw;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function formatPath(raw: object, segments: PropertyKey[]): string {
  let text = '';
  let node: unknown = raw;
  segments.forEach((segment, index) => {
    if (typeof segment === 'number') {
      text += `[${segment}]`;
      node = Array.isArray(node) ? node[segment] : undefined;
      // A monitor is named by its id, a maintenance window and a status page group by their name.
      const entry = node && typeof node === 'object' ? (node as { id?: unknown; name?: unknown }) : undefined;
      const label =
        index === 1 && segments[0] === 'monitors'
          ? entry?.id
          : (index === 1 && segments[0] === 'maintenance') || (index === 2 && segments[0] === 'statusPage' && segments[1] === 'groups')
            ? entry?.name
            : undefined;
      if (typeof label === 'string' && label !== '') text += ` (${label})`;
    } else {
      text += text === '' ? String(segment) : `.${String(segment)}`;
      node = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[segment] : undefined;
    }
  });
  return text === '' ? '(top level)' : text;
}
