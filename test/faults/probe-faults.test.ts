import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { createServer } from 'node:http';
import { probeRun, PROBE_SAFETY_MS, type ProbeDeps } from '../../lib/app/probe-run';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import type { ProbeTiming } from '../../lib/app/probe-cycle';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { MonitorsConfig } from '../../lib/domain/types';
import { createLambdaContext } from '../fixtures/lambda-context';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { quickRetryStrategy } from '../support/faults';
import { startOnLoopback, type LoopbackServer } from '../support/http-answers';
import { createScheduledEvent } from '../fixtures/scheduled-event';

/**
 * The probe under a Lambda deadline, overlapping runs, late deliveries and DynamoDB throttling,
 * against real targets on 127.0.0.1 and DynamoDB Local.
 */
jest.setTimeout(30_000);

const T0 = Date.parse('2026-07-01T08:00:00Z');
const TIMING: ProbeTiming = { applyReserveMs: 800, pollMs: 20, leaseSlackMs: 300 };

let target: LoopbackServer;
let base: string;
const tables: TestTable[] = [];
const clients: DynamoDBClient[] = [];

beforeAll(async () => {
  const server = createServer((request, response) => {
    request.resume();
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/ok') response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"OK"}');
    else if (path === '/fail') response.writeHead(503).end('unavailable');
    else if (path === '/slow-fail') setTimeout(() => response.writeHead(503).end('unavailable'), 600);
    else if (path === '/drip') {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => response.write(' '), 1000);
      response.once('close', () => clearInterval(timer));
    }
    // '/hang': never answers
  });
  target = await startOnLoopback(server);
  base = target.baseUrl;
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await target.close();
  await Promise.all(tables.map((table) => table.drop()));
});

const silent = new Logger({ serviceName: 'probe-faults', logLevel: 'SILENT' });

const scheduledEvent = (minute: number): ScheduledEvent => createScheduledEvent(T0 + minute * 60_000);

/** One monitor, `api`, whose URL each run sets (the world as it is at that run's tick). */
function configFor(path: string, extra = ''): MonitorsConfig {
  return parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: api, url: "${base}${path}", timeout: 5s }
${extra}`,
    'monitors.yml',
  );
}

function depsFor(table: TestTable, minute: number, config: MonitorsConfig, client: DynamoDBClient = table.client, logger: Logger = silent): ProbeDeps {
  return {
    config,
    stores: createDynamoDbStores({ client, tableName: table.tableName }),
    prober: new HttpProber(),
    metrics: new DisabledMetricsSink(),
    logger,
    now: () => new Date(T0 + minute * 60_000 + 1000),
    concurrency: 4,
    periodMs: 60_000,
    timing: TIMING,
  };
}

async function freshTable(): Promise<{ table: TestTable; stores: DynamoDbStores }> {
  const table = await createTestTable('probe-faults');
  tables.push(table);
  return { table, stores: createDynamoDbStores({ client: table.client, tableName: table.tableName }) };
}

const run = (table: TestTable, minute: number, path: string) =>
  probeRun(scheduledEvent(minute), depsFor(table, minute, configFor(path)), createLambdaContext({ timeoutMs: 20_000 }));

describe('deadline', () => {
  it('cuts probes short before the Lambda timeout, still stores the others and the run summary, and returns in time', async () => {
    const { table, stores } = await freshTable();
    const config = configFor(
      '/ok',
      `  - { id: web, url: "${base}/ok", timeout: 30s }
  - { id: hangs, url: "${base}/hang", timeout: 30s }
  - { id: drips, url: "${base}/drip", timeout: 30s, expect: { json: { status: OK } } }
