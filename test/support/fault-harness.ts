import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, ScheduledEvent } from 'aws-lambda';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createNotifyDeps } from '../../lib/adapters/aws-notifier-deps';
import { createSesClient, SES_MAX_ATTEMPTS } from '../../lib/adapters/ses-mailer';
import { notifyBatch } from '../../lib/app/notify-batch';
import { probeRun, type ProbeDeps } from '../../lib/app/probe-run';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import type { NotifyTiming } from '../../lib/app/notify';
import type { ProbeCycleReport, ProbeTiming } from '../../lib/app/probe-cycle';
import { confirmChecks } from '../../lib/app/confirm';
import type { ConfirmAnswer, ConfirmRequest, Confirmer } from '../../lib/domain/ports';
import type { AlertChannel, ChannelType } from '../../lib/domain/alert';
import type { MonitorsConfig } from '../../lib/domain/types';
import { createLambdaContext } from '../fixtures/lambda-context';
import { headerValue, type ReceivedRequest } from './alert-receivers';
import {
  FaultCounters,
  injectDynamoDbFaults,
  injectSesFaults,
  KillSwitch,
  quickRetryStrategy,
  Rng,
} from './faults';
import { answerDegraded, answerInvalidJson, answerOk, answerUnavailable, listenOnLoopback } from './http-answers';
import { matchesFilterPatterns, streamFilterPatterns, toLambdaRecord, toStreamEvent } from './stream-records';
import { StreamTail } from './stream-tail';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const silentLogger = new Logger({ serviceName: 'uptime-monitor-faults', logLevel: 'SILENT' });


// ---------------------------------------------------------------------------------------------
// The world: targets on 127.0.0.1 whose health at each tick the timeline script decides.
// ---------------------------------------------------------------------------------------------

export type Health = 'up' | 'down';
/** How a target is down: each a different way a network and a server can fail. */
export type DownKind = 'status-503' | 'slow-503' | 'hang' | 'wrong-json' | 'invalid-json' | 'reset';

export interface ScriptedTarget {
  id: string;
  downKind: DownKind;
  /** Health at each tick index. */
  health: Health[];
}

/**
 * One HTTP server for every scripted target: `/m/<id>?tick=<n>` answers as target `id` does at
 * tick n, so an overlapping or retried run sees the world of the tick it belongs to.
 */
