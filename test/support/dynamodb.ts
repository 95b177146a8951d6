import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { tableDefinition } from '../../tools/local/table-definition';

/** A client for the DynamoDB Local that jest's global setup started. */
export function testDynamoDbClient(): DynamoDBClient {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run the tests through jest (global setup)');
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export interface TestTable {
  client: DynamoDBClient;
  tableName: string;
  streamArn: string;
  drop(): Promise<void>;
}

/** Creates a fresh table, defined as serverless.yml deploys it, under a unique name. */
export async function createTestTable(prefix = 'test'): Promise<TestTable> {
  const client = testDynamoDbClient();
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const created = await client.send(new CreateTableCommand(tableDefinition(tableName)));
  return {
    client,
    tableName,
    streamArn: created.TableDescription?.LatestStreamArn ?? '',
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}
