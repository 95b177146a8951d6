/**
 * `npm run bench`: how fast and how cheap the monitor is, measured on this machine in one run.
 *
 *   npm run bench [-- --monitors 1000 --large 10000 --latency 100 --failing 0.01 --interval 5 ...]
 *
 * Starts its own in-memory DynamoDB Local and N targets on 127.0.0.1 (nothing else is contacted),
 * runs the real probe against them, counts what every run consumes, prices it with the list prices
 * of tools/bench/cost.ts, times detection in `npm start`, and the module initialisation of each
 * bundled function. Prints one line per figure and ends with a summary line. Needs Java.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { DEPLOY_PARAMETER_DEFAULTS } from '../../deploy/deploy-settings';
import { INTERNET_PRICES, LAMBDA_MB_PER_VCPU, NO_STORAGE, estimateMonthlyCost, extrapolateCostInputs, internetChecksCost, lambdaGbSeconds, noUsage, type CostEstimate, type CostInputs } from './cost';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../local/dynamodb-local';
import { freePort } from '../local/free-port';
import { tableDefinition } from '../local/table-definition';
import { formatApiRead, measureApiReads, type ApiReadRow } from './api-reads';
import { formatApiThroughput, measureApiThroughput } from './api-throughput';
import { measureColdStarts } from './cold-start';
import { measureConfirmOverhead, type ConfirmOverhead } from './confirm-overhead';
import { measureDetection } from './detection';
import { benchDispatch } from './dispatch';
import { DynamoDbMeter, type MeterReading } from './dynamodb-meter';
import { LAMBDA_PLATFORM_LOG_BYTES, countingLogger } from './log-counter';
import { runNotifier } from './notifier';
import { ProbeScenario, type TickResult } from './probe-scenario';
import { measureSubMinute } from './sub-minute';
import { measureCheckTraffic, type CheckTraffic } from './traffic';

const ROOT = path.join(__dirname, '..', '..');

const USAGE =
  'usage: npm run bench [-- --monitors 1000 --large 10000 --latency 100 --failing 0.01 --concurrency N --shard-size N --workers 4 ' +
  '--timeout 5000 --repeat 3 --outages 10 --outages-per-month 2 --interval 5 --rounds 3 --fast 100 ' +
  '--skip-detection --skip-large --skip-cold-start --skip-sub-minute --skip-traffic --skip-confirm --only confirm --api]';

function positive(name: string, text: string | undefined, integer = true): number {
  const value = Number(text);
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`--${name} must be a positive ${integer ? 'whole ' : ''}number, got '${text}'`);
  return value;
}

interface BenchOptions {
  monitors: number;
  large: number;
  latencyMs: number;
  failingFraction: number;
  concurrency: number;
  shardSize: number;
  workers: number;
  timeoutMs: number;
  repeat: number;
  outages: number;
  outagesPerMonitorMonth: number;
  intervalS: number;
  rounds: number;
  fast: number;
  skipDetection: boolean;
  skipLarge: boolean;
  skipColdStart: boolean;
  skipSubMinute: boolean;
  skipTraffic: boolean;
  /** Skip the overhead of multi-region confirmation (tools/bench/confirm-overhead.ts). */
  skipConfirm: boolean;
  /** `--only confirm`: measure only the overhead of multi-region confirmation. */
  confirmOnly: boolean;
  /** Also measure the api function's requests a second with its cache warm (tools/bench/api-throughput.ts). */
  api: boolean;
}

