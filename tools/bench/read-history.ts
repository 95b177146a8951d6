import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { transitionToItem } from '../../lib/adapters/dynamodb-items';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { mapWithConcurrency } from '../../lib/domain/concurrency';
import { mergeRunStats, summarizeRuns } from '../../lib/domain/run-stats';
import { tickOf } from '../../lib/domain/schedule';
import { advanceState, initialState } from '../../lib/domain/state-machine';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lib/domain/time';
import type { CheckResult, MonitorConfig, MonitorsConfig, RunSummary } from '../../lib/domain/types';

/**
 * History for measuring the API's reads, written straight into the table as the probe would have
 * left it after months of 1-minute runs, without running them (replaying 400 days minute by minute
 * would take hours): the hourly and daily rollups, the run summaries of the current hour, and each
 * monitor's transitions (an outage every few days) as the real state machine makes them, written
 * as the state store writes them (its item functions) but in batches: one transaction per
 * transition, as the probe writes them, takes DynamoDB Local minutes for a thousand monitors.
 * Used by `npm run bench -- --api` (tools/bench/api-reads.ts) and test/integration/api.test.ts.
 */
export interface ReadHistoryOptions {
  /** How many monitors: `monitor-0000`, `monitor-0001`, … */
  monitors: number;
  /** Now: the end of the history (the current hour is read raw up to it). */
  nowMs: number;
  /** Days of daily rollups before today. */
  days: number;
  /** Days of hourly rollups before the current hour. */
  hourDays: number;
  /** An outage (20 minutes) every this many days, over `transitionDays`; each monitor's a little apart from the others'. */
  outageEveryDays: number;
  transitionDays: number;
  /** How many monitors have outages (the first ones); the others have one transition, established. Default: all. */
  monitorsWithOutages?: number;
  /** Writes at once. */
  concurrency?: number;
}

export interface ReadHistory {
  config: MonitorsConfig;
  /** The start of every outage of `monitor-0000`, epoch ms. */
  outageStarts: number[];
}

export const readHistoryMonitorId = (index: number) => `monitor-${String(index).padStart(4, '0')}`;

/** A monitors file of `count` monitors, thresholds of 1 so each scripted check decides. */
export function readHistoryConfig(count: number): MonitorsConfig {
  const lines = Array.from({ length: count }, (_, index) => {
    const id = readHistoryMonitorId(index);
    return `  - { id: ${id}, name: Service ${index}, url: "https://${id}.example.com/health", failureThreshold: 1, successThreshold: 1 }`;
  });
  return parseMonitorsConfig(`notify: { from: monitor@example.com, to: [oncall@example.com] }\nmonitors:\n${lines.join('\n')}\n`, 'read-history-monitors.yml');
}

/** A minute's run summary: every monitor answered, response times spread as a real service's are. */
export function readHistoryRun(monitorIds: readonly string[], tickMs: number): RunSummary {
  const minute = Math.floor(tickMs / MINUTE_MS);
  const results = Object.fromEntries(
    monitorIds.map((id, index) => [id, { ok: true, latencyMs: 80 + (index % 16) * 15 + Math.round(60 * Math.abs(Math.sin(minute / 41))) + (minute % 17) * 2, statusCode: 200 }]),
  );
  return { tick: new Date(tickMs).toISOString(), startedAt: new Date(tickMs + 150).toISOString(), durationMs: 900, checks: monitorIds.length, failures: 0, monitorsDown: 0, results };
}

