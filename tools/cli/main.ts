/**
 * `uptime-monitor <command> ...` (bin/uptime-monitor.cjs): one entry point for the tools that
 * drive the monitor from a terminal. Each command has --help, prints one line per error, and exits
 * 0 when done, 1 when not done (or the input is not valid), 2 on bad usage.
 */
import { quoteInput } from '../../lib/domain/errors';
import type { CliOutput, ExitCode } from './args';

export type { CliOutput, ExitCode } from './args';

interface Command {
  /** The command line, and what it does: one line of the top-level --help. */
  synopsis: string;
  summary: string;
  run: (argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, output: CliOutput) => ExitCode | Promise<ExitCode>;
}

/*
 * Each command's module is required when the command runs, not when the CLI starts: the AWS SDK
 * clients that status, notify:test and maintenance use take most of a start. `--help` went from
 * 2.8 s to 0.6 s and `validate` to 1.2 s (tsx, Node 20, measured on a busy machine).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const COMMANDS: Readonly<Record<string, Command>> = {
  validate: {
    synopsis: 'validate [FILE] [--stage STAGE]',
    summary: 'check a monitors file as sls package does',
    run: (argv, env, cwd, output) => (require('./validate') as typeof import('./validate')).runValidate(argv, env, cwd, output),
  },
  import: {
    synopsis: 'import gatus|upptime|kuma FILE [-o OUT]',
    summary: "turn another tool's monitors into a monitors file",
    run: (argv, _env, cwd, output) => (require('./import-monitors') as typeof import('./import-monitors')).runImport(argv, cwd, output),
  },
  status: {
    synopsis: 'status [--stage STAGE] [--url URL]',
    summary: "every monitor's state, since when, 24-hour uptime and last failure reason",
    run: (argv, env, _cwd, output) => (require('./status') as typeof import('./status')).runStatus(argv, env, output),
  },
  'notify:test': {
    synopsis: 'notify:test --channel NAME [--stage STAGE]',
    summary: 'send a test alert through one channel',
    run: (argv, env, cwd, output) => (require('./notify-test') as typeof import('./notify-test')).runNotifyTest(argv, env, cwd, output),
  },
  maintenance: {
    synopsis: 'maintenance start|stop ID|all [...]',
    summary: 'open or end an ad-hoc maintenance window now',
    run: (argv, env, cwd, output) => (require('./maintenance') as typeof import('./maintenance')).runMaintenance(argv, env, cwd, output),
  },
  deploy: {
    synopsis: 'deploy [SLS DEPLOY OPTIONS]',
    summary: 'deploy the stack, then a confirmer stack in each monitors.yml confirm region (npm run deploy)',
    run: (argv, env, _cwd, output) => (require('../deploy/run') as typeof import('../deploy/run')).runDeploy(argv, env, output),
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

export const CLI_USAGE = `Usage: uptime-monitor <command> [options]
Commands:
${formatCommandList()}
Run uptime-monitor <command> --help for a command's options.
Exit codes: 0 done, 1 not done (or the input is not valid), 2 bad usage.`;

function formatCommandList(): string {
  const width = Math.max(...Object.values(COMMANDS).map((command) => command.synopsis.length));
  return Object.values(COMMANDS)
    .map((command) => `  ${command.synopsis.padEnd(width)}  ${command.summary}`)
    .join('\n');
}

/** The whole CLI, given its arguments (after the program name), environment and working directory. */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, output: CliOutput): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    output.error('uptime-monitor: a command is required; see uptime-monitor --help');
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    output.log(CLI_USAGE);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    output.error(`uptime-monitor: unknown command ${quoteInput(name)}: ${Object.keys(COMMANDS).join(', ')}; see uptime-monitor --help`);
    return 2;
  }
  return command.run(rest, env, cwd, output);
}

if (require.main === module) {
  void runCli(process.argv.slice(2), process.env, process.cwd(), { log: console.log, error: console.error }).then((code) => {
    process.exitCode = code;
  });
}