function readOptions(argv: string[]): BenchOptions {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      monitors: { type: 'string', default: '1000' },
      large: { type: 'string', default: '10000' },
      latency: { type: 'string', default: '100' },
      failing: { type: 'string', default: '0.01' },
      concurrency: { type: 'string', default: DEPLOY_PARAMETER_DEFAULTS.probeConcurrency },
      'shard-size': { type: 'string', default: DEPLOY_PARAMETER_DEFAULTS.probeShardSize },
      workers: { type: 'string', default: '4' },
      timeout: { type: 'string', default: '5000' },
      repeat: { type: 'string', default: '3' },
      outages: { type: 'string', default: '10' },
      'outages-per-month': { type: 'string', default: '2' },
      interval: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      'skip-detection': { type: 'boolean', default: false },
      'skip-large': { type: 'boolean', default: false },
      'skip-cold-start': { type: 'boolean', default: false },
      'skip-sub-minute': { type: 'boolean', default: false },
      'skip-traffic': { type: 'boolean', default: false },
      'skip-confirm': { type: 'boolean', default: false },
      only: { type: 'string' },
      api: { type: 'boolean', default: false },
      fast: { type: 'string', default: '100' },
    },
  });
  const failingFraction = Number(args.failing);
  if (!(failingFraction >= 0 && failingFraction < 1)) throw new Error(`--failing must be a fraction from 0 to below 1, got '${args.failing}'`);
  if (args.only !== undefined && args.only !== 'confirm') throw new Error(`--only takes 'confirm', got '${args.only}'`);
  const confirmOnly = args.only === 'confirm';
  if (confirmOnly && args['skip-confirm']) throw new Error('--only confirm and --skip-confirm exclude each other');
  return {
    monitors: positive('monitors', args.monitors),
    large: positive('large', args.large),
    latencyMs: positive('latency', args.latency),
    failingFraction,
    concurrency: positive('concurrency', args.concurrency),
    shardSize: positive('shard-size', args['shard-size']),
    workers: positive('workers', args.workers),
    timeoutMs: positive('timeout', args.timeout),
    repeat: positive('repeat', args.repeat),
    outages: positive('outages', args.outages),
    outagesPerMonitorMonth: positive('outages-per-month', args['outages-per-month'], false),
    intervalS: positive('interval', args.interval),
    rounds: positive('rounds', args.rounds),
    fast: positive('fast', args.fast),
    skipDetection: args['skip-detection'] || confirmOnly,
    skipLarge: args['skip-large'] || confirmOnly,
    skipColdStart: args['skip-cold-start'] || confirmOnly,
    skipSubMinute: args['skip-sub-minute'] || confirmOnly,
    skipTraffic: args['skip-traffic'] || confirmOnly,
    skipConfirm: args['skip-confirm'],
    confirmOnly,
    api: args.api,
  };
}

