import type { MetricsSink, RunMetrics, RunStores } from '../domain/ports';
import { checkIntervalMs, cycleOffsets, isDueInCycle } from '../domain/schedule';
import { planShards, shardKey, statesToRead, type RunScope, type Shard, type ShardDispatcher, type ShardRef } from '../domain/shards';
import { HOUR_MS } from '../domain/time';
import type { MonitorConfig } from '../domain/types';
import { NO_DEADLINE, sleep, type Deadline } from './deadline';
import { DEFAULT_PROBE_TIMING, runProbeCycle, type ProbeCycleDeps, type ProbeCycleReport } from './probe-cycle';

/**
 * One scheduled period (a minute when deployed) of the probe, past one Lambda and below a minute:
 *
 * - **Fan-out.** Above `maxPerShard` monitors the period's monitors are split into shards
 *   (lib/domain/shards.ts); the scheduled invocation hands every shard but the first to a parallel
 *   invocation of the same function (`dispatcher`) and runs the first itself. Each shard runs
 *   under keys of its own (run summary, run marker, apply lock: see `RunScope`), so a shard
 *   delivered twice, or retried, finds its run summary and does nothing: the duplicate-tick
 *   guarantee of an unsharded run, per shard.
 * - **Sub-minute checks.** A shard with monitors whose interval is shorter than the period runs
 *   extra cycles inside it, at 0, 10, 20 ... s for a 10 s interval, each a run of its own with its
 *   own tick (the period's tick plus the offset) and only the monitors due then. A cycle that
 *   overruns pushes the next one back; a cycle whose slot has passed entirely is skipped.
 *
 * The metrics of a shard's cycles are published once per period, summed (the largest run
 * duration and count of monitors down); shards publish their own and CloudWatch adds them up.
 */

export interface ScheduledRunDeps extends Omit<ProbeCycleDeps, 'stores' | 'periodMs' | 'configuredIds'> {
  /** The stores for one shard's runs: its own run keys, and reads of only its monitors' states. */
  storesFor(scope: RunScope): RunStores;
  /** The schedule's period (PROBE_PERIOD): a minute when deployed. */
  periodMs: number;
  /** The most monitors one invocation probes (PROBE_SHARD_SIZE). */
  maxPerShard: number;
  dispatcher: ShardDispatcher;
}

export interface ScheduledRunOptions {
  deadline?: Deadline;
}

export interface ShardRunReport {
  tick: string;
  shard: ShardRef;
  /** Shards handed to other invocations (the scheduled invocation only). */
  dispatched: number;
  /** One report per cycle run, in order. */
  cycles: ProbeCycleReport[];
  /** Offsets (ms into the period) whose cycle was skipped because it started too late. */
  skippedOffsets: number[];
}

/** A shard could not be handed on; its monitors were not probed in this period. */
export class ShardDispatchError extends Error {
  override readonly name = 'ShardDispatchError';
  constructor(
    readonly tick: string,
    readonly failed: ShardRef[],
    options?: ErrorOptions,
  ) {
    super(`could not hand on ${failed.length} shard(s) of ${tick}: ${failed.map((ref) => `${ref.index + 1}/${ref.count}`).join(', ')}`, options);
  }
}

/**
 * The scheduled invocation: plans the shards, hands all but the first on, runs the first. If a
 * shard could not be handed on, it throws after its own shard is done, so Lambda retries the
 * scheduled event: the retry hands every shard on again, and those that already ran skip.
 */
export async function runScheduledTick(tick: string, deps: ScheduledRunDeps, options: ScheduledRunOptions = {}): Promise<ShardRunReport> {
  const plan = planShards(deps.config.monitors, deps.maxPerShard, deps.periodMs);
  const [own, ...others] = plan as [Shard<MonitorConfig>, ...Shard<MonitorConfig>[]];
  const handedOn = await Promise.allSettled(others.map((shard) => deps.dispatcher.dispatch({ tick, shard: { index: shard.index, count: shard.count } })));
  const failed = others.filter((_, index) => handedOn[index]?.status === 'rejected');
  for (const [index, outcome] of handedOn.entries()) {
    if (outcome.status === 'rejected') {
      deps.logger.error('could not hand a shard on; its monitors are not probed this period', { tick, shard: shardKey(others[index] as ShardRef), error: String(outcome.reason) });
    }
  }
  const report = await runShard(tick, own, plan, deps, options);
  if (failed.length > 0) throw new ShardDispatchError(tick, failed, { cause: handedOn.find((outcome) => outcome.status === 'rejected') });
  return { ...report, dispatched: others.length - failed.length };
}

