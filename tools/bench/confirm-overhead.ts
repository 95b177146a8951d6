/**
 * What multi-region confirmation (monitors.yml `confirm`, issue 18) adds to the probe, measured
 * through the real probe run at N monitors with a share of them failing: the real LambdaConfirmer
 * invokes each confirmer region's stand-in of Lambda's Invoke API on 127.0.0.1 (one port a region),
 * which runs the real confirm handler logic. Steady runs (the failing monitors already DOWN) with
 * and without `confirm` give the steady overhead; onset runs (the failing monitors crossing their
 * threshold together) with and without give the confirmation round's. Priced with cost.ts.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaConfirmer } from '../../lib/adapters/lambda-confirmer';
import type { ConfirmAnswer, ConfirmRequest, Confirmer } from '../../lib/domain/ports';
import { estimateConfirmOverhead, lambdaGbSeconds, type CostEstimate } from './cost';
import type { DynamoDbMeter, MeterReading } from './dynamodb-meter';
import { startInvokeStandIn, type ConfirmInvocation } from './invoke-stand-in';
import { LAMBDA_PLATFORM_LOG_BYTES } from './log-counter';
import { ProbeScenario, type TickResult } from './probe-scenario';

export const CONFIRM_REGIONS = ['eu-west-1', 'ap-southeast-1'] as const;
export const CONFIRM_QUORUM = 2;
const HOME_REGION = 'us-east-1';
const FUNCTION_NAME = 'uptime-monitor-bench-confirm';
const TIMING_MIDDLEWARE = 'benchConfirmBatchGetTiming';

export interface ConfirmOverheadOptions {
  monitors: number;
  latencyMs: number;
  failingFraction: number;
  concurrency: number;
  timeoutMs: number;
  shardSize: number;
  workers: number;
  /** Steady pairs (a run without `confirm` and one with) and onset pairs measured; medians are reported. */
  repeat: number;
  client: DynamoDBClient;
  meter: DynamoDbMeter;
  tableName: string;
  /** The probe's memory, MB (its extra wait is billed at it). */
  probeMemoryMb: number;
  /** The confirm function's memory (serverless.confirm.yml), MB, and its share of a vCPU. */
  confirmMemoryMb: number;
  confirmVcpuShare: number;
  outagesPerMonitorMonth: number;
  logRetentionDays: number;
  print: (line: string) => void;
}

export interface ConfirmOverhead {
  monitors: number;
  failing: number;
  regions: number;
  steady: {
    /** Per run, with `confirm` less without (medians of the pairs). */
    extraCalls: number;
    extraReadUnits: number;
    extraWriteUnits: number;
    extraWallMs: number;
    /** The BatchGetItem of the failed monitors' states, timed on its own (median per run). */
    batchGetMs: number;
    /** Invokes in the steady runs with `confirm`: 0. */
    invokes: number;
  };
  onset: {
    extraWallMs: number;
    /** First ask to last answer of the round, at the home probe (median of the onset runs). */
    roundMs: number;
    /** Invokes per onset run: one per region. */
    invokesPerRound: number;
    invocationMs: number;
    invocationCpuMs: number;
    invocationGbSeconds: number;
    requestBytes: number;
    answerBytes: number;
    /** Per outage (per failing monitor): extra reads, writes and log bytes of its streak's runs. */
    extraReadUnits: number;
    extraWriteUnits: number;
    extraLogBytes: number;
  };
  estimate: CostEstimate;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ms = (value: number) => `${Math.round(value)} ms`;
const fixed = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** The confirmer as the probe uses it, each ask timed at the home side. */
class TimedConfirmer implements Confirmer {
  asks: { region: string; startedMs: number; endedMs: number; ok: boolean }[] = [];
  constructor(private readonly inner: Confirmer) {}

  async confirm(region: string, request: ConfirmRequest, signal: AbortSignal): Promise<ConfirmAnswer> {
    const startedMs = performance.now();
    try {
      const answer = await this.inner.confirm(region, request, signal);
      this.asks.push({ region, startedMs, endedMs: performance.now(), ok: true });
      return answer;
    } catch (error) {
      this.asks.push({ region, startedMs, endedMs: performance.now(), ok: false });
      throw error;
    }
  }

