import { Logger } from '@aws-lambda-powertools/logger';
import { BatchWriteItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import { getUptime } from '../../lib/app/monitor-queries';
import { probeRun, type ProbeDeps } from '../../lib/app/probe-run';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { DAY_MS, MINUTE_MS } from '../../lib/domain/time';
import type { MonitorsConfig } from '../../lib/domain/types';
import { createScheduledEvent } from '../fixtures/scheduled-event';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { startTargetServer, type TargetServer } from '../support/target-server';

/**
 * Transitions past the 400-day retention, through the real probe run on DynamoDB Local. DynamoDB
 * Local keeps items past their TTL, so `sweepExpired` does what DynamoDB's TTL does: it deletes
 * every item whose `expiresAt` has passed.
 *
 * - steady: established 500 days ago, UP ever since (no transition since).
 * - flappy: established 500 days ago, DOWN 450 days ago, UP again 420 days ago.
 */

const NOW_MS = Date.parse('2026-06-01T12:00:00Z');
const DAYS_AGO_500 = NOW_MS - 500 * DAY_MS;
const DAYS_AGO_450 = NOW_MS - 450 * DAY_MS;
const DAYS_AGO_420 = NOW_MS - 420 * DAY_MS;

const logger = new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'SILENT' });
let table: TestTable;
let stores: DynamoDbStores;
let steady: TargetServer;
let flappy: TargetServer;
let config: MonitorsConfig;
let clockMs = 0;

beforeAll(async () => {
  table = await createTestTable('retention');
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  [steady, flappy] = await Promise.all([startTargetServer('ok'), startTargetServer('ok')]);
  config = parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: steady, name: Steady, url: "${steady.url}" }
  - { id: flappy, name: Flappy, url: "${flappy.url}" }
`,
    'monitors.yml',
  );
});

afterAll(async () => {
  await Promise.all([steady.close(), flappy.close(), table.drop()]);
});

/** The run of the minute `minute` after `dayMs`, its checks dated a second after its tick. */
const runAt = (dayMs: number, minute: number) => {
  clockMs = dayMs + minute * MINUTE_MS;
  const deps: ProbeDeps = {
    config,
    stores,
    prober: new HttpProber(),
    metrics: new DisabledMetricsSink(),
    logger,
    now: () => new Date(clockMs + 1000),
    concurrency: 2,
    periodMs: MINUTE_MS,
  };
  return probeRun(createScheduledEvent(clockMs), deps);
};

/** What DynamoDB's TTL does by `nowMs`: deletes every item whose `expiresAt` (epoch seconds) has passed. */
async function sweepExpired(nowMs: number): Promise<number> {
  const expired: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await table.client.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    for (const item of page.Items ?? []) {
      const expiresAt = item.expiresAt?.N;
      if (expiresAt !== undefined && Number(expiresAt) <= nowMs / 1000) expired.push({ pk: item.pk!, sk: item.sk! });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  for (let index = 0; index < expired.length; index += 25) {
    const keys = expired.slice(index, index + 25);
    await table.client.send(new BatchWriteItemCommand({ RequestItems: { [table.tableName]: keys.map((Key) => ({ DeleteRequest: { Key } })) } }));
  }
  return expired.length;
}

const apiDeps = () => ({ ...stores, config, now: () => new Date(NOW_MS) });

describe('a monitor whose latest transition is older than the retention', () => {
  beforeAll(async () => {
    await runAt(DAYS_AGO_500, 0);
    await runAt(DAYS_AGO_500, 1);
    flappy.behaviour = 'error';
    await runAt(DAYS_AGO_450, 0);
    await runAt(DAYS_AGO_450, 1);
    flappy.behaviour = 'ok';
    await runAt(DAYS_AGO_420, 0);
    await runAt(DAYS_AGO_420, 1);
    // Today: both checked OK, neither changes.
    const today = await runAt(NOW_MS - 5 * MINUTE_MS, 0);
    expect(today).toMatchObject({ checks: 2, failures: 0, transitions: [] });
    expect((await stores.transitions.listTransitions('flappy')).map((t) => `${t.from}->${t.to}`)).toEqual(['UNKNOWN->UP', 'UP->DOWN', 'DOWN->UP']);
    expect(await sweepExpired(NOW_MS)).toBeGreaterThan(0);
  });

  it('keeps its only transition, so its uptime over the last 30 days is still a number', async () => {
    const transitions = await stores.transitions.listTransitions('steady');
    expect(transitions).toEqual([expect.objectContaining({ from: 'UNKNOWN', to: 'UP', startedAt: new Date(DAYS_AGO_500 + 1000).toISOString() })]);
    const report = await getUptime(apiDeps(), 'steady', { window: '30d' });
    expect(report).toMatchObject({ uptimePercent: 100, downtimeSeconds: 0, outages: 0 });
  });

  it('lets the transitions superseded more than the retention ago expire, and keeps the latest', async () => {
    const transitions = await stores.transitions.listTransitions('flappy');
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['DOWN->UP']);
    expect(await getUptime(apiDeps(), 'flappy', { window: '30d' })).toMatchObject({ uptimePercent: 100, outages: 0 });
  });

  it('keeps a superseded transition for the retention after it was superseded, then lets it expire', async () => {
    flappy.behaviour = 'error';
    await runAt(NOW_MS - 2 * MINUTE_MS, 0);
    const outage = await runAt(NOW_MS - MINUTE_MS, 0);
    expect(outage.transitions.map((t) => `${t.monitorId}:${t.from}->${t.to}`)).toEqual(['flappy:UP->DOWN']);
    // The recovery of 420 days ago, superseded now, is kept 399 days on (a range starting before the outage needs it) ...
    await sweepExpired(NOW_MS + 399 * DAY_MS);
    expect((await stores.transitions.listTransitions('flappy')).map((t) => `${t.from}->${t.to}`)).toEqual(['DOWN->UP', 'UP->DOWN']);
    // ... and gone 401 days on; the outage, the latest, stays.
    await sweepExpired(NOW_MS + 401 * DAY_MS);
    expect((await stores.transitions.listTransitions('flappy')).map((t) => `${t.from}->${t.to}`)).toEqual(['UP->DOWN']);
  });
});
