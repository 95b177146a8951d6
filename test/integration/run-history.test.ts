import { Logger } from '@aws-lambda-powertools/logger';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { DynamoDbRunRollupStore } from '../../lib/adapters/dynamodb-run-rollup-store';
import { DynamoDbRunSummaryStore } from '../../lib/adapters/dynamodb-run-summary-store';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import { deadlineIn } from '../../lib/app/deadline';
import { runProbeCycle } from '../../lib/app/probe-cycle';
import {
  backfillMissedHours,
  DAYS_PER_RUN,
  loadHourlyRunStats,
  loadRunStats,
  rollUpDay,
  rollUpFinishedDays,
  rollUpHour,
  rollUpPreviousHour,
  type HourRunStats,
} from '../../lib/app/run-history';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { mergeRunStats, RunStatsAccumulator, summarizeRuns, type RunStats } from '../../lib/domain/run-stats';
import { RUN_RETENTION_DAYS } from '../../lib/domain/retention';
import { parseTestMonitors } from '../fixtures/monitors-yml';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { scriptMonitor, seedHistory, type SeededHistory } from '../support/history';
import { startTargetServer, type TargetServer } from '../support/target-server';
import { DAY_MS, MINUTE_MS, HOUR_MS } from '../../lib/domain/time';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const { monitor } = parseTestMonitors(
  `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: api, name: API, url: "https://api.example.com/health" }
  - { id: web, name: Web, url: "https://www.example.com/" }
`,
  'run-history-monitors.yml',
);

let table: TestTable;
let emptyTable: TestTable;
let stores: DynamoDbStores;
let rollups: DynamoDbRunRollupStore;
let seeded: SeededHistory;
const logger = new Logger({ serviceName: 'run-history-test', logLevel: 'SILENT' });

beforeAll(async () => {
  [table, emptyTable] = await Promise.all([createTestTable('runs'), createTestTable('runs-empty')]);
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  rollups = new DynamoDbRunRollupStore({ client: table.client, tableName: table.tableName });
  // Six hours of 1-minute checks from 10:00: api fails 11:20-11:40, web is added at 12:30.
  seeded = await seedHistory(
    stores,
    rollups,
    [
      scriptMonitor(monitor('api'), {
        outages: [{ fromMs: T0 + 80 * MINUTE_MS, toMs: T0 + 100 * MINUTE_MS }],
        latencyMs: (tickEpochMs) => 80 + ((tickEpochMs / MINUTE_MS) % 37) * 3,
      }),
      scriptMonitor(monitor('web'), { addedAtMs: T0 + 150 * MINUTE_MS, latencyMs: (tickEpochMs) => 300 + ((tickEpochMs / MINUTE_MS) % 11) * 20 }),
    ],
    // Hours 10, 11 and 13 are rolled up; 12 is left as if the probe had missed it; 14 and 15 are not done yet.
    { fromMs: T0, toMs: T0 + 6 * HOUR_MS, stepMs: MINUTE_MS, summariesFromMs: T0 },
  );
  await Promise.all([iso(T0), iso(T0 + HOUR_MS), iso(T0 + 3 * HOUR_MS)].map((hour) => rollUpHour(hour, { runs: stores.runs, rollups })));
});
afterAll(() => Promise.all([table.drop(), emptyTable.drop()]));

/** Every check in [from, to), straight from the seeded summaries: the oracle. */
function expectedStats(monitorId: string, fromMs: number, toMs: number): RunStats {
  const runs = seeded.summaries.filter((summary) => Date.parse(summary.tick) >= fromMs && Date.parse(summary.tick) < toMs);
  return mergeRunStats([...summarizeRuns(runs).entries()].filter(([id]) => id === monitorId).map(([, stats]) => stats));
}

/** One monitor's figures per rolled-up hour in [from, to). */
async function monitorHours(store: DynamoDbRunRollupStore, monitorId: string, from: string, to: string): Promise<Map<string, RunStats>> {
  return (await store.readRollups('hour', [monitorId], from, to)).byMonitor.get(monitorId) ?? new Map<string, RunStats>();
}

