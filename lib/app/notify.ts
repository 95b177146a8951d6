import type { Logger } from '@aws-lambda-powertools/logger';
import { renderTransitionEmail, shouldNotify } from '../domain/email';
import type { Mailer, NotificationLedger, TransitionReader } from '../domain/ports';
import type { MonitorsConfig, Transition } from '../domain/types';
import { MINUTE_MS } from '../domain/time';
import { NO_DEADLINE, sleep, type Deadline } from './deadline';

export type NotifyLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/**
 * How the notifier spends an invocation's time. A send is only started when what is left covers
 * the send and the ledger write that records it, so Lambda's timeout can never fall between an
 * email going out and the record that it went out.
 */
export interface NotifyTiming {
  /** The longest a send may take, SDK retries included; it is cut short after that. */
  sendBudgetMs: number;
  /** Kept back after a send to record it in the ledger (with retries). */
  recordBudgetMs: number;
  /** Kept back at the very end, to return before Lambda's deadline. */
  safetyMs: number;
  /** Added to a claim's lease beyond the invocation's deadline, for requests still in flight. */
  leaseSlackMs: number;
  /** How often a claim held by another invocation is read again while waiting for it. */
  claimPollMs: number;
}

/** For a 30 s function and SES with 5 attempts (its throttling backoff starts at about a second). */
export const DEFAULT_NOTIFY_TIMING: NotifyTiming = {
  sendBudgetMs: 12_000,
  recordBudgetMs: 3_000,
  safetyMs: 1_000,
  leaseSlackMs: 5_000,
  claimPollMs: 250,
};

/** No lease outlives a Lambda invocation (15 minutes at most). */
const MAX_LEASE_MS = 15 * MINUTE_MS;

export interface NotifyTransitionDeps {
  /** Reads the transition before each one (what the email says the monitor was before). */
  transitions: TransitionReader;
  mailer: Mailer;
  ledger: NotificationLedger;
  config: MonitorsConfig;
  logger: NotifyLogger;
  /** Wall clock, epoch milliseconds: leases are compared across invocations. Default Date.now. */
  nowMs?: () => number;
  timing?: NotifyTiming;
}

/** One invocation's attempt at a transition. */
export interface NotifyAttempt {
  /** Unique per invocation: who holds a claim. */
  attemptId: string;
  deadline: Deadline;
}

/** What became of one transition. */
export type NotifyOutcome =
  | { status: 'sent'; messageId: string }
  | { status: 'already-sent' }
  | { status: 'skipped'; reason: 'establishment' | 'removal' | 'unknown-monitor' | 'no-recipients' };

/** Another invocation holds a live claim on the transition: retry later (its lease tells when). */
export class NotificationInProgressError extends Error {
  override readonly name = 'NotificationInProgressError';
  constructor(readonly key: string, readonly leaseExpiresAtMs: number) {
    super(`the email for ${key} is being sent by another invocation (claim held until ${new Date(leaseExpiresAtMs).toISOString()})`);
  }
}

/** Too little time is left to send and record an email before the invocation's deadline. */
export class OutOfTimeError extends Error {
  override readonly name = 'OutOfTimeError';
  constructor(readonly key: string, readonly remainingMs: number, readonly neededMs: number) {
    super(`not sending ${key}: ${Math.max(0, Math.round(remainingMs))} ms left, a send needs ${neededMs} ms`);
  }
}

/** The ledger key of a transition's email: the transition's identity (as its table key). */
export function transitionKey(transition: Pick<Transition, 'monitorId' | 'startedAt' | 'tick'>): string {
  return `${transition.monitorId}#${transition.startedAt}#${transition.tick}`;
}

/** The time a send needs before it may start. */
export function sendAllowanceMs(timing: NotifyTiming): number {
  return timing.sendBudgetMs + timing.recordBudgetMs + timing.safetyMs;
}

