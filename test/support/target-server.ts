import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type TargetBehaviour = 'ok' | 'degraded' | 'error' | 'hang';

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
      response.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    switch (target.behaviour) {
      case 'ok':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"OK"}');
        break;
      case 'degraded':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"DEGRADED"}');
        break;
      case 'error':
        response.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
        break;
      case 'hang':
        break;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  target.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return target;
}
