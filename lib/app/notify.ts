import type { Logger } from '@aws-lambda-powertools/logger';
import { EMAIL_CHANNEL, PermanentDeliveryError, type Alert, type AlertChannel, type CertificateAlert, type OutageAlert } from '../domain/alert';
import { renderTransitionEmail, shouldNotify } from '../domain/email';
import { publicUrl } from '../domain/public-view';
import type { EmailMessage, Mailer, MonitorStateStore, NotificationLedger, TransitionReader } from '../domain/ports';
import { reminderKey, type Reminder } from '../domain/reminders';
import { renderReminderEmail } from '../domain/reminder-email';
import { certificateWarningKey, daysLeft, describeThreshold, type CertificateWarning } from '../domain/certificate';
import { renderCertificateEmail } from '../domain/certificate-email';
import type { MonitorConfig, MonitorsConfig, Transition } from '../domain/types';
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
  /** The built-in email channel's sender. */
  mailer: Mailer;
  /** Every other channel by name (monitors.yml's `channels`), secrets resolved; email is `mailer`. */
  channels?: ReadonlyMap<string, AlertChannel>;
  /** Reads a monitor's state: a reminder goes out only while its outage lasts. */
  states?: Pick<MonitorStateStore, 'loadState'>;
  ledger: NotificationLedger;
  config: MonitorsConfig;
  /**
   * The API's own base URL (API_URL), when the notifier knows it: alerts link to its status page,
   * `/`, unless monitors.yml's `statusPage.url` names where the page is published.
   */
  apiUrl?: string;
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
  /**
   * Channels not to deliver this alert to yet: an earlier alert of the same monitor is still
   * undelivered there, and a channel takes a monitor's alerts in order. Every other channel gets it.
   */
  blockedChannels?: ReadonlySet<string>;
}

/**
 * Some of an alert's channels did not take it (a transient failure, or an earlier alert of the
 * monitor still pending there); the others did and are recorded. The record is retried for these.
 */
export class AlertDeliveryError extends Error {
  override readonly name = 'AlertDeliveryError';
  constructor(
    readonly key: string,
    readonly failedChannels: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`alert ${key} is not yet delivered to ${failedChannels.join(', ')}${options?.cause ? `: ${String(options.cause)}` : ''}`, options);
  }
}

/** An earlier alert of the monitor still waits for this channel: this one goes after it. */
export class ChannelBlockedError extends Error {
  override readonly name = 'ChannelBlockedError';
  constructor(readonly channel: string) {
    super(`an earlier alert of the monitor is still undelivered to '${channel}'; this one waits behind it`);
  }
}

/** What became of one delivery: one alert to one channel. */
export type DeliveryOutcome =
  | { channel: string; status: 'sent'; receipt: string }
  | { channel: string; status: 'already-sent' }
  /** The receiver refused it for good (PermanentDeliveryError): recorded, counted, never retried. */
  | { channel: string; status: 'failed'; error: string }
  | { channel: string; status: 'skipped'; reason: 'no-recipients' | 'unknown-channel' };

/** What became of one transition. `messageId` is the email's, when one went out here. */
type SkipReason = Extract<NotifyOutcome, { status: 'skipped' }>['reason'];

/** Records an alert that goes nowhere as skipped (so a redelivery does nothing), logs why, and says so. */
async function skip(
  deps: Pick<NotifyTransitionDeps, 'ledger' | 'logger'>,
  key: string,
  reason: SkipReason,
  level: 'info' | 'warn',
  message: string,
  context: Record<string, unknown>,
): Promise<NotifyOutcome> {
  await deps.ledger.recordSkip(key, `skipped:${reason}`);
  deps.logger[level](message, context);
  return { status: 'skipped', reason };
}

export type NotifyOutcome =
  | { status: 'sent'; messageId: string; deliveries: DeliveryOutcome[] }
  | { status: 'already-sent'; deliveries: DeliveryOutcome[] }
  | { status: 'delivered'; deliveries: DeliveryOutcome[] }
  | { status: 'skipped'; reason: 'establishment' | 'removal' | 'held' | 'unknown-monitor' | 'no-recipients' | 'resolved-not-sent' | 'no-reminders' | 'outage-over' | 'no-certificate-warnings' | 'certificate-renewed' };

