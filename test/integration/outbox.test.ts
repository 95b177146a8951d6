import { Logger } from '@aws-lambda-powertools/logger';
import { SESClient } from '@aws-sdk/client-ses';
import type { DynamoDBRecord } from 'aws-lambda';
import { createAlertChannel } from '../../lib/adapters/alert-channels';
import { createNotifyDeps } from '../../lib/adapters/aws-notifier-deps';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { DynamoDbAlertOutbox } from '../../lib/adapters/dynamodb-alert-outbox';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import { notifyBatch, type NotifyDeps } from '../../lib/app/notify-batch';
import { sweepOutbox } from '../../lib/app/outbox';
import { probeRun, type ProbeDeps } from '../../lib/app/probe-run';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { HOUR_MS, MINUTE_MS } from '../../lib/domain/time';
import type { MonitorsConfig } from '../../lib/domain/types';
import { createLambdaContext } from '../fixtures/lambda-context';
import { createScheduledEvent } from '../fixtures/scheduled-event';
import { startAlertReceiver, webhookReceiverOf, type AlertReceiver } from '../support/alert-receivers';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { useSesEmulator } from '../support/ses-emulator';
import { matchesFilterPatterns, readStream, streamFilterPatterns, testDynamoDbStreamsClient, toLambdaRecord, toStreamEvent } from '../support/stream-records';
import { startTargetServer, type TargetServer } from '../support/target-server';

/**
 * No alert is lost to an outage of a receiver: the table is the outbox. The monitor `api` alerts
 * by email and a signed webhook. The webhook's receiver is down (500) through the outage and the
 * recovery; the stream retries each record, then gives up; the emails go out at once, the webhook's
 * recovery waits behind its outage. Two hours later (the clock of the sweep moved on; the receiver
 * back), the probe's run asks for a sweep and the sweep delivers both alerts to the webhook, in
 * order, once each; no email is sent again.
 */

const T0 = Date.parse('2026-06-01T10:00:00Z');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const STREAM_ATTEMPTS = 3;

const ses = useSesEmulator({ clearBeforeEach: false });
const streams = testDynamoDbStreamsClient();
const logger = new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'SILENT' });

let table: TestTable;
let stores: DynamoDbStores;
let outbox: DynamoDbAlertOutbox;
let target: TargetServer;
let receiver: AlertReceiver;
let config: MonitorsConfig;
let sesClient: SESClient;
let clockMinute = 0;
const sweepRequests: string[] = [];
const seen = new Set<string>();

