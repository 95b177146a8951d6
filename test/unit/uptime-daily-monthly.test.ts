import fc from 'fast-check';
import { FutureMonthError } from '../../lib/domain/errors';
import { resolveCalendarMonth } from '../../lib/domain/time-range';
import type { MonitorStatus, Transition } from '../../lib/domain/types';
import {
  computeDailyUptime,
  computeMonthlyUptime,
  computeMtbf,
  computeUptime,
  type DayUptime,
  type MonthlyUptime,
} from '../../lib/domain/uptime';
import { MINUTE_MS } from '../../lib/domain/time';
import { BadRequestError } from '../../lib/http/errors';
import { DailyQuerySchema, parseQuery, ReportQuerySchema } from '../../lib/http/query';

/** `days` of `/daily` as lib/http parses it. */
const parseDayCount = (text: string | undefined) => parseQuery(DailyQuerySchema, { days: text }).days;
/** `month` of `/report` as lib/http parses it, resolved at `nowIso` as the report does. */
const resolveMonth = (text: string | undefined, nowIso: string) => resolveCalendarMonth(parseQuery(ReportQuerySchema, { month: text }).month, nowIso);

const DAY_S = 86_400;
/** 2024-05-01T00:00:00Z, a UTC month boundary. */
const MAY_1_MS = Date.parse('2024-05-01T00:00:00.000Z');

/** ISO time `minutes` after (or before) 2024-05-01T00:00Z. */
const at = (minutes: number) => new Date(MAY_1_MS + minutes * MINUTE_MS).toISOString();
const HOUR = 60;
const DAY = 24 * HOUR;

/** A transition at `minutes`; to UNKNOWN: the monitor's removal from the configuration. */
type Step = [minutes: number, to: MonitorStatus, reason?: string];

/** Transitions as the state machine writes them, confirmed a minute after they start; a removal at its tick. */
function buildHistory(steps: readonly Step[]): Transition[] {
  let from: MonitorStatus = 'UNKNOWN';
  let previousSince = at(-100 * DAY);
  return steps.map(([minutes, to, reason]) => {
    const confirmedAt = to === 'UNKNOWN' ? at(minutes) : at(minutes + 1);
    const transition: Transition = {
      monitorId: 'api',
      from,
      to,
      startedAt: at(minutes),
      confirmedAt,
      previousSince,
      tick: confirmedAt,
      ...(reason === undefined ? {} : { reason }),
    };
    from = to;
    previousSince = at(minutes);
    return transition;
  });
}

const day = (date: string, uptimePercent: number | null, downtimeSeconds = 0, outages = 0): DayUptime => ({
  date,
  uptimePercent,
  downtimeSeconds,
  maintenanceSeconds: 0,
  outages,
});