/** A shard invocation: finds its shard in its own plan and runs it. Undefined when its plan does not have that shard. */
export async function runShardTick(tick: string, ref: ShardRef, deps: ScheduledRunDeps, options: ScheduledRunOptions = {}): Promise<ShardRunReport | undefined> {
  const plan = planShards(deps.config.monitors, deps.maxPerShard, deps.periodMs);
  const shard = plan.length === ref.count ? plan[ref.index] : undefined;
  if (!shard) {
    // The configuration or shard size changed between the scheduled invocation and this one (a deploy).
    deps.logger.error('shard not in this invocation’s plan; the configuration changed since the period was planned', { tick, shard: ref, planned: plan.length });
    return undefined;
  }
  return runShard(tick, shard, plan, deps, options);
}

async function runShard(
  tick: string,
  shard: Shard<MonitorConfig>,
  plan: readonly Shard<MonitorConfig>[],
  deps: ScheduledRunDeps,
  options: ScheduledRunOptions,
): Promise<ShardRunReport> {
  const deadline = options.deadline ?? NO_DEADLINE;
  const nowMs = deps.nowMs ?? Date.now;
  const key = shardKey(shard);
  const offsets = shard.fast ? cycleOffsets(shard.monitors.map((monitor) => checkIntervalMs(monitor, deps.periodMs)), deps.periodMs) : [0];
  const stepMs = offsets[1] ?? deps.periodMs;
  const timing = deps.timing ?? { ...DEFAULT_PROBE_TIMING, applyReserveMs: Math.min(DEFAULT_PROBE_TIMING.applyReserveMs, Math.round(stepMs * 0.3)) };
  // One shard rolls the hours up: the first that runs no extra cycles (a rollup would hold them up).
  const rollupShard = plan.find((candidate) => !candidate.fast) ?? plan[0];
  const tickEpochMs = Date.parse(tick);
  const allIds = deps.config.monitors.map((monitor) => monitor.id).sort();
  const collector = new RunMetricsCollector();
  const cycles: ProbeCycleReport[] = [];
  const skippedOffsets: number[] = [];

  for (const offset of offsets) {
    if (offset > 0) {
      const startAtMs = tickEpochMs + offset;
      if (nowMs() >= startAtMs + stepMs) {
        skippedOffsets.push(offset);
        continue;
      }
      const wait = Math.max(0, startAtMs - nowMs());
      // Not enough time left before the deadline to probe and store this cycle: the period ends here.
      if (deadline.remainingMs() - wait <= timing.applyReserveMs) break;
      if (wait > 0) await sleep(wait);
    }
    const due = shard.monitors.filter((monitor) => isDueInCycle(checkIntervalMs(monitor, deps.periodMs), tick, offset, deps.periodMs));
    if (due.length === 0) continue;
    const readsAll = offset === 0 && readsAllStates(shard, rollupShard, tickEpochMs, deps.periodMs);
    // The states of the monitors they depend on too (in this shard or another): a dependent's outage is held while one is down.
    const read = [...new Set([...due.map((monitor) => monitor.id), ...due.flatMap((monitor) => monitor.dependsOn)])];
    const scope: RunScope = { shard: key, states: readsAll ? 'all' : statesToRead(read, allIds) };
    const { rollups, ...cycleDeps } = deps;
    const report = await runProbeCycle(
      new Date(tickEpochMs + offset).toISOString(),
      {
        ...cycleDeps,
        ...(rollups && offset === 0 && shard === rollupShard ? { rollups } : {}),
        ...(readsAll ? { configuredIds: new Set(allIds) } : {}),
        config: { ...deps.config, monitors: due },
        stores: deps.storesFor(scope),
        metrics: collector,
        periodMs: shard.fast ? stepMs : deps.periodMs,
        timing,
      },
      options,
    );
    cycles.push(report);
  }
  if (skippedOffsets.length > 0) deps.logger.warn('cycles skipped: an earlier cycle ran past their slot', { tick, shard: key, offsetsMs: skippedOffsets });
  const total = collector.total();
  if (total) {
    try {
      await deps.metrics.publishRun(total, deps.now());
    } catch (error) {
      deps.logger.error('could not publish run metrics', { tick, shard: key, error: String(error) });
    }
  }
  return { tick, shard: { index: shard.index, count: shard.count }, dispatched: 0, cycles, skippedOffsets };
}

