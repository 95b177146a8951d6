import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mapWithConcurrency } from '../domain/concurrency';
import type { RunRollupStore, RunStats } from '../domain/run-stats';

const DAY_MS = 86_400_000;
/** Partition of the markers: one item per rolled-up hour. */
const MARKER_PK = 'ROLLUP';
/** How many monitor items of one hour are written at once. */
const WRITE_CONCURRENCY = 8;

export interface DynamoDbRunRollupStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long rollups are kept (TTL), default 400 days, as transitions. */
  retentionDays?: number;
}

/**
 * The RunRollupStore on the monitor table, beside the state store's items:
 *
 * | item | pk | sk |
 * |---|---|---|
 * | one monitor's figures for one hour | `ROLLUP#<monitorId>` | `<hour ISO>` |
 * | marker: the hour is rolled up | `ROLLUP` | `<hour ISO>` |
 *
 * A monitor item is about 100 to 300 bytes, so 30 days of one monitor (720 items) is one Query page.
 * Response-time buckets are kept as a compact string, `index:count` pairs joined by commas.
 */
export class DynamoDbRunRollupStore implements RunRollupStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retentionMs: number;

  constructor(options: DynamoDbRunRollupStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = options.tableName;
    this.retentionMs = (options.retentionDays ?? 400) * DAY_MS;
  }

  async hasHourRollup(hour: string): Promise<boolean> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: MARKER_PK, sk: hour }, ProjectionExpression: 'pk' }),
    );
    return Item !== undefined;
  }

  async putHourRollup(hour: string, stats: ReadonlyMap<string, RunStats>): Promise<void> {
    const expiresAt = Math.floor((Date.parse(hour) + this.retentionMs) / 1000);
    await mapWithConcurrency([...stats], WRITE_CONCURRENCY, ([monitorId, monitorStats]) =>
      this.documents.send(
        new PutCommand({ TableName: this.tableName, Item: rollupToItem(monitorId, hour, monitorStats, expiresAt) }),
      ),
    );
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: MARKER_PK, sk: hour, entity: 'ROLLUP_MARKER', monitors: stats.size, expiresAt },
      }),
    );
  }

  async listRolledUpHours(from: string, to: string): Promise<Set<string>> {
    const items = await this.queryRange(MARKER_PK, from, to, 'sk');
    return new Set(items.map((item) => String(item.sk)));
  }

  async listMonitorHours(monitorId: string, from: string, to: string): Promise<Map<string, RunStats>> {
    const items = await this.queryRange(monitorPk(monitorId), from, to);
    return new Map(items.map((item) => [String(item.sk), rollupFromItem(item)]));
  }

  /** Items of one partition whose sk (an hour) lies in [from, to). */
  private async queryRange(pk: string, from: string, to: string, projection?: string): Promise<Record<string, unknown>[]> {
    if (from >= to) return [];
    const input: QueryCommandInput = {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :last',
      ExpressionAttributeValues: { ':pk': pk, ':from': from, ':last': new Date(Date.parse(to) - 1).toISOString() },
      ...(projection ? { ProjectionExpression: projection } : {}),
    };
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

const monitorPk = (monitorId: string) => `ROLLUP#${monitorId}`;

function rollupToItem(monitorId: string, hour: string, stats: RunStats, expiresAt: number): Record<string, unknown> {
  return {
    pk: monitorPk(monitorId),
    sk: hour,
    entity: 'ROLLUP',
    checks: stats.checks,
    failedChecks: stats.failedChecks,
    latencyCount: stats.latency.count,
    latencySumMs: stats.latency.sumMs,
    latencyMinMs: stats.latency.minMs,
    latencyMaxMs: stats.latency.maxMs,
    // Left out when there is no successful check: the DynamoDB Local of the local stack refuses empty strings.
    latencyBuckets: stats.latency.buckets.size > 0 ? [...stats.latency.buckets].map(([bucket, count]) => `${bucket}:${count}`).join(',') : undefined,
    expiresAt,
  };
}

function rollupFromItem(item: Record<string, unknown>): RunStats {
  const buckets = new Map<number, number>();
  const text = typeof item.latencyBuckets === 'string' ? item.latencyBuckets : '';
  for (const pair of text ? text.split(',') : []) {
    const [bucket, count] = pair.split(':').map(Number);
    if (!Number.isInteger(bucket) || !Number.isInteger(count)) {
      throw new TypeError(`rollup ${String(item.pk)} ${String(item.sk)}: bad latency bucket '${pair}'`);
    }
    buckets.set(bucket as number, count as number);
  }
  return {
    checks: Number(item.checks ?? 0),
    failedChecks: Number(item.failedChecks ?? 0),
    latency: {
      count: Number(item.latencyCount ?? 0),
      sumMs: Number(item.latencySumMs ?? 0),
      minMs: Number(item.latencyMinMs ?? 0),
      maxMs: Number(item.latencyMaxMs ?? 0),
      buckets,
    },
  };
}
