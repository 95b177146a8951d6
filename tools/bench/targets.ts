import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TargetReply, TargetRequest } from './target-process';

export interface BenchTargetsOptions {
  /** How many targets (distinct URLs). */
  count: number;
  /** How long each answer takes, in ms. */
  latencyMs: number;
  /** Which share of the targets fail from the start (answer 503), 0 to 1. */
  failingFraction: number;
  /** How many HTTP servers (ports) the targets are spread over. Default 4. */
  servers?: number;
  /**
   * Whether every answer closes its connection (`Connection: close`), so each check opens a new
   * one, as it does against monitors on hosts of their own: a connection does not outlive the
   * minute between two checks. Default true; false lets checks of the same server share
   * connections, which understates the CPU a check takes.
   */
  newConnections?: boolean;
}

export interface BenchTargets {
  /** One URL per target, on 127.0.0.1. */
  urls: string[];
  /** Makes these targets answer 503 (true) or 200 (false) from now on; resolves once they do. */
  setFailing(indexes: readonly number[], failing: boolean): Promise<void>;
  isFailing(index: number): boolean;
  /** Requests answered so far. */
  requests(): Promise<number>;
  close(): Promise<void>;
}

/** A request to the targets' process, before it is numbered. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Which targets fail from the start: spread evenly over the indexes, `round(count × fraction)` of them. */
export function initiallyFailing(count: number, fraction: number): Set<number> {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`the failing fraction must be from 0 to 1, got ${fraction}`);
  const failing = new Set<number>();
  const wanted = Math.round(count * fraction);
  for (let k = 0; k < wanted; k += 1) failing.add(Math.floor((k * count) / wanted));
  return failing;
}

/**
 * N health endpoints on 127.0.0.1 for the bench, served by a process of their own (so serving
 * them takes no CPU from the probe being measured): `GET /t/<index>` answers after `latencyMs`
 * with `200 {"status":"OK"}`, or `503` for a failing target. Nothing listens beyond the loopback.
 */
export async function startBenchTargets(options: BenchTargetsOptions): Promise<BenchTargets> {
  const failing = initiallyFailing(options.count, options.failingFraction);
  // Under tsx, the child inherits its loader through execArgv.
  const child: ChildProcess = fork(path.join(__dirname, 'target-process.ts'), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 0;
  const waiting = new Map<number, (requests: number) => void>();
  let ready: ((ports: number[]) => void) | undefined;
  child.on('message', (message: TargetReply) => {
    if (message.type === 'ready') ready?.(message.ports);
    else waiting.get(message.id)?.(message.requests);
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the bench targets' process exited (${code})`))));
  exited.catch(() => undefined);
  const ask = (request: WithoutId<Extract<TargetRequest, { id: number }>>) =>
    Promise.race([
      new Promise<number>((resolve) => {
        const id = (nextId += 1);
        waiting.set(id, (requests) => {
          waiting.delete(id);
          resolve(requests);
        });
        child.send({ ...request, id } as TargetRequest);
      }),
      exited,
    ]);
  const ports = await Promise.race([
    new Promise<number[]>((resolve) => {
      ready = resolve;
      child.send({ type: 'start', count: options.count, latencyMs: options.latencyMs, failing: [...failing], servers: options.servers ?? 4, closeConnections: options.newConnections ?? true } satisfies TargetRequest);
    }),
    exited,
  ]);
  return {
    urls: Array.from({ length: options.count }, (_, index) => `http://127.0.0.1:${ports[index % ports.length]}/t/${index}`),
    setFailing: async (indexes, value) => {
      for (const index of indexes) {
        if (value) failing.add(index);
        else failing.delete(index);
      }
      await ask({ type: 'setFailing', indexes: [...indexes], failing: value });
    },
    isFailing: (index) => failing.has(index),
    requests: () => ask({ type: 'count' }),
    close: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}
