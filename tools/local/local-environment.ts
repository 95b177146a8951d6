import path from 'node:path';
import { z } from 'zod';
import { parseDuration } from '../../lib/domain/duration';
import { LOCAL_SECRETS_FILE } from '../../lib/adapters/local-secrets-file';
import { ConfigError } from '../../lib/domain/errors';

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a TCP port number' })
    .int({ error: 'must be a TCP port number' })
    .min(1, { error: 'must be a TCP port from 1 to 65535' })
    .max(65_535, { error: 'must be a TCP port from 1 to 65535' })
    .default(fallback);

/** Local intervals must divide a minute so the local schedule fires evenly (a cron on seconds). */
const SECONDS_DIVIDING_A_MINUTE = [2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60];

const localEnvironmentSchema = z.object({
  MONITORS_FILE: z.string().min(1).default('monitors.yml'),
  SECRETS_FILE: z.string().min(1).default(LOCAL_SECRETS_FILE),
  LOCAL_PROBE_INTERVAL: z
    .string()
    .default('10s')
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms % 1000 !== 0 || !SECONDS_DIVIDING_A_MINUTE.includes(ms / 1000)) {
        ctx.addIssue({
          code: 'custom',
          message: `'${text}' must be one of ${SECONDS_DIVIDING_A_MINUTE.map((s) => `${s}s`).join(', ')} (a whole number of seconds that divides a minute)`,
        });
        return z.NEVER;
      }
      return ms;
    }),
  API_PORT: port(3000),
  SES_PORT: port(8005),
  DYNAMODB_PORT: port(8000),
  DEMO_PORT: port(4010),
  LOCAL_DATA_DIR: z.string().min(1).default('.local'),
  /** Unset or empty: the default (tools/local/local-confirmers.ts), which depends on the monitors file. */
  LOCAL_CONFIRMERS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return undefined;
      if (!/^\d+$/.test(text.trim())) {
        ctx.addIssue({ code: 'custom', message: `'${text}' must be a whole number of local confirmers (0 runs none)` });
        return z.NEVER;
      }
      return Number(text.trim());
    }),
});

export interface LocalOptions {
  monitorsFile: string;
  /** Where `ssm` and `secretsManager` references are read from (git-ignored). */
  secretsFile: string;
  intervalMs: number;
  apiPort: number;
  sesPort: number;
  dynamoDbPort: number;
  demoPort: number;
  dataDir: string;
  /** LOCAL_CONFIRMERS: how many confirmer regions run locally; undefined: the default when monitors.yml has `confirm`. */
  confirmers: number | undefined;
  fresh: boolean;
  demo: boolean;
  verbose: boolean;
}

export const LOCAL_USAGE = `Usage: npm start [-- --fresh] [-- --no-demo] [-- --verbose]
Runs the monitor on this machine: DynamoDB Local, the SES emulator, a demo target and the real
handlers under serverless-offline, until Ctrl-C.
  --fresh     wipe LOCAL_DATA_DIR (the local table, its stream position) before starting
  --no-demo   do not start the demo target or its monitor
  --verbose   also print serverless-offline's own output
Environment (all optional): MONITORS_FILE (monitors.yml), SECRETS_FILE (secrets.local.yml), LOCAL_PROBE_INTERVAL (10s), API_PORT (3000),
SES_PORT (8005), DYNAMODB_PORT (8000), DEMO_PORT (4010), LOCAL_DATA_DIR (.local),
LOCAL_CONFIRMERS (2 when the monitors file has \`confirm\`; 0 runs none)`;

/** Reads `npm start`'s flags and environment; throws ConfigError naming the bad one. */
export function readLocalOptions(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): LocalOptions {
  const known = new Set(['--fresh', '--no-demo', '--verbose']);
  const unknown = argv.find((arg) => !known.has(arg));
  if (unknown !== undefined) throw new ConfigError(`unknown option '${unknown}'\n${LOCAL_USAGE}`);
  const parsed = localEnvironmentSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`environment variable ${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'invalid'}`);
  }
  const values = parsed.data;
  const ports = { API_PORT: values.API_PORT, SES_PORT: values.SES_PORT, DYNAMODB_PORT: values.DYNAMODB_PORT, DEMO_PORT: values.DEMO_PORT };
  const seen = new Map<number, string>();
  for (const [name, value] of Object.entries(ports)) {
    const other = seen.get(value);
    if (other) throw new ConfigError(`environment variable ${name}: port ${value} is also ${other}`);
    seen.set(value, name);
  }
  return {
    monitorsFile: path.resolve(cwd, values.MONITORS_FILE),
    secretsFile: path.resolve(cwd, values.SECRETS_FILE),
    intervalMs: values.LOCAL_PROBE_INTERVAL,
    apiPort: values.API_PORT,
    sesPort: values.SES_PORT,
    dynamoDbPort: values.DYNAMODB_PORT,
    demoPort: values.DEMO_PORT,
    dataDir: path.resolve(cwd, values.LOCAL_DATA_DIR),
    confirmers: values.LOCAL_CONFIRMERS,
    fresh: argv.includes('--fresh'),
    demo: !argv.includes('--no-demo'),
    verbose: argv.includes('--verbose'),
  };
}