export class TargetWorld {
  readonly targets = new Map<string, ScriptedTarget>();
  requests = 0;
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => this.answer(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.baseUrl = `http://127.0.0.1:${await listenOnLoopback(this.server)}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    this.requests += 1;
    request.resume();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const target = this.targets.get(url.pathname.replace(/^\/m\//, ''));
    const tick = Number(url.searchParams.get('tick'));
    const health = target?.health[tick];
    if (!target || health === undefined) {
      response.writeHead(404).end();
      return;
    }
    if (health === 'up') return answerOk(response);
    switch (target.downKind) {
      case 'status-503':
        return answerUnavailable(response);
      case 'slow-503':
        setTimeout(() => answerUnavailable(response), 300);
        return;
      case 'hang':
        return; // never answers; the monitor's timeout ends the probe
      case 'wrong-json':
        return answerDegraded(response);
      case 'invalid-json':
        return answerInvalidJson(response);
      case 'reset':
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        response.write('{"status":');
        setTimeout(() => request.socket.destroy(), 5);
        return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The oracle: what the timeline script must produce, computed independently of lib/domain.
// ---------------------------------------------------------------------------------------------

export interface ExpectedTransition {
  monitorId: string;
  from: 'UNKNOWN' | 'UP' | 'DOWN';
  to: 'UP' | 'DOWN';
  startTick: number;
  confirmTick: number;
}

/** The transitions a threshold state machine must make for a health script. */
export function expectTransitions(
  monitorId: string,
  health: readonly Health[],
  thresholds: { failureThreshold: number; successThreshold: number },
): ExpectedTransition[] {
  const transitions: ExpectedTransition[] = [];
  let status: ExpectedTransition['from'] = 'UNKNOWN';
  let streak = 0;
  let streakStart = 0;
  health.forEach((value, tick) => {
    if (tick > 0 && health[tick - 1] === value) streak += 1;
    else {
      streak = 1;
      streakStart = tick;
    }
    const target = value === 'up' ? 'UP' : 'DOWN';
    const needed = value === 'up' ? thresholds.successThreshold : thresholds.failureThreshold;
    if (status !== target && streak >= needed) {
      transitions.push({ monitorId, from: status, to: target, startTick: streakStart, confirmTick: tick });
      status = target;
    }
  });
  return transitions;
}

/**
 * A health script: phases longer than the monitor's thresholds alternating up and down, with
 * single-tick blips and up/down/up/down flapping inside them, which must never raise an alarm.
 */
export function scriptHealth(rng: Rng, ticks: number, threshold: number): Health[] {
  const health: Health[] = [];
  let value: Health = rng.chance(0.8) ? 'up' : 'down';
  while (health.length < ticks) {
    const length = rng.int(threshold + 1, threshold + 3);
    const phase: Health[] = Array.from({ length }, () => value);
    const other: Health = value === 'up' ? 'down' : 'up';
    // A blip or a flap somewhere inside, never touching the phase's edges.
    if (length >= threshold + 3 && rng.chance(0.7)) {
      const at = rng.int(1, length - 3);
      phase[at] = other;
      if (rng.chance(0.4) && at + 2 < length - 1) phase[at + 2] = other;
    }
    health.push(...phase);
    value = other;
  }
  return health.slice(0, ticks);
}

// ---------------------------------------------------------------------------------------------
// Parsing the emails the SES emulator stored.
// ---------------------------------------------------------------------------------------------

/** An email as aws-ses-v2-local keeps it (`GET /store`). */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

export interface EmailIdentity {
  monitorId: string;
  to: 'UP' | 'DOWN';
  startedAt: string;
  confirmedAt: string;
}

/** The transition an email is about, read from its text body. */
export function identifyEmail(email: StoredEmail): EmailIdentity {
  const text = email.body.text ?? '';
  const monitorId = /^Monitor: +.*\(([a-z0-9-]+)\)$/m.exec(text)?.[1];
  const to = /^State: +(UP|DOWN) /m.exec(text)?.[1];
  const startedAt = /^Started: +(\S+)/m.exec(text)?.[1];
  const confirmedAt = /^Confirmed: +(\S+)/m.exec(text)?.[1];
  if (!monitorId || (to !== 'UP' && to !== 'DOWN') || !startedAt || !confirmedAt) {
    throw new Error(`cannot tell which transition this email is about: ${email.subject}\n${text}`);
  }
  return { monitorId, to, startedAt, confirmedAt };
}

export async function fetchEmails(sesEndpoint: string): Promise<StoredEmail[]> {
  const response = await fetch(`${sesEndpoint}/store`);
  if (response.status !== 200) throw new Error(`SES emulator /store answered ${response.status}`);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}

// ---------------------------------------------------------------------------------------------
// Reading what the channels' receivers took, each as that receiver tells one delivery from another.
// ---------------------------------------------------------------------------------------------

export type HttpChannelType = Exclude<ChannelType, 'email' | 'sns'>;

/** One delivery a receiver took, as the receiver sees it. */
export interface ReceivedDelivery {
  monitorId: string;
  /**
   * What the receiver deduplicates on: the webhook's `webhook-id`; PagerDuty's dedup_key with its
   * event_action (a trigger and a resolve of one outage share the dedup_key); for Slack, Discord
   * and Teams, which have no id, what the message says (monitor, state, started, confirmed): two
   * messages that say the same are the same alert to whoever reads them.
   */
  key: string;
  /** The transition the body says it is about (monitor|to|startedAt|confirmedAt), when it says so (not a PagerDuty resolve). */
  about?: string;
}

/** An alert a channel should deliver: the transition, with what each receiver's key is made of. */
export interface ExpectedAlert {
  monitorId: string;
  to: 'UP' | 'DOWN';
  startedAt: string;
  confirmedAt: string;
  /** The tick of the run that made the transition (part of the alert's key). */
  tick: string;
  /** The outage an alert belongs to: its DOWN transition's startedAt (PagerDuty's dedup_key). */
  outageStartedAt: string;
}

/** `monitor|to|startedAt|confirmedAt`: one transition, whoever describes it. */
export function transitionIdentity(monitorId: string, to: string, startedAt: string, confirmedAt: string): string {
  return `${monitorId}|${to}|${startedAt}|${confirmedAt}`;
}

/** The receiver's key of an alert to a channel (see ReceivedDelivery.key). */
export function expectedDeliveryKey(type: HttpChannelType, channelName: string, alert: ExpectedAlert): string {
  switch (type) {
    case 'webhook':
      return `${alert.monitorId}#${alert.startedAt}#${alert.tick}#${channelName}`;
    case 'pagerduty':
      return `${alert.monitorId}#${alert.outageStartedAt}|${alert.to === 'DOWN' ? 'trigger' : 'resolve'}`;
    case 'slack':
    case 'discord':
    case 'teams':
      return transitionIdentity(alert.monitorId, alert.to, alert.startedAt, alert.confirmedAt);
  }
}

