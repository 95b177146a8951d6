import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { CloudWatchMetricsSink, DisabledMetricsSink } from '../lib/adapters/cloudwatch-metrics-sink';
import { DynamoDbStateStore } from '../lib/adapters/dynamodb-state-store';
import { HttpProber } from '../lib/adapters/http-prober';
import { runProbeCycle, type ProbeCycleDeps, type ProbeCycleReport } from '../lib/app/probe-cycle';
import { loadMonitorsConfig } from '../lib/config/monitors';
import { readProbeEnvironment } from '../lib/config/environment';
import { tickOf } from '../lib/domain/schedule';

const logger = new Logger({ serviceName: 'uptime-monitor' });

export interface ProbeDeps extends ProbeCycleDeps {
  /** The schedule's period; the tick is the event's scheduled time truncated to it. */
  tickMs: number;
}

/** One scheduled run: the tick is the event's scheduled time truncated to the schedule's period. */
export async function probeRun(event: Pick<ScheduledEvent, 'time'>, deps: ProbeDeps): Promise<ProbeCycleReport> {
  const report = await runProbeCycle(tickOf(event.time, deps.tickMs), deps);
  deps.logger.info('run finished', { ...report, transitions: report.transitions.length });
  return report;
}

let deps: ProbeDeps | undefined;

function createDeps(): ProbeDeps {
  const env = readProbeEnvironment();
  return {
    config: loadMonitorsConfig(env.MONITORS_FILE),
    store: new DynamoDbStateStore({
      client: new DynamoDBClient({}),
      tableName: env.TABLE_NAME,
      transitionRetentionDays: env.TRANSITION_RETENTION_DAYS,
      runRetentionDays: env.RUN_RETENTION_DAYS,
    }),
    prober: new HttpProber(),
    metrics:
      env.METRICS_ENABLED === 'true'
        ? new CloudWatchMetricsSink({ client: new CloudWatchClient({}), namespace: env.METRICS_NAMESPACE, stack: env.STACK_NAME })
        : new DisabledMetricsSink(),
    logger,
    now: () => new Date(),
    concurrency: env.PROBE_CONCURRENCY,
    tickMs: env.PROBE_TICK,
  };
}

export const handler = middy<ScheduledEvent, ProbeCycleReport>()
  .use(injectLambdaContext(logger))
  .handler((event) => probeRun(event, (deps ??= createDeps())));
