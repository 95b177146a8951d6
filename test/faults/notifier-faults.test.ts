import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { SESServiceException } from '@aws-sdk/client-ses';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { createNotifyDeps } from '../../lib/adapters/aws-notifier-deps';
import { DynamoDbMonitorStateStore } from '../../lib/adapters/dynamodb-monitor-state-store';
import { createSesClient, SES_MAX_ATTEMPTS } from '../../lib/adapters/ses-mailer';
import { notifyBatch } from '../../lib/app/notify-batch';
import type { NotifyTiming } from '../../lib/app/notify';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { tickOf } from '../../lib/domain/schedule';
import { advanceState, initialState } from '../../lib/domain/state-machine';
import type { CheckResult } from '../../lib/domain/types';
import { createLambdaContext } from '../fixtures/lambda-context';
import { createTestTable, ledgerItems, type TestTable } from '../support/dynamodb';
import { fetchEmails } from '../support/fault-harness';
import { KillSwitch, quickRetryStrategy } from '../support/faults';
import { matchesFilterPatterns, readStream, streamFilterPatterns, testDynamoDbStreamsClient, toLambdaRecord, toStreamEvent } from '../support/stream-records';
import { useSesEmulator } from '../support/ses-emulator';

/**
 * The notifier's weak spots, each forced deterministically: Lambda's timeout in the middle of a
 * batch, SES throttling beyond the SDK's retries, a record of a send that cannot be written.
 */
jest.setTimeout(30_000);

const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
/**
 * Scaled down from the deployed budgets (SES answers in milliseconds here). The safety margin stays
 * well above a stall of this event loop while the rest of the suite loads both cores: at 100 ms,
 * the Lambda timeout once cut off a record the notifier had left itself time for.
 */
const TIMING: NotifyTiming = { sendBudgetMs: 800, recordBudgetMs: 400, safetyMs: 500, leaseSlackMs: 200, claimPollMs: 25 };
const ALLOWANCE_MS = TIMING.sendBudgetMs + TIMING.recordBudgetMs + TIMING.safetyMs;

const config = parseMonitorsConfig(
  `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: payments-api, name: Payments API, url: "https://api.example.com/health" }
`,
  'monitors.yml',
);
const START = Date.parse('2026-03-01T12:00:00Z');
const check = (ok: boolean, minute: number): CheckResult => ({
  ok,
  checkedAt: new Date(START + minute * 60_000).toISOString(),
  latencyMs: 30,
  ...(ok ? { statusCode: 200 } : { statusCode: 503, reason: 'http-status' as const, message: 'expected 200, got 503' }),
});
/** Established, then down, up, down, up: four emails. */
const HISTORY = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12].map((minute, index) => check([true, true, false, false, true, true, false, false, true, true][index] ?? true, minute));

const streams = testDynamoDbStreamsClient();
const patterns = streamFilterPatterns('notify');
const tables: TestTable[] = [];
const clients: Array<{ destroy(): void }> = [];
const ses = useSesEmulator({ clearBeforeEach: true });

afterAll(async () => {
  for (const client of clients) client.destroy();
  streams.destroy();
  await Promise.all(tables.map((table) => table.drop()));
});

/** A table holding the history as the probe writes it, and the transition records its stream delivers. */
async function prepare(): Promise<{ table: TestTable; records: DynamoDBRecord[] }> {
  const table = await createTestTable('notifier-faults');
  tables.push(table);
  const states = new DynamoDbMonitorStateStore({ client: table.client, tableName: table.tableName });
  let state = initialState('payments-api', HISTORY[0]?.checkedAt ?? '');
  for (const result of HISTORY) {
    const step = advanceState(state, result, { failureThreshold: 2, successThreshold: 2 }, tickOf(result.checkedAt));
    if (step.changed) expect(await states.saveState(state, step.state, step.transition)).toBe('saved');
    state = step.state;
  }
  const records = (await readStream(streams, table.streamArn))
    .map((record) => toLambdaRecord(record, table.streamArn))
    .filter((record) => matchesFilterPatterns(patterns, record));
  expect(records).toHaveLength(5);
  return { table, records };
}

interface Invocation {
  dynamoDb: DynamoDBClient;
  ses: ReturnType<typeof createSesClient>;
  killSwitch: KillSwitch;
  logged: string[];
}