/** Reads one request a receiver took. Throws when the body does not say which alert it is. */
export function readDelivery(type: HttpChannelType, request: ReceivedRequest): ReceivedDelivery {
  const body = JSON.parse(request.body) as unknown;
  const fail = (): never => {
    throw new Error(`cannot tell which alert this ${type} request is about: ${request.body.slice(0, 500)}`);
  };
  switch (type) {
    case 'webhook': {
      const { data } = body as { data?: { monitor?: { id?: string }; state?: string; startedAt?: string; confirmedAt?: string } };
      const id = headerValue(request, 'webhook-id');
      if (!id || !data?.monitor?.id || !data.state || !data.startedAt || !data.confirmedAt) return fail();
      return { monitorId: data.monitor.id, key: id, about: transitionIdentity(data.monitor.id, data.state, data.startedAt, data.confirmedAt) };
    }
    case 'pagerduty': {
      const event = body as { dedup_key?: string; event_action?: string; payload?: { custom_details?: { started_at?: string; confirmed_at?: string } } };
      const monitorId = event.dedup_key?.split('#')[0];
      if (!monitorId || !event.event_action) return fail();
      const details = event.payload?.custom_details;
      return {
        monitorId,
        key: `${event.dedup_key}|${event.event_action}`,
        ...(event.event_action === 'trigger' && details?.started_at && details.confirmed_at
          ? { about: transitionIdentity(monitorId, 'DOWN', details.started_at, details.confirmed_at) }
          : {}),
      };
    }
    case 'slack': {
      const { blocks } = body as { blocks?: Array<{ fields?: Array<{ text?: string }> }> };
      const fields = new Map(
        (blocks ?? []).flatMap((block) => block.fields ?? []).map((field) => {
          const [label = '', ...value] = (field.text ?? '').split('\n');
          return [label.replace(/^\*|\*$/g, ''), value.join('\n')] as const;
        }),
      );
      return chatDelivery(fields.get('Monitor'), fields.get('State'), fields.get('Started'), fields.get('Confirmed')) ?? fail();
    }
    case 'discord': {
      const { embeds } = body as { embeds?: Array<{ fields?: Array<{ name: string; value: string }> }> };
      // Discord's Markdown escapes (`\(`) undone: what the reader sees.
      const fields = new Map((embeds?.[0]?.fields ?? []).map((field) => [field.name, field.value.replace(/\\(.)/g, '$1')] as const));
      return chatDelivery(fields.get('Monitor'), fields.get('State'), fields.get('Started'), fields.get('Confirmed')) ?? fail();
    }
    case 'teams': {
      const { attachments } = body as { attachments?: Array<{ content?: { body?: Array<{ type: string; facts?: Array<{ title: string; value: string }> }> } }> };
      const facts = new Map(
        (attachments?.[0]?.content?.body ?? []).flatMap((element) => (element.type === 'FactSet' ? (element.facts ?? []) : [])).map((fact) => [fact.title, fact.value] as const),
      );
      const id = facts.get('Monitor id');
      return chatDelivery(id === undefined ? undefined : `(${id})`, facts.get('State'), facts.get('Started'), facts.get('Confirmed')) ?? fail();
    }
  }
}

/** A chat message's delivery from its Monitor (`Name (id)`), State (`DOWN (was UP)`), Started and Confirmed (`2026-06-01 00:03:01 UTC`). */
function chatDelivery(monitor?: string, state?: string, started?: string, confirmed?: string): ReceivedDelivery | undefined {
  const monitorId = /\(([a-z0-9-]+)\)$/.exec(monitor ?? '')?.[1];
  const to = /^(UP|DOWN) /.exec(state ?? '')?.[1];
  const startedAt = chatInstant(started);
  const confirmedAt = chatInstant(confirmed);
  if (!monitorId || !to || !startedAt || !confirmedAt) return undefined;
  const identity = transitionIdentity(monitorId, to, startedAt, confirmedAt);
  return { monitorId, key: identity, about: identity };
}