beforeAll(async () => {
  table = await createTestTable('outbox');
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  outbox = new DynamoDbAlertOutbox({ client: table.client, tableName: table.tableName });
  target = await startTargetServer('ok');
  receiver = await startAlertReceiver({ status: 500, body: 'receiver down' });
  config = parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
channels:
  hooks: { type: webhook, url: "${receiver.baseUrl}/uptime", secret: ${SECRET} }
monitors:
  - { id: api, name: API, url: "${target.url}", alerts: [email, hooks] }
`,
    'monitors.yml',
  );
  sesClient = new SESClient({ endpoint: ses.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  streams.destroy();
  sesClient.destroy();
  await Promise.all([target.close(), receiver.close(), table.drop()]);
});

function notifyDeps(): NotifyDeps {
  const hooks = config.channels.find((channel) => channel.name === 'hooks');
  if (hooks?.type !== 'webhook' || typeof hooks.url !== 'string' || typeof hooks.secret !== 'string') throw new Error('no webhook channel');
  const channel = createAlertChannel({ name: 'hooks', type: 'webhook', url: hooks.url, secret: hooks.secret }, { timeoutMs: 2000 });
  return createNotifyDeps({ dynamoDb: table.client, ses: sesClient, tableName: table.tableName, config, logger, channels: new Map([['hooks', channel]]) });
}

const runAt = (minute: number, nowMs = T0 + minute * MINUTE_MS + 1000) => {
  clockMinute = minute;
  const deps: ProbeDeps = {
    config,
    stores,
    prober: new HttpProber(),
    metrics: new DisabledMetricsSink(),
    logger,
    now: () => new Date(nowMs),
    concurrency: 2,
    periodMs: MINUTE_MS,
    outbox,
    sweeper: { requestSweep: async () => void sweepRequests.push(`minute ${clockMinute}`) },
  };
  return probeRun(createScheduledEvent(T0 + minute * MINUTE_MS), deps);
};

/** The stream's new records for the notifier, each handed on STREAM_ATTEMPTS times while it fails, then given up. */
async function streamDelivers(): Promise<string[]> {
  const records = (await readStream(streams, table.streamArn))
    .map((record) => toLambdaRecord(record, table.streamArn))
    .filter((record) => matchesFilterPatterns(streamFilterPatterns('notify'), record))
    .filter((record) => !seen.has(record.dynamodb?.SequenceNumber ?? ''));
  for (const record of records) seen.add(record.dynamodb?.SequenceNumber ?? '');
  const failed: string[] = [];
  let pending: DynamoDBRecord[] = records;
  for (let attempt = 1; attempt <= STREAM_ATTEMPTS && pending.length > 0; attempt += 1) {
    const response = await notifyBatch(toStreamEvent(pending), createLambdaContext({ timeoutMs: 30_000 }), notifyDeps());
    const failures = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    pending = pending.filter((record) => failures.has(record.dynamodb?.SequenceNumber ?? ''));
  }
  for (const record of pending) failed.push(String(record.dynamodb?.NewImage?.to?.S));
  return failed;
}

async function subjects(): Promise<string[]> {
  const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: Array<{ subject: string }> };
  return store.emails.map((email) => email.subject);
}

/** What the webhook's receiver took (a 2xx answer), as `type webhook-id`. */
const accepted = () =>
  receiver.exchanges
    .filter((exchange) => typeof exchange.answer === 'object' && exchange.answer.status < 300)
    .map((exchange) => `${(JSON.parse(exchange.request.body) as { type: string }).type} ${String(exchange.request.headers['webhook-id'])}`);

describe('an outage of a receiver longer than the stream keeps trying', () => {
  it('keeps the alert in the outbox while the stream gives up, and the recovery waits behind the outage', async () => {
    await runAt(0);
    await runAt(1);
    target.behaviour = 'error';
    await runAt(2);
    await runAt(3);
    expect((await outbox.listWaiting(Date.now() + HOUR_MS, 10)).map((entry) => entry.source.kind)).toEqual(['transition']);
    expect(await streamDelivers()).toEqual(['DOWN']);

    target.behaviour = 'ok';
    await runAt(4);
    await runAt(5);
    // The recovery's record fails too, for the webhook alone: its outage alert is still owed there.
    // The email, whose channel is fine, is not held back.
    expect(await streamDelivers()).toEqual(['UP']);
    expect(await subjects()).toEqual(['[DOWN] API', '[UP] API recovered after 2m']);
    expect(accepted()).toEqual([]);
    expect(receiver.requests.length).toBeGreaterThanOrEqual(STREAM_ATTEMPTS * 2);
    expect((await outbox.listWaiting(Date.now() + HOUR_MS, 10)).map((entry) => entry.source.kind)).toEqual(['transition', 'transition']);
  });

  it('asks for a sweep only once an alert has waited 5 minutes', async () => {
    await runAt(6, Date.now());
    expect(sweepRequests).toEqual([]);
    await runAt(7, Date.now() + 2 * HOUR_MS);
    expect(sweepRequests).toEqual(['minute 7']);
  });

  it('delivers both alerts when the receiver is back, in order, once each, and no email twice', async () => {
    receiver.answerWith(webhookReceiverOf(SECRET));
    const report = await sweepOutbox(notifyDeps(), createLambdaContext({ timeoutMs: 60_000 }), () => Date.now() + 2 * HOUR_MS);
    expect(report).toEqual({ waiting: 2, delivered: 2, stuck: [] });
    expect(accepted()).toEqual([expect.stringMatching(/^monitor\.down api#/), expect.stringMatching(/^monitor\.up api#/)]);
    expect(await subjects()).toEqual(['[DOWN] API', '[UP] API recovered after 2m']);
    expect(await outbox.listWaiting(Date.now() + 3 * HOUR_MS, 10)).toEqual([]);

    // Another sweep, and the stream redelivering both records: nothing more goes out.
    await sweepOutbox(notifyDeps(), createLambdaContext({ timeoutMs: 60_000 }), () => Date.now() + 3 * HOUR_MS);
    seen.clear();
    expect(await streamDelivers()).toEqual([]);
    expect(accepted()).toHaveLength(2);
    expect(await subjects()).toHaveLength(2);
  });
});
