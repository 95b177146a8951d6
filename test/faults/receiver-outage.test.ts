import { Logger } from '@aws-lambda-powertools/logger';
import { SESClient, SESServiceException } from '@aws-sdk/client-ses';
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
import type { MonitorsConfig, Transition } from '../../lib/domain/types';
import { createLambdaContext } from '../fixtures/lambda-context';
import { createScheduledEvent } from '../fixtures/scheduled-event';
import {
  isAccepted,
  pagerDutyAccepts,
  SLACK_ACCEPTS,
  startAlertReceiver,
  webhookReceiverOf,
  type AlertReceiver,
  type ReceiverAnswer,
} from '../support/alert-receivers';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { useSesEmulator } from '../support/ses-emulator';
import { matchesFilterPatterns, readStream, streamFilterPatterns, testDynamoDbStreamsClient, toLambdaRecord, toStreamEvent } from '../support/stream-records';
import { startTargetServer, type TargetServer } from '../support/target-server';

/**
 * A two-hour outage of every receiver (SES, a signed webhook, Slack, PagerDuty), time scaled down:
 * two monitors go down and up through it, so their alerts pile up behind each other; the stream
 * retries every record, then gives up. The clock of the sweep then moves two hours on: still down,
 * nothing moves. The receivers come back: one sweep delivers every alert to every channel, each
 * monitor's in order. Counted at the receivers: duplicates 0, lost 0.
 */
jest.setTimeout(60_000);

const T0 = Date.parse('2026-06-01T10:00:00Z');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const STREAM_ATTEMPTS = 3;
const DOWN: ReceiverAnswer = { status: 503, body: 'down for maintenance' };

const ses = useSesEmulator({ clearBeforeEach: false });
const streams = testDynamoDbStreamsClient();
const logger = new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'SILENT' });

let table: TestTable;
let stores: DynamoDbStores;
let outbox: DynamoDbAlertOutbox;
let targets: Record<'api' | 'web', TargetServer>;
let receivers: Record<'hooks' | 'chat' | 'pager', AlertReceiver>;
let config: MonitorsConfig;
let sesClient: SESClient;
let sesDown = true;
const seen = new Set<string>();
const transitions: Transition[] = [];

