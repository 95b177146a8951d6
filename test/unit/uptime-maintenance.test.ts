import fc from 'fast-check';
import { MaintenanceSchedule, type MaintenancePeriod } from '../../lib/domain/maintenance';
import { MINUTE_MS } from '../../lib/domain/time';
import { resolveCalendarMonth, type TimeRange } from '../../lib/domain/time-range';
import type { MonitorStatus, Transition } from '../../lib/domain/types';
import { computeDailyUptime, computeMonthlyUptime, computeMtbf, computeUptime, listIncidents, type UptimeReport } from '../../lib/domain/uptime';

/** 2024-05-01T00:00:00Z, a UTC day and month boundary. */
const BASE_MS = Date.parse('2024-05-01T00:00:00.000Z');
const HOUR = 60;
const DAY = 24 * HOUR;
const DAY_S = 86_400;

/** ISO time `minutes` after (or before) the base time. */
const at = (minutes: number) => new Date(BASE_MS + minutes * MINUTE_MS).toISOString();
const range = (fromMinutes: number, toMinutes: number): TimeRange => ({ from: at(fromMinutes), to: at(toMinutes) });
/** A maintenance period from `fromMinutes` to `toMinutes`. */
const window = (fromMinutes: number, toMinutes: number, name = 'upgrade'): MaintenancePeriod => ({
  name,
  startMs: BASE_MS + fromMinutes * MINUTE_MS,
  endMs: BASE_MS + toMinutes * MINUTE_MS,
});

/** A transition at `minutes`; to UNKNOWN: the monitor's removal from the configuration. */
type Step = [minutes: number, to: MonitorStatus];

/** Transitions as the state machine writes them: confirmed a minute after they start; a removal at its tick. */
function buildHistory(steps: readonly Step[]): Transition[] {
  let from: MonitorStatus = 'UNKNOWN';
  let previousSince = at(-100 * DAY);
  return steps.map(([minutes, to]) => {
    const confirmedAt = to === 'UNKNOWN' ? at(minutes) : at(minutes + 1);
    const transition: Transition = { monitorId: 'api', from, to, startedAt: at(minutes), confirmedAt, previousSince, tick: confirmedAt };
    from = to;
    previousSince = at(minutes);
    return transition;
  });
}

