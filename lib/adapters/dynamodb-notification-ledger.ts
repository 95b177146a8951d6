import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ClaimResult, LedgerEntry, NotificationLedger } from '../domain/ports';
import { DAY_MS } from '../domain/time';
import { DynamoDbTableAdapter, type DynamoDbTableOptions, expiresAtSeconds } from './dynamodb-items';

/**
 * Ledger items live in the monitor table under this partition key (the notifier may write no
 * other). Its text predates the name "ledger"; deployed tables and the notifier's IAM condition hold it.
 */
export const LEDGER_PK = 'IDEMPOTENCY';
const SK_PREFIX = 'transition-email#';

export interface DynamoDbNotificationLedgerOptions extends DynamoDbTableOptions {
  /** How long a record is kept (TTL); longer than a stream record can live (24 h). Default 3 days. */
  retentionDays?: number;
  /** Wall clock in epoch milliseconds, for the TTL and `completedAt`. Default Date.now. */
  nowMs?: () => number;
}

/**
 * The NotificationLedger on the monitor table: one item per transition, pk `IDEMPOTENCY`, sk
 * `transition-email#<key>`, with `status` INPROGRESS (a claim with a lease) or COMPLETED.
 */
export class DynamoDbNotificationLedger extends DynamoDbTableAdapter implements NotificationLedger {
  private readonly retentionMs: number;
  private readonly nowMs: () => number;

  constructor(options: DynamoDbNotificationLedgerOptions) {
    super(options);
    this.retentionMs = (options.retentionDays ?? 3) * DAY_MS;
    this.nowMs = options.nowMs ?? Date.now;
  }

  async read(key: string, options: { signal?: AbortSignal } = {}): Promise<LedgerEntry | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: this.keyOf(key), ConsistentRead: true }),
      { abortSignal: options.signal },
    );
    return Item ? entryFromItem(Item) : undefined;
  }

  async claim(
    key: string,
    attemptId: string,
    leaseExpiresAtMs: number,
    nowMs: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<ClaimResult> {
    // Two rounds: a claim released between the failed put and the read leaves nothing to report.
    for (let round = 0; round < 2; round += 1) {
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...this.keyOf(key), status: 'INPROGRESS', attemptId, leaseExpiresAt: leaseExpiresAtMs, expiresAt: this.expiresAt() },
            ConditionExpression: 'attribute_not_exists(pk) OR (#status = :inProgress AND #lease < :now)',
            ExpressionAttributeNames: { '#status': 'status', '#lease': 'leaseExpiresAt' },
            ExpressionAttributeValues: { ':inProgress': 'INPROGRESS', ':now': nowMs },
          }),
          { abortSignal: options.signal },
        );
        return { claimed: true };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const entry = await this.read(key, options);
      if (entry) return { claimed: false, entry };
    }
    throw new Error(`ledger entry ${key} kept changing while it was claimed`);
  }

  async complete(key: string, outcome: string, messageId: string | undefined, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...this.keyOf(key), status: 'COMPLETED', outcome, messageId, completedAt: new Date(this.nowMs()).toISOString(), expiresAt: this.expiresAt() },
      }),
      { abortSignal: options.signal },
    );
  }

  async recordSkip(key: string, outcome: string): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.keyOf(key), status: 'COMPLETED', outcome, completedAt: new Date(this.nowMs()).toISOString(), expiresAt: this.expiresAt() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async release(key: string, attemptId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: this.keyOf(key),
          ConditionExpression: '#status = :inProgress AND #attempt = :attempt',
          ExpressionAttributeNames: { '#status': 'status', '#attempt': 'attemptId' },
          ExpressionAttributeValues: { ':inProgress': 'INPROGRESS', ':attempt': attemptId },
        }),
        { abortSignal: options.signal },
      );
    } catch (error) {
      // Someone else's claim or a completed record: not ours to drop.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private keyOf(key: string): { pk: string; sk: string } {
    return { pk: LEDGER_PK, sk: `${SK_PREFIX}${key}` };
  }

  private expiresAt(): number {
    return expiresAtSeconds(this.nowMs(), this.retentionMs);
  }
}

function entryFromItem(item: Record<string, unknown>): LedgerEntry {
  if (item.status === 'COMPLETED') {
    return {
      status: 'COMPLETED',
      outcome: String(item.outcome ?? 'unknown'),
      ...(typeof item.messageId === 'string' ? { messageId: item.messageId } : {}),
    };
  }
  return { status: 'INPROGRESS', attemptId: String(item.attemptId ?? ''), leaseExpiresAtMs: Number(item.leaseExpiresAt ?? 0) };
}
