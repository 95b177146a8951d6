import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, ScheduledEvent } from 'aws-lambda';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mapApiErrors } from '../../lib/http/errors';
import { createApiRouter } from '../../lib/http/routes';
import { createNotifyDeps } from '../../lib/adapters/aws-notifier-deps';
import { createSesClient } from '../../lib/adapters/ses-mailer';
import { notifyBatch } from '../../lib/app/notify-batch';
import { probeRun } from '../../lib/app/probe-run';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { DynamoDbMonitorStateStore } from '../../lib/adapters/dynamodb-monitor-state-store';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { MAX_REASON_LENGTH } from '../../lib/domain/email';
import { tickOf } from '../../lib/domain/schedule';
import { advanceState, initialState } from '../../lib/domain/state-machine';
import type { CheckResult } from '../../lib/domain/types';
import { createHttpApiEvent, createLambdaContext as createApiContext } from '../fixtures/http-api-event';
import { createLambdaContext } from '../fixtures/lambda-context';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { fetchEmails } from '../support/fault-harness';
import { matchesFilterPatterns, readStream, streamFilterPatterns, testDynamoDbStreamsClient, toLambdaRecord, toStreamEvent } from '../support/stream-records';
import { useSesEmulator } from '../support/ses-emulator';

/**
 * Monitor names and failure reasons come from the monitors file and from targets: HTML, CR/LF and
 * 10 KB of text in them must not inject email headers or markup, nor forge log lines.
 */
jest.setTimeout(30_000);

const SCRIPT = '<script>alert(1)</script>';
/** A name as hostile as monitors.yml allows (it caps names at 200 characters). */
const HOSTILE_NAME = `Shop ${SCRIPT}\r\nBcc: attacker@evil.example\r\nSubject: forged`;
/** A reason as hostile as a stored transition can carry: fake headers, a fake MIME part, markup, 10 KB. */
const HOSTILE_REASON = [
  'body-mismatch: status: expected "OK", got ',
  '\r\nBcc: attacker@evil.example\r\nContent-Type: text/html\r\n\r\n',
  `${SCRIPT}<img src=x onerror=alert(2)><a href="javascript:alert(3)">click</a>`,
  '\nState:     UP (was DOWN)\n',
  'z'.repeat(10 * 1024),
].join('');

