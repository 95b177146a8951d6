import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RunMarkerStore } from '../domain/ports';
import { DAY_MS } from '../domain/time';
import { DynamoDbRunScopedAdapter, type DynamoDbRunScopedOptions, expiresAtSeconds, lockKey, runSk, TICK_PK } from './dynamodb-items';

/** How long run markers are kept (TTL) past their lease. */
const MARKER_RETENTION_MS = 2 * DAY_MS;

/** Run markers under pk TICK, sk <tick> (<tick>#<shard>); a run is pending until the apply lock moved past its tick. */
export class DynamoDbRunMarkerStore extends DynamoDbRunScopedAdapter implements RunMarkerStore {
  constructor(options: DynamoDbRunScopedOptions) {
    super(options);
  }

  async markRunStarted(tick: string, leaseExpiresAtMs: number): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: TICK_PK,
          sk: runSk(this.scope, tick),
          entity: 'RUN_START',
          leaseExpiresAt: leaseExpiresAtMs,
          expiresAt: expiresAtSeconds(leaseExpiresAtMs, MARKER_RETENTION_MS),
        },
      }),
    );
  }

  async isRunPending(tick: string, nowMs: number): Promise<boolean> {
    const [marker, lock] = await Promise.all([
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: TICK_PK, sk: runSk(this.scope, tick) }, ConsistentRead: true })),
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: lockKey(this.scope), ConsistentRead: true })),
    ]);
    if (!marker.Item || Number(marker.Item.leaseExpiresAt) < nowMs) return false;
    const lockTick = typeof lock.Item?.tick === 'string' ? lock.Item.tick : '';
    // Applied (or superseded) once the lock has moved past the tick, or holds it no longer.
    if (lockTick > tick || (lockTick === tick && lock.Item?.applying !== true)) return false;
    return true;
  }
}
