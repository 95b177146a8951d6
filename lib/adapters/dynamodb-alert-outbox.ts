import { DeleteCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AlertOutbox } from '../domain/ports';
import type { AlertSource, OutboxEntry } from '../domain/reminders';
import { certificateWarningFromItem, DynamoDbTableAdapter, reminderFromItem, transitionFromItem, type DynamoDbTableOptions } from './dynamodb-items';
import { queryAll } from './dynamodb-query';

/** The outbox's partition: one item per alert not yet delivered to every channel. */
export const OUTBOX_PK = 'OUTBOX';
/** A backstop: an entry nobody could deliver for a week goes; the ledger and the logs keep its trace. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** The outbox item of an alert, written in the transaction that writes the alert's transition or reminder. */
export function outboxToItem(entry: OutboxEntry): Record<string, unknown> {
  const source =
    entry.source.kind === 'transition' ? { ...entry.source.transition } : entry.source.kind === 'reminder' ? { ...entry.source.reminder } : { ...entry.source.warning };
  return {
    pk: OUTBOX_PK,
    sk: entry.sortKey,
    entity: 'OUTBOX',
    kind: entry.source.kind,
    monitorId: entry.monitorId,
    createdAtMs: entry.createdAtMs,
    alert: source,
    expiresAt: Math.floor((entry.createdAtMs + OUTBOX_RETENTION_MS) / 1000),
  };
}

export function outboxFromItem(item: Record<string, unknown>): OutboxEntry {
  const alert = (item.alert ?? {}) as Record<string, unknown>;
  const source: AlertSource =
    item.kind === 'reminder'
      ? { kind: 'reminder', reminder: reminderFromItem(alert) }
      : item.kind === 'certificate'
        ? { kind: 'certificate', warning: certificateWarningFromItem(alert) }
        : { kind: 'transition', transition: transitionFromItem(alert) };
  return { monitorId: String(item.monitorId), sortKey: String(item.sk), source, createdAtMs: Number(item.createdAtMs ?? 0) };
}

/**
 * The outbox under pk OUTBOX. Reading it whole is one Query of a partition that is empty while
 * every alert has been delivered (0.5 read units); a monitor's entries are a prefix of it.
 */
export class DynamoDbAlertOutbox extends DynamoDbTableAdapter implements AlertOutbox {
  constructor(options: DynamoDbTableOptions) {
    super(options);
  }

  async listWaiting(writtenBeforeMs: number, limit: number): Promise<OutboxEntry[]> {
    const input: QueryCommandInput = {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': OUTBOX_PK },
      ConsistentRead: true,
    };
    const entries = (await queryAll(this.documents, input)).map(outboxFromItem);
    return entries.filter((entry) => entry.createdAtMs < writtenBeforeMs).slice(0, limit);
  }

  async listEarlier(monitorId: string, sortKey: string): Promise<OutboxEntry[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :before',
      ExpressionAttributeValues: { ':pk': OUTBOX_PK, ':first': `${monitorId}#`, ':before': sortKey },
      ConsistentRead: true,
    });
    return items.map(outboxFromItem).filter((entry) => entry.sortKey < sortKey && entry.monitorId === monitorId);
  }

  async remove(sortKey: string): Promise<void> {
    await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: OUTBOX_PK, sk: sortKey } }));
  }
}
