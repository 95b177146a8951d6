/**
 * How fast and how costly is `GET /monitors/{id}/uptime?window=30d` for a monitor with 30 days of
 * 1-minute history? Run: `npx tsx tools/bench/uptime-p95.ts` (add `--monitors 10 --requests 500` to
 * change the set-up). Needs Java for DynamoDB Local; takes a few minutes, most of it seeding.
 *
 * It starts its own in-memory DynamoDB Local, creates the table as serverless.yml defines it, and
 * replays 30 days and an hour of 1-minute checks of every monitor through the real state machine
 * and store: one run summary per minute (43,260), the transitions of a few outages, and the hourly
 * rollups the probe writes a few minutes after each hour. Then it calls the API function's handler
 * (routing and error middleware included, as Lambda would) over and over, and reports latency
 * percentiles and the read capacity DynamoDB Local says each request consumed. For comparison it
 * also measures the same request without rollups (every run summary of the window read raw), the
 * status page, and the status page's size. Results go to bench-results/uptime-p95.json as well.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand, DynamoDBClient as Client } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { ApiDeps } from '../../lib/app/api-deps';
import { mapApiErrors } from '../../lib/http/errors';
import { createApiRouter } from '../../lib/http/routes';
import { DynamoDbRunRollupStore } from '../../lib/adapters/dynamodb-run-rollup-store';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { freePort } from '../local/free-port';
import { tableDefinition } from '../local/table-definition';
import { createHttpApiEvent, createLambdaContext } from '../../test/fixtures/http-api-event';
import { scriptMonitor, seedHistory } from '../../test/support/history';
import { MINUTE_MS, HOUR_MS, DAY_MS } from '../../lib/domain/time';

const ROOT = path.join(__dirname, '..', '..');

const { values: args } = parseArgs({
  options: {
    monitors: { type: 'string', default: '5' },
    requests: { type: 'string', default: '300' },
    'raw-requests': { type: 'string', default: '10' },
  },
});
const MONITORS = Number(args.monitors);
const REQUESTS = Number(args.requests);
const RAW_REQUESTS = Number(args['raw-requests']);
/** Now: half past the hour, so the window's first and last hours are cut (the usual case). */
const NOW_MS = Date.parse('2024-05-31T12:30:00Z');