const merged = (hours: readonly HourRunStats[] | undefined) => mergeRunStats((hours ?? []).map((hour) => hour.stats));

describe('DynamoDbRunRollupStore', () => {
  it('stores an hour per monitor and marks it rolled up', async () => {
    expect(await rollups.hasRollup('hour', iso(T0))).toBe(true);
    expect(await rollups.hasRollup('hour', iso(T0 + 2 * HOUR_MS))).toBe(false);
    expect([...(await rollups.listRolledUp('hour', iso(T0), iso(T0 + 6 * HOUR_MS)))].sort()).toEqual([
      iso(T0),
      iso(T0 + HOUR_MS),
      iso(T0 + 3 * HOUR_MS),
    ]);
    const apiHours = await monitorHours(rollups, 'api', iso(T0), iso(T0 + 6 * HOUR_MS));
    expect(apiHours.get(iso(T0))).toEqual(expectedStats('api', T0, T0 + HOUR_MS));
    expect(apiHours.get(iso(T0 + HOUR_MS))).toMatchObject({ checks: 60, failedChecks: 20 });
    // web was not checked in the 10:00 hour: no item, though the hour is marked.
    expect((await monitorHours(rollups, 'web', iso(T0), iso(T0 + 2 * HOUR_MS))).size).toBe(0);
  });

  it('lists hours in [from, to): the hour starting at `to` is left out', async () => {
    expect([...(await rollups.listRolledUp('hour', iso(T0), iso(T0 + HOUR_MS)))]).toEqual([iso(T0)]);
    expect((await rollups.listRolledUp('hour', iso(T0 + HOUR_MS), iso(T0 + HOUR_MS))).size).toBe(0);
  });
});

describe('loadHourlyRunStats', () => {
  const windows = [
    { name: 'whole hours, some rolled up', fromMs: T0, toMs: T0 + 6 * HOUR_MS },
    { name: 'edges cutting hours', fromMs: T0 + 17 * MINUTE_MS + 30_000, toMs: T0 + 5 * HOUR_MS + 42 * MINUTE_MS + 10_000 },
    { name: 'inside one hour', fromMs: T0 + 3 * HOUR_MS + 5 * MINUTE_MS, toMs: T0 + 3 * HOUR_MS + 50 * MINUTE_MS },
  ];

  it.each(windows)('gives the same figures as the raw runs ($name)', async ({ fromMs, toMs }) => {
    const window = { from: iso(fromMs), to: iso(toMs) };
    const withRollups = await loadHourlyRunStats({ runs: stores.runs, rollups }, ['api', 'web', 'nope'], window, iso(T0 - HOUR_MS));
    for (const id of ['api', 'web']) expect(merged(withRollups.get(id))).toEqual(expectedStats(id, fromMs, toMs));
    expect(merged(withRollups.get('nope')).checks).toBe(0);
    // Hour by hour, the first and last cut to the window.
    const hours = withRollups.get('api') ?? [];
    expect(hours[0]?.from).toBe(window.from);
    expect(hours.at(-1)?.to).toBe(window.to);
    for (const hour of hours) expect(hour.stats).toEqual(expectedStats('api', Date.parse(hour.from), Date.parse(hour.to)));
  });

  it('takes a rolled-up hour from its rollup, and a cut hour from the raw runs', async () => {
    const forged = new DynamoDbRunRollupStore({ client: emptyTable.client, tableName: emptyTable.tableName });
    const marker: RunStats = { checks: 999, failedChecks: 0, latency: { count: 0, sumMs: 0, minMs: 0, maxMs: 0, buckets: new Map() } };
    await forged.putRollup('hour', iso(T0 + HOUR_MS), new Map([['api', marker]]));
    const window = { from: iso(T0 + 30 * MINUTE_MS), to: iso(T0 + 2 * HOUR_MS) };
    const hours = (await loadHourlyRunStats({ runs: stores.runs, rollups: forged }, ['api'], window, iso(T0))).get('api') ?? [];
    expect(hours.map((hour) => hour.stats.checks)).toEqual([30, 999]);
  });

  it('stores an hour in which every check failed (no response time at all)', async () => {
    const failedOnly: RunStats = { checks: 60, failedChecks: 60, latency: { count: 0, sumMs: 0, minMs: 0, maxMs: 0, buckets: new Map() } };
    const other = new DynamoDbRunRollupStore({ client: emptyTable.client, tableName: emptyTable.tableName });
    await other.putRollup('hour', iso(T0 + 2 * HOUR_MS), new Map([['api', failedOnly]]));
    expect((await monitorHours(other, 'api', iso(T0 + 2 * HOUR_MS), iso(T0 + 3 * HOUR_MS))).get(iso(T0 + 2 * HOUR_MS))).toEqual(failedOnly);
  });

  it('reads no raw run older than rawSince', async () => {
    const nothingRolled = new DynamoDbRunRollupStore({ client: emptyTable.client, tableName: emptyTable.tableName });
    const window = { from: iso(T0 + 4 * HOUR_MS), to: iso(T0 + 6 * HOUR_MS) };
    const hours = (await loadHourlyRunStats({ runs: stores.runs, rollups: nothingRolled }, ['api'], window, iso(T0 + 5 * HOUR_MS))).get('api') ?? [];
    expect(hours.map((hour) => hour.stats.checks)).toEqual([0, 60]);
  });

  it('gives nothing for an empty window', async () => {
    const result = await loadHourlyRunStats({ runs: stores.runs, rollups }, ['api'], { from: iso(T0), to: iso(T0) }, iso(T0));
    expect(result.get('api')).toEqual([]);
  });
});

