import { Webhook } from 'standardwebhooks';
import {
  PermanentDeliveryError,
  TransientDeliveryError,
  isTransientStatus,
  type Alert,
  type AlertChannel,
  type DeliveryReceipt,
} from '../domain/alert';
import {
  fitText,
  isWebhookSecret,
  renderDiscordMessage,
  renderPagerDutyEvent,
  renderSlackMessage,
  renderTeamsMessage,
  renderWebhookBody,
} from '../domain/alert-payloads';
import { SECOND_MS } from '../domain/time';

/**
 * Alert channels that POST JSON over HTTP: Slack, Discord and Teams webhooks, a signed webhook
 * (Standard Webhooks) and PagerDuty's Events API v2. Each delivery is one request with its own
 * timeout; the answer decides what the caller does next:
 *
 * - 2xx: delivered; the receipt is the status line (PagerDuty's also names its dedup_key).
 * - 408, 429, 5xx, no answer in time, a network error, the caller's signal: TransientDeliveryError
 *   (with `retryAfterMs` when the receiver sent Retry-After).
 * - any other status (3xx included: redirects are not followed, the body stays where it was sent):
 *   PermanentDeliveryError.
 *
 * Chat webhook URLs are credentials (whoever holds one can post), so no message this file makes
 * holds a URL: errors name the channel, the status and the start of the answer.
 */

/** How long one delivery may take, answer included, unless the channel is built with another. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10 * SECOND_MS;
/** How much of a receiver's answer an error message quotes. */
export const MAX_ANSWER_IN_MESSAGE = 200;
/** How much of an answer is read at all: enough for PagerDuty's JSON and an error's first words. */
const MAX_ANSWER_BYTES = 4096;
const USER_AGENT = 'sls-uptime-monitor';

export interface HttpAlertChannelOptions {
  /** Per delivery, answer included; default DEFAULT_DELIVERY_TIMEOUT_MS. */
  timeoutMs?: number;
  /** The wall clock: the webhook's `webhook-timestamp` and Retry-After dates. Default `() => new Date()`. */
  now?: () => Date;
}

/** A channel's configuration cannot work (a URL that is not http(s), a webhook secret in the wrong form). */
export class ChannelConfigError extends Error {
  override readonly name = 'ChannelConfigError';
}

type HttpChannelType = 'slack' | 'discord' | 'teams' | 'webhook' | 'pagerduty';

/** What one channel sends for an alert, and how it reads a successful answer. */
interface HttpChannelSpec {
  name: string;
  type: HttpChannelType;
  url: string;
  /** The body and the headers beyond content-type and user-agent; called once per attempt. */
  request(alert: Alert, deliveryId: string, now: Date): { body: string; headers?: Record<string, string> };
  receipt?(status: number, answer: string): string;
}

/** Posts one JSON request per delivery to a fixed URL. Built by the create…Channel functions below. */
export class HttpAlertChannel implements AlertChannel {
  readonly name: string;
  readonly type: HttpChannelType;
  private readonly url: URL;
  private readonly timeoutMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly spec: HttpChannelSpec,
    options: HttpAlertChannelOptions = {},
  ) {
    this.name = spec.name;
    this.type = spec.type;
    this.url = parseChannelUrl(spec);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
    this.now = options.now ?? (() => new Date());
  }

  async deliver(alert: Alert, options: { deliveryId: string; signal?: AbortSignal }): Promise<DeliveryReceipt> {
    const { body, headers = {} } = this.spec.request(alert, options.deliveryId, this.now());
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
        body,
        signal,
        redirect: 'manual',
      });
    } catch (error) {
      throw this.unanswered(error, options.signal, timeout);
    }
    const { status } = response;
    // The status decides; an answer cut short (the timeout, the caller) only shortens the message.
    const answer = await readAnswerStart(response).catch(() => '');
    if (status >= 200 && status < 300) return { receipt: this.spec.receipt?.(status, answer) ?? `HTTP ${status}` };
    const message = `${this.describe()}: HTTP ${status}${quoteAnswer(answer)}`;
    if (isTransientStatus(status)) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
      throw new TransientDeliveryError(message, retryAfterMs === undefined ? {} : { retryAfterMs });
    }
    throw new PermanentDeliveryError(message);
  }

  /** A request that got no (complete) answer: always worth another try, since it may not have arrived. */
  private unanswered(error: unknown, callerSignal: AbortSignal | undefined, timeout: AbortSignal): TransientDeliveryError {
    if (callerSignal?.aborted) return new TransientDeliveryError(`${this.describe()}: cut short by the caller`, { cause: error });
    if (timeout.aborted) return new TransientDeliveryError(`${this.describe()}: no answer within ${this.timeoutMs} ms`, { cause: error });
    return new TransientDeliveryError(`${this.describe()}: network error (${networkErrorCode(error)})`, { cause: error });
  }

  /** `slack channel 'team-chat'`: how every message names the channel, never by its URL. */
  private describe(): string {
    return `${this.type} channel '${this.name}'`;
  }
}

