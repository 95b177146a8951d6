/**
 * `npm start`: the whole monitor on this machine until Ctrl-C. DynamoDB Local (with its stream),
 * the SES emulator, a demo target, and the real handlers under serverless-offline.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import sesEmulator from 'aws-ses-v2-local';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { loadMonitorsConfig } from '../../lib/config/monitors';
import { formatDuration } from '../../lib/domain/duration';
import { ConfigError } from '../../lib/domain/errors';
import { startDemoTarget, type DemoTarget } from './demo-target';
import { JavaMissingError, hasJava, startDynamoDbLocal, stopProcess, type RunningDynamoDbLocal } from './dynamodb-local';
import { freePort } from './free-port';
import { readLocalOptions, type LocalOptions } from './local-environment';
import { writeLocalMonitorsFile } from './local-monitors';
import { assertLocalSecretsResolve } from './local-secrets';
import { formatLogLine, isShown, parseLogLine } from './log-view';
import { tableDefinition, ttlAttribute } from './table-definition';

const ROOT = path.join(__dirname, '..', '..');
const SERVICE = 'uptime-monitor';
const STAGE = 'local';
const TABLE_NAME = `${SERVICE}-${STAGE}`;
const REGION = 'us-east-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const STOP_GRACE_MS = 4000;
/** serverless.yml's watch ignores this folder; .gitignore and eslint.config.mjs name it too. */
const LOCAL_WORK_ROOT = '.esbuild-local';

class UserFacingError extends Error {
  override readonly name = 'UserFacingError';
}

interface Stack {
  schedule?: { stop(): void };
  dynamoDb?: RunningDynamoDbLocal;
  ses?: Server;
  demo?: DemoTarget;
  offline?: ChildProcess;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  let options: LocalOptions;
  try {
    options = readLocalOptions(process.argv.slice(2), process.env, process.cwd());
    await assertLocalSecretsResolve(loadMonitorsConfig(options.monitorsFile), options.monitorsFile, options.secretsFile, process.env);
  } catch (error) {
    fail(error);
  }
  if (!hasJava()) fail(new JavaMissingError());
  const lambdaPort = await freePort();
  await assertPortsFree([
    ['API_PORT', options.apiPort],
    ['SES_PORT', options.sesPort],
    ['DYNAMODB_PORT', options.dynamoDbPort],
    ...(options.demo ? ([['DEMO_PORT', options.demoPort]] as const) : []),
  ]).catch(fail);

  if (options.fresh) rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });

  const stack: Stack = {};
  let starting: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  const stop = (code: number) => {
    // A stop during start-up waits for the step in flight (it may have spawned a process that
    // `stack` does not hold yet); start-up checks `stopping` after each step and goes no further.
    stopping ??= starting
      .catch(() => undefined)
      .then(() => stopStack(stack, options))
      .then(() => process.exit(code));
    return stopping;
  };
  // npm forwards SIGINT and SIGTERM to its child, `sh -c "<script>"`, and dash runs a lone command
  // as a child of its own rather than in its place: with `tsx start.ts` a SIGTERM to npm killed the
  // shell and left this process, Java and serverless-offline running. The script's `exec` makes
  // this process npm's child (no tsx process between either). A terminal's Ctrl-C reaches the whole
  // process group; SIGHUP comes when the terminal closes. Every further signal while stopping is
  // ignored: stopStack ends with SIGKILL after STOP_GRACE_MS.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  watchParent(() => {
    console.error('npm start: the process that started it has gone; stopping the stack.');
    void stop(0);
  });

  starting = (async () => {
    stack.dynamoDb = await startDynamoDbLocal({
      port: options.dynamoDbPort,
      dataDir: path.join(options.dataDir, 'dynamodb'),
      cacheDir: path.join(ROOT, 'node_modules', '.cache', 'uptime-monitor'),
    });
    if (stopping) return;
    await ensureTable(stack.dynamoDb.endpoint);
    if (stopping) return;
    stack.ses = await sesEmulator({ host: '127.0.0.1', port: options.sesPort });
    if (options.demo && !stopping) stack.demo = await startDemoTarget(options.demoPort);
    if (stopping) return;
    const { file: monitorsFile, config } = writeLocalMonitorsFile({
      monitorsFile: options.monitorsFile,
      outputDir: options.dataDir,
      intervalMs: options.intervalMs,
      ...(stack.demo ? { demoHealthUrl: stack.demo.healthUrl } : {}),
    });
    stack.offline = startOffline(options, lambdaPort, monitorsFile, stack.dynamoDb.endpoint);
    stack.offline.once('exit', (code) => {
      if (!stopping) {
        console.error(`serverless-offline stopped unexpectedly (exit code ${code}); stopping the stack.`);
        void stop(1);
      }
    });
    await waitForApi(options.apiPort, stack.offline, () => stopping !== undefined);
    if (stopping) return;
    stack.schedule = startLocalSchedule(options.intervalMs, lambdaPort);
    printBanner(options, config.monitors.map((m) => m.id), Date.now() - startedAt, stack.demo, config.monitors.some((m) => m.type === 'heartbeat'));
  })();
  try {
    await starting;
  } catch (error) {
    if (stopping) return;
    await stopStack(stack, options);
    fail(error);
  }
}