describe('rollUpPreviousHour', () => {
  it('rolls up the previous hour during minutes 5 to 9 only, once', async () => {
    const hour = iso(T0 + 4 * HOUR_MS);
    const at = (minute: number) => iso(T0 + 5 * HOUR_MS + minute * MINUTE_MS);
    const deps = { runs: stores.runs, rollups, logger };
    expect(await rollUpPreviousHour(at(4), deps)).toBe('not-due');
    expect(await rollups.hasRollup('hour', hour)).toBe(false);
    expect(await rollUpPreviousHour(at(5), { ...deps, deadline: deadlineIn(1_000) })).toBe('no-time');
    expect(await rollups.hasRollup('hour', hour)).toBe(false);
    expect(await rollUpPreviousHour(at(5), deps)).toBe('rolled-up');
    expect((await monitorHours(rollups, 'web', hour, at(0))).get(hour)).toEqual(expectedStats('web', T0 + 4 * HOUR_MS, T0 + 5 * HOUR_MS));
    expect(await rollUpPreviousHour(at(6), deps)).toBe('already-rolled-up');
    expect(await rollUpPreviousHour(at(10), deps)).toBe('not-due');
  });

  it('never throws: a failure is logged and reported', async () => {
    const errors = jest.spyOn(logger, 'error');
    const missing = `${table.tableName}-missing`;
    const outcome = await rollUpPreviousHour(iso(T0 + 7 * MINUTE_MS), {
      runs: new DynamoDbRunSummaryStore({ client: table.client, tableName: missing }),
      rollups: new DynamoDbRunRollupStore({ client: table.client, tableName: missing }),
      logger,
    });
    expect(outcome).toBe('failed');
    expect(errors).toHaveBeenCalledWith('could not roll up the hour', expect.objectContaining({ hour: iso(T0 - HOUR_MS) }));
    errors.mockRestore();
  });
});

