import { createAlertChannels } from '../../lib/adapters/alert-channels';
import { DynamoDbTransitionReader } from '../../lib/adapters/dynamodb-transition-reader';
import { createSesClient } from '../../lib/adapters/ses-mailer';
import { SesMailer } from '../../lib/adapters/ses-mailer';
import { resolveChannels } from '../../lib/app/channel-secrets';
import type { NotifyTiming } from '../../lib/app/notify';
import type { ProbeTiming } from '../../lib/app/probe-cycle';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { SecretResolver } from '../../lib/domain/ports';
import type { MonitorsConfig } from '../../lib/domain/types';
import {
  isAccepted,
  pagerDutyAccepts,
  SLACK_ACCEPTS,
  startAlertReceiver,
  webhookReceiverOf,
  type AlertReceiver,
  type ReceiverBehaviour,
} from '../support/alert-receivers';
import { createTestTable, type TestTable } from '../support/dynamodb';
import {
  EventSourceMappingPlayer,
  expectedDeliveryKey,
  FaultyConfirmer,
  expectTransitions,
  fetchEmails,
  identifyEmail,
  readDelivery,
  scriptHealth,
  SchedulePlayer,
  TargetWorld,
  tallyDeliveries,
  transitionIdentity,
  type DeliveryTally,
  type DownKind,
  type ExpectedAlert,
  type ExpectedTransition,
  type HttpChannelType,
  type ScriptedTarget,
} from '../support/fault-harness';
import { faultyReceiver, FaultCounters, Rng } from '../support/faults';
import { testDynamoDbStreamsClient } from '../support/stream-records';
import { useSesEmulator } from '../support/ses-emulator';

/**
 * Exactly one email per outage and recovery, and exactly one delivery of it to each of the monitor's
 * other channels, with every fault AWS, the targets and the channels' receivers can produce enabled
 * at once: the real probe and notify handlers, DynamoDB Local and its stream, the SES emulator, real
 * HTTP targets and real receivers (a signed webhook, Slack, PagerDuty) on 127.0.0.1, driven through
 * scripted timelines.
 */
jest.setTimeout(120_000);

/**
 * Scenario b runs with multi-region confirmation: two confirmer regions asked about every suspect,
 * each ask liable to fail, be throttled or hang (FaultyConfirmer). Targets fail for every vantage
 * point alike, so each outage has its quorum or is decided at home alone: the same transitions,
 * each alerted exactly once.
 */
const SCENARIOS = [
  { name: 'a', seed: 1001, confirm: false },
  { name: 'b', seed: 2002, confirm: true },
];
const MONITORS = 64;
/** 22 ticks: 528 transitions from these seeds (the suite asks for at least 500); each tick more costs seconds of both cores. */
const TICKS = 22;
const T0 = Date.parse('2026-06-01T00:00:00Z');
const tickTime = (tick: number) => T0 + tick * 60_000;
const checkedAt = (tick: number) => new Date(tickTime(tick) + 1000).toISOString();

/**
 * The notifier's time budgets, scaled to a world where SES answers in milliseconds, yet above any
 * stall of this busy event loop: a send cut short by its budget after SES took the message is the
 * one case no ledger can tell apart (see lib/app/notify.ts).
 */
const NOTIFY_TIMING: NotifyTiming = { sendBudgetMs: 2_000, recordBudgetMs: 1_000, safetyMs: 200, leaseSlackMs: 300, claimPollMs: 40 };
const PROBE_TIMING: ProbeTiming = { applyReserveMs: 5_000, pollMs: 100, leaseSlackMs: 500 };
/**
 * Generous, because the event loop of this one process also runs the SDK, the targets and the SES
 * emulator (and other test files run beside it): a healthy target must never look down because
 * the prober was starved. Targets that are down answer at once (or within 300 ms), so the timeout
 * costs no time; hanging targets are covered by the misbehaviour matrix.
 */
const MONITOR_TIMEOUT = '5s';
const DOWN_KINDS: DownKind[] = ['status-503', 'slow-503', 'wrong-json', 'invalid-json', 'reset'];

