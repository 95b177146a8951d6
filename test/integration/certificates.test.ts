import { Logger } from '@aws-lambda-powertools/logger';
import { SESClient } from '@aws-sdk/client-ses';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { createAlertChannels } from '../../lib/adapters/alert-channels';
import { createNotifyDeps } from '../../lib/adapters/aws-notifier-deps';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import { resolveChannels } from '../../lib/app/channel-secrets';
import { notifyBatch } from '../../lib/app/notify-batch';
import { sweepOutbox } from '../../lib/app/outbox';
import { SWEEP_AFTER_MS } from '../../lib/domain/reminders';
import { probeRun, type ProbeDeps } from '../../lib/app/probe-run';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { AlertChannel } from '../../lib/domain/alert';
import type { CertificateWebhookBody, SlackMessage } from '../../lib/domain/alert-payloads';
import type { SecretResolver } from '../../lib/domain/ports';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lib/domain/time';
import type { MonitorsConfig } from '../../lib/domain/types';
import { createLambdaContext } from '../fixtures/lambda-context';
import { createScheduledEvent } from '../fixtures/scheduled-event';
import { startAlertReceiver, SLACK_ACCEPTS, webhookReceiverOf, type AlertReceiver } from '../support/alert-receivers';
import { createTestTable, ledgerItems, type TestTable } from '../support/dynamodb';
import { useSesEmulator } from '../support/ses-emulator';
import { matchesFilterPatterns, streamFilterPatterns, testDynamoDbStreamsClient, toLambdaRecord, toStreamEvent } from '../support/stream-records';
import { StreamTail } from '../support/stream-tail';

/**
 * Certificate warnings through the real probe run, real TLS servers on 127.0.0.1, DynamoDB Local and
 * its stream, the notifier, the SES emulator and real webhook and Slack receivers. A test CA (made
 * here with `selfsigned`, already the project's certificate generator: maintained, and it signs
 * with a given CA since 5.x) signs leaf certificates that expire in 2, 10 and 40 days, and one that
 * expired yesterday; the prober trusts the CA through `extraCaCertificates`. Ticks start at the
 * real minute, since OpenSSL checks validity against the real clock.
 */

const T0 = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 0x5e).toString('base64')}`;
const NO_SECRETS: SecretResolver = { resolve: () => Promise.reject(new Error('these channels have no secret references')) };

const ses = useSesEmulator({ clearBeforeEach: false });
const streams = testDynamoDbStreamsClient();
const logger = new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'SILENT' });

interface TlsTarget {
  server: Server;
  url: string;
  /** Serves a newly issued certificate (a renewal) from now on. */
  renew(expiresInMs: number): Promise<void>;
}

let ca: { key: string; cert: string };
let table: TestTable;
let stores: DynamoDbStores;
let tail: StreamTail;
let config: MonitorsConfig;
let hook: AlertReceiver;
let chat: AlertReceiver;
const targets: Record<'soon' | 'ten' | 'far' | 'expired', TlsTarget> = {} as Record<'soon' | 'ten' | 'far' | 'expired', TlsTarget>;

async function issueLeaf(notBefore: Date, notAfter: Date): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

async function startTlsTarget(expiresInMs: number): Promise<TlsTarget> {
  const notBefore = new Date(Math.min(T0, T0 + expiresInMs) - 10 * DAY_MS);
  const leaf = await issueLeaf(notBefore, new Date(T0 + expiresInMs));
  const server = createServer({ ...leaf }, (_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async renew(renewedInMs) {
      server.setSecureContext({ ...(await issueLeaf(new Date(T0 - DAY_MS), new Date(T0 + renewedInMs))) });
    },
  };
}

beforeAll(async () => {
  const authority = await generate([{ name: 'commonName', value: 'Certificate Test CA' }, { name: 'organizationName', value: 'Uptime Tests' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(T0 - 30 * DAY_MS),
    notAfterDate: new Date(T0 + 365 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  ca = { key: authority.private, cert: authority.cert };
  [table, targets.soon, targets.ten, targets.far, targets.expired, hook, chat] = await Promise.all([
    createTestTable('certificates'),
    startTlsTarget(2 * DAY_MS + HOUR_MS),
    startTlsTarget(10 * DAY_MS + HOUR_MS),
    startTlsTarget(40 * DAY_MS + HOUR_MS),
    startTlsTarget(-DAY_MS),
    startAlertReceiver(webhookReceiverOf(WEBHOOK_SECRET)),
    startAlertReceiver(SLACK_ACCEPTS),
  ]);
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  tail = new StreamTail(streams, table.streamArn);
  config = parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
channels:
  hook: { type: webhook, url: "${hook.baseUrl}/hook", secret: "${WEBHOOK_SECRET}" }
  chat: { type: slack, url: "${chat.baseUrl}/chat" }
monitors:
  - { id: soon, name: Shop, url: "${targets.soon.url}", alerts: [email, hook, chat] }
  - { id: ten, name: Ten, url: "${targets.ten.url}", alerts: [email, hook, chat] }
  - { id: far, name: Far, url: "${targets.far.url}", alerts: [email, hook, chat] }
  - { id: expired, name: Expired, url: "${targets.expired.url}", alerts: [email] }
`,
    'monitors.yml',
  );
}, 15_000);

