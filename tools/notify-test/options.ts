import path from 'node:path';
import { LOCAL_SECRETS_FILE } from '../../lib/adapters/local-secrets-file';

/** The stage whose secrets come from the local secrets file and whose email goes to the SES emulator. */
export const LOCAL_STAGE = 'local';
/** sls deploy's region when none is given (serverless.yml's provider.region). */
export const DEFAULT_REGION = 'us-east-1';
const DEFAULT_SES_PORT = 8005;

export const NOTIFY_TEST_USAGE = `Usage: npm run notify:test -- --channel NAME [--stage local|STAGE] [--region REGION]
Sends one test alert (an outage of the monitor "Test alert from uptime-monitor", id notify-test)
through one channel of the monitors file and prints what the channel answered.
  --channel NAME   the channel: email, or a name under channels in the monitors file
  --stage NAME     local (default): secrets from the local secrets file and this environment, email to
                   the SES emulator npm start runs; any other stage: secrets from SSM and Secrets
                   Manager with your own AWS credentials, email through SES
  --region REGION  the deployed stage's region (default AWS_REGION, AWS_DEFAULT_REGION, then ${DEFAULT_REGION})
  --help           print this
Environment (all optional): MONITORS_FILE (monitors.yml), SECRETS_FILE (${LOCAL_SECRETS_FILE}),
SES_PORT (${DEFAULT_SES_PORT}) or AWS_ENDPOINT_URL_SES for the local SES emulator.
Exit codes: 0 the channel took the alert, 1 it did not (or the channel cannot be built), 2 bad options.`;

/** A flag that is unknown, repeated, missing its value or has a bad one: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface NotifyTestOptions {
  channel: string;
  stage: string;
  /** Where a deployed stage's secrets and SES are (ignored by the local stage but for SNS, whose region is its topic's). */
  region: string;
  monitorsFile: string;
  secretsFile: string;
  /** The local stage's SES endpoint: the emulator npm start runs. */
  localSesEndpoint: string;
}

/** What the command line asked for: the options, or help. Throws UsageError. */
export type NotifyTestRequest = { help: true } | { help: false; options: NotifyTestOptions };

const VALUE_FLAGS = ['--channel', '--stage', '--region'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

/** A stage name: letters, digits and hyphens (the stack is `uptime-monitor-<stage>`). */
const STAGE_NAME = /^[a-zA-Z0-9-]{1,64}$/;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d$/;
const CHANNEL_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Reads the flags (`--flag value` or `--flag=value`) and the environment. */
export function readNotifyTestOptions(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): NotifyTestRequest {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const values = new Map<ValueFlag, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!isValueFlag(flag)) throw new UsageError(`unknown option '${arg}'; see --help`);
    if (values.has(flag)) throw new UsageError(`${flag} is given twice`);
    const value = inline ?? argv[index + 1];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${flag} needs a value; see --help`);
    if (inline === undefined) index += 1;
    values.set(flag, value);
  }
  const channel = values.get('--channel');
  if (channel === undefined) throw new UsageError('--channel NAME is required; see --help');
  if (!CHANNEL_NAME.test(channel)) throw new UsageError(`--channel '${channel}' is not a channel name (a-z, 0-9 and -)`);
  const stage = values.get('--stage') ?? LOCAL_STAGE;
  if (!STAGE_NAME.test(stage)) throw new UsageError(`--stage '${stage}' is not a stage name (letters, digits and -)`);
  const region = values.get('--region') ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? DEFAULT_REGION;
  if (!REGION_NAME.test(region)) throw new UsageError(`--region '${region}' is not an AWS region such as eu-west-1`);
  const sesPort = nonEmpty(env.SES_PORT) ?? String(DEFAULT_SES_PORT);
  if (!/^\d{1,5}$/.test(sesPort) || Number(sesPort) < 1 || Number(sesPort) > 65_535) throw new UsageError(`environment variable SES_PORT: '${sesPort}' is not a TCP port`);
  return {
    help: false,
    options: {
      channel,
      stage,
      region,
      monitorsFile: path.resolve(cwd, nonEmpty(env.MONITORS_FILE) ?? 'monitors.yml'),
      secretsFile: path.resolve(cwd, nonEmpty(env.SECRETS_FILE) ?? LOCAL_SECRETS_FILE),
      localSesEndpoint: nonEmpty(env.AWS_ENDPOINT_URL_SES) ?? `http://127.0.0.1:${sesPort}`,
    },
  };
}

function isValueFlag(flag: string): flag is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(flag);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
