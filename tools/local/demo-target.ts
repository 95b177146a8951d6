import { createServer, type Server } from 'node:http';

export type DemoHealth = 'ok' | 'down' | 'error';

const NEXT: Record<DemoHealth, DemoHealth> = { ok: 'down', down: 'error', error: 'ok' };

export interface DemoTarget {
  url: string;
  healthUrl: string;
  health: DemoHealth;
  close(): Promise<void>;
}

/**
 * A tiny API whose health can be flipped, for watching the monitor work locally.
 * `GET /health` answers `200 {"status":"OK"}` (ok), `200 {"status":"DOWN"}` (down) or `503` (error).
 * `POST /toggle` moves ok -> down -> error -> ok; `POST /toggle?to=ok|down|error` sets it.
 * `GET /` says what it is and how to flip it.
 */
export async function startDemoTarget(port: number, host = '127.0.0.1'): Promise<DemoTarget> {
  const target = { health: 'ok' } as DemoTarget;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${host}`);
    request.resume();
    const json = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
    if (url.pathname === '/health' && (request.method === 'GET' || request.method === 'HEAD')) {
      if (target.health === 'error') return json(503, { status: 'UNAVAILABLE' });
      return json(200, { status: target.health === 'ok' ? 'OK' : 'DOWN' });
    }
    if (url.pathname === '/toggle' && request.method === 'POST') {
      const wanted = url.searchParams.get('to');
      if (wanted !== null && !(wanted in NEXT)) return json(400, { error: `to must be one of ok, down, error` });
      target.health = wanted === null ? NEXT[target.health] : (wanted as DemoHealth);
      return json(200, { health: target.health });
    }
    if (url.pathname === '/' && request.method === 'GET') {
      return json(200, { health: target.health, flip: `curl -X POST ${target.url}/toggle` });
    }
    return json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  target.url = `http://${host}:${port}`;
  target.healthUrl = `${target.url}/health`;
  target.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return target;
}
