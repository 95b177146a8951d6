import type { Logger } from '@aws-lambda-powertools/logger';
import { renderTransitionEmail, shouldNotify } from '../domain/email';
import type { Mailer, StateStore } from '../domain/ports';
import type { MonitorsConfig, Transition } from '../domain/types';

export type NotifyLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface NotifyTransitionDeps {
  store: StateStore;
  mailer: Mailer;
  config: MonitorsConfig;
  logger: NotifyLogger;
}

/** What became of one transition. Plain JSON: the idempotency layer stores it. */
export type NotifyOutcome =
  | { status: 'sent'; messageId: string }
  | { status: 'skipped'; reason: 'establishment' | 'unknown-monitor' | 'no-recipients' };

/**
 * Sends the email for one transition: one per outage or recovery, none for the establishment of a
 * new monitor or for a monitor no longer in the config. Throws when the email cannot be sent, so the
 * caller can retry it.
 */
export async function notifyTransition(transition: Transition, deps: NotifyTransitionDeps): Promise<NotifyOutcome> {
  const { store, mailer, config, logger } = deps;
  const context = { monitorId: transition.monitorId, from: transition.from, to: transition.to, tick: transition.tick };

  if (!shouldNotify(transition)) {
    logger.info('transition sends no email: the monitor was established', context);
    return { status: 'skipped', reason: 'establishment' };
  }
  const monitor = config.monitors.find((candidate) => candidate.id === transition.monitorId);
  if (!monitor) {
    logger.warn('transition sends no email: the monitor is no longer configured', context);
    return { status: 'skipped', reason: 'unknown-monitor' };
  }
  if (monitor.notify.to.length === 0) {
    logger.warn('transition sends no email: the monitor has no recipients', context);
    return { status: 'skipped', reason: 'no-recipients' };
  }

  const previous = await store.previousTransition(transition);
  const message = renderTransitionEmail({
    transition,
    monitor,
    previousStateMs: previous ? elapsedMs(previous.startedAt, transition.startedAt) : null,
    from: config.notify.from,
    to: monitor.notify.to,
  });
  const { messageId } = await mailer.send(message);
  logger.info('transition email sent', { ...context, messageId, recipients: message.to.length });
  return { status: 'sent', messageId };
}

/** Milliseconds from one ISO time to another; null when either is not a time. */
function elapsedMs(from: string, to: string): number | null {
  const elapsed = Date.parse(to) - Date.parse(from);
  return Number.isNaN(elapsed) ? null : elapsed;
}
