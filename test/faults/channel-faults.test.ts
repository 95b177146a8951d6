import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { createAlertChannels } from '../../lib/adapters/alert-channels';
import { createNotifyDeps } from '../../lib/adapters/aws-notifier-deps';
import { DynamoDbAlertOutbox } from '../../lib/adapters/dynamodb-alert-outbox';
import { DynamoDbMonitorStateStore } from '../../lib/adapters/dynamodb-monitor-state-store';
import { DynamoDbTransitionReader } from '../../lib/adapters/dynamodb-transition-reader';
import { createSesClient, SES_MAX_ATTEMPTS } from '../../lib/adapters/ses-mailer';
import { resolveChannels } from '../../lib/app/channel-secrets';
import { notifyBatch } from '../../lib/app/notify-batch';
import { PERMANENT_FAILURE_MESSAGE, type NotifyTiming } from '../../lib/app/notify';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { AlertChannel } from '../../lib/domain/alert';
import type { SecretResolver } from '../../lib/domain/ports';
import { tickOf } from '../../lib/domain/schedule';
import { advanceState, initialState } from '../../lib/domain/state-machine';
import { HOUR_MS, MINUTE_MS } from '../../lib/domain/time';
import type { CheckResult, MonitorsConfig } from '../../lib/domain/types';
import { createLambdaContext } from '../fixtures/lambda-context';
import {
  DISCORD_ACCEPTS,
  isAccepted,
  pagerDutyAccepts,
  SLACK_ACCEPTS,
  startAlertReceiver,
  TEAMS_ACCEPTS,
  webhookReceiverOf,
  type AlertReceiver,
  type ReceiverAnswer,
  type ReceiverBehaviour,
} from '../support/alert-receivers';
import { createTestTable, ledgerItems, type TestTable } from '../support/dynamodb';
import {
  expectedDeliveryKey,
  fetchEmails,
  identifyEmail,
  readDelivery,
  tallyDeliveries,
  transitionIdentity,
  type DeliveryTally,
  type ExpectedAlert,
  type HttpChannelType,
  type ReceivedDelivery,
} from '../support/fault-harness';
import { quickRetryStrategy } from '../support/faults';
import { useSesEmulator } from '../support/ses-emulator';
import { matchesFilterPatterns, readStream, streamFilterPatterns, testDynamoDbStreamsClient, toLambdaRecord, toStreamEvent } from '../support/stream-records';

/**
 * Each kind of channel failing on its own, forced deterministically, against real receivers on
 * 127.0.0.1 and the real notifier, its ledger and outbox on DynamoDB Local, and the stream's retries
 * played as Lambda plays them (a batch retried from its first failed record, five retries, then the
 * dead-letter queue). `payments-api` alerts every channel; `search-api` only email, so a stuck
 * channel is seen to hold back its own monitor alone. After each case, every channel's deliveries
 * are counted as its receiver tells them apart: duplicates and lost alerts. A two-hour outage of
 * every receiver, delivered later by the outbox sweep, is receiver-outage.test.ts.
 */
jest.setTimeout(30_000);

/**
 * Scaled down from the deployed budgets (SES and the receivers answer in milliseconds here), yet
 * well above a stall of this process's event loop while the rest of the suite loads both cores:
 * at 300 ms a healthy receiver's answer was once taken for a timeout, failing a record the test
 * expects delivered.
 */
const TIMING: NotifyTiming = { sendBudgetMs: 1_500, recordBudgetMs: 500, safetyMs: 100, leaseSlackMs: 200, claimPollMs: 25 };
/** A receiver that hangs is given up on after this long (deployed: 10 s). */
const CHANNEL_TIMEOUT_MS = 1_000;
/** As serverless.yml configures the notify function's stream. */
const MAXIMUM_RETRY_ATTEMPTS = 5;