/** The log line of a delivery a receiver refused for good: the failed-deliveries alarm counts it (serverless.yml). */
export const PERMANENT_FAILURE_MESSAGE = 'alert delivery failed permanently';

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
  const { transitions, config } = deps;
  const timing = deps.timing ?? DEFAULT_NOTIFY_TIMING;
  const key = transitionKey(transition);
  const context = { monitorId: transition.monitorId, from: transition.from, to: transition.to, tick: transition.tick, key };

  // A removal from the configuration (to UNKNOWN) is history, not news: the stream filter should
  // drop it; if one arrives all the same, it is acknowledged without an email.
  if (transition.to === 'UNKNOWN') {
    return skip(deps, key, 'removal', 'info', 'transition sends no email: the monitor was removed from the configuration', context);
  }
  // Held back by a monitor it depends on (or the recovery of an outage never released): the stream
  // filter and the outbox leave it out; should one arrive all the same, it is acknowledged unsent.
  if (transition.heldBy !== undefined) {
    return skip(deps, key, 'held', 'info', 'transition sends no alert: held back by a monitor it depends on', { ...context, heldBy: transition.heldBy });
  }
  if (!shouldNotify(transition)) {
    return skip(deps, key, 'establishment', 'info', 'transition sends no email: the monitor was established', context);
  }
  const monitor = config.monitors.find((candidate) => candidate.id === transition.monitorId);
  if (!monitor) {
    return skip(deps, key, 'unknown-monitor', 'warn', 'transition sends no email: the monitor is no longer configured', context);
  }
  if (transition.to === 'UP' && !monitor.sendOnResolved) {
    return skip(deps, key, 'resolved-not-sent', 'info', 'recovery sends no alert: sendOnResolved is false for the monitor', context);
  }
  const onlyEmail = monitor.alerts.length === 1 && monitor.alerts[0] === EMAIL_CHANNEL;
  if (onlyEmail && monitor.notify.to.length === 0) {
    return skip(deps, key, 'no-recipients', 'warn', 'transition sends no email: the monitor has no recipients', context);
  }

  const previous = await transitions.previousTransition(transition);
  const previousStateMs = previous ? elapsedMs(previous.startedAt, transition.startedAt) : null;
  const alert = buildAlert(transition, monitor, previousStateMs, { config, ...optionalApiUrl(deps) });
  const email = () =>
    renderTransitionEmail({
      transition,
      monitor,
      previousStateMs,
      from: config.notify.from,
      to: monitor.notify.to,
      ...(alert.affected === undefined ? {} : { affected: alert.affected }),
      ...(alert.vantage === undefined ? {} : { vantage: alert.vantage }),
      ...(alert.statusPageUrl === undefined ? {} : { statusPageUrl: alert.statusPageUrl }),
    });
  return deliverAlert(alert, monitor, email, deps, timing, attempt, context);
}

/**
 * Sends a reminder to the monitor's channels, each exactly once, while the outage it is about
 * lasts: a reminder whose outage has ended (the monitor recovered, or went down again since) or
 * whose monitor no longer asks for reminders is recorded as skipped.
 */
export async function notifyReminder(
  reminder: Reminder,
  deps: NotifyTransitionDeps,
  attempt: NotifyAttempt = { attemptId: 'direct', deadline: NO_DEADLINE },
): Promise<NotifyOutcome> {
  const { config } = deps;
  const timing = deps.timing ?? DEFAULT_NOTIFY_TIMING;
  const key = reminderKey(reminder);
  const context = { monitorId: reminder.monitorId, reminder: reminder.number, since: reminder.outageStartedAt, key };
  const monitor = config.monitors.find((candidate) => candidate.id === reminder.monitorId);
  if (!monitor || monitor.remindEveryMs === undefined) {
    return skip(deps, key, 'no-reminders', 'info', 'reminder sends nothing: the monitor is gone or no longer asks for reminders', context);
  }
  const state = await deps.states?.loadState(reminder.monitorId);
  if (state && (state.status !== 'DOWN' || state.since !== reminder.outageStartedAt)) {
    return skip(deps, key, 'outage-over', 'info', 'reminder sends nothing: its outage is over', context);
  }
  const alert = buildReminderAlert(reminder, monitor, { config, ...optionalApiUrl(deps) });
  const email = () =>
    renderReminderEmail({
      reminder,
      monitor,
      from: config.notify.from,
      to: monitor.notify.to,
      ...(alert.statusPageUrl === undefined ? {} : { statusPageUrl: alert.statusPageUrl }),
    });
  return deliverAlert(alert, monitor, email, deps, timing, attempt, context);
}

/**
 * Sends a certificate warning to the monitor's channels, each exactly once. A warning whose monitor
 * is gone or no longer watches its certificate, or whose certificate the monitor's state no longer
 * holds (renewed meanwhile), is recorded as skipped.
 */
