/**
 * What the API's costliest reads take, through the real handler (routing and error middleware, no
 * response cache) against DynamoDB Local with months of history written straight into the table
 * (tools/bench/read-history.ts): latency percentiles over repeated requests, and the read units
 * DynamoDB Local reports per request (ReturnConsumedCapacity, tools/bench/dynamodb-meter.ts). Each
 * row against Step 12's goal and the figure before it where one was measured.
 *
 * Run alone: `npx tsx tools/bench/api-reads.ts`, or with the bench: `npm run bench -- --api`.
 * Latency here is this machine's, DynamoDB Local's and one request at a time; on Lambda a request
 * also pays API Gateway and the network to DynamoDB, and 256 MB is about a seventh of a vCPU.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import path from 'node:path';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { ROLLUP_MONITORS_PER_ITEM } from '../../lib/adapters/dynamodb-run-rollup-store';
import type { ApiDeps } from '../../lib/app/api-deps';
import { DAY_MS } from '../../lib/domain/time';
import { mapApiErrors } from '../../lib/http/errors';
import { MAX_RANGE_DAYS } from '../../lib/http/query';
import { createApiRouter } from '../../lib/http/routes';
import { createHttpApiEvent, createLambdaContext } from '../../test/fixtures/http-api-event';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { freePort } from '../local/free-port';
import { tableDefinition } from '../local/table-definition';
import { DynamoDbMeter } from './dynamodb-meter';
import { seedReadHistory, type ReadHistoryOptions } from './read-history';

/** Now in the generated history: half past the hour, so a window's first and last hours are cut (the usual case). */
const NOW_MS = Date.parse('2026-11-17T12:30:00.000Z');

export interface ApiReadRow {
  name: string;
  target: string;
  monitors: number;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  readUnits: number;
  /** Read units a request, by the kind of partition read (`MON`, `ROLLUP_DAY`, ...). */
  readUnitsByKind: Record<string, number>;
  goal: { p95Ms: number; readUnits: number };
  /** The figures before Step 12, where they were measured (the issue's). */
  before?: { p95Ms?: number; readUnits: number };
}

interface Scenario {
  name: string;
  target: string;
  requests: number;
  history: Omit<ReadHistoryOptions, 'nowMs'>;
  goal: ApiReadRow['goal'];
  before?: ApiReadRow['before'];
}

const iso = (ms: number) => new Date(ms).toISOString();
/** The whole month before NOW_MS, as a monthly report is usually asked for. */
const REPORT_MONTH = '2026-10';

/**
 * A full rollup bucket (16 monitors, so each item carries the most figures), 400 days of days, and
 * hours for the last 31 days: these requests read hours only at a range's edges, and an edge
 * further back than that lies past the hours kept by default (HOURLY_ROLLUP_RETENTION_DAYS) for the
 * 400-day range, so the hours between are never read and writing them would only slow the bench.
 */
const LONG_HISTORY: Omit<ReadHistoryOptions, 'nowMs'> = {
  monitors: ROLLUP_MONITORS_PER_ITEM,
  days: MAX_RANGE_DAYS + 1,
  hourDays: 31,
  outageEveryDays: 7,
  transitionDays: 400,
};

export const API_READ_SCENARIOS: readonly Scenario[] = [
  {
    name: 'uptime 30d',
    target: '/monitors/monitor-0000/uptime?window=30d',
    requests: 200,
    history: LONG_HISTORY,
    goal: { p95Ms: 50, readUnits: 10 },
    before: { p95Ms: 69.5, readUnits: 27.5 },
  },
  {
    name: 'uptime 400 days',
    target: `/monitors/monitor-0000/uptime?from=${iso(NOW_MS - 400 * DAY_MS)}&to=${iso(NOW_MS)}`,
    requests: 100,
    history: LONG_HISTORY,
    goal: { p95Ms: 80, readUnits: 60 },
    before: { readUnits: 1300 },
  },
  {
    name: 'status page, 100 monitors, 90 days',
    target: '/',
    requests: 40,
    history: { monitors: 100, days: 2, hourDays: 2, outageEveryDays: 14, transitionDays: 120 },
    goal: { p95Ms: 150, readUnits: 150 },
  },
  {
    name: 'report, 1,000 monitors',
    target: `/report?month=${REPORT_MONTH}`,
    requests: 10,
    // One monitor in ten flaps (an outage every 10 days), the others stay up: a transition each.
    history: { monitors: 1000, days: 0, hourDays: 0, outageEveryDays: 10, transitionDays: 70, monitorsWithOutages: 100 },
    goal: { p95Ms: 2000, readUnits: 1000 },
  },
];

