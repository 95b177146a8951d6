import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient, type AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { SESClient, type SESClientConfig } from '@aws-sdk/client-ses';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type {
  AttributeValue,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { DynamoDbNotificationLedger, LEDGER_PK } from '../lib/adapters/dynamodb-notification-ledger';
import { DynamoDbStateStore, transitionFromItem } from '../lib/adapters/dynamodb-state-store';
import { SesMailer } from '../lib/adapters/ses-mailer';
import { deadlineFrom } from '../lib/app/deadline';
import {
  DEFAULT_NOTIFY_TIMING,
  NotificationInProgressError,
  notifyTransition,
  OutOfTimeError,
  sendAllowanceMs,
  transitionKey,
  type NotifyLogger,
  type NotifyOutcome,
  type NotifyTiming,
  type NotifyTransitionDeps,
} from '../lib/app/notify';
import { loadMonitorsConfig } from '../lib/config/monitors';
import { readFunctionEnvironment } from '../lib/config/environment';
import type { MonitorsConfig, Transition } from '../lib/domain/types';

/** The notifier's records (which emails were sent) live in the monitor table under this partition key. */
export const IDEMPOTENCY_PK = LEDGER_PK;
/** SES throttling (1 message a second in the sandbox) is retried by the SDK this many times in all. */
export const SES_MAX_ATTEMPTS = 5;

export type NotifyDeps = NotifyTransitionDeps;

/** A later transition of a monitor whose earlier one failed in this batch: it waits its turn. */
export class BlockedTransitionError extends Error {
  override readonly name = 'BlockedTransitionError';
  constructor(readonly monitorId: string) {
    super(`an earlier transition of '${monitorId}' in this batch failed; this one is retried after it, to keep the emails in order`);
  }
}

/**
 * One stream batch: one email per transition insert, failed records reported for retry.
 *
 * Records are handled in order, one at a time. A record is only started while the time left covers
 * a send and its record in the ledger; past that, it and the rest are reported as failed (Lambda
 * redelivers them) and the function returns before its deadline. Once a record of a monitor fails,
 * that monitor's later records in the batch fail too, so its outage and recovery emails never swap.
 */
export async function notifyBatch(
  event: DynamoDBStreamEvent,
  context: Context,
  deps: NotifyDeps,
): Promise<DynamoDBBatchResponse> {
  const timing: NotifyTiming = deps.timing ?? DEFAULT_NOTIFY_TIMING;
  const attempt = { attemptId: `${context.awsRequestId}/${randomUUID()}`, deadline: deadlineFrom(context) };
  const failedMonitors = new Set<string>();
  let outOfTimeLogged = false;

  const handleRecord = async (record: DynamoDBRecord): Promise<NotifyOutcome | undefined> => {
    const transition = transitionFromRecord(record);
    if (!transition) {
      deps.logger.warn('stream record is not a transition insert; ignored', recordContext(record));
      return undefined;
    }
    try {
      if (failedMonitors.has(transition.monitorId)) throw new BlockedTransitionError(transition.monitorId);
      const remaining = attempt.deadline.remainingMs();
      if (remaining < sendAllowanceMs(timing)) {
        throw new OutOfTimeError(transitionKey(transition), remaining, sendAllowanceMs(timing));
      }
      return await notifyTransition(transition, deps, attempt);
    } catch (error) {
      failedMonitors.add(transition.monitorId);
      const deferred = error instanceof OutOfTimeError || error instanceof BlockedTransitionError || error instanceof NotificationInProgressError;
      if (!deferred) {
        deps.logger.error('transition email failed; the record will be retried', { ...recordContext(record), error });
      } else if (!(error instanceof OutOfTimeError && outOfTimeLogged)) {
        // Out of time: said once per batch, not once per record left.
        deps.logger.warn('transition email deferred; the record will be retried', { ...recordContext(record), reason: error.message });
      }
      if (error instanceof OutOfTimeError) outOfTimeLogged = true;
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
  /** How the notifier spends an invocation's time; DEFAULT_NOTIFY_TIMING unless a test scales it. */
  timing?: NotifyTiming;
}

/** Wires the notifier: the store and the ledger of sent emails share the monitor table. */
export function createNotifyDeps(options: NotifyDepsOptions): NotifyDeps {
  const { dynamoDb, ses, tableName, config, logger } = options;
  return {
    store: new DynamoDbStateStore({ client: dynamoDb, tableName }),
    mailer: new SesMailer({ client: ses }),
    ledger: new DynamoDbNotificationLedger({ client: dynamoDb, tableName }),
    config,
    logger,
    ...(options.timing ? { timing: options.timing } : {}),
  };
}

/** The SES client the notifier sends with: throttling is retried by the SDK, up to SES_MAX_ATTEMPTS attempts. */
export function createSesClient(config: SESClientConfig = {}): SESClient {
  return new SESClient({ maxAttempts: SES_MAX_ATTEMPTS, ...config });
}

const logger = new Logger({ serviceName: 'uptime-monitor' });
let deps: NotifyDeps | undefined;

function loadNotifyDeps(): NotifyDeps {
  const env = readFunctionEnvironment();
  return createNotifyDeps({
    dynamoDb: new DynamoDBClient({}),
    ses: createSesClient(),
    tableName: env.tableName,
    config: loadMonitorsConfig(env.monitorsFile),
    logger,
  });
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger))
  .handler((event, context) => notifyBatch(event, context, (deps ??= loadNotifyDeps())));
