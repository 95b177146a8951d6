import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { answerDegraded, answerOk, answerUnavailable, listenOnLoopback } from './http-answers';

export type TargetBehaviour = 'ok' | 'degraded' | 'error' | 'hang';

const ANSWERS: Record<TargetBehaviour, (response: ServerResponse) => void> = {
  ok: answerOk,
  degraded: answerDegraded,
  error: answerUnavailable,
  hang: () => undefined,
};

export interface TargetServer {
  url: string;
  behaviour: TargetBehaviour;
  /** Answers this many requests with a 503, then goes back to `behaviour`. */
  failNext: number;
  requests: number;
  close(): Promise<void>;
}

/**
 * A health endpoint on 127.0.0.1 whose answer a test switches: `{"status":"OK"}`, a 200 that says
 * `{"status":"DEGRADED"}`, a 503, or no answer at all.
 */
export async function startTargetServer(initial: TargetBehaviour = 'ok'): Promise<TargetServer> {
  const target = { behaviour: initial, requests: 0, failNext: 0 } as TargetServer;
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    target.requests += 1;
    request.resume();
    if (target.failNext > 0) {
      target.failNext -= 1;
      answerUnavailable(response);
      return;
    }
    ANSWERS[target.behaviour](response);
  });
  target.url = `http://127.0.0.1:${await listenOnLoopback(server)}/health`;
  target.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return target;
}
