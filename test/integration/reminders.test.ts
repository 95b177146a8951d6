import { Logger } from '@aws-lambda-powertools/logger';
import { SESClient } from '@aws-sdk/client-ses';
import type { DynamoDBRecord } from 'aws-lambda';
import { createNotifyDeps } from '../../lib/adapters/aws-notifier-deps';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import { notifyBatch } from '../../lib/app/notify-batch';
import { probeRun, type ProbeDeps } from '../../lib/app/probe-run';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { MINUTE_MS } from '../../lib/domain/time';
import type { MonitorsConfig } from '../../lib/domain/types';
import { createLambdaContext } from '../fixtures/lambda-context';
import { createScheduledEvent } from '../fixtures/scheduled-event';
import { createTestTable, ledgerItems, type TestTable } from '../support/dynamodb';
import { useSesEmulator } from '../support/ses-emulator';
import { matchesFilterPatterns, streamFilterPatterns, testDynamoDbStreamsClient, toLambdaRecord, toStreamEvent } from '../support/stream-records';
import { StreamTail } from '../support/stream-tail';
import { startTargetServer, type TargetServer } from '../support/target-server';

/**
 * Reminders through the real probe run, DynamoDB Local and its stream, the notifier and the SES
 * emulator. `api` reminds every 5 minutes; `quiet` has no reminders. Both fail from minute 2
 * (the outage starts with that check, a second after its tick, and is confirmed at minute 3), and
 * recover at minutes 18-19. Reminders fall due 5 minutes after the outage's start, and every 5
 * minutes on: at the runs of minutes 8, 13 and 18. The run of minute 13 is missed, so the second
 * reminder goes out at minute 14, once; the scheduled runs around each reminder and transition
 * are delivered twice, every stream record twice. The third reminder (minute 18) reaches the notifier only after the recovery.
 */

const T0 = Date.parse('2026-06-01T10:00:00Z');

const ses = useSesEmulator({ clearBeforeEach: false });
const streams = testDynamoDbStreamsClient();
const logger = new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'SILENT' });

let table: TestTable;
let stores: DynamoDbStores;
let api: TargetServer;
let quiet: TargetServer;
let config: MonitorsConfig;
let clockMinute = 0;
let tail: StreamTail;
const heldBack: DynamoDBRecord[] = [];

beforeAll(async () => {
  table = await createTestTable('reminders');
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  tail = new StreamTail(streams, table.streamArn);
  [api, quiet] = await Promise.all([startTargetServer('ok'), startTargetServer('ok')]);
  config = parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: api, name: API, url: "${api.url}", remindEvery: 5m }
  - { id: quiet, name: Quiet, url: "${quiet.url}" }
`,
    'monitors.yml',
  );
});

afterAll(async () => {
  streams.destroy();
  await Promise.all([api.close(), quiet.close(), table.drop()]);
});

const runAt = (minute: number) => {
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

/** The new records serverless.yml's filter passes to the notifier, each twice (a stream delivers at least once). */
async function newRecords(): Promise<DynamoDBRecord[]> {
  const records = (await tail.read())
    .map((record) => toLambdaRecord(record, table.streamArn))
    .filter((record) => matchesFilterPatterns(streamFilterPatterns('notify'), record));
  return [...records, ...records];
}

async function notify(records: DynamoDBRecord[]): Promise<void> {
  if (records.length === 0) return;
  const sesClient = new SESClient({ endpoint: ses.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const deps = createNotifyDeps({ dynamoDb: table.client, ses: sesClient, tableName: table.tableName, config, logger });
  expect(await notifyBatch(toStreamEvent(records), createLambdaContext({ timeoutMs: 30_000 }), deps)).toEqual({ batchItemFailures: [] });
  sesClient.destroy();
}

async function subjects(): Promise<string[]> {
  const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: Array<{ subject: string }> };
  return store.emails.map((email) => email.subject);
}

describe('reminders while a monitor stays down', () => {
  // 22 scheduled runs and their notifications: seconds alone, several times that beside the heaviest files.
  beforeAll(async () => {
    for (let minute = 0; minute <= 21; minute += 1) {
      if (minute === 2) {
        api.behaviour = 'error';
        quiet.behaviour = 'error';
      }
      if (minute === 18) {
        api.behaviour = 'ok';
        quiet.behaviour = 'ok';
      }
      // Missed: EventBridge did not deliver this one.
      if (minute === 13) continue;
      await runAt(minute);
      // A duplicated scheduled event: the same tick again, around each reminder and transition.
      if ([3, 8, 14, 18, 19].includes(minute)) await runAt(minute);
      const records = await newRecords();
      const isReminder = (record: DynamoDBRecord) => record.dynamodb?.NewImage?.entity?.S === 'REMINDER';
      // The stream is slow with minute 18's reminder: the notifier gets it after the recovery.
      if (minute === 18) heldBack.push(...records.filter(isReminder));
      await notify(minute === 18 ? records.filter((record) => !isReminder(record)) : records);
    }
  }, 120_000);

  it('mails the outage, each due reminder once (a missed run sends it at the next), and the recovery', async () => {
    const all = await subjects();
    // In order for each monitor (the two monitors' emails may interleave either way).
    expect(all.filter((subject) => subject.includes(' API'))).toEqual([
      '[DOWN] API',
      '[DOWN] API is still down after 5m',
      '[DOWN] API is still down after 11m',
      '[UP] API recovered after 16m',
    ]);
    expect(all.filter((subject) => subject.includes(' Quiet'))).toEqual(['[DOWN] Quiet', '[UP] Quiet recovered after 16m']);
    expect(all).toHaveLength(6);
  });

  it('sends no reminder whose outage is over by the time it arrives, and records it as skipped', async () => {
    expect(heldBack).toHaveLength(2);
    const before = await subjects();
    await notify(heldBack);
    expect(await subjects()).toEqual(before);
    const reminders = (await ledgerItems(table)).filter((item) => (item.sk?.S ?? '').includes('#reminder-'));
    expect(reminders.map((item) => [(item.sk?.S ?? '').replace(/^.*#reminder-/, ''), item.outcome?.S]).sort()).toEqual([
      ['1', 'sent'],
      ['2', 'sent'],
      ['3', 'skipped:outage-over'],
    ]);
  });
});
