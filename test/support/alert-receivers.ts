import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { MINUTE_MS } from '../../lib/domain/time';
import { listenOnLoopback, startOnLoopback } from './http-answers';

/**
 * Real HTTP receivers on 127.0.0.1 for the alert channels: each records what arrived and answers as
 * a test tells it (a status with headers and a body, or no answer at all). The answers the services
 * give when they accept an alert are here too, from their documentation.
 */

export interface ReceivedRequest {
  method: string;
  /** Path and query, as the request line gave them. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A status with headers and a body; `hang`: the request is read and never answered; `reset`: the
 * request is read and the connection reset (TCP RST) instead of an answer.
 */
export type ReceiverAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang' | 'reset';
/** An answer, or how to make one from the request (PagerDuty echoes the dedup_key it was sent). */
export type ReceiverBehaviour = ReceiverAnswer | ((request: ReceivedRequest) => ReceiverAnswer);

/** One request and what the receiver did with it. */
export interface ReceiverExchange {
  request: ReceivedRequest;
  answer: ReceiverAnswer;
}

export interface AlertReceiver {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
  /** Every request, in the order they arrived. */
  readonly requests: ReceivedRequest[];
  /** Every request with the answer it got, in the order they arrived (as `requests`, forgotten by reset). */
  readonly exchanges: ReceiverExchange[];
  /** How every request is answered from now on (after any queued by answerNext). */
  answerWith(behaviour: ReceiverBehaviour): void;
  /** Answers the next requests with these, one each, in order; then goes back to answerWith's. */
  answerNext(...behaviours: ReceiverBehaviour[]): void;
  /** Forgets the requests and the queued answers; answers with `behaviour` from now on. */
  reset(behaviour: ReceiverBehaviour): void;
  /** Ends every open connection (a hanging request too), then stops listening. */
  close(): Promise<void>;
}

/** A receiver a test forgot to close stops by itself after this long. */
export const RECEIVER_LIFETIME_MS = 10 * MINUTE_MS;

/** Starts a receiver on a free port of 127.0.0.1; it stops by itself after `lifetimeMs` if not closed before. */
export async function startAlertReceiver(behaviour: ReceiverBehaviour, options: { lifetimeMs?: number } = {}): Promise<AlertReceiver> {
  const requests: ReceivedRequest[] = [];
  const exchanges: ReceiverExchange[] = [];
  let standing = behaviour;
  let queued: ReceiverBehaviour[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: ReceivedRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      const next = queued.shift() ?? standing;
      const answer = typeof next === 'function' ? next(received) : next;
      exchanges.push({ request: received, answer });
      if (answer === 'hang') return;
      if (answer === 'reset') {
        request.socket.resetAndDestroy();
        return;
      }
      response.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
    });
  });
  const loopback = await startOnLoopback(server);
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= loopback.close());
  const lifetime = setTimeout(() => void close().catch(() => undefined), options.lifetimeMs ?? RECEIVER_LIFETIME_MS);
  lifetime.unref();
  return {
    baseUrl: loopback.baseUrl,
    requests,
    exchanges,
    answerWith: (next) => {
      standing = next;
    },
    answerNext: (...next) => {
      queued.push(...next);
    },
    reset: (next) => {
      requests.length = 0;
      exchanges.length = 0;
      queued = [];
      standing = next;
    },
    close: () => {
      clearTimeout(lifetime);
      return close();
    },
  };
}

/** `http://127.0.0.1:<port><path>` where nothing listens: a port taken and let go again. */
export async function refusingUrl(path = '/'): Promise<string> {
  const server = createServer();
  const port = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

/** Slack's incoming webhook accepts with 200 and the plain text `ok`. */
export const SLACK_ACCEPTS: ReceiverAnswer = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
/** Discord's execute webhook (without `?wait=true`) accepts with 204 and no body. */
export const DISCORD_ACCEPTS: ReceiverAnswer = { status: 204 };
/** A Teams Workflows trigger accepts with 202 and no body; the flow posts the card afterwards. */
export const TEAMS_ACCEPTS: ReceiverAnswer = { status: 202 };
/** A webhook receiver that took the alert. */
export const WEBHOOK_ACCEPTS: ReceiverAnswer = { status: 204 };

/** PagerDuty's Events API v2 accepts with 202 and `{status, message, dedup_key}`, the dedup_key it was sent. */
export function pagerDutyAccepts(request: ReceivedRequest): ReceiverAnswer {
  const { dedup_key: dedupKey } = JSON.parse(request.body) as { dedup_key?: string };
  return {
    status: 202,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedupKey }),
  };
}

/** Whether the receiver took the request: it answered 2xx. */
export function isAccepted(exchange: ReceiverExchange): boolean {
  const { answer } = exchange;
  return typeof answer === 'object' && answer.status >= 200 && answer.status < 300;
}

/** A header's one value (undefined when absent or repeated). */
export function headerValue(request: ReceivedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Checks a request as a Standard Webhooks receiver does, with the receiver-side library: the
 * signature over `webhook-id.webhook-timestamp.body`, and a timestamp within its tolerance.
 */
export function isSignedWebhook(secret: string, request: ReceivedRequest): boolean {
  const id = headerValue(request, 'webhook-id');
  const timestamp = headerValue(request, 'webhook-timestamp');
  const signature = headerValue(request, 'webhook-signature');
  if (id === undefined || timestamp === undefined || signature === undefined) return false;
  try {
    new Webhook(secret).verify(request.body, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature });
    return true;
  } catch {
    return false;
  }
}

/** A webhook receiver that takes only requests signed with `secret` (401 otherwise), answering `accept` to those. */
export function webhookReceiverOf(secret: string, accept: ReceiverBehaviour = WEBHOOK_ACCEPTS): (request: ReceivedRequest) => ReceiverAnswer {
  return (request) => {
    if (!isSignedWebhook(secret, request)) return { status: 401, body: 'bad signature' };
    return typeof accept === 'function' ? accept(request) : accept;
  };
}