describe('computeUptime with maintenance', () => {
  const cases: Array<{ name: string; steps: Step[]; maintenance: MaintenancePeriod[]; window: TimeRange; now: string; expected: UptimeReport }> = [
    {
      name: 'no window: nothing changes, maintenance 0',
      steps: [[-100, 'UP'], [10, 'DOWN'], [20, 'UP']],
      maintenance: [],
      window: range(0, 60),
      now: at(60),
      expected: { uptimePercent: (50 / 60) * 100, upSeconds: 3000, downtimeSeconds: 600, maintenanceSeconds: 0, outages: 1, longestOutageSeconds: 600, mttrSeconds: 600 },
    },
    {
      name: 'a window inside UP time: out of the UP time, the percent unchanged',
      steps: [[-100, 'UP']],
      maintenance: [window(10, 20)],
      window: range(0, 60),
      now: at(60),
      expected: { uptimePercent: 100, upSeconds: 3000, downtimeSeconds: 0, maintenanceSeconds: 600, outages: 0, longestOutageSeconds: 0, mttrSeconds: null },
    },
    {
      name: 'a window inside UP time, with an outage beside it: the percent rises',
      steps: [[-100, 'UP'], [40, 'DOWN'], [50, 'UP']],
      maintenance: [window(0, 30)],
      window: range(0, 60),
      now: at(60),
      expected: { uptimePercent: (20 / 30) * 100, upSeconds: 1200, downtimeSeconds: 600, maintenanceSeconds: 1800, outages: 1, longestOutageSeconds: 600, mttrSeconds: 600 },
    },
    {
      name: 'a window inside an outage: out of the downtime; the outage still counts whole (number, longest, mttr)',
      steps: [[-100, 'UP'], [10, 'DOWN'], [40, 'UP']],
      maintenance: [window(20, 30)],
      window: range(0, 60),
      now: at(60),
      expected: { uptimePercent: (30 / 50) * 100, upSeconds: 1800, downtimeSeconds: 1200, maintenanceSeconds: 600, outages: 1, longestOutageSeconds: 1800, mttrSeconds: 1800 },
    },
    {
      name: 'an outage wholly inside a window: no downtime, still one outage',
      steps: [[-100, 'UP'], [20, 'DOWN'], [30, 'UP']],
      maintenance: [window(15, 35)],
      window: range(0, 60),
      now: at(60),
      expected: { uptimePercent: 100, upSeconds: 2400, downtimeSeconds: 0, maintenanceSeconds: 1200, outages: 1, longestOutageSeconds: 600, mttrSeconds: 600 },
    },
    {
      name: 'a window straddling the start of the range: only its part inside counts',
      steps: [[-100, 'UP']],
      maintenance: [window(-30, 15)],
      window: range(0, 60),
      now: at(60),
      expected: { uptimePercent: 100, upSeconds: 2700, downtimeSeconds: 0, maintenanceSeconds: 900, outages: 0, longestOutageSeconds: 0, mttrSeconds: null },
    },
    {
      name: 'a window straddling the end of the range, in the past: only its part inside counts',
      steps: [[-100, 'UP'], [30, 'DOWN']],
      maintenance: [window(50, 90)],
      window: range(0, 60),
      now: at(120),
      expected: { uptimePercent: 60, upSeconds: 1800, downtimeSeconds: 1200, maintenanceSeconds: 600, outages: 1, longestOutageSeconds: 5400, mttrSeconds: null },
    },
    {
      name: 'a window running past now: the time after now is unmonitored, not maintenance',
      steps: [[-100, 'UP']],
      maintenance: [window(40, 90)],
      window: range(0, 60),
      now: at(50),
      expected: { uptimePercent: 100, upSeconds: 2400, downtimeSeconds: 0, maintenanceSeconds: 600, outages: 0, longestOutageSeconds: 0, mttrSeconds: null },
    },
    {
      name: 'a window wholly outside the range: nothing',
      steps: [[-100, 'UP']],
      maintenance: [window(-50, -10), window(60, 80)],
      window: range(0, 60),
      now: at(100),
      expected: { uptimePercent: 100, upSeconds: 3600, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0, longestOutageSeconds: 0, mttrSeconds: null },
    },
    {
      name: 'overlapping windows count their time once',
      steps: [[-100, 'UP']],
      maintenance: [window(10, 30, 'db'), window(20, 40, 'network'), window(25, 35, 'inner')],
      window: range(0, 60),
      now: at(60),
      expected: { uptimePercent: 100, upSeconds: 1800, downtimeSeconds: 0, maintenanceSeconds: 1800, outages: 0, longestOutageSeconds: 0, mttrSeconds: null },
    },
    {
      name: 'windows given out of order and touching count their time once',
      steps: [[-100, 'DOWN']],
      maintenance: [window(30, 40), window(10, 30), window(10, 30)],
      window: range(0, 60),
      now: at(60),
      expected: { uptimePercent: 0, upSeconds: 0, downtimeSeconds: 1800, maintenanceSeconds: 1800, outages: 1, longestOutageSeconds: 9600, mttrSeconds: null },
    },
    {
      name: 'the whole range in maintenance: null percent, all of it maintenance',
      steps: [[-100, 'UP'], [10, 'DOWN'], [20, 'UP']],
      maintenance: [window(-10, 70)],
      window: range(0, 60),
      now: at(60),
      expected: { uptimePercent: null, upSeconds: 0, downtimeSeconds: 0, maintenanceSeconds: 3600, outages: 1, longestOutageSeconds: 600, mttrSeconds: 600 },
    },
    {
      name: 'UNKNOWN time before the first transition is not maintenance',
      steps: [[30, 'UP']],
      maintenance: [window(0, 40)],
      window: range(0, 60),
      now: at(60),
      expected: { uptimePercent: 100, upSeconds: 1200, downtimeSeconds: 0, maintenanceSeconds: 600, outages: 0, longestOutageSeconds: 0, mttrSeconds: null },
    },
    {
      name: 'UNKNOWN time after a removal is not maintenance',
      steps: [[-100, 'UP'], [20, 'UNKNOWN'], [40, 'UP']],
      maintenance: [window(10, 50)],
      window: range(0, 60),
      now: at(60),
      expected: { uptimePercent: 100, upSeconds: 1200, downtimeSeconds: 0, maintenanceSeconds: 1200, outages: 0, longestOutageSeconds: 0, mttrSeconds: null },
    },
    {
      name: 'a window over a monitor never checked: nothing tracked, no maintenance',
      steps: [],
      maintenance: [window(0, 60)],
      window: range(0, 60),
      now: at(60),
      expected: { uptimePercent: null, upSeconds: 0, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0, longestOutageSeconds: 0, mttrSeconds: null },
    },
  ];

  it.each(cases)('$name', ({ steps, maintenance, window: timeRange, now, expected }) => {
    const { uptimePercent, ...report } = computeUptime(buildHistory(steps), timeRange, now, maintenance);
    const { uptimePercent: expectedPercent, ...expectedReport } = expected;
    expect(report).toEqual(expectedReport);
    if (expectedPercent === null) expect(uptimePercent).toBeNull();
    else expect(uptimePercent).toBeCloseTo(expectedPercent, 10);
  });

  it('leaves the incidents as they are', () => {
    const history = buildHistory([[-100, 'UP'], [10, 'DOWN'], [40, 'UP']]);
    expect(listIncidents(history, at(60), 10)).toEqual([{ startedAt: at(10), confirmedAt: at(11), endedAt: at(40), durationSeconds: 1800, reason: null }]);
  });
});

