import { Logger } from '@aws-lambda-powertools/logger';
import { Webhook } from 'standardwebhooks';
import { SESClient, SESServiceException, type SESClientConfig } from '@aws-sdk/client-ses';
import type { DynamoDBRecord } from 'aws-lambda';
import { createAlertChannels } from '../../lib/adapters/alert-channels';
import { createNotifyDeps } from '../../lib/adapters/aws-notifier-deps';
import { DynamoDbMonitorStateStore } from '../../lib/adapters/dynamodb-monitor-state-store';
import { resolveChannels } from '../../lib/app/channel-secrets';
import { notifyBatch, type NotifyDeps } from '../../lib/app/notify-batch';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { AlertChannel } from '../../lib/domain/alert';
import type { WebhookBody } from '../../lib/domain/alert-payloads';
import { freePort } from '../../tools/local/free-port';
import { tickOf } from '../../lib/domain/schedule';
import { advanceState, initialState } from '../../lib/domain/state-machine';
import type { CheckResult, MonitorsConfig, Transition, Vantage } from '../../lib/domain/types';
import { createLambdaContext } from '../fixtures/lambda-context';
import { PAYMENTS_API_YML } from '../fixtures/monitors-yml';
import { createTestTable, ledgerItems, type TestTable } from '../support/dynamodb';
import {
  matchesFilterPatterns,
  readStream,
  streamFilterPatterns,
  testDynamoDbStreamsClient,
  toLambdaRecord,
  toStreamEvent,
} from '../support/stream-records';
import { useSesEmulator } from '../support/ses-emulator';
import { SLACK_ACCEPTS, WEBHOOK_ACCEPTS, headerValue, startAlertReceiver, type AlertReceiver, type ReceivedRequest } from '../support/alert-receivers';

/** An email as aws-ses-v2-local keeps it (`GET /store` answers `{ templates, emails }`). */
interface StoredEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: unknown[];
  /** Epoch seconds. */
  at: number;
}

const MONITORS_YML = `${PAYMENTS_API_YML}
    notify: { to: [team@example.com] }
`;

const START = Date.parse('2026-03-01T12:00:00Z');
const at = (minute: number, second = 0) => new Date(START + minute * 60_000 + second * 1000).toISOString();
const check = (ok: boolean, minute: number, second = 0): CheckResult =>
  ok
    ? { ok, checkedAt: at(minute, second), latencyMs: 40, statusCode: 200 }
    : { ok, checkedAt: at(minute, second), latencyMs: 40, statusCode: 503, reason: 'http-status', message: 'expected 200, got 503' };
/** Established at 12:00, down from 12:02 (confirmed 12:03), up again from 12:06:10: a 4m 10s outage. */
const HISTORY = [check(true, 0), check(true, 1), check(false, 2), check(false, 3), check(true, 6, 10), check(true, 7, 10)];

const logger = new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'SILENT' });
const config: MonitorsConfig = parseMonitorsConfig(MONITORS_YML, 'monitors.yml');
const streams = testDynamoDbStreamsClient();
const filterPatterns = streamFilterPatterns('notify');

const ses = useSesEmulator({ clearBeforeEach: true });
const tables: TestTable[] = [];
const sesClients: SESClient[] = [];

afterAll(async () => {
  for (const client of sesClients) client.destroy();
  streams.destroy();
  await Promise.all(tables.map((table) => table.drop()));
});

function sesClient(overrides: Partial<SESClientConfig> = {}): SESClient {
  const client = new SESClient({
    endpoint: ses.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 5,
    ...overrides,
  });
  sesClients.push(client);
  return client;
}

async function sentEmails(): Promise<StoredEmail[]> {
  const response = await fetch(`${ses.endpoint}/store`);
  expect(response.status).toBe(200);
  const store = (await response.json()) as { templates: Record<string, unknown>; emails: StoredEmail[] };
  return store.emails;
}

interface Scenario {
  table: TestTable;
  transitions: Transition[];
  /** Every record the table's stream holds, as Lambda would see it unfiltered. */
  allRecords: DynamoDBRecord[];
  /** The records the notify function's event filter lets through. */
  records: DynamoDBRecord[];
  deps(overrides?: { ses?: SESClient; config?: MonitorsConfig }): NotifyDeps;
}