export async function notifyCertificateWarning(
  warning: CertificateWarning,
  deps: NotifyTransitionDeps,
  attempt: NotifyAttempt = { attemptId: 'direct', deadline: NO_DEADLINE },
): Promise<NotifyOutcome> {
  const { config } = deps;
  const timing = deps.timing ?? DEFAULT_NOTIFY_TIMING;
  const key = certificateWarningKey(warning);
  const context = { monitorId: warning.monitorId, fingerprint: warning.certificate.fingerprint, thresholdMs: warning.thresholdMs, key };
  const monitor = config.monitors.find((candidate) => candidate.id === warning.monitorId);
  if (!monitor || !monitor.tls || monitor.tls.warnBeforeMs.length === 0) {
    return skip(deps, key, 'no-certificate-warnings', 'info', 'certificate warning sends nothing: the monitor is gone or no longer watches its certificate', context);
  }
  const state = await deps.states?.loadState(warning.monitorId);
  if (state?.certificate && state.certificate.fingerprint !== warning.certificate.fingerprint) {
    return skip(deps, key, 'certificate-renewed', 'info', 'certificate warning sends nothing: the certificate was renewed since', context);
  }
  const alert = buildCertificateAlert(warning, monitor, { config, ...optionalApiUrl(deps) });
  const email = () =>
    renderCertificateEmail({
      warning,
      monitor,
      from: config.notify.from,
      to: monitor.notify.to,
      ...(alert.statusPageUrl === undefined ? {} : { statusPageUrl: alert.statusPageUrl }),
    });
  return deliverAlert(alert, monitor, email, deps, timing, attempt, context);
}

/** What an alert needs beyond its item and monitor: the configuration (names, the status page) and the API's URL. */
export interface AlertContext {
  config: Pick<MonitorsConfig, 'monitors' | 'statusPage' | 'confirm'>;
  apiUrl?: string;
}

function optionalApiUrl(deps: Pick<NotifyTransitionDeps, 'apiUrl'>): { apiUrl?: string } {
  return deps.apiUrl === undefined ? {} : { apiUrl: deps.apiUrl };
}

/**
 * Where alerts link to: `statusPage.url` from monitors.yml when set (where the page is published),
 * else the API's own status page (`/` of API_URL) when the notifier knows the API's URL, else none.
 */
export function statusPageUrlOf(context: AlertContext | undefined): string | undefined {
  if (context === undefined) return undefined;
  if (context.config.statusPage.url !== undefined) return new URL(context.config.statusPage.url).href;
  if (context.apiUrl === undefined) return undefined;
  // The page is the API's `/`: below a base path, if the URL has one (a stage, a custom domain's mapping).
  return new URL(context.apiUrl.endsWith('/') ? context.apiUrl : `${context.apiUrl}/`).href;
}

function withStatusPage<T extends Alert>(alert: T, context: AlertContext | undefined): T {
  const statusPageUrl = statusPageUrlOf(context);
  return statusPageUrl === undefined ? alert : { ...alert, statusPageUrl };
}

/**
 * The dependents an outage names, id to name by the configuration; an id no longer configured is
 * named by itself. Undefined when the transition names none.
 */
function affectedMonitors(ids: readonly string[] | undefined, context: AlertContext | undefined): OutageAlert['affected'] {
  if (ids === undefined || ids.length === 0) return undefined;
  return ids.map((id) => ({ id, name: context?.config.monitors.find((candidate) => candidate.id === id)?.name ?? id }));
}

/**
 * Where an outage was seen from, and whether a quorum of the vantage points failed (as the probe
 * decided it: `regional` marks one declared on a minority). Undefined when the transition carries none.
 */
function outageVantage(transition: Transition): OutageAlert['vantage'] {
  const points = transition.vantage;
  if (points === undefined || points.length === 0) return undefined;
  return { points: points.map((point) => ({ ...point })), quorumMet: transition.regional !== true };
}

/** What every channel says about a certificate warning. */
export function buildCertificateAlert(warning: CertificateWarning, monitor: MonitorConfig, context?: AlertContext): CertificateAlert {
  const { certificate } = warning;
  return withStatusPage<CertificateAlert>({
    kind: 'certificate.expiring',
    key: certificateWarningKey(warning),
    monitor: { id: monitor.id, name: monitor.name, url: publicUrl(monitor.url) },
    certificate: {
      expiresAt: certificate.expiresAt,
      daysLeft: daysLeft(certificate.expiresAt, Date.parse(warning.tick)),
      issuer: certificate.issuer,
      subject: certificate.subject,
      fingerprint: certificate.fingerprint,
    },
    threshold: describeThreshold(warning.thresholdMs),
    timestamp: warning.tick,
  }, context);
}

