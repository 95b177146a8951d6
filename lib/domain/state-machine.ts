import { dueReminder } from './reminders';
import type { CheckResult, MonitorState, Thresholds, Transition } from './types';

/** The key of a stored transition: its monitor, `startedAt` and `tick` (the table's `TR#<startedAt>#<tick>`). */
export type TransitionRef = Pick<Transition, 'monitorId' | 'startedAt' | 'tick'>;

export interface StateStep {
  state: MonitorState;
  transition?: Transition;
  /** Whether anything worth storing changed: a counter moved or the status changed. */
  changed: boolean;
}

/** The state of a monitor that has never been checked. */
export function initialState(monitorId: string, now: string): MonitorState {
  return {
    monitorId,
    status: 'UNKNOWN',
    since: now,
    failuresInRow: 0,
    successesInRow: 0,
    tick: '',
    version: 0,
  };
}

/**
 * Advances a monitor's state machine by one check result. Pure.
 *
 * A failure streak of `failureThreshold` takes UP or UNKNOWN to DOWN (an outage); a success streak
 * of `successThreshold` takes DOWN or UNKNOWN to UP (a recovery, or the establishment of a new
 * monitor). Counters saturate at their threshold, so a steady monitor produces no change to store.
 */
export function advanceState(
  state: MonitorState,
  result: CheckResult,
  thresholds: Thresholds,
  tick: string,
): StateStep {
  const streakContinues = result.ok ? state.successesInRow > 0 : state.failuresInRow > 0;
  const streakStartedAt = streakContinues ? (state.streakStartedAt ?? result.checkedAt) : result.checkedAt;
  const failuresInRow = result.ok ? 0 : Math.min(state.failuresInRow + 1, thresholds.failureThreshold);
  const successesInRow = result.ok ? Math.min(state.successesInRow + 1, thresholds.successThreshold) : 0;
  const lastFailureReason = result.ok ? state.lastFailureReason : describeFailure(result);

  const target = result.ok ? 'UP' : 'DOWN';
  const reached = result.ok
    ? successesInRow >= thresholds.successThreshold
    : failuresInRow >= thresholds.failureThreshold;

  // What every stored step writes: the counters, the tick that moved them and a new version; a
  // check means the monitor is configured again, so a recorded removal is cleared. Built only for a
  // step that is stored: a steady monitor's step allocates nothing (and after a removal the
  // counters are 0, so the first check always stores).
  // A success clears a regional failure (lib/domain/confirmation.ts), and a recovery the outage's
  // confirmation; a failure keeps either (the next confirmation replaces it).
  const clearsConfirmation = result.ok && state.confirmation !== undefined && (state.confirmation.verdict === 'regional' || reached);
  const moved = (): MonitorState => {
    const { removedAt: _removedAt, confirmation, ...kept } = state;
    return {
      ...kept,
      ...(confirmation && !clearsConfirmation ? { confirmation } : {}),
      failuresInRow,
      successesInRow,
      streakStartedAt,
      lastFailureReason,
      tick,
      version: state.version + 1,
    };
  };

  if (state.status !== target && reached) {
    const transition: Transition = {
      monitorId: state.monitorId,
      from: state.status,
      to: target,
      startedAt: streakStartedAt,
      confirmedAt: result.checkedAt,
      previousSince: state.since,
      tick,
      ...(result.ok ? {} : { reason: describeFailure(result) }),
    };
    return { state: { ...moved(), status: target, since: streakStartedAt, sinceTick: tick }, transition, changed: true };
  }

  const changed =
    clearsConfirmation ||
    failuresInRow !== state.failuresInRow ||
    successesInRow !== state.successesInRow ||
    streakStartedAt !== state.streakStartedAt;
  return changed ? { state: moved(), changed: true } : { state, changed: false };
}

