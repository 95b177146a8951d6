import { PutCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mapWithConcurrency } from '../domain/concurrency';
import { decodeRunStats, encodeRunStats } from '../domain/run-results-codec';
import type { RollupPeriod, RollupRead, RunRollupStore } from '../domain/ports';
import { DAILY_ROLLUP_RETENTION_DAYS, HOURLY_ROLLUP_RETENTION_DAYS } from '../domain/retention';
import type { RunStats } from '../domain/run-stats';
import { DynamoDbTableAdapter, type DynamoDbTableOptions, expiresAtSeconds } from './dynamodb-items';
import { queryAll } from './dynamodb-query';
import { DynamoDbRosters } from './dynamodb-rosters';
import { DAY_MS } from '../domain/time';

/** Each period's partitions: markers, one item per rolled-up period, and the bucket items' prefix. */
const PARTITIONS: Record<RollupPeriod, { marker: string; bucket: string; entity: string }> = {
  hour: { marker: 'ROLLUP', bucket: 'ROLLUP', entity: 'ROLLUP' },
  day: { marker: 'ROLLUP_DAY', bucket: 'ROLLUP_DAY', entity: 'ROLLUP_DAY' },
};
/** How many bucket items of one period are written at once. */
const WRITE_CONCURRENCY = 8;
/** Bucket partitions read at once. */
const READ_CONCURRENCY = 8;
/**
 * Monitors per bucket item: about 50 bytes of figures each (a day's about 80), so an item stays
 * near 1 KB, one write unit. Fewer would pay a write unit (and 100 bytes of storage overhead) for
 * less; more would make each reader of one monitor read more of the others' figures.
 */
export const ROLLUP_MONITORS_PER_ITEM = 16;

