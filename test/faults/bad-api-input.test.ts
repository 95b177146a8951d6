import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiDeps } from '../../lib/app/api-deps';
import { mapApiErrors } from '../../lib/http/errors';
import { createApiRouter } from '../../lib/http/routes';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { createHttpApiEvent, createLambdaContext, type HttpApiEventOptions } from '../fixtures/http-api-event';
import { createTestTable, type TestTable } from '../support/dynamodb';

/**
 * Every abuse of the API's parameters is answered 400 (bad parameter) or 404 (unknown monitor or
 * route), in JSON, never 500 and never with the input echoed back whole.
 */

const NOW = new Date('2024-05-01T12:00:00.000Z');
const TEN_KB = 'x'.repeat(10 * 1024);
const config = parseMonitorsConfig(
  `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: payments-api, name: Payments API, url: "https://api.example.com/health" }
`,
  'monitors.yml',
);

let table: TestTable;
let deps: ApiDeps;
const matrix: string[] = [];
const invoke = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(mapApiErrors(new Logger({ serviceName: 'bad-api-input', logLevel: 'SILENT' })))
  .handler((event, context) => createApiRouter(deps)(event, context));

beforeAll(async () => {
  table = await createTestTable('bad-api');
  deps = {
    ...createDynamoDbStores({ client: table.client, tableName: table.tableName }),
    config,
    now: () => NOW,
  };
});

afterAll(async () => {
  console.log(`API bad-input matrix (${matrix.length} cases):\n${matrix.join('\n')}`);
  await table.drop();
});

type Case = [what: string, rawPath: string, options: HttpApiEventOptions, expected: 400 | 404];

const ID = '/monitors/payments-api';
const CASES: Record<string, Case[]> = {
  'path traversal and odd ids': [
    ['../ in the id (encoded)', '/monitors/..%2F..%2Fetc%2Fpasswd', {}, 404],
    ['../ in the id (route key)', '/monitors/..%2F..%2Fetc%2Fpasswd', { route: '/monitors/{id}' }, 404],
    ['dot segments', '/monitors/../../etc/passwd', {}, 404],
    ['an encoded NUL', '/monitors/payments-api%00', { route: '/monitors/{id}' }, 404],
    ['malformed percent-encoding', '/monitors/%E0%A4%A', {}, 404],
    ['HTML in the id', '/monitors/%3Cscript%3Ealert(1)%3C%2Fscript%3E', { route: '/monitors/{id}' }, 404],
    ['a 10 KB id', `/monitors/${TEN_KB}`, { route: '/monitors/{id}' }, 404],
    ['a 10 KB id on uptime', `/monitors/${TEN_KB}/uptime`, { route: '/monitors/{id}/uptime' }, 404],
    ['an empty id', '/monitors//incidents', {}, 404],
    ['an unknown route', '/monitors/payments-api/secrets', {}, 404],
    ['a POST', ID, { method: 'POST' }, 404],
  ],
  uptime: [
    ['a huge window', `${ID}/uptime`, { query: { window: '100000d' } }, 400],
    ['a negative window', `${ID}/uptime`, { query: { window: '-1h' } }, 400],
    ['an ISO duration window', `${ID}/uptime`, { query: { window: 'P1D' } }, 400],
    ['a 10 KB window', `${ID}/uptime`, { query: { window: TEN_KB } }, 400],
    ['from and to 500 days apart', `${ID}/uptime`, { query: { from: '2023-01-01T00:00:00Z', to: '2024-05-15T00:00:00Z' } }, 400],
    ['from and to a second over 400 days apart', `${ID}/uptime`, { query: { from: '2024-01-01T00:00:00Z', to: '2025-02-04T00:00:01Z' } }, 400],
    ['from year 0 to year 9999', `${ID}/uptime`, { query: { from: '0000-01-01T00:00:00Z', to: '9999-12-31T23:59:59Z' } }, 400],
    ['inverted from/to', `${ID}/uptime`, { query: { from: '2024-05-01T00:00:00Z', to: '2024-04-01T00:00:00Z' } }, 400],
    ['from equal to to', `${ID}/uptime`, { query: { from: '2024-05-01T00:00:00Z', to: '2024-05-01T00:00:00Z' } }, 400],
    ['from without to', `${ID}/uptime`, { query: { from: '2024-04-01T00:00:00Z' } }, 400],
    ['window and from/to together', `${ID}/uptime`, { query: { window: '24h', from: '2024-04-01T00:00:00Z', to: '2024-04-02T00:00:00Z' } }, 400],
    ['a non-ISO date (words)', `${ID}/uptime`, { query: { from: 'yesterday', to: 'today' } }, 400],
    ['a non-ISO date (epoch seconds)', `${ID}/uptime`, { query: { from: '1714000000', to: '1714500000' } }, 400],
    ['a non-ISO date (US format)', `${ID}/uptime`, { query: { from: '04/01/2024', to: '05/01/2024' } }, 400],
    ['month 13', `${ID}/uptime`, { query: { from: '2024-13-01T00:00:00Z', to: '2024-12-31T00:00:00Z' } }, 400],
    ['30 February', `${ID}/uptime`, { query: { from: '2024-02-30T00:00:00Z', to: '2024-03-02T00:00:00Z' } }, 400],
    ['hour 25', `${ID}/uptime`, { query: { from: '2024-04-01T25:00:00Z', to: '2024-04-02T00:00:00Z' } }, 400],
    ['no time zone', `${ID}/uptime`, { query: { from: '2024-04-01T00:00:00', to: '2024-04-02T00:00:00' } }, 400],
    ['a 10 KB from', `${ID}/uptime`, { query: { from: TEN_KB, to: '2024-04-02T00:00:00Z' } }, 400],
    ['an unknown monitor with bad dates', '/monitors/nope/uptime', { query: { from: 'x', to: 'y' } }, 404],
  ],
  incidents: [
    ['a negative limit', `${ID}/incidents`, { query: { limit: '-1' } }, 400],
    ['limit zero', `${ID}/incidents`, { query: { limit: '0' } }, 400],
    ['limit over 100', `${ID}/incidents`, { query: { limit: '1000000' } }, 400],
    ['limit in exponent form', `${ID}/incidents`, { query: { limit: '1e2' } }, 400],
    ['limit NaN', `${ID}/incidents`, { query: { limit: 'NaN' } }, 400],
    ['limit Infinity', `${ID}/incidents`, { query: { limit: 'Infinity' } }, 400],
    ['limit repeated (joined by a comma)', `${ID}/incidents`, { query: { limit: '5,6' } }, 400],
    ['a 10 KB limit of digits', `${ID}/incidents`, { query: { limit: '9'.repeat(10 * 1024) } }, 400],
  ],
  'daily, report and badges': [
    ['daily: negative days', `${ID}/daily`, { query: { days: '-1' } }, 400],
    ['daily: a 10 KB days', `${ID}/daily`, { query: { days: TEN_KB } }, 400],
    ['daily: a huge days', `${ID}/daily`, { query: { days: '100000' } }, 400],
    ['report: a month that is not one', '/report', { query: { month: '2024-13' } }, 400],
    ['report: a 10 KB month', '/report', { query: { month: TEN_KB } }, 400],
    ['report: an unknown format', '/report', { query: { format: 'xml' } }, 400],
    ['badge: an unknown window', '/badges/payments-api/uptime.svg', { query: { window: '100000d' } }, 400],
    ['badge: an unknown monitor', '/badges/nope/status.svg', {}, 404],
    ['badge: path traversal', '/badges/..%2F..%2Fetc%2Fpasswd/status.svg', {}, 404],
    ['badge: any character where the dot is', '/badges/payments-api/statusXsvg', {}, 404],
  ],
};

