/**
 * `uptime-monitor validate [FILE] [--stage STAGE]`: checks a monitors file with the loader every
 * function, `npm start` and `sls package` use, so a file it passes is one they take, and a file it
 * refuses gets the message they would give.
 */
import path from 'node:path';
import { resolveDeploySettings } from '../../deploy/deploy-settings';
import { resolveSecretSettings } from '../../deploy/secret-settings';
import { loadMonitorsConfig } from '../../lib/config/monitors';
import { ConfigError, quoteInput } from '../../lib/domain/errors';
import type { MonitorsConfig } from '../../lib/domain/types';
import { UsageError, nonEmpty, parseArgs, wantsHelp, type CliOutput, type ExitCode } from './args';

const COMMAND = 'validate';
const LOCAL_STAGE = 'local';
/** serverless.yml's service: a stage's stack is `uptime-monitor-<stage>`. */
const SERVICE = 'uptime-monitor';
const STAGE_NAME = /^[a-zA-Z0-9-]{1,64}$/;

export const VALIDATE_USAGE = `Usage: uptime-monitor validate [FILE] [--stage STAGE]
Checks a monitors file as npm start and sls package load it, and prints one line: how many
monitors and channels it has, or what is wrong with it (the message sls package gives).
  FILE           the monitors file (default MONITORS_FILE, then monitors.yml)
  --stage NAME   also make the checks sls package --stage NAME makes for a deployed stage, with
                 the parameters' defaults: every target reachable from Lambda, no literal
                 credential, every { env: NAME } reference set in this environment, each
                 interval a multiple of the schedule rate, notify.from covered by the SES identity
  --help         print this
Exit codes: 0 the file is valid, 1 it is not (or cannot be read), 2 bad options.`;

export function runValidate(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, output: CliOutput): ExitCode {
  if (wantsHelp(argv)) {
    output.log(VALIDATE_USAGE);
    return 0;
  }
  let file: string;
  let stage: string | undefined;
  try {
    const args = parseArgs(argv, { values: ['--stage'] });
    if (args.positional.length > 1) throw new UsageError(`unexpected argument ${quoteInput(args.positional[1] as string)}: validate takes one file; see --help`);
    file = path.resolve(cwd, args.positional[0] ?? nonEmpty(env.MONITORS_FILE) ?? 'monitors.yml');
    stage = args.values.get('--stage');
    if (stage !== undefined && !STAGE_NAME.test(stage)) throw new UsageError(`--stage ${quoteInput(stage)} is not a stage name (letters, digits and -)`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.error(`${COMMAND}: ${error.message}`);
    return 2;
  }

  const fileName = path.basename(file);
  let config: MonitorsConfig;
  try {
    config = loadMonitorsConfig(file);
    if (stage !== undefined) checkStage(config, fileName, stage, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The message as sls package prints it; a refusal listing several fields has one line each.
    for (const line of error.message.split('\n')) output.error(`${COMMAND}: ${line}`);
    return 1;
  }
  const monitors = plural(config.monitors.length, 'monitor');
  const channels = plural(config.channels.length, 'channel');
  const forStage = stage === undefined || stage === LOCAL_STAGE ? '' : ` for stage ${stage}`;
  output.log(`${COMMAND}: ${fileName}: ${monitors}, ${channels}, OK${forStage}`);
  return 0;
}

/**
 * What deploy/serverless-plugin.ts checks for a stage once the file has loaded, in its order. The
 * parameters are their defaults: a value given with --param at deploy time is not known here.
 */
function checkStage(config: MonitorsConfig, fileName: string, stage: string, env: NodeJS.ProcessEnv): void {
  resolveSecretSettings({ config, fileName, stage, allowLiteralSecrets: false, env, checkDeployability: true });
  resolveDeploySettings({ config, fileName, monitorsFile: fileName, stackName: `${SERVICE}-${stage}`, stage, params: {}, checkDeployability: true });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
