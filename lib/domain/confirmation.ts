import type { StateStep } from './state-machine';
import type { CheckResult, Confirmation, ConfirmSettings, FailureReason, MonitorState, Thresholds, Vantage } from './types';

/**
 * Multi-region confirmation (monitors.yml `confirm`): before an outage is declared, the monitors
 * whose failure streak would cross their threshold are checked once more from each confirmer
 * region, and the outage needs `quorum` vantage points (the home region included) to fail. Pure:
 * the probe gathers the confirmers' answers and asks these rules what they mean.
 *
 * Recoveries need no quorum: the home region's own successful checks end an outage. A recovery
 * seen from home is the service answering the probe that alerted, and asking the other regions
 * again would only keep an outage open longer for a service that is back for its users there.
 * The quorum guards against waking someone for one vantage point's trouble; a recovery wakes
 * no one, and an outage that comes back is confirmed again before it is declared again.
 */

/** One confirmer region's answer for one monitor: its check, or why it gave none. */
export type VantageResult =
  | { region: string; outcome: 'ok'; latencyMs: number }
  | { region: string; outcome: 'failed'; latencyMs: number; reason: FailureReason }
  /** It errored, was throttled or missed the deadline: it counts neither way. */
  | { region: string; outcome: 'abstained'; why: 'error' | 'throttled' | 'deadline' };

export interface QuorumDecision {
  /** `outage`: enough vantage points failed; `regional`: only a minority did. */
  verdict: 'outage' | 'regional';
  /** Vantage points that failed, the home region included. */
  failing: number;
  /** Vantage points that answered, the home region included. */
  voting: number;
  /** The quorum that applied: the configured one, or every vantage point that answered if fewer did. */
  quorum: number;
  /** Every confirmer abstained: the home region decided alone (logged, and counted by a metric). */
  homeAlone: boolean;
}

/** A majority of the vantage points: the home region and `regions` confirmers. */
export function defaultQuorum(regions: number): number {
  return Math.floor((regions + 1) / 2) + 1;
}

/**
 * What a suspect's failure means once the confirmers have answered. The home region failed (that is
 * why it is a suspect). An abstaining confirmer counts neither way, and the quorum is never more
 * than the vantage points that answered: an AWS problem in one region never suppresses an outage
 * that every answering vantage point sees. With every confirmer abstaining, the home region
 * decides alone: an outage.
 */
export function decideQuorum(confirmers: readonly VantageResult[], settings: Pick<ConfirmSettings, 'quorum'>): QuorumDecision {
  const answered = confirmers.filter((result) => result.outcome !== 'abstained');
  const failing = 1 + answered.filter((result) => result.outcome === 'failed').length;
  const voting = 1 + answered.length;
  const quorum = Math.min(settings.quorum, voting);
  return { verdict: failing >= quorum ? 'outage' : 'regional', failing, voting, quorum, homeAlone: answered.length === 0 };
}

/**
 * Whether a failed check would take the monitor to DOWN: its failure streak reaches its threshold
 * and it is not down already. Those are the suspects a run asks the confirmers about.
 */
export function wouldCrossThreshold(state: MonitorState, thresholds: Pick<Thresholds, 'failureThreshold'>): boolean {
  return state.status !== 'DOWN' && state.failuresInRow + 1 >= thresholds.failureThreshold;
}

/** Every vantage point's view of a suspect for the API and the alert: the home region's failed check first, then each confirmer's. */
export function vantagePoints(homeRegion: string, home: CheckResult, confirmers: readonly VantageResult[]): Vantage[] {
  const own: Vantage = { region: homeRegion, ok: home.ok, ...(home.ok ? {} : { reason: home.reason ?? 'network' }), latencyMs: home.latencyMs };
  return [
    own,
    ...confirmers.map((result): Vantage => {
      if (result.outcome === 'ok') return { region: result.region, ok: true, latencyMs: result.latencyMs };
      if (result.outcome === 'failed') return { region: result.region, ok: false, reason: result.reason, latencyMs: result.latencyMs };
      return { region: result.region, ok: null, reason: `abstained: ${result.why}` };
    }),
  ];
}

/** A suspect's confirmation, as the run gathered it before storing: the decision and every vantage point's view. */
export interface SuspectConfirmation {
  decision: QuorumDecision;
  vantage: Vantage[];
}

/** The step of a confirmed suspect, and whether its outage waits for a confirmation this run did not ask for. */
export type ConfirmedStep = StateStep & { unconfirmed?: true };

/**
 * A monitor's step once its failure has been confirmed, or not (pure). Only a step that declares an
 * outage (a transition to DOWN) is affected:
 * - a quorum failed (or `alertOnRegional` is set): the outage stands, with the vantage points on its
 *   transition, and the state records the confirmation. It starts at its streak's first failure,
 *   or, for a failure recorded as regional until now, at this check;
 * - only a minority failed: no outage. The status stays as it was, the failure streak stays at its
 *   threshold (so the next failure is a suspect again, and asked again), and the state records the
 *   failure as `regional`, since its first such confirmation;
 * - no confirmation was asked for it in this run (its stored state changed between the run's early
 *   read and its store, under an overlapping run): held the same way, unrecorded, so the next run,
 *   which reads the streak at its threshold, asks. An outage is never declared unconfirmed.
 */
export function confirmStep(
  current: MonitorState,
  step: StateStep,
  confirmed: SuspectConfirmation | undefined,
  settings: Pick<ConfirmSettings, 'alertOnRegional'>,
): ConfirmedStep {
  const { transition } = step;
  if (transition?.to !== 'DOWN') return step;
  if (confirmed === undefined) return { state: holdBelowOutage(current, step.state, current.confirmation), changed: true, unconfirmed: true };
  const { decision, vantage } = confirmed;
  const confirmation: Confirmation = {
    verdict: decision.verdict,
    since: current.confirmation?.verdict === decision.verdict ? current.confirmation.since : transition.confirmedAt,
    checkedAt: transition.confirmedAt,
    vantage,
  };
  if (decision.verdict === 'outage' || settings.alertOnRegional) {
    const regional = decision.verdict === 'regional' ? { regional: true as const } : {};
    // A failure regional until now became an outage at this check: the time it was regional (the
    // other regions reached the service) is not downtime.
    const startedAt = current.confirmation?.verdict === 'regional' && decision.verdict === 'outage' ? transition.confirmedAt : transition.startedAt;
    return { state: { ...step.state, since: startedAt, confirmation }, transition: { ...transition, startedAt, vantage, ...regional }, changed: true };
  }
  return { state: holdBelowOutage(current, step.state, confirmation), changed: true };
}

/** `stepped` (a step to DOWN) with the status, and when it began, left as they were in `current`. */
function holdBelowOutage(current: MonitorState, stepped: MonitorState, confirmation: Confirmation | undefined): MonitorState {
  const { sinceTick: _sinceTick, confirmation: _confirmation, ...kept } = stepped;
  return {
    ...kept,
    status: current.status,
    since: current.since,
    ...(current.sinceTick !== undefined ? { sinceTick: current.sinceTick } : {}),
    ...(confirmation ? { confirmation } : {}),
  };
}
