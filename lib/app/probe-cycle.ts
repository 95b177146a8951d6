import { randomUUID } from 'node:crypto';
import { mapWithConcurrency } from '../domain/concurrency';
import { evaluateResult } from '../domain/evaluate';
import type { HeartbeatReader } from '../domain/heartbeat';
import type { ApplyLockResult, Confirmer, MetricsSink, Prober, RunRollupStore, RunStores } from '../domain/ports';
import { confirmStep, type SuspectConfirmation } from '../domain/confirmation';
import { confirmSuspects, type SuspectRound } from './confirm-suspects';
import { checkIntervalMs, isDue } from '../domain/schedule';
import { advanceState, initialState, isRemovalDue, pauseForMaintenance, recordRemoval, supersededTransition } from '../domain/state-machine';
import { affectedDependents, applyDependencies, dependencyLayers, holdingParent } from '../domain/dependencies';
import { MaintenanceSchedule, type MaintenanceReader } from '../domain/maintenance';
import { loadMaintenanceSchedule } from './maintenance';
import type { CheckResult, ConfirmSettings, MonitorConfig, MonitorState, MonitorsConfig, ProbeTarget, RunSummary, Transition } from '../domain/types';
import { NO_DEADLINE, sleep, type Deadline } from './deadline';
import { logFailedCheck, logTransition, OUTAGE_HELD_MESSAGE, OUTAGE_RELEASED_MESSAGE, type CycleLogger } from './probe-log';
import { checkHeartbeats } from './heartbeat-checks';
import { buildProbeTarget } from './probe-targets';
import { backfillMissedHours, rollUpFinishedDays, rollUpPreviousHour } from './run-history';
import { dueReminder, withReminder } from '../domain/reminders';
import { stepCertificate, type Certificate } from '../domain/certificate';
import { MINUTE_MS } from '../domain/time';

export type { CycleLogger } from './probe-log';

/** How a run spends the time its deadline leaves. */
export interface ProbeTiming {
  /**
   * Kept back after probing, to wait for the run before, take the apply lock, write the states and
   * the run summary. Probes still running when only this much is left are cut short.
   */
  applyReserveMs: number;
  /** How often a run waiting for the run before (or for the lock) looks again. */
  pollMs: number;
  /** Added to a run's lease beyond its deadline, for writes still in flight when it ends. */
  leaseSlackMs: number;
}

/** For a 55 s function: at most 47 s of probing, then 8 s to store the results. */
export const DEFAULT_PROBE_TIMING: ProbeTiming = { applyReserveMs: 8_000, pollMs: 200, leaseSlackMs: 5_000 };

export interface ProbeCycleDeps {
  config: MonitorsConfig;
  /** The run's stores: one shard's, when sharded. */
  stores: RunStores;
  prober: Prober;
  /**
   * Where heartbeat monitors' pings are read (lib/app/heartbeat-checks.ts): they never reach the
   * prober. None: heartbeat monitors are not checked.
   */
  heartbeats?: HeartbeatReader;
  /**
   * Each monitor's request, its secret references resolved (lib/app/probe-targets.ts); a monitor
   * missing here is not checked. None: every monitor is literal and requested as configured.
   */
  targets?: ReadonlyMap<string, ProbeTarget>;
  metrics: MetricsSink;
  logger: CycleLogger;
  /** The clock that dates checks: when each check starts. */
  now: () => Date;
  /** How many probes may be in flight at once. */
  concurrency: number;
  /** The time between this run's tick and the one before (the period, or a sub-minute cycle's step). Default 1 minute. */
  periodMs?: number;
  /** Wall clock in epoch milliseconds, for leases shared between invocations. Default Date.now. */
  nowMs?: () => number;
  timing?: ProbeTiming;
  /** Where finished hours of run summaries are rolled up (lib/app/run-history.ts); none: no rollups. */
  rollups?: RunRollupStore;
  /** How long hourly rollups are kept (HOURLY_ROLLUP_RETENTION_DAYS unless set): days older than that are not rolled up. */
  hourlyRollupRetentionDays?: number;
  /**
   * Where ad-hoc maintenance windows are stored (`npm run maintenance`), read once a run; the
   * configured ones are in `config`. None: only the configured windows apply.
   */
  maintenance?: MaintenanceReader;
  /**
   * Every configured monitor's id (not only the due ones), given to a run whose stores read every
   * state: a stored state of a monitor not among them is recorded as removed (recordRemovals).
   * Not given: no removal is recorded.
   */
  configuredIds?: ReadonlySet<string>;
  /**
   * Asks the confirmer regions about a run's suspects (monitors.yml `confirm`,
   * lib/app/confirm-suspects.ts). None while `confirm` is configured: every region abstains, and
   * the home region decides alone (logged and counted).
   */
  confirmer?: Confirmer;
  /** The home region's name (AWS_REGION), the first of a confirmation's vantage points. Default 'home'. */
  homeRegion?: string;
}