/**
 * One alert to each of the monitor's channels, each exactly once under its own ledger key: a
 * channel that fails never makes another send again; its error is thrown after the others had
 * their turn, so the record is retried for it alone. A transition's email keeps the key it always
 * had (the alert's), so an upgrade in the middle of a delivery sends nothing twice.
 */
async function deliverAlert(
  alert: Alert,
  monitor: MonitorConfig,
  email: () => EmailMessage,
  deps: NotifyTransitionDeps,
  timing: NotifyTiming,
  attempt: NotifyAttempt,
  context: Record<string, unknown>,
): Promise<NotifyOutcome> {
  const { ledger, logger, mailer } = deps;
  const deliveries: DeliveryOutcome[] = [];
  let transient: unknown;
  const failedChannels: string[] = [];
  for (const channelName of monitor.alerts) {
    const deliveryKey = channelName === EMAIL_CHANNEL ? alert.key : `${alert.key}#${channelName}`;
    const deliveryContext = { ...context, channel: channelName, deliveryKey };
    try {
      if (attempt.blockedChannels?.has(channelName)) throw new ChannelBlockedError(channelName);
      if (channelName === EMAIL_CHANNEL) {
        if (monitor.notify.to.length === 0) {
          await ledger.recordSkip(deliveryKey, 'skipped:no-recipients');
          deliveries.push({ channel: channelName, status: 'skipped', reason: 'no-recipients' });
          continue;
        }
        const message = email();
        deliveries.push(
          await deliverOnce(deps, timing, attempt, deliveryKey, deliveryContext, channelName, async (signal) => (await mailer.send(message, { signal })).messageId),
        );
      } else {
        const channel = deps.channels?.get(channelName);
        if (!channel) {
          // The config loader refuses unknown names; a channel missing here had no secret value.
          throw new Error(`channel '${channelName}' is not available to the notifier (its secret references may have no value)`);
        }
        deliveries.push(
          await deliverOnce(deps, timing, attempt, deliveryKey, deliveryContext, channelName, async (signal) =>
            (await channel.deliver(alert, { deliveryId: deliveryKey, signal })).receipt,
          ),
        );
      }
    } catch (error) {
      // The other channels still get theirs; the record is retried for this one.
      if (error instanceof OutOfTimeError || error instanceof NotificationInProgressError) throw error;
      if (!(error instanceof ChannelBlockedError)) logger.warn('alert delivery failed; it will be retried', { ...deliveryContext, error: String(error) });
      failedChannels.push(channelName);
      transient ??= error;
    }
  }
  if (transient !== undefined) throw new AlertDeliveryError(alert.key, failedChannels, { cause: transient });
  const sentEmail = deliveries.find((delivery) => delivery.channel === EMAIL_CHANNEL);
  if (sentEmail?.status === 'sent') return { status: 'sent', messageId: sentEmail.receipt, deliveries };
  if (deliveries.every((delivery) => delivery.status === 'already-sent')) return { status: 'already-sent', deliveries };
  return { status: 'delivered', deliveries };
}

/** What every channel says about a reminder. */
export function buildReminderAlert(reminder: Reminder, monitor: MonitorConfig, context?: AlertContext): OutageAlert {
  const downMs = Date.parse(reminder.tick) - Date.parse(reminder.outageStartedAt);
  return withStatusPage<OutageAlert>({
    kind: 'monitor.reminder',
    key: reminderKey(reminder),
    monitor: { id: monitor.id, name: monitor.name, url: publicUrl(monitor.url) },
    state: 'DOWN',
    previousState: 'DOWN',
    startedAt: reminder.outageStartedAt,
    confirmedAt: reminder.tick,
    reason: reminder.reason ?? null,
    previousStateSeconds: Number.isNaN(downMs) ? null : Math.round(downMs / 1000),
    outageKey: `${reminder.monitorId}#${reminder.outageStartedAt}`,
    timestamp: reminder.tick,
  }, context);
}

/**
 * What every channel says about a transition; an outage names the dependents also down
 * (`transition.affected`) and, confirmed from several regions, where it was seen from (`transition.vantage`).
 */
