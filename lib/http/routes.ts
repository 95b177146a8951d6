import httpRouterHandler, { type Route } from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { ApiDeps } from '../app/api-deps';
import { getBadge, type BadgeKind } from '../app/badges';
import { loadMetrics } from '../app/metrics';
import {
  getDailyUptime,
  getHealth,
  getMonitor,
  getReport,
  getUptime,
  listMonitorIncidents,
  listMonitors,
  findMonitor,
} from '../app/monitor-queries';
import { loadStatusPage } from '../app/status-page';
import { renderBadgeSvg, toShieldsEndpoint } from '../domain/badge';
import { renderStatusPage } from '../domain/status-page';
import { UnknownRouteError } from './errors';
import { getOpenApiDocument } from './openapi';
import { OPENMETRICS_CONTENT_TYPE, renderOpenMetrics } from './openmetrics';
import {
  BadgeQuerySchema,
  chooseReportFormat,
  DailyQuerySchema,
  IncidentsQuerySchema,
  parseQuery,
  ReportQuerySchema,
  UptimeSelectionSchema,
  type QueryParameters,
} from './query';
import { renderReportCsv } from './report-csv';
import { ROUTE_KEYS, type RouteKey } from './route-keys';
import type { ResponseCache } from './response-cache';
import {
  buildCsvResponse,
  buildHtmlResponse,
  buildJsonResponse,
  buildMetricsResponse,
  buildPublicJsonResponse,
  buildSvgResponse,
  STATUS_PAGE_CACHE_SECONDS,
  STATUS_PAGE_FRESHNESS_SECONDS,
  type ApiResponse,
} from './responses';
import type {
  DailyUptimeBody,
  HealthBody,
  IncidentsBody,
  MonitorDetail,
  MonitorListBody,
  ReportBody,
  ShieldsEndpointBody,
  UptimeBody,
} from './schemas';

/** What the HTTP layer adds to the use cases' deps. */
export interface HttpOptions {
  /** Keeps the public answers (status page, badges) for a short while; none: every request reads the table. */
  responseCache?: ResponseCache;
  /** false: GET /metrics answers 404, as a route the API does not serve (the deploy parameter prometheus); served otherwise. */
  prometheus?: boolean;
}

/**
 * How long GET /metrics is kept in memory: a pair of Prometheus servers scraping the same API (the
 * usual high-availability setup) shares one set of table reads; seconds-in-status is then up to
 * this much behind.
 */
export const METRICS_CACHE_SECONDS = 10;

/** What a route needs from the request. */
interface ApiRequest {
  /** The `{id}` path parameter, percent-decoded; empty for a route without one. */
  monitorId: string;
  query: QueryParameters;
  /** Request headers, names in lower case (as API Gateway passes them). */
  headers: Readonly<Record<string, string | undefined>>;
}

type Serve = (deps: ApiDeps, request: ApiRequest, options: HttpOptions) => Promise<ApiResponse>;

const ok = <Body>(body: Body) => buildJsonResponse(200, body);

const SERVE: Readonly<Record<RouteKey, Serve>> = {
  // Kept STATUS_PAGE_CACHE_SECONDS in memory, then STATUS_PAGE_MAX_AGE_SECONDS by browsers: never
  // more than STATUS_PAGE_FRESHNESS_SECONDS behind the API (responses.ts), as the page's footer says.
  'GET /': (deps, _request, options) =>
    serveCached(
      deps,
      options,
      'status-page',
      async () => buildHtmlResponse(renderStatusPage({ ...(await loadStatusPage(deps)), freshnessSeconds: STATUS_PAGE_FRESHNESS_SECONDS })),
      STATUS_PAGE_CACHE_SECONDS * 1000,
    ),
  'GET /health': async () => ok<HealthBody>(await getHealth()),
  'GET /monitors': async (deps) => ok<MonitorListBody>(await listMonitors(deps)),
  'GET /monitors/{id}': async (deps, { monitorId }) => ok<MonitorDetail>(await getMonitor(deps, monitorId)),
  'GET /monitors/{id}/uptime': async (deps, { monitorId, query }) =>
    ok<UptimeBody>(await getUptime(deps, monitorId, parseMonitorQuery(deps, monitorId, UptimeSelectionSchema, query))),
  'GET /monitors/{id}/incidents': async (deps, { monitorId, query }) =>
    ok<IncidentsBody>(await listMonitorIncidents(deps, monitorId, parseMonitorQuery(deps, monitorId, IncidentsQuerySchema, query).limit)),
  'GET /monitors/{id}/daily': async (deps, { monitorId, query }) =>
    ok<DailyUptimeBody>(await getDailyUptime(deps, monitorId, parseMonitorQuery(deps, monitorId, DailyQuerySchema, query).days)),
  'GET /report': async (deps, { query, headers }) => {
    const { format, month } = parseQuery(ReportQuerySchema, query);
    const report: ReportBody = await getReport(deps, month);
    if (chooseReportFormat(format, headers.accept) === 'json') return ok(report);
    return buildCsvResponse(renderReportCsv(report), `uptime-report-${report.month}.csv`);
  },
  'GET /badges/{id}/status.svg': (deps, request, options) => serveBadgeSvg(deps, options, 'status', request),
  'GET /badges/{id}/uptime.svg': (deps, request, options) => serveBadgeSvg(deps, options, 'uptime', request),
  'GET /badges/{id}/response-time.svg': (deps, request, options) => serveBadgeSvg(deps, options, 'response-time', request),
  'GET /badges/{id}/certificate.svg': (deps, request, options) => serveBadgeSvg(deps, options, 'certificate', request),
  'GET /badges/{id}/uptime.json': (deps, { monitorId, query }, options) => {
    const { window } = parseMonitorQuery(deps, monitorId, BadgeQuerySchema, query);
    return serveCached(deps, options, `shield:uptime:${monitorId}:${window}`, async () => {
      const body: ShieldsEndpointBody = toShieldsEndpoint(await getBadge(deps, 'uptime', monitorId, window));
      return buildPublicJsonResponse(body);
    });
  },
  'GET /openapi.json': async () => buildPublicJsonResponse(getOpenApiDocument()),
  'GET /metrics': async (deps, _request, options) => {
    if (options.prometheus === false) throw new UnknownRouteError('GET /metrics');
    return serveCached(
      deps,
      options,
      'metrics',
      async () => buildMetricsResponse(await renderOpenMetrics(await loadMetrics(deps)), OPENMETRICS_CONTENT_TYPE),
      METRICS_CACHE_SECONDS * 1000,
    );
  },
};

