/**
 * One serverless-offline process of `npm start`: the home stack (serverless.yml) or a confirmer
 * (serverless.confirm.yml), spawned in a process group of its own, its handlers' log lines shown
 * as the terminal view shows them, and stopped with its whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { formatLogLine, isShown, parseLogLine } from './log-view';

/** The credentials every local client and handler uses: DynamoDB Local and serverless-offline take any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface OfflineOptions {
  /** The project's directory: serverless-offline runs there. */
  root: string;
  /** The service file, relative to `root`; default serverless.yml. */
  config?: string;
  stage: string;
  /** The region the handlers see as AWS_REGION (serverless-offline sets it from the provider's region, `--region`). */
  region: string;
  httpPort: number;
  lambdaPort: number;
  /** Added to this process's environment (the `${env:…}` the service file reads, the AWS endpoints). */
  env: NodeJS.ProcessEnv;
  /** Also print serverless-offline's own lines. */
  verbose: boolean;
  /** Put before each of serverless-offline's own lines printed (a confirmer's region), so they can be told apart. */
  label?: string;
}

/** Starts `sls offline start` on 127.0.0.1 with the given ports, detached: its process group is stopped whole. */
export function spawnOffline(options: OfflineOptions): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      require.resolve('osls/bin/serverless.js'),
      'offline',
      'start',
      ...(options.config === undefined ? [] : ['--config', options.config]),
      '--stage',
      options.stage,
      '--region',
      options.region,
      '--host',
      '127.0.0.1',
      '--httpPort',
      String(options.httpPort),
      '--lambdaPort',
      String(options.lambdaPort),
    ],
    {
      cwd: options.root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        AWS_REGION: options.region,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        ...options.env,
      },
    },
  );
  relayOutput(child, options);
  return child;
}

/** Shows the handlers' log lines `npm start` shows, and serverless-offline's own failures (all of its lines with --verbose). */
function relayOutput(child: ChildProcess, options: Pick<OfflineOptions, 'verbose' | 'label'>): void {
  const pretty = process.stdout.isTTY === true;
  const prefix = options.label === undefined ? '' : `[${options.label}] `;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      const log = parseLogLine(line);
      if (log) {
        if (isShown(log)) console.log(pretty ? formatLogLine(log) : JSON.stringify(log));
        else if (options.verbose) console.log(line);
      } else if (options.verbose || isOfflineError(line)) {
        console.log(`${prefix}${line}`);
      }
    });
  }
}

/** serverless-offline's own lines that report a failure (a handler that threw, a build error). */
function isOfflineError(line: string): boolean {
  return /\b(error|exception|failed)\b|✖/i.test(line) && !line.includes('NodeVersionSupportWarning');
}

/** Sends SIGTERM to the process's whole group (serverless-offline, its esbuild, its workers), SIGKILL after `graceMs`; resolves once it exited. */
export async function stopOffline(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const group = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-group, signal);
    } catch {
      // already gone
    }
  };
  killGroup('SIGTERM');
  const timer = setTimeout(() => killGroup('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
