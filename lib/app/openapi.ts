/**
 * The API's OpenAPI 3.1 document, served at `GET /openapi.json`. test/integration/openapi.test.ts
 * keeps it true: it checks the document against the OpenAPI 3.1 schema, that it names exactly the
 * routes functions/api.ts serves and serverless.yml deploys, and validates real answers against it.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

export interface OpenApiOperation extends JsonObject {
  operationId: string;
  summary: string;
  responses: { [status: string]: JsonValue };
}

export interface OpenApiDocument {
  openapi: string;
  info: JsonObject;
  paths: { [path: string]: { get: OpenApiOperation } };
  components: { schemas: { [name: string]: JsonObject }; parameters: JsonObject; responses: JsonObject };
}

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonObject, description: string): JsonObject => ({
  description,
  content: { 'application/json': { schema } },
});
const text = (mediaType: string, description: string): JsonObject => ({
  description,
  content: { [mediaType]: { schema: { type: 'string' } } },
});
const errors = (...statuses: Array<'400' | '404'>): JsonObject => ({
  ...Object.fromEntries(
    statuses.map((status) => [status, { $ref: `#/components/responses/${status === '400' ? 'BadRequest' : 'NotFound'}` }]),
  ),
  '500': { $ref: '#/components/responses/InternalError' },
});
const monitorId: JsonObject = { $ref: '#/components/parameters/MonitorId' };
const badgeWindow: JsonObject = {
  name: 'window',
  in: 'query',
  required: false,
  description: 'The window the badge covers, ending now.',
  schema: { type: 'string', enum: ['24h', '7d', '30d'], default: '24h' },
};

const dateTime: JsonObject = { type: 'string', format: 'date-time' };
const nullableDateTime: JsonObject = { type: ['string', 'null'], format: 'date-time' };
const seconds: JsonObject = { type: 'number', minimum: 0 };
const percent: JsonObject = { type: ['number', 'null'], minimum: 0, maximum: 100 };
const status: JsonObject = { type: 'string', enum: ['UNKNOWN', 'UP', 'DOWN'] };

const schemas: { [name: string]: JsonObject } = {
  Error: {
    type: 'object',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', enum: ['bad_request', 'not_found', 'internal'] },
          message: { type: 'string' },
        },
      },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: { status: { const: 'UP' } },
  },
  MonitorSummary: {
    type: 'object',
    required: ['id', 'name', 'url', 'status', 'since', 'lastCheckedAt'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', pattern: '^[a-z0-9-]+$' },
      name: { type: 'string' },
      url: { type: 'string' },
      status,
      since: { ...nullableDateTime, description: 'When the current status began; null for a monitor never checked.' },
      lastCheckedAt: { ...nullableDateTime, description: 'When the latest run that checked this monitor started.' },
    },
  },
  MonitorList: {
    type: 'object',
    required: ['monitors'],
    additionalProperties: false,
    properties: { monitors: { type: 'array', items: ref('MonitorSummary') } },
  },
  Expectations: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: {
      status: { type: 'array', items: { type: 'integer' } },
      json: { type: 'object', description: 'Dotted paths into the JSON body and the values they must equal.' },
      bodyContains: { type: 'string' },
      maxResponseTimeMs: { type: 'number' },
    },
  },
  LastResult: {
    type: 'object',
    required: ['ok', 'latencyMs', 'statusCode', 'reason', 'checkedAt'],
    additionalProperties: false,
    properties: {
      ok: { type: 'boolean' },
      latencyMs: { type: 'number', minimum: 0 },
      statusCode: { type: ['integer', 'null'] },
      reason: { type: ['string', 'null'] },
      checkedAt: dateTime,
    },
  },
  MonitorDetail: {
    type: 'object',
    description: 'The monitor without its headers or notification recipients.',
    required: [
      'id', 'name', 'url', 'method', 'intervalMs', 'timeoutMs', 'failureThreshold', 'successThreshold', 'expect', 'status',
      'since', 'failuresInRow', 'successesInRow', 'lastFailureReason', 'lastCheckedAt', 'lastResult',
    ],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      url: { type: 'string' },
      method: { type: 'string' },
      intervalMs: { type: 'integer', minimum: 1 },
      timeoutMs: { type: 'integer', minimum: 1 },
      failureThreshold: { type: 'integer', minimum: 1 },
      successThreshold: { type: 'integer', minimum: 1 },
      expect: ref('Expectations'),
      status,
      since: nullableDateTime,
      failuresInRow: { type: 'integer', minimum: 0 },
      successesInRow: { type: 'integer', minimum: 0 },
      lastFailureReason: { type: ['string', 'null'] },
      lastCheckedAt: nullableDateTime,
      lastResult: { oneOf: [ref('LastResult'), { type: 'null' }] },
    },
  },
  Window: {
    type: 'object',
    required: ['from', 'to'],
    additionalProperties: false,
    properties: { from: dateTime, to: dateTime },
  },
  Latency: {
    type: 'object',
    description: 'Response times of the successful checks, whole milliseconds; percentiles within about 2.5 %.',
    required: ['avg', 'p50', 'p95'],
    additionalProperties: false,
    properties: { avg: { type: 'integer', minimum: 0 }, p50: { type: 'integer', minimum: 0 }, p95: { type: 'integer', minimum: 0 } },
  },
  Uptime: {
    type: 'object',
    required: [
      'monitorId', 'window', 'uptimePercent', 'downtimeSeconds', 'outages', 'longestOutageSeconds', 'mttrSeconds',
      'mtbfSeconds', 'checks', 'failedChecks', 'latencyMs',
    ],
    additionalProperties: false,
    properties: {
      monitorId: { type: 'string' },
      window: ref('Window'),
      uptimePercent: { ...percent, description: 'Time UP over time UP or DOWN in the window; null when neither was seen.' },
      downtimeSeconds: seconds,
      outages: { type: 'integer', minimum: 0, description: 'Outages overlapping the window.' },
      longestOutageSeconds: { ...seconds, description: 'Full length of the longest of them, not cut to the window.' },
      mttrSeconds: { type: ['number', 'null'], minimum: 0, description: 'Mean full length of the outages that ended in the window.' },
      mtbfSeconds: { type: ['number', 'null'], minimum: 0, description: 'UP time in the window over the outages that began in it.' },
      checks: { type: 'integer', minimum: 0, description: 'Checks run in the window (run history is kept 35 days by default).' },
      failedChecks: { type: 'integer', minimum: 0 },
      latencyMs: { oneOf: [ref('Latency'), { type: 'null' }] },
    },
  },
  Incident: {
    type: 'object',
    required: ['startedAt', 'confirmedAt', 'endedAt', 'durationSeconds', 'reason'],
    additionalProperties: false,
    properties: {
      startedAt: dateTime,
      confirmedAt: dateTime,
      endedAt: { ...nullableDateTime, description: 'Null while the monitor is still down.' },
      durationSeconds: seconds,
      reason: { type: ['string', 'null'] },
    },
  },
  Incidents: {
    type: 'object',
    required: ['monitorId', 'incidents'],
    additionalProperties: false,
    properties: { monitorId: { type: 'string' }, incidents: { type: 'array', items: ref('Incident') } },
  },
  DayUptime: {
    type: 'object',
    required: ['date', 'uptimePercent', 'downtimeSeconds', 'outages'],
    additionalProperties: false,
    properties: {
      date: { type: 'string', format: 'date', description: 'The UTC day.' },
      uptimePercent: percent,
      downtimeSeconds: seconds,
      outages: { type: 'integer', minimum: 0 },
    },
  },
  DailyUptime: {
    type: 'object',
    required: ['monitorId', 'days'],
    additionalProperties: false,
    properties: {
      monitorId: { type: 'string' },
      days: { type: 'array', items: ref('DayUptime'), description: 'Oldest first; the last one is today, up to now.' },
    },
  },
  ReportMonitor: {
    type: 'object',
    required: ['id', 'name', 'uptimePercent', 'downtimeSeconds', 'monitoredSeconds', 'incidents', 'longestIncidentSeconds'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      uptimePercent: percent,
      downtimeSeconds: seconds,
      monitoredSeconds: { ...seconds, description: 'Time UP or DOWN in the month.' },
      incidents: { type: 'integer', minimum: 0 },
      longestIncidentSeconds: { ...seconds, description: 'Full length, not cut to the month.' },
    },
  },
  Report: {
    type: 'object',
    required: ['month', 'window', 'generatedAt', 'monitors'],
    additionalProperties: false,
    properties: {
      month: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
      window: ref('Window'),
      generatedAt: dateTime,
      monitors: { type: 'array', items: ref('ReportMonitor') },
    },
  },
  ShieldsEndpoint: {
    type: 'object',
    required: ['schemaVersion', 'label', 'message', 'color'],
    additionalProperties: false,
    properties: {
      schemaVersion: { const: 1 },
      label: { type: 'string' },
      message: { type: 'string' },
      color: { type: 'string', enum: ['brightgreen', 'green', 'yellowgreen', 'yellow', 'orange', 'red', 'lightgrey', 'blue'] },
    },
  },
  OpenApi: {
    type: 'object',
    required: ['openapi', 'info', 'paths'],
    properties: { openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' }, info: { type: 'object' }, paths: { type: 'object' } },
  },
};

export const OPENAPI_DOCUMENT: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'uptime-monitor',
    version: '0.1.0',
    description:
      'Current state, uptime, incidents, an SLA report, a status page and badges of the monitors in monitors.yml. ' +
      'Times are ISO-8601 UTC. Uptime is time-based: time UP over time UP or DOWN, leaving out the time before a monitor was established.',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  paths: {
    '/': {
      get: {
        operationId: 'getStatusPage',
        summary: 'Status page',
        description: 'Every monitor with its state, uptime over 24 h, 7 d and 30 d, 90 days of daily uptime, a 24 h response-time line, and the latest incidents. Server-rendered HTML; may be cached for 60 s.',
        responses: { '200': text('text/html', 'The page.'), ...errors() },
      },
    },
    '/health': {
      get: {
        operationId: 'getHealth',
        summary: 'The API answers',
        responses: { '200': json(ref('Health'), 'Always UP.'), ...errors() },
      },
    },
    '/monitors': {
      get: {
        operationId: 'listMonitors',
        summary: 'Every monitor with its status',
        responses: { '200': json(ref('MonitorList'), 'In the order of monitors.yml.'), ...errors() },
      },
    },
    '/monitors/{id}': {
      get: {
        operationId: 'getMonitor',
        summary: 'One monitor: configuration, state, counters and last result',
        parameters: [monitorId],
        responses: { '200': json(ref('MonitorDetail'), 'The monitor.'), ...errors('404') },
      },
    },
    '/monitors/{id}/uptime': {
      get: {
        operationId: 'getUptime',
        summary: 'Uptime, outages, MTTR, MTBF, check counts and response times over a window',
        parameters: [
          monitorId,
          {
            name: 'window',
            in: 'query',
            required: false,
            description: 'A window ending now. Not together with from and to.',
            schema: { type: 'string', enum: ['1h', '24h', '7d', '30d'], default: '24h' },
          },
          {
            name: 'from',
            in: 'query',
            required: false,
            description: 'Start, ISO-8601 with a zone or a date (UTC midnight); with to, at most 400 days before it.',
            schema: { type: 'string' },
          },
          { name: 'to', in: 'query', required: false, description: 'End, as from.', schema: { type: 'string' } },
        ],
        responses: { '200': json(ref('Uptime'), 'The figures.'), ...errors('400', '404') },
      },
    },
    '/monitors/{id}/incidents': {
      get: {
        operationId: 'listIncidents',
        summary: 'Outages, newest first',
        parameters: [
          monitorId,
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        ],
        responses: { '200': json(ref('Incidents'), 'The incidents.'), ...errors('400', '404') },
      },
    },
    '/monitors/{id}/daily': {
      get: {
        operationId: 'getDailyUptime',
        summary: 'Uptime per UTC day',
        parameters: [
          monitorId,
          { name: 'days', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 400, default: 90 } },
        ],
        responses: { '200': json(ref('DailyUptime'), 'One entry per day, today last.'), ...errors('400', '404') },
      },
    },
    '/report': {
      get: {
        operationId: 'getReport',
        summary: "Every monitor's uptime, downtime and incidents over a calendar month (UTC), for an SLA report",
        description: 'JSON by default; CSV with format=csv or an Accept header asking for text/csv.',
        parameters: [
          {
            name: 'month',
            in: 'query',
            required: false,
            description: 'The month, YYYY-MM; the current one (up to now) by default. A month not begun yet is refused.',
            schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
          },
          { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'csv'] } },
        ],
        responses: {
          '200': {
            description: 'The report. The CSV has a header line and one line per monitor, with the JSON names as columns.',
            content: { 'application/json': { schema: ref('Report') }, 'text/csv': { schema: { type: 'string' } } },
          },
          ...errors('400'),
        },
      },
    },
    '/badges/{id}/status.svg': {
      get: {
        operationId: 'getStatusBadge',
        summary: 'Badge: the current status (up, down, unknown), labelled with the monitor name',
        parameters: [monitorId],
        responses: { '200': text('image/svg+xml', 'The badge.'), ...errors('404') },
      },
    },
    '/badges/{id}/uptime.svg': {
      get: {
        operationId: 'getUptimeBadge',
        summary: 'Badge: uptime over a window, such as 99.95%',
        parameters: [monitorId, badgeWindow],
        responses: { '200': text('image/svg+xml', 'The badge.'), ...errors('400', '404') },
      },
    },
    '/badges/{id}/response-time.svg': {
      get: {
        operationId: 'getResponseTimeBadge',
        summary: 'Badge: average response time of the successful checks over a window',
        parameters: [monitorId, badgeWindow],
        responses: { '200': text('image/svg+xml', 'The badge.'), ...errors('400', '404') },
      },
    },
    '/badges/{id}/uptime.json': {
      get: {
        operationId: 'getUptimeShield',
        summary: 'The uptime badge as a shields.io endpoint (https://shields.io/badges/endpoint-badge)',
        parameters: [monitorId, badgeWindow],
        responses: { '200': json(ref('ShieldsEndpoint'), 'For img.shields.io/endpoint?url=...'), ...errors('400', '404') },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        summary: 'This document',
        responses: { '200': json(ref('OpenApi'), 'OpenAPI 3.1.'), ...errors() },
      },
    },
  },
  components: {
    schemas,
    parameters: {
      MonitorId: {
        name: 'id',
        in: 'path',
        required: true,
        description: 'The monitor id from monitors.yml.',
        schema: { type: 'string' },
      },
    },
    responses: {
      BadRequest: json(ref('Error'), 'A parameter is wrong; the message says which and why.'),
      NotFound: json(ref('Error'), 'No such monitor or route.'),
      InternalError: json(ref('Error'), 'Something failed on our side; the detail is in the log.'),
    },
  },
};
