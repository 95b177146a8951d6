import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import sesEmulator from 'aws-ses-v2-local';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createNotifyDeps } from '../../lib/adapters/aws-notifier-deps';
import { createSesClient } from '../../lib/adapters/ses-mailer';
import { notifyBatch } from '../../lib/app/notify-batch';
import type { MonitorsConfig, Transition } from '../../lib/domain/types';
// The bench drives the notifier as the tests do, with the same Lambda context fixture.
import { createLambdaContext } from '../../test/fixtures/lambda-context';
import { freePort } from '../local/free-port';
import type { DynamoDbMeter, MeterReading } from './dynamodb-meter';
import type { LogCounter } from './log-counter';

export interface NotifierUsage {
  transitions: number;
  /** Emails that reached the SES emulator. */
  emails: number;
  /** Invocations: one stream batch per transition (the worst case: a batch may carry several). */
  invocations: number;
  /** Wall time of each invocation, ms. */
  durationsMs: number[];
  dynamoDb: MeterReading;
  logBytes: number;
}

/** The stream record of a transition insert, as the event source mapping delivers it. */
function transitionRecord(transition: Transition, sequence: number): DynamoDBRecord {
  const image: Record<string, { S: string }> = {
    pk: { S: `MON#${transition.monitorId}` },
    sk: { S: `TR#${transition.startedAt}#${transition.tick}` },
    entity: { S: 'TRANSITION' },
    monitorId: { S: transition.monitorId },
    from: { S: transition.from },
    to: { S: transition.to },
    startedAt: { S: transition.startedAt },
    confirmedAt: { S: transition.confirmedAt },
    previousSince: { S: transition.previousSince },
    tick: { S: transition.tick },
    ...(transition.reason ? { reason: { S: transition.reason } } : {}),
  };
  return {
    eventID: randomUUID(),
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      Keys: { pk: image.pk as { S: string }, sk: image.sk as { S: string } },
      NewImage: image,
      SequenceNumber: String(100_000 + sequence),
      SizeBytes: 400,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/bench/stream/2026-01-01T00:00:00.000',
  };
}

/**
 * The notifier as deployed (lib/app/notify-batch.ts notifyBatch with its real ledger and SES mailer)
 * fed the transitions a bench run produced, one stream batch each, against the bench's DynamoDB
 * Local (metered) and an SES emulator on 127.0.0.1. Counts what it consumed and the emails sent.
 */
export async function runNotifier(options: {
  transitions: readonly Transition[];
  config: MonitorsConfig;
  client: DynamoDBClient;
  meter: DynamoDbMeter;
  tableName: string;
  logger: LogCounter;
}): Promise<NotifierUsage> {
  const port = await freePort();
  const ses: Server = await sesEmulator({ host: '127.0.0.1', port });
  const sesClient = createSesClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    // The emulator keeps its emails in a module-wide store: count the new ones only.
    const emailsIn = async () => ((await (await fetch(`http://127.0.0.1:${port}/store`)).json()) as { emails: unknown[] }).emails.length;
    const emailsBefore = await emailsIn();
    const deps = createNotifyDeps({ dynamoDb: options.client, ses: sesClient, tableName: options.tableName, config: options.config, logger: options.logger });
    options.meter.take();
    options.logger.take();
    const durationsMs: number[] = [];
    for (const [index, transition] of options.transitions.entries()) {
      const event: DynamoDBStreamEvent = { Records: [transitionRecord(transition, index)] };
      const started = performance.now();
      const response = await notifyBatch(event, createLambdaContext({ functionName: 'uptime-monitor-bench-notify', timeoutMs: 30_000 }), deps);
      durationsMs.push(performance.now() - started);
      if (response.batchItemFailures.length > 0) throw new Error(`the notifier failed transition ${transition.monitorId} ${transition.to}`);
    }
    const dynamoDb = options.meter.take();
    return {
      transitions: options.transitions.length,
      emails: (await emailsIn()) - emailsBefore,
      invocations: options.transitions.length,
      durationsMs,
      dynamoDb,
      logBytes: options.logger.take().bytes,
    };
  } finally {
    sesClient.destroy();
    ses.closeAllConnections();
    await new Promise<void>((resolve) => ses.close(() => resolve()));
  }
}
