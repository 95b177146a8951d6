import type { ConfirmSettings, FailureReason } from './types';

/**
 * Multi-region confirmation (monitors.yml `confirm`): before an outage is declared, the monitors
 * whose failure streak would cross their threshold are checked once more from each confirmer
 * region, and the outage needs `quorum` vantage points (the home region included) to fail. Pure:
 * the probe gathers the confirmers' answers and asks these rules what they mean.
 *
 * Recoveries need no quorum: the home region's own successful checks end an outage. A recovery
 * seen from home is the service answering the probe that alerted, and asking the other regions
 * again would only keep an outage open longer for a service that is back for its users there.
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
