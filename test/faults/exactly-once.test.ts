import { DynamoDbTransitionReader } from '../../lib/adapters/dynamodb-transition-reader';
import { createSesClient } from '../../lib/adapters/ses-mailer';
import { SesMailer } from '../../lib/adapters/ses-mailer';
import type { NotifyTiming } from '../../lib/app/notify';
import type { ProbeTiming } from '../../lib/app/probe-cycle';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { MonitorsConfig } from '../../lib/domain/types';
import { createTestTable, type TestTable } from '../support/dynamodb';
import {
  EventSourceMappingPlayer,
  expectTransitions,
  fetchEmails,
  identifyEmail,
  scriptHealth,
  SchedulePlayer,
  TargetWorld,
  type DownKind,
  type ExpectedTransition,
  type ScriptedTarget,
} from '../support/fault-harness';
import { FaultCounters, Rng } from '../support/faults';
import { testDynamoDbStreamsClient } from '../support/stream-records';
import { useSesEmulator } from '../support/ses-emulator';

/**
 * Exactly one email per outage and recovery, with every fault AWS and the targets can produce
 * enabled at once: the real probe and notify handlers, DynamoDB Local and its stream, the SES
 * emulator and real HTTP targets on 127.0.0.1, driven through scripted timelines.
 */
jest.setTimeout(120_000);

const SCENARIOS = [
  { name: 'a', seed: 1001 },
  { name: 'b', seed: 2002 },
];
const MONITORS = 64;
const TICKS = 24;
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

const counters = new FaultCounters();
const totals = { scenarios: 0, transitions: 0, emails: 0, duplicates: 0, lost: 0, spurious: 0, outOfOrder: 0 };
const world = new TargetWorld();
const streams = testDynamoDbStreamsClient();
const tables: TestTable[] = [];
const ses = useSesEmulator();

beforeAll(async () => {
  await world.start();
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
    `faults: scenarios=${totals.scenarios} transitions=${totals.transitions} emails=${totals.emails} duplicates=${totals.duplicates} lost=${totals.lost}`,
  );
  console.log(`faults injected: ${counters.describe()}`);
  streams.destroy();
  await Promise.all(tables.map((table) => table.drop()));
  await world.stop();
});

interface Scenario {
  config: MonitorsConfig;
  targets: ScriptedTarget[];
  recipient: string;
}

function buildScenario(name: string, rng: Rng): Scenario {
  const recipient = `oncall-${name}@example.com`;
  const targets: ScriptedTarget[] = [];
  const lines = [`notify: { from: monitor@example.com, to: [${recipient}] }`, 'monitors:'];
  for (let index = 1; index <= MONITORS; index += 1) {
    const id = `${name}-m${String(index).padStart(2, '0')}`;
    const [thresholds, highest] = rng.pick([['', 2], ['', 2], ['', 2], ['failureThreshold: 3, ', 3], ['successThreshold: 3, ', 3], ['successThreshold: 1, ', 2]] as const);
    targets.push({ id, downKind: rng.pick(DOWN_KINDS), health: scriptHealth(rng, TICKS, highest) });
    lines.push(
      `  - { id: ${id}, name: "Monitor ${name.toUpperCase()}${index}", url: "${world.baseUrl}/m/${id}", timeout: ${MONITOR_TIMEOUT}, ${thresholds}expect: { json: { status: OK } } }`,
    );
  }
  for (const target of targets) world.targets.set(target.id, target);
  return { config: parseMonitorsConfig(`${lines.join('\n')}\n`, 'monitors.yml'), targets, recipient };
}

/** The run of tick n probes the URLs of tick n: the world as it was when that run was scheduled. */
function configAt(config: MonitorsConfig, tick: number): MonitorsConfig {
  return { ...config, monitors: config.monitors.map((monitor) => ({ ...monitor, url: `${monitor.url}?tick=${tick}` })) };
}

const identity = (monitorId: string, to: string, startedAt: string, confirmedAt: string) => `${monitorId}|${to}|${startedAt}|${confirmedAt}`;
const expectedIdentity = (t: ExpectedTransition) => identity(t.monitorId, t.to, checkedAt(t.startTick), checkedAt(t.confirmTick));

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
}

/** Plays one scenario's timeline with every fault enabled, then counts what arrived. */
async function playScenario(name: string, seed: number): Promise<ScenarioResult> {
  const rng = new Rng(seed);
  const table = await createTestTable(`faults-${name}`);
  tables.push(table);
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT ?? '';
  const scenario = buildScenario(name, rng);

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
  };
}

const results = new Map<string, ScenarioResult>();

describe('scripted timelines with every fault at once', () => {
  beforeAll(async () => {
    // One after the other: side by side they would starve this process's event loop (two cores
    // also run DynamoDB Local), and a starved prober sees healthy targets time out.
    for (const { name, seed } of SCENARIOS) {
      const result = await playScenario(name, seed);
      results.set(result.name, result);
      totals.scenarios += 1;
      totals.transitions += result.notifiable;
      totals.emails += result.emails;
      totals.duplicates += result.duplicates;
      totals.lost += result.lost;
      totals.spurious += result.spurious.length;
      totals.outOfOrder += result.outOfOrder.length;
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
  });
});

describe('all scenarios together', () => {
  it('mailed every transition exactly once over at least 500 transitions', () => {
    expect(totals.scenarios).toBe(SCENARIOS.length);
    expect(totals.transitions).toBeGreaterThanOrEqual(500);
    expect(totals).toMatchObject({ duplicates: 0, lost: 0, spurious: 0, outOfOrder: 0 });
    expect(totals.emails).toBe(totals.transitions);
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
    ]) {
      expect({ fault, fired: counters.get(fault) > 0 }).toEqual({ fault, fired: true });
    }
  });
});
