/**
 * The bench targets' own process (forked by targets.ts), so serving them takes no CPU from the
 * probe being measured. Listens on 127.0.0.1 only; answers the parent's messages; exits when the
 * parent goes away.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type TargetRequest =
  | { type: 'start'; count: number; latencyMs: number; failing: number[]; servers: number; closeConnections: boolean }
  | { type: 'setFailing'; id: number; indexes: number[]; failing: boolean }
  | { type: 'count'; id: number };

export type TargetReply = { type: 'ready'; ports: number[] } | { type: 'done'; id: number; requests: number };

const failing = new Set<number>();
const servers: Server[] = [];
let requests = 0;

function reply(message: TargetReply): void {
  process.send?.(message);
}

async function start(request: Extract<TargetRequest, { type: 'start' }>): Promise<void> {
  for (const index of request.failing) failing.add(index);
  for (let s = 0; s < request.servers; s += 1) {
    const server = createServer((incoming, response) => {
      incoming.resume();
      const index = Number(/^\/t\/(\d+)$/.exec(incoming.url ?? '')?.[1] ?? Number.NaN);
      setTimeout(() => {
        requests += 1;
        if (request.closeConnections) response.setHeader('connection', 'close');
        if (!Number.isInteger(index) || index >= request.count) response.writeHead(404, { 'content-type': 'text/plain' }).end('no such target');
        else if (failing.has(index)) response.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
        else response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"OK"}');
      }, request.latencyMs);
    });
    server.keepAliveTimeout = 120_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  reply({ type: 'ready', ports: servers.map((server) => (server.address() as AddressInfo).port) });
}

process.on('message', (message: TargetRequest) => {
  if (message.type === 'start') void start(message);
  else if (message.type === 'setFailing') {
    for (const index of message.indexes) {
      if (message.failing) failing.add(index);
      else failing.delete(index);
    }
    reply({ type: 'done', id: message.id, requests });
  } else if (message.type === 'count') reply({ type: 'done', id: message.id, requests });
});
// The parent is gone (finished, or killed): so are the targets.
process.on('disconnect', () => process.exit(0));