/** A fresh table with a monitor's history written the way the probe writes it, and its stream read back. */
async function prepareScenario(): Promise<Scenario> {
  const table = await createTestTable('notify');
  tables.push(table);
  const states = new DynamoDbMonitorStateStore({ client: table.client, tableName: table.tableName });
  const transitions: Transition[] = [];
  let state = initialState('payments-api', at(0));
  for (const result of HISTORY) {
    const step = advanceState(state, result, { failureThreshold: 2, successThreshold: 2 }, tickOf(result.checkedAt));
    if (step.changed) expect(await states.saveState(state, step.state, step.transition)).toBe('saved');
    if (step.transition) transitions.push(step.transition);
    state = step.state;
  }
  const { allRecords, records } = await readDeliverable(table);
  const workingSes = sesClient();
  return {
    table,
    transitions,
    allRecords,
    records,
    deps: (overrides = {}) =>
      createNotifyDeps({
        dynamoDb: table.client,
        ses: overrides.ses ?? workingSes,
        tableName: table.tableName,
        config: overrides.config ?? config,
        logger,
      }),
  };
}

async function readDeliverable(table: TestTable): Promise<{ allRecords: DynamoDBRecord[]; records: DynamoDBRecord[] }> {
  const allRecords = (await readStream(streams, table.streamArn)).map((record) => toLambdaRecord(record, table.streamArn));
  return { allRecords, records: allRecords.filter((record) => matchesFilterPatterns(filterPatterns, record)) };
}

async function deliver(records: DynamoDBRecord[], deps: NotifyDeps) {
  return notifyBatch(toStreamEvent(records), createLambdaContext(), deps);
}

const sequenceNumber = (record: DynamoDBRecord | undefined) => record?.dynamodb?.SequenceNumber ?? '';

