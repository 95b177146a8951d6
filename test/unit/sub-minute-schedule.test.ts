import { cycleOffsets, isDueInCycle } from '../../lib/domain/schedule';
import { MINUTE_MS } from '../../lib/domain/time';


describe('cycleOffsets', () => {
  it.each<[number[], number[]]>([
    [[MINUTE_MS, 5 * MINUTE_MS], [0]],
    [[], [0]],
    [[30_000, MINUTE_MS], [0, 30_000]],
    [[10_000], [0, 10_000, 20_000, 30_000, 40_000, 50_000]],
    [[30_000, 20_000], [0, 10_000, 20_000, 30_000, 40_000, 50_000]],
    [[15_000, 30_000], [0, 15_000, 30_000, 45_000]],
  ])('intervals %j start cycles at %j ms into the minute', (intervals, offsets) => {
    expect(cycleOffsets(intervals)).toEqual(offsets);
  });

  it('leaves a short local period to one cycle when every interval is at least that period', () => {
    expect(cycleOffsets([MINUTE_MS], 5000)).toEqual([0]);
  });
});

describe('isDueInCycle', () => {
  const tick = '2026-01-01T10:07:00.000Z';
  it.each<[number, number, boolean]>([
    [10_000, 0, true],
    [10_000, 20_000, true],
    [30_000, 20_000, false],
    [30_000, 30_000, true],
    [MINUTE_MS, 0, true],
    [MINUTE_MS, 30_000, false],
    [2 * MINUTE_MS, 0, false],
  ])('interval %i ms at %i ms into the minute: %p', (interval, offset, due) => {
    expect(isDueInCycle(interval, tick, offset)).toBe(due);
  });

  it('checks a 1-minute monitor at every tick of a 5 s local period', () => {
    expect(isDueInCycle(MINUTE_MS, '2026-01-01T10:07:05.000Z', 0, 5000)).toBe(true);
  });
});
