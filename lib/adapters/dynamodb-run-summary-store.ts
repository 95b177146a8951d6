import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RunSummaryStore } from '../domain/ports';
import { RUN_RETENTION_DAYS } from '../domain/retention';
import { decodeRunResults, encodeRunResults } from '../domain/run-results-codec';
import { mergeLatestRun, mergeShardsByTick } from '../domain/run-summary-merge';
import { DAY_MS, MINUTE_MS } from '../domain/time';
import type { RunSummary } from '../domain/types';
import { AFTER_SHARDS, DynamoDbRunScopedAdapter, type DynamoDbRunScopedOptions, expiresAtSeconds, isConditionFailure, runPk, runSk } from './dynamodb-items';
import { queryAll } from './dynamodb-query';
import { DynamoDbRosters } from './dynamodb-rosters';

/** How many days back `latestRunSummary` looks for a run. */
const LATEST_RUN_LOOKBACK_DAYS = 2;

export interface DynamoDbRunSummaryStoreOptions extends DynamoDbRunScopedOptions {
  /** How long run summaries are kept (TTL). Default RUN_RETENTION_DAYS. */
  runRetentionDays?: number;
  /** Rosters already known to be stored, shared by the stores of one invocation. */
  rosters?: Map<string, string[]>;
}

/**
 * Run summaries under pk RUN#<day>, sk <tick> (<tick>#<shard> for a shard's), each naming the
 * roster (DynamoDbRosters) its results are listed in (lib/domain/run-results-codec.ts). Readers
 * see the shards of a tick as one summary (lib/domain/run-summary-merge.ts).
 */
export class DynamoDbRunSummaryStore extends DynamoDbRunScopedAdapter implements RunSummaryStore {
  private readonly runRetentionMs: number;
  private readonly rosters: DynamoDbRosters;

  constructor(options: DynamoDbRunSummaryStoreOptions) {
    super(options);
    this.runRetentionMs = (options.runRetentionDays ?? RUN_RETENTION_DAYS) * DAY_MS;
    this.rosters = new DynamoDbRosters(this.documents, this.tableName, options.rosters);
  }

  async hasRunSummary(tick: string): Promise<boolean> {
    return this.itemExists({ pk: runPk(tick), sk: runSk(this.scope, tick) }, true);
  }

  async putRunSummary(summary: RunSummary): Promise<void> {
    const { roster, text } = encodeRunResults(summary.results);
    // A run that checked nothing (cut short entirely) names no roster.
    const rosterKey = roster.length > 0 ? await this.rosters.store(roster) : undefined;
    const item = {
      pk: runPk(summary.tick),
      sk: runSk(this.scope, summary.tick),
      entity: 'RUN',
      tick: summary.tick,
      ...(this.scope.shard === '' ? {} : { shard: this.scope.shard }),
      startedAt: summary.startedAt,
      durationMs: summary.durationMs,
      checks: summary.checks,
      failures: summary.failures,
      monitorsDown: summary.monitorsDown,
      roster: rosterKey,
      // Left out when empty: the DynamoDB Local of the local stack refuses empty strings in some versions.
      r: text === '' ? undefined : text,
      expiresAt: expiresAtSeconds(Date.parse(summary.startedAt), this.runRetentionMs),
    };
    try {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * The latest run at or before `before`, looking back a bounded number of days: every shard of
   * its tick added up, and each monitor's newest result of the minute up to it. A result from
   * another tick than the summary's carries its own `checkedAt`.
   */
  async latestRunSummary(before: string): Promise<RunSummary | undefined> {
    const endEpochMs = Date.parse(before);
    for (let day = 0; day <= LATEST_RUN_LOOKBACK_DAYS; day += 1) {
      const { Items } = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk <= :before',
          ExpressionAttributeValues: { ':pk': runPk(new Date(endEpochMs - day * DAY_MS).toISOString()), ':before': `${before}${AFTER_SHARDS}` },
          ScanIndexForward: false,
          Limit: 1,
          ProjectionExpression: 'pk, sk, tick',
        }),
      );
      const item = Items?.[0];
      if (!item) continue;
      const latestTick = itemTick(item);
      const windowStart = new Date(Date.parse(latestTick) - MINUTE_MS + 1).toISOString();
      const parts = (await this.readRunItems(windowStart, latestTick)).filter((part) => part.tick <= before);
      return mergeLatestRun(parts, latestTick);
    }
    return undefined;
  }

  /** Run summaries whose tick lies in [from, to], oldest first; the shards of a tick as one summary. */
  async listRunSummaries(from: string, to: string): Promise<RunSummary[]> {
    return mergeShardsByTick(await this.readRunItems(from, to));
  }

  /** Every run summary item (one per shard) with a tick in [from, to], across the days it spans. */
  private async readRunItems(from: string, to: string): Promise<RunSummary[]> {
    const items: Record<string, unknown>[] = [];
    const lastDayEpochMs = Date.parse(to.slice(0, 10));
    for (let dayEpochMs = Date.parse(from.slice(0, 10)); dayEpochMs <= lastDayEpochMs; dayEpochMs += DAY_MS) {
      items.push(
        ...(await queryAll(this.documents, {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': runPk(new Date(dayEpochMs).toISOString()), ':from': from, ':to': `${to}${AFTER_SHARDS}` },
        })),
      );
    }
    const summaries: RunSummary[] = [];
    for (const item of items) {
      const tick = itemTick(item);
      if (tick < from || tick > to) continue;
      summaries.push(await this.runSummaryFromItem(item));
    }
    return summaries;
  }

  private async runSummaryFromItem(item: Record<string, unknown>): Promise<RunSummary> {
    // A run that checked nothing names no roster and holds no results.
    const roster = typeof item.roster === 'string' ? await this.rosters.load(item.roster) : [];
    return {
      tick: itemTick(item),
      startedAt: String(item.startedAt),
      durationMs: Number(item.durationMs),
      checks: Number(item.checks),
      failures: Number(item.failures),
      monitorsDown: Number(item.monitorsDown),
      results: decodeRunResults(roster, typeof item.r === 'string' ? item.r : ''),
    };
  }
}

function itemTick(item: Record<string, unknown>): string {
  return typeof item.tick === 'string' ? item.tick : String(item.sk);
}