function percentile(sorted: readonly number[], percent: number): number {
  return sorted[Math.max(0, Math.ceil((percent / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Seeds one table per history, then measures each scenario: a few requests to warm up, then `requests` one after another. */
export async function measureApiReads(options: { endpoint: string; tablePrefix: string; log?: (line: string) => void }): Promise<ApiReadRow[]> {
  const client = new DynamoDBClient({ endpoint: options.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const meter = new DynamoDbMeter(client);
  const logger = new Logger({ serviceName: 'bench', logLevel: 'SILENT' });
  const seeded = new Map<Omit<ReadHistoryOptions, 'nowMs'>, { deps: ApiDeps }>();
  const rows: ApiReadRow[] = [];
  try {
    for (const scenario of API_READ_SCENARIOS) {
      let table = seeded.get(scenario.history);
      if (!table) {
        const tableName = `${options.tablePrefix}-${seeded.size}`;
        await client.send(new CreateTableCommand(tableDefinition(tableName)));
        const started = Date.now();
        const history = await seedReadHistory({ client, tableName }, { ...scenario.history, nowMs: NOW_MS, concurrency: 24 });
        const stores = createDynamoDbStores({ client, tableName });
        options.log?.(`api reads: seeded ${scenario.history.monitors} monitors' history in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        table = { deps: { ...stores, config: history.config, now: () => new Date(NOW_MS) } };
        seeded.set(scenario.history, table);
      }
      const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
        .use(mapApiErrors(logger))
        .handler(createApiRouter(table.deps));
      const [rawPath = '/', rawQueryString = ''] = scenario.target.split('?');
      const call = async () => {
        const result = await handler(createHttpApiEvent(rawPath, { rawQueryString, headers: { accept: '*/*' } }), createLambdaContext());
        if (result.statusCode !== 200) throw new Error(`api reads: ${scenario.target} answered ${result.statusCode}: ${result.body}`);
      };
      for (let i = 0; i < Math.min(10, scenario.requests); i += 1) await call();
      meter.take();
      const times: number[] = [];
      for (let i = 0; i < scenario.requests; i += 1) {
        const started = performance.now();
        await call();
        times.push(performance.now() - started);
      }
      const reading = meter.take();
      times.sort((a, b) => a - b);
      const round = (value: number) => Math.round(value * 10) / 10;
      rows.push({
        name: scenario.name,
        target: scenario.target,
        monitors: scenario.history.monitors,
        requests: scenario.requests,
        p50Ms: round(percentile(times, 50)),
        p95Ms: round(percentile(times, 95)),
        readUnits: round(reading.readUnits / scenario.requests),
        readUnitsByKind: Object.fromEntries(Object.entries(reading.readByKind).map(([kind, usage]) => [kind, round(usage.readUnits / scenario.requests)])),
        goal: scenario.goal,
        ...(scenario.before ? { before: scenario.before } : {}),
      });
    }
  } finally {
    client.destroy();
  }
  return rows;
}

/** One line per row: the figures, the goal, met or not, and the figure before. */
export function formatApiRead(row: ApiReadRow): string {
  const met = row.p95Ms <= row.goal.p95Ms && row.readUnits <= row.goal.readUnits;
  const before = row.before ? `; before Step 12: ${row.before.p95Ms === undefined ? '' : `p95 ${row.before.p95Ms} ms, `}${row.before.readUnits} RRU` : '';
  return (
    `api read ${row.name}: GET ${row.target.length > 60 ? `${row.target.slice(0, 57)}...` : row.target}: p50 ${row.p50Ms} ms, p95 ${row.p95Ms} ms, ` +
    `${row.readUnits} RRU a request (${Object.entries(row.readUnitsByKind).filter(([, units]) => units > 0).sort(([, a], [, b]) => b - a).map(([kind, units]) => `${kind} ${units}`).join(', ')}; ` +
    `${row.requests} requests, no cache); goal p95 <= ${row.goal.p95Ms} ms and <= ${row.goal.readUnits} RRU: ${met ? 'met' : 'NOT met'}${before}`
  );
}

if (require.main === module) {
  void (async () => {
    const dynamo = await startDynamoDbLocal({ port: await freePort(), cacheDir: path.join(__dirname, '..', '..', 'node_modules', '.cache', 'uptime-monitor') });
    try {
      const rows = await measureApiReads({ endpoint: dynamo.endpoint, tablePrefix: 'api-reads', log: console.log });
      for (const row of rows) console.log(formatApiRead(row));
    } finally {
      await dynamo.stop();
    }
  })().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
