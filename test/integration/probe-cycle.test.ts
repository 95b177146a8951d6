import { Logger } from '@aws-lambda-powertools/logger';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { probeRun, type ProbeDeps } from '../../lib/app/probe-run';
import { EmfMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { Transition } from '../../lib/domain/types';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { startTargetServer, type TargetServer } from '../support/target-server';
import { createScheduledEvent } from '../fixtures/scheduled-event';

/** The embedded-metric-format lines the probe wrote; `refuseMetrics` makes writing one fail. */
const metricLines: string[] = [];
let refuseMetrics = false;
const T0 = Date.parse('2026-05-04T10:00:00Z');

const scheduledEvent = (minute: number): ScheduledEvent => createScheduledEvent(T0 + minute * 60_000);

let table: TestTable;
let api: TargetServer;
let slow: TargetServer;
let logs: Record<string, unknown>[];
let deps: ProbeDeps & { stores: DynamoDbStores };
let clockMinute = 0;

beforeAll(async () => {
  table = await createTestTable('probe');
  api = await startTargetServer('ok');
  slow = await startTargetServer('ok');
  const config = parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: api, name: API, url: "${api.url}", expect: { json: { status: OK } } }
  - { id: slow, name: Slow, url: "${slow.url}", timeout: 300ms }
`,
    'monitors.yml',
  );
  logs = [];
  // In dev mode Powertools writes through the global console, where the test can read each line.
  process.env.POWERTOOLS_DEV = 'true';
  const logger = new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'INFO' });
  const capture = (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>);
  jest.spyOn(console, 'info').mockImplementation(capture);
  jest.spyOn(console, 'warn').mockImplementation(capture);
  jest.spyOn(console, 'error').mockImplementation(capture);
  deps = {
    config,
    stores: createDynamoDbStores({ client: table.client, tableName: table.tableName }),
    prober: new HttpProber(),
    metrics: new EmfMetricsSink({
      namespace: 'UptimeMonitor',
      stack: 'test',
      write: (line) => {
        if (refuseMetrics) throw new Error('stdout is closed');
        metricLines.push(line);
      },
    }),
    logger,
    now: () => new Date(T0 + clockMinute * 60_000 + 1000),
    concurrency: 4,
    periodMs: 60_000,
  };
});

afterAll(async () => {
  jest.restoreAllMocks();
  await Promise.all([api.close(), slow.close(), table.drop()]);
});

beforeEach(() => {
  metricLines.length = 0;
  refuseMetrics = false;
  logs.length = 0;
});

const runAt = (minute: number) => {
  clockMinute = minute;
  return probeRun(scheduledEvent(minute), deps);
};

describe('probeRun', () => {
  it('establishes healthy monitors after two good checks, with no transition to mail', async () => {
    const first = await runAt(0);
    expect(first).toMatchObject({ duplicate: false, checks: 2, failures: 0, monitorsDown: 0, transitions: [] });
    const second = await runAt(1);
    expect(second.transitions.map((t) => `${t.monitorId}:${t.from}->${t.to}`).sort()).toEqual(['api:UNKNOWN->UP', 'slow:UNKNOWN->UP']);
    expect((await deps.stores.states.loadState('api'))?.status).toBe('UP');
  });

  it('publishes one embedded-metric-format line per run, aggregate only', async () => {
    await runAt(2);
    expect(metricLines).toHaveLength(1);
    const record = JSON.parse(metricLines[0] ?? '{}') as {
      _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
      Checks: number;
    };
    const [directive] = record._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe('UptimeMonitor');
    expect(directive?.Metrics.map((metric) => metric.Name)).toEqual(['Checks', 'FailedChecks', 'MonitorsDown', 'RunDuration']);
    expect(directive?.Dimensions).toEqual([['Stack']]);
    expect(record.Checks).toBe(2);
  });

  it('writes no state for steady UP monitors', async () => {
    const before = await deps.stores.states.loadStates();
    await runAt(3);
    const after = await deps.stores.states.loadStates();
    expect(after.get('api')).toEqual(before.get('api'));
    expect(after.get('slow')).toEqual(before.get('slow'));
  });

  it('logs a failed check as structured JSON but raises no outage for a single failure', async () => {
    api.behaviour = 'degraded';
    const report = await runAt(4);
    expect(report).toMatchObject({ failures: 1, transitions: [] });
    const failure = logs.find((line) => line.message === 'check failed');
    expect(failure).toMatchObject({
      level: 'WARN',
      monitorId: 'api',
      url: api.url,
      reason: 'body-mismatch',
      statusCode: 200,
    });
    expect(typeof failure?.latencyMs).toBe('number');
    expect(Number.isNaN(Date.parse(String(failure?.timestamp)))).toBe(false);
    expect((await deps.stores.states.loadState('api'))?.status).toBe('UP');
  });

  it('declares an outage on the second failure in a row, started at the first', async () => {
    api.behaviour = 'error';
    const report = await runAt(5);
    expect(report.transitions).toHaveLength(1);
    expect(report.transitions[0]).toMatchObject({
      monitorId: 'api',
      from: 'UP',
      to: 'DOWN',
      startedAt: new Date(T0 + 4 * 60_000 + 1000).toISOString(),
      confirmedAt: new Date(T0 + 5 * 60_000 + 1000).toISOString(),
      reason: 'http-status: expected 200, got 503',
    });
    expect(report.monitorsDown).toBe(1);
    expect(logs.find((line) => line.message === 'monitor down')).toMatchObject({ level: 'ERROR', monitorId: 'api', to: 'DOWN' });
  });

  it('ignores the same scheduled event delivered twice', async () => {
    const before = await deps.stores.states.loadStates();
    const again = await runAt(5);
    expect(again).toMatchObject({ duplicate: true, checks: 0, transitions: [] });
    expect(await deps.stores.states.loadStates()).toEqual(before);
    expect(await deps.stores.transitions.listTransitions('api')).toHaveLength(2);
    expect(metricLines).toHaveLength(0);
  });

  it('counts a result once when two runs of the same tick overlap', async () => {
    api.behaviour = 'ok';
    const [a, b] = await Promise.all([runAt(6), runAt(6)]);
    const state = await deps.stores.states.loadState('api');
    expect(state).toMatchObject({ status: 'DOWN', successesInRow: 1 });
    expect([...a.transitions, ...b.transitions]).toEqual([]);
  });

  it('recovers on the second good check and logs the recovery', async () => {
    const report = await runAt(7);
    expect(report.transitions).toEqual([
      expect.objectContaining({ monitorId: 'api', from: 'DOWN', to: 'UP', previousSince: new Date(T0 + 4 * 60_000 + 1000).toISOString() }),
    ]);
    expect(logs.find((line) => line.message === 'monitor recovered')).toMatchObject({ level: 'INFO', monitorId: 'api', from: 'DOWN', to: 'UP' });
  });

  it('keeps the latest transition without a TTL, and gives each one it superseded the retention after it was superseded', async () => {
    const transitions = await deps.stores.transitions.listTransitions('api');
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['UNKNOWN->UP', 'UP->DOWN', 'DOWN->UP']);
    const expiresAt = async (t: Transition) => {
      const { Item } = await table.client.send(
        new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: 'MON#api' }, sk: { S: `TR#${t.startedAt}#${t.tick}` } }, ConsistentRead: true }),
      );
      return Item?.expiresAt?.N === undefined ? undefined : Number(Item.expiresAt.N);
    };
    const [established, outage, recovery] = transitions as [Transition, Transition, Transition];
    const retainedFrom = (t: Transition) => Math.floor((Date.parse(t.startedAt) + 400 * 86_400_000) / 1000);
    expect(await expiresAt(established)).toBe(retainedFrom(outage));
    expect(await expiresAt(outage)).toBe(retainedFrom(recovery));
    expect(await expiresAt(recovery)).toBeUndefined();
    expect(await deps.stores.states.loadState('api')).toMatchObject({ since: recovery.startedAt, sinceTick: recovery.tick });
  });

  it('classifies a hanging target as a timeout without failing the run or delaying the others past it', async () => {
    slow.behaviour = 'hang';
    const report = await runAt(8);
    expect(report).toMatchObject({ checks: 2, failures: 1 });
    expect(logs.find((line) => line.message === 'check failed')).toMatchObject({ monitorId: 'slow', reason: 'timeout' });
    const summary = await deps.stores.runs.latestRunSummary(new Date(T0 + 9 * 60_000).toISOString());
    expect(summary?.results.slow).toMatchObject({ ok: false, reason: 'timeout' });
    expect(summary?.results.api).toMatchObject({ ok: true, statusCode: 200 });
  });

  it('keeps the run going when the metrics cannot be written, and says so in the log', async () => {
    refuseMetrics = true;
    const report = await runAt(9);
    expect(report.duplicate).toBe(false);
    expect(await deps.stores.runs.hasRunSummary(new Date(T0 + 9 * 60_000).toISOString())).toBe(true);
    expect(logs.find((line) => line.message === 'could not publish run metrics')).toMatchObject({ level: 'ERROR' });
  });
});
