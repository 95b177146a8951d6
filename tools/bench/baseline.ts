import http from 'node:http';
import { mapWithConcurrency } from '../../lib/domain/concurrency';

export interface BaselineResult {
  durationMs: number;
  /** CPU time of this process while fetching, ms. */
  cpuMs: number;
  /** Answers with a 2xx status. */
  ok: number;
  /** Other answers and errors. */
  failed: number;
}

/** A new connection per request, as the prober opens them. */
const AGENT = new http.Agent({ keepAlive: false });

function get(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: AGENT, signal: AbortSignal.timeout(timeoutMs) }, (response) => {
      response.resume();
      response.once('end', () => resolve((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300));
      response.once('error', () => resolve(false));
    });
    request.once('error', () => resolve(false));
  });
}

/**
 * The floor under a probe cycle on this machine: only the HTTP requests, the same URLs with the
 * same concurrency and the same client as the prober (Node's http, a new connection each), each
 * body read to the end; no evaluation, no state, no store.
 */
export async function fetchAll(urls: readonly string[], concurrency: number, timeoutMs: number): Promise<BaselineResult> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const outcomes = await mapWithConcurrency(urls, concurrency, (url) => get(url, timeoutMs));
  const cpu = process.cpuUsage(cpuBefore);
  const ok = outcomes.filter(Boolean).length;
  return { durationMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, ok, failed: outcomes.length - ok };
}