/** `2026-06-01 00:03:01 UTC` as ISO-8601 with milliseconds, as transitions store their times. */
function chatInstant(text?: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/.exec(text ?? '');
  return match ? `${match[1]}T${match[2]}.000Z` : undefined;
}

/** How the deliveries to one channel compare with the alerts it should have had. */
export interface DeliveryTally {
  /** Alerts the channel should have delivered. */
  alerts: number;
  /** Deliveries the receiver took, duplicates included. */
  delivered: number;
  /** Deliveries taken again: per key, every one after the first. */
  duplicates: number;
  /** Alerts the receiver never took. */
  lost: string[];
  /** Deliveries of alerts nobody should have had. */
  spurious: string[];
  /** Deliveries whose body is about another transition than their key names. */
  mismatched: string[];
  /** Monitors whose alerts arrived (first copies) in another order than they happened. */
  outOfOrder: string[];
}

/**
 * Counts one channel's deliveries against its alerts. `expected` lists each monitor's alerts in the
 * order they happened, with the key the receiver should see and the transition it is about;
 * `received` is what the receiver took, in the order it took them.
 */
export function tallyDeliveries(
  expected: ReadonlyArray<{ monitorId: string; key: string; about: string }>,
  received: readonly ReceivedDelivery[],
): DeliveryTally {
  const wanted = new Map(expected.map((alert) => [alert.key, alert]));
  const counts = new Map<string, number>();
  const arrival = new Map<string, string[]>();
  const mismatched: string[] = [];
  for (const delivery of received) {
    const count = (counts.get(delivery.key) ?? 0) + 1;
    counts.set(delivery.key, count);
    if (count === 1) arrival.set(delivery.monitorId, [...(arrival.get(delivery.monitorId) ?? []), delivery.key]);
    const about = wanted.get(delivery.key)?.about;
    if (delivery.about !== undefined && about !== undefined && delivery.about !== about) mismatched.push(`${delivery.key}: ${delivery.about}`);
  }
  const monitors = new Set([...expected.map((alert) => alert.monitorId), ...arrival.keys()]);
  const outOfOrder = [...monitors].filter((monitorId) => {
    const inOrder = expected.filter((alert) => alert.monitorId === monitorId && counts.has(alert.key)).map((alert) => alert.key);
    const arrived = (arrival.get(monitorId) ?? []).filter((key) => wanted.has(key));
    return JSON.stringify(arrived) !== JSON.stringify(inOrder);
  });
  return {
    alerts: expected.length,
    delivered: received.length,
    duplicates: [...counts.values()].reduce((sum, count) => sum + count - 1, 0),
    lost: expected.filter((alert) => !counts.has(alert.key)).map((alert) => alert.key),
    spurious: [...counts.keys()].filter((key) => !wanted.has(key)),
    mismatched,
    outOfOrder,
  };
}

// ---------------------------------------------------------------------------------------------
// EventBridge: the schedule, each event delivered twice, runs overlapping, failed runs retried.
// ---------------------------------------------------------------------------------------------

export interface ScheduleOptions {
  rng: Rng;
  counters: FaultCounters;
  endpoint: string;
  tableName: string;
  /** The config of the run of tick n (its target URLs name the tick). */
  configAt: (tick: number) => MonitorsConfig;
  tickTime: (tick: number) => number;
  timing: ProbeTiming;
  /** Chance that an invocation's first attempt meets a throttling storm and fails. */
  stormChance: number;
  /** With monitors.yml confirm: the confirmer regions every invocation asks. */
  confirmer?: Confirmer;
}

export interface TickOutcome {
  reports: ProbeCycleReport[];
  failedAttempts: number;
}

/**
 * Confirmer regions in process, as unreliable as AWS can make them: each ask may fail
 * (`confirmer.error`), be throttled (`confirmer.throttle`) or hang until the round's deadline
 * (`confirmer.hang`); otherwise the region runs the real confirmChecks against the same targets
 * (`confirmer.answer`). An abstaining region never suppresses an outage, so the timeline's
 * transitions are the same with confirmers in the loop as without.
 */
export class FaultyConfirmer implements Confirmer {
  private readonly prober = new HttpProber();

  constructor(private readonly options: { rng: Rng; counters: FaultCounters }) {}

