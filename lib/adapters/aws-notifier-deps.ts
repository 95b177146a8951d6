import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESClient } from '@aws-sdk/client-ses';
import type { NotifyDeps } from '../app/notify-batch';
import type { NotifyLogger, NotifyTiming } from '../app/notify';
import type { AlertChannel } from '../domain/alert';
import type { MonitorsConfig } from '../domain/types';
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
