import fc from 'fast-check';
import type { MonitorStatus, Transition } from '../../lib/domain/types';
import {
  computeMtbf,
  computeUptime,
  listIncidents,
  type Incident,
  type UptimeReport,
} from '../../lib/domain/uptime';
import { MINUTE_MS } from '../../lib/domain/time';
import { resolveRange, type TimeRange } from '../../lib/domain/time-range';
import { BadRequestError } from '../../lib/http/errors';
import { IncidentsQuerySchema, parseQuery, UptimeSelectionSchema, type QueryParameters } from '../../lib/http/query';

/** The uptime query as lib/http parses it, resolved at `nowIso` as the use case does. */
const resolveWindow = (query: QueryParameters, nowIso: string) => resolveRange(parseQuery(UptimeSelectionSchema, query), nowIso);
/** `limit` of `/incidents` as lib/http parses it. */
const parseIncidentLimit = (text: string | undefined) => parseQuery(IncidentsQuerySchema, { limit: text }).limit;

const BASE_MS = Date.parse('2024-05-01T00:00:00.000Z');

/** ISO time `minutes` after (or before, when negative) the base time. */
function at(minutes: number): string {
  return new Date(BASE_MS + minutes * MINUTE_MS).toISOString();
}

/** A transition at `minutes`; to UNKNOWN: the monitor's removal from the configuration. */
type Step = [minutes: number, to: MonitorStatus, reason?: string];

/**
 * A monitor's transitions, oldest first, as the state machine writes them: confirmed a minute after
 * they start; a removal (to UNKNOWN) starts and is confirmed at the tick of the run that found it.
 */
function buildHistory(steps: readonly Step[], monitorId = 'api'): Transition[] {
  let from: MonitorStatus = 'UNKNOWN';
  let previousSince = at(-10_000);
  return steps.map(([minutes, to, reason]) => {
    const startedAt = at(minutes);
    const confirmedAt = to === 'UNKNOWN' ? startedAt : at(minutes + 1);
    const transition: Transition = {
      monitorId,
      from,
      to,
      startedAt,
      confirmedAt,
      previousSince,
      tick: confirmedAt,
      ...(reason === undefined ? {} : { reason }),
    };
    from = to;
    previousSince = startedAt;
    return transition;
  });
}

function buildRange(fromMinutes: number, toMinutes: number): TimeRange {
  return { from: at(fromMinutes), to: at(toMinutes) };
}