/** The options, or one line naming what is wrong (and the usage) and exit status 2. */
function readOptionsOrExit(): BenchOptions {
  try {
    return readOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

const OPTIONS = readOptionsOrExit();

interface ServerlessFile {
  provider?: { memorySize?: number; architecture?: string };
  resources?: { Resources?: Record<string, { Type?: string; Condition?: string }> };
}
const SERVERLESS = parse(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')) as ServerlessFile;
const MEMORY_MB = Number(SERVERLESS.provider?.memorySize ?? 1024);
/** The stack's alarms without monitors.yml `confirm`: the conditional ones (confirm-home-alone) are priced with confirmation. */
const ALARMS = Object.values(SERVERLESS.resources?.Resources ?? {}).filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm' && resource.Condition === undefined).length;
/** The confirm function of each confirmer region (serverless.confirm.yml). */
const CONFIRM_MEMORY_MB = Number((parse(readFileSync(path.join(ROOT, 'serverless.confirm.yml'), 'utf8')) as ServerlessFile).provider?.memorySize ?? 1024);

/** Lambda's CPU is proportional to memory: one vCPU at 1,769 MB. */
const LAMBDA_VCPU_SHARE = MEMORY_MB / LAMBDA_MB_PER_VCPU;

const print = (line: string) => console.log(line);
/**
 * The size the bench models but cannot run here: the N=--large run carried to it (cost.ts
 * extrapolateCostInputs), only from a run at least a tenth its size (10,000 by default); a toy
 * run's figures carried a thousandfold would mean nothing.
 */
const MODELLED_MONITORS = 100_000;
const MODELLED_FROM_AT_LEAST = MODELLED_MONITORS / 10;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ms = (value: number) => `${Math.round(value)} ms`;
const units = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
const dollars = (value: number) => (value >= 1 ? `$${value.toFixed(2)}` : value >= 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(6)}`);

function addReadings(readings: MeterReading[]): { readUnits: number; writeUnits: number; written: Record<string, { items: number; bytes: number }> } {
  const written: Record<string, { items: number; bytes: number }> = {};
  for (const reading of readings) {
    for (const [kind, entry] of Object.entries(reading.written)) {
      const total = (written[kind] ??= { items: 0, bytes: 0 });
      total.items += entry.items;
      total.bytes += entry.bytes;
    }
  }
  return {
    readUnits: readings.reduce((sum, reading) => sum + reading.readUnits, 0),
    writeUnits: readings.reduce((sum, reading) => sum + reading.writeUnits, 0),
    written,
  };
}

interface ScenarioFigures {
  monitors: number;
  steady: TickResult;
  cycleMs: number;
  baselineMs?: number;
  costInputs: CostInputs;
}

/**
 * One scenario: N monitors established, `repeat` steady runs (each after a baseline fetch when
 * `compareBaseline`), then `outages` monitors go down for two runs and come back for two.
 */
async function runScenario(label: string, monitors: number, client: DynamoDBClient, meter: DynamoDbMeter, tableName: string, compareBaseline: boolean): Promise<ScenarioFigures> {
  const scenario = await ProbeScenario.start({
    monitors,
    latencyMs: OPTIONS.latencyMs,
    failingFraction: OPTIONS.failingFraction,
    concurrency: OPTIONS.concurrency,
    timeoutMs: OPTIONS.timeoutMs,
    maxPerShard: OPTIONS.shardSize,
    workers: OPTIONS.workers,
    client,
    meter,
    tableName,
  });
  try {
    if (compareBaseline) await scenario.baseline(); // warm the connections and the JIT like the runs that follow
    const establishing = [await scenario.runTick(), await scenario.runTick()];
    const established = addReadings(establishing.map((tick) => tick.dynamoDb));
    print(
      `${label} establish: 2 runs, ${establishing.reduce((sum, tick) => sum + tick.transitions.length, 0)} transitions, ` +
        `${units(established.writeUnits)} WRU ${units(established.readUnits)} RRU`,
    );
    await scenario.runTick(); // the first steady run still writes nothing new, but let every state settle
    const steadyRuns: TickResult[] = [];
    const baselines: number[] = [];
    const baselineCpu: number[] = [];
    for (let i = 0; i < OPTIONS.repeat; i += 1) {
      if (compareBaseline) {
        const baseline = await scenario.baseline();
        baselines.push(baseline.durationMs);
        baselineCpu.push(baseline.cpuMs);
      }
      steadyRuns.push(await scenario.runTick());
    }
    const cycleMs = median(steadyRuns.map((tick) => tick.durationMs));
    const steady = steadyRuns.find((tick) => tick.durationMs === cycleMs) ?? (steadyRuns[0] as TickResult);
    const baselineMs = compareBaseline ? median(baselines) : undefined;
    for (const tick of steadyRuns) {
      if (tick.transitions.length > 0 || tick.checks !== monitors) {
        throw new Error(`${label}: a steady run had ${tick.transitions.length} transitions and ${tick.checks} checks`);
      }
    }
    if (baselineMs !== undefined) {
      print(`${label} baseline: ${ms(baselineMs)} to fetch ${monitors} URLs at concurrency ${OPTIONS.concurrency} (median of ${OPTIONS.repeat}: ${baselines.map(ms).join(', ')})`);
    }
    print(`${label} cycle: ${ms(cycleMs)} per steady run (median of ${OPTIONS.repeat}: ${steadyRuns.map((tick) => ms(tick.durationMs)).join(', ')})`);
    const cpuMs = median(steadyRuns.map((tick) => tick.cpuMs));
    print(
      `${label} cpu: ${ms(cpuMs)} of CPU per steady run in the probe's process, ${(cpuMs / monitors).toFixed(3)} ms per check; ` +
        `Lambda at ${MEMORY_MB} MB has ${LAMBDA_VCPU_SHARE.toFixed(3)} of a vCPU, so a run needs at least ${ms(cpuMs / LAMBDA_VCPU_SHARE)} there`,
    );
    if (baselineMs !== undefined) {
      print(`${label} baseline cpu: ${ms(median(baselineCpu))} of CPU to fetch the same URLs, ${(median(baselineCpu) / monitors).toFixed(3)} ms per request: the probe's own work is the rest`);
    }
    if (baselineMs !== undefined) print(`${label} cycle ratio: ${(cycleMs / baselineMs).toFixed(3)} (cycle over baseline)`);
    const byCommand = Object.entries(steady.dynamoDb.byCommand)
      .map(([command, usage]) => `${command.replace(/Command$/, '')} ${usage.calls}× ${units(usage.readUnits)}R/${units(usage.writeUnits)}W`)
      .join(', ');
    print(`${label} dynamodb steady: ${steady.dynamoDb.calls} requests, ${units(steady.dynamoDb.readUnits)} RRU, ${units(steady.dynamoDb.writeUnits)} WRU per run (${byCommand})`);
    print(`${label} run summary: ${steady.dynamoDb.written.RUN?.items ?? 0} item(s), ${steady.dynamoDb.written.RUN?.bytes ?? 0} bytes per run`);

    // Outages: `outages` healthy monitors fail for two runs (going DOWN), then answer again for two (going UP).
    const healthy = scenario.targets.urls.map((_, index) => index).filter((index) => !scenario.targets.isFailing(index));
    const chosen = healthy.filter((_, k) => k % Math.max(1, Math.floor(healthy.length / OPTIONS.outages)) === 0).slice(0, OPTIONS.outages);
    await scenario.targets.setFailing(chosen, true);
    const down = [await scenario.runTick(), await scenario.runTick()];
    await scenario.targets.setFailing(chosen, false);
    const up = [await scenario.runTick(), await scenario.runTick()];
    const transitions = [...down, ...up].flatMap((tick) => tick.transitions);
    if (transitions.length !== 2 * chosen.length) throw new Error(`${label}: ${chosen.length} outages made ${transitions.length} transitions, not ${2 * chosen.length}`);
    const outageRuns = addReadings([...down, ...up].map((tick) => tick.dynamoDb));
    const extraWrite = (outageRuns.writeUnits - 4 * steady.dynamoDb.writeUnits) / chosen.length;
    const extraRead = (outageRuns.readUnits - 4 * steady.dynamoDb.readUnits) / chosen.length;
    const extraLogBytes = ([...down, ...up].reduce((sum, tick) => sum + tick.logs.bytes, 0) - 4 * steady.logs.bytes) / chosen.length;
    print(
      `${label} dynamodb outages: ${chosen.length} outages (${transitions.length} transitions) added ${units(extraWrite)} WRU and ${units(extraRead)} RRU each ` +
        `(${units(outageRuns.writeUnits)} WRU ${units(outageRuns.readUnits)} RRU in 4 runs)`,
    );

    const notifier = await runNotifier({ transitions, config: scenario.config, client, meter, tableName, logger: countingLogger() });
    if (notifier.emails !== transitions.length) throw new Error(`${label}: ${transitions.length} transitions sent ${notifier.emails} emails`);
    const notifyGbSeconds = notifier.durationsMs.reduce((sum, duration) => sum + lambdaGbSeconds(duration, MEMORY_MB), 0);
    print(
      `${label} notifier: ${notifier.invocations} invocations, ${notifier.emails} SES emails, ${units(notifier.dynamoDb.writeUnits)} WRU ` +
        `${units(notifier.dynamoDb.readUnits)} RRU, ${notifyGbSeconds.toFixed(3)} GB-s for ${transitions.length} transitions ` +
        `(median ${ms(median(notifier.durationsMs))} each)`,
    );

    const rollup = await scenario.rollUp();
    const rollupReads = (rollup.dynamoDb.readUnits * 60) / rollup.summaries;
    print(
      `${label} hourly rollup: ${units(rollup.dynamoDb.writeUnits)} WRU, ${units(rollupReads)} RRU for 60 run summaries ` +
        `(${units(rollup.dynamoDb.readUnits)} RRU measured for ${rollup.summaries}), ${ms(rollup.durationMs)}`,
    );
    // A day's rollup reads its 24 hours' items: at most the one hour's reads measured, 24 times (each
    // bucket's Query reads its 24 items at once and is billed by their size, so it is less).
    const dayReads = rollup.day.readUnits * 24;
    print(
      `${label} daily rollup: ${units(rollup.day.writeUnits)} WRU, at most ${units(dayReads)} RRU for 24 hours' items ` +
        `(${units(rollup.day.readUnits)} RRU measured for one), ${ms(rollup.dayDurationMs)} for one hour's items`,
    );

    // Lambda bills each invocation's wall time; at 256 MB it also has only a share of a vCPU, so a run
    // whose CPU time here divided by that share exceeds its wall time here would take that long there.
    const wallMs = steady.invocationsMs.reduce((sum, duration) => sum + duration, 0);
    const cpuBoundMs = cpuMs / LAMBDA_VCPU_SHARE;
    const billedMs = Math.max(wallMs, cpuBoundMs);
    const gbSeconds = lambdaGbSeconds(billedMs, MEMORY_MB);
    const invocations = steady.invocationsMs.length;
    print(
      `${label} lambda: ${invocations} invocation(s) per run` +
        (invocations > 1 ? ` (the scheduled one and ${invocations - 1} shards, ${OPTIONS.workers} at a time here: ${steady.invocationsMs.map(ms).join(', ')})` : '') +
        `, ${ms(wallMs)} of wall time and ${ms(cpuBoundMs)} at Lambda's CPU share: ${gbSeconds.toFixed(3)} GB-s per run (${ms(billedMs)} × ${MEMORY_MB} MB)`,
    );
    print(`${label} cloudwatch: ${steady.metricRecords} embedded-metric-format log line(s) per run, 0 PutMetricData requests, ${scenario.customMetrics} custom metrics`);
    print(`${label} logs: ${steady.logs.lines} lines ${steady.logs.bytes} bytes per steady run, ${Math.round(extraLogBytes)} bytes more per outage`);

    const written = (kind: string) => outageRuns.written[kind] ?? { items: 0, bytes: 0 };
    const states = established.written.STATE ?? { items: 1, bytes: 0 };
    const costInputs: CostInputs = {
      monitors,
      run: {
        invocations,
        gbSeconds,
        writeUnits: steady.dynamoDb.writeUnits,
        readUnits: steady.dynamoDb.readUnits,
        metricRequests: 0,
        logBytes: steady.logs.bytes + invocations * LAMBDA_PLATFORM_LOG_BYTES,
      },
      // The hour's rollup, and a twenty-fourth of the day's (its reads and time scaled to 24 hours' items).
      hour: {
        writeUnits: rollup.dynamoDb.writeUnits + rollup.day.writeUnits / 24,
        readUnits: rollupReads + dayReads / 24,
        gbSeconds: lambdaGbSeconds(rollup.durationMs, MEMORY_MB) + lambdaGbSeconds(rollup.dayDurationMs * 24, MEMORY_MB) / 24,
      },
      outage: {
        probeWriteUnits: extraWrite,
        probeReadUnits: extraRead,
        notifyInvocations: notifier.invocations / chosen.length,
        notifyGbSeconds: notifyGbSeconds / chosen.length,
        notifyWriteUnits: notifier.dynamoDb.writeUnits / chosen.length,
        notifyReadUnits: notifier.dynamoDb.readUnits / chosen.length,
        emails: notifier.emails / chosen.length,
        logBytes: extraLogBytes + (notifier.logBytes + notifier.invocations * LAMBDA_PLATFORM_LOG_BYTES) / chosen.length,
      },
      outagesPerMonitorMonth: OPTIONS.outagesPerMonitorMonth,
      customMetrics: scenario.customMetrics,
      alarms: ALARMS,
      storage: {
        stateItemBytes: states.bytes / Math.max(1, states.items),
        runSummaryBytesPerRun: steady.dynamoDb.written.RUN?.bytes ?? 0,
        runSummaryItemsPerRun: steady.dynamoDb.written.RUN?.items ?? 0,
        runRetentionDays: Number(DEPLOY_PARAMETER_DEFAULTS.runRetentionDays),
        transitionBytesPerOutage: written('MON').bytes / chosen.length,
        transitionRetentionDays: Number(DEPLOY_PARAMETER_DEFAULTS.transitionRetentionDays),
        rollupBytesPerHour: Object.entries(rollup.dynamoDb.written).filter(([kind]) => kind === 'ROLLUP').reduce((sum, [, entry]) => sum + entry.bytes, 0),
        rollupItemsPerHour: rollup.dynamoDb.written.ROLLUP?.items ?? 0,
        hourlyRollupRetentionDays: Number(DEPLOY_PARAMETER_DEFAULTS.hourlyRollupRetentionDays),
        rollupBytesPerDay: rollup.day.written.ROLLUP_DAY?.bytes ?? 0,
        rollupItemsPerDay: rollup.day.written.ROLLUP_DAY?.items ?? 0,
        dailyRollupRetentionDays: Number(DEPLOY_PARAMETER_DEFAULTS.dailyRollupRetentionDays),
      },
      logRetentionDays: Number(DEPLOY_PARAMETER_DEFAULTS.logRetentionDays),
    };
    return { monitors, steady, cycleMs, ...(baselineMs !== undefined ? { baselineMs } : {}), costInputs };
  } finally {
    await scenario.close();
  }
}

