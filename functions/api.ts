import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDbRunRollupStore } from '../lib/adapters/dynamodb-run-rollup-store';
import { DynamoDbStateStore } from '../lib/adapters/dynamodb-state-store';
import {
  buildCsvResponse,
  buildJsonResponse,
  buildPublicJsonResponse,
  chooseReportFormat,
  getDailyUptime,
  getHealth,
  getMonitor,
  getReport,
  getUptime,
  listMonitorIncidents,
  listMonitors,
  mapErrorToResponse,
  renderReportCsv,
  type ApiDeps,
  type ApiResponse,
  type QueryParameters,
} from '../lib/app/api';
import { serveBadgeSvg, serveUptimeShield } from '../lib/app/badges';
import { OPENAPI_DOCUMENT } from '../lib/app/openapi';
import { ResponseCache } from '../lib/app/response-cache';
import { serveStatusPage } from '../lib/app/status-page';
import { readFunctionEnvironment } from '../lib/config/environment';
import { loadMonitorsConfig } from '../lib/config/monitors';
import { UnknownRouteError } from '../lib/domain/errors';

export type { ApiDeps } from '../lib/app/api';

/** What a route needs from the request. */
interface ApiRequest {
  /** The `{id}` path parameter, percent-decoded; empty for a route without one. */
  monitorId: string;
  query: QueryParameters;
  /** Request headers, names in lower case (as API Gateway passes them). */
  headers: Readonly<Record<string, string | undefined>>;
}