describe('backfillMissedHours', () => {
  it('rolls up an hour every run missed, once, during minutes 5 to 9, and never the hours before monitoring began', async () => {
    // Hours 10, 11, 13 and 14 are rolled up (14 by the test above); 12 was missed; 15 is the previous hour.
    const missed = iso(T0 + 2 * HOUR_MS);
    const at = (minute: number) => iso(T0 + 6 * HOUR_MS + minute * MINUTE_MS);
    const deps = { runs: stores.runs, rollups, logger };
    expect(await rollups.hasRollup('hour', missed)).toBe(false);
    // The day was rolled up before the hour was: it is rolled up again with it.
    const day = iso(Math.floor(T0 / DAY_MS) * DAY_MS);
    await rollUpDay(day, deps);
    const dayStats = async () => (await rollups.readRollups('day', ['api'], day, iso(Date.parse(day) + DAY_MS))).byMonitor.get('api')?.get(day);
    expect(await dayStats()).toEqual(mergeRunStats([expectedStats('api', T0, T0 + 2 * HOUR_MS), expectedStats('api', T0 + 3 * HOUR_MS, T0 + 5 * HOUR_MS)]));
    expect(await backfillMissedHours(at(4), deps)).toEqual([]);
    expect(await backfillMissedHours(at(5), { ...deps, deadline: deadlineIn(1_000) })).toEqual([]);
    expect(await backfillMissedHours(at(5), deps)).toEqual([missed]);
    expect((await monitorHours(rollups, 'api', missed, at(0))).get(missed)).toEqual(expectedStats('api', T0 + 2 * HOUR_MS, T0 + 3 * HOUR_MS));
    expect(await dayStats()).toEqual(expectedStats('api', T0, T0 + 5 * HOUR_MS));
    // Done: the next run finds nothing to do, and the previous hour is rollUpPreviousHour's.
    expect(await backfillMissedHours(at(6), deps)).toEqual([]);
    expect(await rollups.hasRollup('hour', iso(T0 + 5 * HOUR_MS))).toBe(false);
    // 09:00 and before: no gap, monitoring had not begun.
    expect(await rollups.hasRollup('hour', iso(T0 - HOUR_MS))).toBe(false);
  });

  it('does nothing in a table with no rolled-up hour, and never throws', async () => {
    const deps = { runs: new DynamoDbRunSummaryStore({ client: emptyTable.client, tableName: emptyTable.tableName }), rollups: new DynamoDbRunRollupStore({ client: emptyTable.client, tableName: emptyTable.tableName }), logger };
    expect(await backfillMissedHours(iso(T0 + 5 * MINUTE_MS), deps)).toEqual([]);
    const errors = jest.spyOn(logger, 'error');
    const missing = `${table.tableName}-missing`;
    const failing = { runs: new DynamoDbRunSummaryStore({ client: table.client, tableName: missing }), rollups: new DynamoDbRunRollupStore({ client: table.client, tableName: missing }), logger };
    expect(await backfillMissedHours(iso(T0 + 5 * MINUTE_MS), failing)).toEqual([]);
    expect(errors).toHaveBeenCalledWith('could not roll up the missed hours; a later run tries again', expect.objectContaining({ done: [] }));
    errors.mockRestore();
  });
});

