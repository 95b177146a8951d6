import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
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

/** A status with headers and a body, or `hang`: the request is read and never answered. */
export type ReceiverAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';
/** An answer, or how to make one from the request (PagerDuty echoes the dedup_key it was sent). */
export type ReceiverBehaviour = ReceiverAnswer | ((request: ReceivedRequest) => ReceiverAnswer);

export interface AlertReceiver {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
  /** Every request, in the order they arrived. */
  readonly requests: ReceivedRequest[];
  /** How every request is answered from now on (after any queued by answerNext). */
  answerWith(behaviour: ReceiverBehaviour): void;
  /** Answers the next requests with these, one each, in order; then goes back to answerWith's. */
  answerNext(...behaviours: ReceiverBehaviour[]): void;
  /** Forgets the requests and the queued answers; answers with `behaviour` from now on. */
  reset(behaviour: ReceiverBehaviour): void;
  /** Ends every open connection (a hanging request too), then stops listening. */
  close(): Promise<void>;
}

/** Starts a receiver on a free port of 127.0.0.1. */
export async function startAlertReceiver(behaviour: ReceiverBehaviour): Promise<AlertReceiver> {
  const requests: ReceivedRequest[] = [];
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
      if (answer === 'hang') return;
      response.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
    });
  });
  const { baseUrl, close } = await startOnLoopback(server);
  return {
    baseUrl,
    requests,
    answerWith: (next) => {
      standing = next;
    },
    answerNext: (...next) => {
      queued.push(...next);
    },
    reset: (next) => {
      requests.length = 0;
      queued = [];
      standing = next;
    },
    close,
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
