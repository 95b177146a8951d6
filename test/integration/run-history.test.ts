import { Logger } from '@aws-lambda-powertools/logger';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { DynamoDbRunRollupStore } from '../../lib/adapters/dynamodb-run-rollup-store';
import { DynamoDbRunSummaryStore } from '../../lib/adapters/dynamodb-run-summary-store';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import { deadlineIn } from '../../lib/app/deadline';
import { runProbeCycle } from '../../lib/app/probe-cycle';
import { backfillMissedHours, loadHourlyRunStats, rollUpHour, rollUpPreviousHour, type HourRunStats } from '../../lib/app/run-history';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { mergeRunStats, summarizeRuns, type RunStats } from '../../lib/domain/run-stats';
import { parseTestMonitors } from '../fixtures/monitors-yml';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { scriptMonitor, seedHistory, type SeededHistory } from '../support/history';
import { startTargetServer, type TargetServer } from '../support/target-server';
import { MINUTE_MS, HOUR_MS } from '../../lib/domain/time';

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
    expect(await backfillMissedHours(at(4), deps)).toEqual([]);
    expect(await backfillMissedHours(at(5), { ...deps, deadline: deadlineIn(1_000) })).toEqual([]);
    expect(await backfillMissedHours(at(5), deps)).toEqual([missed]);
    expect((await monitorHours(rollups, 'api', missed, at(0))).get(missed)).toEqual(expectedStats('api', T0 + 2 * HOUR_MS, T0 + 3 * HOUR_MS));
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
  });
});
