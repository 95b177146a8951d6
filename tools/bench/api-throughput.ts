/**
 * How many requests a second does one warm api function serve from its response cache? The status
 * page under a crowd (README, "Status page under a crowd"): without the CDN, every viewer's request
 * reaches the function, and the in-memory cache (lib/http/response-cache.ts: 10 s for `/`, 30 s for
 * a badge) is what keeps the table out of it.
 *
 * Run alone: `npx tsx tools/bench/api-throughput.ts [--monitors 20] [--seconds 3]`, or with the bench:
 * `npm run bench -- --api`. Starts its own DynamoDB Local unless given an endpoint, seeds a day and
 * an hour of 1-minute history of `monitors` monitors through the real state machine and stores,
 * builds the api function as functions/api.ts does (the router over the DynamoDB stores, one
 * ResponseCache, the error middleware), warms the cache with one request, then calls the handler
 * in-process, one request after another (a Lambda instance serves one at a time), for `seconds`
 * seconds per target, each answer serialised to JSON as the Lambda runtime does. Not measured: the
 * runtime's own hop per invocation and API Gateway; and this machine's CPU is not Lambda's (256 MB
 * is about 0.145 of a vCPU). It counts the DynamoDB requests made meanwhile: the cache refills at most
 * once per its time to live, so they should be few.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import type { ApiDeps } from '../../lib/app/api-deps';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lib/domain/time';
import { mapApiErrors } from '../../lib/http/errors';
import { ResponseCache } from '../../lib/http/response-cache';
import { createApiRouter } from '../../lib/http/routes';
import { createHttpApiEvent, createLambdaContext } from '../../test/fixtures/http-api-event';
import { scriptMonitor, seedHistory } from '../../test/support/history';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { freePort } from '../local/free-port';
import { tableDefinition } from '../local/table-definition';

const ROOT = path.join(__dirname, '..', '..');

export interface ApiThroughputOptions {
  /** DynamoDB Local's endpoint. */
  endpoint: string;
  /** A table name not yet used on that endpoint. */
  tableName: string;
  monitors: number;
  /** How long each target is measured for. */
  seconds: number;
}

export interface ApiThroughput {
  /** The request, path and query. */
  target: string;
  requests: number;
  seconds: number;
  perSecond: number;
  /** DynamoDB requests made while measuring: the cache's refills. */
  tableRequests: number;
  /** The answer's body in bytes. */
  bytes: number;
  /** The answer as the Lambda runtime hands it on (JSON), in characters. */
  serialisedBytes: number;
  /** The body gzipped, about what a CDN that compresses sends a browser. */
  gzipBytes: number;
}

/** The status page, and one badge with a window (the query string the CDN keys badges by). */
export const API_THROUGHPUT_TARGETS = ['/', '/badges/monitor-0/uptime.svg?window=24h'] as const;

/** Counts the requests a client sends. */
function countRequests(client: DynamoDBClient): { requests: number } {
  const counter = { requests: 0 };
  client.middlewareStack.add(
    (next) => async (handlerArgs) => {
      counter.requests += 1;
      return next(handlerArgs);
    },
    { step: 'initialize', name: 'requestCounter' },
  );
  return counter;
}