/** The clients of one invocation, with a kill switch; `setup` adds the faults. */
function startInvocation(setup: (invocation: Invocation) => void = () => undefined): Invocation {
  const dynamoDb = new DynamoDBClient({ endpoint: process.env.TEST_DYNAMODB_ENDPOINT, ...LOCAL, retryStrategy: quickRetryStrategy(3) });
  const sesClient = createSesClient({ endpoint: ses.endpoint, ...LOCAL, retryStrategy: quickRetryStrategy(SES_MAX_ATTEMPTS) });
  const killSwitch = new KillSwitch();
  killSwitch.install(dynamoDb);
  killSwitch.install(sesClient);
  clients.push(dynamoDb, sesClient);
  const invocation = { dynamoDb, ses: sesClient, killSwitch, logged: [] };
  setup(invocation);
  return invocation;
}

/** Runs the handler as Lambda would: past `timeoutMs` the runtime is frozen and the batch counts as failed. */
async function invoke(
  table: TestTable,
  records: DynamoDBRecord[],
  invocation: Invocation,
  timeoutMs = 5_000,
): Promise<DynamoDBBatchResponse | 'killed'> {
  const logger = new CapturingLogger(invocation.logged);
  const deps = createNotifyDeps({ dynamoDb: invocation.dynamoDb, ses: invocation.ses, tableName: table.tableName, config, logger, timing: TIMING });
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<'killed'>((resolve) => (timer = setTimeout(() => resolve('killed'), timeoutMs)));
  const outcome = await Promise.race([notifyBatch(toStreamEvent(records), createLambdaContext({ timeoutMs }), deps), killed]);
  clearTimeout(timer);
  if (outcome === 'killed') invocation.killSwitch.kill();
  return outcome;
}

/** A Powertools logger whose lines the test reads (message and attributes). */
class CapturingLogger extends Logger {
  constructor(private readonly lines: string[]) {
    super({ serviceName: 'notifier-faults', logLevel: 'SILENT' });
  }
  override info(...args: Parameters<Logger['info']>): void {
    this.lines.push(JSON.stringify(args));
  }
  override warn(...args: Parameters<Logger['warn']>): void {
    this.lines.push(JSON.stringify(args));
  }
  override error(...args: Parameters<Logger['error']>): void {
    this.lines.push(JSON.stringify(args));
  }
}

async function ledger(table: TestTable): Promise<Array<{ status: string; outcome?: string }>> {
  return (await ledgerItems(table)).map((item) => ({ status: item.status?.S ?? '', ...(item.outcome?.S ? { outcome: item.outcome.S } : {}) }));
}

async function subjects(): Promise<string[]> {
  return (await fetchEmails(ses.endpoint)).filter((email) => email.destination.to.includes('oncall@example.com')).map((email) => email.subject);
}

const EXPECTED_SUBJECTS = ['[DOWN] Payments API', '[UP] Payments API recovered after 3m', '[DOWN] Payments API', '[UP] Payments API recovered after 3m'];

