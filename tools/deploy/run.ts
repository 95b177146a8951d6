/**
 * `npm run deploy -- [sls deploy options]` (and `uptime-monitor deploy ...`): deploys the home
 * stack (serverless.yml) with the options as given, then, when monitors.yml has `confirm`, a
 * confirmer stack (serverless.confirm.yml) in each of its regions (tools/deploy/plan.ts says which
 * options each gets). Each deploy runs to its end before the next starts, and the first that fails
 * stops the run. Exit codes: 0 every stack deployed, 1 one failed (or the options are at odds with
 * monitors.yml), 2 bad usage.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadMonitorsConfig } from '../../lib/config/monitors';
import { ConfigError } from '../../lib/domain/errors';
import type { MonitorsConfig } from '../../lib/domain/types';
import type { CliOutput, ExitCode } from '../cli/args';
import { DeployUsageError, planDeploy, type SlsCommand } from './plan';

const COMMAND = 'deploy';
/** The service directory: both serverless files, and where MONITORS_FILE is relative to (as in deploy/serverless-plugin.ts). */
const ROOT = path.join(__dirname, '..', '..');

/** Runs one `sls` command in the service directory, its output on this terminal; resolves with its exit code. */
export type SlsRunner = (args: readonly string[], env: NodeJS.ProcessEnv) => Promise<number>;

const runSls: SlsRunner = (args, env) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('osls/bin/serverless.js'), ...args], { cwd: ROOT, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });

/** The whole command, given its arguments (after `deploy`) and environment; resolves with its exit code. */
export async function runDeploy(argv: readonly string[], env: NodeJS.ProcessEnv, output: CliOutput, sls: SlsRunner = runSls): Promise<ExitCode> {
  const fileName = env.MONITORS_FILE ?? 'monitors.yml';
  let commands: SlsCommand[];
  try {
    commands = planDeploy(argv, loadConfig(path.resolve(ROOT, fileName)), path.basename(fileName));
  } catch (error) {
    if (error instanceof DeployUsageError) {
      output.error(`${COMMAND}: ${error.message}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      output.error(`${COMMAND}: ${error.message}`);
      return 1;
    }
    throw error;
  }
  for (const [index, command] of commands.entries()) {
    if (commands.length > 1) output.log(`${COMMAND}: ${command.label} (${index + 1} of ${commands.length})`);
    const code = await sls(command.args, env);
    if (code !== 0) {
      if (index > 0) output.error(`${COMMAND}: ${describeFailure(commands, index, code)}`);
      return 1;
    }
  }
  if (commands.length > 1) output.log(`${COMMAND}: ${commands.map((command) => command.label).join(', ')}: deployed`);
  return 0;
}

/**
 * monitors.yml, or undefined when it does not load: the home deploy then stops with the loader's
 * message, exactly as `sls deploy` did before the runner.
 */
function loadConfig(file: string): MonitorsConfig | undefined {
  try {
    return loadMonitorsConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
}

/** Which stacks are deployed and which are not, when the deploy of commands[index] failed: the same command finishes the job. */
function describeFailure(commands: readonly SlsCommand[], index: number, code: number): string {
  const done = commands.slice(0, index).map((command) => command.label);
  const left = commands.slice(index + 1).map((command) => command.label);
  return (
    `${commands[index]?.label} failed (sls exited ${code}); deployed: ${done.join(', ')}` +
    (left.length > 0 ? `; not attempted: ${left.join(', ')}` : '') +
    '; run the same command again to finish'
  );
}

if (require.main === module) {
  void runDeploy(process.argv.slice(2), process.env, { log: console.log, error: console.error }).then((code) => {
    process.exitCode = code;
  });
}