`,
    );
    const logged: string[] = [];
    const logger = new (class extends Logger {
      override warn(...args: Parameters<Logger['warn']>): void {
        logged.push(JSON.stringify(args));
      }
    })({ logLevel: 'WARN' });
    const timeoutMs = 3_000;
    const started = performance.now();

    const report = await probeRun(scheduledEvent(0), depsFor(table, 0, config, table.client, logger), createLambdaContext({ timeoutMs }));

    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(timeoutMs - PROBE_SAFETY_MS + 200);
    expect(elapsed).toBeGreaterThan(timeoutMs - PROBE_SAFETY_MS - TIMING.applyReserveMs - 200);
    expect(report).toMatchObject({ duplicate: false, checks: 2, failures: 0 });
    expect([...report.cutShort].sort()).toEqual(['drips', 'hangs']);
    // What it had is stored: the two finished checks moved their monitors' counters.
    const states = await stores.states.loadStates();
    expect(states.get('api')).toMatchObject({ successesInRow: 1, failuresInRow: 0 });
    expect(states.get('web')).toMatchObject({ successesInRow: 1, failuresInRow: 0 });
    // A probe cut short is neither up nor down: no failure counted against the slow targets.
    expect(states.has('hangs')).toBe(false);
    expect(states.has('drips')).toBe(false);
    const summary = await stores.runs.latestRunSummary(new Date(T0 + 60_000).toISOString());
    expect(Object.keys(summary?.results ?? {}).sort()).toEqual(['api', 'web']);
    expect(logged.some((line) => line.includes('probes cut short') && line.includes('hangs'))).toBe(true);
  });

  it('with no time left for probing at all, probes nothing, counts nothing, and still records the run', async () => {
    const { table, stores } = await freshTable();
    const report = await probeRun(scheduledEvent(0), depsFor(table, 0, configFor('/ok')), createLambdaContext({ timeoutMs: PROBE_SAFETY_MS + TIMING.applyReserveMs }));
    expect(report).toMatchObject({ checks: 0, cutShort: ['api'] });
    expect(await stores.runs.hasRunSummary(new Date(T0).toISOString())).toBe(true);
  });
});

describe('overlapping runs', () => {
  it('a run that probed first but stored last cannot make a later, steady run’s success vanish (no false alarm)', async () => {
    const { table, stores } = await freshTable();
    await run(table, 0, '/ok');
    await run(table, 1, '/ok');
    expect((await stores.states.loadState('api'))?.status).toBe('UP');

    // Tick 2 fails slowly; tick 3 starts while tick 2 is still probing, succeeds at once and
    // changes nothing (a steady UP monitor is not written). Tick 4 fails again.
    const slow = run(table, 2, '/slow-fail');
    await new Promise((resolve) => setTimeout(resolve, 150));
    const fast = run(table, 3, '/ok');
    const [second, third] = await Promise.all([slow, fast]);
    expect([second.notApplied, third.notApplied]).toEqual([undefined, undefined]);
    const fourth = await run(table, 4, '/fail');

    // Fail, succeed, fail: never two failures in a row, so never an outage.
    expect(fourth.transitions).toEqual([]);
    expect(await stores.states.loadState('api')).toMatchObject({ status: 'UP', failuresInRow: 1 });
    expect((await stores.transitions.listTransitions('api')).map((t) => t.to)).toEqual(['UP']);
  });

  it('a delivery of an older tick that arrives after a newer tick was stored is stale and stores nothing', async () => {
    const { table, stores } = await freshTable();
    await run(table, 0, '/ok');
    await run(table, 1, '/ok');
    await run(table, 3, '/fail');
    const before = await stores.states.loadState('api');

    const late = await run(table, 2, '/fail');

    expect(late.notApplied).toBe('superseded');
    expect(late.transitions).toEqual([]);
    expect(await stores.states.loadState('api')).toEqual(before);
  });

  it('two deliveries of the same tick at once count its result once', async () => {
    const { table, stores } = await freshTable();
    await run(table, 0, '/ok');
    await run(table, 1, '/ok');
    const reports = await Promise.all([run(table, 2, '/fail'), run(table, 2, '/fail')]);
    expect(reports.filter((report) => report.duplicate)).toHaveLength(1);
    expect(await stores.states.loadState('api')).toMatchObject({ status: 'UP', failuresInRow: 1 });
  });
});

describe('a run that died', () => {
  it('holding the apply lock and its run-start lease holds the next run up for seconds, not for its whole timeout', async () => {
    const { table, stores } = await freshTable();
    // Local stack speed: a tick every 2 s.
    const at = (tick: number) => T0 + tick * 2_000;
    const runAt = (tick: number, path: string) =>
      probeRun(
        { ...scheduledEvent(0), time: new Date(at(tick)).toISOString() },
        { ...depsFor(table, 0, configFor(path)), now: () => new Date(at(tick) + 100), periodMs: 2_000 },
        createLambdaContext({ timeoutMs: 20_000 }),
      );
    await runAt(0, '/ok');
    await runAt(1, '/ok');
    // Tick 2's run was killed (a Ctrl-C, a crash) while storing: its run-start marker has 60 s
    // left and it holds the lock, whose lease lasts only as long as storing may.
    const dead = new Date(at(2)).toISOString();
    await stores.markers.markRunStarted(dead, Date.now() + 60_000);
    expect(await stores.lock.acquireApplyLock(dead, 'the-dead-run', Date.now() + TIMING.applyReserveMs + TIMING.leaseSlackMs, Date.now())).toBe('acquired');
    const started = performance.now();

    const next = await runAt(3, '/fail');

    const waited = performance.now() - started;
    expect(next.notApplied).toBeUndefined();
    expect(await stores.states.loadState('api')).toMatchObject({ status: 'UP', failuresInRow: 1 });
    expect(waited).toBeGreaterThan(TIMING.applyReserveMs);
    expect(waited).toBeLessThan(2_000 + TIMING.applyReserveMs + TIMING.leaseSlackMs + 1_000);
  });
});

describe('DynamoDB throttling', () => {
  it('beyond the SDK’s retries fails the run; Lambda’s retry stores the tick once', async () => {
    const { table, stores } = await freshTable();
    await run(table, 0, '/ok');
    await run(table, 1, '/ok');
    await run(table, 2, '/fail');
    // Every attempt of every write is throttled during the first invocation.
    const throttled = new DynamoDBClient({
      endpoint: process.env.TEST_DYNAMODB_ENDPOINT,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      retryStrategy: quickRetryStrategy(3),
    });
    clients.push(throttled);
    let attempts = 0;
    throttled.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand' || context.commandName === 'TransactWriteItemsCommand') {
          attempts += 1;
          throw new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
        }
        return next(args);
      },
      { step: 'deserialize', name: 'throttleWrites' },
    );

    await expect(
      probeRun(scheduledEvent(3), depsFor(table, 3, configFor('/fail'), throttled), createLambdaContext({ timeoutMs: 20_000 })),
    ).rejects.toThrow(ProvisionedThroughputExceededException);
    expect(attempts).toBe(3);

    const retried = await run(table, 3, '/fail');
    const again = await run(table, 3, '/fail');

    expect(retried.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['UP->DOWN']);
    expect(again.duplicate).toBe(true);
    expect((await stores.transitions.listTransitions('api')).map((t) => t.to)).toEqual(['UP', 'DOWN']);
  });
});
