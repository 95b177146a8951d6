import type { Logger } from '@aws-lambda-powertools/logger';
import { redactedUrl } from '../domain/public-view';
import type { CheckResult, MonitorConfig, Transition } from '../domain/types';

/** The structured logger the probe writes to. */
export type CycleLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/** One line per failed check: what failed, how, and for which tick. */
export function logFailedCheck(logger: CycleLogger, monitor: MonitorConfig, result: CheckResult, tick: string): void {
  logger.warn('check failed', {
    monitorId: monitor.id,
    url: redactedUrl(monitor.url),
    reason: result.reason,
    detail: result.message,
    statusCode: result.statusCode,
    latencyMs: result.latencyMs,
    checkedAt: result.checkedAt,
    tick,
  });
}

/** One line per transition: an outage is an error, a recovery or an establishment is news. */
export function logTransition(logger: CycleLogger, monitor: MonitorConfig, transition: Transition): void {
  const fields = {
    monitorId: monitor.id,
    url: redactedUrl(monitor.url),
    from: transition.from,
    to: transition.to,
    startedAt: transition.startedAt,
    confirmedAt: transition.confirmedAt,
    previousSince: transition.previousSince,
  };
  if (transition.to === 'DOWN') logger.error('monitor down', { ...fields, reason: transition.reason });
  else if (transition.from === 'DOWN') logger.info('monitor recovered', fields);
  else logger.info('monitor established', fields);
}

/** The probe's line when a dependent's outage is held back (lib/domain/dependencies.ts); npm start shows it. */
export const OUTAGE_HELD_MESSAGE = 'outage held back: a monitor it depends on is down';
/** The probe's line when a held outage is released: its alert goes out now; npm start shows it. */
export const OUTAGE_RELEASED_MESSAGE = 'held outage released: what it depends on is up again and it is still down; its alert goes out now';
