import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import { DisabledMetricsSink, EmfMetricsSink } from '../lib/adapters/cloudwatch-metrics-sink';
import { DynamoDbRunRollupStore } from '../lib/adapters/dynamodb-run-rollup-store';
import { DynamoDbStateStore } from '../lib/adapters/dynamodb-state-store';
import { HttpProber } from '../lib/adapters/http-prober';
import { LambdaShardDispatcher } from '../lib/adapters/lambda-shard-dispatcher';
import { deadlineFrom, type RemainingTime } from '../lib/app/deadline';
import type { ProbeCycleDeps } from '../lib/app/probe-cycle';
import { combineCycles, runScheduledTick, runShardTick, type ProbeRunReport, type ScheduledRunDeps, type ShardRunReport } from '../lib/app/scheduled-run';
import { loadMonitorsConfig } from '../lib/config/monitors';
import { readProbeEnvironment } from '../lib/config/environment';
import type { StateStore } from '../lib/domain/ports';
import { tickOf } from '../lib/domain/schedule';
import { SHARD_EVENT_SOURCE, type RunScope, type ShardDispatcher } from '../lib/domain/shards';

const logger = new Logger({ serviceName: 'uptime-monitor' });

export interface ProbeDeps extends ProbeCycleDeps {
  /** The store, and its view for the runs of one shard. */
  store: StateStore & { scoped(scope: RunScope): StateStore };
  /** The schedule's period; the tick is the event's scheduled time truncated to it. */
  tickMs: number;
  /** The most monitors one invocation probes; above it the run fans out. Default: no limit. */
  maxPerShard?: number;
  /** Hands shards to parallel invocations; needed once there is more than one shard. */
  dispatcher?: ShardDispatcher;
}

/** Kept back from Lambda's deadline: the run returns (and logs) this long before it. */
export const PROBE_SAFETY_MS = 1_000;

/** The event of a shard invocation, as LambdaShardDispatcher sends it. */
const shardEventSchema = z
  .object({
    source: z.literal(SHARD_EVENT_SOURCE),
    tick: z.iso.datetime(),
    shard: z.object({ index: z.int().min(0), count: z.int().min(1) }),
  })
  .refine((event) => event.shard.index < event.shard.count, { error: 'shard.index must be below shard.count' });

export type ShardEvent = z.output<typeof shardEventSchema>;
export type ProbeEvent = Pick<ScheduledEvent, 'time'> | ShardEvent;

function isShardEvent(event: ProbeEvent): event is ShardEvent {
  return (event as { source?: unknown }).source === SHARD_EVENT_SOURCE;
}

const noDispatcher: ShardDispatcher = {
  dispatch: async () => {
    throw new Error('more monitors than one invocation probes (PROBE_SHARD_SIZE), and no way to hand shards on (AWS_LAMBDA_FUNCTION_NAME is not set)');
  },
};

/**
 * One invocation: the scheduled one (its tick is the event's scheduled time truncated to the
 * schedule's period), which hands shards on when there are more monitors than one invocation
 * probes and runs the first itself, or a shard invocation handed on by it. With the Lambda
 * context, the run ends PROBE_SAFETY_MS before the function's timeout: probes still running near
 * the end are cut short and what the run has is stored.
 */
export async function probeRun(event: ProbeEvent, deps: ProbeDeps, context?: RemainingTime): Promise<ProbeRunReport> {
  const options = context ? { deadline: deadlineFrom(context, PROBE_SAFETY_MS) } : {};
  const runDeps: ScheduledRunDeps = {
    ...deps,
    storeFor: (scope) => deps.store.scoped(scope),
    periodMs: deps.tickMs,
    maxPerShard: deps.maxPerShard ?? Number.MAX_SAFE_INTEGER,
    dispatcher: deps.dispatcher ?? noDispatcher,
  };
  let run: ShardRunReport;
  if (isShardEvent(event)) {
    const { tick, shard } = shardEventSchema.parse(event);
    run = (await runShardTick(tick, shard, runDeps, options)) ?? { tick, shard, dispatched: 0, cycles: [], skippedOffsets: [] };
  } else {
    run = await runScheduledTick(tickOf(event.time, deps.tickMs), runDeps, options);
  }
  const report = combineCycles(run);
  const { cycles, transitions, ...fields } = report;
  deps.logger.info('run finished', { ...fields, cycles: cycles.length, transitions: transitions.length });
  return report;
}

let deps: ProbeDeps | undefined;

function createDeps(): ProbeDeps {
  const env = readProbeEnvironment();
  const client = new DynamoDBClient({});
  // Rosters stored once per configuration, known to both stores for as long as the container lives.
  const rosters = new Map<string, string[]>();
  return {
    config: loadMonitorsConfig(env.MONITORS_FILE),
    store: new DynamoDbStateStore({
      client,
      tableName: env.TABLE_NAME,
      transitionRetentionDays: env.TRANSITION_RETENTION_DAYS,
      runRetentionDays: env.RUN_RETENTION_DAYS,
      rosters,
    }),
    rollups: new DynamoDbRunRollupStore({ client, tableName: env.TABLE_NAME, retentionDays: env.TRANSITION_RETENTION_DAYS, rosters }),
    prober: new HttpProber(),
    metrics:
      env.METRICS_ENABLED === 'true'
        ? new EmfMetricsSink({ namespace: env.METRICS_NAMESPACE, stack: env.STACK_NAME })
        : new DisabledMetricsSink(),
    logger,
    now: () => new Date(),
    concurrency: env.PROBE_CONCURRENCY,
    tickMs: env.PROBE_TICK,
    maxPerShard: env.PROBE_SHARD_SIZE,
    ...(env.AWS_LAMBDA_FUNCTION_NAME
      ? { dispatcher: new LambdaShardDispatcher({ client: new LambdaClient({}), functionName: env.AWS_LAMBDA_FUNCTION_NAME }) }
      : {}),
  };
}

export const handler = middy<ProbeEvent, ProbeRunReport>()
  .use(injectLambdaContext(logger))
  .handler((event, context) => probeRun(event, (deps ??= createDeps()), context));
