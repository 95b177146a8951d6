import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESClient } from '@aws-sdk/client-ses';
import type { SNSClient } from '@aws-sdk/client-sns';
import { resolveChannels } from '../app/channel-secrets';
import type { NotifyDeps } from '../app/notify-batch';
import type { NotifyLogger, NotifyTiming } from '../app/notify';
import type { AlertChannel } from '../domain/alert';
import type { MonitorsConfig } from '../domain/types';
import type { SecretResolver } from '../domain/ports';
import { createAlertChannel } from './alert-channels';
import { DynamoDbNotificationLedger } from './dynamodb-notification-ledger';
import { DynamoDbAlertOutbox } from './dynamodb-alert-outbox';
import { DynamoDbMonitorStateStore } from './dynamodb-monitor-state-store';
import { alertSourceFromStreamRecord, streamRecordContext } from './dynamodb-stream-records';
import { DynamoDbTransitionReader } from './dynamodb-transition-reader';
import { SesMailer } from './ses-mailer';

export interface NotifyDepsOptions {
  dynamoDb: DynamoDBClient;
  ses: SESClient;
  tableName: string;
  config: MonitorsConfig;
  logger: NotifyLogger;
  /** How the notifier spends an invocation's time; DEFAULT_NOTIFY_TIMING unless a test scales it. */
  timing?: NotifyTiming;
  /** The channels other than email, secrets resolved (lib/adapters/alert-channels.ts). */
  channels?: ReadonlyMap<string, AlertChannel>;
  /** The API's base URL (API_URL), when known: alerts link to its status page unless statusPage.url is set. */
  apiUrl?: string;
}

/** The notifier on AWS: transitions and the ledger share the monitor table, emails go through SES. */
export function createNotifyDeps(options: NotifyDepsOptions): NotifyDeps {
  const { dynamoDb, ses, tableName, config, logger } = options;
  return {
    transitions: new DynamoDbTransitionReader({ client: dynamoDb, tableName }),
    mailer: new SesMailer({ client: ses }),
    ledger: new DynamoDbNotificationLedger({ client: dynamoDb, tableName }),
    states: new DynamoDbMonitorStateStore({ client: dynamoDb, tableName }),
    outbox: new DynamoDbAlertOutbox({ client: dynamoDb, tableName }),
    readAlert: alertSourceFromStreamRecord,
    describeRecord: streamRecordContext,
    config,
    logger,
    ...(options.timing ? { timing: options.timing } : {}),
    ...(options.channels ? { channels: options.channels } : {}),
    ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }),
  };
}

/**
 * The channels other than email of one invocation, built from their secrets as the resolver has
 * them now (cached for SECRETS_MAX_AGE_SECONDS), so a rotated webhook URL or key is picked up. A
 * channel whose secret has no value, or resolved to something unusable (not a URL, say), is left
 * out and logged by name (never quoted): its deliveries fail and are retried.
 */
export async function resolveNotifyChannels(
  config: Pick<MonitorsConfig, 'channels'>,
  secrets: SecretResolver,
  deps: { sns: SNSClient; logger: Pick<NotifyLogger, 'error'> },
): Promise<ReadonlyMap<string, AlertChannel>> {
  const { resolved, unresolved } = await resolveChannels(config.channels, secrets);
  for (const { channel, problems } of unresolved) deps.logger.error('channel not available: a secret reference has no value', { channel, problems });
  const channels = new Map<string, AlertChannel>();
  for (const channel of resolved.filter((candidate) => candidate.type !== 'email')) {
    try {
      channels.set(channel.name, createAlertChannel(channel, { sns: deps.sns }));
    } catch (error) {
      deps.logger.error('channel not available: its configuration cannot be used', { channel: channel.name, error: String(error) });
    }
  }
  return channels;
}