  async confirm(region: string, request: ConfirmRequest, signal: AbortSignal): Promise<ConfirmAnswer> {
    const { rng, counters } = this.options;
    const roll = rng.next();
    if (roll < 0.06) {
      counters.add('confirmer.error');
      throw Object.assign(new Error(`the confirmer in ${region} failed (Unhandled)`), { name: 'ConfirmerFunctionError' });
    }
    if (roll < 0.1) {
      counters.add('confirmer.throttle');
      throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    }
    if (roll < 0.12) {
      counters.add('confirmer.hang');
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    }
    counters.add('confirmer.answer');
    return confirmChecks(request, { prober: this.prober, region, now: () => new Date(), concurrency: 8, logger: silentLogger, replyMarginMs: 200 });
  }
}

/** Plays the probe schedule of one scenario with every EventBridge and DynamoDB fault enabled. */
export class SchedulePlayer {
  private readonly markers = new Map<string, () => void>();
  readonly outcomes = new Map<number, TickOutcome>();

  constructor(private readonly options: ScheduleOptions) {}

  private scheduledEvent(tick: number): ScheduledEvent {
    return {
      version: '0',
      id: `tick-${tick}-${this.options.rng.int(0, 1e9)}`,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: new Date(this.options.tickTime(tick)).toISOString().replace('.000', ''),
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/uptime-monitor-faults-probe'],
      detail: {},
    };
  }

  /** One invocation of the probe function, with a fresh (fault-injected) client as after a cold start. */
  private async invoke(tick: number, storm: boolean): Promise<ProbeCycleReport> {
    const { rng, counters, endpoint, tableName, timing } = this.options;
    const client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      retryStrategy: quickRetryStrategy(3),
    });
    const tickIso = new Date(this.options.tickTime(tick)).toISOString();
    // Lets the player start the next tick once this one has really begun (as a minute later would).
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const input = JSON.stringify(args.input);
        if (context.commandName === 'PutItemCommand' && input.includes('"TICK"') && input.includes(tickIso)) this.markers.get(tickIso)?.();
        return result;
      },
      { step: 'initialize', priority: 'high', name: 'observeRunStart' },
    );
    injectDynamoDbFaults(client, {
      rng,
      counters,
      throttle: 0.08,
      maxThrottlesPerCall: 2,
      storm,
      replayConditionalWrite: 0.15,
    });
    const deps: ProbeDeps = {
      config: this.options.configAt(tick),
      stores: createDynamoDbStores({ client, tableName }),
      prober: new HttpProber(),
      metrics: new DisabledMetricsSink(),
      logger: silentLogger,
      now: () => new Date(this.options.tickTime(tick) + 1000),
      concurrency: 8,
      periodMs: 60_000,
      timing,
      ...(this.options.confirmer ? { confirmer: this.options.confirmer, homeRegion: 'us-east-1' } : {}),
    };
    try {
      return await probeRun(this.scheduledEvent(tick), deps, createLambdaContext({ timeoutMs: 30_000 }));
    } finally {
      client.destroy();
    }
  }

  /** A delivery of the tick's event: the first attempt and Lambda's two retries of a failed run. */
  private async deliver(tick: number, outcome: TickOutcome): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const storm = attempt === 0 && this.options.rng.chance(this.options.stormChance);
      try {
        outcome.reports.push(await this.invoke(tick, storm));
        return;
      } catch {
        outcome.failedAttempts += 1;
        this.options.counters.add('lambda.asyncRetry');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  /** Both deliveries of a tick's event: together, or the second after the first finished. */
  private async runTick(tick: number): Promise<void> {
    const outcome: TickOutcome = { reports: [], failedAttempts: 0 };
    this.outcomes.set(tick, outcome);
    this.options.counters.add('schedule.duplicateDelivery');
    if (this.options.rng.chance(0.5)) {
      await Promise.all([this.deliver(tick, outcome), this.deliver(tick, outcome)]);
    } else {
      await this.deliver(tick, outcome);
      await this.deliver(tick, outcome);
    }
  }

  /**
   * Every tick of the script. Tick n+1 starts once tick n has begun (its run-start marker is
   * written), and often before it has finished: overlapping runs. At most three ticks are in flight.
   */
  async play(ticks: number): Promise<void> {
    const running: Promise<void>[] = [];
    for (let tick = 0; tick < ticks; tick += 1) {
      const tickIso = new Date(this.options.tickTime(tick)).toISOString();
      const started = new Promise<void>((resolve) => this.markers.set(tickIso, resolve));
      const done = this.runTick(tick);
      running.push(done);
      await Promise.race([started, done]);
      // Keep at most three ticks in flight; now and then let this one finish first.
      await running[tick - 2];
      if (this.options.rng.chance(0.25)) await done;
      else this.options.counters.add('schedule.overlap');
    }
    await Promise.all(running);
  }
}

