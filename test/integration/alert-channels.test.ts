import { inspect } from 'node:util';
import {
  AuthorizationErrorException,
  InternalErrorException,
  InvalidParameterException,
  KMSThrottlingException,
  NotFoundException,
  PublishCommand,
  SNSClient,
  SNSServiceException,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { ChannelConfigError, createAlertChannel, createAlertChannels } from '../../lib/adapters/alert-channels';
import { HttpAlertChannel, createWebhookChannel } from '../../lib/adapters/http-alert-channels';
import { SnsAlertChannel } from '../../lib/adapters/sns-alert-channel';
import { PermanentDeliveryError, TransientDeliveryError, type Alert, type AlertChannel, type ResolvedChannelConfig } from '../../lib/domain/alert';
import { renderSnsNotice, renderWebhookBody } from '../../lib/domain/alert-payloads';
import {
  DISCORD_ACCEPTS,
  SLACK_ACCEPTS,
  TEAMS_ACCEPTS,
  WEBHOOK_ACCEPTS,
  pagerDutyAccepts,
  refusingUrl,
  startAlertReceiver,
  type AlertReceiver,
  type ReceivedRequest,
} from '../support/alert-receivers';

/**
 * The HTTP channels against real receivers on 127.0.0.1: what arrives (method, headers, a body of
 * the shape each service documents), the webhook's signature checked by the receiver's library,
 * and how each kind of answer, or its absence, is classified. SNS has no local implementation: its
 * client is mocked at `send` for the request and the error table, and a real client talks to a
 * receiver that never answers for the timeout.
 */

const outage: Alert = {
  kind: 'monitor.down',
  key: 'payments-api#2024-05-04T16:00:00.000Z#2024-05-04T16:01:00.000Z',
  monitor: { id: 'payments-api', name: 'Payments API', url: 'https://api.example.com/health' },
  state: 'DOWN',
  previousState: 'UP',
  startedAt: '2024-05-04T16:00:00.000Z',
  confirmedAt: '2024-05-04T16:01:00.000Z',
  reason: 'http-status: expected 200, got 503 <!channel> @everyone',
  previousStateSeconds: 3600,
  outageKey: 'payments-api#2024-05-04T16:00:00.000Z',
  timestamp: '2024-05-04T16:01:02.000Z',
  statusPageUrl: 'https://status.example.com/',
};
const recovery: Alert = {
  ...outage,
  kind: 'monitor.up',
  key: 'payments-api#2024-05-04T16:04:10.000Z#2024-05-04T16:05:00.000Z',
  state: 'UP',
  previousState: 'DOWN',
  startedAt: '2024-05-04T16:04:10.000Z',
  confirmedAt: '2024-05-04T16:05:10.000Z',
  reason: null,
  previousStateSeconds: 250,
};
const deliveryId = (alert: Alert, channel: string) => `${alert.key}#${channel}`;

/** The part of each URL that is the credential: a receiver's path, as Slack's `/services/T…/B…/…`. */
const SECRET_PATH = '/services/T0SECRET/B0SECRET/xoxSecretTokenPart';
const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 0x5a).toString('base64')}`;
const ROUTING_KEY = 'R0UTINGKEY0123456789ABCDEFGHIJKL';

// The bodies each service documents, as far as these alerts use them.
const slackText = z.strictObject({ type: z.enum(['plain_text', 'mrkdwn']), text: z.string().min(1) });
const slackBody = z.strictObject({
  text: z.string().min(1),
  blocks: z
    .array(
      z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('header'), text: slackText.extend({ type: z.literal('plain_text'), text: z.string().min(1).max(150) }) }),
        z.strictObject({
          type: z.literal('section'),
          text: slackText.extend({ text: z.string().min(1).max(3000) }).optional(),
          fields: z.array(slackText.extend({ text: z.string().min(1).max(2000) })).max(10).optional(),
        }),
        z.strictObject({ type: z.literal('context'), elements: z.array(slackText).min(1).max(10) }),
      ]),
    )
    .min(1)
    .max(50),
});
const discordBody = z.strictObject({
  embeds: z
    .array(
      z.strictObject({
        title: z.string().max(256),
        description: z.string().max(4096).optional(),
        url: z.url().optional(),
        color: z.int().min(0).max(0xffffff),
        fields: z.array(z.strictObject({ name: z.string().min(1).max(256), value: z.string().min(1).max(1024), inline: z.boolean() })).max(25),
        timestamp: z.iso.datetime(),
      }),
    )
    .min(1)
    .max(10),
  allowed_mentions: z.strictObject({ parse: z.array(z.enum(['roles', 'users', 'everyone'])) }),
});
const teamsBody = z.strictObject({
  type: z.literal('message'),
  attachments: z
    .array(
      z.strictObject({
        contentType: z.literal('application/vnd.microsoft.card.adaptive'),
        contentUrl: z.null(),
        content: z.looseObject({
          $schema: z.literal('http://adaptivecards.io/schemas/adaptive-card.json'),
          type: z.literal('AdaptiveCard'),
          version: z.string().regex(/^1\.[0-5]$/),
          body: z.array(z.looseObject({ type: z.enum(['TextBlock', 'RichTextBlock', 'FactSet', 'ColumnSet', 'Container']) })).min(1),
          actions: z.array(z.strictObject({ type: z.literal('Action.OpenUrl'), title: z.string(), url: z.url() })).optional(),
        }),
      }),
    )
    .length(1),
});
const pagerDutyTrigger = z.strictObject({
  routing_key: z.literal(ROUTING_KEY),
  event_action: z.literal('trigger'),
  dedup_key: z.string().min(1).max(255),
  payload: z.strictObject({
    summary: z.string().min(1).max(1024),
    source: z.string().min(1),
    severity: z.enum(['critical', 'error', 'warning', 'info']),
    timestamp: z.iso.datetime(),
    component: z.string().optional(),
    custom_details: z.record(z.string(), z.unknown()).optional(),
  }),
  links: z.array(z.strictObject({ href: z.url(), text: z.string() })).optional(),
});
const pagerDutyResolve = z.strictObject({ routing_key: z.literal(ROUTING_KEY), event_action: z.literal('resolve'), dedup_key: z.string().min(1).max(255) });

let receiver: AlertReceiver;

beforeAll(async () => {
  receiver = await startAlertReceiver(WEBHOOK_ACCEPTS);
});

afterAll(async () => {
  await receiver.close();
});

function channelOf(type: 'slack' | 'discord' | 'teams' | 'webhook' | 'pagerduty', options: { timeoutMs?: number; url?: string } = {}): AlertChannel {
  const url = options.url ?? `${receiver.baseUrl}${SECRET_PATH}?thread_id=42`;
  const config: ResolvedChannelConfig =
    type === 'webhook'
      ? { name: 'ops-hook', type, url, secret: WEBHOOK_SECRET }
      : type === 'pagerduty'
        ? { name: 'ops-pager', type, routingKey: ROUTING_KEY, url }
        : { name: `ops-${type}`, type, url };
  return createAlertChannel(config, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
}

function onlyRequest(): ReceivedRequest {
  expect(receiver.requests).toHaveLength(1);
  return receiver.requests[0]!;
}

function expectJsonPost(request: ReceivedRequest): unknown {
  expect(request.method).toBe('POST');
  expect(request.path).toBe(`${SECRET_PATH}?thread_id=42`);
  expect(request.headers['content-type']).toBe('application/json');
  return JSON.parse(request.body);
}

const HTTP_TYPES = ['slack', 'discord', 'teams', 'webhook', 'pagerduty'] as const;
describe('what arrives', () => {
  it('Slack: an incoming-webhook body of text and Block Kit blocks', async () => {
    receiver.reset(SLACK_ACCEPTS);
    await expect(channelOf('slack').deliver(outage, { deliveryId: deliveryId(outage, 'ops-slack') })).resolves.toEqual({ receipt: 'HTTP 200' });

    const body = slackBody.parse(expectJsonPost(onlyRequest()));
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Payments API is DOWN' } });
    expect(receiver.requests[0]!.body).toContain('&lt;!channel&gt; @everyone');
    expect(receiver.requests[0]!.body).not.toContain('<!channel>');
  });

  it('Discord: an execute-webhook body with one embed and no mention allowed to ping', async () => {
    receiver.reset(DISCORD_ACCEPTS);
    await expect(channelOf('discord').deliver(outage, { deliveryId: deliveryId(outage, 'ops-discord') })).resolves.toEqual({ receipt: 'HTTP 204' });

    const body = discordBody.parse(expectJsonPost(onlyRequest()));
    expect(body.allowed_mentions.parse).toEqual([]);
    expect(body.embeds[0]?.title).toBe('Payments API is DOWN');
  });

  it('Teams: a Workflows body carrying an Adaptive Card', async () => {
    receiver.reset(TEAMS_ACCEPTS);
    await expect(channelOf('teams').deliver(recovery, { deliveryId: deliveryId(recovery, 'ops-teams') })).resolves.toEqual({ receipt: 'HTTP 202' });

    const body = teamsBody.parse(expectJsonPost(onlyRequest()));
    expect(body.attachments[0]?.content.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Status page', url: 'https://status.example.com/' }]);
  });

  it('PagerDuty: a trigger for the outage and a resolve with the same dedup_key for the recovery; the receipt names it', async () => {
    receiver.reset(pagerDutyAccepts);
    const channel = channelOf('pagerduty');
    await expect(channel.deliver(outage, { deliveryId: deliveryId(outage, 'ops-pager') })).resolves.toEqual({
      receipt: `HTTP 202: Event processed (dedup_key ${outage.outageKey})`,
    });
    await channel.deliver(recovery, { deliveryId: deliveryId(recovery, 'ops-pager') });

    expect(receiver.requests).toHaveLength(2);
    const [triggerRequest, resolveRequest] = receiver.requests as [ReceivedRequest, ReceivedRequest];
    const trigger = pagerDutyTrigger.parse(expectJsonPost(triggerRequest));
    const resolve = pagerDutyResolve.parse(expectJsonPost(resolveRequest));
    expect(trigger.dedup_key).toBe(outage.outageKey);
    expect(resolve.dedup_key).toBe(outage.outageKey);
    expect(trigger.payload.severity).toBe('critical');
  });

  it('webhook: the documented body, signed so that the standardwebhooks library verifies it', async () => {
    receiver.reset(WEBHOOK_ACCEPTS);
    await expect(channelOf('webhook').deliver(outage, { deliveryId: deliveryId(outage, 'ops-hook') })).resolves.toEqual({ receipt: 'HTTP 204' });

    const request = onlyRequest();
    expectJsonPost(request);
    expect(request.headers['webhook-id']).toBe(deliveryId(outage, 'ops-hook'));
    expect(request.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const verified = new Webhook(WEBHOOK_SECRET).verify(request.body, signatureHeaders(request));
    expect(verified).toEqual(renderWebhookBody(outage));
  });

  it('webhook: a body changed on the way, or signed with another secret, does not verify', async () => {
    receiver.reset(WEBHOOK_ACCEPTS);
    await channelOf('webhook').deliver(outage, { deliveryId: deliveryId(outage, 'ops-hook') });
    const request = onlyRequest();

    expect(() => new Webhook(WEBHOOK_SECRET).verify(request.body.replace('DOWN', 'UP'), signatureHeaders(request))).toThrow('No matching signature found');
    const otherSecret = `whsec_${Buffer.alloc(32, 0x33).toString('base64')}`;
    expect(() => new Webhook(otherSecret).verify(request.body, signatureHeaders(request))).toThrow('No matching signature found');
  });

  it('webhook: a retried delivery carries the same webhook-id, freshly signed', async () => {
    receiver.reset(WEBHOOK_ACCEPTS);
    receiver.answerNext({ status: 500, body: 'try again' });
    let clock = Date.now();
    const channel = createWebhookChannel({ name: 'ops-hook', url: `${receiver.baseUrl}/hook`, secret: WEBHOOK_SECRET }, { now: () => new Date(clock) });
    const id = deliveryId(outage, 'ops-hook');

    await expect(channel.deliver(outage, { deliveryId: id })).rejects.toBeInstanceOf(TransientDeliveryError);
    clock += 2000;
    await expect(channel.deliver(outage, { deliveryId: id })).resolves.toEqual({ receipt: 'HTTP 204' });

    expect(receiver.requests).toHaveLength(2);
    const [first, second] = receiver.requests as [ReceivedRequest, ReceivedRequest];
    expect(second.headers['webhook-id']).toBe(id);
    expect(first.headers['webhook-id']).toBe(id);
    expect(Number(second.headers['webhook-timestamp']) - Number(first.headers['webhook-timestamp'])).toBe(2);
    for (const request of [first, second]) expect(new Webhook(WEBHOOK_SECRET).verify(request.body, signatureHeaders(request))).toEqual(renderWebhookBody(outage));
  });
});

describe('an outage naming the dependents also affected, as each receiver gets it', () => {
  const parent: Alert = { ...outage, affected: [{ id: 'checkout', name: 'Checkout <!here>' }, { id: 'cart', name: 'Cart' }] };
  const ACCEPTS = { slack: SLACK_ACCEPTS, discord: DISCORD_ACCEPTS, teams: TEAMS_ACCEPTS, webhook: WEBHOOK_ACCEPTS, pagerduty: pagerDutyAccepts } as const;
  const BODIES = { slack: slackBody, discord: discordBody, teams: teamsBody, webhook: z.unknown(), pagerduty: pagerDutyTrigger } as const;

  it.each(HTTP_TYPES)('%s: still the body the service documents, naming them', async (type) => {
    receiver.reset(ACCEPTS[type]);
    await channelOf(type).deliver(parent, { deliveryId: deliveryId(parent, type) });

    const request = onlyRequest();
    BODIES[type].parse(expectJsonPost(request));
    expect(request.body).toContain(type === 'discord' ? 'Checkout \\\\<!here\\\\>, Cart' : type === 'slack' ? 'Checkout &lt;!here&gt;, Cart' : 'Checkout <!here>');
  });

  it('webhook: data.affected by id and name, signed so that the standardwebhooks library verifies it', async () => {
    receiver.reset(WEBHOOK_ACCEPTS);
    await channelOf('webhook').deliver(parent, { deliveryId: deliveryId(parent, 'ops-hook') });

    const request = onlyRequest();
    const verified = new Webhook(WEBHOOK_SECRET).verify(request.body, signatureHeaders(request)) as { data: { affected: unknown } };
    expect(verified.data.affected).toEqual([
      { id: 'checkout', name: 'Checkout <!here>' },
      { id: 'cart', name: 'Cart' },
    ]);
  });
});

function signatureHeaders(request: ReceivedRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}



describe.each(HTTP_TYPES)('%s: how an answer is classified', (type) => {
  it.each([
    ['500', { status: 500, body: 'internal error' }, TransientDeliveryError, 'HTTP 500: internal error'],
    ['503', { status: 503, body: 'unavailable' }, TransientDeliveryError, 'HTTP 503: unavailable'],
    ['408', { status: 408 }, TransientDeliveryError, 'HTTP 408'],
    ['429', { status: 429, headers: { 'retry-after': '7' }, body: 'rate_limited' }, TransientDeliveryError, 'HTTP 429: rate_limited'],
    ['400', { status: 400, body: 'invalid_payload' }, PermanentDeliveryError, 'HTTP 400: invalid_payload'],
    ['404', { status: 404, body: 'no_service' }, PermanentDeliveryError, 'HTTP 404: no_service'],
    ['410', { status: 410, body: 'channel_is_archived' }, PermanentDeliveryError, 'HTTP 410: channel_is_archived'],
    ['a redirect', { status: 302, headers: { location: '/elsewhere' } }, PermanentDeliveryError, 'HTTP 302'],
  ] as const)('%s', async (_label, answer, errorClass, quoted) => {
    receiver.reset(answer);
    const error = await thrownByDelivery(channelOf(type));

    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).message).toBe(`${type} channel '${channelOf(type).name}': ${quoted}`);
    expectNoUrlIn(error);
    expect(receiver.requests.map((request) => request.path)).toEqual([`${SECRET_PATH}?thread_id=42`]);
    if (answer.status === 429) expect((error as TransientDeliveryError).retryAfterMs).toBe(7000);
    if (answer.status !== 429 && error instanceof TransientDeliveryError) expect(error.retryAfterMs).toBeUndefined();
  });

  it('no answer within the timeout: transient', async () => {
    receiver.reset('hang');
    const started = performance.now();
    const error = await thrownByDelivery(channelOf(type, { timeoutMs: 300 }));
    const monotonicElapsedMs = performance.now() - started;

    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect((error as Error).message).toBe(`${type} channel '${channelOf(type).name}': no answer within 300 ms`);
    expect(monotonicElapsedMs).toBeGreaterThanOrEqual(290);
    expect(monotonicElapsedMs).toBeLessThan(5000);
    expect(receiver.requests).toHaveLength(1);
    expectNoUrlIn(error);
  });

  it('a refused connection: transient', async () => {
    const error = await thrownByDelivery(channelOf(type, { url: await refusingUrl(SECRET_PATH) }));

    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect((error as Error).message).toBe(`${type} channel '${channelOf(type).name}': network error (ECONNREFUSED)`);
    expectNoUrlIn(error);
  });
});

describe('every HTTP channel', () => {
  it('reads Retry-After as an HTTP date too', async () => {
    const now = new Date('2024-05-04T16:01:00.000Z');
    receiver.reset({ status: 429, headers: { 'retry-after': 'Sat, 04 May 2024 16:01:30 GMT' } });
    const channel = createWebhookChannel({ name: 'ops-hook', url: `${receiver.baseUrl}/hook`, secret: WEBHOOK_SECRET }, { now: () => now });

    const error = await thrownByDelivery(channel);
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect((error as TransientDeliveryError).retryAfterMs).toBe(30_000);
  });

  it('quotes at most 200 characters of a long answer, on one line', async () => {
    receiver.reset({ status: 400, body: `bad\r\nrequest ${'x'.repeat(10_000)}` });
    const error = await thrownByDelivery(channelOf('slack'));

    const quoted = (error as Error).message.replace(`slack channel 'ops-slack': HTTP 400: `, '');
    expect(quoted.startsWith('bad request xxx')).toBe(true);
    expect(quoted.length).toBe(200);
    expect(quoted).not.toMatch(/[\r\n]/);
  });

  it('stops when the caller aborts: transient, since it may have arrived', async () => {
    receiver.reset('hang');
    const controller = new AbortController();
    const delivery = thrownByDelivery(channelOf('discord'), controller.signal);
    await waitFor(() => receiver.requests.length === 1);
    controller.abort();

    const error = await delivery;
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect((error as Error).message).toBe(`discord channel 'ops-discord': cut short by the caller`);
  });

  it('refuses at build time a URL that is not http(s) or holds user info, without quoting it', () => {
    for (const url of ['ftp://example.com/services/T0SECRET', 'https://user:T0SECRET@example.com/x', 'not a url T0SECRET']) {
      let error: unknown;
      try {
        createAlertChannel({ name: 'ops-slack', type: 'slack', url }, {});
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ChannelConfigError);
      expect((error as Error).message).toMatch(/^slack channel 'ops-slack': the URL /);
      expect((error as Error).message).not.toContain('T0SECRET');
    }
  });

  it('refuses at build time a webhook secret that is not whsec_ and base64, without quoting it', () => {
    let error: unknown;
    try {
      createAlertChannel({ name: 'ops-hook', type: 'webhook', url: 'https://example.com/hook', secret: 'hunter2-T0SECRET' }, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ChannelConfigError);
    expect((error as Error).message).not.toContain('T0SECRET');
  });
});

/** Neither the message nor anything the error holds (its cause included) shows the URL's secret path. */
function expectNoUrlIn(error: unknown): void {
  const everything = `${(error as Error).message}\n${(error as Error).stack ?? ''}\n${inspect(error, { depth: 10 })}`;
  expect(everything).not.toContain('T0SECRET');
  expect(everything).not.toContain('xoxSecretTokenPart');
}

async function thrownByDelivery(channel: AlertChannel, signal?: AbortSignal): Promise<unknown> {
  try {
    await channel.deliver(outage, { deliveryId: deliveryId(outage, channel.name), ...(signal ? { signal } : {}) });
  } catch (error) {
    return error;
  }
  throw new Error(`${channel.name} delivered where a failure was expected`);
}

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const STANDARD_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:oncall';
const FIFO_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:oncall.fifo';

describe('SNS, its client mocked', () => {
  let sns: AwsClientStub<SNSClient>;
  const channelTo = (topicArn: string) => createAlertChannel({ name: 'ops-sns', type: 'sns', topicArn }, { sns: new SNSClient({ region: 'eu-west-1' }) });

  beforeAll(() => {
    sns = mockClient(SNSClient);
  });
  beforeEach(() => sns.reset());
  afterAll(() => sns.restore());

  it('publishes the subject and message to the topic; the receipt names the message', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    await expect(channelTo(STANDARD_TOPIC).deliver(outage, { deliveryId: deliveryId(outage, 'ops-sns') })).resolves.toEqual({ receipt: 'SNS message msg-1' });

    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const notice = renderSnsNotice(outage);
    expect(calls[0]!.args[0].input).toStrictEqual({ TopicArn: STANDARD_TOPIC, Subject: notice.subject, Message: notice.message });
  });

  it('to a FIFO topic: the monitor as message group, and one deduplication id per delivery, the same on a retry', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'msg-2' });
    const channel = channelTo(FIFO_TOPIC);
    await channel.deliver(outage, { deliveryId: deliveryId(outage, 'ops-sns') });
    await channel.deliver(outage, { deliveryId: deliveryId(outage, 'ops-sns') });
    await channel.deliver(recovery, { deliveryId: deliveryId(recovery, 'ops-sns') });

    const inputs = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => input.MessageGroupId)).toEqual(['payments-api', 'payments-api', 'payments-api']);
    const [first, retry, other] = inputs.map((input) => input.MessageDeduplicationId);
    expect(retry).toBe(first);
    expect(other).not.toBe(first);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
  });

  const metadata = { $metadata: { httpStatusCode: 400 } };
  it.each([
    ['ThrottledException', new ThrottledException({ message: 'Rate exceeded', ...metadata }), TransientDeliveryError],
    ['KMSThrottlingException', new KMSThrottlingException({ message: 'KMS rate exceeded', ...metadata }), TransientDeliveryError],
    ['InternalErrorException', new InternalErrorException({ message: 'Internal', $metadata: { httpStatusCode: 500 } }), TransientDeliveryError],
    ['a server fault of another name', new SNSServiceException({ name: 'ServiceUnavailable', $fault: 'server', message: 'unavailable', $metadata: { httpStatusCode: 503 } }), TransientDeliveryError],
    ['an error the SDK calls retryable', Object.assign(new SNSServiceException({ name: 'Odd', $fault: 'client', message: 'odd', ...metadata }), { $retryable: { throttling: true } }), TransientDeliveryError],
    ['a socket error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), TransientDeliveryError],
    ['AuthorizationErrorException', new AuthorizationErrorException({ message: 'not authorized to publish', $metadata: { httpStatusCode: 403 } }), PermanentDeliveryError],
    ['NotFoundException', new NotFoundException({ message: 'Topic does not exist', $metadata: { httpStatusCode: 404 } }), PermanentDeliveryError],
    ['InvalidParameterException', new InvalidParameterException({ message: 'Invalid parameter: Subject', ...metadata }), PermanentDeliveryError],
    ['a client fault of another name', new SNSServiceException({ name: 'Unheard', $fault: 'client', message: 'no', ...metadata }), PermanentDeliveryError],
  ])('%s is %p', async (_label, sdkError, errorClass) => {
    sns.on(PublishCommand).rejects(sdkError);
    const error = await thrownByDelivery(channelTo(STANDARD_TOPIC));

    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).message).toBe(`sns channel 'ops-sns': ${sdkError.name}: ${sdkError.message}`);
    expect((error as Error).cause).toBe(sdkError);
  });
});

describe('SNS, a real client and a receiver', () => {
  /** A Query-protocol error as SNS answers it. */
  const snsError = (status: number, code: string, type: 'Sender' | 'Receiver') => ({
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${code} says no</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
  });
  const realChannel = (timeoutMs?: number) =>
    new SnsAlertChannel(
      { name: 'ops-sns', topicArn: STANDARD_TOPIC },
      {
        client: new SNSClient({ region: 'eu-west-1', endpoint: receiver.baseUrl, maxAttempts: 1, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      },
    );

  it('publishes over the Query protocol and reads the MessageId', async () => {
    receiver.reset({
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-42</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>',
    });
    await expect(realChannel().deliver(outage, { deliveryId: deliveryId(outage, 'ops-sns') })).resolves.toEqual({ receipt: 'SNS message m-42' });

    const form = new URLSearchParams(onlyRequest().body);
    expect(form.get('Action')).toBe('Publish');
    expect(form.get('TopicArn')).toBe(STANDARD_TOPIC);
    expect(form.get('Subject')).toBe(renderSnsNotice(outage).subject);
  });

  it.each([
    [snsError(403, 'AuthorizationError', 'Sender'), PermanentDeliveryError],
    [snsError(404, 'NotFound', 'Sender'), PermanentDeliveryError],
    [snsError(400, 'Throttling', 'Sender'), TransientDeliveryError],
    [snsError(500, 'InternalError', 'Receiver'), TransientDeliveryError],
  ])('classifies SNS answering %j', async (answer, errorClass) => {
    receiver.reset(answer);
    await expect(thrownByDelivery(realChannel())).resolves.toBeInstanceOf(errorClass);
  });

  it('gives up after its timeout when SNS does not answer: transient', async () => {
    receiver.reset('hang');
    const error = await thrownByDelivery(realChannel(300));

    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect((error as Error).message).toBe(`sns channel 'ops-sns': no answer within 300 ms`);
  });
});

describe('createAlertChannels', () => {
  it('builds every channel by name, the email channel handed in', () => {
    const email: AlertChannel = { name: 'email', type: 'email', deliver: async () => ({ receipt: 'ses' }) };
    const channels = createAlertChannels(
      [
        { name: 'email', type: 'email' },
        { name: 'ops-slack', type: 'slack', url: 'https://hooks.example.com/a' },
        { name: 'ops-hook', type: 'webhook', url: 'https://hooks.example.com/b', secret: WEBHOOK_SECRET },
        { name: 'ops-pager', type: 'pagerduty', routingKey: ROUTING_KEY, url: 'https://events.example.com/v2/enqueue' },
        { name: 'ops-sns', type: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' },
      ],
      { email, sns: new SNSClient({ region: 'eu-west-1' }) },
    );
    expect([...channels.keys()]).toEqual(['email', 'ops-slack', 'ops-hook', 'ops-pager', 'ops-sns']);
    expect(channels.get('email')).toBe(email);
    expect(channels.get('ops-slack')).toBeInstanceOf(HttpAlertChannel);
    expect(channels.get('ops-sns')).toBeInstanceOf(SnsAlertChannel);
    expect([...channels.values()].map((channel) => channel.type)).toEqual(['email', 'slack', 'webhook', 'pagerduty', 'sns']);
  });

  it.each([
    ['an email channel without deps.email', [{ name: 'email', type: 'email' }], /pass the email channel as deps.email/],
    ['an sns channel without deps.sns', [{ name: 'ops-sns', type: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' }], /pass an SNS client/],
    [
      'a name used twice',
      [
        { name: 'ops', type: 'slack', url: 'https://hooks.example.com/a' },
        { name: 'ops', type: 'discord', url: 'https://hooks.example.com/b' },
      ],
      /configured twice/,
    ],
  ] as Array<[string, ResolvedChannelConfig[], RegExp]>)('refuses %s', (_label, configs, message) => {
    expect(() => createAlertChannels(configs, {})).toThrow(message);
    expect(() => createAlertChannels(configs, {})).toThrow(ChannelConfigError);
  });
});
