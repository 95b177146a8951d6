import type { AttributeValue, ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Calls and capacity of one kind of request. */
export interface CommandUsage {
  calls: number;
  readUnits: number;
  writeUnits: number;
}

/** Items written, by the first part of their partition key (`STATE`, `RUN`, `MON`, `TICK`, ...). */
export interface WrittenItems {
  items: number;
  bytes: number;
}

export interface MeterReading {
  calls: number;
  readUnits: number;
  writeUnits: number;
  byCommand: Record<string, CommandUsage>;
  written: Record<string, WrittenItems>;
  /** Reads (Query and GetItem) by the first part of the partition key they read (`ROLLUP_DAY`, `MON`, `RUN`, ...). */
  readByKind: Record<string, { calls: number; readUnits: number }>;
  /** Conditional writes DynamoDB refused; their units are estimated from the item size (AWS bills them too). */
  refusedWrites: number;
}

const WITH_CAPACITY = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
]);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

type Item = Record<string, AttributeValue>;

/** Size of a number as DynamoDB counts it: about one byte per two significant digits, plus one. */
function numberSize(text: string): number {
  const digits = text.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** The size of one attribute value by DynamoDB's rules (UTF-8 strings, compact numbers, 3 bytes per container). */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, entry) => sum + Buffer.byteLength(entry, 'utf8'), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, entry) => sum + numberSize(entry), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, entry) => sum + entry.byteLength, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, entry) => sum + 1 + attributeValueSize(entry), 0);
  if (value.M !== undefined) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  return 0;
}

/** The size of an item by DynamoDB's rules: attribute names plus values. */
export function itemSize(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + attributeValueSize(value), 0);
}

function kindOf(item: Item): string {
  return (item.pk?.S ?? '?').split('#')[0] ?? '?';
}

/** The items a write request writes (puts, and the new image of a transaction's puts). */
function writtenItems(commandName: string, input: Record<string, unknown>): Item[] {
  if (commandName === 'PutItemCommand') return [input.Item as Item];
  if (commandName === 'TransactWriteItemsCommand') {
    const entries = (input.TransactItems ?? []) as { Put?: { Item?: Item } }[];
    return entries.flatMap((entry) => (entry.Put?.Item ? [entry.Put.Item] : []));
  }
  if (commandName === 'BatchWriteItemCommand') {
    const requests = Object.values((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item?: Item } }[]>).flat();
    return requests.flatMap((request) => (request.PutRequest?.Item ? [request.PutRequest.Item] : []));
  }
  return [];
}

/**
 * Counts what a DynamoDB client consumes: asks DynamoDB for `ReturnConsumedCapacity: TOTAL` on every
 * request that takes it and adds the units up per request kind, and sizes the items written by
 * DynamoDB's rules. A conditional write DynamoDB refuses reports no capacity; AWS bills it anyway,
 * so it is counted from the item's size (twice in a transaction).
 */
export class DynamoDbMeter {
  private reading = emptyReading();

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (WITH_CAPACITY.has(context.commandName ?? '')) {
          (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
        }
        return next(args);
      },
      { step: 'initialize', name: 'benchCapacityRequest' },
    );
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const commandName = context.commandName ?? 'unknown';
        const input = args.input as Record<string, unknown>;
        const isWrite = WRITES.has(commandName);
        const items = writtenItems(commandName, input);
        try {
          const result = await next(args);
          const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
          this.record(commandName, isWrite, consumed, readKindOf(commandName, input));
          for (const item of items) this.recordWritten(item);
          return result;
        } catch (error) {
          if (isWrite && isRefusal(error)) {
            const units = items.reduce((sum, item) => sum + Math.max(1, Math.ceil(itemSize(item) / 1024)), 0);
            const factor = commandName === 'TransactWriteItemsCommand' ? 2 : 1;
            this.add(commandName, 0, Math.max(1, units) * factor);
            this.reading.refusedWrites += 1;
          } else {
            this.add(commandName, 0, 0);
          }
          throw error;
        }
      },
      { step: 'build', name: 'benchCapacityCount' },
    );
  }

  /** What was consumed since the last `take()`, and starts counting afresh. */
  take(): MeterReading {
    const reading = this.reading;
    this.reading = emptyReading();
    return reading;
  }

  private record(commandName: string, isWrite: boolean, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined, readKind?: string): void {
    const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
    let read = 0;
    let write = 0;
    for (const entry of list) {
      if (entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined) {
        read += entry.ReadCapacityUnits ?? 0;
        write += entry.WriteCapacityUnits ?? 0;
      } else if (isWrite) {
        write += entry.CapacityUnits ?? 0;
      } else {
        read += entry.CapacityUnits ?? 0;
      }
    }
    this.add(commandName, read, write);
    if (readKind !== undefined) {
      const byKind = (this.reading.readByKind[readKind] ??= { calls: 0, readUnits: 0 });
      byKind.calls += 1;
      byKind.readUnits += read;
    }
  }

  private add(commandName: string, read: number, write: number): void {
    const usage = (this.reading.byCommand[commandName] ??= { calls: 0, readUnits: 0, writeUnits: 0 });
    usage.calls += 1;
    usage.readUnits += read;
    usage.writeUnits += write;
    this.reading.calls += 1;
    this.reading.readUnits += read;
    this.reading.writeUnits += write;
  }

  private recordWritten(item: Item): void {
    const written = (this.reading.written[kindOf(item)] ??= { items: 0, bytes: 0 });
    written.items += 1;
    written.bytes += itemSize(item);
  }
}

function emptyReading(): MeterReading {
  return { calls: 0, readUnits: 0, writeUnits: 0, byCommand: {}, written: {}, readByKind: {}, refusedWrites: 0 };
}

/** The kind of partition a Query or GetItem reads: the first part of its `pk`. */
function readKindOf(commandName: string, input: Record<string, unknown>): string | undefined {
  if (commandName === 'QueryCommand') {
    const value = (input.ExpressionAttributeValues as Record<string, AttributeValue> | undefined)?.[':pk'];
    return (value?.S ?? '?').split('#')[0];
  }
  if (commandName === 'GetItemCommand') return kindOf((input.Key ?? {}) as Item);
  return undefined;
}

function isRefusal(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException';
}
