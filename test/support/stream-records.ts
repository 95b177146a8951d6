import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as SdkStreamRecord,
  type AttributeValue as SdkAttributeValue,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { testDynamoDbClientConfig } from './dynamodb';

const SERVERLESS_YML = path.join(__dirname, '..', '..', 'serverless.yml');

/** A client for the streams of the DynamoDB Local that jest's global setup started. */
export function testDynamoDbStreamsClient(): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient(testDynamoDbClientConfig());
}

/** Every record in the stream so far, oldest first, as the SDK returns them (all shards, from TRIM_HORIZON). */
export async function readStream(client: DynamoDBStreamsClient, streamArn: string): Promise<SdkStreamRecord[]> {
  const records: SdkStreamRecord[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription } = await client.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      let iterator = ShardIterator;
      // An open shard always hands out a next iterator: stop at the first empty page.
      while (iterator) {
        const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
        const pageRecords = page.Records ?? [];
        records.push(...pageRecords);
        iterator = pageRecords.length > 0 ? page.NextShardIterator : undefined;
      }
    }
    exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return records.sort((a, b) => compareSequenceNumbers(a.dynamodb?.SequenceNumber, b.dynamodb?.SequenceNumber));
}

function compareSequenceNumbers(a = '', b = ''): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** A record as the Lambda event source mapping delivers it to the function. */
export function toLambdaRecord(record: SdkStreamRecord, eventSourceARN: string): DynamoDBRecord {
  const stream = record.dynamodb;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    awsRegion: record.awsRegion,
    eventSourceARN,
    ...(record.userIdentity ? { userIdentity: record.userIdentity } : {}),
    dynamodb: stream && {
      ...(stream.ApproximateCreationDateTime
        ? { ApproximateCreationDateTime: Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000) }
        : {}),
      ...(stream.Keys ? { Keys: toLambdaImage(stream.Keys) } : {}),
      ...(stream.NewImage ? { NewImage: toLambdaImage(stream.NewImage) } : {}),
      ...(stream.OldImage ? { OldImage: toLambdaImage(stream.OldImage) } : {}),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
  };
}

export function toLambdaImage(image: Record<string, SdkAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaAttributeValue(value)]));
}

/** Binary values travel as base64 text in Lambda events. */
function toLambdaAttributeValue(value: SdkAttributeValue): AttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((item) => Buffer.from(item).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttributeValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  throw new TypeError(`unsupported attribute value: ${JSON.stringify(value)}`);
}

export function toStreamEvent(records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}

type FilterPattern = { [key: string]: FilterPattern | Array<string | number | boolean | null | { exists: boolean }> };

/** The filter patterns serverless.yml declares on a function's DynamoDB stream event. */
export function streamFilterPatterns(functionName: string, serverlessYml = SERVERLESS_YML): FilterPattern[] {
  const document = parse(readFileSync(serverlessYml, 'utf8')) as {
    functions?: Record<string, { events?: Array<{ stream?: { type?: string; filterPatterns?: FilterPattern[] } }> }>;
  };
  const events = document.functions?.[functionName]?.events ?? [];
  const stream = events.find((event) => event.stream?.type === 'dynamodb')?.stream;
  if (!stream?.filterPatterns?.length) {
    throw new Error(`${serverlessYml}: functions.${functionName} has no dynamodb stream event with filterPatterns`);
  }
  return stream.filterPatterns;
}

/**
 * Whether Lambda's event filtering passes a record: it does when any pattern matches. Supports the
 * part of the filter syntax that exact matching needs (nested keys, lists of allowed values) and
 * `exists`, and refuses anything else, so a richer pattern in serverless.yml cannot be silently misread here.
 */
export function matchesFilterPatterns(patterns: FilterPattern[], record: DynamoDBRecord): boolean {
  return patterns.some((pattern) => matchesPattern(pattern, record));
}

function matchesPattern(pattern: FilterPattern, value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = (value as Record<string, unknown>)[key];
    if (!Array.isArray(expected)) return matchesPattern(expected, actual);
    // `[{ exists: false }]`: the attribute is absent (`true`: present), the one content filter supported.
    if (expected.length === 1 && isExistsFilter(expected[0])) return (actual !== undefined) === (expected[0] as { exists: boolean }).exists;
    if (expected.some((allowed) => allowed !== null && typeof allowed === 'object')) {
      throw new Error(`filter pattern for '${key}' uses content filtering this test helper does not implement`);
    }
    return expected.includes(actual as string | number | boolean | null);
  });
}

function isExistsFilter(value: unknown): boolean {
  return value !== null && typeof value === 'object' && Object.keys(value).length === 1 && typeof (value as { exists?: unknown }).exists === 'boolean';
}
