import { Logger } from '@aws-lambda-powertools/logger';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONFIRM_HOME_ALONE_METRIC, EmfMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { MonitorProber } from '../../lib/adapters/monitor-prober';
import { confirmChecks } from '../../lib/app/confirm';
import { HOME_ALONE_MESSAGE, QUORUM_OUTAGE_MESSAGE, REGIONAL_FAILURE_MESSAGE } from '../../lib/app/confirm-suspects';
import { getMonitor } from '../../lib/app/monitor-queries';
import { loadStatusPage } from '../../lib/app/status-page';
import { loadMetrics } from '../../lib/app/metrics';
import { renderOpenMetrics } from '../../lib/http/openmetrics';
import { renderStatusPage } from '../../lib/domain/status-page';
import { probeRun, type ProbeDeps } from '../../lib/app/probe-run';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { ConfirmAnswer, ConfirmRequest, Confirmer } from '../../lib/domain/ports';
import type { Transition } from '../../lib/domain/types';
import { createScheduledEvent } from '../fixtures/scheduled-event';
import { createTestTable, type TestTable } from '../support/dynamodb';

/**
 * Multi-region confirmation through the real probe run: DynamoDB Local, real HTTP targets on
 * 127.0.0.1 that fail only for requests from chosen source addresses, the home region probing from
 * 127.0.0.1 and each confirmer region running the real confirmChecks from its own address
 * (eu-west-1 from 127.0.0.2, ap-southeast-1 from 127.0.0.3), in process. A confirmer can also hang,
 * fail or be throttled, to abstain.
 */
jest.setTimeout(60_000);

const HOME = 'us-east-1';
const SOURCES: Record<string, string> = { [HOME]: '127.0.0.1', 'eu-west-1': '127.0.0.2', 'ap-southeast-1': '127.0.0.3' };
const T0 = Date.parse('2026-09-07T08:00:00Z');

type Behaviour = 'answer' | 'hang' | 'error' | 'throttle';

/** The confirmer regions, in process: each checks from its own loopback address, or misbehaves as told. */
class LoopbackConfirmers implements Confirmer {
  readonly behaviour = new Map<string, Behaviour>();
  readonly asked: Array<{ region: string; monitorIds: string[] }> = [];
  private readonly probers = new Map(Object.entries(SOURCES).map(([region, sourceAddress]) => [region, MonitorProber.create({ sourceAddress })]));

  async confirm(region: string, request: ConfirmRequest, signal: AbortSignal): Promise<ConfirmAnswer> {
    this.asked.push({ region, monitorIds: Object.keys(request.suspects).sort() });
    const behaviour = this.behaviour.get(region) ?? 'answer';
    if (behaviour === 'hang') return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    if (behaviour === 'error') throw Object.assign(new Error('the confirm function failed (Unhandled)'), { name: 'ConfirmerFunctionError' });
    if (behaviour === 'throttle') throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    const prober = this.probers.get(region);
    if (!prober) throw new Error(`no prober for ${region}`);
    return confirmChecks(request, { prober, region, now: () => new Date(), concurrency: 8, logger: silent, replyMarginMs: 200 });
  }
}

const silent = new Logger({ serviceName: 'confirmation-test', logLevel: 'SILENT' });

/** Targets at /<monitor id> that answer 503 to requests from the addresses in `failFor` of that monitor, 200 {"status":"OK"} to others. */
const failFor = new Map<string, Set<string>>();
const seenFrom = new Map<string, string[]>();
let target: Server;
let targetUrl: string;

let table: TestTable;
let stores: DynamoDbStores;
let confirmers: LoopbackConfirmers;
const logs: Record<string, unknown>[] = [];
const metricLines: string[] = [];

const MONITOR_IDS = ['minority', 'loud', 'quorum', 'everywhere', 'split', 'split-down', 'unset', 'steady'] as const;

function configYaml(alertOnRegional = false): string {
  const lines = [
    'notify: { from: monitor@example.com, to: [oncall@example.com] }',
    `confirm: { regions: [eu-west-1, ap-southeast-1]${alertOnRegional ? ', alertOnRegional: true' : ''} }`,
    'monitors:',
    ...MONITOR_IDS.map((id) => `  - { id: ${id}, name: ${id}, url: "${targetUrl}/${id}", timeout: 1s, expect: { json: { status: OK } } }`),
  ];
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  target = createServer((request, response) => {
    const id = (request.url ?? '/').slice(1);
    const from = request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    seenFrom.set(id, [...(seenFrom.get(id) ?? []), from]);
    const failing = failFor.get(id)?.has(from) ?? false;
    response.writeHead(failing ? 503 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: failing ? 'DOWN' : 'OK' }));
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  table = await createTestTable('confirmation');
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  process.env.POWERTOOLS_DEV = 'true';
  const capture = (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>);
  jest.spyOn(console, 'info').mockImplementation(capture);
  jest.spyOn(console, 'warn').mockImplementation(capture);
  jest.spyOn(console, 'error').mockImplementation(capture);
});