describe('the probe cycle', () => {
  let probeTable: TestTable;
  let target: TargetServer;

  beforeAll(async () => {
    [probeTable, target] = await Promise.all([createTestTable('runs-probe'), startTargetServer('ok')]);
  });
  afterAll(() => Promise.all([probeTable.drop(), target.close()]));

  it('rolls up the finished hour a few minutes into the next one', async () => {
    const probeConfig = parseMonitorsConfig(
      `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: target, name: Target, url: "${target.url}" }
`,
      'monitors.yml',
    );
    const probeStores = createDynamoDbStores({ client: probeTable.client, tableName: probeTable.tableName });
    const probeRollups = new DynamoDbRunRollupStore({ client: probeTable.client, tableName: probeTable.tableName });
    let nowMs = 0;
    const deps = {
      config: probeConfig,
      stores: probeStores,
      prober: new HttpProber(),
      metrics: new DisabledMetricsSink(),
      logger,
      now: () => new Date(nowMs),
      concurrency: 2,
      rollups: probeRollups,
    };
    for (const minute of [58, 59, 64, 65]) {
      nowMs = T0 + minute * MINUTE_MS + 500;
      await runProbeCycle(iso(T0 + minute * MINUTE_MS), deps);
      const rolled = await probeRollups.hasRollup('hour', iso(T0));
      expect([minute, rolled]).toEqual([minute, minute >= 65]);
    }
    const stats = (await monitorHours(probeRollups, 'target', iso(T0), iso(T0 + HOUR_MS))).get(iso(T0));
    expect(stats).toMatchObject({ checks: 2, failedChecks: 0, latency: { count: 2 } });

    // 23:58, then 00:05 and 00:06 the next day: the last hour is rolled up, the hours no run rolled
    // up are backfilled (six a run), and the day is rolled up from its hours, then again with the rest.
    const day = iso(Math.floor(T0 / DAY_MS) * DAY_MS);
    const dayChecks = async () =>
      (await probeRollups.readRollups('day', ['target'], day, iso(Date.parse(day) + DAY_MS))).byMonitor.get('target')?.get(day)?.checks;
    for (const minute of [13 * 60 + 58, 14 * 60 + 5]) {
      nowMs = T0 + minute * MINUTE_MS + 500;
      await runProbeCycle(iso(T0 + minute * MINUTE_MS), deps);
    }
    // Hours 10, 11 (11:04 and 11:05) and 23 have checks: 5 in all.
    expect(await dayChecks()).toBe(5);
    expect((await probeRollups.listRolledUp('hour', day, iso(Date.parse(day) + DAY_MS))).size).toBe(1 + 6 + 1);
    nowMs = T0 + (14 * 60 + 6) * MINUTE_MS + 500;
    await runProbeCycle(iso(T0 + (14 * 60 + 6) * MINUTE_MS), deps);
    expect((await probeRollups.listRolledUp('hour', day, iso(Date.parse(day) + DAY_MS))).size).toBe(14);
    expect(await dayChecks()).toBe(5);
  });
});

