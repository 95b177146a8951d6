import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MaintenanceTable } from './options';

/** npm start's table lives in DynamoDB Local, which takes any credentials and region (tools/local/start.ts). */
const LOCAL_REGION = 'us-east-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/** How long to wait for a connection, then for an answer: a table that does not answer fails in seconds, not the SDK's minutes. */
const LOCAL_TIMEOUTS = { connectionTimeout: 2_000, requestTimeout: 5_000 };
const AWS_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 10_000 };

/**
 * The DynamoDB client for the table: DynamoDB Local with local credentials and no retry (a refused
 * connection is npm start not running), or the stage's region with the caller's own credentials
 * (the SDK's chain: environment, AWS_PROFILE, SSO, ...) and the SDK's retries.
 */
export function maintenanceTableClient(table: MaintenanceTable): DynamoDBClient {
  if ('endpoint' in table) {
    return new DynamoDBClient({ endpoint: table.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1, requestHandler: LOCAL_TIMEOUTS });
  }
  return new DynamoDBClient({ region: table.region, requestHandler: AWS_TIMEOUTS });
}

/** Where the windows are, as the printed lines say it. */
export function describeTable(table: MaintenanceTable): string {
  return 'endpoint' in table ? `local (DynamoDB Local at ${table.endpoint}, table ${table.tableName})` : `stage ${table.stage} (table ${table.tableName} in ${table.region})`;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** One line saying why the table could not be read or written, and what to do about it. */
export function describeTableError(error: unknown, table: MaintenanceTable): string {
  const name = error instanceof Error ? error.name : '';
  const local = 'endpoint' in table;
  if (name === 'ResourceNotFoundException') {
    return local
      ? `DynamoDB Local at ${table.endpoint} has no table ${table.tableName}: npm start creates it; run it once`
      : `no table ${table.tableName} in ${table.region}: is stage ${table.stage} deployed there? (--region)`;
  }
  if (name === 'CredentialsProviderError' || name === 'ExpiredTokenException' || name === 'UnrecognizedClientException') {
    return `${describeError(error)}: no valid AWS credentials for stage ${table.stage}; set AWS_PROFILE, or sign in (aws sso login, aws configure)`;
  }
  if (name === 'AccessDeniedException') {
    return `${describeError(error)}: your AWS identity may not read and write table ${table.tableName} (dynamodb:Query, PutItem, UpdateItem)`;
  }
  if (isConnectionFailure(error)) {
    return local
      ? `cannot reach DynamoDB Local at ${table.endpoint} (${describeError(error)}): is npm start running? (DYNAMODB_PORT is its port)`
      : `cannot reach DynamoDB in ${table.region} (${describeError(error)})`;
  }
  return `DynamoDB, ${describeTable(table)}: ${describeError(error)}`;
}

/**
 * Whether the request never reached DynamoDB. The SDK hands a socket error on as it is, or, when
 * the error is not an Error of its own realm (a test's sandbox), wrapped in an Error whose message
 * alone still names the code: both are looked for.
 */
function isConnectionFailure(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if ((code !== undefined && CONNECTION_CODES.has(code)) || current.name === 'TimeoutError') return true;
    if ([...CONNECTION_CODES].some((name) => new RegExp(`\\b${name}\\b`).test(current instanceof Error ? current.message : ''))) return true;
  }
  return false;
}

/** `Name: first line of the message` (an SDK error's code when it has no message). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error.message.split('\n')[0] ?? '').replace(/^AWS SDK error wrapper for Error: /, '');
  if (message === '') return code === undefined ? error.name : `${error.name}: ${code}`;
  return `${error.name}: ${message}`;
}