describe('computeUptime', () => {
  const cases: Array<{ name: string; steps: Step[]; window: TimeRange; now: string; expected: UptimeReport }> = [
    { name: 'no transitions at all: nothing tracked, null percent', steps: [], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: null, upSeconds: 0, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0, longestOutageSeconds: 0, mttrSeconds: null } },
    { name: 'up since before the window', steps: [[-100, 'UP']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: 100, upSeconds: 3600, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0, longestOutageSeconds: 0, mttrSeconds: null } },
    { name: 'UNKNOWN time before the first transition is left out', steps: [[30, 'UP']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: 100, upSeconds: 1800, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0, longestOutageSeconds: 0, mttrSeconds: null } },
    { name: 'UNKNOWN time left out, then an open outage', steps: [[20, 'UP'], [40, 'DOWN', 'timeout']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: 50, upSeconds: 1200, downtimeSeconds: 1200, maintenanceSeconds: 0, outages: 1, longestOutageSeconds: 1200, mttrSeconds: null } },
    { name: 'a monitor that was down from its first check', steps: [[0, 'DOWN', 'dns']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: 0, upSeconds: 0, downtimeSeconds: 3600, maintenanceSeconds: 0, outages: 1, longestOutageSeconds: 3600, mttrSeconds: null } },
    { name: 'the window cuts an outage at its start: downtime clipped, longest and mttr on the full outage', steps: [[-100, 'UP'], [-10, 'DOWN'], [10, 'UP']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: (50 / 60) * 100, upSeconds: 3000, downtimeSeconds: 600, maintenanceSeconds: 0, outages: 1, longestOutageSeconds: 1200, mttrSeconds: 1200 } },
    { name: 'the window cuts an outage at its end: it did not end inside the window, so no mttr', steps: [[-100, 'UP'], [50, 'DOWN'], [70, 'UP']], window: buildRange(0, 60), now: at(120), expected: { uptimePercent: (50 / 60) * 100, upSeconds: 3000, downtimeSeconds: 600, maintenanceSeconds: 0, outages: 1, longestOutageSeconds: 1200, mttrSeconds: null } },
    { name: 'an open outage lasts until now', steps: [[-100, 'UP'], [30, 'DOWN']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: 50, upSeconds: 1800, downtimeSeconds: 1800, maintenanceSeconds: 0, outages: 1, longestOutageSeconds: 1800, mttrSeconds: null } },
    { name: 'an open outage in a past window: downtime clipped to the window, longest measured up to now', steps: [[-100, 'UP'], [30, 'DOWN']], window: buildRange(0, 60), now: at(120), expected: { uptimePercent: 50, upSeconds: 1800, downtimeSeconds: 1800, maintenanceSeconds: 0, outages: 1, longestOutageSeconds: 5400, mttrSeconds: null } },
    { name: 'multiple outages: longest over all, mttr over the two that recovered', steps: [[0, 'UP'], [10, 'DOWN'], [15, 'UP'], [30, 'DOWN'], [40, 'UP'], [55, 'DOWN']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: (40 / 60) * 100, upSeconds: 2400, downtimeSeconds: 1200, maintenanceSeconds: 0, outages: 3, longestOutageSeconds: 600, mttrSeconds: 450 } },
    { name: 'an outage that ended before the window does not count', steps: [[-100, 'UP'], [-50, 'DOWN'], [-40, 'UP']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: 100, upSeconds: 3600, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0, longestOutageSeconds: 0, mttrSeconds: null } },
    { name: 'an outage that ended exactly at the window start does not count', steps: [[-100, 'UP'], [-10, 'DOWN'], [0, 'UP']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: 100, upSeconds: 3600, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0, longestOutageSeconds: 0, mttrSeconds: null } },
    { name: 'an outage that ended exactly at the window end counts for mttr', steps: [[-100, 'UP'], [50, 'DOWN'], [60, 'UP']], window: buildRange(0, 60), now: at(90), expected: { uptimePercent: (50 / 60) * 100, upSeconds: 3000, downtimeSeconds: 600, maintenanceSeconds: 0, outages: 1, longestOutageSeconds: 600, mttrSeconds: 600 } },
    { name: 'a window entirely before the first transition: null percent', steps: [[100, 'UP'], [150, 'DOWN']], window: buildRange(0, 60), now: at(200), expected: { uptimePercent: null, upSeconds: 0, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0, longestOutageSeconds: 0, mttrSeconds: null } },
    { name: 'a window reaching past now: time after now is not tracked', steps: [[-100, 'UP'], [10, 'DOWN'], [20, 'UP']], window: buildRange(0, 60), now: at(40), expected: { uptimePercent: 75, upSeconds: 1800, downtimeSeconds: 600, maintenanceSeconds: 0, outages: 1, longestOutageSeconds: 600, mttrSeconds: 600 } },
    { name: 'removed while UP and not back: the time after the removal is unmonitored', steps: [[-100, 'UP'], [30, 'UNKNOWN']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: 100, upSeconds: 1800, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0, longestOutageSeconds: 0, mttrSeconds: null } },
    { name: 'removed while DOWN, back UP later: the removal ends the outage, the gap is no downtime, no mttr (never seen recovering)', steps: [[-100, 'UP'], [10, 'DOWN'], [20, 'UNKNOWN'], [40, 'UP']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: 75, upSeconds: 1800, downtimeSeconds: 600, maintenanceSeconds: 0, outages: 1, longestOutageSeconds: 600, mttrSeconds: null } },
    { name: 'removed while DOWN, back and DOWN again: two outages, the gap between them unmonitored', steps: [[-100, 'DOWN'], [10, 'UNKNOWN'], [30, 'DOWN'], [50, 'UP']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: 25, upSeconds: 600, downtimeSeconds: 1800, maintenanceSeconds: 0, outages: 2, longestOutageSeconds: 6600, mttrSeconds: 1200 } },
    { name: 'a window inside a removal gap: nothing tracked, null percent', steps: [[-100, 'UP'], [-50, 'DOWN'], [-10, 'UNKNOWN'], [100, 'UP']], window: buildRange(0, 60), now: at(200), expected: { uptimePercent: null, upSeconds: 0, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0, longestOutageSeconds: 0, mttrSeconds: null } },
    { name: 'removed before the window, never back: nothing tracked', steps: [[-100, 'DOWN'], [-10, 'UNKNOWN']], window: buildRange(0, 60), now: at(60), expected: { uptimePercent: null, upSeconds: 0, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0, longestOutageSeconds: 0, mttrSeconds: null } },
  ];

  it.each(cases)('$name', ({ steps, window: range, now, expected }) => {
    const { uptimePercent, ...report } = computeUptime(buildHistory(steps), range, now);
    const { uptimePercent: expectedPercent, ...expectedReport } = expected;
    expect(report).toEqual(expectedReport);
    if (expectedPercent === null) expect(uptimePercent).toBeNull();
    else expect(uptimePercent).toBeCloseTo(expectedPercent, 10);
  });

  it('merges consecutive transitions to the same status into one outage', () => {
    const history = buildHistory([[0, 'UP'], [10, 'DOWN'], [20, 'DOWN'], [30, 'UP']]);
    const report = computeUptime(history, buildRange(0, 60), at(60));
    expect(report).toMatchObject({ outages: 1, downtimeSeconds: 1200, longestOutageSeconds: 1200, mttrSeconds: 1200 });
    expect(listIncidents(history, at(60), 10)).toHaveLength(1);
  });

  it('reads transitions in time order even when handed out of order', () => {
    const history = buildHistory([[0, 'UP'], [10, 'DOWN'], [20, 'UP']]);
    const shuffled = [history[2], history[0], history[1]].filter((t): t is Transition => t !== undefined);
    expect(computeUptime(shuffled, buildRange(0, 60), at(60))).toEqual(computeUptime(history, buildRange(0, 60), at(60)));
  });
});