afterAll(async () => {
  streams.destroy();
  for (const { server } of Object.values(targets)) server.closeAllConnections();
  await Promise.all([
    ...Object.values(targets).map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))),
    hook.close(),
    chat.close(),
    table.drop(),
  ]);
});

const prober = () => new HttpProber({ extraCaCertificates: [ca.cert] });

const runAt = (minute: number) => {
  const deps: ProbeDeps = {
    config,
    stores,
    prober: prober(),
    metrics: new DisabledMetricsSink(),
    logger,
    now: () => new Date(T0 + minute * MINUTE_MS + 1000),
    concurrency: 4,
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

/** The notifier's deps as functions/notify builds them, and the SES client to destroy after. */
async function notifierDeps() {
  const sesClient = new SESClient({ endpoint: ses.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const { resolved } = await resolveChannels(config.channels, NO_SECRETS);
  const channels: ReadonlyMap<string, AlertChannel> = createAlertChannels(resolved.filter((channel) => channel.type !== 'email'), {});
  return { sesClient, deps: createNotifyDeps({ dynamoDb: table.client, ses: sesClient, tableName: table.tableName, config, logger, channels }) };
}

async function notify(records: DynamoDBRecord[]): Promise<void> {
  if (records.length === 0) return;
  const { sesClient, deps } = await notifierDeps();
  expect(await notifyBatch(toStreamEvent(records), createLambdaContext({ timeoutMs: 30_000 }), deps)).toEqual({ batchItemFailures: [] });
  sesClient.destroy();
}

async function outboxItems(): Promise<number> {
  const { Items } = await table.client.send(
    new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'OUTBOX' } }, ConsistentRead: true }),
  );
  return Items?.length ?? 0;
}

interface StoredEmail {
  subject: string;
  text?: string;
}

async function certificateEmails(): Promise<StoredEmail[]> {
  const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: StoredEmail[] };
  return store.emails.filter((email) => email.subject.startsWith('[CERT]'));
}

const webhookBodies = () => hook.requests.map((request) => JSON.parse(request.body) as { type: string }).filter((body) => body.type === 'certificate.expiring') as CertificateWebhookBody[];
const slackMessages = () => chat.requests.map((request) => JSON.parse(request.body) as SlackMessage).filter((message) => message.text.startsWith('[CERT]'));

