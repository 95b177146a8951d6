import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LEDGER_PK } from '../../lib/adapters/dynamodb-notification-ledger';
import { createLambdaContext } from '../fixtures/lambda-context';
import { createScheduledEvent } from '../fixtures/scheduled-event';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { matchesFilterPatterns, readStream, streamFilterPatterns, testDynamoDbStreamsClient, toLambdaRecord, toStreamEvent } from '../support/stream-records';
import { startTargetServer, type TargetServer } from '../support/target-server';

/**
 * One smoke test per handler: the real exported `handler` (middy chain, deps built from the
 * environment) against DynamoDB Local. Everything else tests lib/ directly.
 */

const T0 = Date.parse('2026-06-01T09:00:00Z');
const ENV_KEYS = ['TABLE_NAME', 'MONITORS_FILE', 'METRICS_ENABLED', 'PROBE_PERIOD', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_LAMBDA_FUNCTION_NAME', 'POWERTOOLS_LOG_LEVEL'];

let table: TestTable;
let target: TargetServer;
let scratch: string;
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  [table, target] = await Promise.all([createTestTable('handlers'), startTargetServer('ok')]);
  scratch = mkdtempSync(path.join(tmpdir(), 'handlers-'));
  const monitorsFile = path.join(scratch, 'monitors.yml');
  writeFileSync(monitorsFile, `notify: { from: monitor@example.com, to: [oncall@example.com] }\nmonitors:\n  - { id: smoke, name: Smoke, url: "${target.url}" }\n`);
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    MONITORS_FILE: monitorsFile,
    METRICS_ENABLED: 'false',
    PROBE_PERIOD: '1m',
    AWS_ENDPOINT_URL_DYNAMODB: process.env.TEST_DYNAMODB_ENDPOINT,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
});

afterAll(async () => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(scratch, { recursive: true, force: true });
  await Promise.all([table.drop(), target.close()]);
});

const scheduledEvent = (minute: number): ScheduledEvent => createScheduledEvent(T0 + minute * 60_000);

it('probe and notify handlers: two scheduled runs establish the monitor, and the notifier records the transition it needs no email for', async () => {
  const { handler: probe } = await import('../../functions/probe');
  const first = await probe(scheduledEvent(0), createLambdaContext({ functionName: 'uptime-monitor-test-probe' }));
  const second = await probe(scheduledEvent(1), createLambdaContext({ functionName: 'uptime-monitor-test-probe' }));
  expect([first.checks, second.checks, second.transitions.map((transition) => `${transition.from}->${transition.to}`)]).toEqual([1, 1, ['UNKNOWN->UP']]);

  const records = (await readStream(testDynamoDbStreamsClient(), table.streamArn))
    .map((record) => toLambdaRecord(record, table.streamArn))
    .filter((record) => matchesFilterPatterns(streamFilterPatterns('notify'), record));
  expect(records).toHaveLength(1);

  const { handler: notify } = await import('../../functions/notify');
  expect(await notify(toStreamEvent(records), createLambdaContext())).toEqual({ batchItemFailures: [] });
  const transition = second.transitions[0];
  const { Item } = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: LEDGER_PK }, sk: { S: `transition-email#smoke#${transition?.startedAt}#${transition?.tick}` } },
      ConsistentRead: true,
    }),
  );
  expect(Item && unmarshall(Item)).toMatchObject({ status: 'COMPLETED', outcome: 'skipped:establishment' });
});
