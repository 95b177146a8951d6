import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { probeRun, type ProbeDeps } from '../../lib/app/probe-run';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { alertSourceFromStreamRecord } from '../../lib/adapters/dynamodb-stream-records';
import { HttpProber } from '../../lib/adapters/http-prober';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { AlertSource } from '../../lib/domain/reminders';
import { shouldNotify } from '../../lib/domain/email';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { matchesFilterPatterns, readStream, streamFilterPatterns, testDynamoDbStreamsClient, toLambdaRecord } from '../support/stream-records';
import { startTargetServer, type TargetServer } from '../support/target-server';
import { createScheduledEvent } from '../fixtures/scheduled-event';

/**
 * Maintenance windows and dependencies through the real probe run, DynamoDB Local and its stream:
 * what reaches the notifier is what passes serverless.yml's stream filter, as Lambda would apply it.
 */

/** A Monday, 12:00 in Berlin (CEST). */
const T0 = Date.parse('2026-05-04T10:00:00Z');
const streams = testDynamoDbStreamsClient();
const patterns = streamFilterPatterns('notify');

let table: TestTable;
let targets: Record<string, TargetServer>;
let deps: ProbeDeps & { stores: DynamoDbStores };
let clockMinute = 0;

const scheduledEvent = (minute: number): ScheduledEvent => createScheduledEvent(T0 + minute * 60_000);
const runAt = (minute: number) => {
  clockMinute = minute;
  return probeRun(scheduledEvent(minute), deps);
};
const minute = (n: number) => new Date(T0 + n * 60_000).toISOString();

/** What the notifier is handed, in order: alert sources from the stream records the filter passes. */
async function alertsSoFar(): Promise<string[]> {
  return (await readStream(streams, table.streamArn))
    .map((record) => toLambdaRecord(record, table.streamArn))
    .filter((record) => matchesFilterPatterns(patterns, record))
    .map((record) => alertSourceFromStreamRecord(record))
    .filter((source): source is AlertSource => source !== undefined)
    // As the notifier does: an establishment (UNKNOWN to UP) alerts nobody.
    .filter((source) => source.kind !== 'transition' || shouldNotify(source.transition))
    .map(describeAlert);
}

function describeAlert(source: AlertSource): string {
  if (source.kind === 'transition') {
    const { monitorId, to, affected } = source.transition;
    return `${monitorId} ${to}${affected ? ` (also affected: ${affected.join(', ')})` : ''}`;
  }
  if (source.kind === 'reminder') return `${source.reminder.monitorId} reminder ${source.reminder.number}`;
  return `${source.warning.monitorId} certificate`;
}

beforeAll(async () => {
  table = await createTestTable('maint-deps');
  const names = ['web', 'legacy', 'cron', 'db', 'api', 'checkout'];
  targets = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await startTargetServer('ok')] as const)));
  const config = parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
maintenance:
  - { name: Database upgrade, monitors: [web, legacy], start: "${minute(5)}", duration: 5m }
  # 12:05 to 12:10 in Berlin, every Monday: the same five minutes.
  - { name: Weekly patching, monitors: [cron], cron: "5 12 * * MON", timezone: Europe/Berlin, duration: 5m }
monitors:
  - { id: web, url: "${targets.web?.url}" }
  - { id: legacy, url: "${targets.legacy?.url}", remindEvery: 2m }
  - { id: cron, url: "${targets.cron?.url}" }
  - { id: db, name: Database, url: "${targets.db?.url}" }
  - { id: api, name: Payments API, url: "${targets.api?.url}", dependsOn: [db] }
  - { id: checkout, name: Checkout, url: "${targets.checkout?.url}", dependsOn: [api] }