const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 0x6b).toString('base64')}`;
const CHANNELS: ReadonlyArray<{ name: string; type: HttpChannelType; path: string; accept: ReceiverBehaviour }> = [
  { name: 'hook', type: 'webhook', path: '/hooks/uptime', accept: webhookReceiverOf(WEBHOOK_SECRET) },
  { name: 'chat', type: 'slack', path: '/services/T0CHANNEL/B0FAULTS/slackToken', accept: SLACK_ACCEPTS },
  { name: 'room', type: 'discord', path: '/api/webhooks/1234567890/discordToken', accept: DISCORD_ACCEPTS },
  { name: 'teams', type: 'teams', path: '/workflows/teamsTrigger', accept: TEAMS_ACCEPTS },
  { name: 'pager', type: 'pagerduty', path: '/v2/enqueue', accept: pagerDutyAccepts },
];
type ChannelName = 'email' | 'hook' | 'chat' | 'room' | 'teams' | 'pager';

const START = Date.parse('2026-03-01T12:00:00Z');
const check = (ok: boolean, minute: number): CheckResult => ({
  ok,
  checkedAt: new Date(START + minute * MINUTE_MS).toISOString(),
  latencyMs: 30,
  ...(ok ? { statusCode: 200 } : { statusCode: 503, reason: 'http-status' as const, message: 'expected 200, got 503' }),
});
/** payments-api: established, then down, up, down, up (four alerts). search-api: established, down, up (two). */
const HISTORY: Record<'payments-api' | 'search-api', CheckResult[]> = {
  'payments-api': [0, 1, 2, 3, 5, 6, 8, 9, 11, 12].map((minute, index) => check([true, true, false, false, true, true, false, false, true, true][index] ?? true, minute)),
  'search-api': [0, 1, 4, 5, 7, 10].map((minute, index) => check([true, true, false, false, true, true][index] ?? true, minute)),
};

const streams = testDynamoDbStreamsClient();
const patterns = streamFilterPatterns('notify');
const ses = useSesEmulator({ clearBeforeEach: true });
const tables: TestTable[] = [];
const receivers = new Map<string, AlertReceiver>();
const NO_SECRETS: SecretResolver = { resolve: () => Promise.reject(new Error('these channels have no secret references')) };
let config: MonitorsConfig;
let sesClient: ReturnType<typeof createSesClient>;

beforeAll(async () => {
  for (const channel of CHANNELS) receivers.set(channel.name, await startAlertReceiver(channel.accept));
  const url = (name: string) => `${receiverOf(name).baseUrl}${CHANNELS.find((channel) => channel.name === name)?.path ?? ''}`;
  config = parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
channels:
  hook: { type: webhook, url: "${url('hook')}", secret: "${WEBHOOK_SECRET}" }
  chat: { type: slack, url: "${url('chat')}" }
  room: { type: discord, url: "${url('room')}" }
  teams: { type: teams, url: "${url('teams')}" }
  pager: { type: pagerduty, routingKey: R0UTINGKEYCHANNELFAULTS0123456789, url: "${url('pager')}" }
monitors:
  - { id: payments-api, name: Payments API, url: "https://api.example.com/health", alerts: [email, hook, chat, room, teams, pager] }
  - { id: search-api, name: Search API, url: "https://search.example.com/health", alerts: [email] }
`,
    'monitors.yml',
  );
  sesClient = createSesClient({
    endpoint: ses.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    retryStrategy: quickRetryStrategy(SES_MAX_ATTEMPTS),
  });
});

beforeEach(() => {
  for (const channel of CHANNELS) receiverOf(channel.name).reset(channel.accept);
});

afterAll(async () => {
  sesClient.destroy();
  streams.destroy();
  await Promise.all([...tables.map((table) => table.drop()), ...[...receivers.values()].map((receiver) => receiver.close())]);
});

function receiverOf(name: string): AlertReceiver {
  const receiver = receivers.get(name);
  if (!receiver) throw new Error(`no receiver for channel ${name}`);
  return receiver;
}

/** A table holding both monitors' histories as the probe writes them (minute by minute), and the records its stream hands the notifier. */
async function prepare(): Promise<{ table: TestTable; records: DynamoDBRecord[] }> {
  const table = await createTestTable('channel-faults');
  tables.push(table);
  const states = new DynamoDbMonitorStateStore({ client: table.client, tableName: table.tableName });
  const current = new Map(Object.entries(HISTORY).map(([id, results]) => [id, initialState(id, results[0]?.checkedAt ?? '')]));
  const steps = Object.entries(HISTORY)
    .flatMap(([id, results]) => results.map((result) => ({ id, result })))
    .sort((a, b) => a.result.checkedAt.localeCompare(b.result.checkedAt));
  for (const { id, result } of steps) {
    const state = current.get(id);
    if (!state) throw new Error(`no state for ${id}`);
    const step = advanceState(state, result, { failureThreshold: 2, successThreshold: 2 }, tickOf(result.checkedAt));
    if (step.changed) expect(await states.saveState(state, step.state, step.transition)).toBe('saved');
    current.set(id, step.state);
  }
  const records = (await readStream(streams, table.streamArn))
    .map((record) => toLambdaRecord(record, table.streamArn))
    .filter((record) => matchesFilterPatterns(patterns, record));
  // Two establishments (no alert), four alerts of payments-api, two of search-api.
  expect(records).toHaveLength(8);
  return { table, records };
}