describe('computeDailyUptime', () => {
  it('gives one null day per day when there is no data at all', () => {
    expect(computeDailyUptime([], 3, at(DAY + 12 * HOUR))).toEqual([
      day('2024-04-30', null),
      day('2024-05-01', null),
      day('2024-05-02', null),
    ]);
  });

  it('splits an outage across midnight between the two UTC days it touches', () => {
    // Down from 23:30 on 30 April to 00:30 on 1 May.
    const history = buildHistory([[-10 * DAY, 'UP'], [-30, 'DOWN', 'timeout'], [30, 'UP']]);
    expect(computeDailyUptime(history, 3, at(DAY + 12 * HOUR))).toEqual([
      day('2024-04-30', ((DAY_S - 1800) / DAY_S) * 100, 1800, 1),
      day('2024-05-01', ((DAY_S - 1800) / DAY_S) * 100, 1800, 1),
      // Today, tracked up to now (12:00).
      day('2024-05-02', 100),
    ]);
  });

  it('leaves out the days before a monitor added mid-window, and the UNKNOWN part of its first day', () => {
    const history = buildHistory([[6 * HOUR, 'UP'], [10 * HOUR, 'DOWN'], [11 * HOUR, 'UP']]);
    expect(computeDailyUptime(history, 3, at(DAY + 12 * HOUR))).toEqual([
      day('2024-04-30', null),
      // Tracked 18 hours, down one of them.
      day('2024-05-01', (17 / 18) * 100, 3600, 1),
      day('2024-05-02', 100),
    ]);
  });

  it('counts an outage still open up to now, on every day it has lasted', () => {
    const history = buildHistory([[-DAY, 'UP'], [22 * HOUR, 'DOWN', 'dns']]);
    expect(computeDailyUptime(history, 2, at(DAY + 3 * HOUR))).toEqual([
      day('2024-05-01', (22 / 24) * 100, 2 * 3600, 1),
      day('2024-05-02', 0, 3 * 3600, 1),
    ]);
  });

  it('leaves out the time a monitor was removed from the configuration: a day wholly without it is null', () => {
    // Down from 20:00 on 30 April, removed at 22:00 (the outage ends there), back on 2 May at 06:00 and established.
    const history = buildHistory([[-10 * DAY, 'UP'], [-4 * HOUR, 'DOWN', 'timeout'], [-2 * HOUR, 'UNKNOWN'], [DAY + 6 * HOUR, 'UP']]);
    expect(computeDailyUptime(history, 3, at(DAY + 12 * HOUR))).toEqual([
      day('2024-04-30', (20 / 22) * 100, 2 * 3600, 1),
      day('2024-05-01', null),
      day('2024-05-02', 100),
    ]);
  });

  it('counts a day that ends exactly at now as a whole day, and today as empty', () => {
    const history = buildHistory([[-DAY, 'UP']]);
    expect(computeDailyUptime(history, 2, at(DAY))).toEqual([day('2024-05-01', 100), day('2024-05-02', null)]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses days=%p', (days) => {
    expect(() => computeDailyUptime([], days, at(0))).toThrow(RangeError);
  });

  it('adds up, day by day, to the downtime over the whole span', () => {
    const SPAN = 5 * DAY;
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: SPAN }), { minLength: 1, maxLength: 10 }),
        fc.constantFrom<'UP' | 'DOWN'>('UP', 'DOWN'),
        fc.integer({ min: 0, max: SPAN }),
        (offsets, first, nowOffset) => {
          const sorted = [...offsets].sort((a, b) => a - b);
          const history = buildHistory(
            sorted.map((minutes, index): Step => [minutes, (index % 2 === 0) === (first === 'UP') ? 'UP' : 'DOWN']),
          );
          const now = at(nowOffset);
          const days = computeDailyUptime(history, 6, now);
          const whole = computeUptime(history, { from: `${days[0]?.date}T00:00:00.000Z`, to: at(6 * DAY) }, now);
          const summed = days.reduce((sum, entry) => sum + entry.downtimeSeconds, 0);
          expect(summed).toBeCloseTo(whole.downtimeSeconds, 6);
        },
      ),
    );
  });
});

describe('parseDayCount', () => {
  it.each([
    [undefined, 90],
    ['1', 1],
    ['30', 30],
    ['400', 400],
  ])('reads %p as %p', (text, expected) => {
    expect(parseDayCount(text)).toBe(expected);
  });

  it.each(['0', '401', '-1', '1.5', 'abc', '', ' 5', '1e2', '0x10'])('refuses days=%j', (text) => {
    expect(() => parseDayCount(text)).toThrow(new BadRequestError(`days must be a whole number from 1 to 400, got ${JSON.stringify(text)}`));
  });
});

