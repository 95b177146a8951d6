import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDuration } from '../domain/duration';
import { ConfigError } from '../domain/errors';
import { DAILY_ROLLUP_RETENTION_DAYS, HOURLY_ROLLUP_RETENTION_DAYS, RUN_RETENTION_DAYS, TRANSITION_RETENTION_DAYS } from '../domain/retention';
import { MINUTE_MS, SECOND_MS } from '../domain/time';

const tableName = z.string({ error: 'is required: the DynamoDB table name' }).trim().min(1, { error: 'must not be empty' });
const monitorsFile = z.string().trim().min(1, { error: 'must not be empty' }).default('monitors.yml');
const positiveInt = (fallback: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be 1 or more' }).default(fallback);

const functionEnvironmentSchema = z.object({ TABLE_NAME: tableName, MONITORS_FILE: monitorsFile });

/** Unset or empty: undefined. */
const optionalText = z.string().trim().optional().transform((text) => (text === '' ? undefined : text));

/**
 * The local address checks are sent from (`npm start`: each vantage point its own, home 127.0.0.1,
 * the confirmers 127.0.0.2, 127.0.0.3 and so on, so a local target can fail for one of them only).
 * Unset or empty: the system's choice (deployed).
 */
const sourceAddress = optionalText.refine((text) => text === undefined || isIP(text) !== 0, {
  error: 'must be an IPv4 or IPv6 address',
});

/** Where the function that uses secret references reads them (the probe, the notifier). */
const secretsEnvironmentSchema = z.object({
  /** How long a resolved secret reference is used before it is fetched again. */
  SECRETS_MAX_AGE_SECONDS: positiveInt(300),
  /**
   * The local stage only (npm start): the file `ssm` and `secretsManager` references are read from,
   * instead of AWS. Empty or unset when deployed.
   */
  LOCAL_SECRETS_FILE: z.string().trim().optional().transform((text) => (text === '' ? undefined : text)),
});

const notifyEnvironmentSchema = functionEnvironmentSchema.extend({
  ...secretsEnvironmentSchema.shape,
  /**
   * The API's base URL (serverless.yml: the HTTP API's endpoint; `npm start`: the local API), which
   * alerts link to as the status page when monitors.yml sets no statusPage.url. Unset or empty:
   * unknown.
   */
  API_URL: z
    .string()
    .trim()
    .optional()
    .transform((text) => (text === '' ? undefined : text))
    .refine((text) => text === undefined || (URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol)), {
      error: 'must be an http:// or https:// URL',
    }),
});
export type NotifyEnvironment = z.output<typeof notifyEnvironmentSchema>;

/** The notify function's environment, validated once; a bad value names the variable. */
export function readNotifyEnvironment(env: NodeJS.ProcessEnv = process.env): NotifyEnvironment {
  return readEnvironment(notifyEnvironmentSchema, env);
}

const pingEnvironmentSchema = functionEnvironmentSchema.extend(secretsEnvironmentSchema.shape);
export type PingEnvironment = z.output<typeof pingEnvironmentSchema>;

/** The ping function's environment, validated once; a bad value names the variable. */
export function readPingEnvironment(env: NodeJS.ProcessEnv = process.env): PingEnvironment {
  return readEnvironment(pingEnvironmentSchema, env);
}