function printCost(label: string, estimate: CostEstimate): void {
  for (const line of estimate.lines) {
    print(
      `${label}: ${line.item}: ${units(Number(line.quantity.toPrecision(4)))} ${line.unit} × ${dollars(line.unitPrice)} = ` +
        `${dollars(line.monthly)}/month, ${dollars(line.perMonitor)}/monitor-month`,
    );
  }
  print(`${label}: total ${dollars(estimate.monthly)}/month for ${estimate.monitors} monitors = ${dollars(estimate.perMonitor)} per monitor-month`);
}

/**
 * What the same monitors cost when they are HTTPS endpoints on the internet, beyond the figures
 * above (plain HTTP on this machine): the TLS work and the data transfer out, which those figures
 * leave out. Returns the figure per monitor-month at --monitors with the account's free data
 * transfer out (the last line's cost_1k_https).
 */
function printInternetCost(traffic: CheckTraffic[], estimates: { small?: CostEstimate; large?: CostEstimate }): number | undefined {
  const http = traffic.find((entry) => entry.protocol === 'http') as CheckTraffic;
  const https = traffic.find((entry) => entry.protocol === 'https') as CheckTraffic;
  let smallPerMonitor: number | undefined;
  for (const estimate of [estimates.small, estimates.large]) {
    if (!estimate) continue;
    const extra = internetChecksCost({
      monitors: estimate.monitors,
      extraCpuMsPerCheck: Math.max(0, https.cpuMsPerCheck - http.cpuMsPerCheck),
      bytesOutPerCheck: https.bytesOutPerCheck,
    });
    const withAllowance = estimate.monthly + extra.extraCompute + extra.transferAfterAllowance;
    const without = estimate.monthly + extra.extraCompute + extra.transfer;
    if (estimate === estimates.small) smallPerMonitor = withAllowance / estimate.monitors;
    print(
      `cost N=${estimate.monitors} as HTTPS endpoints on the internet: TLS adds ${extra.extraGbSeconds.toFixed(0)} GB-s (${dollars(extra.extraCompute)}), ` +
        `data transfer out ${extra.transferGb.toFixed(1)} GB at ${dollars(INTERNET_PRICES.dataTransferOutGb)}/GB (${dollars(extra.transfer)}; ` +
        `${dollars(extra.transferAfterAllowance)} past the account's free ${INTERNET_PRICES.freeDataTransferOutGb} GB): ` +
        `total ${dollars(withAllowance)} to ${dollars(without)}/month, ${dollars(withAllowance / estimate.monitors)} to ${dollars(without / estimate.monitors)} per monitor-month`,
    );
  }
  return smallPerMonitor;
}

