import { mapWithConcurrency } from '../domain/concurrency';

export interface BaselineResult {
  durationMs: number;
  /** CPU time of this process while fetching, ms. */
  cpuMs: number;
  /** Answers with a 2xx status. */
  ok: number;
  /** Other answers and errors. */
  failed: number;
}

/**
 * The floor under a probe cycle on this machine: only the HTTP requests, the same URLs with the
 * same concurrency and the same fetch, each body read to the end; no evaluation, no state, no store.
 */
export async function fetchAll(urls: readonly string[], concurrency: number, timeoutMs: number): Promise<BaselineResult> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const outcomes = await mapWithConcurrency(urls, concurrency, async (url) => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  });
  const cpu = process.cpuUsage(cpuBefore);
  const ok = outcomes.filter(Boolean).length;
  return { durationMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, ok, failed: outcomes.length - ok };
}