/**
 * Every monitor's channels beside email: one of each kind of receiver that tells deliveries apart
 * differently (by `webhook-id`, by dedup_key and event_action, by what the message says).
 */
const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 0x3c).toString('base64')}`;
const CHANNELS: ReadonlyArray<{ name: string; type: HttpChannelType; path: string; accept: ReceiverBehaviour }> = [
  { name: 'hook', type: 'webhook', path: '/hooks/uptime', accept: webhookReceiverOf(WEBHOOK_SECRET) },
  { name: 'chat', type: 'slack', path: '/services/T0FAULTS/B0FAULTS/faultsToken', accept: SLACK_ACCEPTS },
  { name: 'pager', type: 'pagerduty', path: '/v2/enqueue', accept: pagerDutyAccepts },
];
/**
 * How many of CHANNELS each monitor has beside email: monitor n has CHANNELS n, n+1, … (wrapping),
 * so each kind of receiver gets a third of the monitors. Each delivery costs the notifier a ledger
 * read, a claim and a record on DynamoDB Local, on the stream's one serial consumer. Measured on a
 * two-core machine, one run after the other: 83 s without channels, 103 s with one a monitor, 140 s
 * with all three on every monitor. One keeps the suite's time; a failure of one channel keeping
 * the others' deliveries (email's here) is still exercised, and every pairing of the HTTP channels
 * is in channel-faults.test.ts.
 */
const CHANNELS_PER_MONITOR = 1;
const channelsOf = (index: number) => Array.from({ length: CHANNELS_PER_MONITOR }, (_, k) => CHANNELS[(index + k) % CHANNELS.length]).filter((c) => c !== undefined);

/**
 * Each channel's per-delivery timeout, scaled down from the deployed 10 s: a receiver that hangs
 * costs this much of an invocation. Still far above a stall of this busy event loop: a healthy
 * receiver that answered after the channel gave up would be sent the alert again.
 */
const CHANNEL_TIMEOUT_MS = 1_000;
/**
 * The chance that a delivery's first attempt meets a receiver fault (500, 429 with Retry-After,
 * no answer within the channel's timeout, a reset connection): about 25 of the 530 deliveries.
 * Each fails its record, and the stream's retries go to the dead-letter queue after five failed
 * batches in a row; much higher, and a run of unlucky batches would lose alerts to the test's pace.
 */
const RECEIVER_FAULT_CHANCE = 0.05;

const counters = new FaultCounters();
/** `deliveries`: to the channels other than email (emails are counted apart); duplicates and lost count both. */
const totals = { scenarios: 0, transitions: 0, emails: 0, deliveries: 0, duplicates: 0, lost: 0, spurious: 0, outOfOrder: 0 };
const receivers = new Map<string, AlertReceiver>();
/** The scenarios' channels are written out (no secret references): nothing is ever resolved. */
const NO_SECRETS: SecretResolver = { resolve: () => Promise.reject(new Error('the fault suite has no secret references')) };
const world = new TargetWorld();
const streams = testDynamoDbStreamsClient();
const tables: TestTable[] = [];
const ses = useSesEmulator();

beforeAll(async () => {
  await world.start();
  for (const channel of CHANNELS) {
    receivers.set(
      channel.name,
      await startAlertReceiver(
        faultyReceiver({
          seed: 4242,
          counters,
          chance: RECEIVER_FAULT_CHANCE,
          identify: (request) => readDelivery(channel.type, request).key,
          accept: channel.accept,
        }),
      ),
    );
  }
  await warmUp();
});

/**
 * Loads every module on the paths the scenarios take (the SDK loads parts lazily, on first use),
 * so the first ticks' probes are not starved by module loading and time out on healthy targets.
 */
async function warmUp(): Promise<void> {
  const table = await createTestTable('faults-warmup');
  tables.push(table);
  const rng = new Rng(1);
  const scenario = buildScenario('w', rng);
  const schedule = new SchedulePlayer({
    rng,
    counters: new FaultCounters(),
    endpoint: process.env.TEST_DYNAMODB_ENDPOINT ?? '',
    tableName: table.tableName,
    configAt: (tick) => configAt(scenario.config, tick),
    tickTime,
    timing: PROBE_TIMING,
    stormChance: 0,
  });
  await schedule.play(2);
  const client = createSesClient({ endpoint: ses.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await new SesMailer({ client }).send({ from: 'monitor@example.com', to: ['warmup@example.com'], subject: 'warm-up', text: 'warm-up', html: '<p>warm-up</p>' });
  client.destroy();
}

afterAll(async () => {
  console.log(
    `faults: scenarios=${totals.scenarios} transitions=${totals.transitions} emails=${totals.emails} deliveries=${totals.deliveries} duplicates=${totals.duplicates} lost=${totals.lost}`,
  );
  console.log(`faults injected: ${counters.describe()}`);
  console.log(`faults deliveries by channel: ${CHANNELS.map((channel) => `${channel.name}(${channel.type})=${deliveriesByChannel.get(channel.name) ?? 0}`).join(' ')}`);
  streams.destroy();
  await Promise.all(tables.map((table) => table.drop()));
  await Promise.all([...receivers.values()].map((receiver) => receiver.close()));
  await world.stop();
});

function receiverOf(name: string): AlertReceiver {
  const receiver = receivers.get(name);
  if (!receiver) throw new Error(`no receiver for channel ${name}`);
  return receiver;
}

interface Scenario {
  config: MonitorsConfig;
  targets: ScriptedTarget[];
  recipient: string;
}

function buildScenario(name: string, rng: Rng, confirm = false): Scenario {
  const recipient = `oncall-${name}@example.com`;
  const targets: ScriptedTarget[] = [];
  const channelLines = CHANNELS.map(({ name: channel, type, path }) => {
    const url = `${receiverOf(channel).baseUrl}${path}`;
    if (type === 'webhook') return `  ${channel}: { type: webhook, url: "${url}", secret: "${WEBHOOK_SECRET}" }`;
    if (type === 'pagerduty') return `  ${channel}: { type: pagerduty, routingKey: R0UTINGKEYFAULTS0123456789ABCDEF, url: "${url}" }`;
    return `  ${channel}: { type: ${type}, url: "${url}" }`;
  });
  const lines = [
    `notify: { from: monitor@example.com, to: [${recipient}] }`,
    ...(confirm ? ['confirm: { regions: [eu-west-1, ap-southeast-1] }'] : []),
    'channels:',
    ...channelLines,
    'monitors:',
  ];
  for (let index = 1; index <= MONITORS; index += 1) {
    const id = `${name}-m${String(index).padStart(2, '0')}`;
    const [thresholds, highest] = rng.pick([['', 2], ['', 2], ['', 2], ['failureThreshold: 3, ', 3], ['successThreshold: 3, ', 3], ['successThreshold: 1, ', 2]] as const);
    targets.push({ id, downKind: rng.pick(DOWN_KINDS), health: scriptHealth(rng, TICKS, highest) });
    const alerts = ['email', ...channelsOf(index).map((channel) => channel.name)].join(', ');
    lines.push(
      `  - { id: ${id}, name: "Monitor ${name.toUpperCase()}${index}", url: "${world.baseUrl}/m/${id}", timeout: ${MONITOR_TIMEOUT}, ${thresholds}alerts: [${alerts}], expect: { json: { status: OK } } }`,
    );
  }
  for (const target of targets) world.targets.set(target.id, target);
  return { config: parseMonitorsConfig(`${lines.join('\n')}\n`, 'monitors.yml'), targets, recipient };
}

/** The run of tick n probes the URLs of tick n: the world as it was when that run was scheduled. */
function configAt(config: MonitorsConfig, tick: number): MonitorsConfig {
  return { ...config, monitors: config.monitors.map((monitor) => ({ ...monitor, url: `${monitor.url}?tick=${tick}` })) };
}

const identity = transitionIdentity;
const expectedIdentity = (t: ExpectedTransition) => identity(t.monitorId, t.to, checkedAt(t.startTick), checkedAt(t.confirmTick));

/** A monitor's notifiable transitions as the alerts the channels should deliver, in order. */
function expectedAlerts(transitions: readonly ExpectedTransition[]): ExpectedAlert[] {
  return transitions.flatMap((t, index) => {
    if (t.from === 'UNKNOWN' && t.to === 'UP') return [];
    // A recovery closes the outage the transition before it opened.
    const outage = t.to === 'DOWN' ? t : transitions[index - 1];
    if (!outage) throw new Error(`recovery of ${t.monitorId} at tick ${t.confirmTick} without an outage before it`);
    return [
      {
        monitorId: t.monitorId,
        to: t.to,
        startedAt: checkedAt(t.startTick),
        confirmedAt: checkedAt(t.confirmTick),
        tick: new Date(tickTime(t.confirmTick)).toISOString(),
        outageStartedAt: checkedAt(outage.startTick),
      },
    ];
  });
}

const deliveriesByChannel = new Map<string, number>();

interface ScenarioResult {
  name: string;
  seed: number;
  unappliedTicks: number[];
  /** Per monitor: the transitions the table holds and the ones the script implies. */
  stored: Array<{ monitor: string; stored: string[]; expected: string[] }>;
  notifiable: number;
  emails: number;
  duplicates: number;
  lost: number;
  spurious: string[];
  outOfOrder: string[];
  deadLettered: number;
  /** Per channel other than email: its deliveries against the alerts. */
  channels: Array<{ channel: string } & DeliveryTally>;
}

/** Plays one scenario's timeline with every fault enabled, then counts what arrived. */
async function playScenario(name: string, seed: number, confirm: boolean): Promise<ScenarioResult> {
  const rng = new Rng(seed);
  const table = await createTestTable(`faults-${name}`);
  tables.push(table);
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT ?? '';
  const scenario = buildScenario(name, rng, confirm);
  const { resolved, unresolved } = await resolveChannels(scenario.config.channels, NO_SECRETS);
  if (unresolved.length > 0) throw new Error(`unresolved channels: ${JSON.stringify(unresolved)}`);
  const channelConfigs = resolved.filter((channel) => channel.type !== 'email');

  const mapping = new EventSourceMappingPlayer({
    rng,
    counters,
    streams,
    streamArn: table.streamArn,
    endpoint,
    sesEndpoint: ses.endpoint,
    tableName: table.tableName,
    config: scenario.config,
    timing: NOTIFY_TIMING,
    timeoutMs: 8_000,
    timeoutEvery: 8,
    sesStormEvery: 15,
    channels: () => createAlertChannels(channelConfigs, { timeoutMs: CHANNEL_TIMEOUT_MS }),
  });
  mapping.start();
  const schedule = new SchedulePlayer({
    rng,
    counters,
    endpoint,
    tableName: table.tableName,
    configAt: (tick) => configAt(scenario.config, tick),
    tickTime,
    timing: PROBE_TIMING,
    stormChance: 0.08,
    // Its own random stream: the scenario's other faults fall as they do without confirmers.
    ...(confirm ? { confirmer: new FaultyConfirmer({ rng: new Rng(seed + 7), counters }) } : {}),
  });
  await schedule.play(TICKS);
  await mapping.drain(500);

  // Ticks none of whose deliveries applied its results (superseded, or lost to failures).
  const unappliedTicks = [...schedule.outcomes.entries()]
    .filter(([, outcome]) => !outcome.reports.some((report) => !report.duplicate && report.notApplied === undefined))
    .map(([tick]) => tick);

  // The probe side: the transitions the table holds, against those the script implies.
  const transitionReader = new DynamoDbTransitionReader({ client: table.client, tableName: table.tableName });
  const expected = new Map<string, ExpectedTransition[]>();
  const stored: ScenarioResult['stored'] = [];
  for (const monitor of scenario.config.monitors) {
    const target = scenario.targets.find((candidate) => candidate.id === monitor.id);
    if (!target) throw new Error(`no script for ${monitor.id}`);
    const transitions = expectTransitions(monitor.id, target.health, monitor);
    expected.set(monitor.id, transitions);
    stored.push({
      monitor: monitor.id,
      stored: (await transitionReader.listTransitions(monitor.id)).map((t) => identity(t.monitorId, t.to, t.startedAt, t.confirmedAt)),
      expected: transitions.map(expectedIdentity),
    });
  }

  // The notify side: the emails, matched to the transitions they are about.
  const notifiable = [...expected.values()].flat().filter((t) => !(t.from === 'UNKNOWN' && t.to === 'UP'));
  const emails = (await fetchEmails(ses.endpoint)).filter((email) => email.destination.to.includes(scenario.recipient));
  const received = new Map<string, number>();
  const orderByMonitor = new Map<string, string[]>();
  for (const email of emails) {
    const about = identifyEmail(email);
    const key = identity(about.monitorId, about.to, about.startedAt, about.confirmedAt);
    received.set(key, (received.get(key) ?? 0) + 1);
    if (received.get(key) === 1) orderByMonitor.set(about.monitorId, [...(orderByMonitor.get(about.monitorId) ?? []), key]);
  }
  const wanted = new Set(notifiable.map(expectedIdentity));

  // The other channels: what each receiver took, counted as that receiver tells deliveries apart.
  const ofScenario = new Set(scenario.config.monitors.map((monitor) => monitor.id));
  const channels = CHANNELS.map(({ name: channel, type }) => {
    const alerts = scenario.config.monitors
      .filter((monitor) => monitor.alerts.includes(channel))
      .flatMap((monitor) => expectedAlerts(expected.get(monitor.id) ?? []));
    const taken = receiverOf(channel)
      .exchanges.filter(isAccepted)
      .map((exchange) => readDelivery(type, exchange.request))
      .filter((delivery) => ofScenario.has(delivery.monitorId));
    const tally = tallyDeliveries(
      alerts.map((alert) => ({
        monitorId: alert.monitorId,
        key: expectedDeliveryKey(type, channel, alert),
        about: identity(alert.monitorId, alert.to, alert.startedAt, alert.confirmedAt),
      })),
      taken,
    );
    return { channel, ...tally };
  });
  const outOfOrder = [...expected.entries()]
    .filter(([monitorId, transitions]) => {
      const inOrder = transitions.filter((t) => !(t.from === 'UNKNOWN' && t.to === 'UP')).map(expectedIdentity);
      return JSON.stringify(orderByMonitor.get(monitorId) ?? []) !== JSON.stringify(inOrder.filter((key) => received.has(key)));
    })
    .map(([monitorId]) => monitorId);
  return {
    name,
    seed,
    unappliedTicks,
    stored,
    notifiable: notifiable.length,
    emails: emails.length,
    duplicates: [...received.values()].reduce((sum, count) => sum + count - 1, 0),
    lost: notifiable.filter((t) => !received.has(expectedIdentity(t))).length,
    spurious: [...received.keys()].filter((key) => !wanted.has(key)),
    outOfOrder,
    deadLettered: mapping.deadLettered.length,
    channels,
  };
}

const results = new Map<string, ScenarioResult>();

describe('scripted timelines with every fault at once', () => {
  beforeAll(async () => {
    // One after the other: side by side they would starve this process's event loop (two cores
    // also run DynamoDB Local), and a starved prober sees healthy targets time out. (Draining one
    // scenario's stream while the next one played halved this file's time alone, but under the
    // whole suite's load a batch then ran out of stream retries and went to the dead-letter queue.)
    for (const { name, seed, confirm } of SCENARIOS) {
      const result = await playScenario(name, seed, confirm);
      results.set(result.name, result);
      totals.scenarios += 1;
      totals.transitions += result.notifiable;
      totals.emails += result.emails;
      totals.duplicates += result.duplicates;
      totals.lost += result.lost;
      totals.spurious += result.spurious.length;
      totals.outOfOrder += result.outOfOrder.length;
      for (const tally of result.channels) {
        totals.deliveries += tally.delivered;
        totals.duplicates += tally.duplicates;
        totals.lost += tally.lost.length;
        totals.spurious += tally.spurious.length + tally.mismatched.length;
        totals.outOfOrder += tally.outOfOrder.length;
        deliveriesByChannel.set(tally.channel, (deliveriesByChannel.get(tally.channel) ?? 0) + tally.delivered);
      }
    }
  }, 240_000);

  describe.each(SCENARIOS)('scenario $name (seed $seed)', ({ name }) => {
    const result = () => {
      const found = results.get(name);
      if (!found) throw new Error(`scenario ${name} did not run`);
      return found;
    };

    it('applied every tick exactly once, whatever the schedule did', () => {
      expect(result().unappliedTicks).toEqual([]);
    });

    it('stored exactly the transitions the timeline implies, none twice, none from a single bad check', () => {
      for (const { monitor, stored, expected } of result().stored) {
        expect({ monitor, transitions: stored }).toEqual({ monitor, transitions: expected });
      }
    });

    it('mailed each outage and recovery exactly once, in order', () => {
      const { duplicates, lost, spurious, outOfOrder, deadLettered, emails, notifiable } = result();
      expect({ duplicates, lost, spurious, outOfOrder, deadLettered }).toEqual({
        duplicates: 0,
        lost: 0,
        spurious: [],
        outOfOrder: [],
        deadLettered: 0,
      });
      expect(emails).toBe(notifiable);
    });

    it('delivered each outage and recovery to each other channel exactly once, in order, as its receiver tells them apart', () => {
      const { channels, notifiable } = result();
      expect(channels.map((tally) => tally.channel)).toEqual(CHANNELS.map((channel) => channel.name));
      expect(channels.reduce((sum, tally) => sum + tally.delivered, 0)).toBe(notifiable * CHANNELS_PER_MONITOR);
      for (const { channel, alerts, delivered, duplicates, lost, spurious, mismatched, outOfOrder } of channels) {
        expect(alerts).toBeGreaterThan(0);
        expect({ channel, delivered, duplicates, lost, spurious, mismatched, outOfOrder }).toEqual({
          channel,
          delivered: alerts,
          duplicates: 0,
          lost: [],
          spurious: [],
          mismatched: [],
          outOfOrder: [],
        });
      }
    });
  });
});

describe('all scenarios together', () => {
  it('mailed every transition exactly once and delivered it once to every other channel, over at least 500 transitions', () => {
    expect(totals.scenarios).toBe(SCENARIOS.length);
    expect(totals.transitions).toBeGreaterThanOrEqual(500);
    expect(totals).toMatchObject({ duplicates: 0, lost: 0, spurious: 0, outOfOrder: 0 });
    expect(totals.emails).toBe(totals.transitions);
    expect(totals.deliveries).toBe(totals.transitions * CHANNELS_PER_MONITOR);
  });

  it('really injected every kind of fault', () => {
    for (const fault of [
      'schedule.duplicateDelivery',
      'schedule.overlap',
      'lambda.asyncRetry',
      'dynamodb.throttle',
      'dynamodb.throttleStorm',
      'dynamodb.replayedConditionalWrite',
      'dynamodb.stall',
      'stream.duplicateDelivery',
      'stream.partialFailureRetry',
      'stream.bisect',
      'ses.throttle',
      'ses.throttleStorm',
      'ses.unavailable',
      'lambda.timeout',
      'lambda.timeoutAfterSend',
      'receiver.status500',
      'receiver.status429',
      'receiver.hang',
      'receiver.reset',
      'confirmer.answer',
      'confirmer.error',
      'confirmer.throttle',
      'confirmer.hang',
    ]) {
      expect({ fault, fired: counters.get(fault) > 0 }).toEqual({ fault, fired: true });
    }
  });
});
