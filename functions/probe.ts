import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { DisabledMetricsSink, EmfMetricsSink } from '../lib/adapters/cloudwatch-metrics-sink';
import { createDynamoDbStores } from '../lib/adapters/dynamodb-stores';
import { DynamoDbHeartbeatStore } from '../lib/adapters/dynamodb-heartbeat-store';
import { AwsSecretResolver } from '../lib/adapters/aws-secret-resolver';
import { MonitorProber } from '../lib/adapters/monitor-prober';
import { DynamoDbAlertOutbox } from '../lib/adapters/dynamodb-alert-outbox';
import { LambdaOutboxSweeper } from '../lib/adapters/lambda-outbox-sweeper';
import { LambdaShardDispatcher } from '../lib/adapters/lambda-shard-dispatcher';
import { LambdaConfirmer } from '../lib/adapters/lambda-confirmer';
import { OUTBOX_SWEEP_SOURCE } from '../lib/domain/reminders';
import { LocalSecretsFileResolver } from '../lib/adapters/local-secrets-file';
import { probeRun, type ProbeDeps, type ProbeEvent } from '../lib/app/probe-run';
import type { ProbeRunReport } from '../lib/app/scheduled-run';
import { readProbeEnvironment } from '../lib/config/environment';
import { loadMonitorsConfig } from '../lib/config/monitors';

const logger = new Logger({ serviceName: 'uptime-monitor' });
let deps: ProbeDeps | undefined;

/** Built once per container, on the first event: a bad environment or monitors file fails that invocation loudly. */
function createDeps(): ProbeDeps {
  const env = readProbeEnvironment();
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
    config: loadMonitorsConfig(env.MONITORS_FILE),
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
    secrets: env.LOCAL_SECRETS_FILE
      ? new LocalSecretsFileResolver(env.LOCAL_SECRETS_FILE, process.env)
      : new AwsSecretResolver({ env: process.env, maxAgeSeconds: env.SECRETS_MAX_AGE_SECONDS, logger }),
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

export const handler = middy<ProbeEvent, ProbeRunReport>()
  .use(injectLambdaContext(logger))
  .handler((event, context) => probeRun(event, (deps ??= createDeps()), context));
