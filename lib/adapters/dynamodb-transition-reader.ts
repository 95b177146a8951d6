import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TransitionReader } from '../domain/ports';
import type { Transition } from '../domain/types';
import { DynamoDbTableAdapter, type DynamoDbTableOptions, monitorPk, transitionFromItem, transitionSk } from './dynamodb-items';
import { queryAll } from './dynamodb-query';

/**
 * Transitions read at once by listTransitionsSince: first a few (about 260 bytes each, so the page
 * stays within 4 KB, half a read unit), enough for a month of most monitors; then twice as many
 * each page, up to MAX_TRANSITIONS_PAGE.
 */
const FIRST_TRANSITIONS_PAGE = 12;
const MAX_TRANSITIONS_PAGE = 384;

/** Transitions under pk MON#<id>, sk TR#<startedAt>#<tick> (written by DynamoDbMonitorStateStore with their state). */
export class DynamoDbTransitionReader extends DynamoDbTableAdapter implements TransitionReader {
  constructor(options: DynamoDbTableOptions) {
    super(options);
  }

  async listTransitions(monitorId: string): Promise<Transition[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': monitorPk(monitorId), ':prefix': 'TR#' },
    });
    return items.map(transitionFromItem);
  }

  /**
   * Newest first, page by page, until a transition before `since` is seen: usually one page of
   * a few kilobytes (half a read unit), however long the monitor's history is.
   */
  async listTransitionsSince(monitorId: string, since: string): Promise<Transition[]> {
    const sinceMs = Date.parse(since);
    const newestFirst: Transition[] = [];
    let startKey: Record<string, unknown> | undefined;
    let limit = FIRST_TRANSITIONS_PAGE;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': monitorPk(monitorId), ':prefix': 'TR#' },
          ScanIndexForward: false,
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const transition = transitionFromItem(item);
        newestFirst.push(transition);
        if (Date.parse(transition.startedAt) < sinceMs) return newestFirst.reverse();
      }
      startKey = page.LastEvaluatedKey;
      limit = Math.min(2 * limit, MAX_TRANSITIONS_PAGE);
    } while (startKey);
    return newestFirst.reverse();
  }

  async previousTransition(transition: Pick<Transition, 'monitorId' | 'startedAt' | 'tick'>): Promise<Transition | undefined> {
    const current = transitionSk(transition);
    const { Items } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :before',
        ExpressionAttributeValues: { ':pk': monitorPk(transition.monitorId), ':first': 'TR#', ':before': current },
        ScanIndexForward: false,
        Limit: 2,
        ConsistentRead: true,
      }),
    );
    const item = Items?.find((candidate) => candidate.sk !== current);
    return item ? transitionFromItem(item) : undefined;
  }
}
