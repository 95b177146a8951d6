/**
 * How long the scheduled invocation takes to hand its shards out, at 100,000 monitors (100 shards
 * of 1,000): the real probe run (lib/app/probe-run.ts probeRun: resolving the targets, planning the
 * shards, 99 asynchronous Invokes through the real LambdaShardDispatcher and a LambdaClient built as
 * functions/probe.ts builds it) against a stand-in for Lambda's Invoke API on 127.0.0.1, which
 * answers 202 after a set latency. There is no AWS here: the latency of an Invoke is an assumption
 * the caller states, and the stand-in only counts and delays.
 *
 * The run is stopped where its own shard would start reading states, so nothing else is measured:
 * every store is left untouched. The same stop times what each shard invocation repeats over the
 * whole configuration before its own checks (resolving every target, planning every shard, sorting
 * every id), which grows with the number of monitors, not with the shard.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { LambdaShardDispatcher } from '../../lib/adapters/lambda-shard-dispatcher';
import { probeRun, type ProbeDeps } from '../../lib/app/probe-run';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { Prober } from '../../lib/domain/ports';
import { SHARD_EVENT_SOURCE, type ShardDispatcher } from '../../lib/domain/shards';
import { MINUTE_MS } from '../../lib/domain/time';
import type { MonitorsConfig } from '../../lib/domain/types';
import { countingLogger } from './log-counter';

/** Lambda's Invoke API on 127.0.0.1, as an asynchronous invoke uses it: 202 after `latencyMs`, counting requests and how many were in flight at once. */
interface InvokeStandIn {
  endpoint: string;
  requests: number;
  peakInFlight: number;
  reset(): void;
  close(): Promise<void>;
}