/** Counts the read units DynamoDB reports for every request the client sends. */
function meterCapacity(client: DynamoDBClient): { units: number } {
  const meter = { units: 0 };
  client.middlewareStack.add(
    (next) => async (handlerArgs) => {
      (handlerArgs.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(handlerArgs);
      meter.units += (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'capacityMeter' },
  );
  return meter;
}

function percentile(sorted: readonly number[], percent: number): number {
  return sorted[Math.max(0, Math.ceil((percent / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface Measured {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  readUnitsPerRequest: number;
}

async function measure(deps: ApiDeps, meter: { units: number }, target: string, requests: number, warmUp: number): Promise<Measured & { body: string }> {
  const logger = new Logger({ serviceName: 'bench', logLevel: 'SILENT' });
  const invoke = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(mapApiErrors(logger))
    .handler(createApiRouter(deps));
  const [rawPath = '/', rawQueryString = ''] = target.split('?');
  const call = async () => {
    const result = await invoke(createHttpApiEvent(rawPath, { rawQueryString }), createLambdaContext());
    if (result.statusCode !== 200) throw new Error(`${target}: ${result.statusCode} ${result.body}`);
    return result.body ?? '';
  };
  for (let i = 0; i < warmUp; i += 1) await call();
  meter.units = 0;
  const times: number[] = [];
  let body = '';
  for (let i = 0; i < requests; i += 1) {
    const started = performance.now();
    body = await call();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    requests,
    p50Ms: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
    p99Ms: round(percentile(times, 99)),
    maxMs: round(times.at(-1) ?? Number.NaN),
    readUnitsPerRequest: Math.round((meter.units / requests) * 100) / 100,
    body,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const log = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);
  const dynamo = await startDynamoDbLocal({ port: await freePort(), cacheDir: path.join(ROOT, 'node_modules', '.cache', 'uptime-monitor') });
  try {
    const client = () => new Client({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const tableName = 'bench';
    const setupClient = client();
    await setupClient.send(new CreateTableCommand(tableDefinition(tableName)));
    const config = parseMonitorsConfig(
      `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
${Array.from({ length: MONITORS }, (_, i) => `  - { id: monitor-${i}, name: Monitor ${i}, url: "https://m${i}.example.com/health" }`).join('\n')}
`,
      'bench-monitors.yml',
    );
    const { rollups, ...stores } = createDynamoDbStores({ client: setupClient, tableName });

    log(`seeding ${MONITORS} monitors x 30 days + 1 hour of 1-minute checks through the state machine and store`);
    const fromMs = NOW_MS - 30 * DAY_MS - HOUR_MS;
    const seeded = await seedHistory(
      stores,
      rollups,
      config.monitors.map((monitor, index) =>
        scriptMonitor(monitor, {
          // A few outages per monitor, spread over the month.
          outages: [3, 11, 19, 26].map((day) => ({ fromMs: NOW_MS - day * DAY_MS + index * HOUR_MS, toMs: NOW_MS - day * DAY_MS + index * HOUR_MS + (10 + index * 7) * MINUTE_MS })),
          latencyMs: (tickEpochMs) => 80 + index * 40 + Math.round(60 * Math.abs(Math.sin(tickEpochMs / (7 * HOUR_MS)))) + ((tickEpochMs / MINUTE_MS) % 17) * 2,
        }),
      ),
      { fromMs, toMs: NOW_MS, stepMs: MINUTE_MS, summariesFromMs: fromMs, rollUpUntilMs: NOW_MS - 20 * MINUTE_MS, concurrency: 48 },
    );
    log(`seeded ${seeded.summaries.length} run summaries, ${seeded.transitions.length} transitions, ${seeded.rolledUpHours} rolled-up hours`);

    const measuredClient = client();
    const meter = meterCapacity(measuredClient);
    const deps: ApiDeps = {
      ...createDynamoDbStores({ client: measuredClient, tableName }),
      config,
      now: () => new Date(NOW_MS),
    };
    const target = '/monitors/monitor-0/uptime?window=30d';
    const loadBefore = loadavg()[0];
    log(`measuring ${target}: ${REQUESTS} requests after 20 to warm up (load average ${loadBefore?.toFixed(2)} on ${cpus().length} CPUs)`);
    const { body, ...withRollups } = await measure(deps, meter, target, REQUESTS, 20);
    const loadAfter = loadavg()[0];
    log(`with rollups: ${JSON.stringify(withRollups)} (load average ${loadAfter?.toFixed(2)})`);
    log(`answer: ${body}`);

    // The same figures with nothing rolled up: a rollup store over a table that has none.
    await setupClient.send(new CreateTableCommand(tableDefinition('bench-no-rollups')));
    const rawDeps: ApiDeps = { ...deps, rollups: new DynamoDbRunRollupStore({ client: measuredClient, tableName: 'bench-no-rollups' }) };
    log(`measuring the same without rollups (all 43,200 run summaries read raw): ${RAW_REQUESTS} requests`);
    const { body: rawBody, ...rawOnly } = await measure(rawDeps, meter, target, RAW_REQUESTS, 1);
    const same = JSON.stringify(JSON.parse(rawBody)) === JSON.stringify(JSON.parse(body));
    log(`raw only: ${JSON.stringify(rawOnly)}; same answer: ${same}`);

    log('measuring GET / (the status page)');
    const { body: page, ...statusPage } = await measure(deps, meter, '/', 50, 5);
    const pageBytes = Buffer.byteLength(page);
    const pageGzipBytes = gzipSync(page).length;
    log(`status page: ${JSON.stringify(statusPage)}; ${pageBytes} bytes (${pageGzipBytes} gzipped) for ${MONITORS} monitors`);

    const results = {
      measuredAt: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadAverage: { before: loadBefore, after: loadAfter },
      setup: { monitors: MONITORS, runSummaries: seeded.summaries.length, transitions: seeded.transitions.length, rolledUpHours: seeded.rolledUpHours },
      uptime30d: { target, withRollups, rawOnly, sameAnswer: same },
      statusPage: { ...statusPage, bytes: pageBytes, gzipBytes: pageGzipBytes },
    };
    mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench-results', 'uptime-p95.json'), `${JSON.stringify(results, null, 2)}\n`);
    log('written to bench-results/uptime-p95.json');
    if (!same) process.exitCode = 1;
  } finally {
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