function parseChannelUrl(spec: HttpChannelSpec): URL {
  const refuse = (why: string) => new ChannelConfigError(`${spec.type} channel '${spec.name}': the URL ${why}`);
  if (!URL.canParse(spec.url)) throw refuse('does not parse');
  const url = new URL(spec.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('is not http:// or https://');
  // fetch refuses such a URL with an error that quotes it whole.
  if (url.username !== '' || url.password !== '') throw refuse('holds user info');
  return url;
}

/** The first bytes of the answer as text; the rest is dropped unread. */
async function readAnswerStart(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}

/** `: <the answer's first 200 characters, one line>`, or nothing for an empty answer. */
function quoteAnswer(answer: string): string {
  // eslint-disable-next-line no-control-regex
  const line = answer.replace(/[\u0000-\u001f\u007f\u2028\u2029\s]+/g, ' ').trim();
  return line === '' ? '' : `: ${fitText(line, MAX_ANSWER_IN_MESSAGE)}`;
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: Date): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * SECOND_MS);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * Node's fetch reports a failed connection as TypeError('fetch failed') with the socket's error
 * (`code: 'ECONNREFUSED'`) as cause. Read by shape, not instanceof: the error may come from
 * another realm (a test sandbox).
 */
function networkErrorCode(error: unknown): string {
  const cause = propertyOf(error, 'cause');
  for (const candidate of [cause, error]) {
    const code = propertyOf(candidate, 'code');
    if (typeof code === 'string') return code;
  }
  const name = propertyOf(error, 'name');
  return typeof name === 'string' ? name : 'unknown';
}

function propertyOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

// ---------------------------------------------------------------------------------------------
// The channels

export function createSlackChannel(config: { name: string; url: string }, options?: HttpAlertChannelOptions): HttpAlertChannel {
  return new HttpAlertChannel({ ...config, type: 'slack', request: (alert) => ({ body: JSON.stringify(renderSlackMessage(alert)) }) }, options);
}

export function createDiscordChannel(config: { name: string; url: string }, options?: HttpAlertChannelOptions): HttpAlertChannel {
  return new HttpAlertChannel({ ...config, type: 'discord', request: (alert) => ({ body: JSON.stringify(renderDiscordMessage(alert)) }) }, options);
}

export function createTeamsChannel(config: { name: string; url: string }, options?: HttpAlertChannelOptions): HttpAlertChannel {
  return new HttpAlertChannel({ ...config, type: 'teams', request: (alert) => ({ body: JSON.stringify(renderTeamsMessage(alert)) }) }, options);
}

/**
 * A webhook signed as Standard Webhooks asks: `webhook-id` is the delivery's id, the same on every
 * retry (receivers deduplicate on it); `webhook-timestamp` is this attempt's time in seconds;
 * `webhook-signature` is `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. The specification
 * wants the id free of `.` or not chosen by a user; ours is made here from the alert's key, the
 * monitor's id and the channel's name, none of which a target or a caller of the API chooses.
 */
export function createWebhookChannel(config: { name: string; url: string; secret: string }, options?: HttpAlertChannelOptions): HttpAlertChannel {
  if (!isWebhookSecret(config.secret)) {
    throw new ChannelConfigError(`webhook channel '${config.name}': the secret must be whsec_ followed by the base64 of 24 to 64 random bytes`);
  }
  const webhook = new Webhook(config.secret);
  return new HttpAlertChannel(
    {
      name: config.name,
      url: config.url,
      type: 'webhook',
      request: (alert, deliveryId, now) => {
        const body = JSON.stringify(renderWebhookBody(alert));
        return {
          body,
          headers: {
            'webhook-id': deliveryId,
            'webhook-timestamp': String(Math.floor(now.getTime() / SECOND_MS)),
            'webhook-signature': webhook.sign(deliveryId, now, body),
          },
        };
      },
    },
    options,
  );
}

/** PagerDuty's Events API v2 at `url` (PAGERDUTY_EVENTS_URL in production). The receipt names the dedup_key it answered. */
export function createPagerDutyChannel(config: { name: string; routingKey: string; url: string }, options?: HttpAlertChannelOptions): HttpAlertChannel {
  return new HttpAlertChannel(
    {
      name: config.name,
      url: config.url,
      type: 'pagerduty',
      request: (alert) => ({ body: JSON.stringify(renderPagerDutyEvent(alert, config.routingKey)) }),
      receipt: (status, answer) => `HTTP ${status}${describePagerDutyAnswer(answer)}`,
    },
    options,
  );
}

/** `: Event processed (dedup_key …)` from `{"status":"success","message":"Event processed","dedup_key":"…"}`. */
function describePagerDutyAnswer(answer: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer);
  } catch {
    return '';
  }
  if (typeof parsed !== 'object' || parsed === null) return '';
  const { message, dedup_key: dedupKey } = parsed as { message?: unknown; dedup_key?: unknown };
  const parts = [typeof message === 'string' ? `: ${fitText(message, MAX_ANSWER_IN_MESSAGE)}` : '', typeof dedupKey === 'string' ? ` (dedup_key ${fitText(dedupKey, 255)})` : ''];
  return parts.join('');
}