async function startInvokeStandIn(latencyMs: number): Promise<InvokeStandIn> {
  const counts = { requests: 0, inFlight: 0, peakInFlight: 0 };
  const server: Server = createServer((request, response) => {
    counts.requests += 1;
    counts.inFlight += 1;
    counts.peakInFlight = Math.max(counts.peakInFlight, counts.inFlight);
    request.resume();
    request.on('end', () => {
      setTimeout(() => {
        counts.inFlight -= 1;
        response.writeHead(202, { 'content-type': 'application/json', 'x-amzn-requestid': `standin-${counts.requests}` }).end('');
      }, latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return counts.requests;
    },
    get peakInFlight() {
      return counts.peakInFlight;
    },
    reset: () => {
      counts.requests = 0;
      counts.peakInFlight = 0;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Thrown by the stores when the run reaches its own shard's first read: the hand-out is over. */
class OwnShardReachedError extends Error {
  override readonly name = 'OwnShardReachedError';
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const cpuMsSince = (before: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};

/** `count` plain HTTP monitors with ids `bench-000000` on, as a monitors.yml would list them. */
export function manyMonitorsConfig(count: number): MonitorsConfig {
  const lines = Array.from({ length: count }, (_, index) => `  - { id: bench-${String(index).padStart(6, '0')}, url: 'http://203.0.113.${index % 250}/health/${index}' }`);
  return parseMonitorsConfig(`notify: { from: monitor@example.com, to: [oncall@example.com] }\nmonitors:\n${lines.join('\n')}\n`, 'bench-dispatch.yml');
}

/** How long parsing and validating that many monitors takes: what every invocation does once, on its first event (functions/probe.ts createDeps). */
export function timeConfigParse(count: number): { config: MonitorsConfig; wallMs: number; cpuMs: number } {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const config = manyMonitorsConfig(count);
  return { config, wallMs: performance.now() - started, cpuMs: cpuMsSince(cpuBefore) };
}

/**
 * The Invoke latency the bench assumes: an asynchronous Invoke returns once Lambda has queued the
 * event, tens of milliseconds inside a region. An assumption, not a measurement (there is no AWS
 * here); `measureDispatch` reports the time at 0 ms too, so the part that is this machine's own
 * work shows apart.
 */
export const ASSUMED_INVOKE_LATENCY_MS = 20;

export interface DispatchOptions {
  monitors: number;
  /** probeShardSize. */
  shardSize: number;
  /** How long the stand-in takes to answer an Invoke (an assumption: there is no AWS here). */
  invokeLatencyMs: number;
  /** Scheduled runs measured (after one that warms the connections, as a warm container has them). */
  repeat: number;
  /** The LambdaClient's most sockets at once; unset, the SDK's default (50), as functions/probe.ts has it. */
  maxSockets?: number;
}

export interface DispatchMeasurement {
  monitors: number;
  shards: number;
  /** Invokes the stand-in received per scheduled run. */
  dispatched: number;
  invokeLatencyMs: number;
  /** Most Invokes in flight at once (the client's socket limit, when it binds). */
  peakInFlight: number;
  /** Per scheduled run: from its start to the last shard's Invoke answered, ms. */
  handOutMs: number[];
  /** Per scheduled run: from its start to its own shard's first read, ms (hand-out plus its own shard's planning). */
  ownShardStartMs: number[];
  /** Per shard invocation: from its start to its first read, ms: the work it repeats over every monitor. */
  shardPreambleMs: number[];
  /** CPU of the scheduled run up to its own shard's first read, ms (median). */
  handOutCpuMs: number;
  /** CPU of a shard invocation up to its first read, ms (median). */
  shardPreambleCpuMs: number;
}

/** Nothing is checked: the run stops before its own shard's first read. */
const idleProber: Prober = {
  probe: () => Promise.reject(new Error('the dispatch bench checks nothing')),
};

/**
 * Times the scheduled invocation's hand-out and a shard invocation's preamble, `repeat` times each
 * after one warm-up run. `config` may be given to share one parsed configuration between calls.
 */
export async function measureDispatch(options: DispatchOptions, config: MonitorsConfig = manyMonitorsConfig(options.monitors)): Promise<DispatchMeasurement> {
  const lambda = await startInvokeStandIn(options.invokeLatencyMs);
  const client = new LambdaClient({
    endpoint: lambda.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    ...(options.maxSockets === undefined ? {} : { requestHandler: { httpAgent: { maxSockets: options.maxSockets } } }),
  });
  // Never contacted: the run stops before its first read.
  const dynamoDb = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const real = new LambdaShardDispatcher({ client, functionName: 'uptime-monitor-bench-probe' });
  const timing = { lastAnsweredMs: 0 };
  const dispatcher: ShardDispatcher = {
    dispatch: async (request) => {
      await real.dispatch(request);
      timing.lastAnsweredMs = Math.max(timing.lastAnsweredMs, performance.now());
    },
  };
  const { rollups, ...stores } = createDynamoDbStores({ client: dynamoDb, tableName: 'bench-dispatch' });
  const deps: ProbeDeps = {
    config,
    stores: {
      ...stores,
      scoped: () => {
        throw new OwnShardReachedError('own shard reached');
      },
    },
    rollups,
    prober: idleProber,
    metrics: new DisabledMetricsSink(),
    logger: countingLogger(),
    now: () => new Date(),
    concurrency: 64,
    periodMs: MINUTE_MS,
    maxPerShard: options.shardSize,
    dispatcher,
  };
  /** Runs one invocation up to its first read: its duration and CPU, ms. */
  const runUntilFirstRead = async (event: Parameters<typeof probeRun>[0]) => {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    timing.lastAnsweredMs = started;
    try {
      await probeRun(event, deps);
      throw new Error('the probe run finished without reading a state');
    } catch (error) {
      if (!(error instanceof OwnShardReachedError)) throw error;
    }
    return { started, durationMs: performance.now() - started, cpuMs: cpuMsSince(cpuBefore) };
  };

  try {
    const handOutMs: number[] = [];
    const ownShardStartMs: number[] = [];
    const handOutCpu: number[] = [];
    let dispatched = 0;
    let peakInFlight = 0;
    for (let run = 0; run <= options.repeat; run += 1) {
      lambda.reset();
      const tick = new Date(Date.parse('2026-01-01T10:20:00.000Z') + run * MINUTE_MS).toISOString();
      const measured = await runUntilFirstRead({ time: tick });
      if (run === 0) continue; // warm-up: the connections are opened, as in a warm container
      handOutMs.push(timing.lastAnsweredMs - measured.started);
      ownShardStartMs.push(measured.durationMs);
      handOutCpu.push(measured.cpuMs);
      dispatched = lambda.requests;
      peakInFlight = Math.max(peakInFlight, lambda.peakInFlight);
    }
    const shards = dispatched + 1;
    const shardPreamble: { durationMs: number; cpuMs: number }[] = [];
    for (let run = 0; run <= options.repeat; run += 1) {
      const measured = await runUntilFirstRead({ source: SHARD_EVENT_SOURCE, tick: '2026-01-01T10:20:00.000Z', shard: { index: shards - 1, count: shards } });
      if (run > 0) shardPreamble.push(measured);
    }
    return {
      monitors: options.monitors,
      shards,
      dispatched,
      invokeLatencyMs: options.invokeLatencyMs,
      peakInFlight,
      handOutMs,
      ownShardStartMs,
      shardPreambleMs: shardPreamble.map((entry) => entry.durationMs),
      handOutCpuMs: median(handOutCpu),
      shardPreambleCpuMs: median(shardPreamble.map((entry) => entry.cpuMs)),
    };
  } finally {
    client.destroy();
    dynamoDb.destroy();
    await lambda.close();
  }
}

export interface DispatchBenchOptions {
  /** The size modelled (100,000). */
  monitors: number;
  /** The size the bench ran for real, whose per-invocation work the model scales (10,000). */
  measuredMonitors: number;
  shardSize: number;
  repeat: number;
  /** Lambda's share of a vCPU at the function's memory, and that memory: to turn CPU here into billed time there. */
  vcpuShare: number;
  memoryMb: number;
  print(line: string): void;
}

/**
 * The bench's dispatch figures at `monitors`, printed: the scheduled run's hand-out at the assumed
 * Invoke latency and at none, a shard invocation's preamble at both sizes, and parsing the
 * configuration. Returns the compute a run at `monitors` needs beyond `measuredMonitors` scaled
 * linearly, GB-s: the preamble work that grows with the configuration in every invocation.
 */
export async function benchDispatch(options: DispatchBenchOptions): Promise<{ extraRunGbSeconds: number }> {
  const { print, vcpuShare } = options;
  const ms = (value: number) => `${Math.round(value)} ms`;
  const list = (values: number[]) => values.map(ms).join(', ');
  const parsed = timeConfigParse(options.monitors);
  const run = (config: MonitorsConfig, monitors: number, invokeLatencyMs: number) =>
    measureDispatch({ monitors, shardSize: options.shardSize, invokeLatencyMs, repeat: options.repeat }, config);
  const assumed = await run(parsed.config, options.monitors, ASSUMED_INVOKE_LATENCY_MS);
  const instant = await run(parsed.config, options.monitors, 0);
  const smaller = await run(manyMonitorsConfig(options.measuredMonitors), options.measuredMonitors, ASSUMED_INVOKE_LATENCY_MS);
  const label = `dispatch N=${options.monitors}`;
  const waves = Math.ceil(assumed.dispatched / Math.max(1, assumed.peakInFlight));
  print(
    `${label}: ${assumed.shards} shards, ${assumed.dispatched} async Invokes to a stand-in on 127.0.0.1 answering 202 in ${ASSUMED_INVOKE_LATENCY_MS} ms (assumed), ` +
      `at most ${assumed.peakInFlight} in flight (the SDK's sockets: ${waves} waves): last Invoke answered ${ms(median(assumed.handOutMs))} into the run ` +
      `(median of ${options.repeat}: ${list(assumed.handOutMs)}), own shard starts at ${ms(median(assumed.ownShardStartMs))}; ` +
      `with the stand-in answering at once ${ms(median(instant.handOutMs))} (${list(instant.handOutMs)}): this machine's work`,
  );
  print(
    `${label}: the scheduled run's CPU to its own shard ${ms(assumed.handOutCpuMs)} (resolving ${options.monitors} targets, planning, 99 signed requests), ` +
      `about ${ms(assumed.handOutCpuMs / vcpuShare)} at Lambda's CPU share; at N=${options.measuredMonitors} ${ms(smaller.handOutCpuMs)}`,
  );
  print(
    `${label}: each shard invocation's preamble over the whole configuration ${ms(median(assumed.shardPreambleMs))}, CPU ${ms(assumed.shardPreambleCpuMs)} ` +
      `(about ${ms(assumed.shardPreambleCpuMs / vcpuShare)} at Lambda's CPU share); at N=${options.measuredMonitors} CPU ${ms(smaller.shardPreambleCpuMs)}`,
  );
  print(
    `${label}: parsing monitors.yml of ${options.monitors} monitors took ${ms(parsed.wallMs)} (CPU ${ms(parsed.cpuMs)}), about ${ms(parsed.cpuMs / vcpuShare)} ` +
      `at Lambda's CPU share: once per container, on its first event`,
  );
  // What the linear scaling of the measured run leaves out: the preamble's growth, in the scheduled invocation and every shard.
  const extraCpuMs =
    Math.max(0, assumed.handOutCpuMs - smaller.handOutCpuMs) + (assumed.shards - 1) * Math.max(0, assumed.shardPreambleCpuMs - smaller.shardPreambleCpuMs);
  const extraRunGbSeconds = (extraCpuMs / vcpuShare / 1000) * (options.memoryMb / 1024);
  print(`${label}: extra compute beyond scaling N=${options.measuredMonitors} linearly: ${ms(extraCpuMs)} CPU per run, ${extraRunGbSeconds.toFixed(2)} GB-s per run at Lambda's CPU share`);
  return { extraRunGbSeconds };
}
