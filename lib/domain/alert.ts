import type { AlertVantage } from './alert-vantage';
import type { SecretValue } from './secret-ref';

/**
 * Alerts and channels. An alert is a message about a transition (an outage or a recovery) or a
 * reminder while a monitor stays down; a channel is where alerts go (email, chat, paging, a
 * webhook, an SNS topic); a delivery is one alert to one channel, recorded once in the ledger.
 */

/** The kinds of alert, as the webhook body's `type` names them. */
export type AlertKind = 'monitor.down' | 'monitor.up' | 'monitor.reminder' | 'certificate.expiring';

/** What every channel says about one alert: an outage, a recovery, a reminder, or a certificate about to expire. */
export type Alert = OutageAlert | CertificateAlert;

/** What every channel says about a transition or a reminder. Built by the notifier from the stored item. */
export interface OutageAlert {
  kind: 'monitor.down' | 'monitor.up' | 'monitor.reminder';
  /**
   * The alert's identity, stable across retries: a transition's `monitor#startedAt#tick`, a
   * reminder's `monitor#outageStartedAt#reminder-N`. A delivery's id is `<key>#<channel name>`.
   */
  key: string;
  monitor: {
    id: string;
    name: string;
    /** The URL as the status page shows it (no query, fragment or user info); null when it is a secret reference. */
    url: string | null;
  };
  /** The state the monitor is in now. */
  state: 'UP' | 'DOWN';
  /** The state before (a monitor's status: UNKNOWN, UP or DOWN; DOWN for a reminder). */
  previousState: 'UNKNOWN' | 'UP' | 'DOWN';
  /** The first check of the streak that made the state (for a reminder: the outage's start). */
  startedAt: string;
  /** The check that crossed the threshold (for a reminder: when it was made). */
  confirmedAt: string;
  /** The failure's reason with its detail (alerts keep the detail), null for a recovery. */
  reason: string | null;
  /** How long the previous state lasted; for a reminder, how long the outage has lasted. Null when unknown. */
  previousStateSeconds: number | null;
  /** The outage this alert belongs to (its DOWN transition's `monitor#startedAt`): PagerDuty's dedup_key. */
  outageKey: string;
  /** When the alert was made, ISO-8601: the webhook body's `timestamp`. */
  timestamp: string;
  /**
   * For an outage (`monitor.down`) only: the monitors that depend on this one and whose latest check
   * failed too, in configuration order, by id and name (a monitor no longer configured: its id as
   * its name). Their own outage alerts are held back while this one is down; this alert names them.
   */
  affected?: Array<{ id: string; name: string }>;
  /**
   * For an outage (`monitor.down`) confirmed from several regions (monitors.yml `confirm`) only:
   * every vantage point's view (the transition's `vantage`, home region first) and whether a quorum
   * of them failed (not so for an outage declared on a minority under `alertOnRegional`). Every
   * channel says where the failure was seen from.
   */
  vantage?: AlertVantage;
  /**
   * The status page, when its URL is known: monitors.yml's `statusPage.url`, else the API's own `/`.
   * Every channel links to it (emails and SNS as a `Status page:` line).
   */
  statusPageUrl?: string;
}

/**
 * What every channel says about a certificate that expires soon: not an outage (the monitor's state,
 * uptime and incidents are untouched). Sent once per certificate and threshold.
 */
export interface CertificateAlert {
  kind: 'certificate.expiring';
  /** `monitor#certificate-<fingerprint>#<threshold ms>`: also PagerDuty's dedup_key. */
  key: string;
  monitor: { id: string; name: string; url: string | null };
  certificate: {
    expiresAt: string;
    /** Whole days left when the warning was made, rounded down (0: it expires today). */
    daysLeft: number;
    issuer: string;
    subject: string;
    /** SHA-256, lowercase hex. */
    fingerprint: string;
  };
  /** The `warnBefore` threshold crossed, as monitors.yml writes it (`3d`). */
  threshold: string;
  /** When the warning was made (the run's tick), ISO-8601. */
  timestamp: string;
  /** As an outage alert's: the status page, when its URL is known. */
  statusPageUrl?: string;
}

export const CHANNEL_TYPES = ['email', 'slack', 'discord', 'teams', 'webhook', 'pagerduty', 'sns'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** The name of the built-in email channel (monitors.yml's `notify`). */
export const EMAIL_CHANNEL = 'email';

/** A channel as monitors.yml configures it; values that may be secret are literals or references. */
export type ChannelConfig =
  | { name: string; type: 'email' }
  | { name: string; type: 'slack' | 'discord' | 'teams'; url: SecretValue }
  | { name: string; type: 'webhook'; url: SecretValue; secret: SecretValue }
  | { name: string; type: 'pagerduty'; routingKey: SecretValue; url?: string }
  | { name: string; type: 'sns'; topicArn: string };

/** A channel with every secret resolved: what an adapter is built from. */
export type ResolvedChannelConfig =
  | { name: string; type: 'email' }
  | { name: string; type: 'slack' | 'discord' | 'teams'; url: string }
  | { name: string; type: 'webhook'; url: string; secret: string }
  | { name: string; type: 'pagerduty'; routingKey: string; url: string }
  | { name: string; type: 'sns'; topicArn: string };

/** PagerDuty Events API v2's endpoint, unless a channel overrides it (tests). */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** What a channel answered for a delivery: an id to record (a message id, a status line). */
export interface DeliveryReceipt {
  receipt: string;
}

/** Delivers alerts to one channel. Throws PermanentDeliveryError or TransientDeliveryError. */
export interface AlertChannel {
  readonly name: string;
  readonly type: ChannelType;
  /**
   * Sends one alert. `deliveryId` is the same on every retry of this alert to this channel (the
   * webhook's `webhook-id`); `signal` cuts the send short, after which it may have arrived or not.
   */
  deliver(alert: Alert, options: { deliveryId: string; signal?: AbortSignal }): Promise<DeliveryReceipt>;
}

/**
 * The receiver refused the alert in a way a retry cannot change (a 4xx other than 408 and 429, SES
 * MessageRejected): recorded as a failed delivery, counted, alarmed on, never retried.
 */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The receiver may take the alert later (throttling, 5xx, 408, 429, a timeout, the network): retried with backoff. */
export class TransientDeliveryError extends Error {
  override readonly name = 'TransientDeliveryError';
  /** How long the receiver asked to be left alone (its `Retry-After`), when it said: the earliest a retry should go. */
  readonly retryAfterMs?: number;
  constructor(message: string, options?: ErrorOptions & { retryAfterMs?: number }) {
    super(message, options);
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Whether an HTTP status means "try again later" (transient) rather than "never" (permanent). */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
