import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createNotifyDeps, resolveNotifyChannels } from '../lib/adapters/aws-notifier-deps';
import { createSecretResolver } from '../lib/adapters/secret-resolvers';
import { createSesClient } from '../lib/adapters/ses-mailer';
import { notifyBatch, type NotifyDeps } from '../lib/app/notify-batch';
import { isOutboxSweepEvent, sweepOutbox, type OutboxSweepEvent, type SweepReport } from '../lib/app/outbox';
import { readNotifyEnvironment } from '../lib/config/environment';
import { loadMonitorsConfig } from '../lib/config/monitors';
import type { SecretResolver } from '../lib/domain/ports';

const logger = new Logger({ serviceName: 'uptime-monitor' });

/** Built once per container, on the first event: a bad environment or monitors file fails that invocation loudly. */
let base: { deps: NotifyDeps; secrets: SecretResolver; sns: SNSClient } | undefined;

function createBase() {
  const env = readNotifyEnvironment();
  // Only the notifier resolves the channels' secrets (their URLs, signing secrets, routing keys).
  const secrets: SecretResolver = createSecretResolver(env, logger);
  const deps = createNotifyDeps({
    dynamoDb: new DynamoDBClient({}),
    ses: createSesClient(),
    tableName: env.TABLE_NAME,
    config: loadMonitorsConfig(env.MONITORS_FILE),
    logger,
    ...(env.API_URL === undefined ? {} : { apiUrl: env.API_URL }),
  });
  return { deps, secrets, sns: new SNSClient({}) };
}

/** The deps of one invocation: the base, with the channels as their secrets are now. */
async function depsForInvocation(): Promise<NotifyDeps> {
  base ??= createBase();
  const { deps, secrets, sns } = base;
  return { ...deps, channels: await resolveNotifyChannels(deps.config, secrets, { sns, logger }) };
}

/** The table's stream (a batch of transition and reminder inserts), or a sweep of the outbox. */
export async function notifyHandler(event: DynamoDBStreamEvent | OutboxSweepEvent, context: Context): Promise<DynamoDBBatchResponse | SweepReport> {
  const deps = await depsForInvocation();
  return isOutboxSweepEvent(event) ? sweepOutbox(deps, context) : notifyBatch(event, context, deps);
}

export const handler = middy<DynamoDBStreamEvent | OutboxSweepEvent, DynamoDBBatchResponse | SweepReport>().use(injectLambdaContext(logger)).handler(notifyHandler);
