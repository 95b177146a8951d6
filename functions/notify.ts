import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient, type AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type {
  AttributeValue,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { DynamoDbStateStore, transitionFromItem } from '../lib/adapters/dynamodb-state-store';
import { SesMailer } from '../lib/adapters/ses-mailer';
import { notifyTransition, type NotifyLogger, type NotifyOutcome, type NotifyTransitionDeps } from '../lib/app/notify';
import { loadMonitorsConfig } from '../lib/config/monitors';
import { readFunctionEnvironment } from '../lib/config/environment';
import type { MonitorsConfig, Transition } from '../lib/domain/types';

/** Idempotency records live in the monitor table under this partition key. */
export const IDEMPOTENCY_PK = 'IDEMPOTENCY';
/** Fixed, so renaming the function or the stage does not forget which emails were sent. */
const IDEMPOTENCY_KEY_PREFIX = 'transition-email';
/** Longer than a stream record can live (24 h), so a redelivered record always finds its key. */
const IDEMPOTENCY_EXPIRY_SECONDS = 3 * 86_400;
const SES_MAX_ATTEMPTS = 5;

export interface NotifyDeps extends NotifyTransitionDeps {
  idempotencyStore: DynamoDBPersistenceLayer;
  idempotencyConfig: IdempotencyConfig;
}

/** What identifies a transition, and so its email: hashed into the idempotency key. */
interface TransitionKey {
  monitorId: string;
  startedAt: string;
  tick: string;
}

/** One stream batch: one email per transition insert, failed records reported for retry. */
export async function notifyBatch(
  event: DynamoDBStreamEvent,
  context: Context,
  deps: NotifyDeps,
): Promise<DynamoDBBatchResponse> {
  deps.idempotencyConfig.registerLambdaContext(context);
  const notifyOnce = makeIdempotent(
    (_key: TransitionKey, transition: Transition): Promise<NotifyOutcome> => notifyTransition(transition, deps),
    {
      persistenceStore: deps.idempotencyStore,
      config: deps.idempotencyConfig,
      keyPrefix: IDEMPOTENCY_KEY_PREFIX,
      dataIndexArgument: 0,
    },
  );
  const handleRecord = async (record: DynamoDBRecord): Promise<NotifyOutcome | undefined> => {
    const transition = transitionFromRecord(record);
    if (!transition) {
      deps.logger.warn('stream record is not a transition insert; ignored', recordContext(record));
      return undefined;
    }
    try {
      const key = { monitorId: transition.monitorId, startedAt: transition.startedAt, tick: transition.tick };
      return await notifyOnce(key, transition);
    } catch (error) {
      deps.logger.error('transition email failed; the record will be retried', { ...recordContext(record), error });
      throw error;
    }
  };
  // Sequential, so a monitor's outage and recovery emails go out in the order they happened.
  return processPartialResponse(event, handleRecord, new BatchProcessor(EventType.DynamoDBStreams), {
    context,
    processInParallel: false,
    throwOnFullBatchFailure: false,
  });
}

/** The transition a record inserts; undefined for any other record (the event filter should drop those). */
function transitionFromRecord(record: DynamoDBRecord): Transition | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image?.entity?.S !== 'TRANSITION') return undefined;
  return transitionFromItem(unmarshall(toSdkImage(image)));
}

function recordContext(record: DynamoDBRecord): Record<string, unknown> {
  return {
    eventName: record.eventName,
    sequenceNumber: record.dynamodb?.SequenceNumber,
    pk: record.dynamodb?.Keys?.pk?.S,
    sk: record.dynamodb?.Keys?.sk?.S,
  };
}

/** A stream image (binary as base64 text) as the SDK's attribute values (binary as bytes). */
function toSdkImage(image: Record<string, AttributeValue>): Record<string, SdkAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toSdkAttributeValue(value)]));
}

function toSdkAttributeValue(value: AttributeValue): SdkAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: Buffer.from(value.B, 'base64') };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((item) => Buffer.from(item, 'base64')) };
  if (value.L !== undefined) return { L: value.L.map(toSdkAttributeValue) };
  if (value.M !== undefined) return { M: toSdkImage(value.M) };
  throw new TypeError(`unsupported attribute value: ${JSON.stringify(value)}`);
}

export interface NotifyDepsOptions {
  dynamoDb: DynamoDBClient;
  ses: SESClient;
  tableName: string;
  config: MonitorsConfig;
  logger: NotifyLogger;
}

/** Wires the notifier: the store and the idempotency records share the monitor table. */
export function createNotifyDeps(options: NotifyDepsOptions): NotifyDeps {
  const { dynamoDb, ses, tableName, config, logger } = options;
  return {
    store: new DynamoDbStateStore({ client: dynamoDb, tableName }),
    mailer: new SesMailer({ client: ses }),
    config,
    logger,
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName,
      awsSdkV3Client: dynamoDb,
      keyAttr: 'pk',
      sortKeyAttr: 'sk',
      staticPkValue: IDEMPOTENCY_PK,
      expiryAttr: 'expiresAt',
    }),
    idempotencyConfig: new IdempotencyConfig({
      expiresAfterSeconds: IDEMPOTENCY_EXPIRY_SECONDS,
      throwOnNoIdempotencyKey: true,
    }),
  };
}

const logger = new Logger({ serviceName: 'uptime-monitor' });
let deps: NotifyDeps | undefined;

function loadNotifyDeps(): NotifyDeps {
  const env = readFunctionEnvironment();
  return createNotifyDeps({
    dynamoDb: new DynamoDBClient({}),
    ses: new SESClient({ maxAttempts: SES_MAX_ATTEMPTS }),
    tableName: env.tableName,
    config: loadMonitorsConfig(env.monitorsFile),
    logger,
  });
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger))
  .handler((event, context) => notifyBatch(event, context, (deps ??= loadNotifyDeps())));