/** A Powertools logger whose lines the test reads. */
class CapturingLogger extends Logger {
  constructor(private readonly lines: string[]) {
    super({ serviceName: 'channel-faults', logLevel: 'SILENT' });
  }
  override info(...args: Parameters<Logger['info']>): void {
    this.lines.push(JSON.stringify(args));
  }
  override warn(...args: Parameters<Logger['warn']>): void {
    this.lines.push(JSON.stringify(args));
  }
  override error(...args: Parameters<Logger['error']>): void {
    this.lines.push(JSON.stringify(args));
  }
}

interface StreamRun {
  /** Each invocation's batch response, first delivery and retries. */
  responses: DynamoDBBatchResponse[];
  /** The records the stream gave up on (the dead-letter queue). */
  deadLettered: DynamoDBRecord[];
  logged: string[];
}

/**
 * The stream's event source mapping for one batch: delivered, then retried from its first failed
 * record while any fails, at most MAXIMUM_RETRY_ATTEMPTS times; what still fails is dead-lettered.
 * Each invocation builds its channels afresh, as functions/notify does.
 */
async function playStream(table: TestTable, records: DynamoDBRecord[]): Promise<StreamRun> {
  const { resolved } = await resolveChannels(config.channels, NO_SECRETS);
  const logged: string[] = [];
  const responses: DynamoDBBatchResponse[] = [];
  let pending = records;
  for (let attempt = 0; attempt <= MAXIMUM_RETRY_ATTEMPTS && pending.length > 0; attempt += 1) {
    const channels: ReadonlyMap<string, AlertChannel> = createAlertChannels(
      resolved.filter((channel) => channel.type !== 'email'),
      { timeoutMs: CHANNEL_TIMEOUT_MS },
    );
    const deps = createNotifyDeps({ dynamoDb: table.client, ses: sesClient, tableName: table.tableName, config, logger: new CapturingLogger(logged), timing: TIMING, channels });
    const response = await notifyBatch(toStreamEvent(pending), createLambdaContext({ timeoutMs: 10_000 }), deps);
    responses.push(response);
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const first = pending.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
    pending = first < 0 ? [] : pending.slice(first);
  }
  return { responses, deadLettered: pending, logged };
}

/** The alerts each monitor should have had, in order, read from the table. */
async function expectedAlerts(table: TestTable): Promise<ExpectedAlert[]> {
  const reader = new DynamoDbTransitionReader({ client: table.client, tableName: table.tableName });
  const alerts: ExpectedAlert[] = [];
  for (const monitorId of Object.keys(HISTORY)) {
    const transitions = await reader.listTransitions(monitorId);
    transitions.forEach((transition, index) => {
      if (transition.from === 'UNKNOWN' || transition.to === 'UNKNOWN') return;
      // A recovery closes the outage the transition before it opened.
      const outage = transition.to === 'DOWN' ? transition : transitions[index - 1];
      alerts.push({
        monitorId,
        to: transition.to,
        startedAt: transition.startedAt,
        confirmedAt: transition.confirmedAt,
        tick: transition.tick,
        outageStartedAt: outage?.startedAt ?? '',
      });
    });
  }
  return alerts;
}

type Tallies = Record<ChannelName, DeliveryTally & { requests: number; refused: number }>;

/**
 * Every channel's deliveries against its alerts, as its receiver tells them apart (email: by what
 * it says). `refused` counts alerts the ledger records as refused for good; lost are alerts neither
 * taken nor refused.
 */
async function tally(table: TestTable): Promise<Tallies> {
  const alerts = await expectedAlerts(table);
  const failedKeys = new Set((await ledgerItems(table)).filter((item) => item.outcome?.S === 'failed').map((item) => item.sk?.S ?? ''));
  const alertsOf = (channel: ChannelName) =>
    alerts.filter((alert) => config.monitors.find((monitor) => monitor.id === alert.monitorId)?.alerts.includes(channel));
  const about = (alert: ExpectedAlert) => transitionIdentity(alert.monitorId, alert.to, alert.startedAt, alert.confirmedAt);
  const deliveryKey = (alert: ExpectedAlert, channel: ChannelName) => `${alert.monitorId}#${alert.startedAt}#${alert.tick}${channel === 'email' ? '' : `#${channel}`}`;
  const count = (channel: ChannelName, keyOf: (alert: ExpectedAlert) => string, received: ReceivedDelivery[], requests: number) => {
    const own = alertsOf(channel);
    const refused = own.filter((alert) => [...failedKeys].some((key) => key.endsWith(deliveryKey(alert, channel))));
    const result = tallyDeliveries(
      own.filter((alert) => !refused.includes(alert)).map((alert) => ({ monitorId: alert.monitorId, key: keyOf(alert), about: about(alert) })),
      received,
    );
    return { ...result, alerts: own.length, requests, refused: refused.length };
  };
  const emails = await fetchEmails(ses.endpoint);
  const received = emails.map((email): ReceivedDelivery => {
    const { monitorId, to, startedAt, confirmedAt } = identifyEmail(email);
    const identity = transitionIdentity(monitorId, to, startedAt, confirmedAt);
    return { monitorId, key: identity, about: identity };
  });
  const tallies: Partial<Tallies> = { email: count('email', about, received, emails.length) };
  for (const { name, type } of CHANNELS) {
    const receiver = receiverOf(name);
    const taken = receiver.exchanges.filter(isAccepted).map((exchange) => readDelivery(type, exchange.request));
    tallies[name as ChannelName] = count(name as ChannelName, (alert) => expectedDeliveryKey(type, name, alert), taken, receiver.requests.length);
  }
  return tallies as Tallies;
}