`,
    'monitors.yml',
  );
  process.env.POWERTOOLS_DEV = 'true';
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  deps = {
    config,
    stores,
    maintenance: stores.maintenance,
    prober: new HttpProber(),
    metrics: new DisabledMetricsSink(),
    logger: new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'INFO' }),
    now: () => new Date(T0 + clockMinute * 60_000 + 1000),
    concurrency: 6,
    periodMs: 60_000,
  };
}, 60_000);

afterAll(async () => {
  jest.restoreAllMocks();
  await Promise.all([...Object.values(targets).map((target) => target.close()), table.drop()]);
});

const set = (behaviour: 'ok' | 'error', ...names: string[]) => names.forEach((name) => ((targets[name] as TargetServer).behaviour = behaviour));
const state = (id: string) => deps.stores.states.loadState(id);

describe('maintenance windows and dependencies, minute by minute', () => {
  it('holds back alerts inside windows and behind a parent, and sends each one it owes once', async () => {
    // Minutes 0-1: everything is established (no alert). Minute 0 on, `legacy` fails: DOWN at 1.
    set('error', 'legacy');
    await runAt(0);
    await runAt(1);
    expect(await alertsSoFar()).toEqual(['legacy DOWN']);
    await runAt(2);
    // Minute 4: web and cron start failing just before their windows (12:05 Berlin).
    await runAt(3);
    set('error', 'web', 'cron');
    await runAt(4);
    expect((await state('web'))?.failuresInRow).toBe(1);
    expect(await alertsSoFar()).toEqual(['legacy DOWN', 'legacy reminder 1']);

    // Minutes 5-9: inside the windows. web and cron keep failing, legacy recovers: checks run and
    // are stored, the state machine pauses, nothing is alerted (not even legacy's reminders).
    set('ok', 'legacy');
    for (const n of [5, 6, 7, 8, 9]) {
      const report = await runAt(n);
      expect(report.checks).toBe(6);
      expect(report.transitions).toEqual([]);
    }
    const web = await state('web');
    expect(web).toMatchObject({ status: 'UP', failuresInRow: 0 });
    expect(await state('legacy')).toMatchObject({ status: 'DOWN', successesInRow: 0 });
    expect(await alertsSoFar()).toEqual(['legacy DOWN', 'legacy reminder 1']);
    const summary = await deps.stores.runs.latestRunSummary(minute(10));
    expect(summary?.results.web).toMatchObject({ ok: false });

    // Minutes 10-11: the windows are over. web and cron still fail: one outage each, after their
    // usual threshold of two checks counted from the first check after the window.
    await runAt(10);
    expect(await alertsSoFar()).toEqual(['legacy DOWN', 'legacy reminder 1']);
    const eleven = await runAt(11);
    expect(eleven.transitions.map((transition) => `${transition.monitorId} ${transition.to} from ${transition.startedAt.slice(11, 16)}`).sort()).toEqual([
      'cron DOWN from 10:10',
      'legacy UP from 10:10',
      'web DOWN from 10:10',
    ]);
    expect((await alertsSoFar()).slice(2).sort()).toEqual(['cron DOWN', 'legacy UP', 'web DOWN']);
    set('ok', 'web', 'cron');
    await runAt(12);
    await runAt(13);
    expect((await alertsSoFar()).slice(5).sort()).toEqual(['cron UP', 'web UP']);

    // Minutes 14-15: db and the API fail together (checkout too, through the API): one alert, db's,
    // naming both; the API and checkout are DOWN, held by the monitor they depend on.
    const before = (await alertsSoFar()).length;
    set('error', 'db', 'api', 'checkout');
    await runAt(14);
    const fifteen = await runAt(15);
    expect(fifteen.transitions.map((transition) => `${transition.monitorId} ${transition.to} ${transition.heldBy ?? '-'}`).sort()).toEqual([
      'api DOWN db',
      'checkout DOWN api',
      'db DOWN -',
    ]);
    expect((await alertsSoFar()).slice(before)).toEqual(['db DOWN (also affected: api, checkout)']);
    expect(await state('api')).toMatchObject({ status: 'DOWN', heldBy: 'db' });

    // Minutes 16-17: db recovers, the API does not: db's recovery, then the API's own outage
    // alert (released, as the outage began at minute 14); checkout is still held, by the API now down.
    set('ok', 'db');
    await runAt(16);
    await runAt(17);
    expect((await alertsSoFar()).slice(before + 1)).toEqual(['db UP', 'api DOWN']);
    expect(await state('api')).not.toHaveProperty('heldBy');
    expect(await state('checkout')).toMatchObject({ status: 'DOWN', heldBy: 'api' });

    // Minutes 18-19: the API and checkout recover: the API's recovery is alerted (its outage was),
    // checkout's is not (its outage never was).
    set('ok', 'api', 'checkout');
    await runAt(18);
    const nineteen = await runAt(19);
    expect(nineteen.transitions.map((transition) => `${transition.monitorId} ${transition.to} ${transition.heldBy ?? '-'}`).sort()).toEqual([
      'api UP -',
      'checkout UP api',
    ]);
    expect((await alertsSoFar()).slice(before + 3)).toEqual(['api UP']);
    expect(await state('checkout')).toMatchObject({ status: 'UP' });
    expect(await state('checkout')).not.toHaveProperty('heldBy');
  }, 120_000);
});

describe('a run whose read of the ad-hoc windows fails', () => {
  it('applies the configured windows, logs the error and stores its results', async () => {
    const own = await createTestTable('maint-unreadable');
    const target = await startTargetServer('error');
    try {
      const config = parseMonitorsConfig(
        `notify: { from: monitor@example.com, to: [oncall@example.com] }
maintenance:
  - { name: Upgrade, start: "${minute(0)}", duration: 10m }
monitors:
  - { id: web, url: "${target.url}" }
`,
        'monitors.yml',
      );
      const errors: string[] = [];
      const logger = new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'INFO' });
      jest.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => void errors.push(String(args[0])));
      const stores = createDynamoDbStores({ client: own.client, tableName: own.tableName });
      const runDeps: ProbeDeps = {
        ...deps,
        config,
        stores,
        logger,
        maintenance: { listAdHocWindows: () => Promise.reject(new Error('ProvisionedThroughputExceededException')) },
      };
      for (const n of [1, 2, 3]) {
        clockMinute = n;
        const report = await probeRun(scheduledEvent(n), runDeps);
        expect(report).toMatchObject({ checks: 1, transitions: [] });
      }
      expect(errors).toContain('could not read the ad-hoc maintenance windows; this run applies the configured ones only');
      expect(await stores.states.loadState('web')).toBeUndefined();
    } finally {
      await Promise.all([target.close(), own.drop()]);
    }
  });
});