/**
 * Whether a period's first cycle in this shard reads every state, and so records the removal of
 * monitors no longer configured (see ProbeCycleDeps.configuredIds). An unsharded run reads them
 * all at every tick anyway (one Query), so it records a removal at the first tick without the
 * monitor, at no extra cost. Sharded, no run reads them all: the rollup shard's run does, in place
 * of its own slice, at the first tick of each hour (one Query of every state an hour, about 63
 * read units for 1,000 monitors), so a removal is recorded up to an hour late and the time until
 * then counts as the monitor's last status.
 */
function readsAllStates(shard: Shard<MonitorConfig>, rollupShard: Shard<MonitorConfig> | undefined, tickEpochMs: number, periodMs: number): boolean {
  return shard.count === 1 || (shard === rollupShard && tickEpochMs % HOUR_MS < periodMs);
}

/** Adds up the metrics of a shard's cycles: checks and failures summed, monitors down and duration at their largest. */
class RunMetricsCollector implements MetricsSink {
  private sum: RunMetrics | undefined;

  async publishRun(metrics: RunMetrics): Promise<void> {
    this.sum = this.sum
      ? {
          checks: this.sum.checks + metrics.checks,
          failures: this.sum.failures + metrics.failures,
          monitorsDown: Math.max(this.sum.monitorsDown, metrics.monitorsDown),
          durationMs: Math.max(this.sum.durationMs, metrics.durationMs),
          ...(this.sum.confirmHomeAlone !== undefined || metrics.confirmHomeAlone !== undefined
            ? { confirmHomeAlone: (this.sum.confirmHomeAlone ?? 0) + (metrics.confirmHomeAlone ?? 0) }
            : {}),
        }
      : { ...metrics };
  }

  total(): RunMetrics | undefined {
    return this.sum;
  }
}

/** What one invocation did in a period: its cycles added up, with the cycles themselves. */
export interface ProbeRunReport extends ProbeCycleReport, Omit<ShardRunReport, 'tick'> {}

/**
 * A shard's period as one report: the period's tick; true `duplicate` only when every cycle was
 * one; checks, failures, transitions, conflicts and cut-short monitors of all cycles; the most
 * monitors down in any cycle.
 */
export function combineCycles(report: ShardRunReport): ProbeRunReport {
  const { cycles } = report;
  const notApplied = cycles.find((cycle) => cycle.notApplied !== undefined)?.notApplied;
  return {
    ...report,
    duplicate: cycles.length > 0 && cycles.every((cycle) => cycle.duplicate),
    checks: cycles.reduce((sum, cycle) => sum + cycle.checks, 0),
    failures: cycles.reduce((sum, cycle) => sum + cycle.failures, 0),
    monitorsDown: cycles.reduce((most, cycle) => Math.max(most, cycle.monitorsDown), 0),
    transitions: cycles.flatMap((cycle) => cycle.transitions),
    conflicts: cycles.flatMap((cycle) => cycle.conflicts),
    cutShort: cycles.flatMap((cycle) => cycle.cutShort),
    removed: cycles.flatMap((cycle) => cycle.removed),
    ...(notApplied ? { notApplied } : {}),
  };
}
