import { certificateWarningKey, type CertificateWarning } from './certificate';
import { MINUTE_MS } from './time';
import type { MonitorState, Transition } from './types';

/**
 * A reminder: the alert repeated while a monitor stays DOWN, every `remindEvery` from the start of
 * its outage (the first check that failed). The Nth reminder of an outage is written once (its key
 * holds N), so duplicated or overlapping runs write it once and the notifier sends it once.
 */
export interface Reminder {
  monitorId: string;
  /** The outage's start: the DOWN state's `since`. */
  outageStartedAt: string;
  /** 1 for the first reminder of the outage. */
  number: number;
  /** The tick of the run that wrote it. */
  tick: string;
  /** The outage's last failure reason, with its detail (alerts keep it). */
  reason?: string;
}

/**
 * The reminder a run at `tick` owes a DOWN monitor, if any: the highest N with
 * outage start + N × remindEvery ≤ tick, when reminders before it have been written (only the
 * latest due one is written: a run that was missed does not send a burst).
 */
export function dueReminder(state: MonitorState, remindEveryMs: number | undefined, tick: string): Reminder | undefined {
  if (remindEveryMs === undefined || state.status !== 'DOWN') return undefined;
  const elapsedMs = Date.parse(tick) - Date.parse(state.since);
  if (!(elapsedMs >= remindEveryMs)) return undefined;
  const number = Math.floor(elapsedMs / remindEveryMs);
  const sent = state.remindedSince === state.since ? (state.remindersSent ?? 0) : 0;
  if (number <= sent) return undefined;
  return {
    monitorId: state.monitorId,
    outageStartedAt: state.since,
    number,
    tick,
    ...(state.lastFailureReason === undefined ? {} : { reason: state.lastFailureReason }),
  };
}

/** The state that records `reminder` as written, one version on from `state`. */
export function withReminder(state: MonitorState, reminder: Reminder, previousVersion: number): MonitorState {
  return { ...state, remindersSent: reminder.number, remindedSince: reminder.outageStartedAt, tick: reminder.tick, version: previousVersion + 1 };
}

/** A reminder's identity: the alert key of its deliveries. */
export function reminderKey(reminder: Pick<Reminder, 'monitorId' | 'outageStartedAt' | 'number'>): string {
  return `${reminder.monitorId}#${reminder.outageStartedAt}#reminder-${reminder.number}`;
}

/** What an alert is about, as the table's stream (or the outbox) hands it to the notifier. */
export type AlertSource =
  | { kind: 'transition'; transition: Transition }
  | { kind: 'reminder'; reminder: Reminder }
  | { kind: 'certificate'; warning: CertificateWarning };

/** The monitor an alert is about. */
export function alertMonitorId(source: AlertSource): string {
  switch (source.kind) {
    case 'transition':
      return source.transition.monitorId;
    case 'reminder':
      return source.reminder.monitorId;
    case 'certificate':
      return source.warning.monitorId;
  }
}

/**
 * An alert waiting in the outbox: written with the transition or reminder it is about, removed once
 * every channel has it (sent, or refused for good). The sweep delivers what the stream did not.
 */
export interface OutboxEntry {
  monitorId: string;
  /** `<monitor>#<alert time>#<alert key>`: a monitor's entries sort in the order they happened. */
  sortKey: string;
  source: AlertSource;
  /** When it was written, epoch milliseconds. */
  createdAtMs: number;
}

/** The sort key of an alert's outbox entry. */
export function outboxSortKey(source: AlertSource): string {
  if (source.kind === 'transition') {
    const { transition } = source;
    return `${transition.monitorId}#${transition.confirmedAt}#${transition.startedAt}#${transition.tick}`;
  }
  if (source.kind === 'certificate') return `${source.warning.monitorId}#${source.warning.tick}#${certificateWarningKey(source.warning)}`;
  const { reminder } = source;
  return `${reminder.monitorId}#${reminder.tick}#${reminderKey(reminder)}`;
}

/** The event the probe sends the notifier when alerts wait in the outbox. */
export const OUTBOX_SWEEP_SOURCE = 'uptime-monitor.outbox';

/**
 * How long an alert waits in the outbox before the sweep takes it: longer than the stream takes to
 * hand a record on and retry it a few times, so the sweep rarely races the stream (when it does,
 * the ledger's claims keep every delivery single).
 */
export const SWEEP_AFTER_MS = 5 * MINUTE_MS;
