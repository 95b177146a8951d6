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
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { loadMonitorsConfig } from '../../lib/config/monitors';
import { formatDuration } from '../../lib/domain/duration';
import { ConfigError } from '../../lib/domain/errors';
import { startDemoTarget, type DemoTarget } from './demo-target';
import { JavaMissingError, hasJava, startDynamoDbLocal, stopProcess, type RunningDynamoDbLocal } from './dynamodb-local';
import { freePort } from './free-port';
import {
  ConfirmerStartError,
  HOME_SOURCE_ADDRESS,
  confirmEndpoints,
  localConfirmerRegions,
  startLocalConfirmers,
  waitForConfirmers,
  type LocalConfirmer,
} from './local-confirmers';
import { readLocalOptions, type LocalOptions } from './local-environment';
import { writeLocalMonitorsFile } from './local-monitors';
import { assertLocalSecretsResolve } from './local-secrets';
import { LOCAL_CREDENTIALS, spawnOffline, stopOffline } from './offline';
import { tableDefinition, ttlAttribute } from './table-definition';

const ROOT = path.join(__dirname, '..', '..');
const SERVICE = 'uptime-monitor';
const STAGE = 'local';
const TABLE_NAME = `${SERVICE}-${STAGE}`;
const REGION = 'us-east-1';
const STOP_GRACE_MS = 4000;
/** How long the API and the confirmers may take to come up (each builds its handlers first). */
const START_TIMEOUT_MS = 90_000;
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
  confirmers?: LocalConfirmer[];
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  let options: LocalOptions;
  let confirmerRegions: string[];
  try {
    options = readLocalOptions(process.argv.slice(2), process.env, process.cwd());
    const userConfig = loadMonitorsConfig(options.monitorsFile);
    await assertLocalSecretsResolve(userConfig, options.monitorsFile, options.secretsFile, process.env);
    confirmerRegions = localConfirmerRegions(userConfig.confirm, options.confirmers, options.monitorsFile);
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
    // First: they need nothing else, and building their handlers overlaps DynamoDB Local's start.
    stack.confirmers = await startLocalConfirmers(confirmerRegions, {
      root: ROOT,
      stage: STAGE,
      workRoot: localWorkFolder(options),
      verbose: options.verbose,
    });
    for (const confirmer of stack.confirmers) {
      stopWhenExited(confirmer.process, `the confirmer of ${confirmer.region} (serverless-offline)`, () => stopping !== undefined, stop);
    }
    if (stopping) return;
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
    stack.offline = startOffline(options, lambdaPort, monitorsFile, stack.dynamoDb.endpoint, stack.confirmers);
    stopWhenExited(stack.offline, 'serverless-offline', () => stopping !== undefined, stop);
    await Promise.all([
      waitForApi(options.apiPort, stack.offline, () => stopping !== undefined),
      waitForConfirmers(stack.confirmers, START_TIMEOUT_MS, () => stopping !== undefined),
    ]);
    if (stopping) return;
    stack.schedule = startLocalSchedule(options.intervalMs, lambdaPort);
    printBanner(options, config.monitors.map((m) => m.id), Date.now() - startedAt, {
      ...(stack.demo ? { demo: stack.demo } : {}),
      heartbeats: config.monitors.some((m) => m.type === 'heartbeat'),
      confirmers: stack.confirmers,
    });
  })();
  try {
    await starting;
  } catch (error) {
    if (stopping) return;
    await stopStack(stack, options);
    fail(error);
  }
}

