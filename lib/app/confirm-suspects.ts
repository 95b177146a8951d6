import {
  decideQuorum,
  vantagePoints,
  wouldCrossThreshold,
  type SuspectConfirmation,
  type VantageResult,
} from '../domain/confirmation';
import type { MaintenanceSchedule } from '../domain/maintenance';
import type { ConfirmRequest, Confirmer, MonitorStateStore } from '../domain/ports';
import { initialState } from '../domain/state-machine';
import type { CheckResult, ConfirmSettings, MonitorConfig, MonitorState, ProbeTarget } from '../domain/types';
import { CONFIRM_REPLY_MARGIN_MS } from './confirm';
import { askConfirmers, CONFIRM_INVOKE_ALLOWANCE_MS, CONFIRM_ROUND_MAX_MS } from './confirmation-round';
import { deadlineIn, type Deadline } from './deadline';
import type { CycleLogger } from './probe-log';
import { buildProbeTarget } from './probe-targets';

/** Logged for each suspect a quorum of vantage points saw fail: its outage is declared. */
export const QUORUM_OUTAGE_MESSAGE = 'confirmation: a quorum of vantage points failed; the outage is declared';
/** Logged for each suspect only a minority saw fail: recorded as regional, no outage. */
export const REGIONAL_FAILURE_MESSAGE = 'confirmation: only a minority of vantage points failed; recorded as regional';
/** Logged when no confirmer answered for a suspect: the home region declared its outage alone. */
export const HOME_ALONE_MESSAGE = 'confirmation: every confirmer abstained; the home region decides alone';

export interface ConfirmSuspectsDeps {
  confirm: ConfirmSettings;
  /** Asks the confirmer regions; none: every region abstains (the home region decides alone). */
  confirmer?: Confirmer;
  /** The home region's name, the first vantage point. */
  homeRegion: string;
  /** Reads the failed monitors' states before the run stores, to tell which failures would declare an outage. */
  states: Pick<MonitorStateStore, 'loadStatesOf'>;
  /** Each monitor's request with its secret references resolved; a monitor missing here is requested as configured. */
  targets?: ReadonlyMap<string, ProbeTarget>;
  logger: CycleLogger;
  /** Wall clock in epoch milliseconds: the confirmers' deadline is an epoch time. */
  nowMs: () => number;
}

/** What a run's confirmation round found. */
export interface SuspectRound {
  /** By monitor id: each suspect's decision and vantage points, for its step (confirmStep). */
  confirmations: Map<string, SuspectConfirmation>;
  /** Suspects whose outage stands (a quorum, or the home region alone). */
  outage: string[];
  /** Suspects only a minority of vantage points saw fail. */
  regional: string[];
  /** Suspects for which every confirmer abstained. */
  homeAlone: string[];
}

const NO_ROUND: SuspectRound = { confirmations: new Map(), outage: [], regional: [], homeAlone: [] };

/**
 * A run's confirmation round (monitors.yml `confirm`): the failed checks that would declare an
 * outage are its suspects (lib/domain/confirmation.ts wouldCrossThreshold, against the states as
 * stored before this run; heartbeats, which no other region can see, and monitors inside a
 * maintenance window are never suspects). Every confirmer region is asked about all of them at once,
 * in parallel, with a deadline of the longest suspect timeout plus margins (at most
 * CONFIRM_ROUND_MAX_MS, and never into the time the run keeps to store). A run with no failure
 * asks nobody and reads nothing more: steady runs cost what they did; a run with failures reads
 * the failed monitors' states (one read unit each). Never throws.
 */
export async function confirmSuspects(
  tick: string,
  checks: readonly { monitor: MonitorConfig; result: CheckResult }[],
  schedule: MaintenanceSchedule,
  deps: ConfirmSuspectsDeps,
  timeLeftMs: number,
): Promise<SuspectRound> {
  const failed = checks.filter(({ monitor, result }) => !result.ok && monitor.type !== 'heartbeat' && !schedule.activeAt(monitor.id, Date.parse(result.checkedAt)));
  if (failed.length === 0) return NO_ROUND;
  const states = await readStates(tick, failed.map(({ monitor }) => monitor.id), deps);
  const suspects = failed.filter(({ monitor, result }) => {
    if (states === undefined) return true;
    return wouldCrossThreshold(states.get(monitor.id) ?? initialState(monitor.id, result.checkedAt), monitor);
  });
  if (suspects.length === 0) return NO_ROUND;

  const longestTimeoutMs = Math.max(...suspects.map(({ monitor }) => monitor.timeoutMs));
  const roundMs = Math.min(CONFIRM_ROUND_MAX_MS, longestTimeoutMs + CONFIRM_REPLY_MARGIN_MS + CONFIRM_INVOKE_ALLOWANCE_MS, timeLeftMs);
  const request: ConfirmRequest = {
    deadlineMs: Math.round(deps.nowMs() + roundMs),
    suspects: Object.fromEntries(
      suspects.map(({ monitor }) => [monitor.id, { target: deps.targets?.get(monitor.id) ?? buildProbeTarget(monitor), expect: monitor.expect }]),
    ),
  };
  const answers = await ask(tick, request, deps, deadlineIn(roundMs));

  const round: SuspectRound = { confirmations: new Map(), outage: [], regional: [], homeAlone: [] };
  for (const { monitor, result } of suspects) {
    const confirmers = answers.get(monitor.id) ?? [];
    const decision = decideQuorum(confirmers, deps.confirm);
    const vantage = vantagePoints(deps.homeRegion, result, confirmers);
    round.confirmations.set(monitor.id, { decision, vantage });
    const context = { monitorId: monitor.id, tick, failing: decision.failing, voting: decision.voting, quorum: decision.quorum, vantage };
    if (decision.verdict === 'regional') {
      round.regional.push(monitor.id);
      deps.logger.info(REGIONAL_FAILURE_MESSAGE, { ...context, alerted: deps.confirm.alertOnRegional });
      continue;
    }
    round.outage.push(monitor.id);
    if (decision.homeAlone) {
      round.homeAlone.push(monitor.id);
      deps.logger.warn(HOME_ALONE_MESSAGE, context);
    } else {
      deps.logger.info(QUORUM_OUTAGE_MESSAGE, context);
    }
  }
  return round;
}

/**
 * The failed monitors' stored states (only theirs: a run with a few failures reads a few items, not
 * every state), or undefined when they cannot be read (then every failed check is a suspect: asking
 * costs little, missing one would hold its outage a run).
 */
async function readStates(tick: string, monitorIds: readonly string[], deps: ConfirmSuspectsDeps): Promise<ReadonlyMap<string, MonitorState> | undefined> {
  try {
    return await deps.states.loadStatesOf(monitorIds);
  } catch (error) {
    deps.logger.warn('could not read the states to pick the suspects; every failed check is one', { tick, error: String(error) });
    return undefined;
  }
}

/** Each suspect's confirmer results; with no confirmer, every region abstains as an error. */
async function ask(tick: string, request: ConfirmRequest, deps: ConfirmSuspectsDeps, deadline: Deadline): Promise<Map<string, VantageResult[]>> {
  if (deps.confirmer === undefined) {
    deps.logger.warn('monitors.yml has confirm but no confirmer is set up (CONFIRM_FUNCTION_NAME); every region abstains', { tick });
    const abstained = deps.confirm.regions.map((region): VantageResult => ({ region, outcome: 'abstained', why: 'error' }));
    return new Map(Object.keys(request.suspects).map((monitorId) => [monitorId, abstained]));
  }
  return askConfirmers(deps.confirm.regions, request, { confirmer: deps.confirmer, logger: deps.logger }, deadline);
}