export interface DynamoDbRunRollupStoreOptions extends DynamoDbTableOptions {
  /** How long hourly rollups are kept (TTL); default HOURLY_ROLLUP_RETENTION_DAYS. */
  hourlyRetentionDays?: number;
  /** How long daily rollups are kept (TTL); default DAILY_ROLLUP_RETENTION_DAYS. */
  dailyRetentionDays?: number;
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
 * | the same for one UTC day | `ROLLUP_DAY#<buckets>#<bucket>` | `<day ISO, midnight>` |
 * | marker: the day is rolled up | `ROLLUP_DAY` | `<day ISO>` |
 *
 * Each period's monitors are spread over `ceil(monitors / 16)` buckets by a hash of their id, and a
 * bucket's figures are one item: a roster (see DynamoDbRosters) and each monitor's figures in
 * roster order (lib/domain/run-results-codec.ts). One item per monitor and hour, kept 400 days,
 * would cost a write unit per monitor-hour and 2.5 MB of storage per monitor (about $0.0016 a
 * monitor-month with point-in-time recovery): more than all the rest of the monitor at 10,000
 * monitors. Packed, an hour of 10,000 monitors is about 630 write units and 0.6 MB.
 *
 * Reading one monitor's hours reads its bucket's items (16 monitors' figures, about 1 KB each):
 * 30 days of hours are 720 items, about 90 read units; 30 days of days are 30 items.
 */
export class DynamoDbRunRollupStore extends DynamoDbTableAdapter implements RunRollupStore {
  private readonly retentionMs: Record<RollupPeriod, number>;
  private readonly rosters: DynamoDbRosters;

  constructor(options: DynamoDbRunRollupStoreOptions) {
    super(options);
    this.retentionMs = {
      hour: (options.hourlyRetentionDays ?? HOURLY_ROLLUP_RETENTION_DAYS) * DAY_MS,
      day: (options.dailyRetentionDays ?? DAILY_ROLLUP_RETENTION_DAYS) * DAY_MS,
    };
    this.rosters = new DynamoDbRosters(this.documents, this.tableName, options.rosters);
  }

  async hasRollup(period: RollupPeriod, start: string): Promise<boolean> {
    return this.itemExists({ pk: PARTITIONS[period].marker, sk: start });
  }

  async putRollup(period: RollupPeriod, start: string, stats: ReadonlyMap<string, RunStats>): Promise<void> {
    const { marker, bucket: prefix, entity } = PARTITIONS[period];
    const expiresAt = expiresAtSeconds(Date.parse(start), this.retentionMs[period]);
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
        new PutCommand({ TableName: this.tableName, Item: { pk: bucketPk(prefix, buckets, bucket), sk: start, entity, roster, figures, expiresAt } }),
      );
    });
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: marker, sk: start, entity: `${entity}_MARKER`, monitors: stats.size, buckets, expiresAt },
      }),
    );
  }

  async listRolledUp(period: RollupPeriod, from: string, to: string): Promise<Set<string>> {
    const items = await this.queryRange(PARTITIONS[period].marker, from, to, 'sk');
    return new Set(items.map((item) => String(item.sk)));
  }

  /**
   * Several monitors' figures at once: the markers once, then each bucket partition that holds one
   * of them once, however many of them share it (16 monitors to an item, so a status page of N
   * monitors reads about N/16 partitions, not N). `monitorIds` undefined: every monitor's.
   */
  async readRollups(period: RollupPeriod, monitorIds: readonly string[] | undefined, from: string, to: string): Promise<RollupRead> {
    const byMonitor = new Map<string, Map<string, RunStats>>((monitorIds ?? []).map((id) => [id, new Map()]));
    const rolledUp = new Set<string>();
    if (monitorIds?.length === 0) return { rolledUp, byMonitor };
    const { marker, bucket: prefix } = PARTITIONS[period];
    // The markers say how many buckets each period has; periods with the same count share a bucket item partition.
    const markers = await this.queryRange(marker, from, to, 'sk, buckets');
    const startsByBuckets = new Map<number, string[]>();
    for (const item of markers) {
      rolledUp.add(String(item.sk));
      const buckets = Number(item.buckets ?? 0);
      if (buckets >= 1) startsByBuckets.set(buckets, [...(startsByBuckets.get(buckets) ?? []), String(item.sk)]);
    }
    const reads: Array<{ pk: string; first: string; last: string; ids: string[] | undefined }> = [];
    for (const [buckets, starts] of startsByBuckets) {
      const sorted = starts.sort();
      const idsByBucket = new Map<number, string[] | undefined>();
      if (monitorIds) {
        for (const id of monitorIds) {
          const bucket = bucketOf(id, buckets);
          idsByBucket.set(bucket, [...(idsByBucket.get(bucket) ?? []), id]);
        }
      } else {
        for (let bucket = 0; bucket < buckets; bucket += 1) idsByBucket.set(bucket, undefined);
      }
      for (const [bucket, ids] of idsByBucket) {
        reads.push({ pk: bucketPk(prefix, buckets, bucket), first: sorted[0] as string, last: sorted.at(-1) as string, ids });
      }
    }
    await mapWithConcurrency(reads, READ_CONCURRENCY, async ({ pk, first, last, ids }) => {
      const items = await this.queryRange(pk, first, new Date(Date.parse(last) + 1).toISOString());
      for (const item of items) {
        const roster = await this.rosters.load(String(item.roster));
        const figures = String(item.figures ?? '').split(',');
        for (const id of ids ?? roster) {
          const index = roster.indexOf(id);
          if (index < 0) continue;
          const entry = figures[index];
          if (entry === undefined) throw new TypeError(`rollup ${String(item.pk)} ${String(item.sk)}: no figures for roster entry ${index}`);
          let periods = byMonitor.get(id);
          if (!periods) byMonitor.set(id, (periods = new Map()));
          periods.set(String(item.sk), decodeRunStats(entry));
        }
      }
    });
    return { rolledUp, byMonitor };
  }

  /** Items of one partition whose sk (a period's start) lies in [from, to). */
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

const bucketPk = (prefix: string, buckets: number, bucket: number) => `${prefix}#${buckets}#${bucket}`;

/** The partition keys of a period's rollups: its markers', and one bucket item's (for the probe's IAM condition and its test). */
export const rollupMarkerPk = (period: RollupPeriod) => PARTITIONS[period].marker;
export const rollupBucketPk = (period: RollupPeriod, buckets: number, bucket: number) => bucketPk(PARTITIONS[period].bucket, buckets, bucket);

/** The bucket of a monitor among `buckets`: FNV-1a of its id, so every writer and reader agrees. */
export function bucketOf(monitorId: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(monitorId, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % buckets;
}