describe('a Lambda timeout in the middle of a batch', () => {
  it('after two emails went out and before the batch returned: the redelivered batch sends only the rest, each once', async () => {
    const { table, records } = await prepare();
    // The third email's query for the previous transition never answers: Lambda's timeout stops
    // the function there, with two emails sent and recorded and the batch response never returned.
    let queries = 0;
    const first = startInvocation(({ dynamoDb }) =>
      dynamoDb.middlewareStack.add(
        (next, context) => async (args) => {
          // Only the reads of a monitor's transitions count (not the outbox's: pk OUTBOX).
          const pk = (args.input as { ExpressionAttributeValues?: Record<string, unknown> }).ExpressionAttributeValues?.[':pk'];
          if (context.commandName === 'QueryCommand' && String(pk).startsWith('MON#') && ++queries === 3) await new Promise(() => undefined);
          return next(args);
        },
        { step: 'initialize', name: 'stallThirdQuery' },
      ),
    );

    expect(await invoke(table, records, first, 3_000)).toBe('killed');
    expect(await subjects()).toEqual(EXPECTED_SUBJECTS.slice(0, 2));

    // Lambda redelivers the whole batch (the invocation failed) to a fresh runtime.
    const second = startInvocation();
    expect(await invoke(table, records, second)).toEqual({ batchItemFailures: [] });
    expect(await subjects()).toEqual(EXPECTED_SUBJECTS);
    expect(second.logged.filter((line) => line.includes('was already sent')).length).toBe(2);
    expect((await ledger(table)).map((entry) => entry.outcome).sort()).toEqual(['sent', 'sent', 'sent', 'sent', 'skipped:establishment']);
  });

  it('never starts a send the time left cannot also record: it returns before the deadline, nothing sent or claimed', async () => {
    const { table, records } = await prepare();
    const started = performance.now();

    const response = await invoke(table, records, startInvocation(), ALLOWANCE_MS - 200);

    expect(performance.now() - started).toBeLessThan(ALLOWANCE_MS - 200);
    expect(response).not.toBe('killed');
    // Every record is reported for retry, untouched.
    expect(response === 'killed' ? [] : response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      records.map((record) => record.dynamodb?.SequenceNumber),
    );
    expect(await subjects()).toEqual([]);
    expect(await ledger(table)).toEqual([]);

    expect(await invoke(table, records, startInvocation())).toEqual({ batchItemFailures: [] });
    expect(await subjects()).toEqual(EXPECTED_SUBJECTS);
  });

  it('with only part of the batch fitting in the time left: sends that part, reports the rest, and returns in time', async () => {
    const { table, records } = await prepare();
    // SES takes each message at once but answers 500 ms later. A send started too close to the
    // deadline would be cut off by Lambda after SES took it and before it was recorded: the
    // redelivery would then send it again. The deadline leaves room for a few sends only.
    const slow = startInvocation(({ ses: client }) =>
      client.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          await new Promise((resolve) => setTimeout(resolve, 500));
          return result;
        },
        { step: 'deserialize', name: 'slowSesAnswers' },
      ),
    );
    const timeoutMs = ALLOWANCE_MS + 500;
    const started = performance.now();

    const response = await invoke(table, records, slow, timeoutMs);

    expect(performance.now() - started).toBeLessThan(timeoutMs);
    expect(response).not.toBe('killed');
    const sent = await subjects();
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThan(4);
    expect(response === 'killed' ? undefined : response.batchItemFailures[0]?.itemIdentifier).toBe(records[1 + sent.length]?.dynamodb?.SequenceNumber);

    expect(await invoke(table, records, startInvocation())).toEqual({ batchItemFailures: [] });
    expect(await subjects()).toEqual(EXPECTED_SUBJECTS);
  });

  it('a claim left by an invocation stopped before it sent is taken over once its lease runs out, and mailed once', async () => {
    const { table, records } = await prepare();
    const [, outage] = records;
    // Lambda's timeout hits right after the claim of the first email was written.
    const first = startInvocation((invocation) =>
      invocation.dynamoDb.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          if (JSON.stringify(args.input).includes('"INPROGRESS"')) invocation.killSwitch.kill();
          return result;
        },
        { step: 'initialize', priority: 'low', name: 'dieAfterClaim' },
      ),
    );
    expect(await invoke(table, [outage as DynamoDBRecord], first, ALLOWANCE_MS + 300)).toBe('killed');
    expect(await ledger(table)).toEqual([{ status: 'INPROGRESS' }]);
    expect(await subjects()).toEqual([]);

    const retry = startInvocation();
    expect(await invoke(table, [outage as DynamoDBRecord], retry)).toEqual({ batchItemFailures: [] });
    expect(await subjects()).toEqual(['[DOWN] Payments API']);
    expect(retry.logged.some((line) => line.includes('took over an expired claim'))).toBe(true);
  });
});

