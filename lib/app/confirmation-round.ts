import type { VantageResult } from '../domain/confirmation';
import type { ConfirmAnswer, ConfirmRequest, Confirmer } from '../domain/ports';
import type { Deadline } from './deadline';
import type { CycleLogger } from './probe-log';

export interface ConfirmationRoundDeps {
  confirmer: Confirmer;
  logger: Pick<CycleLogger, 'warn'>;
}

/**
 * The longest a run waits for its confirmers: a suspect's check has its monitor's timeout (at most
 * this much less the margins), and a run that waited longer would cut into its other monitors' next
 * minute. serverless.confirm.yml gives the confirm function more than this.
 */
export const CONFIRM_ROUND_MAX_MS = 15_000;

/**
 * Added to the longest suspect's timeout for the ask itself: the Invoke to another region (about
 * 250 ms round trip between the farthest ones) and a confirmer's cold start (about 400 ms measured
 * for the probe's bundle, `npm run bench`). An allowance, not a measurement of AWS.
 */
export const CONFIRM_INVOKE_ALLOWANCE_MS = 1_500;

type Abstention = Extract<VantageResult, { outcome: 'abstained' }>['why'];

/** Error names with which AWS reports throttling: Lambda's own, and its ENI creation in a VPC. */
const THROTTLING_ERRORS = new Set(['TooManyRequestsException', 'EC2ThrottledException']);

/** Why a region gave no answer: the deadline if it had passed, throttling (by name or HTTP 429), else an error. */
function classifyFailure(error: unknown, deadlinePassed: boolean): Abstention {
  if (deadlinePassed) return 'deadline';
  if (typeof error === 'object' && error !== null) {
    const { name, $metadata } = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
    if (typeof name === 'string' && THROTTLING_ERRORS.has(name)) return 'throttled';
    if ($metadata?.httpStatusCode === 429) return 'throttled';
  }
  return 'error';
}

/** Rejects when `signal` aborts: the round never waits on a confirmer past its deadline, whatever the adapter does with the signal. */
function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

type RegionOutcome = { region: string; answer: ConfirmAnswer } | { region: string; why: Abstention; error?: unknown };

/**
 * Asks every confirmer region, in parallel, to check the suspects of `request` once, each ask cut
 * at `deadline`, and returns each suspect's vantage results (one per region, in the order of
 * `regions`) for decideQuorum. A region that errors, is throttled or misses the deadline abstains
 * for every suspect; a suspect missing from a region's answer is abstained there as an error, one
 * the confirmer's own deadline cut short as 'deadline'. Never throws.
 */
export async function askConfirmers(
  regions: readonly string[],
  request: ConfirmRequest,
  deps: ConfirmationRoundDeps,
  deadline: Deadline,
): Promise<Map<string, VantageResult[]>> {
  const monitorIds = Object.keys(request.suspects);
  const signal = deadline.signalBefore(0);
  const aborted = abortion(signal);
  aborted.catch(() => undefined);
  const outcomes = await Promise.all(
    regions.map(async (region): Promise<RegionOutcome> => {
      if (deadline.remainingMs() <= 0) return { region, why: 'deadline' };
      try {
        return { region, answer: await Promise.race([deps.confirmer.confirm(region, request, signal), aborted]) };
      } catch (error) {
        return { region, why: classifyFailure(error, signal.aborted || deadline.remainingMs() <= 0), error };
      }
    }),
  );

  const results = new Map<string, VantageResult[]>(monitorIds.map((monitorId) => [monitorId, []]));
  for (const outcome of outcomes) {
    const { region } = outcome;
    if (!('answer' in outcome)) {
      deps.logger.warn('confirmer abstained', { region, why: outcome.why, error: outcome.error === undefined ? undefined : String(outcome.error), monitorIds });
      for (const monitorId of monitorIds) results.get(monitorId)?.push({ region, outcome: 'abstained', why: outcome.why });
      continue;
    }
    const cutShort = new Set(outcome.answer.cutShort);
    const missing: string[] = [];
    for (const monitorId of monitorIds) {
      const check = Object.hasOwn(outcome.answer.results, monitorId) ? outcome.answer.results[monitorId] : undefined;
      let vantage: VantageResult;
      if (check?.ok === true) vantage = { region, outcome: 'ok', latencyMs: check.latencyMs };
      else if (check?.ok === false) vantage = { region, outcome: 'failed', latencyMs: check.latencyMs, reason: check.reason };
      else if (cutShort.has(monitorId)) vantage = { region, outcome: 'abstained', why: 'deadline' };
      else {
        missing.push(monitorId);
        vantage = { region, outcome: 'abstained', why: 'error' };
      }
      results.get(monitorId)?.push(vantage);
    }
    if (cutShort.size > 0) deps.logger.warn('confirmer ran out of time for some suspects; they abstain', { region, monitorIds: [...cutShort] });
    if (missing.length > 0) deps.logger.warn('confirmer answered without some suspects; they abstain', { region, monitorIds: missing });
  }
  return results;
}
