import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ApplyLock, ApplyLockResult } from '../domain/ports';
import type { RunScope } from '../domain/shards';
import { DynamoDbTableAdapter, type DynamoDbTableOptions, isConditionFailure, lockKey, UNSHARDED } from './dynamodb-items';

export interface DynamoDbApplyLockOptions extends DynamoDbTableOptions {
  /** Whose lock: one shard's (sk `APPLY#<shard>`). Default: an unsharded run's. */
  scope?: RunScope;
}

/** The apply lock: one item, pk LOCK, sk APPLY (APPLY#<shard>), holding the tick it was last taken for. */
export class DynamoDbApplyLock extends DynamoDbTableAdapter implements ApplyLock {
  private readonly key: { pk: string; sk: string };

  constructor(options: DynamoDbApplyLockOptions) {
    super(options);
    this.key = lockKey(options.scope ?? UNSHARDED);
  }

  async acquireApplyLock(tick: string, holder: string, leaseExpiresAtMs: number, nowMs: number): Promise<ApplyLockResult> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key, entity: 'APPLY_LOCK', tick, holder, applying: true, leaseExpiresAt: leaseExpiresAtMs },
          ConditionExpression: 'attribute_not_exists(pk) OR (#tick <= :tick AND (#applying = :false OR #lease < :now))',
          ExpressionAttributeNames: { '#tick': 'tick', '#applying': 'applying', '#lease': 'leaseExpiresAt' },
          ExpressionAttributeValues: { ':tick': tick, ':false': false, ':now': nowMs },
        }),
      );
      return 'acquired';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }));
    // Ours already: an earlier try of this very put landed (a replayed request).
    if (Item?.holder === holder && Item.applying === true) return 'acquired';
    return typeof Item?.tick === 'string' && Item.tick > tick ? 'superseded' : 'busy';
  }

  async releaseApplyLock(tick: string, holder: string): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key, entity: 'APPLY_LOCK', tick, holder, applying: false, leaseExpiresAt: 0 },
          ConditionExpression: '#holder = :holder',
          ExpressionAttributeNames: { '#holder': 'holder' },
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (error) {
      // Our lease ran out and another run took the lock: it is theirs now.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
