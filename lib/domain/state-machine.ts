import type { CheckResult, MonitorState, Thresholds, Transition } from './types';

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

  // What every stored step writes: the counters, the tick that moved them and a new version.
  // Built only for a step that is stored: a steady monitor's step allocates nothing.
  const moved = (): MonitorState => ({ ...state, failuresInRow, successesInRow, streakStartedAt, lastFailureReason, tick, version: state.version + 1 });

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
    return { state: { ...moved(), status: target, since: streakStartedAt }, transition, changed: true };
  }

  const changed =
    failuresInRow !== state.failuresInRow ||
    successesInRow !== state.successesInRow ||
    streakStartedAt !== state.streakStartedAt;
  return changed ? { state: moved(), changed: true } : { state, changed: false };
}

/** `http-status: expected 200, got 503` style text for logs, emails and incidents. */
export function describeFailure(result: CheckResult): string {
  if (result.ok) return '';
  const reason = result.reason ?? 'network';
  return result.message ? `${reason}: ${result.message}` : reason;
}