describe('SES throttling', () => {
  it('that outlasts the SDK’s five attempts fails the record (no claim left behind), and the retry sends it once', async () => {
    const { table, records } = await prepare();
    let attempts = 0;
    const throttled = startInvocation(({ ses: client }) =>
      client.middlewareStack.add(
        () => async () => {
          attempts += 1;
          throw new SESServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Maximum sending rate exceeded.' });
        },
        { step: 'deserialize', name: 'alwaysThrottled' },
      ),
    );

    const response = await invoke(table, records, throttled);

    // One send, five attempts; the monitor's later transitions wait behind it, to stay in order.
    expect(attempts).toBe(SES_MAX_ATTEMPTS);
    expect(response === 'killed' ? [] : response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      records.slice(1).map((record) => record.dynamodb?.SequenceNumber),
    );
    expect(await ledger(table)).toEqual([{ status: 'COMPLETED', outcome: 'skipped:establishment' }]);
    expect(await subjects()).toEqual([]);

    expect(await invoke(table, records.slice(1), startInvocation())).toEqual({ batchItemFailures: [] });
    expect(await subjects()).toEqual(EXPECTED_SUBJECTS);
  });
});

describe('SES refusing an email for good', () => {
  it('records the delivery as failed, logs it for the alarm, retries nothing, and does not hold back the later emails', async () => {
    const { table, records } = await prepare();
    let attempts = 0;
    // The first outage email is refused as an unverified sandbox recipient is; the others go out.
    const rejecting = startInvocation(({ ses: client }) =>
      client.middlewareStack.add(
        (next) => async (args) => {
          attempts += 1;
          if (attempts === 1) {
            throw new SESServiceException({
              name: 'MessageRejected',
              $fault: 'client',
              $metadata: { httpStatusCode: 400 },
              message: 'Email address is not verified. The following identities failed the check in region US-EAST-1: oncall@example.com',
            });
          }
          return next(args);
        },
        { step: 'deserialize', name: 'rejectFirst' },
      ),
    );

    expect(await invoke(table, records, rejecting)).toEqual({ batchItemFailures: [] });

    expect(attempts).toBe(4);
    expect(await subjects()).toEqual(EXPECTED_SUBJECTS.slice(1));
    expect((await ledger(table)).filter((entry) => entry.outcome === 'failed')).toHaveLength(1);
    expect(rejecting.logged.filter((line) => line.includes('alert delivery failed permanently') && line.includes('MessageRejected'))).toHaveLength(1);
    // A redelivery of the whole batch sends nothing again, the refused one included.
    expect(await invoke(table, records, startInvocation())).toEqual({ batchItemFailures: [] });
    expect(await subjects()).toEqual(EXPECTED_SUBJECTS.slice(1));
  });
});

describe('recording a send', () => {
  const throttleCompletions = (limit: number) => (invocation: Invocation) => {
    let throttled = 0;
    invocation.dynamoDb.middlewareStack.add(
      (next) => async (args) => {
        if (JSON.stringify(args.input).includes('"COMPLETED"') && JSON.stringify(args.input).includes('"sent"') && throttled < limit) {
          throttled += 1;
          throw new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
        }
        return next(args);
      },
      { step: 'deserialize', name: 'throttleCompletions' },
    );
  };

  it('throttled beyond the SDK’s retries is retried within the time kept for it; a redelivery sends nothing again', async () => {
    const { table, records } = await prepare();
    const [, outage] = records as [DynamoDBRecord, DynamoDBRecord];

    expect(await invoke(table, [outage], startInvocation(throttleCompletions(4)))).toEqual({ batchItemFailures: [] });
    expect(await ledger(table)).toEqual([{ status: 'COMPLETED', outcome: 'sent' }]);

    expect(await invoke(table, [outage], startInvocation())).toEqual({ batchItemFailures: [] });
    expect(await subjects()).toEqual(['[DOWN] Payments API']);
  });

  it('impossible until the deadline: the record still counts as done (the stream does not resend it), and the log says so', async () => {
    const { table, records } = await prepare();
    const [, outage] = records as [DynamoDBRecord, DynamoDBRecord];
    const invocation = startInvocation(throttleCompletions(Number.POSITIVE_INFINITY));

    expect(await invoke(table, [outage], invocation, ALLOWANCE_MS + 300)).toEqual({ batchItemFailures: [] });

    expect(await subjects()).toEqual(['[DOWN] Payments API']);
    expect(invocation.logged.some((line) => line.includes('transition email sent but not recorded'))).toBe(true);
    // The one window no ledger closes (SES has no idempotency key): only a redelivery after the
    // claim's lease ran out would send it again, and it would log the takeover as a possible duplicate.
    expect(await ledger(table)).toEqual([{ status: 'INPROGRESS' }]);
  });
});
