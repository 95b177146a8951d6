/**
 * Calls `fn` on every item with at most `limit` calls in flight, and resolves with the results in
 * the order of `items` (not the order they finished in).
 *
 * `fn` is meant not to throw (a `Prober` never does). If a call rejects anyway, the other items
 * still run to the end: no call is skipped or cut short. Once every call has settled, the returned
 * promise rejects with the error of the failed item with the lowest index, and the results of the
 * others are dropped.
 *
 * @throws RangeError when `limit` is not at least 1 (checked before any call is made).
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!(limit >= 1)) {
    throw new RangeError(`concurrency limit must be at least 1, got ${limit}`);
  }
  const results = new Array<R>(items.length);
  const failures: { index: number; error: unknown }[] = [];
  let next = 0;

  async function runWorker(): Promise<void> {
    while (next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failures.push({ index, error });
      }
    }
  }

  const workerCount = Math.min(Math.floor(limit), items.length);
  await Promise.all(Array.from({ length: workerCount }, () => runWorker()));

  if (failures.length > 0) {
    const first = failures.reduce((a, b) => (b.index < a.index ? b : a));
    throw first.error;
  }
  return results;
}