describe('listIncidents', () => {
  const history = buildHistory([
    [0, 'UP'],
    [10, 'DOWN', 'http-status: expected 200, got 503'],
    [15, 'UP'],
    [30, 'DOWN'],
    [40, 'UP'],
    [55, 'DOWN', 'timeout'],
  ]);

  it('lists outages newest first, the open one lasting until now', () => {
    const expected: Incident[] = [
      { startedAt: at(55), confirmedAt: at(56), endedAt: null, durationSeconds: 300, reason: 'timeout' },
      { startedAt: at(30), confirmedAt: at(31), endedAt: at(40), durationSeconds: 600, reason: null },
      {
        startedAt: at(10),
        confirmedAt: at(11),
        endedAt: at(15),
        durationSeconds: 300,
        reason: 'http-status: expected 200, got 503',
      },
    ];
    expect(listIncidents(history, at(60), 20)).toEqual(expected);
  });

  it.each([
    { limit: 0, startedAt: [] },
    { limit: 1, startedAt: [at(55)] },
    { limit: 2, startedAt: [at(55), at(30)] },
    { limit: 3, startedAt: [at(55), at(30), at(10)] },
    { limit: 100, startedAt: [at(55), at(30), at(10)] },
  ])('keeps the newest $limit', ({ limit, startedAt }) => {
    expect(listIncidents(history, at(60), limit).map((incident) => incident.startedAt)).toEqual(startedAt);
  });

  it('ends an outage at the removal of its monitor from the configuration', () => {
    const removed = buildHistory([[0, 'UP'], [10, 'DOWN', 'timeout'], [25, 'UNKNOWN'], [90, 'DOWN', 'dns']]);
    expect(listIncidents(removed, at(100), 20)).toEqual([
      { startedAt: at(90), confirmedAt: at(91), endedAt: null, durationSeconds: 600, reason: 'dns' },
      { startedAt: at(10), confirmedAt: at(11), endedAt: at(25), durationSeconds: 900, reason: 'timeout' },
    ]);
  });

  it('has nothing to list without transitions or without outages', () => {
    expect(listIncidents([], at(60), 20)).toEqual([]);
    expect(listIncidents(buildHistory([[0, 'UP']]), at(60), 20)).toEqual([]);
  });

  it('refuses a limit that is not a whole number', () => {
    expect(() => listIncidents(history, at(60), 1.5)).toThrow(RangeError);
    expect(() => listIncidents(history, at(60), -1)).toThrow(RangeError);
  });
});