afterAll(async () => {
  jest.restoreAllMocks();
  target.closeAllConnections();
  await Promise.all([new Promise((resolve) => target.close(resolve)), table.drop()]);
});

function deps(minute: number, options: { alertOnRegional?: boolean; withConfirmer?: boolean } = {}): ProbeDeps {
  return {
    config: parseMonitorsConfig(configYaml(options.alertOnRegional), 'monitors.yml'),
    stores,
    prober: MonitorProber.create({ sourceAddress: SOURCES[HOME] }),
    metrics: new EmfMetricsSink({ namespace: 'UptimeMonitor', stack: 'test', write: (line) => void metricLines.push(line) }),
    logger: new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'INFO' }),
    now: () => new Date(T0 + minute * 60_000 + 1000),
    concurrency: 8,
    periodMs: 60_000,
    homeRegion: HOME,
    ...(options.withConfirmer === false ? {} : { confirmer: confirmers }),
  };
}

/** Runs the probe for `minute` and returns that run's transitions by monitor id. */
async function runAt(minute: number, options?: { alertOnRegional?: boolean; withConfirmer?: boolean }): Promise<Map<string, Transition>> {
  const report = await probeRun(createScheduledEvent(T0 + minute * 60_000), deps(minute, options));
  expect(report.duplicate).toBe(false);
  return new Map(report.transitions.map((transition) => [transition.monitorId, transition]));
}

const checkedAt = (minute: number) => new Date(T0 + minute * 60_000 + 1000).toISOString();
const logsWith = (message: string, monitorId: string) => logs.filter((line) => line.message === message && line.monitorId === monitorId);
const apiDeps = (minute: number) => ({
  states: stores.states,
  transitions: stores.transitions,
  runs: stores.runs,
  rollups: stores.rollups,
  maintenance: stores.maintenance,
  config: parseMonitorsConfig(configYaml(), 'monitors.yml'),
  now: () => new Date(T0 + minute * 60_000 + 30_000),
});
const monitorView = (monitorId: string, minute: number) => getMonitor(apiDeps(minute), monitorId);
const homeMetric = () => metricLines.map((line) => (JSON.parse(line) as Record<string, unknown>)[CONFIRM_HOME_ALONE_METRIC]);

