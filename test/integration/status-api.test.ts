import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ApiDeps } from '../../lib/app/api-deps';
import { mapApiErrors } from '../../lib/http/errors';
import { createApiRouter, type HttpOptions } from '../../lib/http/routes';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { loadOpenApiDocument, OpenApiResponseValidator } from '../support/openapi';
import { ResponseCache } from '../../lib/http/response-cache';
import { STATUS_PAGE_CSP } from '../../lib/http/responses';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { MonitorConfig } from '../../lib/domain/types';
import { createHttpApiEvent, createLambdaContext, type HttpApiEventOptions } from '../fixtures/http-api-event';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { scriptMonitor, seedHistory } from '../support/history';
import { MINUTE_MS } from '../../lib/domain/time';

/**
 * The status page, badges, daily uptime, SLA report and the deeper uptime figures, served by the
 * real handler from a real table. 45 days of 5-minute checks, through the real state machine:
 *
 * - api (Payments API): up since 1 April; down 30 April 23:30 to 1 May 00:30 and 15 May 10:00 to 10:20.
 * - web (named `<b>x</b>`): added 10 May, down since 15 May 12:00 (still down now).
 * - new-service: never checked.
 *
 * Now is 15 May 12:30 UTC. Run summaries exist for the last 48 hours; hours up to 12:00 are rolled up.
 * Every answer is checked against the OpenAPI document.
 */

const DAY_S = 86_400;
const STEP_MS = 5 * MINUTE_MS;
const ms = (text: string) => Date.parse(text);
const NOW_MS = ms('2024-05-15T12:30:00Z');
const SUMMARIES_FROM_MS = NOW_MS - 48 * 3600_000;

