import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDbStateStore } from '../lib/adapters/dynamodb-state-store';
import {
  buildJsonResponse,
  getHealth,
  getMonitor,
  getUptime,
  listMonitorIncidents,
  listMonitors,
  mapErrorToResponse,
  type ApiDeps,
  type QueryParameters,
} from '../lib/app/api';
import { readFunctionEnvironment } from '../lib/config/environment';
import { loadMonitorsConfig } from '../lib/config/monitors';
import { UnknownRouteError } from '../lib/domain/errors';

export type { ApiDeps } from '../lib/app/api';

interface Route {
  /** The route key as serverless.yml declares it and API Gateway reports it. */
  routeKey: string;
  method: string;
  /** Matches the raw path when no real route key is given; group 1 is the monitor id. */
  path: RegExp;
  serve(deps: ApiDeps, monitorId: string, query: QueryParameters): Promise<unknown>;
}

const ROUTES: readonly Route[] = [
  { routeKey: 'GET /health', method: 'GET', path: /^\/health$/, serve: () => getHealth() },
  { routeKey: 'GET /monitors', method: 'GET', path: /^\/monitors$/, serve: (deps) => listMonitors(deps) },
  {
    routeKey: 'GET /monitors/{id}',
    method: 'GET',
    path: /^\/monitors\/([^/]+)$/,
    serve: (deps, id) => getMonitor(deps, id),
  },
  {
    routeKey: 'GET /monitors/{id}/uptime',
    method: 'GET',
    path: /^\/monitors\/([^/]+)\/uptime$/,
    serve: (deps, id, query) => getUptime(deps, id, query),
  },
  {
    routeKey: 'GET /monitors/{id}/incidents',
    method: 'GET',
    path: /^\/monitors\/([^/]+)\/incidents$/,
    serve: (deps, id, query) => listMonitorIncidents(deps, id, query),
  },
];

/** Serves one HTTP API (payload v2) request; throws the domain's errors for the error middleware to map. */
export async function handleApiRequest(
  event: APIGatewayProxyEventV2,
  deps: ApiDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const { route, monitorId } = matchRoute(event);
  const body = await route.serve(deps, monitorId, event.queryStringParameters ?? {});
  return buildJsonResponse(200, body);
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
    apiDeps = {
      store: new DynamoDbStateStore({ client: new DynamoDBClient({}), tableName: environment.tableName }),
      config: loadMonitorsConfig(environment.monitorsFile),
      now: () => new Date(),
    };
  }
  return apiDeps;
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger))
  .use(mapApiErrors(logger))
  .handler((event) => handleApiRequest(event, loadApiDeps()));