describe('notifyBatch on the real stream of DynamoDB Local, sending through the SES emulator', () => {
  it('gets exactly the transition inserts through the event filter serverless.yml declares', async () => {
    const scenario = await prepareScenario();

    expect(scenario.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['UNKNOWN->UP', 'UP->DOWN', 'DOWN->UP']);
    // State items are inserted and modified too; the filter must drop them.
    expect(scenario.allRecords.some((record) => record.eventName === 'MODIFY')).toBe(true);
    expect(scenario.allRecords.length).toBeGreaterThan(scenario.records.length);
    expect(scenario.records).toHaveLength(3);
    for (const record of scenario.records) {
      expect(record.eventName).toBe('INSERT');
      expect(record.eventSourceARN).toBe(scenario.table.streamArn);
      expect(record.dynamodb?.NewImage?.entity).toEqual({ S: 'TRANSITION' });
      // Epoch seconds, as Lambda delivers it (DynamoDB Local rounds it down to the minute).
      const created = record.dynamodb?.ApproximateCreationDateTime ?? 0;
      expect(Number.isInteger(created)).toBe(true);
      expect(created).toBeLessThanOrEqual(Date.now() / 1000);
      expect(created).toBeGreaterThan(Date.now() / 1000 - 180);
    }
  });

  it('sends one email per outage and recovery, none for the establishment', async () => {
    const scenario = await prepareScenario();

    const response = await deliver(scenario.records, scenario.deps());

    expect(response).toEqual({ batchItemFailures: [] });
    const emails = await sentEmails();
    expect(emails.map((email) => email.subject)).toEqual(['[DOWN] Payments API', '[UP] Payments API recovered after 4m 10s']);
    const [outage, recovery] = emails;
    for (const email of emails) {
      expect(email.from).toBe('monitor@example.com');
      expect(email.destination.to).toEqual(['team@example.com']);
    }
    expect(outage?.body.text).toContain('http-status: expected 200, got 503');
    expect(outage?.body.text).toContain(`Started:   ${at(2)}`);
    expect(outage?.body.text).toContain(`Confirmed: ${at(3)}`);
    expect(outage?.body.text).toContain('It was up for 2m before this.');
    expect(recovery?.body.text).toContain('The outage lasted 4m 10s.');
    expect(recovery?.body.html).toContain('The outage lasted 4m 10s.');
  });

  it('sends nothing new when the same records are delivered again', async () => {
    const scenario = await prepareScenario();
    expect(await deliver(scenario.records, scenario.deps())).toEqual({ batchItemFailures: [] });
    expect(await sentEmails()).toHaveLength(2);

    // Read the stream again, as a retried shard would: it now also holds the ledger items,
    // which the filter keeps away from the function.
    const again = await readDeliverable(scenario.table);
    expect(again.allRecords.length).toBeGreaterThan(scenario.allRecords.length);
    expect(again.records.map(sequenceNumber)).toEqual(scenario.records.map(sequenceNumber));
    expect(await deliver(again.records, scenario.deps())).toEqual({ batchItemFailures: [] });

    expect(await sentEmails()).toHaveLength(2);
    const items = await ledgerItems(scenario.table);
    expect(items).toHaveLength(3);
    for (const item of items) {
      expect(item.status).toEqual({ S: 'COMPLETED' });
      expect(item.entity).toBeUndefined();
      const expiresAt = Number(item.expiresAt?.N);
      expect(expiresAt).toBeGreaterThan(Date.now() / 1000 + 2 * 86_400);
      expect(expiresAt).toBeLessThan(Date.now() / 1000 + 4 * 86_400);
    }
  });

  it('reports the records whose email SES did not take, sends nothing, and sends each once on retry', async () => {
    const scenario = await prepareScenario();
    const closedPort = await freePort();
    const unreachable = sesClient({ endpoint: `http://127.0.0.1:${closedPort}`, maxAttempts: 2 });
    const [establishment, outage, recovery] = scenario.records;

    const failed = await deliver(scenario.records, scenario.deps({ ses: unreachable }));

    expect(failed.batchItemFailures).toEqual([
      { itemIdentifier: sequenceNumber(outage) },
      { itemIdentifier: sequenceNumber(recovery) },
    ]);
    expect(failed.batchItemFailures).not.toContainEqual({ itemIdentifier: sequenceNumber(establishment) });
    expect(await sentEmails()).toEqual([]);
    // The failed sends left no in-progress record behind to block the retry.
    expect(await ledgerItems(scenario.table)).toHaveLength(1);

    // Lambda retries from the first failed record on.
    const retried = await deliver([outage, recovery].filter((record) => record !== undefined), scenario.deps());

    expect(retried).toEqual({ batchItemFailures: [] });
    expect((await sentEmails()).map((email) => email.subject)).toEqual([
      '[DOWN] Payments API',
      '[UP] Payments API recovered after 4m 10s',
    ]);
  });

  it('lets the SDK retry SES throttling, so a throttled email is sent exactly once', async () => {
    const scenario = await prepareScenario();
    const throttled = sesClient({ maxAttempts: 5 });
    let rejected = 0;
    throttled.middlewareStack.add(
      (next) => async (args) => {
        if (rejected < 2) {
          rejected += 1;
          throw new SESServiceException({
            name: 'Throttling',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
            message: 'Maximum sending rate exceeded.',
          });
        }
        return next(args);
      },
      // The deserialize step runs inside the retry middleware, once per attempt.
      { step: 'deserialize', name: 'throttleFirstAttempts' },
    );

    const response = await deliver(scenario.records, scenario.deps({ ses: throttled }));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(rejected).toBe(2);
    expect((await sentEmails()).map((email) => email.subject)).toEqual([
      '[DOWN] Payments API',
      '[UP] Payments API recovered after 4m 10s',
    ]);
  });

  it('sends each email once when two deliveries of the same records overlap', async () => {
    const scenario = await prepareScenario();
    const notifying = scenario.records.slice(1).map(sequenceNumber);

    const responses = await Promise.all([
      deliver(scenario.records, scenario.deps()),
      deliver(scenario.records, scenario.deps()),
    ]);

    // The loser of a race sees the winner's in-progress record and fails its record, to be retried.
    // Only the holder of a transition's claim in the ledger sends its email.
    for (const failure of responses.flatMap((response) => response.batchItemFailures)) {
      expect(notifying).toContain(failure.itemIdentifier);
    }
    const subjects = ['[DOWN] Payments API', '[UP] Payments API recovered after 4m 10s'];
    expect((await sentEmails()).map((email) => email.subject).sort()).toEqual(subjects);

    // The retry of whatever failed sends nothing more.
    expect(await deliver(scenario.records, scenario.deps())).toEqual({ batchItemFailures: [] });
    expect((await sentEmails()).map((email) => email.subject).sort()).toEqual(subjects);
  });

  it('sends nothing for a monitor that is no longer configured', async () => {
    const scenario = await prepareScenario();
    const withoutIt: MonitorsConfig = { ...config, monitors: [] };

    expect(await deliver(scenario.records, scenario.deps({ config: withoutIt }))).toEqual({ batchItemFailures: [] });

    expect(await sentEmails()).toEqual([]);
  });
});