export async function seedReadHistory(table: { client: DynamoDBClient; tableName: string }, options: ReadHistoryOptions): Promise<ReadHistory> {
  const concurrency = options.concurrency ?? 16;
  const stores = createDynamoDbStores(table);
  const config = readHistoryConfig(options.monitors);
  const ids = config.monitors.map((monitor) => monitor.id);
  const currentHourMs = Math.floor(options.nowMs / HOUR_MS) * HOUR_MS;
  const todayMs = Math.floor(options.nowMs / DAY_MS) * DAY_MS;

  const hourStats = summarizeRuns(Array.from({ length: 60 }, (_, minute) => readHistoryRun(ids, currentHourMs - HOUR_MS + minute * MINUTE_MS)));
  const hours = Array.from({ length: options.hourDays * 24 }, (_, index) => new Date(currentHourMs - (index + 1) * HOUR_MS).toISOString());
  await mapWithConcurrency(hours, concurrency, (hour) => stores.rollups.putRollup('hour', hour, hourStats));
  const dayStats = new Map([...hourStats].map(([id, stats]) => [id, mergeRunStats(Array.from({ length: 24 }, () => stats))]));
  const days = Array.from({ length: options.days }, (_, index) => new Date(todayMs - (index + 1) * DAY_MS).toISOString());
  await mapWithConcurrency(days, concurrency, (day) => stores.rollups.putRollup('day', day, dayStats));
  const minutes = Array.from({ length: Math.floor((options.nowMs - currentHourMs) / MINUTE_MS) }, (_, minute) => currentHourMs + minute * MINUTE_MS);
  await mapWithConcurrency(minutes, concurrency, (tickMs) => stores.runs.putRunSummary(readHistoryRun(ids, tickMs)));

  const firstMs = options.nowMs - options.transitionDays * DAY_MS;
  const outageStartsOf = (index: number) => {
    const starts: number[] = [];
    for (let startMs = firstMs + 10 * MINUTE_MS + (index % 97) * 7 * MINUTE_MS; startMs + 30 * MINUTE_MS < options.nowMs; startMs += options.outageEveryDays * DAY_MS) starts.push(startMs);
    return starts;
  };
  const withOutages = options.monitorsWithOutages ?? options.monitors;
  const transitions: Array<Record<string, unknown>> = [];
  await mapWithConcurrency(config.monitors, concurrency, async (monitor, index) => {
    const checks: Array<[number, boolean]> = index < withOutages
      ? outageStartsOf(index).flatMap((startMs): Array<[number, boolean]> => [[startMs - 10 * MINUTE_MS, true], [startMs, false], [startMs + 20 * MINUTE_MS, true]])
      : [[firstMs, true]];
    transitions.push(...(await replayChecks(stores.states, monitor, checks)));
  });
  const documents = DynamoDBDocumentClient.from(table.client);
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let start = 0; start < transitions.length; start += 25) batches.push(transitions.slice(start, start + 25));
  await mapWithConcurrency(batches, concurrency, async (batch) => {
    let requests = batch.map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 0; requests.length > 0; attempt += 1) {
      if (attempt >= 8) throw new Error(`read history: DynamoDB left ${requests.length} transitions unwritten`);
      const written = await documents.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: requests } }));
      requests = (written.UnprocessedItems?.[table.tableName] ?? []) as typeof requests;
    }
  });
  return { config, outageStarts: outageStartsOf(0) };
}

/**
 * Runs checks through the real state machine; stores the final state (as the state store does) and
 * returns the items of the transitions on the way, for the caller to write in batches.
 */
async function replayChecks(states: DynamoDbStores['states'], monitor: MonitorConfig, checks: ReadonlyArray<[number, boolean]>): Promise<Array<Record<string, unknown>>> {
  const first = initialState(monitor.id, new Date(checks[0]?.[0] ?? 0).toISOString());
  let state = first;
  const items: Array<Record<string, unknown>> = [];
  for (const [checkedMs, ok] of checks) {
    const checkedAt = new Date(checkedMs).toISOString();
    const result: CheckResult = ok
      ? { ok, checkedAt, latencyMs: 80, statusCode: 200 }
      : { ok, checkedAt, latencyMs: 5000, reason: 'timeout', message: 'no answer within 5000 ms' };
    const step = advanceState(state, result, monitor, tickOf(checkedAt));
    if (step.transition) items.push(transitionToItem(step.transition));
    state = step.state;
  }
  const saved = await states.saveState(first, state);
  if (saved !== 'saved') throw new Error(`read history: ${monitor.id}: the state was not saved (${saved})`);
  return items;
}
