/**
 * GET /metrics against DynamoDB Local: states, transitions, run summaries, a certificate and an
 * ad-hoc maintenance window stored as the probe and `npm run maintenance` store them, the answer of
 * the real router and error map parsed by a Prometheus text parser from npm
 * (parse-prometheus-text-format), and every sample checked against what was stored. Then the off
 * switch, from the deploy parameter to the function's environment to the 404, and what a scrape reads.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { resolveDeploySettings } from '../../deploy/deploy-settings';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import type { ApiDeps } from '../../lib/app/api-deps';
import { TRANSITION_READ_CONCURRENCY } from '../../lib/app/metrics';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { readApiEnvironment } from '../../lib/config/environment';
import { ConfigError } from '../../lib/domain/errors';
import { tickOf } from '../../lib/domain/schedule';
import { DAY_MS, MINUTE_MS } from '../../lib/domain/time';
import type { MonitorStateStore } from '../../lib/domain/ports';
import type { MonitorConfig, MonitorsConfig, RunSummary } from '../../lib/domain/types';
import { mapApiErrors } from '../../lib/http/errors';
import { OPENMETRICS_CONTENT_TYPE } from '../../lib/http/openmetrics';
import { ResponseCache } from '../../lib/http/response-cache';
import { createApiRouter, type HttpOptions } from '../../lib/http/routes';
import { DynamoDbMeter } from '../../tools/bench/dynamodb-meter';
import { createHttpApiEvent, createLambdaContext } from '../fixtures/http-api-event';
import { createTestTable, testDynamoDbClientConfig, type TestTable } from '../support/dynamodb';
import { loadOpenApiDocument, OpenApiResponseValidator } from '../support/openapi';
import { buildRunSummary as buildRunSummaryAt, replayChecks as replayChecksAt, type Check } from '../support/replay-checks';

const NOW_MS = Date.parse('2024-05-01T12:00:00.000Z');
/** ISO time `minutes` before (negative) or after now. */
const at = (minutes: number) => new Date(NOW_MS + minutes * MINUTE_MS).toISOString();
const DAY_MINUTES = DAY_MS / MINUTE_MS;

// A quote, a backslash and a non-ASCII letter in a name: label values must come back as written.
const MONITORS_YML = `notify:
  from: monitor@example.com
  to: [oncall@example.com]
defaults:
  failureThreshold: 1
  successThreshold: 1
monitors:
  - id: shop
    name: 'Shop "EU" \\ Zürich'
    url: https://shop.example.com/health
  - id: db-port
    name: Database
    type: tcp
    url: tcp://db.example.com:5432
    public: false
  - id: new-service
    url: https://new.example.com/health
`;

/** Checks through the real state machine into the store, at minutes from now. */
const replayChecks = (states: Pick<MonitorStateStore, 'saveState'>, monitor: MonitorConfig, checks: readonly Check[]) => replayChecksAt(states, monitor, checks, at);

const config = parseMonitorsConfig(MONITORS_YML, 'metrics-test-monitors.yml');
const monitorOf = (monitors: MonitorsConfig, id: string): MonitorConfig => {
  const monitor = monitors.monitors.find((candidate) => candidate.id === id);
  if (!monitor) throw new Error(`no monitor ${id}`);
  return monitor;
};

const silentLogger = new Logger({ serviceName: 'metrics-test', logLevel: 'SILENT' });
const openApi = new OpenApiResponseValidator(loadOpenApiDocument());

/** The handler as deployed, minus the lazy environment: the real router and the real error map. */
function createInvoker(deps: ApiDeps, options: HttpOptions = {}) {
  const invoke = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().use(mapApiErrors(silentLogger)).handler(createApiRouter(deps, options));
  return async (rawPath: string, route?: string, query?: Record<string, string>): Promise<APIGatewayProxyStructuredResultV2> => {
    const response = await invoke(createHttpApiEvent(rawPath, { ...(route === undefined ? {} : { route }), ...(query ? { query } : {}) }), createLambdaContext());
    // Every answer is as the OpenAPI document says.
    expect(openApi.check('GET', rawPath, { statusCode: response.statusCode, headers: response.headers, body: response.body ?? '' })).toEqual([]);
    return response;
  };
}

const buildRunSummary = (minutes: number, results: RunSummary['results']) => buildRunSummaryAt(at, minutes, results);

