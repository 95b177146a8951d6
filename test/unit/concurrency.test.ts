import { mapWithConcurrency } from '../../lib/domain/concurrency';

/** Resolves after `turns` trips through the microtask and timer queues, without real waiting. */
async function yieldTurns(turns: number): Promise<void> {
  for (let i = 0; i < turns; i += 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Runs `mapWithConcurrency` with a task that records how many calls are in flight. */
async function runCounted(itemCount: number, limit: number, turnsFor: (index: number) => number) {
  let inFlight = 0;
  let maxInFlight = 0;
  const started: number[] = [];
  const items = Array.from({ length: itemCount }, (_, i) => i);
  const results = await mapWithConcurrency(items, limit, async (item, index) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    started.push(index);
    await yieldTurns(turnsFor(index));
    inFlight -= 1;
    return `item-${item}`;
  });
  return { results, maxInFlight, started };
}

describe('mapWithConcurrency', () => {
  it('resolves an empty input to an empty array without calling fn', async () => {
    const fn = jest.fn(async (item: number) => item);
    await expect(mapWithConcurrency([], 4, fn)).resolves.toEqual([]);
    expect(fn).not.toHaveBeenCalled();
  });

  it('keeps the order of the items when later items finish first', async () => {
    const { results } = await runCounted(6, 3, (index) => 6 - index);
    expect(results).toEqual(['item-0', 'item-1', 'item-2', 'item-3', 'item-4', 'item-5']);
  });

  it('passes each item with its index', async () => {
    const results = await mapWithConcurrency(['a', 'b', 'c'], 2, async (item, index) => `${index}:${item}`);
    expect(results).toEqual(['0:a', '1:b', '2:c']);
  });

  it.each<[number, number, number]>([
    // items, limit, expected peak
    [10, 1, 1],
    [10, 3, 3],
    [10, 10, 10],
    [3, 8, 3],
    [25, 4, 4],
  ])('%i items with limit %i never run more than %i at once, and reach it', async (count, limit, peak) => {
    const { results, maxInFlight, started } = await runCounted(count, limit, (index) => 1 + (index % 3));
    expect(maxInFlight).toBe(peak);
    expect(results).toHaveLength(count);
    expect([...started].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it('calls fn exactly once per item', async () => {
    const fn = jest.fn(async (item: number) => item * 2);
    await expect(mapWithConcurrency([1, 2, 3, 4, 5], 2, fn)).resolves.toEqual([2, 4, 6, 8, 10]);
    expect(fn).toHaveBeenCalledTimes(5);
  });

  it('a rejected call does not stop the others; the first failing item’s error is thrown at the end', async () => {
    const finished: number[] = [];
    const run = mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (item) => {
      await yieldTurns(6 - item);
      if (item === 4) throw new Error('four failed');
      if (item === 1) throw new Error('one failed');
      finished.push(item);
      return item;
    });
    await expect(run).rejects.toThrow('one failed');
    expect([...finished].sort()).toEqual([0, 2, 3, 5]);
  });

  it('treats a synchronous throw like a rejection', async () => {
    const finished: number[] = [];
    const run = mapWithConcurrency([0, 1, 2], 1, (item) => {
      if (item === 0) throw new Error('sync');
      finished.push(item);
      return Promise.resolve(item);
    });
    await expect(run).rejects.toThrow('sync');
    expect(finished).toEqual([1, 2]);
  });

  it.each([0, -1, Number.NaN])('refuses a limit of %d before calling fn', async (limit) => {
    const fn = jest.fn(async (item: number) => item);
    await expect(mapWithConcurrency([1, 2], limit, fn)).rejects.toThrow(RangeError);
    expect(fn).not.toHaveBeenCalled();
  });

  it('rounds a fractional limit down', async () => {
    const { maxInFlight } = await runCounted(8, 2.9, () => 2);
    expect(maxInFlight).toBe(2);
  });

  it('accepts an infinite limit', async () => {
    const { maxInFlight } = await runCounted(7, Number.POSITIVE_INFINITY, () => 2);
    expect(maxInFlight).toBe(7);
  });
});
