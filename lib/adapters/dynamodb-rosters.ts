import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';

/** Rosters live in the monitor table under this partition key, sk the roster's hash. */
export const ROSTER_PK = 'ROSTER';

/**
 * Rosters: sorted lists of monitor ids, stored once and named by a hash of their content, so that
 * items written every minute or hour (run summaries, rollups) can list their monitors' figures in
 * roster order instead of repeating every id. A roster changes only with the configuration; it
 * has no TTL (a few kilobytes per configuration ever deployed).
 */
export class DynamoDbRosters {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Rosters known to be stored, by key; share it between the stores of one invocation. */
    private readonly known: Map<string, string[]> = new Map(),
  ) {}

  /** Stores the roster unless it is there already; its key. After the first call for a roster, no request. */
  async store(ids: readonly string[]): Promise<string> {
    if (ids.length === 0) throw new RangeError('a roster lists at least one monitor');
    const key = rosterKey(ids);
    if (this.known.has(key)) return key;
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: ROSTER_PK, sk: key }, ProjectionExpression: 'pk' }));
    if (!Item) {
      await this.documents.send(
        new PutCommand({ TableName: this.tableName, Item: { pk: ROSTER_PK, sk: key, entity: 'ROSTER', count: ids.length, ids: ids.join('\n') } }),
      );
    }
    this.known.set(key, [...ids]);
    return key;
  }

  /** The roster stored under `key`. */
  async load(key: string): Promise<string[]> {
    const known = this.known.get(key);
    if (known) return known;
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: ROSTER_PK, sk: key } }));
    if (typeof Item?.ids !== 'string' || Item.ids === '') throw new Error(`roster ${key} is missing from the table`);
    const ids = Item.ids.split('\n');
    this.known.set(key, ids);
    return ids;
  }
}

/** A roster's key: 96 bits of the SHA-256 of its ids. */
export function rosterKey(ids: readonly string[]): string {
  return createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 24);
}