/** A monitors file with the one monitor, shop, under its hostile name; `more` goes on with its keys (indented by four spaces). */
function shopConfig(url: string, more = '') {
  return parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - id: shop
    name: ${JSON.stringify(HOSTILE_NAME)}
    url: "${url}"
${more}`,
    'monitors.yml',
  );
}

const config = shopConfig('https://shop.example.com/health');

const START = Date.parse('2026-04-01T09:00:00Z');
const tables: TestTable[] = [];
const ses = useSesEmulator();

afterAll(async () => {
  await Promise.all(tables.map((table) => table.drop()));
});

/** The shop established, then down with the hostile reason, stored as the probe stores it. */
async function storeHostileOutage(): Promise<TestTable> {
  const table = await createTestTable('injection');
  tables.push(table);
  const states = new DynamoDbMonitorStateStore({ client: table.client, tableName: table.tableName });
  const at = (minute: number) => new Date(START + minute * 60_000).toISOString();
  const ok = (minute: number): CheckResult => ({ ok: true, checkedAt: at(minute), latencyMs: 20, statusCode: 200 });
  const bad = (minute: number): CheckResult => ({ ok: false, checkedAt: at(minute), latencyMs: 20, statusCode: 200, reason: 'body-mismatch', message: 'x' });
  let state = initialState('shop', at(0));
  for (const result of [ok(0), ok(1), bad(2), bad(3)]) {
    const step = advanceState(state, result, { failureThreshold: 2, successThreshold: 2 }, tickOf(result.checkedAt));
    const transition = step.transition?.to === 'DOWN' ? { ...step.transition, reason: HOSTILE_REASON } : step.transition;
    expect(await states.saveState(state, { ...step.state, ...(transition?.to === 'DOWN' ? { lastFailureReason: HOSTILE_REASON } : {}) }, transition)).toBe('saved');
    state = step.state;
  }
  return table;
}

describe('the outage email, as the SES emulator stored it', () => {
  it('carries the hostile name and reason as inert text: no header, no markup, one subject line', async () => {
    const table = await storeHostileOutage();
    const streams = testDynamoDbStreamsClient();
    const records = (await readStream(streams, table.streamArn))
      .map((record) => toLambdaRecord(record, table.streamArn))
      .filter((record) => matchesFilterPatterns(streamFilterPatterns('notify'), record));
    streams.destroy();
    const sesClient = createSesClient({ endpoint: ses.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const deps = createNotifyDeps({
      dynamoDb: table.client,
      ses: sesClient,
      tableName: table.tableName,
      config,
      logger: new Logger({ serviceName: 'injection', logLevel: 'SILENT' }),
    });

    expect(await notifyBatch(toStreamEvent(records), createLambdaContext(), deps)).toEqual({ batchItemFailures: [] });
    sesClient.destroy();

    const [email, ...others] = await fetchEmails(ses.endpoint);
    expect(others).toEqual([]);
    if (!email) throw new Error('no email was sent');
    // Headers: one line of subject, only the configured recipient.
    expect(email.subject).toBe('[DOWN] Shop <script>alert(1)</script> Bcc: attacker@evil.example Subject: forged');
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.destination).toEqual({ to: ['oncall@example.com'], cc: [], bcc: [] });
    // The HTML body shows the markup as text.
    expect(email.body.html).not.toContain('<script');
    expect(email.body.html).not.toContain('<img');
    expect(email.body.html).not.toContain('href="javascript:');
    expect(email.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The text body: no line forged by the reason or the name, the reason cut at its cap.
    const text = email.body.text ?? '';
    expect(text.split('\n').filter((line) => line.startsWith('State:'))).toEqual(['State:     DOWN (was UP)']);
    expect(text.split('\n').filter((line) => /^(Bcc|Subject|Content-Type):/i.test(line))).toEqual([]);
    const reasonLine = text.split('\n').find((line) => line.startsWith('Reason:')) ?? '';
    expect(reasonLine.length).toBeLessThanOrEqual('Reason:    '.length + MAX_REASON_LENGTH);
    expect(text.length).toBeLessThan(3_000);

    // The message as SES would put it on the wire: its header block holds exactly one Subject and no Bcc.
    const eml = (await (await fetch(`${ses.endpoint}/get-emlContent?messageId=${email.messageId}`)).json()) as { body: { data: number[] } | string };
    const raw = typeof eml.body === 'string' ? eml.body : Buffer.from(eml.body.data).toString('utf8');
    const headerBlock = raw.split(/\r?\n\r?\n/)[0] ?? '';
    const headerNames = headerBlock
      .split(/\r?\n/)
      .filter((line) => /^[A-Za-z-]+:/.test(line))
      .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
    expect(headerNames.filter((name) => name === 'subject')).toHaveLength(1);
    expect(headerNames).not.toContain('bcc');
    // Long headers are folded (a continuation line starts with a space): no line starts a header of its own.
    expect(headerBlock.split(/\r?\n/).every((line) => /^[A-Za-z-]+: /.test(line) || /^[ \t]/.test(line))).toBe(true);
    expect(headerNames).toEqual(['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type']);
  });
});

describe('logs', () => {
  it('stay one JSON line per event when a reason holds CR/LF and a forged log line', async () => {
    const target: Server = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"DEGRADED"}');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const forged = '{"level":"ERROR","message":"forged","monitorId":"shop"}';
    // A JSON path from the monitors file is echoed into the failure reason as written.
    const probeConfig = shopConfig(
      `http://127.0.0.1:${(target.address() as AddressInfo).port}/health`,
      `    expect:
      json: { ${JSON.stringify(`status\r\n${forged}\n`)}: OK }
`,
    );
    const table = await createTestTable('injection-logs');
    tables.push(table);
    const written: string[] = [];
    const previousDev = process.env.POWERTOOLS_DEV;
    delete process.env.POWERTOOLS_DEV;
    const capture = (chunk: string | Uint8Array): boolean => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      // Created while the streams are captured: Powertools writes through its own Console on them.
      const logger = new Logger({ serviceName: 'injection', logLevel: 'INFO' });
      for (const minute of [0, 1]) {
        const event: ScheduledEvent = {
          version: '0',
          id: `e${minute}`,
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account: '123456789012',
          time: new Date(START + minute * 60_000).toISOString().replace('.000', ''),
          region: 'us-east-1',
          resources: [],
          detail: {},
        };
        await probeRun(event, {
          config: probeConfig,
          stores: createDynamoDbStores({ client: table.client, tableName: table.tableName }),
          prober: new HttpProber(),
          metrics: new DisabledMetricsSink(),
          logger,
          now: () => new Date(START + minute * 60_000 + 1000),
          concurrency: 2,
          periodMs: 60_000,
        });
      }
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      if (previousDev !== undefined) process.env.POWERTOOLS_DEV = previousDev;
      await new Promise<void>((resolve) => target.close(() => resolve()));
    }

    expect(written.length).toBeGreaterThan(0);
    const lines = written.join('').split('\n').filter((line) => line !== '');
    // Each write is one event on one line; every line is a whole JSON object; none is forged.
    expect(written.every((chunk) => chunk.endsWith('\n') && chunk.indexOf('\n') === chunk.length - 1 && !chunk.includes('\r'))).toBe(true);
    const events = lines.map((line) => JSON.parse(line) as { message?: string; detail?: string; reason?: string });
    expect(events.map((event) => event.message)).not.toContain('forged');
    const failure = events.find((event) => event.message === 'check failed');
    expect(failure?.detail).toContain(`status\r\n${forged}`);
    expect(events.find((event) => event.message === 'monitor down')?.reason).toContain(forged);
  });
});

describe('status page', () => {
  it('shows the hostile name as text, not markup, and of the reason only its category', async () => {
    const table = await storeHostileOutage();
    const invoke = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
      .use(mapApiErrors(new Logger({ serviceName: 'injection', logLevel: 'SILENT' })))
      .handler(
        createApiRouter({
          ...createDynamoDbStores({ client: table.client, tableName: table.tableName }),
          config,
          now: () => new Date(START + 10 * 60_000),
        }),
      );

    const response = await invoke(createHttpApiEvent('/', { route: '/' }), createApiContext());

    expect(response.statusCode).toBe(200);
    const html = response.body ?? '';
    expect(String(response.headers?.['content-type'])).toMatch(/^text\/html/);
    expect(html).toContain('Shop &lt;script&gt;alert(1)&lt;/script&gt;');
    // The outage is listed with its reason's category only: the target's text is not served.
    expect(html).toMatch(/<p class="reason">body-mismatch<\/p>/);
    expect(html).not.toContain('onerror=alert(2)');
    expect(html).not.toContain(SCRIPT);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('href="javascript:');
    expect(html).not.toMatch(/<script/i);
  });
});