export interface ProbeCycleOptions {
  /** When the run must have finished: it cuts probes short to still store what it has by then. */
  deadline?: Deadline;
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
  /** Monitors the deadline kept from being probed to the end; they count neither as up nor as down. */
  cutShort: string[];
  /** Monitors no longer configured whose removal this run recorded (unmonitored from its tick). */
  removed: string[];
  /**
   * Why this run's results were not applied: a run of a later tick applied its own first
   * ('superseded'), or the apply lock stayed busy up to the deadline ('lock-busy').
   */
  notApplied?: 'superseded' | 'lock-busy';
  /** With monitors.yml `confirm`: the run's suspects by verdict (see SuspectRound). */
  confirmation?: Omit<SuspectRound, 'confirmations'>;
}

/** How often a conflicting state write is re-read and retried before the result is dropped. */
const SAVE_ATTEMPTS = 3;
/** No lease outlives a Lambda invocation (15 minutes at most). */
const MAX_LEASE_MS = 15 * MINUTE_MS;

type ProbedMonitor = { monitor: MonitorConfig; result: CheckResult } | { monitor: MonitorConfig; result?: undefined };

/**
 * One scheduled run: probe every due monitor, advance each state machine, store what changed,
 * then write the run summary and publish the run's metrics.
 *
 * With a deadline, probes still running when only `applyReserveMs` is left are cut short and not
 * counted (the run ran out of time, the target did not fail), and the results in hand are stored.
 * Results are applied under the apply lock, after the run of the tick before has applied its own,
 * so overlapping runs count each monitor's checks in order.
 */
