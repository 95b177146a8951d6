import type { ApiResponse } from './responses';

/**
 * Keeps public answers (the status page, the badges) in the function's memory for a short while, so
 * a page many people reload, or a badge on a busy README, costs one set of table reads per warm
 * instance per `ttlMs` instead of one per request. At most `maxEntries` answers are kept; the
 * oldest goes first. A failed request is not kept.
 */
export class ResponseCache {
  private readonly entries = new Map<string, { expiresAtMs: number; response: Promise<ApiResponse> }>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 200,
  ) {}

  /**
   * The kept answer for `key` if it is younger than the time to live, else a new one from `create`.
   * `ttlMs` shortens the cache's time to live for this key (never lengthens it): the status page
   * keeps 10 s whatever the badges keep.
   */
  async getOrCreate(key: string, nowMs: number, create: () => Promise<ApiResponse>, ttlMs: number = this.ttlMs): Promise<ApiResponse> {
    const kept = this.entries.get(key);
    if (kept && kept.expiresAtMs > nowMs) return kept.response;
    this.entries.delete(key);
    // Keep the promise, not the answer: requests arriving while it is made share it.
    const response = create();
    this.entries.set(key, { expiresAtMs: nowMs + Math.min(ttlMs, this.ttlMs), response });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    try {
      return await response;
    } catch (error) {
      if (this.entries.get(key)?.response === response) this.entries.delete(key);
      throw error;
    }
  }
}