describe('daily rollups', () => {
  // Five days of hourly rollups from D0 (written directly, as the probe would): `a` throughout, `b`
  // from D1; D2 lacks its last hour (23:00), D3 lacks 05:00.
  const D0 = Date.parse('2024-06-01T00:00:00.000Z');
  const day = (index: number) => iso(D0 + index * DAY_MS);
  let dayTable: TestTable;
  let dayRollups: DynamoDbRunRollupStore;
  const hourStats = (monitorId: string, hourMs: number): RunStats => {
    const accumulator = new RunStatsAccumulator();
    const hourIndex = (hourMs - D0) / HOUR_MS;
    for (let minute = 0; minute < 60; minute += 1) {
      accumulator.addResult({ ok: (minute + hourIndex) % 29 !== 0, latencyMs: (monitorId === 'a' ? 40 : 200) + ((minute * 7 + hourIndex * 13) % 90) });
    }
    return accumulator.result();
  };
  const hoursWritten: number[] = [];
  const deps = () => ({ runs: stores.runs, rollups: dayRollups, logger });

  beforeAll(async () => {
    dayTable = await createTestTable('runs-days');
    dayRollups = new DynamoDbRunRollupStore({ client: dayTable.client, tableName: dayTable.tableName });
    for (let hourMs = D0; hourMs < D0 + 5 * DAY_MS; hourMs += HOUR_MS) {
      if (hourMs === D0 + 2 * DAY_MS + 23 * HOUR_MS || hourMs === D0 + 3 * DAY_MS + 5 * HOUR_MS) continue;
      hoursWritten.push(hourMs);
    }
    await Promise.all(
      hoursWritten.map((hourMs) =>
        dayRollups.putRollup('hour', iso(hourMs), new Map(['a', ...(hourMs >= D0 + DAY_MS ? ['b'] : [])].map((id) => [id, hourStats(id, hourMs)]))),
      ),
    );
  });
  afterAll(() => dayTable.drop());

  const expectedDay = (monitorId: string, index: number) =>
    mergeRunStats(hoursWritten.filter((hourMs) => hourMs >= D0 + index * DAY_MS && hourMs < D0 + (index + 1) * DAY_MS && (monitorId === 'a' || hourMs >= D0 + DAY_MS)).map((hourMs) => hourStats(monitorId, hourMs)));

  it('rolls up each finished day whose last hour is rolled up, oldest first, a few a run, during minutes 5 to 9', async () => {
    const tick = (minute: number) => iso(D0 + 5 * DAY_MS + minute * MINUTE_MS);
    expect(await rollUpFinishedDays(tick(4), deps())).toEqual([]);
    expect(await rollUpFinishedDays(tick(5), { ...deps(), deadline: deadlineIn(1_000) })).toEqual([]);
    // D2 waits for its 23:00; DAYS_PER_RUN (3) a run.
    expect(DAYS_PER_RUN).toBe(3);
    expect(await rollUpFinishedDays(tick(5), deps())).toEqual([day(0), day(1), day(3)]);
    expect(await rollUpFinishedDays(tick(6), deps())).toEqual([day(4)]);
    expect(await rollUpFinishedDays(tick(7), deps())).toEqual([]);
    const read = await dayRollups.readRollups('day', ['a', 'b'], day(0), day(5));
    expect([...read.rolledUp].sort()).toEqual([day(0), day(1), day(3), day(4)]);
    for (const index of [0, 1, 3, 4]) expect(read.byMonitor.get('a')?.get(day(index))).toEqual(expectedDay('a', index));
    expect(read.byMonitor.get('b')?.has(day(0))).toBe(false);
    expect(read.byMonitor.get('b')?.get(day(3))).toEqual(expectedDay('b', 3));
    // No day before the first hour was written (monitoring had not begun).
    expect(await dayRollups.listRolledUp('day', iso(D0 - 10 * DAY_MS), day(0))).toEqual(new Set());
  });

  it('sums days and edge hours for a range over two days, as the hours alone give', async () => {
    const window = { from: iso(D0 + 7 * HOUR_MS), to: iso(D0 + 4 * DAY_MS + 11 * HOUR_MS) };
    const hourDeps = { runs: stores.runs, rollups: dayRollups };
    const byHours = await loadHourlyRunStats(hourDeps, ['a', 'b'], window, iso(D0));
    const byDays = await loadRunStats(hourDeps, ['a', 'b'], window, iso(D0));
    // D2 is not rolled up: its hours are read instead.
    expect(byDays.get('a')).toEqual(merged(byHours.get('a')));
    expect(byDays.get('b')).toEqual(merged(byHours.get('b')));
    expect(byDays.get('a')?.checks).toBe(hoursWritten.filter((hourMs) => hourMs >= D0 + 7 * HOUR_MS && hourMs < D0 + 4 * DAY_MS + 11 * HOUR_MS).length * 60);
  });

  it('rolls up a day once its last hour is, and one too old to get it anyway; writes an empty day for a gap', async () => {
    await dayRollups.putRollup('hour', iso(D0 + 2 * DAY_MS + 23 * HOUR_MS), new Map([['a', hourStats('a', D0 + 2 * DAY_MS + 23 * HOUR_MS)]]));
    expect(await rollUpFinishedDays(iso(D0 + 5 * DAY_MS + 8 * MINUTE_MS), deps())).toEqual([day(2)]);
    // Much later: the days after D4 have no hour and are too old for one: they are written empty.
    const later = D0 + (8 + RUN_RETENTION_DAYS - 1) * DAY_MS;
    const done = await rollUpFinishedDays(iso(later + 5 * MINUTE_MS), deps());
    expect(done).toEqual([day(5), day(6), day(7)]);
    expect((await dayRollups.readRollups('day', undefined, day(5), day(6))).byMonitor.size).toBe(0);
  });

  it('never throws: a failure is logged', async () => {
    const errors = jest.spyOn(logger, 'error');
    const missing = `${dayTable.tableName}-missing`;
    const failing = { runs: stores.runs, rollups: new DynamoDbRunRollupStore({ client: dayTable.client, tableName: missing }), logger };
    expect(await rollUpFinishedDays(iso(D0 + 5 * DAY_MS + 5 * MINUTE_MS), failing)).toEqual([]);
    expect(errors).toHaveBeenCalledWith('could not roll up the finished days; a later run tries again', expect.objectContaining({ done: [] }));
    errors.mockRestore();
  });
});