export async function runProbeCycle(
  tick: string,
  deps: ProbeCycleDeps,
  options: ProbeCycleOptions = {},
): Promise<ProbeCycleReport> {
  const { config, stores, logger } = deps;
  const deadline = options.deadline ?? NO_DEADLINE;
  const timing = deps.timing ?? DEFAULT_PROBE_TIMING;
  const nowMs = deps.nowMs ?? Date.now;
  const started = deps.now();
  if (await stores.runs.hasRunSummary(tick)) {
    logger.info('tick already ran, skipping duplicate delivery', { tick });
    return { tick, duplicate: true, checks: 0, failures: 0, monitorsDown: 0, transitions: [], conflicts: [], cutShort: [], removed: [] };
  }
  // The run's lease: as long as it can live. The run of the next tick waits for it (a while) to store first.
  await stores.markers.markRunStarted(tick, Math.round(nowMs() + Math.min(deadline.remainingMs(), MAX_LEASE_MS) + timing.leaseSlackMs));

  const schedule = await loadSchedule(deps);
  const due = config.monitors.filter((monitor) => isDue(checkIntervalMs(monitor, deps.periodMs ?? MINUTE_MS), tick) && (deps.targets?.has(monitor.id) ?? true));
  // Heartbeat monitors are weighed from their stored pings, all in one read, before any probe.
  const heartbeatChecks = deps.heartbeats ? await checkHeartbeats(due, deps.heartbeats, deps.now().toISOString()) : [];
  for (const { monitor, result } of heartbeatChecks) if (!result.ok) logFailedCheck(logger, monitor, result, tick);
  const probeSignal = deadline.signalBefore(timing.applyReserveMs);
  /** The leaf certificate each https check saw, by monitor. */
  const certificates = new Map<string, Certificate>();
  const probed = await mapWithConcurrency(due.filter((monitor) => monitor.type !== 'heartbeat'), deps.concurrency, async (monitor): Promise<ProbedMonitor> => {
    if (probeSignal.aborted) return { monitor };
    const checkedAt = deps.now().toISOString();
    const outcome = await deps.prober.probe(deps.targets?.get(monitor.id) ?? buildProbeTarget(monitor), probeSignal);
    // Cut short by the run's deadline: the target did not fail, the run ran out of time.
    if (probeSignal.aborted && outcome.kind === 'error') return { monitor };
    const result = evaluateResult(monitor.expect, outcome, checkedAt);
    if (outcome.kind === 'response' && outcome.certificate) certificates.set(monitor.id, outcome.certificate);
    if (!result.ok) logFailedCheck(logger, monitor, result, tick);
    return { monitor, result };
  });
  const checks = [...heartbeatChecks, ...probed.filter((entry): entry is { monitor: MonitorConfig; result: CheckResult } => entry.result !== undefined)];
  const cutShort = probed.filter((entry) => entry.result === undefined).map(({ monitor }) => monitor.id);
  if (cutShort.length > 0) {
    logger.warn('probes cut short: the run ran out of time; their results are not counted', { tick, monitorIds: cutShort });
  }

  const buildSummary = (states: Map<string, MonitorState>): RunSummary => ({
    tick,
    startedAt: started.toISOString(),
    durationMs: deps.now().getTime() - started.getTime(),
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
  });
  // Failures that would declare an outage are confirmed from the other regions first: once the run
  // before has stored (so the states tell which failures cross their threshold), outside the apply
  // lock (the round takes seconds), within the time the run keeps to store.
  const { confirm } = config;
  const confirmRound = confirm
    ? () =>
        confirmSuspects(
          tick,
          checks,
          schedule,
          { confirm, ...(deps.confirmer ? { confirmer: deps.confirmer } : {}), homeRegion: deps.homeRegion ?? 'home', states: stores.states, ...(deps.targets ? { targets: deps.targets } : {}), logger, nowMs },
          deadline.remainingMs() - timing.applyReserveMs,
        )
    : undefined;
  const applied = await applyChecks(tick, checks, deps, deadline, timing, buildSummary, certificates, schedule, confirmRound);
  const round = applied.round;
  if (applied.duplicate) {
    logger.info('tick ran meanwhile (a duplicate delivery), this run stores nothing', { tick });
    return { tick, duplicate: true, checks: 0, failures: 0, monitorsDown: 0, transitions: [], conflicts: [], cutShort, removed: [] };
  }
  const summary = applied.summary;
  const finished = new Date(started.getTime() + summary.durationMs);
  try {
    await deps.metrics.publishRun(
      {
        checks: summary.checks,
        failures: summary.failures,
        monitorsDown: summary.monitorsDown,
        durationMs: summary.durationMs,
        ...(round ? { confirmHomeAlone: round.homeAlone.length } : {}),
      },
      finished,
    );
  } catch (error) {
    logger.error('could not publish run metrics', { tick, error: String(error) });
  }
  if (applied.conflicts.length > 0) logger.warn('another run changed these monitors first', { tick, monitorIds: applied.conflicts });
  // Rolls up the previous hour during minutes 5 to 9; never throws, and leaves it to a later run when time is short.
  if (deps.rollups) {
    await rollUpPreviousHour(tick, { runs: stores.runs, rollups: deps.rollups, logger, deadline });
    // And any hour an earlier run missed, while its run summaries are still there.
    await backfillMissedHours(tick, { runs: stores.runs, rollups: deps.rollups, logger, deadline });
    // Then each finished day, from its hours.
    await rollUpFinishedDays(tick, { runs: stores.runs, rollups: deps.rollups, logger, deadline, hourlyRetentionDays: deps.hourlyRollupRetentionDays });
  }
  return {
    tick,
    duplicate: false,
    checks: summary.checks,
    failures: summary.failures,
    monitorsDown: summary.monitorsDown,
    transitions: applied.transitions,
    conflicts: applied.conflicts,
    cutShort,
    removed: applied.removed,
    ...(applied.notApplied ? { notApplied: applied.notApplied } : {}),
    ...(round ? { confirmation: { outage: round.outage, regional: round.regional, homeAlone: round.homeAlone } } : {}),
  };
}

type Applied =
  | { duplicate: true; round?: SuspectRound }
  | {
      duplicate?: false;
      /** The run's confirmation round, with monitors.yml `confirm`. */
      round?: SuspectRound;
      transitions: Transition[];
      conflicts: string[];
      removed: string[];
      /** The run summary, written before the lock was released. */
      summary: RunSummary;
      notApplied?: 'superseded' | 'lock-busy';
    };