const config = parseMonitorsConfig(
  `notify: { from: monitor@example.com, to: [oncall@example.com] }
defaults: { interval: 5m }
monitors:
  - { id: api, name: Payments API, url: "https://api.example.com/health" }
  - { id: web, name: "<b>x</b>", url: "https://www.example.com/" }
  - { id: new-service, url: "https://new.example.com/health" }
`,
  'status-api-monitors.yml',
);
const monitor = (id: string): MonitorConfig => {
  const found = config.monitors.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no monitor ${id}`);
  return found;
};

const API_OUTAGES = [
  { fromMs: ms('2024-04-30T23:30:00Z'), toMs: ms('2024-05-01T00:30:00Z') },
  { fromMs: ms('2024-05-15T10:00:00Z'), toMs: ms('2024-05-15T10:20:00Z') },
];
const apiLatency = (tickEpochMs: number) => 100 + ((tickEpochMs / STEP_MS) % 10) * 10;

/** The oracle: api's successful response times with a tick in [fromMs, toMs), from the script itself. */
function apiTimes(fromMs: number, toMs: number): number[] {
  const times: number[] = [];
  for (let tickEpochMs = Math.max(fromMs, SUMMARIES_FROM_MS); tickEpochMs < toMs; tickEpochMs += STEP_MS) {
    if (!API_OUTAGES.some((outage) => tickEpochMs >= outage.fromMs && tickEpochMs < outage.toMs)) times.push(apiLatency(tickEpochMs));
  }
  return times;
}
const nearestRank = (values: number[], percent: number) => [...values].sort((a, b) => a - b)[Math.ceil((percent / 100) * values.length) - 1] ?? NaN;

let table: TestTable;
let deps: ApiDeps;
const validator = new OpenApiResponseValidator(loadOpenApiDocument());
const exercised = new Set<string>();

beforeAll(async () => {
  table = await createTestTable('status');
  const { rollups, ...stores } = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  await seedHistory(
    stores,
    rollups,
    [
      scriptMonitor(monitor('api'), { outages: API_OUTAGES, latencyMs: apiLatency }),
      scriptMonitor(monitor('web'), {
        addedAtMs: ms('2024-05-10T00:00:00Z'),
        outages: [{ fromMs: ms('2024-05-15T12:00:00Z'), reason: 'http-status', message: 'status 503 <script>alert(1)</script>' }],
        latencyMs: () => 250,
      }),
    ],
    { fromMs: ms('2024-04-01T00:00:00Z'), toMs: NOW_MS, stepMs: STEP_MS, summariesFromMs: SUMMARIES_FROM_MS, rollUpUntilMs: NOW_MS - 25 * MINUTE_MS },
  );
  // The probe's record of each certificate (lib/domain/certificate.ts): api's within its 14 days, web's not.
  for (const [id, expiresInMs] of [['api', 10 * DAY_S * 1000 + 3600_000], ['web', 40 * DAY_S * 1000]] as const) {
    const state = await stores.states.loadState(id);
    if (!state) throw new Error(`no state for ${id}`);
    const certificate = { fingerprint: id.padEnd(64, '0'), expiresAt: new Date(NOW_MS + expiresInMs).toISOString(), issuer: 'CN=Test CA', subject: 'CN=example.com', warnedBeforeMs: [] };
    expect(await stores.states.saveState(state, { ...state, certificate, tick: new Date(NOW_MS).toISOString(), version: state.version + 1 })).toBe('saved');
  }
  deps = { ...stores, rollups, config, now: () => new Date(NOW_MS) };
});
afterAll(() => table.drop());

const logger = new Logger({ serviceName: 'status-api-test', logLevel: 'SILENT' });

interface Answer {
  statusCode: number | undefined;
  headers: Record<string, string>;
  body: string;
}

/** Sends a GET through the real routing and error middleware, by raw path, and checks the answer against the OpenAPI document. */
async function send(path: string, options: HttpApiEventOptions = {}, apiDeps: ApiDeps = deps, httpOptions: HttpOptions = {}): Promise<Answer> {
  const invoke = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(mapApiErrors(logger))
    .handler(createApiRouter(apiDeps, httpOptions));
  const result = await invoke(createHttpApiEvent(path, options), createLambdaContext());
  const answer: Answer = {
    statusCode: result.statusCode,
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)])),
    body: result.body ?? '',
  };
  expect(validator.check(options.method ?? 'GET', path, answer)).toEqual([]);
  exercised.add(validator.findTemplate(path) ?? path);
  return answer;
}
const sendJson = async (path: string, options: HttpApiEventOptions = {}) => {
  const answer = await send(path, options);
  return { ...answer, json: JSON.parse(answer.body) as unknown };
};

function readBadge(svg: string): string[] {
  expect(XMLValidator.validate(svg)).toBe(true);
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, isArray: (name) => name === 'g' || name === 'text' }).parse(svg) as {
    svg: { g: Array<{ text?: Array<{ '#text': string; 'aria-hidden'?: string }> }> };
  };
  return parsed.svg.g.flatMap((group) => group.text ?? []).filter((text) => text['aria-hidden'] !== 'true').map((text) => String(text['#text']));
}

describe('GET /monitors/{id}/uptime, the deeper figures', () => {
  it('adds MTBF, check counts and response times over 30 days, from rollups and raw runs', async () => {
    const { statusCode, json } = await sendJson('/monitors/api/uptime', { query: { window: '30d' } });
    expect(statusCode).toBe(200);
    const times = apiTimes(NOW_MS - 30 * DAY_S * 1000, NOW_MS);
    const tracked = 30 * DAY_S;
    expect(json).toMatchObject({
      monitorId: 'api',
      uptimePercent: ((tracked - 4800) / tracked) * 100,
      downtimeSeconds: 4800,
      outages: 2,
      longestOutageSeconds: 3600,
      mttrSeconds: 2400,
      mtbfSeconds: (tracked - 4800) / 2,
      // 48 hours of 5-minute runs; 10:00, 10:05, 10:10 and 10:15 today failed.
      checks: 576,
      failedChecks: 4,
      latencyMs: { avg: Math.round(times.reduce((a, b) => a + b, 0) / times.length) },
    });
    const latency = (json as { latencyMs: { p50: number; p95: number } }).latencyMs;
    expect(Math.abs(latency.p50 - nearestRank(times, 50))).toBeLessThanOrEqual(nearestRank(times, 50) * 0.025);
    expect(Math.abs(latency.p95 - nearestRank(times, 95))).toBeLessThanOrEqual(nearestRank(times, 95) * 0.025);
  });
});

describe('GET /monitors/{id}/daily', () => {
  it('gives 90 UTC days by default, today last, an outage split at midnight', async () => {
    const { statusCode, json } = await sendJson('/monitors/api/daily');
    expect(statusCode).toBe(200);
    const { days } = json as { days: Array<{ date: string; uptimePercent: number | null; downtimeSeconds: number; outages: number }> };
    expect(days).toHaveLength(90);
    expect(days[0]?.date).toBe('2024-02-16');
    expect(days.filter((entry) => entry.uptimePercent === null)).toHaveLength(45);
    const byDate = new Map(days.map((entry) => [entry.date, entry]));
    const split = ((DAY_S - 1800) / DAY_S) * 100;
    expect(byDate.get('2024-04-30')).toEqual({ date: '2024-04-30', uptimePercent: split, downtimeSeconds: 1800, maintenanceSeconds: 0, outages: 1 });
    expect(byDate.get('2024-05-01')).toEqual({ date: '2024-05-01', uptimePercent: split, downtimeSeconds: 1800, maintenanceSeconds: 0, outages: 1 });
    expect(byDate.get('2024-05-02')).toEqual({ date: '2024-05-02', uptimePercent: 100, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0 });
    // Today up to 12:30, down 20 minutes.
    expect(days.at(-1)).toEqual({ date: '2024-05-15', uptimePercent: ((45_000 - 1200) / 45_000) * 100, downtimeSeconds: 1200, maintenanceSeconds: 0, outages: 1 });
  });

  it('leaves out the days before a monitor was added, and counts an outage still open', async () => {
    const { json } = await sendJson('/monitors/web/daily', { query: { days: '7' } });
    expect(json).toEqual({
      monitorId: 'web',
      days: [
        { date: '2024-05-09', uptimePercent: null, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0 },
        ...['10', '11', '12', '13', '14'].map((d) => ({ date: `2024-05-${d}`, uptimePercent: 100, downtimeSeconds: 0, maintenanceSeconds: 0, outages: 0 })),
        { date: '2024-05-15', uptimePercent: 96, downtimeSeconds: 1800, maintenanceSeconds: 0, outages: 1 },
      ],
    });
  });

  it.each(['0', '401', 'ninety'])('refuses days=%s with 400', async (days) => {
    const { statusCode, json } = await sendJson('/monitors/api/daily', { query: { days } });
    expect(statusCode).toBe(400);
    expect(json).toEqual({ error: { code: 'bad_request', message: `days must be a whole number from 1 to 400, got "${days}"` } });
  });

  it('answers 404 for an unknown monitor', async () => {
    expect((await send('/monitors/nope/daily')).statusCode).toBe(404);
  });
});

describe('GET /report', () => {
  const may = {
    month: '2024-05',
    window: { from: '2024-05-01T00:00:00.000Z', to: '2024-06-01T00:00:00.000Z' },
    generatedAt: new Date(NOW_MS).toISOString(),
    monitors: [
      {
        id: 'api',
        name: 'Payments API',
        type: 'http',
        uptimePercent: ((1_254_600 - 3000) / 1_254_600) * 100,
        downtimeSeconds: 3000,
        maintenanceSeconds: 0,
        monitoredSeconds: 1_254_600,
        incidents: 2,
        longestIncidentSeconds: 3600,
      },
      {
        id: 'web',
        name: '<b>x</b>',
        type: 'http',
        uptimePercent: ((477_000 - 1800) / 477_000) * 100,
        downtimeSeconds: 1800,
        maintenanceSeconds: 0,
        monitoredSeconds: 477_000,
        incidents: 1,
        longestIncidentSeconds: 1800,
      },
      { id: 'new-service', name: 'new-service', type: 'http', uptimePercent: null, downtimeSeconds: 0, maintenanceSeconds: 0, monitoredSeconds: 0, incidents: 0, longestIncidentSeconds: 0 },
    ],
  };

  it('gives the current month up to now by default, as JSON', async () => {
    const answer = await sendJson('/report');
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.json).toEqual(may);
  });

  it('gives a past month whole, the incident across the boundary counted in both', async () => {
    const { json } = await sendJson('/report', { query: { month: '2024-04' } });
    expect(json).toMatchObject({
      month: '2024-04',
      monitors: [
        { id: 'api', uptimePercent: ((30 * DAY_S - 1800) / (30 * DAY_S)) * 100, downtimeSeconds: 1800, monitoredSeconds: 30 * DAY_S, incidents: 1, longestIncidentSeconds: 3600 },
        { id: 'web', uptimePercent: null, monitoredSeconds: 0, incidents: 0 },
        { id: 'new-service', uptimePercent: null },
      ],
    });
  });

  it.each<[string, HttpApiEventOptions]>([
    ['Accept: text/csv', { query: { month: '2024-05' }, headers: { accept: 'text/csv' } }],
    ['format=csv', { query: { month: '2024-05', format: 'csv' } }],
  ])('gives CSV for %s', async (_how, options) => {
    const answer = await send('/report', options);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(answer.headers['content-disposition']).toBe('attachment; filename="uptime-report-2024-05.csv"');
    const lines = answer.body.split('\r\n');
    expect(lines).toEqual([
      'month,id,name,type,uptimePercent,downtimeSeconds,maintenanceSeconds,monitoredSeconds,incidents,longestIncidentSeconds',
      `2024-05,api,Payments API,http,${may.monitors[0]?.uptimePercent},3000,0,1254600,2,3600`,
      `2024-05,web,<b>x</b>,http,${may.monitors[1]?.uptimePercent},1800,0,477000,1,1800`,
      '2024-05,new-service,new-service,http,,0,0,0,0,0',
      '',
    ]);
  });

  it('keeps JSON when format=json wins over the Accept header, or when CSV is refused with q=0', async () => {
    expect((await send('/report', { query: { format: 'json' }, headers: { accept: 'text/csv' } })).headers['content-type']).toMatch(/^application\/json/);
    expect((await send('/report', { headers: { accept: 'text/csv;q=0, application/json' } })).headers['content-type']).toMatch(/^application\/json/);
  });

  it.each<[Record<string, string>, string]>([
    [{ month: '2024-13' }, 'month must be written YYYY-MM, such as 2024-05, got "2024-13"'],
    [{ month: '2024-06' }, 'month "2024-06" has not begun yet'],
    [{ format: 'xml' }, 'format must be csv or json, got "xml"'],
  ])('refuses %j with 400', async (query, message) => {
    const { statusCode, json } = await sendJson('/report', { query });
    expect(statusCode).toBe(400);
    expect(json).toEqual({ error: { code: 'bad_request', message } });
  });
});

describe('GET /', () => {
  it('renders the status page from the table, cacheable, with a strict content security policy', async () => {
    const answer = await send('/');
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'public, max-age=20',
      'content-security-policy': STATUS_PAGE_CSP,
      'x-content-type-options': 'nosniff',
    });
    const html = answer.body;
    expect(html).toContain('<h1>Partial outage</h1>');
    expect(html.split('<li class="monitor"')).toHaveLength(4);
    expect(html.split('<li class="day ')).toHaveLength(3 * 90 + 1);
    expect(html.split('<li class="incident">')).toHaveLength(4);
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x</b>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('title="2024-04-30: 97.91% up, down 30 min"');
    expect(html).toContain('<dd data-window="30d">99.81%</dd>');
    // Marked: api's certificate, within its largest warnBefore (14 days); web's has 40 days left.
    expect(html.split('<p class="certificate"')).toHaveLength(2);
    expect(html).toContain('<p class="certificate" data-expires-at="2024-05-25T13:30:00.000Z">Certificate expires in 10 days (<time datetime="2024-05-25T13:30:00.000Z">');
    // The newest incident first: web, still down.
    expect(html.indexOf('<span class="ongoing">Ongoing</span> for 30 min')).toBeLessThan(html.indexOf('Resolved after 20 min'));
  });

  it('is kept by the response cache 10 s (whatever the cache keeps badges): one set of table reads per 10 s', async () => {
    let nowMs = NOW_MS;
    const cached: ApiDeps = { ...deps, now: () => new Date(nowMs) };
    const cache: HttpOptions = { responseCache: new ResponseCache(30_000) };
    const reads = jest.spyOn(deps.states, 'loadStates');
    const first = await send('/', {}, cached, cache);
    nowMs += 9_000;
    const second = await send('/', {}, cached, cache);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(second.body).toBe(first.body);
    nowMs += 1_000;
    await send('/', {}, cached, cache);
    expect(reads).toHaveBeenCalledTimes(2);
    reads.mockRestore();
  });
});

describe('badges', () => {
  it.each([
    ['/badges/api/status.svg', ['Payments API', 'up']],
    ['/badges/web/status.svg', ['<b>x</b>', 'down']],
    ['/badges/new-service/status.svg', ['new-service', 'unknown']],
    ['/badges/api/uptime.svg', ['uptime 24h', '98.61%']],
    ['/badges/api/uptime.svg?window=30d', ['uptime 30d', '99.81%']],
    ['/badges/new-service/uptime.svg?window=7d', ['uptime 7d', 'no data']],
    ['/badges/api/response-time.svg', ['response time 24h', `${Math.round(apiTimes(NOW_MS - DAY_S * 1000, NOW_MS).reduce((a, b) => a + b, 0) / apiTimes(NOW_MS - DAY_S * 1000, NOW_MS).length)} ms`]],
    ['/badges/web/response-time.svg?window=7d', ['response time 7d', '250 ms']],
    ['/badges/api/certificate.svg', ['certificate', '10 days']],
    ['/badges/web/certificate.svg', ['certificate', '40 days']],
    ['/badges/new-service/certificate.svg', ['certificate', 'no data']],
  ])('%s is an SVG showing %j', async (target, texts) => {
    const [path = '', rawQueryString] = target.split('?');
    const answer = await send(path, rawQueryString ? { rawQueryString } : {});
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toMatchObject({ 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'public, max-age=60' });
    expect(readBadge(answer.body)).toEqual(texts);
  });

  it('gives the shields.io endpoint JSON', async () => {
    const answer = await sendJson('/badges/api/uptime.json', { query: { window: '30d' } });
    expect(answer.headers['cache-control']).toBe('public, max-age=60');
    expect(answer.json).toEqual({ schemaVersion: 1, label: 'uptime 30d', message: '99.81%', color: 'green' });
  });

  it.each(['/badges/api/uptime.svg', '/badges/api/response-time.svg', '/badges/api/uptime.json'])('refuses window=1h on %s with a JSON 400', async (path) => {
    const { statusCode, json, headers } = await sendJson(path, { query: { window: '1h' } });
    expect(statusCode).toBe(400);
    expect(headers['cache-control']).toBe('no-store');
    expect(json).toEqual({ error: { code: 'bad_request', message: 'window must be one of 24h, 7d, 30d, got "1h"' } });
  });

  it.each(['/badges/nope/status.svg', '/badges/nope/uptime.svg', '/badges/nope/response-time.svg', '/badges/nope/certificate.svg', '/badges/nope/uptime.json'])('answers a JSON 404 for %s', async (path) => {
    const { statusCode, json } = await sendJson(path);
    expect(statusCode).toBe(404);
    expect(json).toEqual({ error: { code: 'not_found', message: 'no monitor with id "nope"' } });
  });

  it('is found by its route key as well as by its raw path', async () => {
    const answer = await send('/badges/api/uptime.svg', { route: '/badges/{id}/uptime.svg', query: { window: '7d' } });
    expect(readBadge(answer.body)[0]).toBe('uptime 7d');
  });
});

describe('the other routes, against the OpenAPI document', () => {
  it.each(['/health', '/monitors', '/monitors/api', '/monitors/web/incidents', '/monitors/new-service/uptime', '/metrics', '/openapi.json'])('%s', async (path) => {
    expect((await send(path)).statusCode).toBe(200);
  });

  it('serves the document itself', async () => {
    const { json, headers } = await sendJson('/openapi.json');
    expect(json).toEqual(loadOpenApiDocument());
    expect(headers['cache-control']).toBe('public, max-age=60');
  });

  it('has exercised every documented route in this file', () => {
    expect([...exercised].sort()).toEqual(Object.keys(loadOpenApiDocument().paths).sort());
  });
});
