import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { probeRun, type ProbeDeps } from '../../lib/app/probe-run';
import { EmfMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import type { DynamoDbRunRollupStore } from '../../lib/adapters/dynamodb-run-rollup-store';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import type { ProbeRunReport } from '../../lib/app/scheduled-run';
import { DEFAULT_PROBE_TIMING } from '../../lib/app/probe-cycle';
import { rollUpDay, rollUpHour } from '../../lib/app/run-history';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { SHARD_EVENT_SOURCE, type ShardDispatcher, type ShardRequest } from '../../lib/domain/shards';
import type { Confirmer } from '../../lib/domain/ports';
import type { MonitorsConfig, Transition } from '../../lib/domain/types';
import { fetchAll, type BaselineResult } from './baseline';
import type { DynamoDbMeter, MeterReading } from './dynamodb-meter';
import { countingLogger, type LogCounter } from './log-counter';
import { startBenchTargets, type BenchTargets } from './targets';
import { DAY_MS, MINUTE_MS, HOUR_MS } from '../../lib/domain/time';

/**
 * The bench's ticks: synthetic minutes from here on, so each run is a new scheduled minute. Past
 * minute 9 of the hour, so no measured run includes the previous hour's rollup (minutes 5 to 9),
 * which the bench measures on its own.
 */
const FIRST_TICK_MS = Date.parse('2026-01-01T10:20:00.000Z');

export interface ProbeScenarioOptions {
  monitors: number;
  latencyMs: number;
  failingFraction: number;
  concurrency: number;
  client: DynamoDBClient;
  meter: DynamoDbMeter;
  tableName: string;
  timeoutMs: number;
  /** The most monitors one invocation probes (PROBE_SHARD_SIZE). */
  maxPerShard: number;
  /** How many shard invocations run at once on this machine. */
  workers: number;
  /**
   * monitors.yml `confirm` (a YAML flow mapping such as `{ regions: [eu-west-1], quorum: 2 }`) and
   * the confirmer that asks its regions: the runs use it once `useConfirm(true)` is called.
   */
  confirm?: { yaml: string; confirmer: Confirmer; homeRegion: string };
}

export interface TickResult {
  tick: string;
  /** Wall time of the scheduled invocation's handler, ms. */
  durationMs: number;
  /** CPU time this process spent on the run (the targets run in a process of their own), ms. */
  cpuMs: number;
  /** Wall time of every invocation of the run: the scheduled one, then each shard's, ms. */
  invocationsMs: number[];
  /** Checks and transitions of all the run's invocations. */
  checks: number;
  transitions: Transition[];
  /** The report of each invocation: the scheduled one first. */
  reports: ProbeRunReport[];
  dynamoDb: MeterReading;
  logs: { lines: number; bytes: number };
  /** Embedded-metric-format records written (CloudWatch turns them into metrics; no API request). */
  metricRecords: number;
}

/**
 * Plays Lambda's asynchronous invocations for the shards a scheduled run hands on: each runs the
 * probe handler logic in this process, at most `workers` at once, and is timed on its own.
 */
class InProcessShardDispatcher implements ShardDispatcher {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private pending: Promise<void>[] = [];
  private finished: { durationMs: number; report: ProbeRunReport }[] = [];
  deps!: ProbeDeps;

  constructor(private readonly workers: number) {}

  async dispatch(request: ShardRequest): Promise<void> {
    this.pending.push(this.run(request));
  }

  private async run(request: ShardRequest): Promise<void> {
    if (this.running >= this.workers) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running += 1;
    try {
      const started = performance.now();
      const report = await probeRun({ source: SHARD_EVENT_SOURCE, tick: request.tick, shard: request.shard }, this.deps);
      this.finished.push({ durationMs: performance.now() - started, report });
    } finally {
      this.running -= 1;
      this.queue.shift()?.();
    }
  }

  /** Waits for every shard handed on so far; their durations (ms) and reports. */
  async settle(): Promise<{ durationMs: number; report: ProbeRunReport }[]> {
    await Promise.all(this.pending);
    this.pending = [];
    return this.finished.splice(0);
  }
}

/**
 * The probe as deployed, on this machine: N bench targets on 127.0.0.1, the real probe handler
 * logic (lib/app/probe-run.ts probeRun) with the real HTTP prober, DynamoDB store (on DynamoDB
 * Local, metered) and CloudWatch sink (counted, sending nothing), one synthetic minute per run.
 */
export class ProbeScenario {
  private tickIndex = 0;
  private constructor(
    private readonly options: ProbeScenarioOptions,
    readonly targets: BenchTargets,
    readonly config: MonitorsConfig,
    private readonly deps: ProbeDeps,
    private readonly logs: LogCounter,
    private readonly metrics: { records: number; names: Set<string> },
    private readonly dispatcher: InProcessShardDispatcher,
    private readonly rollups: DynamoDbRunRollupStore,
    private readonly confirmConfig?: MonitorsConfig,
  ) {}

  static async start(options: ProbeScenarioOptions): Promise<ProbeScenario> {
    const targets = await startBenchTargets({ count: options.monitors, latencyMs: options.latencyMs, failingFraction: options.failingFraction });
    const lines = targets.urls.map((url, index) => `  - { id: bench-${String(index).padStart(5, '0')}, url: '${url}' }`);
    const configText = (confirm: string) =>
      `notify: { from: monitor@example.com, to: [oncall@example.com] }\n${confirm}defaults: { timeout: ${options.timeoutMs}ms }\nmonitors:\n${lines.join('\n')}\n`;
    const config = parseMonitorsConfig(configText(''), 'bench-monitors.yml');
    const confirmConfig = options.confirm ? parseMonitorsConfig(configText(`confirm: ${options.confirm.yaml}\n`), 'bench-monitors.yml') : undefined;
    const logs = countingLogger();
    const metrics = { records: 0, names: new Set<string>() };
    const emfLine = (line: string) => {
      logs.raw(line);
      metrics.records += 1;
      const record = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } };
      for (const directive of record._aws.CloudWatchMetrics) for (const metric of directive.Metrics) metrics.names.add(metric.Name);
    };
    const dispatcher = new InProcessShardDispatcher(options.workers);
    const { rollups, ...stores } = createDynamoDbStores({ client: options.client, tableName: options.tableName });
    const deps: ProbeDeps = {
      config,
      stores,
      rollups,
      // As deployed (functions/probe.ts): each run reads the ad-hoc maintenance windows, one Query.
      maintenance: stores.maintenance,
      prober: new HttpProber(),
      metrics: new EmfMetricsSink({ namespace: 'UptimeMonitor', stack: 'uptime-monitor-bench', write: emfLine }),
      logger: logs,
      now: () => new Date(),
      concurrency: options.concurrency,
      periodMs: MINUTE_MS,
      // DynamoDB Local stores far slower than DynamoDB: give storing a run's states (10,000 of
      // them while establishing) the time it takes here. Without a deadline nothing else changes.
      timing: { ...DEFAULT_PROBE_TIMING, applyReserveMs: 120_000 },
      maxPerShard: options.maxPerShard,
      dispatcher,
      ...(options.confirm ? { confirmer: options.confirm.confirmer, homeRegion: options.confirm.homeRegion } : {}),
    };
    dispatcher.deps = deps;
    return new ProbeScenario(options, targets, config, deps, logs, metrics, dispatcher, rollups, confirmConfig);
  }

  /** Runs from now on with monitors.yml `confirm` (true) or without it (false, the start); needs the `confirm` option. */
  useConfirm(on: boolean): void {
    if (on && !this.confirmConfig) throw new Error('the scenario was started without the confirm option');
    this.deps.config = on ? (this.confirmConfig as MonitorsConfig) : this.config;
  }

  /** The tick the next run will have. */
  get nextTick(): string {
    return new Date(FIRST_TICK_MS + this.tickIndex * MINUTE_MS).toISOString();
  }

  /** One scheduled run of the next minute, metered on its own. */
  async runTick(): Promise<TickResult> {
    const tick = this.nextTick;
    this.tickIndex += 1;
    this.options.meter.take();
    this.logs.take();
    const recordsBefore = this.metrics.records;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const scheduled = await probeRun({ time: tick }, this.deps);
    const durationMs = performance.now() - started;
    const shards = await this.dispatcher.settle();
    const cpu = process.cpuUsage(cpuBefore);
    const reports = [scheduled, ...shards.map((shard) => shard.report)];
    return {
      tick,
      durationMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      invocationsMs: [durationMs, ...shards.map((shard) => shard.durationMs)],
      checks: reports.reduce((sum, report) => sum + report.checks, 0),
      transitions: reports.flatMap((report) => report.transitions),
      reports,
      dynamoDb: this.options.meter.take(),
      logs: this.logs.take(),
      metricRecords: this.metrics.records - recordsBefore,
    };
  }

  /** The bare HTTP requests of one run: the same URLs, concurrency and timeout. */
  baseline(): Promise<BaselineResult> {
    return fetchAll(this.targets.urls, this.options.concurrency, this.options.timeoutMs);
  }

  /**
   * Rolls up the hour of the runs so far, as the probe does a few minutes into the next hour;
   * metered. The first rollup stores the buckets' rosters, as the first after a deploy does: the
   * one measured is the second, as every later hour is.
   */
  /**
   * Rolls up the hour of the runs so far, measured the second time (the roster is stored the
   * first), then the day from that hour: a day's rollup reads 24 hours' items, so its reads here
   * are a twenty-fourth of a real day's, and it writes as many items as an hour's.
   */
  async rollUp(): Promise<{ dynamoDb: MeterReading; summaries: number; durationMs: number; day: MeterReading; dayDurationMs: number }> {
    const hour = new Date(Math.floor(FIRST_TICK_MS / HOUR_MS) * HOUR_MS).toISOString();
    await rollUpHour(hour, { runs: this.deps.stores.runs, rollups: this.rollups });
    this.options.meter.take();
    const started = performance.now();
    await rollUpHour(hour, { runs: this.deps.stores.runs, rollups: this.rollups });
    const durationMs = performance.now() - started;
    const dynamoDb = this.options.meter.take();
    const dayStarted = performance.now();
    await rollUpDay(new Date(Math.floor(FIRST_TICK_MS / DAY_MS) * DAY_MS).toISOString(), { rollups: this.rollups });
    const dayDurationMs = performance.now() - dayStarted;
    return { dynamoDb, summaries: Math.min(this.tickIndex, 60), durationMs, day: this.options.meter.take(), dayDurationMs };
  }

  get customMetrics(): number {
    return this.metrics.names.size;
  }

  close(): Promise<void> {
    return this.targets.close();
  }
}