describe('resolveWindow', () => {
  const now = '2024-05-01T12:00:00.000Z';

  it.each([
    { query: {}, expected: { from: '2024-04-30T12:00:00.000Z', to: now } },
    { query: { window: '1h' }, expected: { from: '2024-05-01T11:00:00.000Z', to: now } },
    { query: { window: '24h' }, expected: { from: '2024-04-30T12:00:00.000Z', to: now } },
    { query: { window: '7d' }, expected: { from: '2024-04-24T12:00:00.000Z', to: now } },
    { query: { window: '30d' }, expected: { from: '2024-04-01T12:00:00.000Z', to: now } },
    {
      query: { from: '2024-04-01T00:00:00Z', to: '2024-04-02T00:00:00Z' },
      expected: { from: '2024-04-01T00:00:00.000Z', to: '2024-04-02T00:00:00.000Z' },
    },
    {
      query: { from: '2024-04-01T02:30:00+02:00', to: '2024-04-01T10:15:30.250-01:00' },
      expected: { from: '2024-04-01T00:30:00.000Z', to: '2024-04-01T11:15:30.250Z' },
    },
    {
      query: { from: '2024-04-01T00:00Z', to: '2024-04-01T00:00:00.123456789Z' },
      expected: { from: '2024-04-01T00:00:00.000Z', to: '2024-04-01T00:00:00.123Z' },
    },
    { query: { from: '2024-02-29', to: '2024-03-01' }, expected: { from: '2024-02-29T00:00:00.000Z', to: '2024-03-01T00:00:00.000Z' } },
    {
      query: { from: '2024-01-01T00:00:00Z', to: '2024-03-31T00:00:00Z' },
      expected: { from: '2024-01-01T00:00:00.000Z', to: '2024-03-31T00:00:00.000Z' },
    },
  ])('resolves $query', ({ query, expected }: { query: QueryParameters; expected: TimeRange }) => {
    expect(resolveWindow(query, now)).toEqual(expected);
  });

  it.each<{ name: string; query: QueryParameters; message: string }>([
    { name: 'an unknown window', query: { window: '2h' }, message: 'window must be one of 1h, 24h, 7d, 30d, got "2h"' },
    { name: 'an empty window', query: { window: '' }, message: 'window must be one of 1h, 24h, 7d, 30d, got ""' },
    { name: 'a window name from the prototype', query: { window: 'toString' }, message: 'window must be one of 1h, 24h, 7d, 30d, got "toString"' },
    { name: 'a non-ISO from', query: { from: 'yesterday', to: '2024-05-01T00:00:00Z' }, message: 'from must be an ISO-8601 time with a time zone such as 2024-05-01T00:00:00Z, got "yesterday"' },
    { name: 'a time without a zone', query: { from: '2024-04-01T00:00:00Z', to: '2024-04-02T00:00:00' }, message: 'to must be an ISO-8601 time with a time zone such as 2024-05-01T00:00:00Z, got "2024-04-02T00:00:00"' },
    { name: 'epoch milliseconds', query: { from: '1711929600000', to: '2024-04-02T00:00:00Z' }, message: 'from must be an ISO-8601 time with a time zone such as 2024-05-01T00:00:00Z, got "1711929600000"' },
    { name: 'a long unparsable value, cut short in the message', query: { from: 'x'.repeat(200), to: '2024-04-02T00:00:00Z' }, message: `from must be an ISO-8601 time with a time zone such as 2024-05-01T00:00:00Z, got "${'x'.repeat(64)}..."` },
    { name: '30 February', query: { from: '2024-02-30T00:00:00Z', to: '2024-03-02T00:00:00Z' }, message: 'from is not a valid date and time: "2024-02-30T00:00:00Z"' },
    { name: 'month 13', query: { from: '2024-01-01T00:00:00Z', to: '2024-13-01T00:00:00Z' }, message: 'to is not a valid date and time: "2024-13-01T00:00:00Z"' },
    { name: '24:00', query: { from: '2024-01-01T24:00:00Z', to: '2024-01-03T00:00:00Z' }, message: 'from is not a valid date and time: "2024-01-01T24:00:00Z"' },
    { name: 'from after to', query: { from: '2024-04-02T00:00:00Z', to: '2024-04-01T00:00:00Z' }, message: 'from must be before to' },
    { name: 'from equal to to', query: { from: '2024-04-01T02:00:00+02:00', to: '2024-04-01T00:00:00Z' }, message: 'from must be before to' },
    { name: 'a range a second longer than 400 days', query: { from: '2023-01-01T00:00:00Z', to: '2024-02-05T00:00:01Z' }, message: 'from and to must be at most 400 days apart, got about 401 days; for a longer period use /report?month=YYYY-MM, a month at a time' },
    { name: 'a range of 500 days', query: { from: '2023-01-01T00:00:00Z', to: '2024-05-15T00:00:00Z' }, message: 'from and to must be at most 400 days apart, got about 500 days; for a longer period use /report?month=YYYY-MM, a month at a time' },
    { name: 'both window and from/to', query: { window: '7d', from: '2024-04-01T00:00:00Z', to: '2024-04-02T00:00:00Z' }, message: 'give either window or from and to, not both' },
    { name: 'window and only from', query: { window: '7d', from: '2024-04-01T00:00:00Z' }, message: 'give either window or from and to, not both' },
    { name: 'only from', query: { from: '2024-04-01T00:00:00Z' }, message: 'to is missing: from and to must be given together' },
    { name: 'only to', query: { to: '2024-04-01T00:00:00Z' }, message: 'from is missing: from and to must be given together' },
  ])('refuses $name', ({ query, message }) => {
    expect(() => resolveWindow(query, now)).toThrow(BadRequestError);
    expect(() => resolveWindow(query, now)).toThrow(new BadRequestError(message));
  });

  it('accepts a range of exactly 400 days', () => {
    expect(resolveWindow({ from: '2023-01-01T00:00:00Z', to: '2024-02-05T00:00:00Z' }, now)).toEqual({
      from: '2023-01-01T00:00:00.000Z',
      to: '2024-02-05T00:00:00.000Z',
    });
  });
});