/**
 * Sends the email for one transition exactly once: one per outage or recovery, none for the
 * establishment of a new monitor, for the removal of one from the config (a transition to UNKNOWN)
 * or for a monitor no longer in the config.
 *
 * The steps: read the ledger (already sent: done; claimed by another live invocation: wait for it
 * while time allows, else throw NotificationInProgressError); render; check that the time left
 * covers a send and its record; claim the transition with a lease that outlives this invocation;
 * send, cut short at the send budget; record the send. A send that fails releases the claim and
 * throws, so the stream retries the record. A send that succeeded counts as sent even if recording
 * it fails, so the record is not retried for it. Lambda's timeout cannot fall between a send and its
 * record (a send only starts with time for both). What is left: a crash, or SES or DynamoDB taking
 * longer than their budgets, between SES accepting a message and the ledger recording it leaves a
 * claim that a retry takes over after its lease, sending again (and logging that it may): SES has
 * no idempotency key that could close that window.
 */
export async function notifyTransition(
  transition: Transition,
  deps: NotifyTransitionDeps,
  attempt: NotifyAttempt = { attemptId: 'direct', deadline: NO_DEADLINE },
): Promise<NotifyOutcome> {
  const { transitions, mailer, ledger, config, logger } = deps;
  const timing = deps.timing ?? DEFAULT_NOTIFY_TIMING;
  const nowMs = deps.nowMs ?? Date.now;
  const key = transitionKey(transition);
  const context = { monitorId: transition.monitorId, from: transition.from, to: transition.to, tick: transition.tick, key };

  // A removal from the configuration (to UNKNOWN) is history, not news: the stream filter should
  // drop it; if one arrives all the same, it is acknowledged without an email.
  if (transition.to === 'UNKNOWN') {
    await ledger.recordSkip(key, 'skipped:removal');
    logger.info('transition sends no email: the monitor was removed from the configuration', context);
    return { status: 'skipped', reason: 'removal' };
  }
  if (!shouldNotify(transition)) {
    await ledger.recordSkip(key, 'skipped:establishment');
    logger.info('transition sends no email: the monitor was established', context);
    return { status: 'skipped', reason: 'establishment' };
  }
  const monitor = config.monitors.find((candidate) => candidate.id === transition.monitorId);
  if (!monitor) {
    await ledger.recordSkip(key, 'skipped:unknown-monitor');
    logger.warn('transition sends no email: the monitor is no longer configured', context);
    return { status: 'skipped', reason: 'unknown-monitor' };
  }
  if (monitor.notify.to.length === 0) {
    await ledger.recordSkip(key, 'skipped:no-recipients');
    logger.warn('transition sends no email: the monitor has no recipients', context);
    return { status: 'skipped', reason: 'no-recipients' };
  }

  let seen = await awaitLiveClaim(deps, timing, attempt, key, context);
  if (seen === 'completed') return { status: 'already-sent' };

  const previous = await transitions.previousTransition(transition);
  const message = renderTransitionEmail({
    transition,
    monitor,
    previousStateMs: previous ? elapsedMs(previous.startedAt, transition.startedAt) : null,
    from: config.notify.from,
    to: monitor.notify.to,
  });

  // Claim, right before sending: nothing but the send happens between the claim and its record.
  for (;;) {
    const needed = sendAllowanceMs(timing);
    if (attempt.deadline.remainingMs() < needed) throw new OutOfTimeError(key, attempt.deadline.remainingMs(), needed);
    const claimedAtMs = nowMs();
    const leaseExpiresAtMs = Math.round(claimedAtMs + Math.min(attempt.deadline.remainingMs(), MAX_LEASE_MS) + timing.leaseSlackMs);
    const claim = await ledger.claim(key, attempt.attemptId, leaseExpiresAtMs, claimedAtMs, {
      signal: attempt.deadline.signalBefore(timing.recordBudgetMs + timing.safetyMs),
    });
    // Our own claim already there: an earlier try of this very put landed (a replayed request).
    if (claim.claimed || (claim.entry.status === 'INPROGRESS' && claim.entry.attemptId === attempt.attemptId)) break;
    seen = await awaitLiveClaim(deps, timing, attempt, key, context);
    if (seen === 'completed') return { status: 'already-sent' };
  }
  if (seen === 'taken-over') {
    logger.warn('took over an expired claim: its invocation stopped before recording a send; the email may arrive twice', context);
  }

  // Never past the moment the record of the send still fits before the deadline.
  const sendSignal = AbortSignal.any([
    AbortSignal.timeout(timing.sendBudgetMs),
    attempt.deadline.signalBefore(timing.recordBudgetMs + timing.safetyMs),
  ]);
  let messageId: string;
  try {
    ({ messageId } = await mailer.send(message, { signal: sendSignal }));
  } catch (error) {
    await ledger
      .release(key, attempt.attemptId, { signal: attempt.deadline.signalBefore(timing.safetyMs) })
      .catch((releaseError: unknown) =>
        logger.warn('could not release the claim of a failed send; a retry waits for its lease', { ...context, error: String(releaseError) }),
      );
    throw error;
  }
  await recordSend(deps, timing, attempt, key, messageId, context);
  logger.info('transition email sent', { ...context, messageId, recipients: message.to.length });
  return { status: 'sent', messageId };
}