/**
 * The overhead of multi-region confirmation priced line by line, its total, and that total as a
 * share of the stack's at the same N (when measured in the same bench run).
 */
function printConfirmCost(confirm: ConfirmOverhead, base: CostEstimate | undefined): void {
  const label = `confirm N=${confirm.monitors} cost`;
  printCost(label, confirm.estimate);
  print(
    `confirm N=${confirm.monitors}: total ${dollars(confirm.estimate.monthly)}/month, ${dollars(confirm.estimate.perMonitor)}/monitor-month ` +
      `(${OPTIONS.outagesPerMonitorMonth} outages per monitor-month, each its own round to ${confirm.regions} regions), ` +
      (base ? `${((100 * confirm.estimate.monthly) / base.monthly).toFixed(1)}% of the N=${base.monitors} total of ${dollars(base.monthly)}/month` : 'n/a % of the N total (not measured in this run)'),
  );
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(tableDefinition(tableName)));
}

async function main(): Promise<void> {
  const started = Date.now();
  print(
    `bench: monitors ${OPTIONS.monitors} and ${OPTIONS.large}, target latency ${OPTIONS.latencyMs} ms, ${OPTIONS.failingFraction * 100}% failing, ` +
      `concurrency ${OPTIONS.concurrency}, shard size ${OPTIONS.shardSize}, probe timeout ${OPTIONS.timeoutMs} ms, Lambda ${MEMORY_MB} MB ${SERVERLESS.provider?.architecture ?? ''}, ` +
      `${OPTIONS.outagesPerMonitorMonth} outages per monitor-month assumed`,
  );

  if (!OPTIONS.skipColdStart) {
    for (const coldStart of await measureColdStarts()) {
      print(`cold start ${coldStart.name}: ${ms(coldStart.medianMs)} module initialisation (median of ${coldStart.samplesMs.length}; bundle ${Math.round(coldStart.bytes / 1024)} KB)`);
    }
  }

  let dynamoDb: RunningDynamoDbLocal | undefined;
  let client: DynamoDBClient | undefined;
  const estimates: { small?: CostEstimate; large?: CostEstimate; modelled?: CostEstimate } = {};
  let cycleRatio: number | undefined;
  /** The overhead of multi-region confirmation (tools/bench/confirm-overhead.ts), unless --skip-confirm. */
  let confirm: ConfirmOverhead | undefined;
  /** `--api`: the API's costliest reads (tools/bench/api-reads.ts). */
  let apiReads: ApiReadRow[] = [];
  try {
    dynamoDb = await startDynamoDbLocal({ port: await freePort(), cacheDir: path.join(ROOT, 'node_modules', '.cache', 'uptime-monitor') });
    client = new DynamoDBClient({ endpoint: dynamoDb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    const meter = new DynamoDbMeter(client);

    if (!OPTIONS.confirmOnly) {
      await createTable(client, 'bench-small');
      const small = await runScenario(`N=${OPTIONS.monitors}`, OPTIONS.monitors, client, meter, 'bench-small', true);
      cycleRatio = small.cycleMs / (small.baselineMs ?? Number.NaN);
      estimates.small = estimateMonthlyCost(small.costInputs);
    }

    if (!OPTIONS.skipConfirm) {
      await createTable(client, 'bench-confirm');
      confirm = await measureConfirmOverhead({
        monitors: OPTIONS.monitors,
        latencyMs: OPTIONS.latencyMs,
        failingFraction: OPTIONS.failingFraction,
        concurrency: OPTIONS.concurrency,
        timeoutMs: OPTIONS.timeoutMs,
        shardSize: OPTIONS.shardSize,
        workers: OPTIONS.workers,
        repeat: OPTIONS.repeat,
        client,
        meter,
        tableName: 'bench-confirm',
        probeMemoryMb: MEMORY_MB,
        confirmMemoryMb: CONFIRM_MEMORY_MB,
        confirmVcpuShare: CONFIRM_MEMORY_MB / LAMBDA_MB_PER_VCPU,
        outagesPerMonitorMonth: OPTIONS.outagesPerMonitorMonth,
        logRetentionDays: Number(DEPLOY_PARAMETER_DEFAULTS.logRetentionDays),
        print,
      });
    }

    if (!OPTIONS.skipLarge) {
      await createTable(client, 'bench-large');
      const large = await runScenario(`N=${OPTIONS.large}`, OPTIONS.large, client, meter, 'bench-large', false);
      estimates.large = estimateMonthlyCost(large.costInputs);
      if (OPTIONS.large >= MODELLED_FROM_AT_LEAST) {
        // Measured apart, what does not scale linearly: each invocation's work over the whole configuration.
        const { extraRunGbSeconds } = await benchDispatch({
          monitors: MODELLED_MONITORS,
          measuredMonitors: OPTIONS.large,
          shardSize: OPTIONS.shardSize,
          repeat: OPTIONS.repeat,
          vcpuShare: LAMBDA_VCPU_SHARE,
          memoryMb: MEMORY_MB,
          print,
        });
        estimates.modelled = estimateMonthlyCost(extrapolateCostInputs(large.costInputs, MODELLED_MONITORS, extraRunGbSeconds));
      }
    }

    if (!OPTIONS.skipSubMinute) {
      await createTable(client, 'bench-fast');
      const fast = await measureSubMinute({
        monitors: OPTIONS.fast,
        intervalMs: 10_000,
        latencyMs: OPTIONS.latencyMs,
        concurrency: OPTIONS.concurrency,
        timeoutMs: OPTIONS.timeoutMs,
        client,
        meter,
        tableName: 'bench-fast',
      });
      const billedMs = Math.max(fast.wallMs, fast.cpuMs / LAMBDA_VCPU_SHARE);
      print(
        `sub-minute: ${OPTIONS.fast} monitors every 10 s: ${fast.report.cycles.length} cycles and ${fast.report.checks} checks in one invocation of ${ms(fast.wallMs)} ` +
          `(${ms(fast.cpuMs)} CPU), ${units(fast.dynamoDb.readUnits)} RRU and ${units(fast.dynamoDb.writeUnits)} WRU per minute`,
      );
      const fastCost = estimateMonthlyCost({
        ...noUsage(OPTIONS.fast, Number(DEPLOY_PARAMETER_DEFAULTS.logRetentionDays)),
        run: {
          invocations: 1,
          gbSeconds: lambdaGbSeconds(billedMs, MEMORY_MB),
          writeUnits: fast.dynamoDb.writeUnits,
          readUnits: fast.dynamoDb.readUnits,
          metricRequests: 0,
          logBytes: fast.logs.bytes + LAMBDA_PLATFORM_LOG_BYTES,
        },
        storage: {
          ...NO_STORAGE,
          runSummaryBytesPerRun: fast.dynamoDb.written.RUN?.bytes ?? 0,
          runSummaryItemsPerRun: fast.dynamoDb.written.RUN?.items ?? 0,
          runRetentionDays: Number(DEPLOY_PARAMETER_DEFAULTS.runRetentionDays),
        },
      });
      const compute = fastCost.lines.find((line) => line.item.startsWith('Lambda compute'))?.monthly ?? 0;
      const rest = fastCost.monthly - compute;
      print(
        `sub-minute cost: ${dollars(fastCost.monthly)}/month for these ${OPTIONS.fast} monitors on top of their 1-minute cost: ` +
          `${dollars(compute)} for the invocation that stays alive all minute (${lambdaGbSeconds(billedMs, MEMORY_MB).toFixed(2)} GB-s a minute, ` +
          `mostly waiting for the next cycle), ${dollars(rest)} (${dollars(rest / OPTIONS.fast)} a monitor) for the extra cycles' requests, storage and logs`,
      );
    }
    if (OPTIONS.api) {
      const throughput = await measureApiThroughput({ endpoint: dynamoDb.endpoint, tableName: 'bench-api', monitors: 20, seconds: 3 });
      for (const result of throughput) print(formatApiThroughput(result));
      // A DynamoDB Local of their own: the one above holds the probe scenarios' tables (10,000
      // monitors' items) and answers everything more slowly for it.
      const readsDynamoDb = await startDynamoDbLocal({ port: await freePort(), cacheDir: path.join(ROOT, 'node_modules', '.cache', 'uptime-monitor') });
      try {
        apiReads = await measureApiReads({ endpoint: readsDynamoDb.endpoint, tablePrefix: 'bench-api-reads', log: print });
      } finally {
        await readsDynamoDb.stop();
      }
      for (const row of apiReads) print(formatApiRead(row));
    }
  } finally {
    client?.destroy();
    await dynamoDb?.stop();
  }
  if (estimates.small) printCost(`cost N=${OPTIONS.monitors}`, estimates.small);
  if (estimates.large) printCost(`cost N=${OPTIONS.large}`, estimates.large);
  if (estimates.modelled) printCost(`cost N=${MODELLED_MONITORS} (modelled: N=${OPTIONS.large} measured and scaled, plus the measured dispatch extra)`, estimates.modelled);
  if (confirm) printConfirmCost(confirm, estimates.small);

  let httpsCpuMs: number | undefined;
  let cost1kHttps: number | undefined;
  if (!OPTIONS.skipTraffic) {
    const traffic = await measureCheckTraffic({ checks: OPTIONS.monitors, concurrency: OPTIONS.concurrency, latencyMs: 20 });
    for (const entry of traffic) {
      print(
        `traffic ${entry.protocol}: ${entry.cpuMsPerCheck.toFixed(3)} ms of CPU, ${Math.round(entry.bytesOutPerCheck)} bytes out and ` +
          `${Math.round(entry.bytesInPerCheck)} bytes in per check, a new connection each (${OPTIONS.monitors} checks)`,
      );
    }
    httpsCpuMs = traffic.find((entry) => entry.protocol === 'https')?.cpuMsPerCheck;
    cost1kHttps = printInternetCost(traffic, estimates);
  }

  let detectIntervals = Number.NaN;
  if (!OPTIONS.skipDetection) {
    const detection = await measureDetection({ intervalS: OPTIONS.intervalS, rounds: OPTIONS.rounds, log: print });
    detectIntervals = detection.worstIntervals;
    print(
      `detection: first failing check to outage email in ${detection.rounds.map((round) => (round.outageMs / detection.intervalMs).toFixed(2)).join(', ')} intervals ` +
        `of ${OPTIONS.intervalS} s (worst ${detectIntervals.toFixed(2)}, median ${detection.medianIntervals.toFixed(2)})`,
    );
  }
  print(`bench: finished in ${Math.round((Date.now() - started) / 1000)} s`);
  print(
    `bench: cycle_ratio=${cycleRatio?.toFixed(3) ?? 'n/a'} cost_1k=$${estimates.small?.perMonitor.toFixed(5) ?? 'n/a'} ` +
      `cost_10k=$${estimates.large?.perMonitor.toFixed(5) ?? 'n/a'} ${estimates.modelled ? `cost_100k=$${estimates.modelled.perMonitor.toFixed(5)} ` : ''}detect_intervals=${Number.isNaN(detectIntervals) ? 'n/a' : detectIntervals.toFixed(2)}` +
      `${formatApiReadFigures(apiReads)} https_cpu_ms=${httpsCpuMs?.toFixed(3) ?? 'n/a'} cost_1k_https=$${cost1kHttps?.toFixed(5) ?? 'n/a'} ` +
      `confirm_overhead_1k=$${confirm?.estimate.perMonitor.toFixed(5) ?? 'n/a'}`,
  );
}

/** The API read figures of the last line: ` api_p95_30d_ms=… api_rru_30d=… api_rru_400d=…`, `n/a` without --api. */
function formatApiReadFigures(rows: readonly ApiReadRow[]): string {
  const row = (name: string) => rows.find((candidate) => candidate.name === name);
  const [days30, days400] = [row('uptime 30d'), row('uptime 400 days')];
  return ` api_p95_30d_ms=${days30?.p95Ms ?? 'n/a'} api_rru_30d=${days30?.readUnits ?? 'n/a'} api_rru_400d=${days400?.readUnits ?? 'n/a'}`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
