import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TransitionReader } from '../domain/ports';
import type { Transition } from '../domain/types';
import { documentClient, monitorPk, transitionFromItem, transitionSk } from './dynamodb-items';
import { queryAll } from './dynamodb-query';

export interface DynamoDbTransitionReaderOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** Transitions under pk MON#<id>, sk TR#<startedAt>#<tick> (written by DynamoDbMonitorStateStore with their state). */
export class DynamoDbTransitionReader implements TransitionReader {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoDbTransitionReaderOptions) {
    this.documents = documentClient(options.client);
    this.tableName = options.tableName;
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