describe('multi-region confirmation through the probe run', () => {
  beforeAll(async () => {
    confirmers = new LoopbackConfirmers();
    // Minutes 0 and 1: every monitor is established UP (no failure: nobody is asked, nothing extra is read).
    await runAt(0);
    const established = await runAt(1);
    expect([...established.values()].every((transition) => transition.to === 'UP')).toBe(true);
    expect(confirmers.asked).toEqual([]);
    failFor.set('minority', new Set(['127.0.0.1']));
    failFor.set('loud', new Set(['127.0.0.1']));
    failFor.set('quorum', new Set(['127.0.0.1', '127.0.0.2']));
    failFor.set('split-down', new Set(['127.0.0.1', '127.0.0.3']));
    failFor.set('everywhere', new Set(['127.0.0.1', '127.0.0.2', '127.0.0.3']));
    logs.length = 0;
    metricLines.length = 0;
  });

  it('probes from the home address and has each confirmer probe from its own', () => {
    expect(new Set(seenFrom.get('steady'))).toEqual(new Set(['127.0.0.1']));
  });

  it('asks nobody about a first failure that crosses no threshold', async () => {
    // minute 2: the first failure of each failing monitor; their threshold is 2.
    confirmers.behaviour.clear();
    const transitions = await runAt(2);
    expect(transitions.size).toBe(0);
    expect(confirmers.asked).toEqual([]);
  });

  describe('minute 3: the second failure of each, which would declare an outage', () => {
    let transitions: Map<string, Transition>;
    beforeAll(async () => {
      confirmers.behaviour.clear();
      transitions = await runAt(3);
    });

    it('asks each confirmer region once, about every suspect of the run together', () => {
      const suspects = ['everywhere', 'loud', 'minority', 'quorum', 'split-down'];
      expect(confirmers.asked).toEqual([
        { region: 'eu-west-1', monitorIds: suspects },
        { region: 'ap-southeast-1', monitorIds: suspects },
      ]);
      expect(new Set(seenFrom.get('minority'))).toEqual(new Set(['127.0.0.1', '127.0.0.2', '127.0.0.3']));
    });

    it('records a failure only the home region sees as regional: no outage, no alert, the status kept', async () => {
      expect(transitions.has('minority')).toBe(false);
      const state = await stores.states.loadState('minority');
      expect(state).toMatchObject({ status: 'UP', failuresInRow: 2, confirmation: { verdict: 'regional', since: checkedAt(3), checkedAt: checkedAt(3) } });
      expect(logsWith(REGIONAL_FAILURE_MESSAGE, 'minority')).toEqual([
        expect.objectContaining({ failing: 1, voting: 3, quorum: 2, alerted: false }),
      ]);
      const view = await monitorView('minority', 3);
      expect(view).toMatchObject({ status: 'UP', regional: { since: checkedAt(3), checkedAt: checkedAt(3) } });
      expect(view.vantage).toEqual([
        { region: HOME, ok: false, reason: 'http-status', latencyMs: expect.any(Number) },
        { region: 'eu-west-1', ok: true, reason: null, latencyMs: expect.any(Number) },
        { region: 'ap-southeast-1', ok: true, reason: null, latencyMs: expect.any(Number) },
      ]);
      const page = await loadStatusPage(apiDeps(3));
      expect(page.monitors.find((monitor) => monitor.id === 'minority')).toMatchObject({
        status: 'UP',
        regional: { since: checkedAt(3), failingFrom: [HOME], reachableFrom: ['eu-west-1', 'ap-southeast-1'] },
      });
      expect(renderStatusPage(page)).toContain('Failing from us-east-1 only since');
      const metrics = await renderOpenMetrics(await loadMetrics(apiDeps(3)));
      expect(metrics).toContain('uptime_monitor_regional{monitor="minority",name="minority",type="http"} 1\n');
      expect(metrics).toContain('uptime_monitor_regional{monitor="quorum",name="quorum",type="http"} 0\n');
      expect(metrics).toContain('uptime_monitor_up{monitor="minority",name="minority",type="http"} 1\n');
    });

    it('declares one outage when a quorum fails, with every vantage point on its transition', () => {
      expect(transitions.get('quorum')).toMatchObject({
        from: 'UP',
        to: 'DOWN',
        startedAt: checkedAt(2),
        confirmedAt: checkedAt(3),
        vantage: [
          { region: HOME, ok: false, reason: 'http-status' },
          { region: 'eu-west-1', ok: false, reason: 'http-status' },
          { region: 'ap-southeast-1', ok: true },
        ],
      });
      expect(logsWith(QUORUM_OUTAGE_MESSAGE, 'quorum')).toEqual([expect.objectContaining({ failing: 2, voting: 3, quorum: 2 })]);
    });

    it('counts no home-alone decision while the confirmers answer (the metric is 0 on minutes 2 and 3)', () => {
      expect(logs.filter((line) => line.message === HOME_ALONE_MESSAGE)).toEqual([]);
      expect(homeMetric()).toEqual([0, 0]);
    });

    it('declares one outage when every vantage point fails', () => {
      expect(transitions.get('everywhere')).toMatchObject({
        to: 'DOWN',
        startedAt: checkedAt(2),
        vantage: [
          { region: HOME, ok: false, reason: 'http-status' },
          { region: 'eu-west-1', ok: false, reason: 'http-status' },
          { region: 'ap-southeast-1', ok: false, reason: 'http-status' },
        ],
      });
      expect(logsWith(QUORUM_OUTAGE_MESSAGE, 'everywhere')).toEqual([expect.objectContaining({ failing: 3, voting: 3, quorum: 2 })]);
    });

    it('declares the outage whichever confirmer fails with the home region: 2 of 3 is the default quorum', () => {
      expect(transitions.get('split-down')).toMatchObject({ to: 'DOWN' });
      expect(transitions.has('loud')).toBe(false);
    });
  });

  describe('abstentions: a confirmer that hangs past the deadline, errors or is throttled counts neither way', () => {
    it('with every confirmer abstaining, the home region decides alone: an outage, logged and counted', async () => {
      confirmers.behaviour.set('eu-west-1', 'hang');
      confirmers.behaviour.set('ap-southeast-1', 'error');
      logs.length = 0;
      metricLines.length = 0;
      // minute 4: loud and minority, regional so far, are suspects again (their streak stays at its threshold).
      const transitions = await runAt(4);
      // Regional until now: the outage starts at this check, the regional minutes are no downtime.
      expect(transitions.get('loud')).toMatchObject({
        to: 'DOWN',
        startedAt: checkedAt(4),
        vantage: [
          { region: HOME, ok: false, reason: 'http-status' },
          { region: 'eu-west-1', ok: null, reason: 'abstained: deadline' },
          { region: 'ap-southeast-1', ok: null, reason: 'abstained: error' },
        ],
      });
      expect(transitions.get('minority')).toMatchObject({ to: 'DOWN', startedAt: checkedAt(4) });
      expect(await stores.states.loadState('minority')).toMatchObject({ status: 'DOWN', since: checkedAt(4) });
      expect(logsWith(HOME_ALONE_MESSAGE, 'loud')).toEqual([expect.objectContaining({ failing: 1, voting: 1, quorum: 1 })]);
      expect(homeMetric()).toEqual([2]);
    });

    it('with one confirmer abstaining, the others decide with the home region (quorum at most those who answered)', async () => {
      confirmers.behaviour.set('eu-west-1', 'throttle');
      confirmers.behaviour.set('ap-southeast-1', 'answer');
      failFor.set('split', new Set(['127.0.0.1']));
      await runAt(5);
      logs.length = 0;
      const transitions = await runAt(6);
      // split: home fails, ap-southeast-1 answers ok, eu-west-1 abstains: 1 of 2 voting, quorum 2: regional.
      expect(transitions.has('split')).toBe(false);
      expect((await stores.states.loadState('split'))?.confirmation).toMatchObject({
        verdict: 'regional',
        since: checkedAt(6),
        checkedAt: checkedAt(6),
        vantage: [
          { region: HOME, ok: false },
          { region: 'eu-west-1', ok: null, reason: 'abstained: throttled' },
          { region: 'ap-southeast-1', ok: true },
        ],
      });
      expect(logs.filter((line) => line.message === HOME_ALONE_MESSAGE)).toEqual([]);
    });

    it('clears a regional failure at the home region next success, with no transition', async () => {
      failFor.delete('split');
      const transitions = await runAt(7, { withConfirmer: false });
      expect(transitions.has('split')).toBe(false);
      const split = await stores.states.loadState('split');
      expect(split?.status).toBe('UP');
      expect(split?.confirmation).toBeUndefined();
      expect(await monitorView('split', 7)).toMatchObject({ status: 'UP', regional: null, vantage: [] });
    });

    it('with no confirmer set up at all, every region abstains and the home region decides alone', async () => {
      failFor.set('unset', new Set(['127.0.0.1']));
      await runAt(8, { withConfirmer: false });
      logs.length = 0;
      const asked = confirmers.asked.length;
      const transitions = await runAt(9, { withConfirmer: false });
      expect(transitions.get('unset')).toMatchObject({ to: 'DOWN' });
      expect(logsWith(HOME_ALONE_MESSAGE, 'unset')).toHaveLength(1);
      expect(confirmers.asked.length).toBe(asked);
    });
  });

  describe('recoveries need no quorum', () => {
    it('recovers on the home region successes alone, once, without asking anyone, and clears the confirmation', async () => {
      confirmers.behaviour.clear();
      for (const id of MONITOR_IDS) failFor.delete(id);
      const asked = confirmers.asked.length;
      const first = await runAt(10);
      const second = await runAt(11);
      expect(confirmers.asked.length).toBe(asked);
      expect(first.size).toBe(0);
      expect([...second.values()].map((t) => `${t.monitorId}:${t.from}->${t.to}`).sort()).toEqual([
        'everywhere:DOWN->UP',
        'loud:DOWN->UP',
        'minority:DOWN->UP',
        'quorum:DOWN->UP',
        'split-down:DOWN->UP',
        'unset:DOWN->UP',
      ]);
      expect(second.get('quorum')?.vantage).toBeUndefined();
      expect((await stores.states.loadState('quorum'))?.confirmation).toBeUndefined();
      expect(await monitorView('quorum', 11)).toMatchObject({ status: 'UP', regional: null, vantage: [] });
    });
  });

  describe('alertOnRegional', () => {
    it('declares the outage a minority sees, with its vantage points', async () => {
      failFor.set('steady', new Set(['127.0.0.1']));
      await runAt(12, { alertOnRegional: true });
      const transitions = await runAt(13, { alertOnRegional: true });
      expect(transitions.get('steady')).toMatchObject({
        to: 'DOWN',
        vantage: [
          { region: HOME, ok: false },
          { region: 'eu-west-1', ok: true },
          { region: 'ap-southeast-1', ok: true },
        ],
      });
      expect((await stores.states.loadState('steady'))?.confirmation).toMatchObject({ verdict: 'regional' });
      expect(logsWith(REGIONAL_FAILURE_MESSAGE, 'steady')).toEqual([expect.objectContaining({ alerted: true })]);
    });
  });
});