describe('computeMtbf with maintenance', () => {
  it('divides the UP time outside maintenance by the outages that began in the range', () => {
    const history = buildHistory([[0, 'UP'], [50, 'DOWN'], [60, 'UP'], [100, 'DOWN'], [110, 'UP']]);
    // 100 minutes UP in [0, 120); 20 of them in maintenance; 2 outages began.
    expect(computeMtbf(history, range(0, 120), at(120), [window(20, 40)])).toBe(((100 - 20) * 60) / 2);
    expect(computeMtbf(history, range(0, 120), at(120))).toBe((100 * 60) / 2);
  });
});

describe('computeDailyUptime with maintenance', () => {
  it('reports each day its maintenance, and a day wholly in maintenance with a null percent', () => {
    // Up since 29 April; down 1 May 01:00 to 02:00 (inside a window 00:00 to 03:00); 30 April all in maintenance.
    const history = buildHistory([[-2 * DAY, 'UP'], [HOUR, 'DOWN'], [2 * HOUR, 'UP']]);
    const maintenance = [window(-DAY - 30, 3 * HOUR)];
    const now = at(12 * HOUR);
    expect(computeDailyUptime(history, 3, now, maintenance)).toEqual([
      { date: '2024-04-29', uptimePercent: 100, downtimeSeconds: 0, maintenanceSeconds: 30 * 60, outages: 0 },
      { date: '2024-04-30', uptimePercent: null, downtimeSeconds: 0, maintenanceSeconds: DAY_S, outages: 0 },
      { date: '2024-05-01', uptimePercent: 100, downtimeSeconds: 0, maintenanceSeconds: 3 * 3600, outages: 1 },
    ]);
  });

  it('adds up, day by day, to the maintenance over the whole span', () => {
    fc.assert(
      fc.property(historyArbitrary(5 * DAY), windowsArbitrary(-DAY, 6 * DAY), ({ transitions, now }, maintenance) => {
        const days = computeDailyUptime(transitions, 6, now, maintenance);
        const endOfToday = new Date(Date.parse(`${days.at(-1)?.date}T00:00:00.000Z`) + DAY * MINUTE_MS).toISOString();
        const whole = computeUptime(transitions, { from: `${days[0]?.date}T00:00:00.000Z`, to: endOfToday }, now, maintenance);
        expect(days.reduce((sum, entry) => sum + entry.maintenanceSeconds, 0)).toBeCloseTo(whole.maintenanceSeconds, 6);
        expect(days.reduce((sum, entry) => sum + entry.downtimeSeconds, 0)).toBeCloseTo(whole.downtimeSeconds, 6);
      }),
    );
  });
});

describe('computeMonthlyUptime with maintenance', () => {
  it('reports the maintenance apart and counts it as monitored time', () => {
    const history = buildHistory([[-30 * DAY, 'UP'], [-10 * DAY, 'DOWN'], [-10 * DAY + 2 * HOUR, 'UP']]);
    // A 4-hour window in April that covers the 2-hour outage and 2 hours UP.
    const maintenance = [window(-10 * DAY - HOUR, -10 * DAY + 3 * HOUR)];
    const april = resolveCalendarMonth('2024-04', at(0));
    expect(computeMonthlyUptime(history, april, at(0), maintenance)).toEqual({
      uptimePercent: 100,
      downtimeSeconds: 0,
      maintenanceSeconds: 4 * 3600,
      monitoredSeconds: 30 * DAY_S,
      incidents: 1,
      longestIncidentSeconds: 2 * 3600,
    });
  });
});

/** A history the state machine could write (removals among it) over `spanMinutes`, and a `now` after it. */
function historyArbitrary(spanMinutes: number) {
  return fc
    .record({
      offsets: fc.uniqueArray(fc.integer({ min: 0, max: spanMinutes }), { maxLength: 10 }),
      statuses: fc.array(fc.constantFrom<MonitorStatus>('UP', 'DOWN', 'UNKNOWN'), { minLength: 10, maxLength: 10 }),
      nowOffset: fc.integer({ min: 0, max: spanMinutes }),
    })
    .map(({ offsets, statuses, nowOffset }) => {
      const sorted = [...offsets].sort((a, b) => a - b);
      const steps: Step[] = sorted.map((minute, index) => [minute, index === 0 && statuses[0] === 'UNKNOWN' ? 'UP' : (statuses[index] ?? 'UP')]);
      return { steps, transitions: buildHistory(steps), nowMinute: (sorted.at(-1) ?? 0) + nowOffset, now: at((sorted.at(-1) ?? 0) + nowOffset) };
    });
}