/** Every channel's duplicates and lost alerts, and its deliveries (refusals apart), for one comparison. */
function summary(tallies: Tallies): Record<string, { delivered: number; duplicates: number; lost: number; refused: number }> {
  return Object.fromEntries(
    Object.entries(tallies).map(([channel, t]) => [channel, { delivered: t.delivered, duplicates: t.duplicates, lost: t.lost.length, refused: t.refused }]),
  );
}

/** What every channel should show when each alert went out once: payments-api's four everywhere, search-api's two by email. */
function allDelivered(except: Partial<Record<ChannelName, { delivered: number; duplicates: number; lost: number; refused: number }>> = {}) {
  const channels: ChannelName[] = ['email', 'hook', 'chat', 'room', 'teams', 'pager'];
  return Object.fromEntries(channels.map((channel) => [channel, except[channel] ?? { delivered: channel === 'email' ? 6 : 4, duplicates: 0, lost: 0, refused: 0 }]));
}

async function outboxWaiting(table: TestTable): Promise<string[]> {
  const outbox = new DynamoDbAlertOutbox({ client: table.client, tableName: table.tableName });
  return (await outbox.listWaiting(Date.now() + HOUR_MS, 100)).map((entry) => entry.monitorId);
}

const sequenceNumbers = (records: DynamoDBRecord[]) => records.map((record) => record.dynamodb?.SequenceNumber);
const failedOf = (response: DynamoDBBatchResponse | undefined) => response?.batchItemFailures.map((failure) => failure.itemIdentifier);

/** The channel types the "down for good" cases run for (case (a) runs for every type). */
const PERMANENT_CASES: ReadonlySet<string> = new Set(['webhook', 'slack']);
const TRANSIENT_FOR_GOOD_CASES: ReadonlySet<string> = new Set(['pagerduty', 'discord']);

