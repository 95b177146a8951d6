import { BatchGetCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { MonitorStateStore, SaveStateResult } from '../domain/ports';
import { TRANSITION_RETENTION_DAYS } from '../domain/retention';
import type { TransitionRef } from '../domain/state-machine';
import { DAY_MS } from '../domain/time';
import { shouldNotify } from '../domain/email';
import { outboxSortKey, type AlertSource, type Reminder } from '../domain/reminders';
import { outboxToItem } from './dynamodb-alert-outbox';
import type { CertificateWarning } from '../domain/certificate';
import type { MonitorState, Transition } from '../domain/types';
import {
  DynamoDbRunScopedAdapter,
  type DynamoDbRunScopedOptions,
  expiresAtSeconds,
  isConditionFailure,
  monitorPk,
  STATE_PK,
  stateFromItem,
  stateSk,
  stateToItem,
  transitionSk,
  transitionToItem,
  releasedOutageToItem,
  reminderToItem,
  certificateWarningToItem,
} from './dynamodb-items';
import { queryAll } from './dynamodb-query';

/** The most keys one BatchGetItem takes. */
const BATCH_GET_MAX = 100;

export interface DynamoDbMonitorStateStoreOptions extends DynamoDbRunScopedOptions {
  /** How long a transition is kept after a newer one superseded it (TTL). Default TRANSITION_RETENTION_DAYS. */
  transitionRetentionDays?: number;
}

/**
 * Monitor states under pk STATE, sk MON#<id>; a state that makes a transition is written with it in
 * one transaction, and the transition it supersedes is then given its TTL (expireTransition).
 */
export class DynamoDbMonitorStateStore extends DynamoDbRunScopedAdapter implements MonitorStateStore {
  private readonly transitionRetentionMs: number;

  constructor(options: DynamoDbMonitorStateStoreOptions) {
    super(options);
    this.transitionRetentionMs = (options.transitionRetentionDays ?? TRANSITION_RETENTION_DAYS) * DAY_MS;
  }

  async loadStates(): Promise<Map<string, MonitorState>> {
    const { states: wanted } = this.scope;
    // Read after the apply lock is taken: every read must see every write of the run before.
    const items =
      wanted === 'all'
        ? await queryAll(this.documents, { TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': STATE_PK }, ConsistentRead: true })
        : 'ids' in wanted
          ? await this.getStates(wanted.ids)
          : await queryAll(this.documents, {
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: { ':pk': STATE_PK, ':from': stateSk(wanted.from), ':to': stateSk(wanted.to) },
              ConsistentRead: true,
            });
    const states = new Map<string, MonitorState>();
    for (const item of items) {
      const state = stateFromItem(item);
      states.set(state.monitorId, state);
    }
    return states;
  }

  async loadStatesOf(monitorIds: readonly string[]): Promise<Map<string, MonitorState>> {
    const states = new Map<string, MonitorState>();
    if (monitorIds.length === 0) return states;
    for (const item of await this.getStates(monitorIds)) {
      const state = stateFromItem(item);
      states.set(state.monitorId, state);
    }
    return states;
  }

  async loadState(monitorId: string): Promise<MonitorState | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: STATE_PK, sk: stateSk(monitorId) }, ConsistentRead: true }),
    );
    return Item ? stateFromItem(Item) : undefined;
  }

  async saveState(
    previous: MonitorState,
    next: MonitorState,
    transition?: Transition,
    reminder?: Reminder,
    certificateWarning?: CertificateWarning,
    released?: Transition,
  ): Promise<SaveStateResult> {
    const statePut = {
      TableName: this.tableName,
      Item: stateToItem(next),
      ...(previous.version === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#version = :version AND #tick < :tick',
            ExpressionAttributeNames: { '#version': 'version', '#tick': 'tick' },
            ExpressionAttributeValues: { ':version': previous.version, ':tick': next.tick },
          }),
    };
    try {
      if (!transition && !reminder && !certificateWarning && !released) {
        await this.documents.send(new PutCommand(statePut));
        return 'saved';
      }
      // Each alert's item in the same transaction as the state that made it: written once, with it.
      // An alert someone must get also waits in the outbox until every channel has it (the sweep
      // delivers what the stream could not); an establishment or a removal alerts nobody.
      const alerts: Array<{ item: Record<string, unknown>; source?: AlertSource }> = [];
      if (transition) alerts.push({ item: transitionToItem(transition), ...(shouldNotify(transition) && transition.heldBy === undefined ? { source: { kind: 'transition', transition } } : {}) });
      if (reminder) {
        alerts.push({
          item: reminderToItem(reminder, expiresAtSeconds(Date.parse(reminder.tick), this.transitionRetentionMs)),
          source: { kind: 'reminder', reminder },
        });
      }
      if (released) {
        alerts.push({
          item: releasedOutageToItem(released, next.tick, expiresAtSeconds(Date.parse(next.tick), this.transitionRetentionMs)),
          source: { kind: 'transition', transition: released },
        });
      }
      if (certificateWarning) {
        alerts.push({
          item: certificateWarningToItem(certificateWarning, expiresAtSeconds(Date.parse(certificateWarning.tick), this.transitionRetentionMs)),
          source: { kind: 'certificate', warning: certificateWarning },
        });
      }
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: statePut },
            ...alerts.flatMap(({ item, source }) => [
              { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
              ...(source
                ? [{ Put: { TableName: this.tableName, Item: outboxToItem({ monitorId: next.monitorId, sortKey: outboxSortKey(source), source, createdAtMs: Date.now() }) } }]
                : []),
            ]),
          ],
        }),
      );
      return 'saved';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw error;
    }
  }

  /**
   * Why the superseded transition's TTL is a write of its own, after saveState's transaction, and
   * not a third item inside it: inside, the update needs `attribute_exists(pk)` (without it, a
   * missing item would be created as a stub holding only a key and `expiresAt`, which
   * transitionFromItem then refuses on every read of the monitor's history), and a failed
   * condition cancels the whole transaction: a superseded item gone missing (deleted by hand, say)
   * would then refuse that monitor's every state step, for ever. Inside, it would also cost 2 write
   * units instead of 1. Outside, the cost is one extra request per transition, and a failure (or a
   * crash between the two writes) leaves one item without TTL, kept until deleted by hand:
   * harmless. A retried run finds its state already stored and does not get here; a repeated
   * update writes the same value. The update is a MODIFY on the stream, which the notifier's filter
   * (INSERT only) drops.
   */
  async expireTransition(transition: TransitionRef, supersededAt: string): Promise<'expiring' | 'missing'> {
    const supersededAtMs = Date.parse(supersededAt);
    if (Number.isNaN(supersededAtMs)) throw new RangeError(`supersededAt is not a time: '${supersededAt}'`);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: monitorPk(transition.monitorId), sk: transitionSk(transition) },
          UpdateExpression: 'SET #expiresAt = :expiresAt',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':expiresAt': expiresAtSeconds(supersededAtMs, this.transitionRetentionMs) },
        }),
      );
      return 'expiring';
    } catch (error) {
      if (isConditionFailure(error)) return 'missing';
      throw error;
    }
  }

  /** The states of these monitors, read consistently, 100 at a time (several requests at once). */
  private async getStates(ids: readonly string[]): Promise<Record<string, unknown>[]> {
    const chunks: string[][] = [];
    for (let start = 0; start < ids.length; start += BATCH_GET_MAX) chunks.push(ids.slice(start, start + BATCH_GET_MAX));
    const pages = await Promise.all(
      chunks.map(async (chunk) => {
        const found: Record<string, unknown>[] = [];
        let keys: Record<string, unknown>[] | undefined = chunk.map((id) => ({ pk: STATE_PK, sk: stateSk(id) }));
        for (let attempt = 0; keys && keys.length > 0; attempt += 1) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
          if (attempt >= 8) throw new Error(`DynamoDB left ${keys.length} state reads unprocessed after ${attempt} attempts`);
          const page: BatchGetCommandOutput = await this.documents.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          found.push(...(page.Responses?.[this.tableName] ?? []));
          keys = page.UnprocessedKeys?.[this.tableName]?.Keys;
        }
        return found;
      }),
    );
    return pages.flat();
  }
}
