import { Logger } from '@aws-lambda-powertools/logger';
import { SESClient } from '@aws-sdk/client-ses';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { GetItemCommand, type AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { createNotifyDeps } from '../../lib/adapters/aws-notifier-deps';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { getUptime, listMonitorIncidents } from '../../lib/app/monitor-queries';
import { notifyBatch } from '../../lib/app/notify-batch';
import { probeRun, type ProbeDeps } from '../../lib/app/probe-run';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { MINUTE_MS } from '../../lib/domain/time';
import type { MonitorsConfig } from '../../lib/domain/types';
import { createLambdaContext } from '../fixtures/lambda-context';
import { createScheduledEvent } from '../fixtures/scheduled-event';
import { createTestTable, ledgerItems, type TestTable } from '../support/dynamodb';
import { useSesEmulator } from '../support/ses-emulator';
import { matchesFilterPatterns, readStream, streamFilterPatterns, testDynamoDbStreamsClient, toLambdaRecord, toStreamEvent } from '../support/stream-records';
import { startTargetServer, type TargetServer } from '../support/target-server';

/**
 * A monitor removed from monitors.yml while DOWN and added back an hour later, through the real
 * probe run, DynamoDB Local and its stream, the notifier and the SES emulator:
 *
 * - minutes 0-1: api and steady checked OK: both established (UP from minute 0).
 * - minutes 2-3: api fails: DOWN from minute 2.
 * - minutes 4-5: api is not in the file: the run of minute 4 records its removal, once.
 * - minutes 60-61: api is back and OK: UNKNOWN at 60, established again (UP) at 61.
 *
 * Each check is dated a second after its tick.
 */

const T0 = Date.parse('2026-06-01T10:00:00Z');
const tickAt = (minute: number) => new Date(T0 + minute * MINUTE_MS).toISOString();
const checkedAt = (minute: number) => new Date(T0 + minute * MINUTE_MS + 1000).toISOString();

const ses = useSesEmulator({ clearBeforeEach: true });
const streams = testDynamoDbStreamsClient();
const logger = new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'SILENT' });

let table: TestTable;
let stores: DynamoDbStores;
let api: TargetServer;
let steady: TargetServer;
let withApi: MonitorsConfig;
let withoutApi: MonitorsConfig;
let clockMinute = 0;

const monitorsYml = (monitors: string) => `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
${monitors}`;

beforeAll(async () => {
  table = await createTestTable('removal');
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  [api, steady] = await Promise.all([startTargetServer('ok'), startTargetServer('ok')]);
  const apiEntry = `  - { id: api, name: API, url: "${api.url}" }\n`;
  const steadyEntry = `  - { id: steady, name: Steady, url: "${steady.url}" }\n`;
  withApi = parseMonitorsConfig(monitorsYml(apiEntry + steadyEntry), 'monitors.yml');
  withoutApi = parseMonitorsConfig(monitorsYml(steadyEntry), 'monitors.yml');
});

afterAll(async () => {
  streams.destroy();
  await Promise.all([api.close(), steady.close(), table.drop()]);
});

const runAt = (minute: number, config: MonitorsConfig) => {
  clockMinute = minute;
  const deps: ProbeDeps = {
    config,
    stores,
    prober: new HttpProber(),
    metrics: new DisabledMetricsSink(),
    logger,
    now: () => new Date(T0 + clockMinute * MINUTE_MS + 1000),
    concurrency: 2,
    periodMs: MINUTE_MS,
  };
  return probeRun(createScheduledEvent(T0 + minute * MINUTE_MS), deps);
};

/** The transition inserts of the table's stream, unfiltered, and those serverless.yml's filter passes. */
async function transitionInserts(): Promise<{ all: DynamoDBRecord[]; filtered: DynamoDBRecord[] }> {
  const records = (await readStream(streams, table.streamArn)).map((record) => toLambdaRecord(record, table.streamArn));
  const all = records.filter((record) => record.eventName === 'INSERT' && record.dynamodb?.NewImage?.entity?.S === 'TRANSITION');
  return { all, filtered: records.filter((record) => matchesFilterPatterns(streamFilterPatterns('notify'), record)) };
}

async function sentSubjects(): Promise<string[]> {
  const response = await fetch(`${ses.endpoint}/store`);
  const store = (await response.json()) as { emails: Array<{ subject: string }> };
  return store.emails.map((email) => email.subject);
}

