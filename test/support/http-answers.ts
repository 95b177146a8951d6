import type { ServerResponse } from 'node:http';
import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * The answers the test targets on 127.0.0.1 give, and how they start listening: one place for the
 * bodies a monitor's `expect: { json: { status: OK } }` passes or fails on.
 */
const JSON_TYPE = { 'content-type': 'application/json' };

/** 200 `{"status":"OK"}`: a healthy target. */
export function answerOk(response: ServerResponse): void {
  response.writeHead(200, JSON_TYPE).end('{"status":"OK"}');
}

/** 200 `{"status":"DEGRADED"}`: up, but the body says otherwise. */
export function answerDegraded(response: ServerResponse): void {
  response.writeHead(200, JSON_TYPE).end('{"status":"DEGRADED"}');
}

/** 200 with a JSON body that does not parse. */
export function answerInvalidJson(response: ServerResponse): void {
  response.writeHead(200, JSON_TYPE).end('{"status": OK');
}

/** 503 `unavailable` in plain text. */
export function answerUnavailable(response: ServerResponse): void {
  response.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
}

/** Starts `server` on a free port of 127.0.0.1 and answers the port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
  /** Ends every open connection, then closes the server. */
  close(): Promise<void>;
}

/** Starts `server` on a free port of 127.0.0.1, keeping its connections so that close() can end them first. */
export async function startOnLoopback(server: Server): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const baseUrl = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  return {
    baseUrl,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
