import path from 'node:path';
import { formatDuration, parseDuration } from '../../lib/domain/duration';
import { quoteInput } from '../../lib/domain/errors';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lib/domain/time';
import { DEFAULT_REGION, LOCAL_STAGE } from '../notify-test/options';

/** The word that stands for every monitor: `start all`, `stop all`. */
export const ALL_MONITORS = 'all';
export const DEFAULT_DURATION_MS = HOUR_MS;
/** The bounds of a configured window's duration in monitors.yml, so an ad-hoc one is no different. */
export const MIN_DURATION_MS = MINUTE_MS;
export const MAX_DURATION_MS = 31 * DAY_MS;
export const DEFAULT_WINDOW_NAME = 'Ad-hoc maintenance';
/** As a configured window's name. */
const MAX_NAME_LENGTH = 200;
/** npm start's DynamoDB Local port when DYNAMODB_PORT is not set (tools/local/local-environment.ts). */
const DEFAULT_DYNAMODB_PORT = 8000;

export const MAINTENANCE_USAGE = `Usage: npm run maintenance -- start ID|all [DURATION] [--name TEXT] [--stage local|STAGE] [--region REGION] [--config FILE]
       npm run maintenance -- stop ID|all [--stage local|STAGE] [--region REGION] [--config FILE]
Opens or closes an ad-hoc maintenance window. While a monitor is in maintenance its checks keep
running and are stored, but no outage, recovery or reminder alert goes out, and the time counts
neither as up nor as down.
  start ID [DURATION]   opens a window from now for the monitor ID of the monitors file, lasting
                        DURATION (such as 30m, 2h or 1d; ${formatDuration(MIN_DURATION_MS)} to ${formatDuration(MAX_DURATION_MS)}; default ${formatDuration(DEFAULT_DURATION_MS)})
  start all [DURATION]  the same for every monitor, those added to the monitors file later included
  stop ID               ends now every open ad-hoc window opened for ID alone (start ID)
  stop all              ends now every open ad-hoc window, whichever monitors it covers
  --name TEXT           the window's name, which the API shows (default "${DEFAULT_WINDOW_NAME}"; start only)
  --stage NAME          local (default): the table npm start keeps in DynamoDB Local; any other stage:
                        its deployed table uptime-monitor-<stage>, with your own AWS credentials
  --region REGION       the deployed stage's region (default AWS_REGION, AWS_DEFAULT_REGION, then ${DEFAULT_REGION})
  --config FILE         the monitors file (default MONITORS_FILE, then monitors.yml)
  --help                print this
Windows configured under maintenance: in the monitors file are not opened or closed here: change
the file and deploy. "all" always means every monitor.
Environment (all optional): MONITORS_FILE (monitors.yml), DYNAMODB_PORT (${DEFAULT_DYNAMODB_PORT}) or
AWS_ENDPOINT_URL_DYNAMODB for npm start's DynamoDB Local.
Exit codes: 0 done, 1 not done (no open window to stop, DynamoDB not reachable, a bad monitors
file), 2 bad options (an unknown monitor too).`;

/** An argument that is unknown, missing, repeated or has a bad value: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Which monitors: one, by id, or every monitor (`all`). */
export type MaintenanceTarget = { all: true } | { all: false; monitorId: string };

export type MaintenanceAction = { command: 'start'; target: MaintenanceTarget; durationMs: number; name: string } | { command: 'stop'; target: MaintenanceTarget };

/** Where the windows are stored: npm start's DynamoDB Local, or a deployed stage's table. */
export type MaintenanceTable = { stage: typeof LOCAL_STAGE; tableName: string; endpoint: string } | { stage: string; tableName: string; region: string };

export interface MaintenanceOptions {
  action: MaintenanceAction;
  table: MaintenanceTable;
  monitorsFile: string;
}

/** What the command line asked for: the options, or help. Throws UsageError. */
export type MaintenanceRequest = { help: true } | { help: false; options: MaintenanceOptions };