// ---------------------------------------------------------------------------------------------
// The DynamoDB stream event source mapping: at-least-once, partial failures, bisect, timeouts.
// ---------------------------------------------------------------------------------------------

export interface MappingOptions {
  rng: Rng;
  counters: FaultCounters;
  streams: DynamoDBStreamsClient;
  streamArn: string;
  endpoint: string;
  sesEndpoint: string;
  tableName: string;
  config: MonitorsConfig;
  timing: NotifyTiming;
  /** Normal invocations' timeout. */
  timeoutMs: number;
  /**
   * Every so many invocations one runs out of time: a deadline too short for its batch, and every
   * other time a stalled query after two records were sent, so Lambda's timeout stops it mid-batch.
   */
  timeoutEvery: number;
  /** Every so many invocations one meets SES throttling that outlasts the SDK's retries. */
  sesStormEvery: number;
  /** The channels beside email, built afresh for each invocation (as functions/notify does). */
  channels?: () => ReadonlyMap<string, AlertChannel>;
}

/** As serverless.yml configures the notify function's stream. */
const BATCH_SIZE = 10;
const MAXIMUM_RETRY_ATTEMPTS = 5;

type InvocationResult = { kind: 'returned'; response: DynamoDBBatchResponse } | { kind: 'failed' } | { kind: 'killed' };

export class EventSourceMappingPlayer {
  private readonly tail: StreamTail;
  private readonly pending: DynamoDBRecord[] = [];
  private readonly patterns = streamFilterPatterns('notify');
  private readonly ghosts: Promise<unknown>[] = [];
  readonly deadLettered: DynamoDBRecord[] = [];
  private stopping = false;
  private quietMs = Number.POSITIVE_INFINITY;
  private loop: Promise<void> | undefined;
  /** Clients of killed invocations: frozen, closed only at the end. */
  private readonly frozen: Array<{ destroy(): void }> = [];

  constructor(private readonly options: MappingOptions) {
    this.tail = new StreamTail(options.streams, options.streamArn);
  }

  start(): void {
    this.loop = this.run();
  }

  /** Stops once the stream has been quiet (nothing new, nothing pending) for `quietMs`. */
  async drain(quietMs: number): Promise<void> {
    this.stopping = true;
    this.quietMs = quietMs;
    await this.loop;
    await Promise.allSettled(this.ghosts);
    for (const client of this.frozen) client.destroy();
  }