describe('the dependents also affected and the status page link, delivered', () => {
  const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 0x41).toString('base64')}`;
  /** What the notify function's API_URL would hold: the API's endpoint, no trailing slash. */
  const API_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
  let receiver: AlertReceiver;

  beforeAll(async () => {
    receiver = await startAlertReceiver((request) => (request.path.startsWith('/chat') ? SLACK_ACCEPTS : WEBHOOK_ACCEPTS));
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(() => receiver.reset((request) => (request.path.startsWith('/chat') ? SLACK_ACCEPTS : WEBHOOK_ACCEPTS)));

  /** database, with payments-api and checkout depending on it; the alerts go to email, a signed webhook and Slack. */
  function dependencyConfig(statusPage = ''): MonitorsConfig {
    return parseMonitorsConfig(
      `notify: { from: monitor@example.com, to: [oncall@example.com] }
channels:
  hook: { type: webhook, url: "${receiver.baseUrl}/hook", secret: "${WEBHOOK_SECRET}" }
  chat: { type: slack, url: "${receiver.baseUrl}/chat" }
monitors:
  - { id: database, name: Database, url: "https://db.example.com/health", alerts: [email, hook, chat], notify: { to: [team@example.com] } }
  - { id: payments-api, name: Payments API, url: "https://api.example.com/health", dependsOn: [database], alerts: [email, hook, chat] }
  - { id: checkout, name: Checkout, url: "https://shop.example.com/health", dependsOn: [database], alerts: [email, hook, chat] }