const VALUE_FLAGS = ['--name', '--stage', '--region', '--config'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

/** As notify:test: letters, digits and hyphens (the stack and its table are `uptime-monitor-<stage>`). */
const STAGE_NAME = /^[a-zA-Z0-9-]{1,64}$/;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** serverless.yml's service: the table of stage S is `uptime-monitor-S` (custom.stackName). */
const SERVICE = 'uptime-monitor';

/** Reads the command, its arguments and flags (`--flag value` or `--flag=value`), and the environment. */
export function readMaintenanceOptions(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): MaintenanceRequest {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const values = new Map<ValueFlag, string>();
  const positional: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (!arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!isValueFlag(flag)) throw new UsageError(`unknown option ${quoteInput(arg)}; see --help`);
    if (values.has(flag)) throw new UsageError(`${flag} is given twice`);
    const value = inline ?? argv[index + 1];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${flag} needs a value; see --help`);
    if (inline === undefined) index += 1;
    values.set(flag, value);
  }

  const action = readAction(positional, values.get('--name'));
  const stage = values.get('--stage') ?? LOCAL_STAGE;
  if (!STAGE_NAME.test(stage)) throw new UsageError(`--stage ${quoteInput(stage)} is not a stage name (letters, digits and -)`);
  const tableName = `${SERVICE}-${stage}`;
  let table: MaintenanceTable;
  if (stage === LOCAL_STAGE) {
    if (values.has('--region')) throw new UsageError('--region applies to a deployed stage only (--stage NAME)');
    table = { stage, tableName, endpoint: localEndpoint(env) };
  } else {
    const region = values.get('--region') ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? DEFAULT_REGION;
    if (!REGION_NAME.test(region)) throw new UsageError(`--region ${quoteInput(region)} is not an AWS region such as eu-west-1`);
    table = { stage, tableName, region };
  }
  const monitorsFile = path.resolve(cwd, values.get('--config') ?? nonEmpty(env.MONITORS_FILE) ?? 'monitors.yml');
  return { help: false, options: { action, table, monitorsFile } };
}

function readAction(positional: readonly string[], nameFlag: string | undefined): MaintenanceAction {
  const [command, target, duration, ...extra] = positional;
  if (command === undefined) throw new UsageError('a command is required: start or stop; see --help');
  if (command !== 'start' && command !== 'stop') throw new UsageError(`unknown command ${quoteInput(command)}: start or stop; see --help`);
  if (target === undefined) throw new UsageError(`${command} needs a monitor id or all: ${command} ID|all; see --help`);
  const chosen: MaintenanceTarget = target === ALL_MONITORS ? { all: true } : { all: false, monitorId: target };
  if (command === 'stop') {
    if (duration !== undefined) throw new UsageError(`stop takes no duration (${quoteInput(duration)}): stop ID|all ends the window now`);
    if (nameFlag !== undefined) throw new UsageError('--name applies to start only');
    return { command, target: chosen };
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument ${quoteInput(extra[0] as string)}: start ID|all [DURATION]; see --help`);
  return { command, target: chosen, durationMs: readDuration(duration), name: readName(nameFlag) };
}

function readDuration(text: string | undefined): number {
  if (text === undefined) return DEFAULT_DURATION_MS;
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`${quoteInput(text)} is not a duration such as 30m, 2h or 1d`);
  if (ms < MIN_DURATION_MS || ms > MAX_DURATION_MS) {
    throw new UsageError(`duration ${quoteInput(text)} must be between ${formatDuration(MIN_DURATION_MS)} and ${formatDuration(MAX_DURATION_MS)}`);
  }
  return ms;
}

function readName(text: string | undefined): string {
  if (text === undefined) return DEFAULT_WINDOW_NAME;
  const name = text.trim();
  if (name === '') throw new UsageError('--name must not be blank');
  // Shown on one line by the API and the status page, and printed here.
  if (/\p{Cc}/u.test(name)) throw new UsageError('--name must be one line, without control characters');
  if (name.length > MAX_NAME_LENGTH) throw new UsageError(`--name must be at most ${MAX_NAME_LENGTH} characters`);
  return name;
}

/** npm start's DynamoDB Local: AWS_ENDPOINT_URL_DYNAMODB when set, else 127.0.0.1 at DYNAMODB_PORT. */
function localEndpoint(env: NodeJS.ProcessEnv): string {
  const endpoint = nonEmpty(env.AWS_ENDPOINT_URL_DYNAMODB);
  if (endpoint !== undefined) {
    if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
      throw new UsageError(`environment variable AWS_ENDPOINT_URL_DYNAMODB: ${quoteInput(endpoint)} is not an http(s) URL`);
    }
    return endpoint;
  }
  const port = nonEmpty(env.DYNAMODB_PORT) ?? String(DEFAULT_DYNAMODB_PORT);
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535) throw new UsageError(`environment variable DYNAMODB_PORT: ${quoteInput(port)} is not a TCP port`);
  return `http://127.0.0.1:${Number(port)}`;
}

function isValueFlag(flag: string): flag is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(flag);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