describe('a monitor removed from the configuration while DOWN, then added back', () => {
  beforeAll(async () => {
    await runAt(0, withApi);
    await runAt(1, withApi);
    api.behaviour = 'error';
    await runAt(2, withApi);
    const outage = await runAt(3, withApi);
    expect(outage.transitions.map((t) => `${t.monitorId}:${t.from}->${t.to}`)).toEqual(['api:UP->DOWN']);
  });

  it('records the removal once, at the first run without it: unmonitored from that tick', async () => {
    const removal = await runAt(4, withoutApi);
    expect(removal).toMatchObject({ removed: ['api'], transitions: [], checks: 1 });
    expect(await stores.states.loadState('api')).toEqual({
      monitorId: 'api',
      status: 'UNKNOWN',
      since: tickAt(4),
      sinceTick: tickAt(4),
      failuresInRow: 0,
      successesInRow: 0,
      tick: tickAt(4),
      version: expect.any(Number),
      removedAt: tickAt(4),
    });
    const history = await stores.transitions.listTransitions('api');
    expect(history.at(-1)).toEqual({ monitorId: 'api', from: 'DOWN', to: 'UNKNOWN', startedAt: tickAt(4), confirmedAt: tickAt(4), previousSince: checkedAt(2), tick: tickAt(4) });

    const later = await runAt(5, withoutApi);
    expect(later.removed).toEqual([]);
    expect(await stores.transitions.listTransitions('api')).toEqual(history);
  });

  it('starts it as a new monitor when it is back: UNKNOWN, then established by good checks', async () => {
    api.behaviour = 'ok';
    const back = await runAt(60, withApi);
    expect(back).toMatchObject({ removed: [], transitions: [] });
    const state = await stores.states.loadState('api');
    expect(state).toMatchObject({ status: 'UNKNOWN', successesInRow: 1, since: tickAt(4) });
    expect(state).not.toHaveProperty('removedAt');

    const established = await runAt(61, withApi);
    expect(established.transitions.map((t) => `${t.monitorId}:${t.from}->${t.to}`)).toEqual(['api:UNKNOWN->UP']);
    expect(established.transitions[0]?.startedAt).toBe(checkedAt(60));
  });

  it('counts the time it was out of the file as unmonitored: uptime over the monitored time only', async () => {
    const deps = { ...stores, config: withApi, now: () => new Date(T0 + 62 * MINUTE_MS) };
    const report = await getUptime(deps, 'api', { from: tickAt(0), to: tickAt(62) });
    // UP 0:01-2:01 and 60:01-62:00, DOWN 2:01-4:00 (the removal ends the outage), not monitored 4:00-60:01.
    const upSeconds = 120 + 119;
    const downSeconds = 119;
    expect(report).toMatchObject({ downtimeSeconds: downSeconds, outages: 1, longestOutageSeconds: downSeconds, mttrSeconds: null });
    expect(report.uptimePercent).toBeCloseTo((upSeconds / (upSeconds + downSeconds)) * 100, 10);

    const { incidents } = await listMonitorIncidents(deps, 'api', 10);
    expect(incidents).toEqual([{ startedAt: checkedAt(2), confirmedAt: checkedAt(3), endedAt: tickAt(4), durationSeconds: downSeconds, reason: expect.stringMatching(/^http-status/) }]);
  });

  it('keeps only the latest transition without TTL: the removal got one when the monitor came back', async () => {
    const stored = await stores.transitions.listTransitions('api');
    const items = await Promise.all(stored.map((t) => readItem(`MON#api`, `TR#${t.startedAt}#${t.tick}`)));
    expect(items.map((item) => [item?.to, item?.expiresAt])).toEqual([
      ['UP', Math.floor((Date.parse(checkedAt(2)) + 400 * 86_400_000) / 1000)],
      ['DOWN', Math.floor((T0 + 4 * MINUTE_MS + 400 * 86_400_000) / 1000)],
      ['UNKNOWN', Math.floor((Date.parse(checkedAt(60)) + 400 * 86_400_000) / 1000)],
      ['UP', undefined],
    ]);
  });

  it('sends the outage email and nothing for the removal, whether or not the stream filter lets the removal through', async () => {
    const { all, filtered } = await transitionInserts();
    const removalRecords = all.filter((record) => record.dynamodb?.NewImage?.to?.S === 'UNKNOWN');
    expect(removalRecords).toHaveLength(1);
    const sesClient = new SESClient({ endpoint: ses.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const deps = createNotifyDeps({ dynamoDb: table.client, ses: sesClient, tableName: table.tableName, config: withApi, logger });
    try {
      // What the deployed filter passes, then every transition insert (the removal among them), as if the filter let all through.
      expect(await notifyBatch(toStreamEvent(filtered), createLambdaContext(), deps)).toEqual({ batchItemFailures: [] });
      expect(await notifyBatch(toStreamEvent(all), createLambdaContext(), deps)).toEqual({ batchItemFailures: [] });
    } finally {
      sesClient.destroy();
    }
    expect(await sentSubjects()).toEqual(['[DOWN] API']);
    const removal = unmarshall(removalRecords[0]?.dynamodb?.NewImage as Record<string, SdkAttributeValue>);
    const ledger = (await ledgerItems(table)).map((item) => unmarshall(item));
    expect(ledger.find((entry) => entry.sk === `transition-email#api#${removal.startedAt}#${removal.tick}`)).toMatchObject({ status: 'COMPLETED', outcome: 'skipped:removal' });
  });
});

/** An item as stored, read consistently. */
async function readItem(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await table.client.send(new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }));
  return Item ? unmarshall(Item) : undefined;
}