/**
 * Calls `onGone` once when the parent process exits (SIGKILL, a crash): the kernel then hands this
 * process to another parent, and `process.ppid` changes. Checked twice a second.
 */
function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, 500);
  timer.unref();
}

/** Creates the local table from serverless.yml's definition if it is not there yet. */
async function ensureTable(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new DescribeTableCommand({ TableName: TABLE_NAME }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(tableDefinition(TABLE_NAME)));
    const attribute = ttlAttribute();
    if (attribute) {
      await client.send(
        new UpdateTimeToLiveCommand({ TableName: TABLE_NAME, TimeToLiveSpecification: { Enabled: true, AttributeName: attribute } }),
      );
    }
  } finally {
    client.destroy();
  }
}

/**
 * serverless-esbuild's work folder for this stack, inside the project (it joins the name to the
 * service directory): `sls package` builds in .esbuild/ and deletes it when done, which took the
 * running handlers' build, and left the local monitors file for the next package to zip. One per
 * API port, since tests run stacks side by side; removed when the stack stops.
 */
function localWorkFolder(options: LocalOptions): string {
  return path.join(LOCAL_WORK_ROOT, String(options.apiPort));
}

function startOffline(options: LocalOptions, lambdaPort: number, monitorsFile: string, dynamoDbEndpoint: string): ChildProcess {
  const seconds = options.intervalMs / 1000;
  const child = spawn(
    process.execPath,
    [
      require.resolve('osls/bin/serverless.js'),
      'offline',
      'start',
      '--stage',
      STAGE,
      '--region',
      REGION,
      '--host',
      '127.0.0.1',
      '--httpPort',
      String(options.apiPort),
      '--lambdaPort',
      String(lambdaPort),
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        // NODE_EXTRA_CA_CERTS among them: serverless-offline runs the handlers in worker threads
        // with none of these variables but the AWS_ ones, yet the CA certificates Node read from it
        // at start are trusted process-wide, worker threads included (tried: a worker with an empty
        // environment reaches a server of that CA). So `NODE_EXTRA_CA_CERTS=ca.pem npm start`
        // probes https targets signed by a test CA.
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint,
        AWS_ENDPOINT_URL_SES: `http://127.0.0.1:${options.sesPort}`,
        // Fan-out: above PROBE_SHARD_SIZE monitors the probe hands shards to itself through serverless-offline's Lambda API.
        AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${lambdaPort}`,
        MONITORS_FILE: monitorsFile,
        // The local probe reads ssm and secretsManager references from this file, not from AWS
        // (deploy/secret-settings.ts puts it in the probe's environment).
        UPTIME_LOCAL_SECRETS_FILE: options.secretsFile,
        UPTIME_LOCAL_PROBE_PERIOD: `${seconds}s`,
        UPTIME_LOCAL_API_URL: `http://127.0.0.1:${options.apiPort}`,
        UPTIME_LOCAL_DYNAMODB_ENDPOINT: dynamoDbEndpoint,
        UPTIME_LOCAL_WORK_FOLDER: localWorkFolder(options),
        UPTIME_LOCAL_STREAM_CHECKPOINT: path.join(options.dataDir, 'stream-checkpoint.json'),
      },
    },
  );
  const pretty = process.stdout.isTTY === true;
  const relay = (stream: NodeJS.ReadableStream | null) => {
    if (!stream) return;
    createInterface({ input: stream }).on('line', (line) => {
      const log = parseLogLine(line);
      if (log) {
        if (isShown(log)) console.log(pretty ? formatLogLine(log) : JSON.stringify(log));
        else if (options.verbose) console.log(line);
      } else if (options.verbose || isOfflineError(line)) {
        console.log(line);
      }
    });
  };
  relay(child.stdout);
  relay(child.stderr);
  return child;
}

/**
 * Plays EventBridge for the local stage: at every multiple of the interval it invokes the probe
 * function through serverless-offline's Lambda API, asynchronously as a scheduled rule does, with
 * a scheduled event whose time is that tick. (EventBridge cannot schedule below a minute; locally
 * the interval is seconds.)
 */
