import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { AlertOutbox } from '../domain/ports';
import { alertMonitorId, OUTBOX_SWEEP_SOURCE, outboxSortKey, SWEEP_AFTER_MS, type AlertSource } from '../domain/reminders';
import { deadlineFrom } from './deadline';
import {
  AlertDeliveryError,
  DEFAULT_NOTIFY_TIMING,
  notifyCertificateWarning,
  notifyReminder,
  notifyTransition,
  sendAllowanceMs,
  type NotifyAttempt,
  type NotifyOutcome,
  type NotifyTransitionDeps,
} from './notify';

/** The log line of an alert a sweep could not deliver yet: the undelivered-alerts alarm counts it (serverless.yml). */
export const STILL_UNDELIVERED_MESSAGE = 'outbox sweep: an alert is still undelivered; it stays for the next sweep';

/** The most alerts one sweep takes on. */
export const SWEEP_LIMIT = 100;

export interface OutboxDeps extends NotifyTransitionDeps {
  outbox?: AlertOutbox;
}

function notifySource(source: AlertSource, deps: NotifyTransitionDeps, attempt: NotifyAttempt): Promise<NotifyOutcome> {
  switch (source.kind) {
    case 'transition':
      return notifyTransition(source.transition, deps, attempt);
    case 'reminder':
      return notifyReminder(source.reminder, deps, attempt);
    case 'certificate':
      return notifyCertificateWarning(source.warning, deps, attempt);
  }
}

/**
 * Delivers an alert after every earlier alert of its monitor still waiting in the outbox (so a
 * monitor's alerts arrive in the order they happened, even when one was stuck behind an outage of
 * a receiver), and clears each from the outbox once every channel has it. A failure leaves the
 * entry, and the ones after it, for the stream's retry or the sweep.
 */
export async function deliverInOrder(source: AlertSource, deps: OutboxDeps, attempt: NotifyAttempt): Promise<NotifyOutcome> {
  const { outbox } = deps;
  const sortKey = outboxSortKey(source);
  // Order is kept per channel: a channel still owed an earlier alert takes this one after it; the
  // other channels do not wait (a Slack outage does not hold back the email).
  const blocked = new Set(attempt.blockedChannels ?? []);
  if (outbox) {
    for (const earlier of await outbox.listEarlier(alertMonitorId(source), sortKey)) {
      try {
        await notifySource(earlier.source, deps, { ...attempt, blockedChannels: blocked });
        await outbox.remove(earlier.sortKey);
      } catch (error) {
        if (!(error instanceof AlertDeliveryError)) throw error;
        for (const channel of error.failedChannels) blocked.add(channel);
      }
    }
  }
  const outcome = await notifySource(source, deps, { ...attempt, blockedChannels: blocked });
  await outbox?.remove(sortKey);
  return outcome;
}

/** The probe's request to sweep the outbox (lib/adapters/lambda-outbox-sweeper.ts), as the notifier receives it. */
export interface OutboxSweepEvent {
  source: typeof OUTBOX_SWEEP_SOURCE;
}

/** Whether the notifier's event is a sweep of the outbox rather than a batch of the table's stream. */
export function isOutboxSweepEvent(event: object): event is OutboxSweepEvent {
  return (event as Partial<OutboxSweepEvent>).source === OUTBOX_SWEEP_SOURCE;
}

export interface SweepReport {
  waiting: number;
  delivered: number;
  /** Monitors whose next alert failed again: their alerts stay for the next sweep. */
  stuck: string[];
}

/**
 * The outbox sweep, in the notifier: every alert that has waited longer than SWEEP_AFTER_MS (the
 * stream gave up on it, or it is stuck behind an outage of a receiver) is delivered, each
 * monitor's in order, each channel once (the ledger), while the invocation has time. What still
 * fails stays for the next sweep: no alert is lost while the outbox keeps it (7 days).
 */
export async function sweepOutbox(deps: OutboxDeps, context: Context, nowMs: () => number = Date.now): Promise<SweepReport> {
  const { outbox, logger } = deps;
  if (!outbox) return { waiting: 0, delivered: 0, stuck: [] };
  const timing = deps.timing ?? DEFAULT_NOTIFY_TIMING;
  const attempt: NotifyAttempt = { attemptId: `${context.awsRequestId}/${randomUUID()}`, deadline: deadlineFrom(context) };
  const entries = await outbox.listWaiting(nowMs() - SWEEP_AFTER_MS, SWEEP_LIMIT);
  const stuck = new Set<string>();
  /** Per monitor, the channels still owed one of its alerts: its later alerts wait there, and only there. */
  const blocked = new Map<string, Set<string>>();
  let delivered = 0;
  for (const entry of entries) {
    if (stuck.has(entry.monitorId) && !blocked.has(entry.monitorId)) continue;
    if (attempt.deadline.remainingMs() < sendAllowanceMs(timing)) break;
    const channels = blocked.get(entry.monitorId) ?? new Set<string>();
    try {
      await deliverInOrder(entry.source, deps, { ...attempt, blockedChannels: channels });
      delivered += 1;
    } catch (error) {
      stuck.add(entry.monitorId);
      if (error instanceof AlertDeliveryError) {
        for (const channel of error.failedChannels) channels.add(channel);
        blocked.set(entry.monitorId, channels);
      } else {
        blocked.delete(entry.monitorId);
      }
      logger.warn(STILL_UNDELIVERED_MESSAGE, { monitorId: entry.monitorId, sortKey: entry.sortKey, error: String(error) });
    }
  }
  const report = { waiting: entries.length, delivered, stuck: [...stuck] };
  logger.info('outbox sweep finished', report);
  return report;
}