describe('resolveMonth', () => {
  const now = '2024-05-15T12:00:00.000Z';

  it.each([
    ['2024-05', '2024-05-01T00:00:00.000Z', '2024-06-01T00:00:00.000Z'],
    ['2024-04', '2024-04-01T00:00:00.000Z', '2024-05-01T00:00:00.000Z'],
    ['2023-12', '2023-12-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'],
    ['2024-02', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['1999-01', '1999-01-01T00:00:00.000Z', '1999-02-01T00:00:00.000Z'],
  ])('reads %s as [%s, %s)', (month, from, to) => {
    expect(resolveMonth(month, now)).toEqual({ month, from, to });
  });

  it('defaults to the month now is in, with December rolling into the next year', () => {
    expect(resolveMonth(undefined, now)).toEqual({ month: '2024-05', from: '2024-05-01T00:00:00.000Z', to: '2024-06-01T00:00:00.000Z' });
    expect(resolveMonth(undefined, '2024-12-31T23:59:59.999Z')).toEqual({
      month: '2024-12',
      from: '2024-12-01T00:00:00.000Z',
      to: '2025-01-01T00:00:00.000Z',
    });
  });

  it('refuses a month that has not begun', () => {
    expect(() => resolveMonth('2024-06', now)).toThrow(FutureMonthError);
    expect(() => resolveMonth('2024-06', now)).toThrow(new FutureMonthError('2024-06'));
    expect(new FutureMonthError('2024-06').message).toBe('month "2024-06" has not begun yet');
    expect(resolveMonth('2024-06', '2024-06-01T00:00:00.000Z').month).toBe('2024-06');
  });

  it.each(['2024-13', '2024-00', '2024-5', '24-05', 'May 2024', '', '2024-05-01', '2024/05'])('refuses month=%j', (text) => {
    expect(() => resolveMonth(text, now)).toThrow(BadRequestError);
    expect(() => resolveMonth(text, now)).toThrow(/^month must be written YYYY-MM, such as 2024-05, got /);
  });
});

describe('computeMonthlyUptime', () => {
  const month = (text: string, now: string) => resolveMonth(text, now);
  const none: MonthlyUptime = { uptimePercent: null, downtimeSeconds: 0, maintenanceSeconds: 0, monitoredSeconds: 0, incidents: 0, longestIncidentSeconds: 0 };

  it('reports no data at all as null uptime and zero figures', () => {
    expect(computeMonthlyUptime([], month('2024-04', at(0)), at(0))).toEqual(none);
  });

  it('splits an incident across the month boundary: each month gets its own part, both count it whole as the longest', () => {
    // Up since 1 April 00:00; down 30 April 23:30 to 1 May 00:30; now 15 May 12:00.
    const history = buildHistory([[-30 * DAY, 'UP'], [-30, 'DOWN', 'timeout'], [30, 'UP']]);
    const now = at(14 * DAY + 12 * HOUR);
    expect(computeMonthlyUptime(history, month('2024-04', now), now)).toEqual({
      uptimePercent: ((30 * DAY_S - 1800) / (30 * DAY_S)) * 100,
      downtimeSeconds: 1800,
      maintenanceSeconds: 0,
      monitoredSeconds: 30 * DAY_S,
      incidents: 1,
      longestIncidentSeconds: 3600,
    });
    // May is in progress: monitored up to now.
    const mayMonitored = 14.5 * DAY_S;
    expect(computeMonthlyUptime(history, month('2024-05', now), now)).toEqual({
      uptimePercent: ((mayMonitored - 1800) / mayMonitored) * 100,
      downtimeSeconds: 1800,
      maintenanceSeconds: 0,
      monitoredSeconds: mayMonitored,
      incidents: 1,
      longestIncidentSeconds: 3600,
    });
  });

  it('covers the 29 days of a leap February', () => {
    const february = Date.parse('2024-02-01T00:00:00.000Z');
    const minutes = (ms: number) => (ms - MAY_1_MS) / MINUTE_MS;
    const history = buildHistory([
      [minutes(february - DAY * MINUTE_MS), 'UP'],
      [minutes(Date.parse('2024-02-29T10:00:00.000Z')), 'DOWN'],
      [minutes(Date.parse('2024-02-29T11:00:00.000Z')), 'UP'],
    ]);
    expect(computeMonthlyUptime(history, month('2024-02', at(0)), at(0))).toEqual({
      uptimePercent: ((29 * DAY_S - 3600) / (29 * DAY_S)) * 100,
      downtimeSeconds: 3600,
      maintenanceSeconds: 0,
      monitoredSeconds: 29 * DAY_S,
      incidents: 1,
      longestIncidentSeconds: 3600,
    });
  });

  it('leaves out the time before a monitor added mid-month', () => {
    const history = buildHistory([[-10 * DAY, 'UP']]);
    expect(computeMonthlyUptime(history, month('2024-04', at(0)), at(0))).toEqual({
      uptimePercent: 100,
      downtimeSeconds: 0,
      maintenanceSeconds: 0,
      monitoredSeconds: 10 * DAY_S,
      incidents: 0,
      longestIncidentSeconds: 0,
    });
  });

  it('monitors only the time the monitor was in the configuration: a removal ends its incident', () => {
    // Up from 1 April; down from 10 April 00:00, removed 10 April 06:00; back 20 April 00:00, up.
    const history = buildHistory([[-30 * DAY, 'UP'], [-21 * DAY, 'DOWN', 'dns'], [-21 * DAY + 6 * HOUR, 'UNKNOWN'], [-11 * DAY, 'UP']]);
    const monitored = 9 * DAY_S + 6 * 3600 + 11 * DAY_S;
    expect(computeMonthlyUptime(history, month('2024-04', at(0)), at(0))).toEqual({
      uptimePercent: ((monitored - 6 * 3600) / monitored) * 100,
      downtimeSeconds: 6 * 3600,
      maintenanceSeconds: 0,
      monitoredSeconds: monitored,
      incidents: 1,
      longestIncidentSeconds: 6 * 3600,
    });
  });

  it('counts an incident still open up to now', () => {
    const history = buildHistory([[0, 'UP'], [DAY, 'DOWN', 'http-status']]);
    const now = at(DAY + 2 * HOUR);
    expect(computeMonthlyUptime(history, month('2024-05', now), now)).toEqual({
      uptimePercent: (24 / 26) * 100,
      downtimeSeconds: 2 * 3600,
      maintenanceSeconds: 0,
      monitoredSeconds: 26 * 3600,
      incidents: 1,
      longestIncidentSeconds: 2 * 3600,
    });
  });

  it('adds up, month by month, to the downtime over the months together', () => {
    const SPAN = 120 * DAY;
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -SPAN, max: 0 }), { minLength: 1, maxLength: 12 }),
        (offsets) => {
          const history = buildHistory(
            [...offsets].sort((a, b) => a - b).map((minutes, index): Step => [minutes, index % 2 === 0 ? 'UP' : 'DOWN']),
          );
          const now = at(0);
          const months = ['2024-01', '2024-02', '2024-03', '2024-04'].map((text) => computeMonthlyUptime(history, month(text, now), now));
          const whole = computeUptime(history, { from: '2024-01-01T00:00:00.000Z', to: now }, now);
          expect(months.reduce((sum, entry) => sum + entry.downtimeSeconds, 0)).toBeCloseTo(whole.downtimeSeconds, 6);
          expect(months.reduce((sum, entry) => sum + entry.monitoredSeconds, 0)).toBeCloseTo(whole.upSeconds + whole.downtimeSeconds, 6);
        },
      ),
    );
  });
});