/**
 * Waits (up to a period) for the run of the tick before to store its results if it is under way,
 * takes the apply lock, reads the states, stores each monitor's step and the run summary. Stores no
 * results when a later tick stored first or the lock is still busy when half the reserve is gone.
 */
async function applyChecks(
  tick: string,
  checks: { monitor: MonitorConfig; result: CheckResult }[],
  deps: ProbeCycleDeps,
  deadline: Deadline,
  timing: ProbeTiming,
  buildSummary: (states: Map<string, MonitorState>) => RunSummary,
  certificates: ReadonlyMap<string, Certificate> = new Map(),
  schedule: MaintenanceSchedule = new MaintenanceSchedule([]),
  confirmRound?: () => Promise<SuspectRound>,
): Promise<Applied> {
  const { stores, logger } = deps;
  const nowMs = deps.nowMs ?? Date.now;
  const periodMs = deps.periodMs ?? MINUTE_MS;
  const waitSignal = deadline.signalBefore(timing.applyReserveMs / 2);

  // Waiting keeps overlapping runs from dropping the older one's results; it is not what keeps
  // them in order (the lock does). So it is bounded: a run more than a period behind (or dead with
  // its lease still running) is left behind, and superseded should it ever store.
  const previousTick = new Date(Date.parse(tick) - periodMs).toISOString();
  const waitForPrevious = AbortSignal.any([waitSignal, AbortSignal.timeout(periodMs)]);
  while (!waitForPrevious.aborted && (await stores.markers.isRunPending(previousTick, nowMs()))) {
    await sleep(timing.pollMs, waitForPrevious).catch(() => undefined);
  }
  const round = confirmRound ? await confirmRound() : undefined;
  const confirmations: ReadonlyMap<string, SuspectConfirmation> = round?.confirmations ?? new Map();

  const holder = randomUUID();
  let lock: ApplyLockResult = 'busy';
  // The lock is held only while storing: its lease is that long (not the whole run), so a run
  // that dies holding it blocks the others for seconds, not for the rest of its timeout.
  const storeMs = () => Math.min(deadline.remainingMs(), timing.applyReserveMs);
  let storeUntilMs = 0;
  while (!waitSignal.aborted) {
    const attemptMs = nowMs();
    storeUntilMs = attemptMs + storeMs();
    lock = await stores.lock.acquireApplyLock(tick, holder, Math.round(storeUntilMs + timing.leaseSlackMs), attemptMs);
    if (lock !== 'busy') break;
    await sleep(timing.pollMs, waitSignal).catch(() => undefined);
  }
  if (lock !== 'acquired') {
    if (lock === 'superseded') logger.warn('a run of a later tick stored its results first; this run is stale and stores none', { tick });
    else logger.error('the apply lock stayed busy until the deadline; this run stores no results', { tick });
    const summary = buildSummary(await stores.states.loadStates());
    await stores.runs.putRunSummary(summary);
    return { transitions: [], conflicts: [], removed: [], summary, notApplied: lock === 'superseded' ? 'superseded' : 'lock-busy', ...(round ? { round } : {}) };
  }

  try {
    // A delivery of the same tick that held the lock before us finished the tick.
    if (await stores.runs.hasRunSummary(tick)) return { duplicate: true, ...(round ? { round } : {}) };
    const states = await stores.states.loadStates();
    const transitions: Transition[] = [];
    const conflicts: string[] = [];
    const unstored: string[] = [];
    const results = new Map(checks.map(({ monitor, result }) => [monitor.id, result]));
    const run: RunContext = { tick, dependents: deps.config.monitors, states, results, schedule, confirmations, ...(deps.config.confirm ? { confirm: deps.config.confirm } : {}) };
    // Parents before their dependents: a dependent's step sees its parents' states of this run.
    for (const layer of dependencyLayers(checks.map((check) => ({ ...check, id: check.monitor.id, dependsOn: check.monitor.dependsOn })))) {
      await mapWithConcurrency(layer, deps.concurrency, async ({ monitor, result }) => {
        // Past the lock's lease another run may take the lock: stop writing before that.
        if (nowMs() > storeUntilMs) {
          unstored.push(monitor.id);
          return;
        }
        const stored = states.get(monitor.id) ?? initialState(monitor.id, result.checkedAt);
        const saved = await saveStep(deps, monitor, stored, result, run, certificates.get(monitor.id));
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
    }
    if (unstored.length > 0) logger.error('ran out of time while storing; these results are not stored', { tick, monitorIds: unstored });
    const removed = deps.configuredIds ? await recordRemovals(tick, states, deps.configuredIds, deps, () => nowMs() <= storeUntilMs) : [];
    // Written under the lock: a duplicate delivery waiting for it then finds the tick done.
    const summary = buildSummary(states);
    await stores.runs.putRunSummary(summary);
    return { transitions, conflicts, removed, summary, ...(round ? { round } : {}) };
  } finally {
    await stores.lock.releaseApplyLock(tick, holder).catch((error: unknown) =>
      logger.warn('could not release the apply lock; the next run waits for its lease', { tick, error: String(error) }),
    );
  }
}

/** What every step of one run's apply sees: the states stepped so far, every check's result, the maintenance calendar. */
interface RunContext {
  tick: string;
  /** Every configured monitor: whose dependents an outage names. */
  dependents: readonly MonitorConfig[];
  states: ReadonlyMap<string, MonitorState>;
  results: ReadonlyMap<string, CheckResult>;
  schedule: MaintenanceSchedule;
  /** With monitors.yml `confirm`: its settings, and this run's suspects' confirmations. */
  confirm?: ConfirmSettings;
  confirmations: ReadonlyMap<string, SuspectConfirmation>;
}

/**
 * The windows that apply to this run: the configured ones and the stored ad-hoc ones. A failed
 * read of the ad-hoc ones is logged and leaves the configured ones: a run never fails for it.
 */
async function loadSchedule(deps: ProbeCycleDeps): Promise<MaintenanceSchedule> {
  try {
    return await loadMaintenanceSchedule(deps.config, deps.maintenance);
  } catch (error) {
    deps.logger.error('could not read the ad-hoc maintenance windows; this run applies the configured ones only', { error: String(error) });
    return new MaintenanceSchedule(deps.config.maintenance);
  }
}

/**
 * One monitor's step for a check: the state machine's, paused inside a maintenance window
 * (lib/domain/maintenance.ts), with the dependency rules applied outside one
 * (lib/domain/dependencies.ts): a held outage, a release, the dependents an outage names.
 */
function stepMonitor(monitor: MonitorConfig, current: MonitorState, result: CheckResult, run: RunContext) {
  const { tick } = run;
  const maintenance = run.schedule.activeAt(monitor.id, Date.parse(result.checkedAt));
  if (maintenance) return { ...pauseForMaintenance(current, monitor.remindEveryMs, tick), maintenance };
  const advanced = advanceState(current, result, monitor, tick);
  // An outage needs a quorum of vantage points (heartbeats, seen from nowhere else, need none).
  const confirmed = run.confirm && monitor.type !== 'heartbeat' ? confirmStep(current, advanced, run.confirmations.get(monitor.id), run.confirm) : advanced;
  const step = applyDependencies(confirmed, current, holdingParent(monitor.dependsOn, run.states), tick);
  if (step.transition?.to === 'DOWN' && step.transition.heldBy === undefined) {
    const affected = affectedDependents(monitor.id, run.dependents, (id) => run.results.get(id) ?? run.states.get(id));
    if (affected.length > 0) return { ...step, transition: { ...step.transition, affected } };
  }
  if (step.released && monitor.remindEveryMs !== undefined) {
    // The reminders the outage owed while held are not sent: the next one comes on its schedule.
    const owed = dueReminder(step.state, monitor.remindEveryMs, tick);
    if (owed) return { ...step, state: { ...step.state, remindersSent: owed.number, remindedSince: owed.outageStartedAt } };
  }
  return step;
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
  run: RunContext,
  certificate?: Certificate,
): Promise<{ state?: MonitorState; transition?: Transition } | 'conflict'> {
  const { tick } = run;
  let current = initial;
  for (let attempt = 1; attempt <= SAVE_ATTEMPTS; attempt += 1) {
    if (current.tick >= tick && current.version > 0) return 'conflict';
    const step = stepMonitor(monitor, current, result, run);
    // A monitor still DOWN may owe a reminder (never with a transition: a new outage starts at 0;
    // never inside a window; never while its outage is held back or as it is released).
    const quiet = step.transition !== undefined || 'maintenance' in step || step.state.heldBy !== undefined || 'released' in step;
    const reminder = quiet ? undefined : dueReminder(step.state, monitor.remindEveryMs, tick);
    // A new certificate (a renewal) or a due warning is stored; the same certificate again costs nothing.
    const tls = certificate && monitor.tls ? stepCertificate(monitor.id, current.certificate, certificate, monitor.tls.warnBeforeMs, tick) : undefined;
    if (!step.changed && !reminder && !tls?.changed) return {};
    const stepped = reminder ? withReminder(step.state, reminder, current.version) : step.state;
    const next = tls?.changed ? { ...stepped, certificate: tls.certificate, tick, version: current.version + 1 } : stepped;
    const released = 'released' in step ? step.released : undefined;
    const outcome = await deps.stores.states.saveState(current, next, step.transition, reminder, tls?.warning, released);
    if (outcome === 'saved') {
      if (step.transition) await expireSuperseded(deps, current, step.transition);
      if (released) deps.logger.info(OUTAGE_RELEASED_MESSAGE, { monitorId: monitor.id, since: released.startedAt, tick });
      if ('unconfirmed' in step) {
        deps.logger.warn('outage not declared yet: its state changed after this run picked its suspects, so it was not confirmed; the next run asks', { monitorId: monitor.id, tick });
      }
      if (step.transition?.heldBy !== undefined && step.transition.to === 'DOWN') {
        deps.logger.info(OUTAGE_HELD_MESSAGE, { monitorId: monitor.id, heldBy: step.transition.heldBy, tick });
      }
      if (reminder) deps.logger.info('reminder written: the monitor is still down', { monitorId: monitor.id, number: reminder.number, since: reminder.outageStartedAt, tick });
      if (tls?.warning) {
        deps.logger.info('certificate warning written: the certificate expires soon', {
          monitorId: monitor.id,
          fingerprint: tls.warning.certificate.fingerprint,
          expiresAt: tls.warning.certificate.expiresAt,
          thresholdMs: tls.warning.thresholdMs,
          tick,
        });
      }
      return { state: next, ...(step.transition ? { transition: step.transition } : {}) };
    }
    current = (await deps.stores.states.loadState(monitor.id)) ?? initialState(monitor.id, result.checkedAt);
  }
  return 'conflict';
}

/**
 * Records the removal of every monitor whose state this run read but which is no longer configured
 * (once: see isRemovalDue), each under the same conditions as a check's step. A run only does this
 * when it read every state (`configuredIds` given), so it costs no read; it writes once per
 * removal. A conflict (another run stored the state first) leaves it to a later run.
 */
async function recordRemovals(
  tick: string,
  states: Map<string, MonitorState>,
  configuredIds: ReadonlySet<string>,
  deps: ProbeCycleDeps,
  withinLease: () => boolean,
): Promise<string[]> {
  const due = [...states.values()].filter((state) => isRemovalDue(state, configuredIds, tick));
  const removed: string[] = [];
  for (const [index, state] of due.entries()) {
    if (!withinLease()) {
      const left = due.slice(index).map((unrecorded) => unrecorded.monitorId);
      deps.logger.warn('ran out of time before recording these removals; a later run records them', { tick, monitorIds: left });
      break;
    }
    const step = recordRemoval(state, tick);
    if ((await deps.stores.states.saveState(state, step.state, step.transition)) !== 'saved') continue;
    if (step.transition) await expireSuperseded(deps, state, step.transition);
    states.set(state.monitorId, step.state);
    removed.push(state.monitorId);
    deps.logger.info('monitor no longer configured: recorded as unmonitored from this tick', {
      monitorId: state.monitorId,
      from: state.status,
      since: state.since,
      tick,
    });
  }
  return removed;
}

/**
 * Gives the transition `transition` superseded (the one that set `previous.since`) its TTL. Best
 * effort, after the state is stored: a failure leaves that one item without TTL, and is logged.
 */
async function expireSuperseded(deps: ProbeCycleDeps, previous: MonitorState, transition: Transition): Promise<void> {
  const superseded = supersededTransition(previous);
  if (!superseded) return;
  const context = { monitorId: superseded.monitorId, startedAt: superseded.startedAt, tick: superseded.tick, supersededAt: transition.startedAt };
  try {
    if ((await deps.stores.states.expireTransition(superseded, transition.startedAt)) === 'missing') {
      deps.logger.warn('the transition this one superseded is not stored; nothing to expire', context);
    }
  } catch (error) {
    deps.logger.warn('could not give the superseded transition its TTL; it is kept until deleted by hand', { ...context, error: String(error) });
  }
}
