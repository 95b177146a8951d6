import path from 'node:path';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../tools/local/dynamodb-local';
import { freePort } from '../../tools/local/free-port';

declare global {
  var __dynamoDbLocal: RunningDynamoDbLocal | undefined;
}

/** Starts one in-memory DynamoDB Local for the whole run; each test file makes its own table. */
export default async function globalSetup(): Promise<void> {
  const port = await freePort();
  const running = await startDynamoDbLocal({
    port,
    cacheDir: path.join(__dirname, '..', '..', 'node_modules', '.cache', 'uptime-monitor'),
  });
  globalThis.__dynamoDbLocal = running;
  process.env.TEST_DYNAMODB_ENDPOINT = running.endpoint;
}