/** Seeds the table, warms the cache and measures each of API_THROUGHPUT_TARGETS in turn. */
export async function measureApiThroughput(options: ApiThroughputOptions): Promise<ApiThroughput[]> {
  const client = new DynamoDBClient({ endpoint: options.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  try {
    await client.send(new CreateTableCommand(tableDefinition(options.tableName)));
    const config = parseMonitorsConfig(
      [
        'notify: { from: monitor@example.com, to: [oncall@example.com] }',
        'monitors:',
        ...Array.from({ length: options.monitors }, (_, i) => `  - { id: monitor-${i}, name: Monitor ${i}, url: "https://m${i}.example.com/health" }`),
      ].join('\n'),
      'bench-monitors.yml',
    );
    const stores = createDynamoDbStores({ client, tableName: options.tableName });
    // The API reads the wall clock (the cache's time to live is real time): history up to this minute.
    const toMs = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    const fromMs = toMs - DAY_MS - HOUR_MS;
    await seedHistory(
      stores,
      stores.rollups,
      config.monitors.map((monitor, index) =>
        scriptMonitor(monitor, {
          outages: [{ fromMs: toMs - 5 * HOUR_MS + index * MINUTE_MS, toMs: toMs - 5 * HOUR_MS + (index + 10) * MINUTE_MS }],
          latencyMs: (tickEpochMs) => 80 + index * 10 + ((tickEpochMs / MINUTE_MS) % 17) * 2,
        }),
      ),
      { fromMs, toMs, stepMs: MINUTE_MS, summariesFromMs: fromMs, rollUpUntilMs: toMs - 20 * MINUTE_MS, concurrency: 48 },
    );

    const counter = countRequests(client);
    const deps: ApiDeps = { ...createDynamoDbStores({ client, tableName: options.tableName }), config, now: () => new Date() };
    // As functions/api.ts composes it, less Powertools' context injection, which adds nothing per request here.
    const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
      .use(mapApiErrors(new Logger({ serviceName: 'bench', logLevel: 'SILENT' })))
      .handler(createApiRouter(deps, { responseCache: new ResponseCache() }));
    const context = createLambdaContext();
    let serialisedBytes = 0;

    const results: ApiThroughput[] = [];
    for (const target of API_THROUGHPUT_TARGETS) {
      const [rawPath = '/', rawQueryString = ''] = target.split('?');
      const call = async (): Promise<string> => {
        const result = await handler(createHttpApiEvent(rawPath, { rawQueryString, headers: { accept: '*/*' } }), context);
        if (result.statusCode !== 200) throw new Error(`api throughput: ${target} answered ${result.statusCode}: ${result.body}`);
        // The Lambda runtime serialises each answer to JSON to hand it to API Gateway: count that too.
        serialisedBytes = JSON.stringify(result).length;
        return result.body ?? '';
      };
      const body = await call(); // fills the cache (and warms the JIT for what follows)
      for (let i = 0; i < 200; i += 1) await call();
      counter.requests = 0;
      let requests = 0;
      const started = performance.now();
      const endAt = started + options.seconds * 1000;
      while (performance.now() < endAt) {
        await call();
        requests += 1;
      }
      const seconds = (performance.now() - started) / 1000;
      results.push({
        target,
        requests,
        seconds,
        perSecond: Math.round(requests / seconds),
        tableRequests: counter.requests,
        bytes: Buffer.byteLength(body),
        serialisedBytes,
        gzipBytes: gzipSync(body).length,
      });
    }
    return results;
  } finally {
    client.destroy();
  }
}

/** The line `npm run bench -- --api` prints for one target. */
export function formatApiThroughput(result: ApiThroughput): string {
  return (
    `api: GET ${result.target} served ${result.perSecond} requests/s warm (handler in-process, cache warm; ` +
    `${result.requests} requests in ${result.seconds.toFixed(1)} s, ${result.tableRequests} DynamoDB requests meanwhile, ${result.bytes} bytes each, ${result.gzipBytes} gzipped)`
  );
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { monitors: { type: 'string', default: '20' }, seconds: { type: 'string', default: '3' } } });
  const dynamo = await startDynamoDbLocal({ port: await freePort(), cacheDir: path.join(ROOT, 'node_modules', '.cache', 'uptime-monitor') });
  try {
    const results = await measureApiThroughput({ endpoint: dynamo.endpoint, tableName: 'bench-api', monitors: Number(args.monitors), seconds: Number(args.seconds) });
    for (const result of results) console.log(formatApiThroughput(result));
  } finally {
    await dynamo.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