describe.each(CHANNELS)('the $type channel ($name) failing', ({ name, type }) => {
  const others = CHANNELS.filter((channel) => channel.name !== name);

  it('answers 500, then does not answer within the timeout, then recovers: the stream’s retries deliver each alert once, and no other channel is sent anything again', async () => {
    const { table, records } = await prepare();
    const receiver = receiverOf(name);
    const failures: ReceiverAnswer[] = [{ status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error' }, 'hang'];
    receiver.answerNext(...failures);

    const run = await playStream(table, records);

    // Twice the first outage fails on this channel, holding back payments-api's later alerts (to
    // keep them in order) and not search-api's; the third delivery of the batch finishes it.
    const blocked = sequenceNumbers([records[2], records[4], records[5], records[7]].filter((record) => record !== undefined));
    expect(run.responses.map(failedOf)).toEqual([blocked, blocked, []]);
    expect(run.deadLettered).toEqual([]);
    const tallies = await tally(table);
    expect(summary(tallies)).toEqual(allDelivered());
    for (const [channel, t] of Object.entries(tallies)) {
      expect({ channel, spurious: t.spurious, mismatched: t.mismatched, outOfOrder: t.outOfOrder }).toEqual({ channel, spurious: [], mismatched: [], outOfOrder: [] });
    }
    // Never resent: each other receiver was asked once per alert, across all three deliveries.
    expect(Object.fromEntries(others.map((channel) => [channel.name, tallies[channel.name as ChannelName].requests]))).toEqual(
      Object.fromEntries(others.map((channel) => [channel.name, 4])),
    );
    // This one: the two failed attempts and the one that took were the same delivery.
    expect(receiver.requests).toHaveLength(6);
    const keys = receiver.requests.map((request) => readDelivery(type, request).key);
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(run.logged.filter((line) => line.includes('alert delivery failed; it will be retried') && line.includes(`"channel":"${name}"`))).toHaveLength(2);
    expect(await outboxWaiting(table)).toEqual([]);
  });

  // Down for good: once for a channel with delivery ids (webhook, PagerDuty's dedup_key) and once
  // for one without (Slack, Discord), which is enough to show the rule; every type has case (a).
  if (PERMANENT_CASES.has(type)) {
    it('down for good (404): recorded as failed once per alert and logged for the alarm, never retried; the others deliver and its later alerts are not held back', async () => {
      const { table, records } = await prepare();
      const receiver = receiverOf(name);
      receiver.reset({ status: 404, headers: { 'content-type': 'text/plain' }, body: 'no_service' });
  
      const run = await playStream(table, records);
  
      expect(run.responses.map(failedOf)).toEqual([[]]);
      const refused = run.logged.filter((line) => line.includes(PERMANENT_FAILURE_MESSAGE));
      expect(refused).toHaveLength(4);
      expect(refused.every((line) => line.includes(`"channel":"${name}"`) && line.includes('HTTP 404'))).toBe(true);
      expect(receiver.requests).toHaveLength(4);
      const failedLedger = (await ledgerItems(table)).filter((item) => item.outcome?.S === 'failed').map((item) => item.sk?.S ?? '');
      expect(failedLedger).toHaveLength(4);
      expect(failedLedger.every((key) => key.endsWith(`#${name}`))).toBe(true);
      const tallies = await tally(table);
      expect(summary(tallies)).toEqual(allDelivered({ [name]: { delivered: 0, duplicates: 0, lost: 0, refused: 4 } }));
      expect(await outboxWaiting(table)).toEqual([]);
  
      // The whole batch delivered again: nothing is sent again, the refused deliveries included.
      const again = await playStream(table, records);
      expect(again.responses.map(failedOf)).toEqual([[]]);
      expect(receiver.requests).toHaveLength(4);
      expect(summary(await tally(table))).toEqual(summary(tallies));
    });
  }
  if (TRANSIENT_FOR_GOOD_CASES.has(type)) {
    it('down for good with 500s: the others deliver once and are never resent; it is retried until the stream gives up, and its alerts are undelivered for now', async () => {
      const { table, records } = await prepare();
      const receiver = receiverOf(name);
      receiver.reset({ status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error' });
  
      const run = await playStream(table, records);
  
      // The first delivery and five retries, each failing payments-api's first outage on this channel;
      // its later alerts wait behind it on this channel only (to keep their order there): every other
      // channel, email included, gets them at once. Their records still fail, for this channel.
      const stuck = [records[2], records[3], records[4], records[5], records[6], records[7]].filter((record) => record !== undefined);
      const blocked = sequenceNumbers([records[2], records[4], records[5], records[7]].filter((record) => record !== undefined));
      expect(run.responses.map(failedOf)).toEqual(Array.from({ length: MAXIMUM_RETRY_ATTEMPTS + 1 }, () => blocked));
      expect(sequenceNumbers(run.deadLettered)).toEqual(sequenceNumbers(stuck));
      // Six attempts, all of the same delivery (the first outage); the later alerts wait for it.
      expect(receiver.requests).toHaveLength(MAXIMUM_RETRY_ATTEMPTS + 1);
      expect(new Set(receiver.requests.map((request) => readDelivery(type, request).key)).size).toBe(1);
  
      const tallies = await tally(table);
      // Once the stream has given up: every other channel has each of payments-api's four alerts
      // once (never resent across six deliveries of the batch), and search-api, which does not use
      // this channel, got both of its emails; this channel has none of them. The outbox keeps all four:
      // the outbox sweep (lib/app/outbox.ts, asked for by the probe once an alert has waited five
      // minutes; a two-hour outage of every receiver is receiver-outage.test.ts) delivers them, in
      // order, once this channel answers again. That delivery is not part of this test: it stops
      // where the stream gives up, so these count as lost here.
      expect(summary(tallies)).toEqual(
        allDelivered({
          email: { delivered: 6, duplicates: 0, lost: 0, refused: 0 },
          ...Object.fromEntries(others.map((channel) => [channel.name, { delivered: 4, duplicates: 0, lost: 0, refused: 0 }])),
          [name]: { delivered: 0, duplicates: 0, lost: 4, refused: 0 },
        }),
      );
      for (const channel of others) expect(tallies[channel.name as ChannelName].requests).toBe(4);
      expect(await outboxWaiting(table)).toEqual(['payments-api', 'payments-api', 'payments-api', 'payments-api']);
    });
  }
});
