import type { ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import type { AlertOutbox, OutboxSweeper, ScopedRunStores, SecretResolver } from '../domain/ports';
import { SWEEP_AFTER_MS } from '../domain/reminders';
import { describeSecretRef } from '../domain/secret-ref';
import { tickOf } from '../domain/schedule';
import { SHARD_EVENT_SOURCE, type ShardDispatcher } from '../domain/shards';
import { deadlineFrom, type RemainingTime } from './deadline';
import type { ProbeCycleDeps } from './probe-cycle';
import { resolveProbeTargets } from './probe-targets';
import { combineCycles, runScheduledTick, runShardTick, type ProbeRunReport, type ScheduledRunDeps, type ShardRunReport } from './scheduled-run';

export interface ProbeDeps extends Omit<ProbeCycleDeps, 'targets'> {
  /** The run stores, and their view for the runs of one shard. */
  stores: ScopedRunStores;
  /** Resolves the secret references of monitor URLs and headers. None: a reference has no value. */
  secrets?: SecretResolver;
  /** Alerts not yet delivered to every channel; with `sweeper`, the scheduled run has the notifier sweep them. */
  outbox?: AlertOutbox;
  sweeper?: OutboxSweeper;
  /** The schedule's period; the tick is the event's scheduled time truncated to it. */
  periodMs: number;
  /** The most monitors one invocation probes; above it the run fans out. Default: no limit. */
  maxPerShard?: number;
  /** Hands shards to parallel invocations; needed once there is more than one shard. */
  dispatcher?: ShardDispatcher;
}

/** The log line of a monitor a run could not check because a secret reference has no value. */
export const UNCHECKED_MONITOR_MESSAGE = 'monitor not checked: a secret reference has no value';

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

const noSecrets: SecretResolver = {
  resolve: async (refs) => ({ values: new Map(), failures: new Map(refs.map((ref) => [describeSecretRef(ref), 'no secret resolver is configured'])) }),
};

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
  const { stores, secrets, outbox, sweeper, ...rest } = deps;
  const { targets, unresolved } = await resolveProbeTargets(deps.config.monitors, secrets ?? noSecrets);
  // The others are checked as usual: one missing secret must not blind the whole monitor. Each run
  // logs this line, which the unchecked-monitors alarm counts (serverless.yml).
  for (const { monitorId, problems } of unresolved) {
    deps.logger.error(UNCHECKED_MONITOR_MESSAGE, { monitorId, problems });
  }
  const runDeps: ScheduledRunDeps = {
    ...rest,
    targets,
    storesFor: (scope) => stores.scoped(scope),
    maxPerShard: deps.maxPerShard ?? Number.MAX_SAFE_INTEGER,
    dispatcher: deps.dispatcher ?? noDispatcher,
  };
  let run: ShardRunReport;
  if (isShardEvent(event)) {
    const { tick, shard } = shardEventSchema.parse(event);
    run = (await runShardTick(tick, shard, runDeps, options)) ?? { tick, shard, dispatched: 0, cycles: [], skippedOffsets: [] };
  } else {
    run = await runScheduledTick(tickOf(event.time, deps.periodMs), runDeps, options);
  }
  const report = combineCycles(run);
  const { cycles, transitions, ...fields } = report;
  deps.logger.info('run finished', { ...fields, cycles: cycles.length, transitions: transitions.length });
  if (!isShardEvent(event) && outbox && sweeper) await requestSweepIfWaiting(outbox, sweeper, deps);
  return report;
}

/**
 * Once a run: when an alert has waited in the outbox longer than SWEEP_AFTER_MS (the stream gave up
 * on it, or a receiver is down), the notifier is asked to sweep. Reading the empty outbox costs 0.5
 * read units a run. A failure here is logged: the next run asks again.
 */
async function requestSweepIfWaiting(outbox: AlertOutbox, sweeper: OutboxSweeper, deps: ProbeDeps): Promise<void> {
  try {
    const waiting = await outbox.listWaiting(deps.now().getTime() - SWEEP_AFTER_MS, 1);
    if (waiting.length === 0) return;
    await sweeper.requestSweep();
    deps.logger.info('alerts wait in the outbox; asked the notifier to sweep', { oldest: waiting[0]?.sortKey });
  } catch (error) {
    deps.logger.warn('could not check the outbox or ask for a sweep; the next run tries again', { error: String(error) });
  }
}
