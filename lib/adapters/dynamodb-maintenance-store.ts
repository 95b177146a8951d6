import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AdHocMaintenance, MaintenanceStore } from '../domain/maintenance';
import { DAY_MS } from '../domain/time';
import { TRANSITION_RETENTION_DAYS } from '../domain/retention';
import { DynamoDbTableAdapter, expiresAtSeconds, isConditionFailure, MAINTENANCE_PK, type DynamoDbTableOptions } from './dynamodb-items';
import { queryAll } from './dynamodb-query';

/**
 * Ad-hoc maintenance windows (pk `MAINTENANCE`, sk `<startAt>#<id>`), opened and closed by
 * `npm run maintenance`. Kept as long as transitions (the uptime of a past range leaves their time
 * out), so the partition holds a few hundred small items at most: the probe reads it whole, in one
 * Query a run, as the API does per request.
 */
export class DynamoDbMaintenanceStore extends DynamoDbTableAdapter implements MaintenanceStore {
  private readonly retentionMs: number;

  constructor(options: DynamoDbTableOptions & { transitionRetentionDays?: number | undefined }) {
    super(options);
    this.retentionMs = (options.transitionRetentionDays ?? TRANSITION_RETENTION_DAYS) * DAY_MS;
  }

  async listAdHocWindows(): Promise<AdHocMaintenance[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': MAINTENANCE_PK },
    });
    return items.flatMap((item) => {
      const window = windowFromItem(item);
      return window ? [window] : [];
    });
  }

  async openAdHocWindow(window: AdHocMaintenance): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: MAINTENANCE_PK,
          sk: `${window.startAt}#${window.id}`,
          entity: 'MAINTENANCE',
          ...window,
          expiresAt: expiresAtSeconds(Date.parse(window.endAt), this.retentionMs),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async closeAdHocWindow(window: AdHocMaintenance, endAt: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: MAINTENANCE_PK, sk: `${window.startAt}#${window.id}` },
          UpdateExpression: 'SET endAt = :endAt, expiresAt = :expiresAt',
          // Only ever earlier: a window is never stretched by closing it.
          ConditionExpression: 'attribute_exists(pk) AND endAt > :endAt',
          ExpressionAttributeValues: { ':endAt': endAt, ':expiresAt': expiresAtSeconds(Date.parse(endAt), this.retentionMs) },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

function windowFromItem(item: Record<string, unknown>): AdHocMaintenance | undefined {
  const { id, name, monitors, startAt, endAt } = item;
  if (typeof id !== 'string' || typeof name !== 'string' || typeof startAt !== 'string' || typeof endAt !== 'string') return undefined;
  const ids = Array.isArray(monitors) ? monitors.filter((value): value is string => typeof value === 'string') : undefined;
  return { id, name, startAt, endAt, ...(ids ? { monitors: ids } : {}) };
}