function startLocalSchedule(intervalMs: number, lambdaPort: number): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const invoke = async (tick: Date) => {
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: tick.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: REGION,
      resources: [`arn:aws:events:${REGION}:000000000000:rule/${SERVICE}-${STAGE}-probe-schedule`],
      detail: {},
    };
    try {
      const response = await fetch(`http://127.0.0.1:${lambdaPort}/2015-03-31/functions/${SERVICE}-${STAGE}-probe/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(5000),
      });
      if (response.status !== 202) console.error(`npm start: the probe invocation answered ${response.status}: ${await response.text()}`);
    } catch (error) {
      console.error(`npm start: could not invoke the probe: ${String(error)}`);
    }
  };
  const scheduleNext = () => {
    const next = Math.ceil((Date.now() + 1) / intervalMs) * intervalMs;
    timer = setTimeout(() => {
      scheduleNext();
      void invoke(new Date(next));
    }, next - Date.now());
  };
  scheduleNext();
  return { stop: () => clearTimeout(timer) };
}

/** serverless-offline's own lines that report a failure (a handler that threw, a build error). */
function isOfflineError(line: string): boolean {
  return /\b(error|exception|failed)\b|✖/i.test(line) && !line.includes('NodeVersionSupportWarning');
}

async function waitForApi(port: number, offline: ChildProcess, isStopping: () => boolean): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (isStopping()) return;
    if (offline.exitCode !== null) throw new UserFacingError('serverless-offline exited during start-up; run `npm start -- --verbose` to see why');
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new UserFacingError(`the API did not answer on port ${port} within 90 s; run \`npm start -- --verbose\` to see why`);
}

async function assertPortsFree(ports: ReadonlyArray<readonly [string, number]>): Promise<void> {
  for (const [name, port] of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) {
      throw new UserFacingError(
        `port ${port} (${name}) is already in use: is another \`npm start\` running? Stop it, or set ${name} to a free port.`,
      );
    }
  }
}

async function stopStack(stack: Stack, options: LocalOptions): Promise<void> {
  stack.schedule?.stop();
  const { offline } = stack;
  const stopOffline = async () => {
    if (!offline || offline.exitCode !== null || offline.pid === undefined) return;
    const exited = new Promise<void>((resolve) => offline.once('exit', () => resolve()));
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-offline.pid!, signal);
      } catch {
        // already gone
      }
    };
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  await Promise.allSettled([
    stopOffline(),
    stack.dynamoDb ? stopProcess(stack.dynamoDb.process, STOP_GRACE_MS) : Promise.resolve(),
    stack.demo?.close() ?? Promise.resolve(),
    stack.ses
      ? new Promise<void>((resolve) => {
          stack.ses!.closeAllConnections();
          stack.ses!.close(() => resolve());
        })
      : Promise.resolve(),
  ]);
  rmSync(path.join(ROOT, localWorkFolder(options)), { recursive: true, force: true });
}

function printBanner(options: LocalOptions, monitorIds: string[], startupMs: number, demo?: DemoTarget, heartbeats = false): void {
  const api = `http://127.0.0.1:${options.apiPort}`;
  const lines = [
    '',
    `uptime-monitor is running locally (started in ${formatDuration(startupMs)}; checks every ${formatDuration(options.intervalMs)})`,
    '',
    `  API           ${api}`,
    `                ${api}/health`,
    `                ${api}/monitors`,
    `                ${api}/monitors/{id}`,
    `                ${api}/monitors/{id}/uptime?window=1h`,
    `                ${api}/monitors/{id}/incidents`,
    ...(heartbeats ? [`  Pings         curl ${api}/ping/TOKEN   (a failed job: ${api}/ping/TOKEN/fail)`] : []),
    `  Emails (SES)  http://127.0.0.1:${options.sesPort}  (JSON: http://127.0.0.1:${options.sesPort}/store)`,
    `  DynamoDB      http://127.0.0.1:${options.dynamoDbPort}  (table ${TABLE_NAME}, data in ${options.dataDir})`,
    ...(demo
      ? [
          `  Demo target   ${demo.healthUrl}`,
          `                flip it: curl -X POST ${demo.url}/toggle   (ok -> down -> error -> ok)`,
        ]
      : []),
    `  Monitors      ${monitorIds.join(', ')}`,
    '',
    'Failed checks, outages, recoveries and emails appear below. Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

function fail(error: unknown): never {
  const message = error instanceof ConfigError || error instanceof UserFacingError || error instanceof JavaMissingError
    ? error.message
    : error instanceof Error
      ? (error.stack ?? error.message)
      : String(error);
  console.error(`npm start: ${message}`);
  process.exit(1);
}

void main();
