import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record as SdkStreamRecord,
} from '@aws-sdk/client-dynamodb-streams';

/**
 * Follows a table's stream the way an event source mapping does: each shard from TRIM_HORIZON,
 * then only what is new on every read. (readStream in stream-records.ts rereads everything.)
 */
export class StreamTail {
  private readonly iterators = new Map<string, string | undefined>();
  /** The last sequence number read from each shard, to pick up from after an iterator goes stale. */
  private readonly lastRead = new Map<string, string>();

  constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly streamArn: string,
  ) {}

  private lastDiscovery = Number.NEGATIVE_INFINITY;

  /** The records written since the last read, oldest first. */
  async read(): Promise<SdkStreamRecord[]> {
    // New shards are rare (DynamoDB Local splits them hours apart): look for them once a second.
    if (performance.now() - this.lastDiscovery > 1000) {
      await this.discoverShards();
      this.lastDiscovery = performance.now();
    }
    const records: SdkStreamRecord[] = [];
    for (const [shardId, iterator] of this.iterators) {
      let current = iterator;
      while (current) {
        let page;
        try {
          page = await this.client.send(new GetRecordsCommand({ ShardIterator: current }));
        } catch (error) {
          // DynamoDB Local sometimes refuses an iterator it handed out (trimmed or expired): get a
          // fresh one just after the last record read, as the event source mapping does.
          const name = error instanceof Error ? error.name : '';
          if (name !== 'TrimmedDataAccessException' && name !== 'ExpiredIteratorException') throw error;
          current = await this.iteratorAfter(shardId);
          this.iterators.set(shardId, current);
          continue;
        }
        const pageRecords = page.Records ?? [];
        records.push(...pageRecords);
        const last = pageRecords.at(-1)?.dynamodb?.SequenceNumber;
        if (last) this.lastRead.set(shardId, last);
        // An open shard always hands out a next iterator: keep it, and stop at an empty page.
        this.iterators.set(shardId, page.NextShardIterator);
        current = pageRecords.length > 0 ? page.NextShardIterator : undefined;
      }
    }
    return records.sort((a, b) => compareSequenceNumbers(a.dynamodb?.SequenceNumber, b.dynamodb?.SequenceNumber));
  }

  private async iteratorAfter(shardId: string): Promise<string | undefined> {
    const last = this.lastRead.get(shardId);
    const { ShardIterator } = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ...(last ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return ShardIterator;
  }

  private async discoverShards(): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || this.iterators.has(shard.ShardId)) continue;
        this.iterators.set(shard.ShardId, await this.iteratorAfter(shard.ShardId));
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  }
}

export function compareSequenceNumbers(a = '', b = ''): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