beforeAll(async () => {
  table = await createTestTable('receiver-outage');
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  outbox = new DynamoDbAlertOutbox({ client: table.client, tableName: table.tableName });
  targets = { api: await startTargetServer('ok'), web: await startTargetServer('ok') };
  receivers = { hooks: await startAlertReceiver(DOWN), chat: await startAlertReceiver(DOWN), pager: await startAlertReceiver(DOWN) };
  config = parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
channels:
  hooks: { type: webhook, url: "${receivers.hooks.baseUrl}/uptime", secret: ${SECRET} }
  chat: { type: slack, url: "${receivers.chat.baseUrl}/services/T0/B0/x" }
  pager: { type: pagerduty, routingKey: test-routing-key, url: "${receivers.pager.baseUrl}/v2/enqueue" }
defaults: { alerts: [email, hooks, chat, pager] }
monitors:
  - { id: api, name: API, url: "${targets.api.url}" }
  - { id: web, name: Web, url: "${targets.web.url}" }
`,
    'monitors.yml',
  );
  // SES answers 503 while it is down; one attempt per send, the stream and the sweep retry.
  sesClient = new SESClient({ endpoint: ses.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  sesClient.middlewareStack.add(
    (next) => async (args) => {
      if (sesDown) throw new SESServiceException({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Service unavailable' });
      return next(args);
    },
    { step: 'deserialize', name: 'sesOutage' },
  );
});

afterAll(async () => {
  streams.destroy();
  sesClient.destroy();
  await Promise.all([...Object.values(targets).map((target) => target.close()), ...Object.values(receivers).map((receiver) => receiver.close()), table.drop()]);
});

function notifyDeps(): NotifyDeps {
  const channels = new Map(
    config.channels
      .filter((channel) => channel.type !== 'email')
      .map((channel) => {
        const resolved = JSON.parse(JSON.stringify({ ...channel, ...(channel.type === 'pagerduty' ? { url: channel.url } : {}) }));
        return [channel.name, createAlertChannel(resolved, { timeoutMs: 2000 })] as const;
      }),
  );
  return createNotifyDeps({ dynamoDb: table.client, ses: sesClient, tableName: table.tableName, config, logger, channels });
}

async function runAt(minute: number): Promise<void> {
  const deps: ProbeDeps = {
    config,
    stores,
    prober: new HttpProber(),
    metrics: new DisabledMetricsSink(),
    logger,
    now: () => new Date(T0 + minute * MINUTE_MS + 1000),
    concurrency: 2,
    periodMs: MINUTE_MS,
  };
  const report = await probeRun(createScheduledEvent(T0 + minute * MINUTE_MS), deps);
  transitions.push(...report.transitions.filter((transition) => !(transition.from === 'UNKNOWN' && transition.to === 'UP')));
}

/** The stream hands each new record on STREAM_ATTEMPTS times while it fails, then gives up on it. */
async function stream(): Promise<void> {
  let pending: DynamoDBRecord[] = (await readStream(streams, table.streamArn))
    .map((record) => toLambdaRecord(record, table.streamArn))
    .filter((record) => matchesFilterPatterns(streamFilterPatterns('notify'), record))
    .filter((record) => !seen.has(record.dynamodb?.SequenceNumber ?? ''));
  for (const record of pending) seen.add(record.dynamodb?.SequenceNumber ?? '');
  for (let attempt = 1; attempt <= STREAM_ATTEMPTS && pending.length > 0; attempt += 1) {
    const response = await notifyBatch(toStreamEvent(pending), createLambdaContext({ timeoutMs: 30_000 }), notifyDeps());
    const failures = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    pending = pending.filter((record) => failures.has(record.dynamodb?.SequenceNumber ?? ''));
  }
}

/** What each channel took, as `<monitor name> <DOWN|UP>`, in the order it took them. */
async function delivered(): Promise<Record<string, string[]>> {
  const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: Array<{ subject: string }> };
  const taken = (receiver: AlertReceiver) => receiver.exchanges.filter(isAccepted).map((exchange) => exchange.request.body);
  return {
    email: store.emails.map((email) => `${/\] (\w+)/.exec(email.subject)?.[1]} ${email.subject.startsWith('[DOWN]') ? 'DOWN' : 'UP'}`),
    hooks: taken(receivers.hooks).map((body) => {
      const { data } = JSON.parse(body) as { data: { monitor: { name: string }; state: string } };
      return `${data.monitor.name} ${data.state}`;
    }),
    chat: taken(receivers.chat).map((body) => {
      // The fallback text starts with the alert's tag: `[DOWN] API is DOWN`, `[UP] API is UP again`.
      const text = (JSON.parse(body) as { text: string }).text;
      return `${/(API|Web)/.exec(text)?.[1]} ${/^\[(DOWN|UP)\]/.exec(text)?.[1]}`;
    }),
    pager: taken(receivers.pager).map((body) => {
      const event = JSON.parse(body) as { event_action: string; dedup_key: string };
      return `${event.dedup_key.startsWith('api#') ? 'API' : 'Web'} ${event.event_action === 'trigger' ? 'DOWN' : 'UP'}`;
    }),
  };
}

/** Duplicates and lost alerts of one channel: what it took against what happened, per monitor. */
function count(took: string[], expected: string[]): { duplicates: number; lost: number } {
  let duplicates = 0;
  let lost = 0;
  for (const monitor of ['API', 'Web']) {
    const got = took.filter((entry) => entry.startsWith(`${monitor} `));
    const want = expected.filter((entry) => entry.startsWith(`${monitor} `));
    duplicates += Math.max(0, got.length - want.length);
    lost += Math.max(0, want.length - got.length);
    // In order: a monitor's alerts arrive as they happened.
    expect(got).toEqual(want.slice(0, got.length));
  }
  return { duplicates, lost };
}

describe('a two-hour outage of every receiver, then recovery', () => {
  beforeAll(async () => {
    // api: down at 2, up at 5, down at 8. web: down at 3, up at 9. Every receiver is down throughout.
    const script: Record<number, Partial<Record<'api' | 'web', 'ok' | 'error'>>> = { 2: { api: 'error' }, 3: { web: 'error' }, 5: { api: 'ok' }, 8: { api: 'error' }, 9: { web: 'ok' } };
    for (let minute = 0; minute <= 11; minute += 1) {
      for (const [id, behaviour] of Object.entries(script[minute] ?? {})) targets[id as 'api' | 'web'].behaviour = behaviour;
      await runAt(minute);
      await stream();
    }
  });

  it('delivered nothing anywhere while everything was down, and keeps every alert in the outbox', async () => {
    expect(transitions.map((transition) => `${transition.monitorId} ${transition.to}`)).toEqual(['api DOWN', 'web DOWN', 'api UP', 'api DOWN', 'web UP']);
    expect(Object.values(await delivered()).flat()).toEqual([]);
    expect(await outbox.listWaiting(Date.now() + HOUR_MS, 100)).toHaveLength(5);
  });

  it('two hours on and still down: the sweep delivers nothing and keeps everything', async () => {
    const report = await sweepOutbox(notifyDeps(), createLambdaContext({ timeoutMs: 60_000 }), () => Date.now() + 2 * HOUR_MS);
    expect(report).toEqual({ waiting: 5, delivered: 0, stuck: ['api', 'web'] });
    expect(await outbox.listWaiting(Date.now() + 3 * HOUR_MS, 100)).toHaveLength(5);
  });

  it('once the receivers are back, one sweep delivers every alert to every channel, in order: duplicates 0, lost 0', async () => {
    sesDown = false;
    receivers.hooks.answerWith(webhookReceiverOf(SECRET));
    receivers.chat.answerWith(SLACK_ACCEPTS);
    receivers.pager.answerWith(pagerDutyAccepts);
    const report = await sweepOutbox(notifyDeps(), createLambdaContext({ timeoutMs: 60_000 }), () => Date.now() + 2 * HOUR_MS + MINUTE_MS);
    expect(report.stuck).toEqual([]);
    // A second sweep and the stream's redelivery of every record: nothing more.
    await sweepOutbox(notifyDeps(), createLambdaContext({ timeoutMs: 60_000 }), () => Date.now() + 3 * HOUR_MS);
    seen.clear();
    await stream();

    const expected = transitions.map((transition) => `${transition.monitorId === 'api' ? 'API' : 'Web'} ${transition.to}`);
    const took = await delivered();
    const totals = Object.entries(took).map(([channel, list]) => ({ channel, deliveries: list.length, ...count(list, expected) }));
    console.log(`receiver outage: ${totals.map(({ channel, deliveries, duplicates, lost }) => `${channel}=${deliveries} (duplicates=${duplicates} lost=${lost})`).join(' ')}`);
    expect(totals).toEqual(['email', 'hooks', 'chat', 'pager'].map((channel) => ({ channel, deliveries: 5, duplicates: 0, lost: 0 })));
    expect(await outbox.listWaiting(Date.now() + 4 * HOUR_MS, 100)).toEqual([]);
  });
});