/** Every sample of the exposition by `name{label="value",…}` (labels sorted), its value as a number. */
function samplesOf(families: readonly PrometheusFamily[]): Record<string, number> {
  const entries = families.flatMap((family) =>
    family.metrics.map((sample) => {
      const labels = Object.entries(sample.labels ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(',');
      return [`${family.name}{${labels}}`, Number(sample.value)] as const;
    }),
  );
  expect(new Set(entries.map(([key]) => key)).size).toBe(entries.length);
  return Object.fromEntries(entries);
}

/** The series key of a monitor's sample, as samplesOf writes it. */
function key(name: string, monitor: { id: string; name: string; type: string }, extra: Record<string, string> = {}): string {
  const labels = { monitor: monitor.id, name: monitor.name, type: monitor.type, ...extra };
  const text = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, value]) => `${label}=${JSON.stringify(value)}`)
    .join(',');
  return `uptime_monitor_${name}{${text}}`;
}

let table: TestTable;
let deps: ApiDeps;

const SHOP_CERTIFICATE_EXPIRES_AT = '2024-06-15T00:00:00.000Z';
const MAINTENANCE = { id: 'db-upgrade', name: 'Database upgrade', monitors: ['db-port'], startAt: at(-20), endAt: at(10) };
const LATEST_RUN = buildRunSummary(-1, {
  shop: { ok: true, latencyMs: 123, statusCode: 200 },
  'db-port': { ok: false, latencyMs: 5000, reason: 'timeout' },
});

beforeAll(async () => {
  table = await createTestTable('metrics');
  const stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  deps = { ...stores, config, now: () => new Date(NOW_MS) };

  // shop: UP from 40 days ago; down 2 hours 10 days ago, and 1 hour from 3 hours ago; UP again for 2 hours.
  const shop = await replayChecks(stores.states, monitorOf(config, 'shop'), [
    [-40 * DAY_MINUTES, true],
    [-10 * DAY_MINUTES, false],
    [-10 * DAY_MINUTES + 120, true],
    [-180, false],
    [-120, true],
  ]);
  // The probe's record of shop's certificate (lib/domain/certificate.ts).
  const certificate = { fingerprint: 'ab'.repeat(32), expiresAt: SHOP_CERTIFICATE_EXPIRES_AT, issuer: 'CN=R11, O=Let\'s Encrypt', subject: 'CN=shop.example.com', warnedBeforeMs: [] };
  expect(await stores.states.saveState(shop, { ...shop, certificate, tick: tickOf(at(-1)), version: shop.version + 1 })).toBe('saved');
  // db-port: UP from 6 hours ago, DOWN for the last 30 minutes, the last 20 of them in an ad-hoc maintenance window.
  await replayChecks(stores.states, monitorOf(config, 'db-port'), [
    [-360, true],
    [-30, false],
  ]);
  await stores.maintenance.openAdHocWindow(MAINTENANCE);
  // new-service: never checked, nothing stored.
  // An older run (its latencies must not show) and the latest, which did not check new-service.
  await stores.runs.putRunSummary(buildRunSummary(-2, { shop: { ok: true, latencyMs: 999, statusCode: 200 }, 'db-port': { ok: true, latencyMs: 999 } }));
  await stores.runs.putRunSummary(LATEST_RUN);
});

afterAll(async () => {
  await table?.drop();
});

