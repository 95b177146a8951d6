import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { CloudWatchMetricsSink, DisabledMetricsSink } from '../lib/adapters/cloudwatch-metrics-sink';
import { DynamoDbRunRollupStore } from '../lib/adapters/dynamodb-run-rollup-store';
import { DynamoDbStateStore } from '../lib/adapters/dynamodb-state-store';
import { HttpProber } from '../lib/adapters/http-prober';
import { deadlineFrom, type RemainingTime } from '../lib/app/deadline';
import { runProbeCycle, type ProbeCycleDeps, type ProbeCycleReport } from '../lib/app/probe-cycle';
import { loadMonitorsConfig } from '../lib/config/monitors';
import { readProbeEnvironment } from '../lib/config/environment';
import { tickOf } from '../lib/domain/schedule';

const logger = new Logger({ serviceName: 'uptime-monitor' });

export interface ProbeDeps extends ProbeCycleDeps {
  /** The schedule's period; the tick is the event's scheduled time truncated to it. */
  tickMs: number;
}

/** Kept back from Lambda's deadline: the run returns (and logs) this long before it. */
export const PROBE_SAFETY_MS = 1_000;

/**
 * One scheduled run: the tick is the event's scheduled time truncated to the schedule's period.
 * With the Lambda context, the run ends PROBE_SAFETY_MS before the function's timeout: probes still
 * running near the end are cut short and what the run has is stored.
 */
export async function probeRun(
  event: Pick<ScheduledEvent, 'time'>,
  deps: ProbeDeps,
  context?: RemainingTime,
): Promise<ProbeCycleReport> {
  const deadline = context ? deadlineFrom(context, PROBE_SAFETY_MS) : undefined;
  const report = await runProbeCycle(tickOf(event.time, deps.tickMs), deps, deadline ? { deadline } : {});
  deps.logger.info('run finished', { ...report, transitions: report.transitions.length });
  return report;
}

let deps: ProbeDeps | undefined;

function createDeps(): ProbeDeps {
  const env = readProbeEnvironment();
  const client = new DynamoDBClient({});
  return {
    config: loadMonitorsConfig(env.MONITORS_FILE),
    store: new DynamoDbStateStore({
      client,
      tableName: env.TABLE_NAME,
      transitionRetentionDays: env.TRANSITION_RETENTION_DAYS,
      runRetentionDays: env.RUN_RETENTION_DAYS,
    }),
    rollups: new DynamoDbRunRollupStore({ client, tableName: env.TABLE_NAME, retentionDays: env.TRANSITION_RETENTION_DAYS }),
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
  .handler((event, context) => probeRun(event, (deps ??= createDeps()), context));