export function buildAlert(transition: Transition, monitor: MonitorConfig, previousStateMs: number | null, context?: AlertContext): OutageAlert {
  const down = transition.to === 'DOWN';
  const affected = down ? affectedMonitors(transition.affected, context) : undefined;
  const vantage = down ? outageVantage(transition) : undefined;
  return withStatusPage<OutageAlert>({
    kind: down ? 'monitor.down' : 'monitor.up',
    key: transitionKey(transition),
    monitor: { id: monitor.id, name: monitor.name, url: publicUrl(monitor.url) },
    state: down ? 'DOWN' : 'UP',
    previousState: transition.from,
    startedAt: transition.startedAt,
    confirmedAt: transition.confirmedAt,
    reason: down ? (transition.reason ?? null) : null,
    previousStateSeconds: previousStateMs === null ? null : Math.round(previousStateMs / 1000),
    // A recovery closes the outage that began at the previous state's start.
    outageKey: `${transition.monitorId}#${down ? transition.startedAt : transition.previousSince}`,
    timestamp: transition.confirmedAt,
    ...(affected === undefined ? {} : { affected }),
    ...(vantage === undefined ? {} : { vantage }),
  }, context);
}

/**
 * One delivery exactly once: read the ledger (already done: nothing to do; claimed by another live
 * invocation: wait for it while time allows, else throw NotificationInProgressError); check that
 * the time left covers a send and its record; claim with a lease that outlives this invocation;
 * send, cut short at the send budget; record it. A transient failure releases the claim and
 * throws (the record is retried); a permanent one (PermanentDeliveryError) is recorded as failed,
 * logged for the failed-deliveries alarm, and not retried.
 */
async function deliverOnce(
  deps: NotifyTransitionDeps,
  timing: NotifyTiming,
  attempt: NotifyAttempt,
  key: string,
  context: Record<string, unknown>,
  channel: string,
  send: (signal: AbortSignal) => Promise<string>,
): Promise<DeliveryOutcome> {
  const { ledger, logger } = deps;
  const nowMs = deps.nowMs ?? Date.now;
  let seen = await awaitLiveClaim(deps, timing, attempt, key, context);
  if (seen === 'completed') return { channel, status: 'already-sent' };

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
    if (seen === 'completed') return { channel, status: 'already-sent' };
  }
  if (seen === 'taken-over') {
    logger.warn('took over an expired claim: its invocation stopped before recording a send; the alert may arrive twice', context);
  }

  // Never past the moment the record of the send still fits before the deadline.
  const sendSignal = AbortSignal.any([
    AbortSignal.timeout(timing.sendBudgetMs),
    attempt.deadline.signalBefore(timing.recordBudgetMs + timing.safetyMs),
  ]);
  let receipt: string;
  try {
    receipt = await send(sendSignal);
  } catch (error) {
    if (error instanceof PermanentDeliveryError) {
      await recordOutcome(deps, timing, attempt, key, 'failed', undefined, context);
      logger.error(PERMANENT_FAILURE_MESSAGE, { ...context, error: error.message });
      return { channel, status: 'failed', error: error.message };
    }
    await ledger
      .release(key, attempt.attemptId, { signal: attempt.deadline.signalBefore(timing.safetyMs) })
      .catch((releaseError: unknown) =>
        logger.warn('could not release the claim of a failed send; a retry waits for its lease', { ...context, error: String(releaseError) }),
      );
    throw error;
  }
  await recordOutcome(deps, timing, attempt, key, 'sent', receipt, context);
  logger.info(channel === EMAIL_CHANNEL ? 'transition email sent' : 'alert delivered', { ...context, receipt });
  return { channel, status: 'sent', receipt };
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

/** Records a delivery's outcome, retrying until the time kept for it runs out; a failure is logged, never thrown. */
async function recordOutcome(
  deps: NotifyTransitionDeps,
  timing: NotifyTiming,
  attempt: NotifyAttempt,
  key: string,
  outcome: 'sent' | 'failed',
  receipt: string | undefined,
  context: Record<string, unknown>,
): Promise<void> {
  const signal = attempt.deadline.signalBefore(timing.safetyMs);
  let lastError: unknown;
  for (let round = 0; !signal.aborted; round += 1) {
    try {
      await deps.ledger.complete(key, outcome, receipt, { signal });
      return;
    } catch (error) {
      lastError = error;
      await sleep(Math.min(25 * 2 ** round, 500), signal).catch(() => undefined);
    }
  }
  // The alert went out (or was refused for good): failing the record now would only send it again.
  const what = context.channel === EMAIL_CHANNEL ? 'transition email' : 'alert';
  deps.logger.error(`${what} ${outcome === 'sent' ? 'sent' : 'refused for good'} but not recorded; a redelivery of this record may send it again`, {
    ...context,
    outcome,
    receipt,
    error: String(lastError),
  });
}

/** Milliseconds from one ISO time to another; null when either is not a time. */
function elapsedMs(from: string, to: string): number | null {
  const elapsed = Date.parse(to) - Date.parse(from);
  return Number.isNaN(elapsed) ? null : elapsed;
}