/**
 * Reads the ledger and, while another invocation holds a live claim, waits for it to settle, as
 * long as this invocation has time to spare: a delivery racing the holder (or retried while the
 * holder's lease runs out) then finishes here instead of failing and using up a stream retry.
 * 'completed': the email was sent. 'free': nothing recorded. 'taken-over': a claim whose lease
 * ran out (its holder stopped) is there to be taken.
 */
async function awaitLiveClaim(
  deps: NotifyTransitionDeps,
  timing: NotifyTiming,
  attempt: NotifyAttempt,
  key: string,
  context: Record<string, unknown>,
): Promise<'completed' | 'free' | 'taken-over'> {
  const nowMs = deps.nowMs ?? Date.now;
  for (let polls = 0; ; polls += 1) {
    const entry = await deps.ledger.read(key, { signal: attempt.deadline.signalBefore(timing.safetyMs) });
    if (!entry) return 'free';
    if (entry.status === 'COMPLETED') {
      deps.logger.info('transition email was already sent; not sending it again', context);
      return 'completed';
    }
    if (entry.attemptId === attempt.attemptId) return 'free';
    if (entry.leaseExpiresAtMs < nowMs()) return 'taken-over';
    const wait = Math.min(timing.claimPollMs, Math.max(1, entry.leaseExpiresAtMs - nowMs() + 1));
    if (attempt.deadline.remainingMs() - wait < sendAllowanceMs(timing)) {
      throw new NotificationInProgressError(key, entry.leaseExpiresAtMs);
    }
    if (polls === 0) deps.logger.info('another invocation is sending this email; waiting for it', { ...context, leaseExpiresAtMs: entry.leaseExpiresAtMs });
    await sleep(wait);
  }
}

/** Records a send, retrying until the time kept for it runs out; a failure is logged, never thrown. */
async function recordSend(
  deps: NotifyTransitionDeps,
  timing: NotifyTiming,
  attempt: NotifyAttempt,
  key: string,
  messageId: string,
  context: Record<string, unknown>,
): Promise<void> {
  const signal = attempt.deadline.signalBefore(timing.safetyMs);
  let lastError: unknown;
  for (let round = 0; !signal.aborted; round += 1) {
    try {
      await deps.ledger.complete(key, 'sent', messageId, { signal });
      return;
    } catch (error) {
      lastError = error;
      await sleep(Math.min(25 * 2 ** round, 500), signal).catch(() => undefined);
    }
  }
  // The email went out: failing the record now would only make a retry send it again.
  deps.logger.error('transition email sent but not recorded; a redelivery of this record may send it again', {
    ...context,
    messageId,
    error: String(lastError),
  });
}

/** Milliseconds from one ISO time to another; null when either is not a time. */
function elapsedMs(from: string, to: string): number | null {
  const elapsed = Date.parse(to) - Date.parse(from);
  return Number.isNaN(elapsed) ? null : elapsed;
}
