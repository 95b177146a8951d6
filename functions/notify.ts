import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createAlertChannel } from '../lib/adapters/alert-channels';
import { createNotifyDeps } from '../lib/adapters/aws-notifier-deps';
import { AwsSecretResolver } from '../lib/adapters/aws-secret-resolver';
import { LocalSecretsFileResolver } from '../lib/adapters/local-secrets-file';
import { createSesClient } from '../lib/adapters/ses-mailer';
import { resolveChannels } from '../lib/app/channel-secrets';
import { notifyBatch, type NotifyDeps } from '../lib/app/notify-batch';
import { sweepOutbox, type SweepReport } from '../lib/app/outbox';
import { OUTBOX_SWEEP_SOURCE } from '../lib/domain/reminders';
import { readNotifyEnvironment } from '../lib/config/environment';
import { loadMonitorsConfig } from '../lib/config/monitors';
import type { AlertChannel } from '../lib/domain/alert';
import type { SecretResolver } from '../lib/domain/ports';

const logger = new Logger({ serviceName: 'uptime-monitor' });

/** Built once per container, on the first event: a bad environment or monitors file fails that invocation loudly. */
let base: { deps: NotifyDeps; secrets: SecretResolver; sns: SNSClient } | undefined;

function createBase() {
  const env = readNotifyEnvironment();
  // Only the notifier resolves the channels' secrets (their URLs, signing secrets, routing keys).
  const secrets: SecretResolver = env.LOCAL_SECRETS_FILE
    ? new LocalSecretsFileResolver(env.LOCAL_SECRETS_FILE, process.env)
    : new AwsSecretResolver({ env: process.env, maxAgeSeconds: env.SECRETS_MAX_AGE_SECONDS, logger });
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


/**
 * The deps of one invocation: the channels are built from their secrets as the resolver has them
 * (cached for SECRETS_MAX_AGE_SECONDS), so a rotated webhook URL or key is picked up. A channel
 * whose secret has no value is left out and logged; its deliveries fail and are retried.
 */
async function depsForInvocation(): Promise<NotifyDeps> {
  base ??= createBase();
  const { deps, secrets, sns } = base;
  const { resolved, unresolved } = await resolveChannels(deps.config.channels, secrets);
  for (const { channel, problems } of unresolved) logger.error('channel not available: a secret reference has no value', { channel, problems });
  const channels = new Map<string, AlertChannel>();
  for (const config of resolved.filter((channel) => channel.type !== 'email')) {
    try {
      channels.set(config.name, createAlertChannel(config, { sns }));
    } catch (error) {
      // A secret that resolved to something unusable (not a URL, say): named, never quoted.
      logger.error('channel not available: its configuration cannot be used', { channel: config.name, error: String(error) });
    }
  }
  return { ...deps, channels };
}

/** The probe's request to sweep the outbox (lib/adapters/lambda-outbox-sweeper.ts). */
interface SweepEvent {
  source: typeof OUTBOX_SWEEP_SOURCE;
}

function isSweepEvent(event: DynamoDBStreamEvent | SweepEvent): event is SweepEvent {
  return (event as SweepEvent).source === OUTBOX_SWEEP_SOURCE;
}

/** The table's stream (a batch of transition and reminder inserts), or a sweep of the outbox. */
export async function notifyHandler(event: DynamoDBStreamEvent | SweepEvent, context: Context): Promise<DynamoDBBatchResponse | SweepReport> {
  const deps = await depsForInvocation();
  return isSweepEvent(event) ? sweepOutbox(deps, context) : notifyBatch(event, context, deps);
}

export const handler = middy<DynamoDBStreamEvent | SweepEvent, DynamoDBBatchResponse | SweepReport>().use(injectLambdaContext(logger)).handler(notifyHandler);