describe('GET /metrics', () => {
  let response: APIGatewayProxyStructuredResultV2;
  let families: PrometheusFamily[];

  beforeAll(async () => {
    response = await createInvoker(deps)('/metrics', '/metrics');
    families = parsePrometheusTextFormat(response.body ?? '');
  });

  it('answers OpenMetrics 1.0.0 text, ending # EOF, never cached by others', () => {
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    expect(OPENMETRICS_CONTENT_TYPE).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(response.body?.endsWith('\n# EOF\n')).toBe(true);
    expect(response.body?.match(/^# EOF$/gm)).toHaveLength(1);
  });

  it('has gauges named with the prefix and their units, each with a help text', () => {
    expect(families.map((family) => [family.name, family.type])).toEqual([
      ['uptime_monitor_up', 'GAUGE'],
      ['uptime_monitor_status', 'GAUGE'],
      ['uptime_monitor_status_duration_seconds', 'GAUGE'],
      ['uptime_monitor_last_check_latency_seconds', 'GAUGE'],
      ['uptime_monitor_last_check_timestamp_seconds', 'GAUGE'],
      ['uptime_monitor_uptime_ratio', 'GAUGE'],
      ['uptime_monitor_certificate_expiry_timestamp_seconds', 'GAUGE'],
      ['uptime_monitor_maintenance', 'GAUGE'],
      // No sample here: this configuration has no confirm block.
      ['uptime_monitor_regional', 'GAUGE'],
    ]);
    for (const family of families) expect(family.help.length).toBeGreaterThan(20);
  });

  it('gives every monitor, public: false included, exactly the samples its stored state, latest run, transitions and maintenance say', () => {
    const shop = monitorOf(config, 'shop');
    const db = monitorOf(config, 'db-port');
    const fresh = monitorOf(config, 'new-service');
    expect(db.public).toBe(false);
    expect(shop.name).toBe('Shop "EU" \\ Zürich');
    const runStartedAtSeconds = Date.parse(LATEST_RUN.startedAt) / 1000;
    expect(samplesOf(families)).toEqual({
      // up: 1 UP, 0 DOWN, no sample while UNKNOWN.
      [key('up', shop)]: 1,
      [key('up', db)]: 0,
      // status: 1 for the current one.
      [key('status', shop, { status: 'UNKNOWN' })]: 0,
      [key('status', shop, { status: 'UP' })]: 1,
      [key('status', shop, { status: 'DOWN' })]: 0,
      [key('status', db, { status: 'UNKNOWN' })]: 0,
      [key('status', db, { status: 'UP' })]: 0,
      [key('status', db, { status: 'DOWN' })]: 1,
      [key('status', fresh, { status: 'UNKNOWN' })]: 1,
      [key('status', fresh, { status: 'UP' })]: 0,
      [key('status', fresh, { status: 'DOWN' })]: 0,
      // Seconds since `since`: UP again 2 hours ago; DOWN 30 minutes ago.
      [key('status_duration_seconds', shop)]: 2 * 3600,
      [key('status_duration_seconds', db)]: 30 * 60,
      // The latest run's results (not the older run's 999 ms), in seconds, and when it started.
      [key('last_check_latency_seconds', shop)]: 0.123,
      [key('last_check_latency_seconds', db)]: 5,
      [key('last_check_timestamp_seconds', shop)]: runStartedAtSeconds,
      [key('last_check_timestamp_seconds', db)]: runStartedAtSeconds,
      // shop: 1 hour down in the last 24; 3 hours down in the last 30 days.
      [key('uptime_ratio', shop, { window: '24h' })]: expect.closeTo((24 * 60 - 60) / (24 * 60), 12),
      [key('uptime_ratio', shop, { window: '30d' })]: expect.closeTo((30 * DAY_MINUTES - 180) / (30 * DAY_MINUTES), 12),
      // db-port: tracked 6 hours, 30 minutes down of which 20 in maintenance (left out): 330 up over 340.
      [key('uptime_ratio', db, { window: '24h' })]: expect.closeTo(330 / 340, 12),
      [key('uptime_ratio', db, { window: '30d' })]: expect.closeTo(330 / 340, 12),
      // Only the https monitor with a stored certificate.
      [key('certificate_expiry_timestamp_seconds', shop)]: Date.parse(SHOP_CERTIFICATE_EXPIRES_AT) / 1000,
      [key('maintenance', shop)]: 0,
      [key('maintenance', db)]: 1,
      [key('maintenance', fresh)]: 0,
    });
  });

  it('agrees with GET /monitors/{id} and GET /monitors/{id}/uptime', async () => {
    const samples = samplesOf(families);
    const invoke = createInvoker(deps);
    for (const monitor of config.monitors) {
      const detail = JSON.parse((await invoke(`/monitors/${monitor.id}`, '/monitors/{id}')).body ?? '{}') as {
        status: string;
        lastResult: { latencyMs: number; checkedAt: string } | null;
        certificate: { expiresAt: string } | null;
      };
      expect(samples[key('status', monitor, { status: detail.status })]).toBe(1);
      expect(samples[key('last_check_latency_seconds', monitor)]).toBe(detail.lastResult ? detail.lastResult.latencyMs / 1000 : undefined);
      expect(samples[key('certificate_expiry_timestamp_seconds', monitor)]).toBe(detail.certificate ? Date.parse(detail.certificate.expiresAt) / 1000 : undefined);
      for (const window of ['24h', '30d']) {
        const answer = await invoke(`/monitors/${monitor.id}/uptime`, '/monitors/{id}/uptime', { window });
        const uptime = JSON.parse(answer.body ?? '{}') as { uptimePercent: number | null };
        const ratio = samples[key('uptime_ratio', monitor, { window })];
        if (uptime.uptimePercent === null) expect(ratio).toBeUndefined();
        else expect(ratio).toBeCloseTo(uptime.uptimePercent / 100, 12);
      }
    }
  });

  it('is served by raw path too (a $default route, serverless-offline)', async () => {
    const byPath = await createInvoker(deps)('/metrics');
    expect(byPath.statusCode).toBe(200);
    expect(byPath.body).toBe(response.body);
  });
});

describe('the off switch (--param prometheus=false)', () => {
  it('answers 404 not_found when the router is told so, and serves it otherwise', async () => {
    const off = await createInvoker(deps, { prometheus: false })('/metrics', '/metrics');
    expect(off.statusCode).toBe(404);
    expect(off.headers?.['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(off.body ?? '')).toEqual({ error: { code: 'not_found', message: 'no route GET /metrics' } });
    expect((await createInvoker(deps, { prometheus: true })('/metrics', '/metrics')).statusCode).toBe(200);
  });

  it('is the deploy parameter prometheus, on by default, refused unless true or false', () => {
    const settings = (params: Record<string, string>) =>
      resolveDeploySettings({
        config,
        fileName: 'monitors.yml',
        monitorsFile: 'monitors.yml',
        stackName: 'uptime-monitor-dev',
        stage: 'dev',
        params,
        checkDeployability: false,
      });
    expect(settings({}).prometheusEnabled).toBe('true');
    expect(settings({ prometheus: 'false' }).prometheusEnabled).toBe('false');
    expect(settings({ prometheus: 'TRUE' }).prometheusEnabled).toBe('true');
    expect(() => settings({ prometheus: 'off' })).toThrow(ConfigError);
    expect(() => settings({ prometheus: 'off' })).toThrow("parameter prometheus: 'off' must be true or false");
  });

  it('reaches the api function as PROMETHEUS_ENABLED, validated', () => {
    expect(readApiEnvironment({ TABLE_NAME: 't' })).toEqual({ tableName: 't', monitorsFile: 'monitors.yml', prometheus: true });
    expect(readApiEnvironment({ TABLE_NAME: 't', PROMETHEUS_ENABLED: 'false' }).prometheus).toBe(false);
    expect(() => readApiEnvironment({ TABLE_NAME: 't', PROMETHEUS_ENABLED: 'no' })).toThrow(ConfigError);
    expect(() => readApiEnvironment({ TABLE_NAME: 't', PROMETHEUS_ENABLED: 'no' })).toThrow('environment variable PROMETHEUS_ENABLED');
  });

  describe('the deployed handler (functions/api.ts), from its environment', () => {
    const VARIABLES = ['TABLE_NAME', 'MONITORS_FILE', 'PROMETHEUS_ENABLED', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
    const saved = new Map(VARIABLES.map((name) => [name, process.env[name]]));
    let directory: string;

    beforeAll(() => {
      directory = mkdtempSync(path.join(tmpdir(), 'metrics-test-'));
      writeFileSync(path.join(directory, 'monitors.yml'), MONITORS_YML);
      Object.assign(process.env, {
        TABLE_NAME: table.tableName,
        MONITORS_FILE: path.join(directory, 'monitors.yml'),
        AWS_ENDPOINT_URL_DYNAMODB: process.env.TEST_DYNAMODB_ENDPOINT,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      });
    });
    afterAll(() => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      rmSync(directory, { recursive: true, force: true });
    });

    /** GET /metrics from a fresh copy of the module (it builds its router once, from the environment, on the first request). */
    async function requestMetrics(prometheusEnabled: string | undefined): Promise<APIGatewayProxyStructuredResultV2> {
      if (prometheusEnabled === undefined) delete process.env.PROMETHEUS_ENABLED;
      else process.env.PROMETHEUS_ENABLED = prometheusEnabled;
      let answer: APIGatewayProxyStructuredResultV2 | undefined;
      await jest.isolateModulesAsync(async () => {
        const { handler } = await import('../../functions/api');
        answer = await handler(createHttpApiEvent('/metrics', { route: '/metrics' }), createLambdaContext());
      });
      if (!answer) throw new Error('the handler gave no answer');
      return answer;
    }

    it('serves the metrics when PROMETHEUS_ENABLED is unset, and 404 when it is false', async () => {
      const served = await requestMetrics(undefined);
      expect(served.statusCode).toBe(200);
      expect(served.headers?.['content-type']).toBe(OPENMETRICS_CONTENT_TYPE);
      // Its own clock: the monitors and their status, whatever the durations.
      const samples = samplesOf(parsePrometheusTextFormat(served.body ?? ''));
      expect(samples[key('up', monitorOf(config, 'shop'))]).toBe(1);
      expect(samples[key('status', monitorOf(config, 'new-service'), { status: 'UNKNOWN' })]).toBe(1);
      const off = await requestMetrics('false');
      expect(off.statusCode).toBe(404);
      expect(JSON.parse(off.body ?? '')).toEqual({ error: { code: 'not_found', message: 'no route GET /metrics' } });
    });
  });
});

describe('what a scrape reads', () => {
  /**
   * 16 monitors, one of them with an outage a week for the 400 days transitions are kept (114
   * transitions, of which only the last 30 days' are read), in the read units DynamoDB Local
   * reports (tools/bench/dynamodb-meter.ts).
   * README ("Prometheus") quotes the figure printed here.
   */
  const ids = Array.from({ length: 16 }, (_, index) => `service-${String(index).padStart(2, '0')}`);
  const costConfig = parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
${ids.map((id) => `  - { id: ${id}, url: "https://${id}.example.com/health", failureThreshold: 1, successThreshold: 1 }`).join('\n')}
`,
    'cost-monitors.yml',
  );
  // Bound to what the measurement gave (10.5): a costlier read fails here, such as reading
  // service-00's whole history (14) instead of its last 30 days.
  const MAX_READ_UNITS = 11;
  let costTable: TestTable;
  let meteredClient: DynamoDBClient;
  let meter: DynamoDbMeter;
  let meteredDeps: ApiDeps;
  let nowMs = NOW_MS;

  beforeAll(async () => {
    costTable = await createTestTable('metrics-cost');
    const stores = createDynamoDbStores({ client: costTable.client, tableName: costTable.tableName });
    const weeks = Math.floor(400 / 7);
    const checks = Array.from({ length: weeks }, (_, week): Check[] => {
      const start = -(400 - week * 7) * DAY_MINUTES + 10;
      return [[start - 10, true], [start, false], [start + 20, true]];
    }).flat();
    await replayChecks(stores.states, monitorOf(costConfig, 'service-00'), checks);
    await Promise.all(ids.slice(1).map((id) => replayChecks(stores.states, monitorOf(costConfig, id), [[-60, true]])));
    await stores.runs.putRunSummary(buildRunSummary(-1, Object.fromEntries(ids.map((id) => [id, { ok: true, latencyMs: 100, statusCode: 200 }]))));
    meteredClient = new DynamoDBClient(testDynamoDbClientConfig());
    meter = new DynamoDbMeter(meteredClient);
    meteredDeps = {
      ...createDynamoDbStores({ client: meteredClient, tableName: costTable.tableName }),
      config: costConfig,
      now: () => new Date(nowMs),
    };
  });
  afterAll(async () => {
    meteredClient?.destroy();
    await costTable?.drop();
  });

  it(`reads one Query per monitor plus four or five, at most ${MAX_READ_UNITS} read units for 16 monitors, however long a history`, async () => {
    meter.take();
    const response = await createInvoker(meteredDeps)('/metrics', '/metrics');
    const reading = meter.take();
    console.log(
      `GET /metrics (${ids.length} monitors, one with 114 transitions, no cache): ${reading.readUnits} read units in ${reading.calls} requests ` +
        `(${Object.entries(reading.byCommand).map(([command, usage]) => `${command} ${usage.calls} calls ${usage.readUnits} units`).join(', ')})`,
    );
    expect(response.statusCode).toBe(200);
    // A Query of each monitor's transitions, of the states and of the ad-hoc windows; the latest run
    // summary's two or three reads (its tick, its items, the roster of its results once per instance).
    expect(reading.calls).toBeGreaterThanOrEqual(ids.length + 4);
    expect(reading.calls).toBeLessThanOrEqual(ids.length + 5);
    expect(reading.readUnits).toBeGreaterThan(0);
    expect(reading.readUnits).toBeLessThanOrEqual(MAX_READ_UNITS);
    expect(TRANSITION_READ_CONCURRENCY).toBeLessThan(ids.length + 1);
  });

  it('reads nothing for a second scrape within 10 s on the same instance, and reads again after', async () => {
    const invoke = createInvoker(meteredDeps, { responseCache: new ResponseCache() });
    nowMs = NOW_MS;
    const first = await invoke('/metrics', '/metrics');
    meter.take();
    nowMs = NOW_MS + 9_999;
    const second = await invoke('/metrics', '/metrics');
    expect(meter.take().calls).toBe(0);
    expect(second.body).toBe(first.body);
    nowMs = NOW_MS + 10 * 1000;
    const third = await invoke('/metrics', '/metrics');
    expect(meter.take().calls).toBeGreaterThanOrEqual(ids.length + 4);
    expect(third.body).not.toBe(first.body);
    nowMs = NOW_MS;
  });
});
