import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TransitionReader } from '../domain/ports';
import type { Transition } from '../domain/types';
import { DynamoDbTableAdapter, type DynamoDbTableOptions, monitorPk, transitionFromItem, transitionSk } from './dynamodb-items';
import { queryAll } from './dynamodb-query';

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