describe('computeMtbf', () => {
  it('divides the UP time in the window by the outages that began in it', () => {
    // Window 0..600 min: up 0-100, down 100-120, up 120-300, down 300-330, up 330-600.
    const history = buildHistory([[0, 'UP'], [100, 'DOWN'], [120, 'UP'], [300, 'DOWN'], [330, 'UP']]);
    expect(computeMtbf(history, { from: at(0), to: at(600) }, at(600))).toBe(((600 - 50) * 60) / 2);
  });

  it('counts an outage still open, since it began in the window', () => {
    const history = buildHistory([[0, 'UP'], [60, 'DOWN']]);
    expect(computeMtbf(history, { from: at(0), to: at(120) }, at(120))).toBe(3600);
  });

  it('counts neither the UP time nor an outage of the time the monitor was removed', () => {
    // Up 0-100, down 100-120, removed 120-300, back: down 300-330, up 330-600.
    const history = buildHistory([[0, 'UP'], [100, 'DOWN'], [120, 'UNKNOWN'], [300, 'DOWN'], [330, 'UP']]);
    expect(computeMtbf(history, { from: at(0), to: at(600) }, at(600))).toBe(((100 + 270) * 60) / 2);
  });

  it('is null when no outage began in the window, even if one ended in it', () => {
    const history = buildHistory([[-100, 'UP'], [-10, 'DOWN'], [10, 'UP']]);
    expect(computeMtbf(history, { from: at(0), to: at(60) }, at(60))).toBeNull();
    expect(computeMtbf([], { from: at(0), to: at(60) }, at(60))).toBeNull();
  });
});