async function send(rawPath: string, options: HttpApiEventOptions) {
  const response = await invoke(createHttpApiEvent(rawPath, options), createLambdaContext());
  const body = response.body ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  return { response, body, parsed, message: (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? '' };
}

describe.each(Object.entries(CASES))('%s', (group, cases) => {
  it.each(cases)('%s', async (what, rawPath, options, expected) => {
    const { response, body, parsed, message } = await send(rawPath, options);
    matrix.push(`  ${group} / ${what}: ${response.statusCode} ${message.slice(0, 100)}${message.length > 100 ? ` ... (${body.length} bytes)` : ''}`);

    expect({ what, statusCode: response.statusCode }).toEqual({ what, statusCode: expected });
    expect(String(response.headers?.['content-type'])).toMatch(/^application\/json/);
    expect(parsed).toEqual({ error: { code: expected === 400 ? 'bad_request' : 'not_found', message: expect.any(String) } });
    // Nothing internal leaks.
    expect(body).not.toMatch(/at .*\.ts:\d+|Error:|node_modules|ConditionalCheck|DynamoDB/);
  });
});

describe('unknown parameters', () => {
  it('a 10 KB query of parameters the route does not take is ignored, answered in JSON, never 500', async () => {
    const { response, parsed } = await send(`${ID}/incidents`, { query: { x: TEN_KB, y: TEN_KB } });
    matrix.push(`  unknown parameters / a 10 KB query of unknown parameters: ${response.statusCode} (ignored)`);
    expect(response.statusCode).toBe(200);
    expect(parsed).toEqual({ monitorId: 'payments-api', incidents: [] });
  });
});

describe('a 10 KB input is never echoed back whole', () => {
  const tenKbCases = Object.values(CASES)
    .flat()
    .filter(([, rawPath, options]) => `${rawPath}${JSON.stringify(options)}`.length > 10_000);
  it.each(tenKbCases)('%s', async (_what, rawPath, options) => {
    const { body } = await send(rawPath, options);
    expect(body.length).toBeLessThan(1_000);
  });
});