  private async run(): Promise<void> {
    let batchLimit = BATCH_SIZE;
    let retries = 0;
    let quietSince = performance.now();
    for (;;) {
      const fresh = (await this.tail.read())
        .map((record) => toLambdaRecord(record, this.options.streamArn))
        .filter((record) => matchesFilterPatterns(this.patterns, record));
      this.pending.push(...fresh);
      if (this.pending.length === 0) {
        if (this.stopping && performance.now() - quietSince > this.quietMs) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      quietSince = performance.now();
      const batch = this.pending.slice(0, batchLimit);

      // Every batch is delivered twice: a second, concurrent delivery (ignored by the mapping,
      // as a duplicate would be), or the same batch again after the first one returned.
      this.options.counters.add('stream.duplicateDelivery');
      const concurrentTwin = this.options.rng.chance(0.5);
      if (concurrentTwin) this.ghosts.push(this.invoke(batch, 'twin'));
      const result = await this.invoke(batch, 'primary');
      if (!concurrentTwin) this.ghosts.push(this.invoke(batch, 'twin'));

      if (result.kind === 'returned' && result.response.batchItemFailures.length === 0) {
        this.pending.splice(0, batch.length);
        batchLimit = BATCH_SIZE;
        retries = 0;
        continue;
      }
      retries += 1;
      if (result.kind === 'returned') {
        // ReportBatchItemFailures: the batch is retried from its first failed record on.
        const failed = new Set(result.response.batchItemFailures.map((failure) => failure.itemIdentifier));
        const first = batch.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
        this.pending.splice(0, Math.max(0, first));
        this.options.counters.add('stream.partialFailureRetry');
      } else if (batch.length > 1) {
        // bisectBatchOnFunctionError: a failed (or timed-out) invocation's batch is split in two.
        batchLimit = Math.ceil(batch.length / 2);
        this.options.counters.add('stream.bisect');
      }
      if (retries > MAXIMUM_RETRY_ATTEMPTS) {
        // Retries exhausted: the batch goes to the dead-letter queue. An email lost.
        const dropped = this.pending.splice(0, Math.min(batchLimit, this.pending.length));
        this.deadLettered.push(...dropped);
        retries = 0;
        batchLimit = BATCH_SIZE;
      }
      await new Promise((resolve) => setTimeout(resolve, 15 * retries));
    }
  }

  /** One invocation of the notify function, on a fresh runtime, with every fault enabled. */
  private primaries = 0;

  /** The delivery whose result the mapping acts on ('primary'), or its duplicate ('twin'). */
  private async invoke(records: DynamoDBRecord[], role: 'primary' | 'twin'): Promise<InvocationResult> {
    const { rng, counters, endpoint, sesEndpoint, tableName, config, timing } = this.options;
    if (role === 'primary') this.primaries += 1;
    const timeoutFault = role === 'primary' && this.primaries % this.options.timeoutEvery === Math.floor(this.options.timeoutEvery / 2);
    const stall = timeoutFault && (this.primaries / this.options.timeoutEvery) % 2 < 1;
    const stallAfterSend = stall && (this.primaries / this.options.timeoutEvery) % 4 < 2;
    const allowance = timing.sendBudgetMs + timing.recordBudgetMs + timing.safetyMs;
    const timeoutMs = timeoutFault ? rng.int(allowance + 50, allowance + 800) : this.options.timeoutMs;
    const killSwitch = new KillSwitch();
    let accepted = 0;

    const dynamoDb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, retryStrategy: quickRetryStrategy(3) });
    killSwitch.install(dynamoDb);
    injectDynamoDbFaults(dynamoDb, {
      rng,
      counters,
      throttle: 0.08,
      maxThrottlesPerCall: 3, // the third throttle outlasts the SDK's three attempts
      replayConditionalWrite: 0.15,
      // Every other stall waits for an email to have gone out in this invocation, so Lambda's
      // timeout surely kills a runtime that sent something (the others stall the third Query,
      // wherever the batch is then).
      ...(stall
        ? { stallQuery: { nth: stallAfterSend ? 1 : 3, ms: timeoutMs + 300, ...(stallAfterSend ? { after: () => accepted > 0 } : {}) } }
        : {}),
    });
    const ses = createSesClient({
      endpoint: sesEndpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      retryStrategy: quickRetryStrategy(SES_MAX_ATTEMPTS),
    });
    killSwitch.install(ses);
    injectSesFaults(ses, {
      rng,
      counters,
      throttleFirstAttempt: 0.3,
      unavailableFirstAttempt: 0.15,
      storm: role === 'primary' && this.primaries % this.options.sesStormEvery === 1,
      maxLatencyMs: 20,
      onAccepted: () => (accepted += 1),
    });

    const channels = this.options.channels ? { channels: killSwitch.channels(this.options.channels()) } : {};
    const deps = createNotifyDeps({ dynamoDb, ses, tableName, config, logger: silentLogger, timing, ...channels });
    const context = createLambdaContext({ functionName: 'uptime-monitor-faults-notify', timeoutMs });
    const killed = Symbol('killed');
    let timer: NodeJS.Timeout | undefined;
    const lambdaTimeout = new Promise<typeof killed>((resolve) => (timer = setTimeout(() => resolve(killed), timeoutMs)));
    try {
      const outcome = await Promise.race([notifyBatch(toStreamEvent(records), context, deps), lambdaTimeout]);
      if (outcome === killed) {
        // Lambda's timeout: the runtime is frozen mid-batch; nothing it does from now on counts.
        killSwitch.kill();
        counters.add('lambda.timeout');
        if (accepted > 0) counters.add('lambda.timeoutAfterSend');
        return { kind: 'killed' };
      }
      return { kind: 'returned', response: outcome };
    } catch {
      return { kind: 'failed' };
    } finally {
      clearTimeout(timer);
      if (killSwitch.killed) this.frozen.push(dynamoDb, ses);
      else {
        dynamoDb.destroy();
        ses.destroy();
      }
    }
  }
}