/** Reports a process of the stack that exits on its own (not stopped by the stack) and stops the whole stack, as a failure. */
function stopWhenExited(child: ChildProcess, what: string, isStopping: () => boolean, stop: (code: number) => Promise<void>): void {
  child.once('exit', (code, signal) => {
    if (isStopping()) return;
    console.error(`${what} stopped unexpectedly (${code === null ? `signal ${String(signal)}` : `exit code ${code}`}); stopping the stack.`);
    void stop(1);
  });
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

/**
 * The home stack under serverless-offline: every function of serverless.yml, reaching DynamoDB
 * Local, the SES emulator and its own Lambda API, probing from HOME_SOURCE_ADDRESS, and asking the
 * local confirmers (if any) through their Lambda APIs.
 */
function startOffline(
  options: LocalOptions,
  lambdaPort: number,
  monitorsFile: string,
  dynamoDbEndpoint: string,
  confirmers: readonly LocalConfirmer[],
): ChildProcess {
  const seconds = options.intervalMs / 1000;
  return spawnOffline({
    root: ROOT,
    stage: STAGE,
    region: REGION,
    httpPort: options.apiPort,
    lambdaPort,
    verbose: options.verbose,
    // NODE_EXTRA_CA_CERTS passes through with the rest of the environment: serverless-offline runs
    // the handlers in worker threads with none of these variables but the AWS_ ones, yet the CA
    // certificates Node read from it at start are trusted process-wide, worker threads included
    // (tried: a worker with an empty environment reaches a server of that CA). So
    // `NODE_EXTRA_CA_CERTS=ca.pem npm start` probes https targets signed by a test CA.
    env: {
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
      UPTIME_LOCAL_SOURCE_ADDRESS: HOME_SOURCE_ADDRESS,
      UPTIME_LOCAL_CONFIRM_ENDPOINTS: confirmers.length === 0 ? '' : confirmEndpoints(confirmers),
    },
  });
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

async function waitForApi(port: number, offline: ChildProcess, isStopping: () => boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
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
  throw new UserFacingError(`the API did not answer on port ${port} within ${START_TIMEOUT_MS / 1000} s; run \`npm start -- --verbose\` to see why`);
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
  await Promise.allSettled([
    stopOffline(stack.offline, STOP_GRACE_MS),
    ...(stack.confirmers ?? []).map((confirmer) => stopOffline(confirmer.process, STOP_GRACE_MS)),
    stack.dynamoDb ? stopProcess(stack.dynamoDb.process, STOP_GRACE_MS) : Promise.resolve(),
    stack.demo?.close() ?? Promise.resolve(),
    stack.ses
      ? new Promise<void>((resolve) => {
          stack.ses!.closeAllConnections();
          stack.ses!.close(() => resolve());
        })
      : Promise.resolve(),
  ]);
  for (const folder of [localWorkFolder(options), ...(stack.confirmers ?? []).map((confirmer) => confirmer.workFolder)]) {
    rmSync(path.join(ROOT, folder), { recursive: true, force: true });
  }
}

interface BannerExtras {
  demo?: DemoTarget;
  /** Whether any monitor is a heartbeat (the banner then says how to ping). */
  heartbeats: boolean;
  confirmers: readonly LocalConfirmer[];
}

function printBanner(options: LocalOptions, monitorIds: string[], startupMs: number, { demo, heartbeats, confirmers }: BannerExtras): void {
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
    ...confirmerLines(confirmers),
    '',
    'Failed checks, outages, recoveries and emails appear below. Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

/** The banner's lines for the local confirmers: each region, its source address and its Lambda API. */
function confirmerLines(confirmers: readonly LocalConfirmer[]): string[] {
  if (confirmers.length === 0) return [];
  return [
    `  Confirmers    home (${REGION}) probes from ${HOME_SOURCE_ADDRESS}`,
    ...confirmers.map((confirmer) => `                ${confirmer.region} probes from ${confirmer.sourceAddress}  (Lambda API ${confirmer.endpoint})`),
  ];
}

function fail(error: unknown): never {
  const message =
    error instanceof ConfigError || error instanceof UserFacingError || error instanceof JavaMissingError || error instanceof ConfirmerStartError
    ? error.message
    : error instanceof Error
      ? (error.stack ?? error.message)
      : String(error);
  console.error(`npm start: ${message}`);
  process.exit(1);
}

void main();