describe('certificate warnings', () => {
  beforeAll(async () => {
    // Minute 0 twice (a duplicated scheduled event), then two more minutes: every record notified twice.
    for (const minute of [0, 0, 1, 2]) {
      await runAt(minute);
      await notify(await newRecords());
    }
  }, 15_000);

  it('warns once for a certificate within 14 days, and once for the 2-day one, for 3d only; none for 40 days', async () => {
    expect((await certificateEmails()).map((email) => email.subject).sort()).toEqual([
      '[CERT] Shop certificate expires in 2 days',
      '[CERT] Ten certificate expires in 10 days',
    ]);
    const bodies = webhookBodies();
    expect(bodies.map((body) => [body.data.monitor.id, body.data.threshold, body.data.certificate.daysLeft]).sort()).toEqual([
      ['soon', '3d', 2],
      ['ten', '14d', 10],
    ]);
    expect(bodies.find((body) => body.data.monitor.id === 'soon')?.data.certificate).toMatchObject({
      issuer: 'CN=Certificate Test CA, O=Uptime Tests',
      subject: 'CN=localhost',
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(slackMessages().map((message) => message.text).sort()).toEqual(['[CERT] Shop certificate expires in 2 days', '[CERT] Ten certificate expires in 10 days']);
  });

  it('keeps the latest certificate on the state; the expired one is a tls failure with none', async () => {
    const states = await stores.states.loadStates();
    expect(states.get('far')?.certificate).toMatchObject({ warnedBeforeMs: [] });
    expect(states.get('soon')?.certificate?.warnedBeforeMs).toEqual([14 * DAY_MS, 3 * DAY_MS]);
    expect(states.get('soon')?.status).toBe('UP');
    expect(states.get('expired')?.lastFailureReason).toMatch(/^tls/);
    expect(states.get('expired')?.certificate).toBeUndefined();
  });

  it('writes nothing for a certificate seen again', async () => {
    const before = await stores.states.loadStates();
    await runAt(3);
    const after = await stores.states.loadStates();
    for (const id of ['soon', 'ten', 'far']) expect(after.get(id)?.version).toBe(before.get(id)?.version);
    await notify(await newRecords());
    expect(await certificateEmails()).toHaveLength(2);
  });

  it('warns again for a renewed certificate (a new fingerprint), once', async () => {
    await targets.soon.renew(2 * DAY_MS + HOUR_MS);
    for (const minute of [4, 4, 5]) {
      await runAt(minute);
      await notify(await newRecords());
    }
    const emails = await certificateEmails();
    expect(emails.map((email) => email.subject)).toEqual([
      ...emails.slice(0, 2).map((email) => email.subject),
      '[CERT] Shop certificate expires in 2 days',
    ]);
    const soon = webhookBodies().filter((body) => body.data.monitor.id === 'soon');
    expect(soon).toHaveLength(2);
    expect(soon[0]?.data.certificate.fingerprint).not.toBe(soon[1]?.data.certificate.fingerprint);
    const deliveries = (await ledgerItems(table)).filter((item) => (item.sk?.S ?? '').includes('#certificate-'));
    // 3 warnings × 3 channels, each sent once.
    expect(deliveries).toHaveLength(9);
    expect(deliveries.every((item) => item.outcome?.S === 'sent')).toBe(true);
    expect(await outboxItems()).toBe(0);
  });

  it('delivers a warning the stream never brought through the outbox sweep, once, and the late stream record sends nothing', async () => {
    await targets.ten.renew(10 * DAY_MS + HOUR_MS);
    await runAt(6);
    expect(await outboxItems()).toBe(1);
    const { sesClient, deps } = await notifierDeps();
    const report = await sweepOutbox(deps, createLambdaContext({ timeoutMs: 30_000 }), () => Date.now() + SWEEP_AFTER_MS + 1000);
    sesClient.destroy();
    expect(report).toMatchObject({ waiting: 1, delivered: 1, stuck: [] });
    expect(await outboxItems()).toBe(0);
    await notify(await newRecords());
    const ten = (await certificateEmails()).filter((email) => email.subject.startsWith('[CERT] Ten'));
    expect(ten).toHaveLength(2);
    expect(webhookBodies().filter((body) => body.data.monitor.id === 'ten')).toHaveLength(2);
  });
});
