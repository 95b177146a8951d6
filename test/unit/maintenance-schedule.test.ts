import { MaintenanceSchedule, type MaintenanceWindowConfig } from '../../lib/domain/maintenance';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lib/domain/time';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

const weekly = (overrides: Partial<MaintenanceWindowConfig> = {}): MaintenanceWindowConfig => ({
  name: 'Weekly patching',
  cron: '0 3 * * SUN',
  timezone: 'Europe/Berlin',
  durationMs: HOUR_MS,
  ...overrides,
});

describe('MaintenanceSchedule', () => {
  it('opens a one-off window at its start for its duration, for its monitors only', () => {
    const schedule = new MaintenanceSchedule([{ name: 'Database upgrade', monitors: ['db'], start: '2026-12-05T02:00:00.000Z', timezone: 'UTC', durationMs: 2 * HOUR_MS }]);
    expect(schedule.activeAt('db', at('2026-12-05T01:59:59Z'))).toBeUndefined();
    expect(schedule.activeAt('db', at('2026-12-05T02:00:00Z'))).toEqual({ name: 'Database upgrade', until: '2026-12-05T04:00:00.000Z' });
    expect(schedule.activeAt('db', at('2026-12-05T03:59:59Z'))).toBeDefined();
    expect(schedule.activeAt('db', at('2026-12-05T04:00:00Z'))).toBeUndefined();
    expect(schedule.activeAt('web', at('2026-12-05T03:00:00Z'))).toBeUndefined();
    expect(schedule.next('db', at('2026-12-01T00:00:00Z'), 7 * 24 * HOUR_MS)).toEqual({
      name: 'Database upgrade',
      startAt: '2026-12-05T02:00:00.000Z',
      until: '2026-12-05T04:00:00.000Z',
    });
    expect(schedule.next('db', at('2026-12-01T00:00:00Z'), 24 * HOUR_MS)).toBeUndefined();
  });

  it('reads a recurring window in its time zone: 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer', () => {
    const schedule = new MaintenanceSchedule([weekly()]);
    expect(schedule.activeAt('any', at('2026-12-06T02:30:00Z'))).toEqual({ name: 'Weekly patching', until: '2026-12-06T03:00:00.000Z' });
    expect(schedule.activeAt('any', at('2026-12-06T01:30:00Z'))).toBeUndefined();
    expect(schedule.activeAt('any', at('2026-06-07T01:30:00Z'))).toEqual({ name: 'Weekly patching', until: '2026-06-07T02:00:00.000Z' });
    expect(schedule.periods('any', at('2026-12-01T00:00:00Z'), at('2026-12-15T00:00:00Z')).map((period) => iso(period.startMs))).toEqual([
      '2026-12-06T02:00:00.000Z',
      '2026-12-13T02:00:00.000Z',
    ]);
  });

  it('lasts its duration in elapsed time when the clocks change inside it', () => {
    // 01:30 on the Sunday clocks go back (25 October 2026, 03:00 CEST -> 02:00 CET): three hours
    // from 23:30 UTC end at 02:30 UTC, which is 03:30 on the wall clock after the change.
    const autumn = new MaintenanceSchedule([weekly({ cron: '30 1 * * SUN', durationMs: 3 * HOUR_MS })]);
    expect(autumn.activeAt('any', at('2026-10-24T23:30:00Z'))).toEqual({ name: 'Weekly patching', until: '2026-10-25T02:30:00.000Z' });
    expect(autumn.activeAt('any', at('2026-10-25T02:29:59Z'))).toBeDefined();
    expect(autumn.activeAt('any', at('2026-10-25T02:30:00Z'))).toBeUndefined();
    expect(autumn.millisecondsIn('any', at('2026-10-24T00:00:00Z'), at('2026-10-26T00:00:00Z'))).toBe(3 * HOUR_MS);
    // And on the Sunday they go forward (28 March 2027, 02:00 CET -> 03:00 CEST).
    const spring = new MaintenanceSchedule([weekly({ cron: '30 1 * * SUN', durationMs: 3 * HOUR_MS })]);
    expect(spring.activeAt('any', at('2027-03-28T00:30:00Z'))).toEqual({ name: 'Weekly patching', until: '2027-03-28T03:30:00.000Z' });
    expect(spring.millisecondsIn('any', at('2027-03-27T00:00:00Z'), at('2027-03-29T00:00:00Z'))).toBe(3 * HOUR_MS);
  });

  it('starts a window at a time the clocks skip an hour later, and one at a time that happens twice the first time', () => {
    const skipped = new MaintenanceSchedule([weekly({ cron: '30 2 * * SUN', durationMs: 30 * MINUTE_MS })]);
    // 02:30 does not exist in Berlin on 28 March 2027: it starts at 03:30 CEST (01:30 UTC).
    expect(skipped.next('any', at('2027-03-27T00:00:00Z'), 2 * 24 * HOUR_MS)?.startAt).toBe('2027-03-28T01:30:00.000Z');
    // 02:30 happens twice on 25 October 2026: the first, CEST (00:30 UTC).
    expect(skipped.next('any', at('2026-10-24T00:00:00Z'), 2 * 24 * HOUR_MS)?.startAt).toBe('2026-10-25T00:30:00.000Z');
  });

  it('merges overlapping windows and ad-hoc ones into one stretch, and carries "until" to the end of it', () => {
    const schedule = new MaintenanceSchedule(
      [{ name: 'Database upgrade', start: '2026-12-05T02:00:00.000Z', timezone: 'UTC', durationMs: 2 * HOUR_MS }],
      [
        { id: 'a', name: 'Ad-hoc maintenance', monitors: ['db'], startAt: '2026-12-05T03:30:00.000Z', endAt: '2026-12-05T05:00:00.000Z' },
        { id: 'b', name: 'Elsewhere', monitors: ['web'], startAt: '2026-12-05T00:00:00.000Z', endAt: '2026-12-06T00:00:00.000Z' },
      ],
    );
    expect(schedule.periods('db', at('2026-12-05T00:00:00Z'), at('2026-12-06T00:00:00Z')).map((p) => [iso(p.startMs), iso(p.endMs)])).toEqual([
      ['2026-12-05T02:00:00.000Z', '2026-12-05T05:00:00.000Z'],
    ]);
    expect(schedule.activeAt('db', at('2026-12-05T02:30:00Z'))).toEqual({ name: 'Database upgrade', until: '2026-12-05T05:00:00.000Z' });
    expect(schedule.activeAt('db', at('2026-12-05T04:30:00Z'))).toEqual({ name: 'Ad-hoc maintenance', until: '2026-12-05T05:00:00.000Z' });
    // Clipped to the range asked.
    expect(schedule.millisecondsIn('db', at('2026-12-05T04:00:00Z'), at('2026-12-05T04:30:00Z'))).toBe(30 * MINUTE_MS);
    // An ad-hoc window closed before it began (stopped at once) covers nothing.
    const closed = new MaintenanceSchedule([], [{ id: 'c', name: 'x', startAt: '2026-12-05T03:00:00.000Z', endAt: '2026-12-05T03:00:00.000Z' }]);
    expect(closed.activeAt('db', at('2026-12-05T03:00:00Z'))).toBeUndefined();
  });

  it('finds every occurrence of a frequent window over a long range', () => {
    const schedule = new MaintenanceSchedule([{ name: 'Hourly', cron: '0 * * * *', timezone: 'UTC', durationMs: 5 * MINUTE_MS }]);
    expect(schedule.millisecondsIn('any', at('2026-01-01T00:00:00Z'), at('2026-01-31T00:00:00Z'))).toBe(30 * 24 * 5 * MINUTE_MS);
  });

  it('answers a run\'s many questions from its cache as it would without one (periods over more than two days)', () => {
    const windows = [weekly({ cron: '30 1 * * SUN', durationMs: 3 * HOUR_MS }), weekly({ name: 'Nightly', cron: '45 23 * * *', timezone: 'Asia/Kolkata', durationMs: 50 * MINUTE_MS })];
    const cached = new MaintenanceSchedule(windows);
    // Every 47 minutes over five weeks around a change of the clocks; periods over more than two days take the uncached way.
    for (let atMs = at('2026-10-10T00:00:00Z'); atMs < at('2026-11-14T00:00:00Z'); atMs += 47 * MINUTE_MS) {
      const inPeriods = new MaintenanceSchedule(windows).periods('any', atMs - 2 * DAY_MS - HOUR_MS, atMs + 1).some((period) => period.startMs <= atMs && atMs < period.endMs);
      expect([iso(atMs), cached.activeAt('any', atMs) !== undefined]).toEqual([iso(atMs), inPeriods]);
    }
  });
});