/**
 * The step of a check inside a maintenance window: the state machine pauses. The status stays as
 * it was (no transition, so no outage or recovery alert), the streaks are dropped (the first check
 * after the window begins a new one, so a target still failing then is alerted after its usual
 * threshold), and the reminders a DOWN monitor comes to owe inside the window are counted as sent
 * (none goes out; the next one after the window comes on its schedule). Stores once as a window
 * begins, then nothing while it lasts (apart from a reminder's count). Pure.
 */
export function pauseForMaintenance(state: MonitorState, remindEveryMs: number | undefined, tick: string): StateStep {
  const owed = state.status === 'DOWN' ? dueReminder(state, remindEveryMs, tick) : undefined;
  // A regional failure ends with its streak; an outage's confirmation stays while it is DOWN.
  const regional = state.confirmation?.verdict === 'regional';
  if (state.failuresInRow === 0 && state.successesInRow === 0 && state.streakStartedAt === undefined && !owed && !regional) return { state, changed: false };
  const { streakStartedAt: _streak, confirmation, ...kept } = state;
  return {
    state: {
      ...kept,
      ...(confirmation && !regional ? { confirmation } : {}),
      failuresInRow: 0,
      successesInRow: 0,
      tick,
      version: state.version + 1,
      ...(owed ? { remindersSent: owed.number, remindedSince: owed.outageStartedAt } : {}),
    },
    changed: true,
  };
}

/**
 * Whether a run of `tick` that checks the monitors `configuredIds` (every configured monitor) should
 * record the removal of a stored state's monitor: it is not configured, its removal is not recorded
 * yet, and no run of this tick or a later one has stored it.
 */
export function isRemovalDue(state: MonitorState, configuredIds: ReadonlySet<string>, tick: string): boolean {
  return !configuredIds.has(state.monitorId) && state.removedAt === undefined && state.tick < tick;
}

/**
 * The step that records a monitor's removal from the configuration, noticed by the run of `tick`:
 * the monitor is unmonitored from that tick. A monitor that was UP or DOWN gets a transition to
 * UNKNOWN starting at the tick (it ends an open outage there, and uptime counts the time after it
 * as unmonitored); one that was already UNKNOWN keeps its `since`, and needs no transition. Either
 * way the counters and streak are reset and `removedAt` set, so the removal is recorded once, and a
 * monitor added back later starts as a new one: its first checks establish it (no email) or, after
 * its failure threshold, report an outage. Pure.
 */
export function recordRemoval(state: MonitorState, tick: string): StateStep {
  // A held outage ends with the monitor's removal, unreleased: a monitor added back starts anew.
  const { streakStartedAt: _streak, lastFailureReason: _reason, heldBy: _heldBy, heldOutage: _heldOutage, confirmation: _confirmation, ...kept } = state;
  const reset: MonitorState = { ...kept, failuresInRow: 0, successesInRow: 0, tick, version: state.version + 1, removedAt: tick };
  if (state.status === 'UNKNOWN') return { state: reset, changed: true };
  const transition: Transition = {
    monitorId: state.monitorId,
    from: state.status,
    to: 'UNKNOWN',
    startedAt: tick,
    confirmedAt: tick,
    previousSince: state.since,
    tick,
  };
  return { state: { ...reset, status: 'UNKNOWN', since: tick, sinceTick: tick }, transition, changed: true };
}

/**
 * The stored transition a transition made from `previous` supersedes: the one that set its
 * `since`, whose key `previous` holds. Undefined when it has none (a monitor that never made a
 * transition), or when it was stored before states recorded `sinceTick` (such a transition was
 * written with its TTL already).
 */
export function supersededTransition(previous: MonitorState): TransitionRef | undefined {
  return previous.sinceTick === undefined ? undefined : { monitorId: previous.monitorId, startedAt: previous.since, tick: previous.sinceTick };
}

/** `http-status: expected 200, got 503` style text for logs, emails and incidents. */
export function describeFailure(result: CheckResult): string {
  if (result.ok) return '';
  const reason = result.reason ?? 'network';
  return result.message ? `${reason}: ${result.message}` : reason;
}
