import type { Logger } from '@aws-lambda-powertools/logger';
import { mapWithConcurrency } from '../domain/concurrency';
import { evaluateResult } from '../domain/evaluate';
import type { MetricsSink, Prober, StateStore } from '../domain/ports';
import { isDue } from '../domain/schedule';
import { advanceState, initialState } from '../domain/state-machine';
import type { CheckResult, MonitorConfig, MonitorState, MonitorsConfig, RunSummary, Transition } from '../domain/types';

/** The structured logger the cycle writes to. */
export type CycleLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface ProbeCycleDeps {
  config: MonitorsConfig;
  store: StateStore;
  prober: Prober;
  metrics: MetricsSink;
  logger: CycleLogger;
  /** The wall clock: when each check starts. */
  now: () => Date;
  /** How many probes may be in flight at once. */
  concurrency: number;
}

export interface ProbeCycleReport {
  tick: string;
  /** True when this tick had already run (a duplicated scheduled event): nothing was done. */
  duplicate: boolean;
  checks: number;
  failures: number;
  monitorsDown: number;
  transitions: Transition[];
  /** Monitors whose state another run changed first; their result for this tick was not counted. */
  conflicts: string[];
}

/** How often a conflicting state write is re-read and retried before the result is dropped. */
const SAVE_ATTEMPTS = 3;

/**
 * One scheduled run: probe every due monitor, advance each state machine, store what changed,
 * then write the run summary and publish the run's metrics.
 */
export async function runProbeCycle(tick: string, deps: ProbeCycleDeps): Promise<ProbeCycleReport> {
  const { config, store, logger } = deps;
  const started = deps.now();
  if (await store.hasRunSummary(tick)) {
    logger.info('tick already ran, skipping duplicate delivery', { tick });
    return { tick, duplicate: true, checks: 0, failures: 0, monitorsDown: 0, transitions: [], conflicts: [] };
  }

  const states = await store.loadStates();
  const due = config.monitors.filter((monitor) => isDue(monitor.intervalMs, tick));
  const checks = await mapWithConcurrency(due, deps.concurrency, async (monitor) => {
    const checkedAt = deps.now().toISOString();
    const outcome = await deps.prober.probe(monitor);
    const result = evaluateResult(monitor.expect, outcome, checkedAt);
    if (!result.ok) logFailedCheck(logger, monitor, result, tick);
    return { monitor, result };
  });

  const transitions: Transition[] = [];
  const conflicts: string[] = [];
  await mapWithConcurrency(checks, deps.concurrency, async ({ monitor, result }) => {
    const stored = states.get(monitor.id) ?? initialState(monitor.id, result.checkedAt);
    const saved = await saveStep(deps, monitor, stored, result, tick);
    if (saved === 'conflict') {
      conflicts.push(monitor.id);
      return;
    }
    if (saved.state) states.set(monitor.id, saved.state);
    if (saved.transition) {
      transitions.push(saved.transition);
      logTransition(logger, monitor, saved.transition);
    }
  });

  const finished = deps.now();
  const summary: RunSummary = {
    tick,
    startedAt: started.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    checks: checks.length,
    failures: checks.filter((check) => !check.result.ok).length,
    monitorsDown: config.monitors.filter((monitor) => states.get(monitor.id)?.status === 'DOWN').length,
    results: Object.fromEntries(
      checks.map(({ monitor, result }) => [
        monitor.id,
        {
          ok: result.ok,
          latencyMs: result.latencyMs,
          ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
          ...(result.reason ? { reason: result.reason } : {}),
        },
      ]),
    ),
  };
  await store.putRunSummary(summary);
  try {
    await deps.metrics.publishRun(
      { checks: summary.checks, failures: summary.failures, monitorsDown: summary.monitorsDown, durationMs: summary.durationMs },
      finished,
    );
  } catch (error) {
    logger.error('could not publish run metrics', { tick, error: String(error) });
  }
  if (conflicts.length > 0) logger.warn('another run changed these monitors first', { tick, monitorIds: conflicts });
  return {
    tick,
    duplicate: false,
    checks: summary.checks,
    failures: summary.failures,
    monitorsDown: summary.monitorsDown,
    transitions,
    conflicts,
  };
}

/**
 * Advances one monitor and stores the step if it changed anything. On a conflict (another run
 * wrote first) the state is read again: if that run already handled this tick or a later one, this
 * result is dropped; otherwise the step is redone on the fresh state.
 */
async function saveStep(
  deps: ProbeCycleDeps,
  monitor: MonitorConfig,
  initial: MonitorState,
  result: CheckResult,
  tick: string,
): Promise<{ state?: MonitorState; transition?: Transition } | 'conflict'> {
  let current = initial;
  for (let attempt = 1; attempt <= SAVE_ATTEMPTS; attempt += 1) {
    if (current.tick >= tick && current.version > 0) return 'conflict';
    const step = advanceState(current, result, monitor, tick);
    if (!step.changed) return {};
    const outcome = await deps.store.saveState(current, step.state, step.transition);
    if (outcome === 'saved') return { state: step.state, ...(step.transition ? { transition: step.transition } : {}) };
    current = (await deps.store.loadState(monitor.id)) ?? initialState(monitor.id, result.checkedAt);
  }
  return 'conflict';
}

function logFailedCheck(logger: CycleLogger, monitor: MonitorConfig, result: CheckResult, tick: string): void {
  logger.warn('check failed', {
    monitorId: monitor.id,
    url: monitor.url,
    reason: result.reason,
    detail: result.message,
    statusCode: result.statusCode,
    latencyMs: result.latencyMs,
    checkedAt: result.checkedAt,
    tick,
  });
}

function logTransition(logger: CycleLogger, monitor: MonitorConfig, transition: Transition): void {
  const fields = {
    monitorId: monitor.id,
    url: monitor.url,
    from: transition.from,
    to: transition.to,
    startedAt: transition.startedAt,
    confirmedAt: transition.confirmedAt,
    previousSince: transition.previousSince,
  };
  if (transition.to === 'DOWN') logger.error('monitor down', { ...fields, reason: transition.reason });
  else if (transition.from === 'DOWN') logger.info('monitor recovered', fields);
  else logger.info('monitor established', fields);
}

