import { PutCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mapWithConcurrency } from '../domain/concurrency';
import { decodeRunStats, encodeRunStats } from '../domain/run-results-codec';
import type { RunRollupStore } from '../domain/ports';
import { TRANSITION_RETENTION_DAYS } from '../domain/retention';
import type { RunStats } from '../domain/run-stats';
import { DynamoDbTableAdapter, type DynamoDbTableOptions, expiresAtSeconds } from './dynamodb-items';
import { queryAll } from './dynamodb-query';
import { DynamoDbRosters } from './dynamodb-rosters';
import { DAY_MS } from '../domain/time';

/** Partition of the markers: one item per rolled-up hour. */
const MARKER_PK = 'ROLLUP';
/** How many bucket items of one hour are written at once. */
const WRITE_CONCURRENCY = 8;
/** Bucket partitions read at once by listMonitorsHours. */
const READ_CONCURRENCY = 8;
/**
 * Monitors per bucket item: about 50 bytes of figures each, so an item stays near 1 KB, one write
 * unit. Fewer would pay a write unit (and 100 bytes of storage overhead) for less; more would make
 * each reader of one monitor read more of the others' figures.
 */
export const ROLLUP_MONITORS_PER_ITEM = 16;

export interface DynamoDbRunRollupStoreOptions extends DynamoDbTableOptions {
  /** How long rollups are kept (TTL); default TRANSITION_RETENTION_DAYS, as transitions. */
  retentionDays?: number;
  /** Rosters already known to be stored, shared with the run summary store of the same invocation. */
  rosters?: Map<string, string[]>;
}

/**
 * The RunRollupStore on the monitor table, beside the other stores' items (lib/adapters/dynamodb-items.ts):
 *
 * | item | pk | sk |
 * |---|---|---|
 * | the figures of one bucket of monitors for one hour | `ROLLUP#<buckets>#<bucket>` | `<hour ISO>` |
 * | marker: the hour is rolled up, into how many buckets | `ROLLUP` | `<hour ISO>` |
 *
 * Each hour's monitors are spread over `ceil(monitors / 16)` buckets by a hash of their id, and a
 * bucket's figures are one item: a roster (see DynamoDbRosters) and each monitor's figures in
 * roster order (lib/domain/run-results-codec.ts). One item per monitor and hour, kept 400 days,
 * would cost a write unit per monitor-hour and 2.5 MB of storage per monitor (about $0.0016 a
 * monitor-month with point-in-time recovery): more than all the rest of the monitor at 10,000
 * monitors. Packed, an hour of 10,000 monitors is about 630 write units and 0.6 MB.
 *
 * Reading one monitor's hours reads its bucket's items (16 monitors' figures, about 1 KB each):
 * 30 days are 720 items, about 90 read units.
 */
export class DynamoDbRunRollupStore extends DynamoDbTableAdapter implements RunRollupStore {
  private readonly retentionMs: number;
  private readonly rosters: DynamoDbRosters;

  constructor(options: DynamoDbRunRollupStoreOptions) {
    super(options);
    this.retentionMs = (options.retentionDays ?? TRANSITION_RETENTION_DAYS) * DAY_MS;
    this.rosters = new DynamoDbRosters(this.documents, this.tableName, options.rosters);
  }

  async hasHourRollup(hour: string): Promise<boolean> {
    return this.itemExists({ pk: MARKER_PK, sk: hour });
  }

  async putHourRollup(hour: string, stats: ReadonlyMap<string, RunStats>): Promise<void> {
    const expiresAt = expiresAtSeconds(Date.parse(hour), this.retentionMs);
    const buckets = Math.max(1, Math.ceil(stats.size / ROLLUP_MONITORS_PER_ITEM));
    const byBucket = new Map<number, string[]>();
    for (const monitorId of [...stats.keys()].sort()) {
      const bucket = bucketOf(monitorId, buckets);
      byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), monitorId]);
    }
    await mapWithConcurrency([...byBucket], WRITE_CONCURRENCY, async ([bucket, ids]) => {
      const roster = await this.rosters.store(ids);
      const figures = ids.map((id) => encodeRunStats(stats.get(id) as RunStats)).join(',');
      await this.documents.send(
        new PutCommand({ TableName: this.tableName, Item: { pk: bucketPk(buckets, bucket), sk: hour, entity: 'ROLLUP', roster, figures, expiresAt } }),
      );
    });
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: MARKER_PK, sk: hour, entity: 'ROLLUP_MARKER', monitors: stats.size, buckets, expiresAt },
      }),
    );
  }

  async listRolledUpHours(from: string, to: string): Promise<Set<string>> {
    const items = await this.queryRange(MARKER_PK, from, to, 'sk');
    return new Set(items.map((item) => String(item.sk)));
  }

  async listMonitorHours(monitorId: string, from: string, to: string): Promise<Map<string, RunStats>> {
    return (await this.listMonitorsHours([monitorId], from, to)).get(monitorId) ?? new Map();
  }

  /**
   * Several monitors' figures at once: the markers once, then each bucket partition that holds one
   * of them once, however many of them share it (16 monitors to an item, so a status page of N
   * monitors reads about N/16 partitions, not N).
   */
  async listMonitorsHours(monitorIds: readonly string[], from: string, to: string): Promise<Map<string, Map<string, RunStats>>> {
    const result = new Map<string, Map<string, RunStats>>(monitorIds.map((id) => [id, new Map()]));
    if (monitorIds.length === 0) return result;
    // The markers say how many buckets each hour has; hours with the same count share a bucket item partition.
    const markers = await this.queryRange(MARKER_PK, from, to, 'sk, buckets');
    const hoursByBuckets = new Map<number, string[]>();
    for (const marker of markers) {
      const buckets = Number(marker.buckets ?? 0);
      if (buckets >= 1) hoursByBuckets.set(buckets, [...(hoursByBuckets.get(buckets) ?? []), String(marker.sk)]);
    }
    const reads: Array<{ pk: string; first: string; last: string; ids: string[] }> = [];
    for (const [buckets, hours] of hoursByBuckets) {
      const sorted = hours.sort();
      const idsByBucket = new Map<number, string[]>();
      for (const id of monitorIds) {
        const bucket = bucketOf(id, buckets);
        idsByBucket.set(bucket, [...(idsByBucket.get(bucket) ?? []), id]);
      }
      for (const [bucket, ids] of idsByBucket) {
        reads.push({ pk: bucketPk(buckets, bucket), first: sorted[0] as string, last: sorted.at(-1) as string, ids });
      }
    }
    await mapWithConcurrency(reads, READ_CONCURRENCY, async ({ pk, first, last, ids }) => {
      const items = await this.queryRange(pk, first, new Date(Date.parse(last) + 1).toISOString());
      for (const item of items) {
        const roster = await this.rosters.load(String(item.roster));
        const figures = String(item.figures ?? '').split(',');
        for (const id of ids) {
          const index = roster.indexOf(id);
          if (index < 0) continue;
          const entry = figures[index];
          if (entry === undefined) throw new TypeError(`rollup ${String(item.pk)} ${String(item.sk)}: no figures for roster entry ${index}`);
          result.get(id)?.set(String(item.sk), decodeRunStats(entry));
        }
      }
    });
    return result;
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
    return queryAll(this.documents, input);
  }
}

const bucketPk = (buckets: number, bucket: number) => `ROLLUP#${buckets}#${bucket}`;

/** The bucket of a monitor among `buckets`: FNV-1a of its id, so every writer and reader agrees. */
export function bucketOf(monitorId: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(monitorId, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % buckets;
}
