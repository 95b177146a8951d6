import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ProbeDeps } from '../app/probe-run';
import type { ProbeEnvironment } from '../config/environment';
import { OUTBOX_SWEEP_SOURCE } from '../domain/reminders';
import type { MonitorsConfig } from '../domain/types';
import { DisabledMetricsSink, EmfMetricsSink } from './cloudwatch-metrics-sink';
import { DynamoDbAlertOutbox } from './dynamodb-alert-outbox';
import { DynamoDbHeartbeatStore } from './dynamodb-heartbeat-store';
import { createDynamoDbStores } from './dynamodb-stores';
import { LambdaConfirmer } from './lambda-confirmer';
import { LambdaOutboxSweeper } from './lambda-outbox-sweeper';
import { LambdaShardDispatcher } from './lambda-shard-dispatcher';
import { MonitorProber } from './monitor-prober';
import { createSecretResolver } from './secret-resolvers';

/**
 * The probe on AWS, from its validated environment and monitors file: the monitor table's stores,
 * the prober, the confirmer regions (monitors.yml confirm), the secret resolver, the metrics sink,
 * and the Lambda clients that hand shards to itself and ask the notifier to sweep the outbox.
 */
export function createProbeDeps(env: ProbeEnvironment, config: MonitorsConfig, logger: Logger): ProbeDeps {
  const client = new DynamoDBClient({});
  const lambda = new LambdaClient({});
  const { rollups, ...stores } = createDynamoDbStores({
    client,
    tableName: env.TABLE_NAME,
    transitionRetentionDays: env.TRANSITION_RETENTION_DAYS,
    runRetentionDays: env.RUN_RETENTION_DAYS,
    hourlyRollupRetentionDays: env.HOURLY_ROLLUP_RETENTION_DAYS,
    dailyRollupRetentionDays: env.DAILY_ROLLUP_RETENTION_DAYS,
  });
  return {
    config,
    stores,
    rollups,
    hourlyRollupRetentionDays: env.HOURLY_ROLLUP_RETENTION_DAYS,
    prober: MonitorProber.create({
      blockPrivateAddresses: env.BLOCK_PRIVATE_ADDRESSES === 'true',
      ...(env.PROBE_SOURCE_ADDRESS ? { sourceAddress: env.PROBE_SOURCE_ADDRESS } : {}),
    }),
    // Multi-region confirmation (monitors.yml confirm): the confirm function of each confirmer region.
    ...(env.CONFIRM_FUNCTION_NAME
      ? {
          confirmer: new LambdaConfirmer({
            functionName: env.CONFIRM_FUNCTION_NAME,
            ...(env.CONFIRM_ENDPOINTS ? { endpoints: env.CONFIRM_ENDPOINTS } : {}),
          }),
        }
      : {}),
    homeRegion: env.AWS_REGION ?? 'home',
    heartbeats: new DynamoDbHeartbeatStore({ client, tableName: env.TABLE_NAME }),
    // Ad-hoc maintenance windows (npm run maintenance); the configured ones are in the monitors file.
    maintenance: stores.maintenance,
    // Only the probe resolves secrets: monitor URLs and headers, at cold start, then as they expire.
    secrets: createSecretResolver(env, logger),
    metrics: env.METRICS_ENABLED === 'true' ? new EmfMetricsSink({ namespace: env.METRICS_NAMESPACE, stack: env.STACK_NAME, logger }) : new DisabledMetricsSink(),
    logger,
    now: () => new Date(),
    concurrency: env.PROBE_CONCURRENCY,
    periodMs: env.PROBE_PERIOD,
    maxPerShard: env.PROBE_SHARD_SIZE,
    ...(env.AWS_LAMBDA_FUNCTION_NAME ? { dispatcher: new LambdaShardDispatcher({ client: lambda, functionName: env.AWS_LAMBDA_FUNCTION_NAME }) } : {}),
    // Alerts the stream could not deliver wait in the outbox; the run asks the notifier to sweep them.
    outbox: new DynamoDbAlertOutbox({ client, tableName: env.TABLE_NAME }),
    ...(env.NOTIFY_FUNCTION_NAME
      ? { sweeper: new LambdaOutboxSweeper({ client: lambda, functionName: env.NOTIFY_FUNCTION_NAME, source: OUTBOX_SWEEP_SOURCE }) }
      : {}),
  };
}
