import { z } from 'zod';
import { mapWithConcurrency } from '../domain/concurrency';
import { evaluateResult } from '../domain/evaluate';
import type { ConfirmAnswer, ConfirmCheck, ConfirmRequest, Prober } from '../domain/ports';
import { FAILURE_REASONS } from '../domain/run-results-codec';
import { DNS_RECORD_TYPES, type FailureReason } from '../domain/types';
import { deadlineIn } from './deadline';
import type { CycleLogger } from './probe-log';

/**
 * The confirmer's side of multi-region confirmation (lib/domain/confirmation.ts): a confirmer
 * region checks the home region's suspects once, with the same request, expectations and timeout,
 * and answers before the home probe's deadline. It keeps no state and reads no monitors.yml: the
 * request carries all it needs.
 */

/** A confirm request the confirmer cannot act on; the message names the field. Thrown, so the invoker sees a FunctionError and abstains. */
export class InvalidConfirmRequestError extends Error {
  override readonly name = 'InvalidConfirmRequestError';
}

/** A confirmer's answer the home side cannot read; the message names the field. */
export class InvalidConfirmAnswerError extends Error {
  override readonly name = 'InvalidConfirmAnswerError';
}

const wholeMs = z.number({ error: 'must be a number of milliseconds' }).int({ error: 'must be a whole number of milliseconds' });
const failureReason = z.enum(FAILURE_REASONS as readonly [FailureReason, ...FailureReason[]], { error: `must be one of ${FAILURE_REASONS.join(', ')}` });

const targetSchema = z.object({
  // A heartbeat is pinged, never probed: a heartbeat suspect is the caller's mistake.
  type: z.enum(['http', 'tcp', 'dns'], { error: 'must be http, tcp or dns' }).optional(),
  url: z.string({ error: 'is required' }).min(1, { error: 'must not be empty' }),
  method: z.string({ error: 'is required' }).min(1, { error: 'must not be empty' }),
  headers: z.record(z.string(), z.string({ error: 'must be text' })),
  timeoutMs: wholeMs.min(1, { error: 'must be 1 or more' }),
  dns: z
    .object({
      recordType: z.enum(DNS_RECORD_TYPES, { error: `must be one of ${DNS_RECORD_TYPES.join(', ')}` }),
      expect: z.array(z.string()).optional(),
      server: z.string().min(1).optional(),
    })
    .optional(),
});

const expectSchema = z.object({
  status: z.array(z.number().int().min(100).max(599), { error: 'must be a list of HTTP status codes' }).min(1, { error: 'must list a status code' }),
  json: z.record(z.string(), z.unknown()).optional(),
  bodyContains: z.string().optional(),
  maxResponseTimeMs: wholeMs.min(1).optional(),
});

/** The confirm request, as the confirmer reads it. */
export const confirmRequestSchema = z.object({
  deadlineMs: wholeMs.min(0, { error: 'must be epoch milliseconds' }),
  suspects: z.record(z.string().min(1, { error: 'a monitor id must not be empty' }), z.object({ target: targetSchema, expect: expectSchema })),
}) satisfies z.ZodType<ConfirmRequest>;

const latencyMs = z.number({ error: 'must be a number' }).min(0, { error: 'must not be negative' });
const statusCode = z.number().int().optional();
const checkSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), latencyMs, statusCode }),
  z.object({ ok: z.literal(false), latencyMs, reason: failureReason, statusCode }),
]);

/** The confirmer's answer, as the home side reads it. */
export const confirmAnswerSchema = z.object({
  region: z.string().min(1),
  results: z.record(z.string(), checkSchema),
  cutShort: z.array(z.string()),
}) satisfies z.ZodType<ConfirmAnswer>;

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length === 0 ? '(the request)' : issue.path.join('.')}: ${issue.message}`).join('; ');
}

/** Reads a confirm request; throws InvalidConfirmRequestError naming each bad field. */
export function parseConfirmRequest(input: unknown): ConfirmRequest {
  const parsed = confirmRequestSchema.safeParse(input);
  if (!parsed.success) throw new InvalidConfirmRequestError(`confirm request refused: ${describeIssues(parsed.error)}`, { cause: parsed.error });
  return parsed.data;
}

/** Reads a confirmer's answer; throws InvalidConfirmAnswerError naming each bad field. */
export function parseConfirmAnswer(input: unknown): ConfirmAnswer {
  const parsed = confirmAnswerSchema.safeParse(input);
  if (!parsed.success) throw new InvalidConfirmAnswerError(`confirm answer unreadable: ${describeIssues(parsed.error)}`, { cause: parsed.error });
  return parsed.data;
}

/**
 * Kept back before the request's deadline for the answer to travel home: the response crosses
 * regions (about 250 ms round trip between the farthest AWS regions) through Lambda's Invoke API.
 * An allowance, not a measurement: there is no AWS here.
 */
export const CONFIRM_REPLY_MARGIN_MS = 500;

export interface ConfirmDeps {
  prober: Prober;
  /** This vantage point's region (AWS_REGION). */
  region: string;
  /** The wall clock: it dates checks and measures the time left to the request's epoch deadline. */
  now: () => Date;
  /** How many probes may be in flight at once. */
  concurrency: number;
  logger: CycleLogger;
  /** Default CONFIRM_REPLY_MARGIN_MS. */
  replyMarginMs?: number;
}

/**
 * Checks every suspect once, concurrently, as the home region checked it: the same target (its
 * timeout included) and the same evaluation. Every check is cut `replyMarginMs` before the
 * request's deadline; a check the cut ends is not a failure (the confirmer ran out of time, the
 * target did not fail, as in the probe's own run) and is listed in `cutShort`.
 * Throws InvalidConfirmRequestError on a bad request.
 */
export async function confirmChecks(input: unknown, deps: ConfirmDeps): Promise<ConfirmAnswer> {
  const request = parseConfirmRequest(input);
  const signal = deadlineIn(request.deadlineMs - deps.now().getTime()).signalBefore(deps.replyMarginMs ?? CONFIRM_REPLY_MARGIN_MS);
  const suspects = Object.entries(request.suspects);
  const checked = await mapWithConcurrency(suspects, deps.concurrency, async ([monitorId, { target, expect }]) => {
    if (signal.aborted) return { monitorId };
    const checkedAt = deps.now().toISOString();
    const outcome = await deps.prober.probe(target, signal);
    if (signal.aborted && outcome.kind === 'error') return { monitorId };
    return { monitorId, result: evaluateResult(expect, outcome, checkedAt) };
  });
  const results: Record<string, ConfirmCheck> = {};
  const cutShort: string[] = [];
  for (const { monitorId, result } of checked) {
    if (result === undefined) {
      cutShort.push(monitorId);
      continue;
    }
    const extra = result.statusCode === undefined ? {} : { statusCode: result.statusCode };
    results[monitorId] = result.ok
      ? { ok: true, latencyMs: result.latencyMs, ...extra }
      : { ok: false, latencyMs: result.latencyMs, reason: result.reason ?? 'network', ...extra };
    if (!result.ok) deps.logger.info('suspect failed here too', { monitorId, region: deps.region, reason: result.reason, detail: result.message, latencyMs: result.latencyMs });
  }
  if (cutShort.length > 0) deps.logger.warn('checks cut short by the deadline; not counted', { region: deps.region, monitorIds: cutShort });
  return { region: deps.region, results, cutShort };
}