  take(): { region: string; startedMs: number; endedMs: number; ok: boolean }[] {
    return this.asks.splice(0);
  }
}

interface MeasuredRun {
  tick: TickResult;
  invocations: ConfirmInvocation[];
  asks: ReturnType<TimedConfirmer['take']>;
  batchGetMs: number[];
}

/**
 * Measures and prices the overhead of `confirm: { regions: [eu-west-1, ap-southeast-1], quorum: 2 }`
 * at `monitors` monitors with `failingFraction` of them failing (at least one). Prints
 * `confirm N=…:` lines; throws when a steady run invokes a confirmer or an onset run does not
 * invoke each region once and declare every failing monitor's outage.
 */
export async function measureConfirmOverhead(options: ConfirmOverheadOptions): Promise<ConfirmOverhead> {
  const label = `confirm N=${options.monitors}`;
  const { print } = options;
  const standIn = await startInvokeStandIn({ regions: CONFIRM_REGIONS, functionName: FUNCTION_NAME, concurrency: 64 });
  const lambda = new LambdaConfirmer({
    functionName: FUNCTION_NAME,
    clientConfig: { credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } },
    endpoints: standIn.endpoints,
  });
  const confirmer = new TimedConfirmer(lambda);
  const batchGets: number[] = [];
  options.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!/^BatchGet/.test(context.commandName ?? '')) return next(args);
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        batchGets.push(performance.now() - started);
      }
    },
    { step: 'initialize', name: TIMING_MIDDLEWARE },
  );
  let scenario: ProbeScenario | undefined;
  try {
    scenario = await ProbeScenario.start({
      monitors: options.monitors,
      latencyMs: options.latencyMs,
      failingFraction: options.failingFraction,
      concurrency: options.concurrency,
      timeoutMs: options.timeoutMs,
      maxPerShard: options.shardSize,
      workers: options.workers,
      client: options.client,
      meter: options.meter,
      tableName: options.tableName,
      confirm: { yaml: `{ regions: [${CONFIRM_REGIONS.join(', ')}], quorum: ${CONFIRM_QUORUM} }`, confirmer, homeRegion: HOME_REGION },
    });
    const started = scenario;
    const indexes = started.targets.urls.map((_, index) => index);
    let failing = indexes.filter((index) => started.targets.isFailing(index));
    if (failing.length === 0) failing = [0];
    const run = async (confirm: boolean): Promise<MeasuredRun> => {
      started.useConfirm(confirm);
      standIn.take();
      confirmer.take();
      batchGets.splice(0);
      const tick = await started.runTick();
      return { tick, invocations: standIn.take(), asks: confirmer.take(), batchGetMs: batchGets.splice(0) };
    };

    // Everyone UP first: the failing monitors answer, and the runs settle.
    await started.targets.setFailing(failing, false);
    await started.baseline();
    for (let i = 0; i < 3; i += 1) await run(false);

    // Onsets: the failing monitors fail together, cross their threshold (2) on the second run, and recover.
    const onsets: Record<'with' | 'without', { streak: MeasuredRun[]; onset: MeasuredRun }[]> = { with: [], without: [] };
    for (let r = 0; r < options.repeat; r += 1) {
      for (const confirm of r % 2 === 0 ? [false, true] : [true, false]) {
        await started.targets.setFailing(failing, true);
        const first = await run(confirm);
        const onset = await run(confirm);
        const down = onset.tick.transitions.filter((transition) => transition.to === 'DOWN').length;
        if (first.tick.transitions.length !== 0 || down !== failing.length) {
          throw new Error(`${label}: an onset ${confirm ? 'with' : 'without'} confirm made ${first.tick.transitions.length} then ${down} DOWN transitions for ${failing.length} failing monitors`);
        }
        if (first.invocations.length !== 0) throw new Error(`${label}: the first failure of a streak invoked ${first.invocations.length} confirmer(s)`);
        if (confirm) {
          const regions = onset.invocations.map((invocation) => invocation.region).sort();
          if (regions.join() !== [...CONFIRM_REGIONS].sort().join() || onset.asks.some((ask) => !ask.ok)) {
            throw new Error(`${label}: an onset invoked ${regions.join(', ') || 'no region'} (${onset.asks.filter((ask) => !ask.ok).length} failed), not each of ${CONFIRM_REGIONS.join(', ')} once`);
          }
          const homeAlone = onset.tick.reports.reduce((sum, report) => sum + (report.confirmation?.homeAlone.length ?? 0), 0);
          if (homeAlone !== 0) throw new Error(`${label}: ${homeAlone} outage(s) declared by the home region alone: the confirmers did not answer`);
        } else if (onset.invocations.length !== 0) {
          throw new Error(`${label}: an onset without confirm invoked ${onset.invocations.length} confirmer(s)`);
        }
        onsets[confirm ? 'with' : 'without'].push({ streak: [first, onset], onset });
        await started.targets.setFailing(failing, false);
        const recovered = [await run(confirm), await run(confirm)].flatMap((measured) => measured.tick.transitions);
        if (recovered.length !== failing.length) throw new Error(`${label}: ${failing.length} recoveries made ${recovered.length} transitions`);
      }
    }

    // Steady: the failing monitors DOWN, runs with and without confirm in turns.
    await started.targets.setFailing(failing, true);
    await run(false);
    await run(false);
    await run(true);
    const pairs: { without: MeasuredRun; with: MeasuredRun }[] = [];
    for (let r = 0; r < Math.max(3, options.repeat); r += 1) {
      const order = r % 2 === 0 ? [false, true] : [true, false];
      const measured: Partial<Record<'with' | 'without', MeasuredRun>> = {};
      for (const confirm of order) {
        const result = await run(confirm);
        if (result.tick.transitions.length !== 0 || result.tick.checks !== options.monitors) {
          throw new Error(`${label}: a steady run had ${result.tick.transitions.length} transitions and ${result.tick.checks} checks`);
        }
        if (result.invocations.length !== 0 || result.asks.length !== 0) throw new Error(`${label}: a steady run invoked ${result.invocations.length} confirmer(s)`);
        measured[confirm ? 'with' : 'without'] = result;
      }
      pairs.push(measured as { without: MeasuredRun; with: MeasuredRun });
    }

    const reading = (measured: MeasuredRun) => measured.tick.dynamoDb;
    const diff = (pick: (reading: MeterReading) => number) => median(pairs.map((pair) => pick(reading(pair.with)) - pick(reading(pair.without))));
    const steadyWith = pairs.map((pair) => pair.with);
    const steady = {
      extraCalls: diff((entry) => entry.calls),
      extraReadUnits: diff((entry) => entry.readUnits),
      extraWriteUnits: diff((entry) => entry.writeUnits),
      extraWallMs: median(pairs.map((pair) => pair.with.tick.durationMs - pair.without.tick.durationMs)),
      batchGetMs: median(steadyWith.map((measured) => measured.batchGetMs.reduce((sum, value) => sum + value, 0))),
      invokes: steadyWith.reduce((sum, measured) => sum + measured.invocations.length, 0),
    };
    const commands = (measured: MeasuredRun) =>
      Object.entries(reading(measured).byCommand)
        .map(([command, usage]) => `${command.replace(/Command$/, '')} ${usage.calls}× ${fixed(usage.readUnits)}R/${fixed(usage.writeUnits)}W`)
        .join(', ');
    const someWith = steadyWith[0] as MeasuredRun;
    const someWithout = (pairs[0] as { without: MeasuredRun }).without;
    print(
      `${label}: ${failing.length} failing (${(options.failingFraction * 100).toFixed(1)}%), confirm { regions: [${CONFIRM_REGIONS.join(', ')}], quorum: ${CONFIRM_QUORUM} }, ` +
        `home ${HOME_REGION}, each region's Invoke API a stand-in on its own port of 127.0.0.1 running confirmChecks`,
    );
    print(
      `${label} steady: with the ${failing.length} failing monitors DOWN, a run with confirm makes ${someWith.tick.dynamoDb.calls} requests, ` +
        `${fixed(someWith.tick.dynamoDb.readUnits)} RRU, ${fixed(someWith.tick.dynamoDb.writeUnits)} WRU (${commands(someWith)}); without, ${someWithout.tick.dynamoDb.calls} requests, ` +
        `${fixed(someWithout.tick.dynamoDb.readUnits)} RRU, ${fixed(someWithout.tick.dynamoDb.writeUnits)} WRU (${commands(someWithout)})`,
    );
    print(
      `${label} steady overhead: +${fixed(steady.extraCalls)} request(s), +${fixed(steady.extraReadUnits)} RRU, +${fixed(steady.extraWriteUnits)} WRU per run ` +
        `(the ${failing.length} failed monitors' states, BatchGetItem ${ms(steady.batchGetMs)}); wall time ${steady.extraWallMs >= 0 ? '+' : ''}${ms(steady.extraWallMs)} ` +
        `(median of ${pairs.length} pairs: ${pairs.map((pair) => `${ms(pair.with.tick.durationMs)} vs ${ms(pair.without.tick.durationMs)}`).join(', ')}); ` +
        `Invokes ${steady.invokes} in ${steadyWith.length} steady runs with confirm`,
    );

    const withOnsets = onsets.with;
    const invocations = withOnsets.flatMap((entry) => entry.onset.invocations);
    const invocationMs = median(invocations.map((invocation) => invocation.durationMs));
    const invocationCpuMs = median(invocations.map((invocation) => invocation.cpuMs));
    // Lambda bills the wall time; at 256 MB the function has a share of a vCPU, so CPU work here
    // divided by that share is the least it takes there (as the bench bills the probe).
    const billedMs = Math.max(invocationMs, invocationCpuMs / options.confirmVcpuShare);
    const roundMs = median(
      withOnsets.map(({ onset }) => Math.max(...onset.asks.map((ask) => ask.endedMs)) - Math.min(...onset.asks.map((ask) => ask.startedMs))),
    );
    const onsetWall = (entries: { onset: MeasuredRun }[]) => median(entries.map(({ onset }) => onset.tick.durationMs));
    const streakSum = (entries: { streak: MeasuredRun[] }[], pick: (measured: MeasuredRun) => number) => median(entries.map(({ streak }) => streak.reduce((sum, measured) => sum + pick(measured), 0)));
    const perOutage = (pick: (measured: MeasuredRun) => number) => (streakSum(onsets.with, pick) - streakSum(onsets.without, pick)) / failing.length;
    const onset = {
      extraWallMs: onsetWall(onsets.with) - onsetWall(onsets.without),
      roundMs,
      invokesPerRound: invocations.length / withOnsets.length,
      invocationMs,
      invocationCpuMs,
      invocationGbSeconds: lambdaGbSeconds(billedMs, options.confirmMemoryMb),
      requestBytes: median(invocations.map((invocation) => invocation.requestBytes)),
      answerBytes: median(invocations.map((invocation) => invocation.answerBytes)),
      extraReadUnits: perOutage((measured) => measured.tick.dynamoDb.readUnits),
      extraWriteUnits: perOutage((measured) => measured.tick.dynamoDb.writeUnits),
      // The home probe's extra lines per suspect, and each region's invocation for an outage of its
      // own: its lines for one suspect, and Lambda's START, END and REPORT.
      extraLogBytes:
        perOutage((measured) => measured.tick.logs.bytes) +
        CONFIRM_REGIONS.length * (median(invocations.map((invocation) => invocation.logBytes / Math.max(1, invocation.suspects))) + LAMBDA_PLATFORM_LOG_BYTES),
    };
    print(
      `${label} onset: the run in which the ${failing.length} cross their threshold takes ${ms(onsetWall(onsets.with))} with confirm, ${ms(onsetWall(onsets.without))} without: ` +
        `${onset.extraWallMs >= 0 ? '+' : ''}${ms(onset.extraWallMs)} (the round: ${ms(roundMs)} from first ask to last answer; median of ${withOnsets.length} onsets each)`,
    );
    print(
      `${label} onset invokes: ${fixed(onset.invokesPerRound)} per round (one per region, ${(invocations[0]?.suspects ?? 0)} suspects each), ` +
        `each confirm invocation ${ms(invocationMs)} (${ms(invocationCpuMs)} CPU in this process at most, ${ms(invocationCpuMs / options.confirmVcpuShare)} at Lambda's ` +
        `${options.confirmVcpuShare.toFixed(3)} vCPU): ${onset.invocationGbSeconds.toFixed(4)} GB-s at ${options.confirmMemoryMb} MB arm64; ` +
        `payload ${onset.requestBytes} bytes in, ${onset.answerBytes} bytes out (${Math.round(onset.requestBytes / Math.max(1, invocations[0]?.suspects ?? 1))} bytes a suspect in)`,
    );
    print(
      `${label} onset per outage: ${onset.extraReadUnits >= 0 ? '+' : ''}${fixed(onset.extraReadUnits)} RRU, ${onset.extraWriteUnits >= 0 ? '+' : ''}${fixed(onset.extraWriteUnits)} WRU ` +
        `over its streak's two runs, ${Math.round(onset.extraLogBytes)} log bytes (probe and confirmers)`,
    );

    const estimate = estimateConfirmOverhead({
      monitors: options.monitors,
      regions: CONFIRM_REGIONS.length,
      steadyRun: {
        readUnits: Math.max(0, steady.extraReadUnits),
        writeUnits: Math.max(0, steady.extraWriteUnits),
        gbSeconds: lambdaGbSeconds(steady.batchGetMs, options.probeMemoryMb),
      },
      outage: {
        readUnits: Math.max(0, onset.extraReadUnits),
        writeUnits: Math.max(0, onset.extraWriteUnits),
        // The probe waits for the whole round: an outage of its own asks a round of its own.
        probeGbSeconds: lambdaGbSeconds(Math.max(0, onset.extraWallMs, roundMs), options.probeMemoryMb),
        logBytes: Math.max(0, onset.extraLogBytes),
      },
      invocation: { gbSeconds: onset.invocationGbSeconds, requestBytes: onset.requestBytes, answerBytes: onset.answerBytes },
      outagesPerMonitorMonth: options.outagesPerMonitorMonth,
      customMetrics: 1,
      alarms: 1,
      logRetentionDays: options.logRetentionDays,
    });
    return { monitors: options.monitors, failing: failing.length, regions: CONFIRM_REGIONS.length, steady, onset, estimate };
  } finally {
    options.client.middlewareStack.remove(TIMING_MIDDLEWARE);
    lambda.destroy();
    await scenario?.close();
    await standIn.close();
  }
}