/** Up to 5 maintenance periods in [fromMinutes, toMinutes], overlapping or not, in any order. */
function windowsArbitrary(fromMinutes: number, toMinutes: number) {
  return fc.array(
    fc
      .tuple(fc.integer({ min: fromMinutes, max: toMinutes }), fc.integer({ min: 1, max: 3 * DAY }))
      .map(([start, length]) => window(start, start + length)),
    { maxLength: 5 },
  );
}

describe('uptime with maintenance: properties', () => {
  const SPAN = 3 * DAY;
  const rangeArbitrary = fc
    .tuple(fc.integer({ min: -DAY, max: SPAN + DAY }), fc.integer({ min: -DAY, max: SPAN + DAY }))
    .filter(([a, b]) => a !== b)
    .map(([a, b]) => (a < b ? range(a, b) : range(b, a)));

  it('splits the monitored time into UP, DOWN and maintenance, and leaves the outages alone', () => {
    fc.assert(
      fc.property(historyArbitrary(SPAN), windowsArbitrary(-DAY, SPAN + DAY), rangeArbitrary, ({ transitions, now }, maintenance, timeRange) => {
        const without = computeUptime(transitions, timeRange, now);
        const within = computeUptime(transitions, timeRange, now, maintenance);
        expect(within.upSeconds + within.downtimeSeconds + within.maintenanceSeconds).toBeCloseTo(without.upSeconds + without.downtimeSeconds, 6);
        expect(within.upSeconds).toBeLessThanOrEqual(without.upSeconds);
        expect(within.downtimeSeconds).toBeLessThanOrEqual(without.downtimeSeconds);
        expect(within.maintenanceSeconds).toBeGreaterThanOrEqual(0);
        expect({ outages: within.outages, longest: within.longestOutageSeconds, mttr: within.mttrSeconds }).toEqual({
          outages: without.outages,
          longest: without.longestOutageSeconds,
          mttr: without.mttrSeconds,
        });
        expect(within.uptimePercent === null).toBe(within.upSeconds + within.downtimeSeconds === 0);
      }),
    );
  });

  it('gives the same figures for raw occurrences and for the merged, clipped periods MaintenanceSchedule hands out', () => {
    fc.assert(
      fc.property(historyArbitrary(SPAN), windowsArbitrary(-DAY, SPAN + DAY), rangeArbitrary, ({ transitions, now }, maintenance, timeRange) => {
        const schedule = new MaintenanceSchedule(
          [],
          maintenance.map((period, index) => ({ id: `w${index}`, name: period.name, startAt: new Date(period.startMs).toISOString(), endAt: new Date(period.endMs).toISOString() })),
        );
        const periods = schedule.periods('api', Date.parse(timeRange.from), Date.parse(timeRange.to));
        expect(computeUptime(transitions, timeRange, now, periods)).toEqual(computeUptime(transitions, timeRange, now, maintenance));
      }),
    );
  });

  it('agrees with a minute-by-minute count: UP or DOWN minutes in a window are maintenance, UNKNOWN ones nothing', () => {
    fc.assert(
      fc.property(
        historyArbitrary(600),
        fc.array(fc.tuple(fc.integer({ min: -100, max: 800 }), fc.integer({ min: 1, max: 300 })), { maxLength: 4 }),
        fc.tuple(fc.integer({ min: -100, max: 800 }), fc.integer({ min: -100, max: 800 })).filter(([a, b]) => a !== b),
        ({ steps, transitions, nowMinute }, spans, [a, b]) => {
          const [fromMinute, toMinute] = a < b ? [a, b] : [b, a];
          // The status in force during each minute: that of the last transition begun by then.
          const statusAt = (minute: number): MonitorStatus => steps.filter(([start]) => start <= minute).at(-1)?.[1] ?? 'UNKNOWN';
          const inMaintenance = (minute: number) => spans.some(([start, length]) => minute >= start && minute < start + length);
          let up = 0;
          let down = 0;
          let maintained = 0;
          for (let minute = fromMinute; minute < Math.min(toMinute, nowMinute); minute += 1) {
            const status = statusAt(minute);
            if (status === 'UNKNOWN') continue;
            if (inMaintenance(minute)) maintained += 1;
            else if (status === 'UP') up += 1;
            else down += 1;
          }
          const report = computeUptime(
            transitions,
            range(fromMinute, toMinute),
            at(nowMinute),
            spans.map(([start, length]) => window(start, start + length)),
          );
          expect({ up: report.upSeconds, down: report.downtimeSeconds, maintenance: report.maintenanceSeconds }).toEqual({
            up: up * 60,
            down: down * 60,
            maintenance: maintained * 60,
          });
        },
      ),
    );
  });
});
