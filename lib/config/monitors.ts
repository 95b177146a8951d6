import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../domain/duration';
import { ConfigError } from '../domain/errors';
import { EMAIL_CHANNEL, type ChannelConfig } from '../domain/alert';
import { isWebhookSecret } from '../domain/alert-payloads';
import type { MonitorConfig, MonitorsConfig } from '../domain/types';
import { MINUTE_MS } from '../domain/time';

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

const monitorSchema = z.strictObject(
  {
    id: z
      .string({ error: 'must be a string of a-z, 0-9 and -' })
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'must be 1 to 63 characters of a-z, 0-9 and -, starting with a letter or digit' }),
    name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(200, { error: 'must be at most 200 characters' }).optional(),
    url: secretValue(url, `must be an http:// or https:// URL, or a secret reference: ${REFERENCE_FORMS}`),
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
  },
  { error: 'must be a mapping with at least id and url' },
);

const fileSchema = z.strictObject({
  notify: z.strictObject({ from: email, to: emailList }, { error: 'must have from and to' }),
  channels: z.record(channelName, channelSchema, { error: 'must map channel names to channels' }).optional(),
  defaults: defaultsSchema.optional(),
  monitors: z.array(monitorSchema, { error: 'must be a list of monitors' }).min(1, { error: 'must list at least one monitor' }),
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
  return config;
}

function applyDefaults(file: MonitorsFile): MonitorsConfig {
  const defaults = file.defaults ?? defaultsSchema.parse({});
  const monitors = file.monitors.map((monitor): MonitorConfig => {
    const status = monitor.expect?.status;
    return {
      id: monitor.id,
      name: monitor.name ?? monitor.id,
      url: monitor.url,
      method: monitor.method ?? 'GET',
      headers: monitor.headers ?? {},
      timeoutMs: monitor.timeout ?? defaults.timeout,
      intervalMs: monitor.interval ?? defaults.interval,
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
    };
  });
  const channels: ChannelConfig[] = [
    { name: EMAIL_CHANNEL, type: 'email' },
    ...Object.entries(file.channels ?? {}).map(([name, channel]) => ({ name, ...channel }) as ChannelConfig),
  ];
  return { notify: file.notify, channels, monitors };
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
      const id = index === 1 && segments[0] === 'monitors' && node && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
      if (typeof id === 'string' && id !== '') text += ` (${id})`;
    } else {
      text += text === '' ? String(segment) : `.${String(segment)}`;
      node = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[segment] : undefined;
    }
  });
  return text === '' ? '(top level)' : text;
}