const probeEnvironmentSchema = functionEnvironmentSchema.extend({
  METRICS_NAMESPACE: z.string().min(1).default('UptimeMonitor'),
  METRICS_ENABLED: z.enum(['true', 'false'], { error: "must be 'true' or 'false'" }).default('true'),
  /**
   * 'true': checks refuse loopback, private, link-local (instance metadata), CGNAT and unspecified
   * addresses, as resolved and at every redirect (lib/adapters/address-blocklist.ts). Deployed
   * stages set it; `npm start` probes its demo target on 127.0.0.1.
   */
  BLOCK_PRIVATE_ADDRESSES: z.enum(['true', 'false'], { error: "must be 'true' or 'false'" }).default('false'),
  STACK_NAME: z.string().min(1).default('uptime-monitor'),
  /** 64 keeps a 256 MB function busy: its CPU share, not the waiting, bounds a run (see README, Cost). */
  PROBE_CONCURRENCY: positiveInt(64),
  /** The most monitors one invocation probes; above it the scheduled invocation fans out into shards. */
  PROBE_SHARD_SIZE: positiveInt(1000),
  /** The notify function, asked to sweep the outbox when alerts wait in it (serverless.yml sets it). */
  NOTIFY_FUNCTION_NAME: z.string().min(1).optional(),
  /** Set by Lambda (and serverless-offline): the function hands shards to itself. */
  AWS_LAMBDA_FUNCTION_NAME: z.string().min(1).optional(),
  TRANSITION_RETENTION_DAYS: positiveInt(TRANSITION_RETENTION_DAYS),
  RUN_RETENTION_DAYS: positiveInt(RUN_RETENTION_DAYS),
  HOURLY_ROLLUP_RETENTION_DAYS: positiveInt(HOURLY_ROLLUP_RETENTION_DAYS),
  DAILY_ROLLUP_RETENTION_DAYS: positiveInt(DAILY_ROLLUP_RETENTION_DAYS),
  ...secretsEnvironmentSchema.shape,
  PROBE_SOURCE_ADDRESS: sourceAddress,
  /** Set by Lambda (and serverless-offline): the home region, the first vantage point of a confirmation. */
  AWS_REGION: optionalText,
  /**
   * The confirm function's name in every confirmer region (serverless.yml sets it when monitors.yml
   * has `confirm`). Unset with `confirm` configured: no confirmer is asked, and each suspect's
   * outage is decided by the home region alone (logged and counted, as when every confirmer abstains).
   */
  CONFIRM_FUNCTION_NAME: optionalText,
  /**
   * `npm start` only: a JSON object of region to the local Lambda endpoint of that region's
   * confirmer (serverless-offline), e.g. {"eu-west-1":"http://127.0.0.1:3102"}. Unset when deployed.
   */
  CONFIRM_ENDPOINTS: optionalText.transform((text, ctx) => {
    if (text === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const endpoints = z.record(z.string().min(1), z.url({ protocol: /^https?$/ })).safeParse(parsed);
    if (!endpoints.success) {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of region to http:// endpoint URL' });
      return z.NEVER;
    }
    return endpoints.data;
  }),
  /** The schedule's period: ticks are the scheduled time truncated to it. 1m when deployed. */
  PROBE_PERIOD: z
    .string()
    .default('1m')
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms < SECOND_MS || ms > MINUTE_MS) {
        ctx.addIssue({ code: 'custom', message: `'${text}' must be a duration from 1s to 1m` });
        return z.NEVER;
      }
      return ms;
    }),
});

/** What the api and notify functions read from their environment. */
export interface FunctionEnvironment {
  /** The monitor table: states, transitions, run summaries and the ledger. */
  tableName: string;
  /** The monitors file, relative to the working directory (the package root on Lambda). */
  monitorsFile: string;
}

export type ProbeEnvironment = z.output<typeof probeEnvironmentSchema>;

function readEnvironment<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv): z.output<Schema> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `environment variable ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems.join('; '), { cause: parsed.error });
  }
  return parsed.data;
}

const apiEnvironmentSchema = functionEnvironmentSchema.extend({
  /** 'false' turns GET /metrics off: it answers 404 (the deploy parameter prometheus; serverless.yml sets it). */
  PROMETHEUS_ENABLED: z.enum(['true', 'false'], { error: "must be 'true' or 'false'" }).default('true'),
});

/** What the api function reads from its environment. */
export interface ApiEnvironment extends FunctionEnvironment {
  /** Whether GET /metrics serves the Prometheus metrics. */
  prometheus: boolean;
}

/** The api function's environment, validated once; a bad value names the variable. */
export function readApiEnvironment(env: NodeJS.ProcessEnv = process.env): ApiEnvironment {
  const values = readEnvironment(apiEnvironmentSchema, env);
  return { tableName: values.TABLE_NAME, monitorsFile: values.MONITORS_FILE, prometheus: values.PROMETHEUS_ENABLED === 'true' };
}

/** The api and notify functions' environment, validated once; a bad value names the variable. */
export function readFunctionEnvironment(env: NodeJS.ProcessEnv = process.env): FunctionEnvironment {
  const values = readEnvironment(functionEnvironmentSchema, env);
  return { tableName: values.TABLE_NAME, monitorsFile: values.MONITORS_FILE };
}

/** The probe function's environment, validated once; a bad value names the variable. */
export function readProbeEnvironment(env: NodeJS.ProcessEnv = process.env): ProbeEnvironment {
  return readEnvironment(probeEnvironmentSchema, env);
}

const confirmEnvironmentSchema = z.object({
  /** Set by Lambda (and serverless-offline): the region this confirmer is a vantage point of. */
  AWS_REGION: z.string({ error: 'is required: the region this confirmer runs in (set by Lambda)' }).trim().min(1, { error: 'must not be empty' }),
  /** As the probe's: checks refuse loopback, private, link-local, CGNAT and unspecified addresses. */
  BLOCK_PRIVATE_ADDRESSES: z.enum(['true', 'false'], { error: "must be 'true' or 'false'" }).default('false'),
  /** As the probe's: how many checks may be in flight at once. */
  PROBE_CONCURRENCY: positiveInt(64),
  /** As the probe's: the local address checks are sent from (`npm start` gives each confirmer its own). */
  PROBE_SOURCE_ADDRESS: sourceAddress,
});
export type ConfirmEnvironment = z.output<typeof confirmEnvironmentSchema>;

/** The confirm function's environment, validated once; a bad value names the variable. */
export function readConfirmEnvironment(env: NodeJS.ProcessEnv = process.env): ConfirmEnvironment {
  return readEnvironment(confirmEnvironmentSchema, env);
}