${statusPage}`,
      'monitors.yml',
    );
  }

  async function channelsOf(monitors: MonitorsConfig): Promise<ReadonlyMap<string, AlertChannel>> {
    const { resolved } = await resolveChannels(monitors.channels, { resolve: () => Promise.reject(new Error('these channels have no secret references')) });
    return createAlertChannels(resolved.filter((channel) => channel.type !== 'email'), {});
  }

  /**
   * `monitorId`'s history (HISTORY) saved as the probe saves it, each transition changed by
   * `edit` first; what the table's stream then holds.
   */
  async function saveHistory(monitorId: string, edit: (transition: Transition) => Transition) {
    const table = await createTestTable('notify-deps');
    tables.push(table);
    const states = new DynamoDbMonitorStateStore({ client: table.client, tableName: table.tableName });
    const transitions: Transition[] = [];
    let state = initialState(monitorId, at(0));
    for (const result of HISTORY) {
      const step = advanceState(state, result, { failureThreshold: 2, successThreshold: 2 }, tickOf(result.checkedAt));
      const transition = step.transition && edit(step.transition);
      const next = transition?.heldBy === undefined ? step.state : { ...step.state, heldBy: transition.heldBy };
      if (step.changed) expect(await states.saveState(state, next, transition)).toBe('saved');
      if (transition) transitions.push(transition);
      state = next;
    }
    return { table, transitions, ...(await readDeliverable(table)) };
  }

  const hookBodies = (): WebhookBody[] =>
    receiver.requests
      .filter((request) => request.path === '/hook')
      .map((request: ReceivedRequest) => {
        const headers = { 'webhook-id': headerValue(request, 'webhook-id') ?? '', 'webhook-timestamp': headerValue(request, 'webhook-timestamp') ?? '', 'webhook-signature': headerValue(request, 'webhook-signature') ?? '' };
        return new Webhook(WEBHOOK_SECRET).verify(request.body, headers) as WebhookBody;
      });
  const chatBodies = () => receiver.requests.filter((request) => request.path === '/chat').map((request) => request.body);

  it('an outage names its dependents also down (an id no longer configured as itself) and every alert links the API\'s status page', async () => {
    const monitors = dependencyConfig();
    const stored = await saveHistory('database', (transition) => (transition.to === 'DOWN' ? { ...transition, affected: ['payments-api', 'checkout', 'retired'] } : transition));
    const deps = createNotifyDeps({ dynamoDb: stored.table.client, ses: sesClient(), tableName: stored.table.tableName, config: monitors, logger, channels: await channelsOf(monitors), apiUrl: API_URL });

    expect(await deliver(stored.records, deps)).toEqual({ batchItemFailures: [] });

    const [down, up] = await sentEmails();
    expect([down?.subject, up?.subject]).toEqual(['[DOWN] Database', '[UP] Database recovered after 4m 10s']);
    expect(down?.body.text?.split('\n')).toContain('Also affected: Payments API, Checkout, retired');
    expect(down?.body.html).toContain('<p><strong>Also affected:</strong> Payments API, Checkout, retired</p>');
    expect(up?.body.text).not.toContain('Also affected');
    for (const email of [down, up]) {
      expect(email?.body.text?.split('\n')).toContain(`Status page: ${API_URL}/`);
      expect(email?.body.html).toContain(`<p>Status page: <a href="${API_URL}/">${API_URL}/</a></p>`);
    }

    const [downBody, upBody] = hookBodies();
    expect(downBody?.type).toBe('monitor.down');
    expect(downBody?.type === 'monitor.down' && downBody.data.affected).toEqual([
      { id: 'payments-api', name: 'Payments API' },
      { id: 'checkout', name: 'Checkout' },
      { id: 'retired', name: 'retired' },
    ]);
    expect(upBody?.type).toBe('monitor.up');
    expect(upBody && 'affected' in upBody.data).toBe(false);

    const [downChat, upChat] = chatBodies();
    expect(downChat).toContain('Also affected*\\nPayments API, Checkout, retired');
    for (const body of [downChat, upChat]) expect(body).toContain(`<${API_URL}/|Status page>`);
  });

  it.each([
    [
      'a quorum failed',
      [
        { region: 'us-east-1', ok: false, reason: 'http-status', latencyMs: 40 },
        { region: 'eu-west-1', ok: false, reason: 'timeout', latencyMs: 10_000 },
        { region: 'ap-southeast-1', ok: true, latencyMs: 210 },
      ],
      false,
      'Confirmed from 2 of 3 vantage points',
      'us-east-1 (http-status), eu-west-1 (timeout) failing; ap-southeast-1 reachable',
    ],
    [
      'only a minority failed (alertOnRegional), one confirmer abstaining',
      [
        { region: 'us-east-1', ok: false, reason: 'http-status', latencyMs: 40 },
        { region: 'eu-west-1', ok: true, latencyMs: 95 },
        { region: 'ap-southeast-1', ok: true, latencyMs: 210 },
        { region: 'sa-east-1', ok: null, reason: 'abstained: deadline' },
      ],
      true,
      'Seen from 1 of 4 vantage points only',
      'us-east-1 (http-status) failing; eu-west-1, ap-southeast-1 reachable; sa-east-1 (no answer)',
    ],
  ] as Array<[string, Vantage[], boolean, string, string]>)('an outage whose stored transition has vantage points says where it was seen from: %s', async (_label, vantage, regional, lead, detail) => {
    const monitors = dependencyConfig('confirm: { regions: [eu-west-1, ap-southeast-1, sa-east-1], quorum: 2, alertOnRegional: true }');
    const stored = await saveHistory('database', (transition) => (transition.to === 'DOWN' ? { ...transition, vantage, ...(regional ? { regional: true as const } : {}) } : transition));
    const deps = createNotifyDeps({ dynamoDb: stored.table.client, ses: sesClient(), tableName: stored.table.tableName, config: monitors, logger, channels: await channelsOf(monitors) });

    expect(await deliver(stored.records, deps)).toEqual({ batchItemFailures: [] });

    const [down, up] = await sentEmails();
    expect([down?.subject, up?.subject]).toEqual(['[DOWN] Database', '[UP] Database recovered after 4m 10s']);
    expect(down?.body.text?.split('\n')).toContain(`${lead}: ${detail}`);
    expect(down?.body.html).toContain(`<p><strong>${lead}:</strong> ${detail}</p>`);
    expect(`${up?.body.text}${up?.body.html}`).not.toContain('vantage point');

    const [downBody, upBody] = hookBodies();
    expect(downBody?.type === 'monitor.down' && downBody.data.vantage).toEqual(
      vantage.map((point) => ({ region: point.region, ok: point.ok, reason: point.reason ?? null, latencyMs: point.latencyMs ?? null })),
    );
    expect(upBody && 'vantage' in upBody.data).toBe(false);

    const [downChat, upChat] = chatBodies();
    expect(downChat).toContain(JSON.stringify(`*${lead}*\n${detail}`).slice(1, -1));
    expect(upChat).not.toContain('vantage point');
  });

  it('links statusPage.url from monitors.yml rather than the API, when it is set', async () => {
    const monitors = dependencyConfig('statusPage: { url: "https://status.example.com/uptime" }');
    const stored = await saveHistory('database', (transition) => transition);
    const deps = createNotifyDeps({ dynamoDb: stored.table.client, ses: sesClient(), tableName: stored.table.tableName, config: monitors, logger, channels: await channelsOf(monitors), apiUrl: API_URL });

    expect(await deliver(stored.records, deps)).toEqual({ batchItemFailures: [] });

    const emails = await sentEmails();
    expect(emails).toHaveLength(2);
    for (const email of emails) {
      expect(email.body.text?.split('\n')).toContain('Status page: https://status.example.com/uptime');
      expect(email.body.text).not.toContain(API_URL);
    }
    for (const body of chatBodies()) expect(body).toContain('<https://status.example.com/uptime|Status page>');
  });

  it('links no status page when neither statusPage.url nor the API\'s URL is known', async () => {
    const monitors = dependencyConfig();
    const stored = await saveHistory('database', (transition) => transition);
    const deps = createNotifyDeps({ dynamoDb: stored.table.client, ses: sesClient(), tableName: stored.table.tableName, config: monitors, logger, channels: await channelsOf(monitors) });

    expect(await deliver(stored.records, deps)).toEqual({ batchItemFailures: [] });

    const emails = await sentEmails();
    expect(emails).toHaveLength(2);
    for (const email of emails) expect(`${email.body.text}${email.body.html}`).not.toContain('Status page');
    expect(chatBodies()).toHaveLength(2);
    for (const body of chatBodies()) expect(body).not.toContain('Status page');
  });

  it('a held outage and the recovery that ended it unreleased send nothing when they reach the notifier, and are acknowledged', async () => {
    const monitors = dependencyConfig();
    const stored = await saveHistory('payments-api', (transition) => (transition.from === 'UNKNOWN' ? transition : { ...transition, heldBy: 'database' }));
    const held = stored.allRecords.filter((record) => record.eventName === 'INSERT' && record.dynamodb?.NewImage?.heldBy?.S === 'database');
    expect(held).toHaveLength(2);
    const deps = createNotifyDeps({ dynamoDb: stored.table.client, ses: sesClient(), tableName: stored.table.tableName, config: monitors, logger, channels: await channelsOf(monitors), apiUrl: API_URL });

    // As if the stream filter had let them through: acknowledged, no failure to retry.
    expect(await deliver(held, deps)).toEqual({ batchItemFailures: [] });

    expect(await sentEmails()).toEqual([]);
    expect(receiver.requests).toEqual([]);
    const ledger = await ledgerItems(stored.table);
    expect(ledger.map((item) => item.outcome?.S).sort()).toEqual(['skipped:held', 'skipped:held']);
    // Delivered again: still nothing.
    expect(await deliver(held, deps)).toEqual({ batchItemFailures: [] });
    expect(await sentEmails()).toEqual([]);
    expect(receiver.requests).toEqual([]);
  });
});