/** A badge as SVG, kept for a short while. */
function serveBadgeSvg(deps: ApiDeps, options: HttpOptions, kind: BadgeKind, { monitorId, query }: ApiRequest): Promise<ApiResponse> {
  // The status and certificate badges have no window and ignore the parameter, as the status badge always has.
  const window = kind === 'status' || kind === 'certificate' ? undefined : parseMonitorQuery(deps, monitorId, BadgeQuerySchema, query).window;
  const key = `svg:${kind}:${monitorId}:${window ?? ''}`;
  return serveCached(deps, options, key, async () => buildSvgResponse(renderBadgeSvg(await getBadge(deps, kind, monitorId, window))));
}

/** The query of a route about one monitor, parsed once the monitor is known: an unknown one is a 404 whatever the query. */
function parseMonitorQuery<Schema extends z.ZodType>(deps: ApiDeps, monitorId: string, schema: Schema, query: QueryParameters): z.output<Schema> {
  findMonitor(deps.config, monitorId);
  return parseQuery(schema, query);
}

function serveCached(deps: ApiDeps, options: HttpOptions, key: string, create: () => Promise<ApiResponse>, ttlMs?: number): Promise<ApiResponse> {
  return options.responseCache ? options.responseCache.getOrCreate(key, deps.now().getTime(), create, ttlMs) : create();
}

/** An HTTP API (payload v2) handler: a request in, its answer out; throws for mapApiErrors to map. */
export type ApiRequestHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** The router over every route, serving from `deps`; an unknown method and path throws UnknownRouteError. */
export function createApiRouter(deps: ApiDeps, options: HttpOptions = {}): ApiRequestHandler {
  const routes = ROUTE_KEYS.map((routeKey): Route<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => {
    const [method, template] = routeKey.split(' ') as ['GET', string];
    // The router matches a path with `{…}` by a regular expression built from it, as written: its
    // dots are escaped so that `status.svg` matches only itself (bad-api-input.test.ts checks it).
    const path = template.includes('{') ? template.replaceAll('.', '\\.') : template;
    return { method, path, handler: async (event: APIGatewayProxyEventV2) => SERVE[routeKey](deps, toApiRequest(event, routeKey), options) };
  });
  const router = httpRouterHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
    routes,
    notFoundResponse: ({ method, path }) => {
      throw new UnknownRouteError(`${method.toUpperCase()} ${path}`);
    },
  });
  return async (event, context) => (await router(event, context)) as APIGatewayProxyStructuredResultV2;
}

/**
 * The route's view of the request. API Gateway fills `pathParameters` decoded when it matched the
 * route itself; when the router matched the raw path instead (a `$default` route, serverless-offline)
 * the segment is still percent-encoded, and is decoded here.
 */
function toApiRequest(event: APIGatewayProxyEventV2, routeKey: RouteKey): ApiRequest {
  const id = event.pathParameters?.id ?? '';
  return {
    monitorId: event.routeKey === routeKey ? id : decodePathSegment(id),
    query: event.queryStringParameters ?? {},
    headers: event.headers ?? {},
  };
}

/** A percent-decoded path segment; a malformed one is kept as it is (it then names no monitor). */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