interface Route {
  /** The route key as serverless.yml declares it and API Gateway reports it. */
  routeKey: string;
  method: string;
  /** Matches the raw path when no real route key is given; group 1 is the monitor id. */
  path: RegExp;
  serve(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse>;
}

const ok = (body: unknown) => buildJsonResponse(200, body);

const ROUTES: readonly Route[] = [
  { routeKey: 'GET /', method: 'GET', path: /^\/$/, serve: (deps) => serveStatusPage(deps) },
  { routeKey: 'GET /health', method: 'GET', path: /^\/health$/, serve: async () => ok(await getHealth()) },
  { routeKey: 'GET /monitors', method: 'GET', path: /^\/monitors$/, serve: async (deps) => ok(await listMonitors(deps)) },
  {
    routeKey: 'GET /monitors/{id}',
    method: 'GET',
    path: /^\/monitors\/([^/]+)$/,
    serve: async (deps, { monitorId }) => ok(await getMonitor(deps, monitorId)),
  },
  {
    routeKey: 'GET /monitors/{id}/uptime',
    method: 'GET',
    path: /^\/monitors\/([^/]+)\/uptime$/,
    serve: async (deps, { monitorId, query }) => ok(await getUptime(deps, monitorId, query)),
  },
  {
    routeKey: 'GET /monitors/{id}/incidents',
    method: 'GET',
    path: /^\/monitors\/([^/]+)\/incidents$/,
    serve: async (deps, { monitorId, query }) => ok(await listMonitorIncidents(deps, monitorId, query)),
  },
  {
    routeKey: 'GET /monitors/{id}/daily',
    method: 'GET',
    path: /^\/monitors\/([^/]+)\/daily$/,
    serve: async (deps, { monitorId, query }) => ok(await getDailyUptime(deps, monitorId, query)),
  },
  {
    routeKey: 'GET /report',
    method: 'GET',
    path: /^\/report$/,
    serve: async (deps, { query, headers }) => {
      const format = chooseReportFormat(query, headers.accept);
      const report = await getReport(deps, query);
      return format === 'csv' ? buildCsvResponse(renderReportCsv(report), `uptime-report-${report.month}.csv`) : ok(report);
    },
  },
  {
    routeKey: 'GET /badges/{id}/status.svg',
    method: 'GET',
    path: /^\/badges\/([^/]+)\/status\.svg$/,
    serve: (deps, { monitorId, query }) => serveBadgeSvg(deps, 'status', monitorId, query),
  },
  {
    routeKey: 'GET /badges/{id}/uptime.svg',
    method: 'GET',
    path: /^\/badges\/([^/]+)\/uptime\.svg$/,
    serve: (deps, { monitorId, query }) => serveBadgeSvg(deps, 'uptime', monitorId, query),
  },
  {
    routeKey: 'GET /badges/{id}/response-time.svg',
    method: 'GET',
    path: /^\/badges\/([^/]+)\/response-time\.svg$/,
    serve: (deps, { monitorId, query }) => serveBadgeSvg(deps, 'response-time', monitorId, query),
  },
  {
    routeKey: 'GET /badges/{id}/uptime.json',
    method: 'GET',
    path: /^\/badges\/([^/]+)\/uptime\.json$/,
    serve: (deps, { monitorId, query }) => serveUptimeShield(deps, monitorId, query),
  },
  {
    routeKey: 'GET /openapi.json',
    method: 'GET',
    path: /^\/openapi\.json$/,
    serve: async () => buildPublicJsonResponse(OPENAPI_DOCUMENT),
  },
];

/** The route keys this handler serves, as serverless.yml must declare them. */
export const ROUTE_KEYS: readonly string[] = ROUTES.map((route) => route.routeKey);

/** Serves one HTTP API (payload v2) request; throws the domain's errors for the error middleware to map. */
export async function handleApiRequest(
  event: APIGatewayProxyEventV2,
  deps: ApiDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const { route, monitorId } = matchRoute(event);
  return route.serve(deps, { monitorId, query: event.queryStringParameters ?? {}, headers: event.headers ?? {} });
}

/**
 * Finds the route by the event's route key when API Gateway matched one of ours, else by method and
 * raw path (a `$default` or catch-all route, serverless-offline).
 */
function matchRoute(event: APIGatewayProxyEventV2): { route: Route; monitorId: string } {
  const byKey = ROUTES.find((route) => route.routeKey === event.routeKey);
  const pathId = event.pathParameters?.id;
  if (byKey && (pathId !== undefined || !byKey.routeKey.includes('{id}'))) {
    return { route: byKey, monitorId: pathId ?? '' };
  }
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.length > 1 ? event.rawPath.replace(/\/$/, '') : event.rawPath;
  for (const route of ROUTES) {
    const match = route.method === method ? route.path.exec(path) : null;
    if (match) return { route, monitorId: decodePathSegment(match[1] ?? '') };
  }
  throw new UnknownRouteError(`${method} ${event.rawPath}`);
}

/** A percent-decoded path segment; a malformed one is kept as it is (it then names no monitor). */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Maps any error to its HTTP answer (see mapErrorToResponse) and logs it: a server error with its
 * stack, a refused request briefly.
 */
export function mapApiErrors(
  log: Logger,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const response = mapErrorToResponse(request.error);
      const route = { routeKey: request.event.routeKey, method: request.event.requestContext.http.method, path: request.event.rawPath };
      if (response.statusCode >= 500) {
        log.error('API request failed', { ...route, statusCode: response.statusCode, error: normalizeError(request.error) });
      } else {
        log.info('API request refused', { ...route, statusCode: response.statusCode, reason: request.error?.message });
      }
      request.response = response;
    },
  };
}

function normalizeError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

const logger = new Logger();
let apiDeps: ApiDeps | undefined;

/** Builds the adapters once, on the first request, from the validated environment and monitors file. */
function loadApiDeps(): ApiDeps {
  if (!apiDeps) {
    const environment = readFunctionEnvironment();
    const client = new DynamoDBClient({});
    apiDeps = {
      store: new DynamoDbStateStore({ client, tableName: environment.tableName }),
      rollups: new DynamoDbRunRollupStore({ client, tableName: environment.tableName }),
      config: loadMonitorsConfig(environment.monitorsFile),
      now: () => new Date(),
      responseCache: new ResponseCache(),
    };
  }
  return apiDeps;
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger))
  .use(mapApiErrors(logger))
  .handler((event) => handleApiRequest(event, loadApiDeps()));
