import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { LEDGER_PK } from '../../lib/adapters/dynamodb-notification-ledger';
import { tableDefinition } from '../../tools/local/table-definition';

/** Where the DynamoDB Local that jest's global setup started answers, and the local credentials, for any of its clients. */
export function testDynamoDbClientConfig() {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run the tests through jest (global setup)');
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

/** A client for the DynamoDB Local that jest's global setup started. */
export function testDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient(testDynamoDbClientConfig());
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

/** The notification ledger's items in the table, read consistently. */
export async function ledgerItems(table: TestTable) {
  const { Items } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: LEDGER_PK } },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}
