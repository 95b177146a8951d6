import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { HeartbeatReader, HeartbeatRecord, Ping, PingKind, PingRecorder } from '../domain/heartbeat';
import { DynamoDbTableAdapter, HEARTBEAT_PK, isConditionFailure, type DynamoDbTableOptions } from './dynamodb-items';
import { queryAll } from './dynamodb-query';

/**
 * Heartbeat items (pk `HEARTBEAT`, sk the monitor id): one per heartbeat monitor, updated in place
 * by each ping, so the probe reads every heartbeat in one Query a run (about 100 bytes an item:
 * 0.5 read unit for up to 40 monitors). The ping function only ever UpdateItems here; its role
 * is held to this partition (dynamodb:LeadingKeys, serverless.yml).
 */
export class DynamoDbHeartbeatStore extends DynamoDbTableAdapter implements HeartbeatReader, PingRecorder {
  constructor(options: DynamoDbTableOptions) {
    super(options);
  }

  async readHeartbeats(monitorIds: readonly string[]): Promise<Map<string, HeartbeatRecord>> {
    const wanted = new Set(monitorIds);
    const records = new Map<string, HeartbeatRecord>();
    if (wanted.size === 0) return records;
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': HEARTBEAT_PK },
      ConsistentRead: true,
    });
    for (const item of items) {
      const record = heartbeatFromItem(item);
      if (wanted.has(record.monitorId)) records.set(record.monitorId, record);
    }
    return records;
  }

  async noteFirstSeen(monitorId: string, atIso: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: HEARTBEAT_PK, sk: monitorId },
          UpdateExpression: 'SET firstSeenAt = :at',
          ConditionExpression: 'attribute_not_exists(pk)',
          ExpressionAttributeValues: { ':at': atIso },
        }),
      );
    } catch (error) {
      // A ping (or another run) created the record first: it holds an earlier time already.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async recordPing(ping: Ping): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: HEARTBEAT_PK, sk: ping.monitorId },
          UpdateExpression: 'SET firstSeenAt = if_not_exists(firstSeenAt, :at), lastPingAt = :at, lastPingKind = :kind',
          // Two pings at once: the later one stays the latest, whichever is written last.
          ConditionExpression: 'attribute_not_exists(lastPingAt) OR lastPingAt <= :at',
          ExpressionAttributeValues: { ':at': ping.at, ':kind': ping.kind },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

function heartbeatFromItem(item: Record<string, unknown>): HeartbeatRecord {
  const lastPingAt = item.lastPingAt as string | undefined;
  return {
    monitorId: item.sk as string,
    firstSeenAt: item.firstSeenAt as string,
    ...(lastPingAt !== undefined ? { lastPing: { at: lastPingAt, kind: item.lastPingKind as PingKind } } : {}),
  };
}