describe('parseIncidentLimit', () => {
  it.each([
    { text: undefined, limit: 20 },
    { text: '1', limit: 1 },
    { text: '07', limit: 7 },
    { text: '100', limit: 100 },
  ])('reads $text as $limit', ({ text, limit }) => {
    expect(parseIncidentLimit(text)).toBe(limit);
  });

  it.each(['0', '101', '1000', '-1', '1.5', '1e2', '0x10', ' 5', '', 'ten'])('refuses %j', (text) => {
    expect(() => parseIncidentLimit(text)).toThrow(
      new BadRequestError(`limit must be a whole number from 1 to 100, got ${JSON.stringify(text)}`),
    );
  });
});

describe('uptime properties', () => {
  const SPAN_MS = 10 * 24 * 60 * MINUTE_MS;

  /**
   * The statuses of a history as the state machine and the removal of monitors write it: never the
   * same twice in a row, the first UP or DOWN, and after a removal (UNKNOWN) UP or DOWN again.
   * Each choice picks the next status among the two it may be.
   */
  const statusesOf = (firstTo: 'UP' | 'DOWN', choices: readonly boolean[], removals: boolean): MonitorStatus[] => {
    const statuses: MonitorStatus[] = [firstTo];
    for (const choice of choices) {
      const previous = statuses.at(-1);
      const options: MonitorStatus[] = previous === 'UNKNOWN' ? ['UP', 'DOWN'] : [previous === 'UP' ? 'DOWN' : 'UP', removals ? 'UNKNOWN' : previous === 'UP' ? 'DOWN' : 'UP'];
      statuses.push(choice ? options[0]! : options[1]!);
    }
    return statuses;
  };

  /** A history (what the state machine writes, removals among it) at arbitrary millisecond offsets, and a `now` after it. */
  const historyArbitrary = fc
    .record({
      firstTo: fc.constantFrom<'UP' | 'DOWN'>('UP', 'DOWN'),
      offsets: fc.uniqueArray(fc.integer({ min: 0, max: SPAN_MS }), { maxLength: 12 }),
      choices: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      removals: fc.boolean(),
      nowOffset: fc.integer({ min: 0, max: SPAN_MS }),
    })
    .map(({ firstTo, offsets, choices, removals, nowOffset }) => {
      const sorted = [...offsets].sort((a, b) => a - b);
      const last = sorted.at(-1) ?? 0;
      const statuses = statusesOf(firstTo, choices, removals);
      const steps: Step[] = sorted.map((offset, index) => [offset / MINUTE_MS, statuses[index]!]);
      return { transitions: buildHistory(steps), now: at((last + nowOffset) / MINUTE_MS) };
    });

  /** Three ordered points a <= b <= c around the history, a < c. */
  const pointsArbitrary = fc
    .tuple(
      fc.integer({ min: -SPAN_MS, max: 3 * SPAN_MS }),
      fc.integer({ min: -SPAN_MS, max: 3 * SPAN_MS }),
      fc.integer({ min: -SPAN_MS, max: 3 * SPAN_MS }),
    )
    .map((points) => points.sort((x, y) => x - y))
    .filter(([a, , c]) => a < c)
    .map((points) => points.map((offset) => at(offset / MINUTE_MS)) as [string, string, string]);

  it('keeps uptime between 0 and 100 and downtime within the window', () => {
    fc.assert(
      fc.property(historyArbitrary, pointsArbitrary, ({ transitions, now }, [from, , to]) => {
        const report = computeUptime(transitions, { from, to }, now);
        const windowSeconds = (Date.parse(to) - Date.parse(from)) / 1000;
        if (report.uptimePercent !== null) {
          expect(report.uptimePercent).toBeGreaterThanOrEqual(0);
          expect(report.uptimePercent).toBeLessThanOrEqual(100);
        }
        expect(report.downtimeSeconds).toBeGreaterThanOrEqual(0);
        expect(report.downtimeSeconds).toBeLessThanOrEqual(windowSeconds);
        // Seconds are milliseconds over 1000: their sum may differ from the range's in the last bit of a double.
        expect(report.upSeconds + report.downtimeSeconds).toBeLessThanOrEqual(windowSeconds + 1e-6);
        expect(report.uptimePercent === null).toBe(report.upSeconds + report.downtimeSeconds === 0);
      }),
    );
  });

  it('gives the same figures from the transitions since the range starts and the last one before it', () => {
    // What TransitionReader.listTransitionsSince returns; the API reads no more than that.
    const since = (transitions: readonly Transition[], fromIso: string) => {
      const fromMs = Date.parse(fromIso);
      const before = transitions.filter((transition) => Date.parse(transition.startedAt) < fromMs);
      return [...before.slice(-1), ...transitions.filter((transition) => Date.parse(transition.startedAt) >= fromMs)];
    };
    fc.assert(
      fc.property(historyArbitrary, pointsArbitrary, ({ transitions, now }, [from, , to]) => {
        const subset = since(transitions, from);
        expect(computeUptime(subset, { from, to }, now)).toEqual(computeUptime(transitions, { from, to }, now));
        expect(computeMtbf(subset, { from, to }, now)).toEqual(computeMtbf(transitions, { from, to }, now));
      }),
    );
  });

  it('combines two adjacent windows by their tracked time', () => {
    fc.assert(
      fc.property(historyArbitrary, pointsArbitrary, ({ transitions, now }, [a, b, c]) => {
        const whole = computeUptime(transitions, { from: a, to: c }, now);
        const parts = [a === b ? undefined : { from: a, to: b }, b === c ? undefined : { from: b, to: c }]
          .filter((part): part is TimeRange => part !== undefined)
          .map((part) => computeUptime(transitions, part, now));
        const trackedOf = (report: UptimeReport) => report.upSeconds + report.downtimeSeconds;
        const tracked = parts.reduce((sum, part) => sum + trackedOf(part), 0);

        expect(whole.upSeconds).toBeCloseTo(parts.reduce((sum, part) => sum + part.upSeconds, 0), 6);
        expect(whole.downtimeSeconds).toBeCloseTo(parts.reduce((sum, part) => sum + part.downtimeSeconds, 0), 6);
        if (tracked === 0) {
          expect(whole.uptimePercent).toBeNull();
        } else {
          const weighted = parts.reduce((sum, part) => sum + (part.uptimePercent ?? 0) * trackedOf(part), 0) / tracked;
          expect(whole.uptimePercent).toBeCloseTo(weighted, 9);
        }
      }),
    );
  });

  it('agrees with a minute-by-minute count of the status in force, UNKNOWN (unmonitored) counting as neither', () => {
    const SPAN_MINUTES = 2_000;
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: SPAN_MINUTES }), { maxLength: 10 }),
        fc.constantFrom<'UP' | 'DOWN'>('UP', 'DOWN'),
        fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
        fc.tuple(fc.integer({ min: -200, max: SPAN_MINUTES + 200 }), fc.integer({ min: -200, max: SPAN_MINUTES + 200 })).filter(([a, b]) => a !== b),
        fc.integer({ min: 0, max: 400 }),
        (offsets, firstTo, choices, [a, b], nowAfterLast) => {
          const sorted = [...offsets].sort((x, y) => x - y);
          // Now is never before a stored transition.
          const nowMinute = (sorted.at(-1) ?? 0) + nowAfterLast;
          const statuses = statusesOf(firstTo, choices, true);
          const steps: Step[] = sorted.map((minute, index) => [minute, statuses[index]!]);
          const [fromMinute, toMinute] = a < b ? [a, b] : [b, a];
          // The status in force during each minute: that of the last transition begun by then.
          const statusAt = (minute: number): MonitorStatus => steps.filter(([start]) => start <= minute).at(-1)?.[1] ?? 'UNKNOWN';
          let upMinutes = 0;
          let downMinutes = 0;
          let outages = 0;
          for (let minute = fromMinute; minute < Math.min(toMinute, nowMinute); minute += 1) {
            const status = statusAt(minute);
            if (status === 'UP') upMinutes += 1;
            if (status === 'DOWN') {
              downMinutes += 1;
              // A DOWN stretch counts once: at its first minute in the range.
              if (minute === fromMinute || statusAt(minute - 1) !== 'DOWN') outages += 1;
            }
          }
          const report = computeUptime(buildHistory(steps), buildRange(fromMinute, toMinute), at(nowMinute));
          expect(report.upSeconds).toBe(upMinutes * 60);
          expect(report.downtimeSeconds).toBe(downMinutes * 60);
          expect(report.outages).toBe(outages);
        },
      ),
    );
  });

  it('counts every incident as an outage of a window covering the whole history', () => {
    fc.assert(
      fc.property(historyArbitrary, ({ transitions, now }) => {
        const incidents = listIncidents(transitions, now, 100);
        const report = computeUptime(transitions, { from: at(-1), to: now }, now);
        const incidentSeconds = incidents.reduce((sum, incident) => sum + incident.durationSeconds, 0);
        expect(report.downtimeSeconds).toBeCloseTo(incidentSeconds, 6);
        // An outage that starts exactly at `now` has no length yet and overlaps no time.
        expect(report.outages).toBe(incidents.filter((incident) => incident.durationSeconds > 0).length);
        expect(incidents.map((incident) => incident.startedAt)).toEqual(
          [...incidents].sort((x, y) => Date.parse(y.startedAt) - Date.parse(x.startedAt)).map((incident) => incident.startedAt),
        );
      }),
    );
  });
});
