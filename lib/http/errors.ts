import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { FutureMonthError, UnknownMonitorError, UnknownPingTokenError } from '../domain/errors';
import { buildJsonResponse, type ApiResponse } from './responses';
import type { ErrorBody, ErrorCode } from './schemas';

/** A request the caller got wrong: a bad query parameter. */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

/** A method and path the API does not serve. */
export class UnknownRouteError extends Error {
  override readonly name = 'UnknownRouteError';
  constructor(readonly route: string, options?: ErrorOptions) {
    super(`no route ${route}`, options);
  }
}

/**
 * The one map from a thrown error to an HTTP answer: a bad parameter (or a month not begun) is a 400
 * and an unknown monitor or route a 404, both with their message; anything else is a 500 that says
 * only "internal error" (the detail belongs in the log, never in the response).
 */
export function mapErrorToResponse(error: unknown): ApiResponse {
  if (error instanceof BadRequestError || error instanceof FutureMonthError) return buildErrorResponse(400, 'bad_request', error.message);
  if (error instanceof UnknownMonitorError || error instanceof UnknownRouteError || error instanceof UnknownPingTokenError) {
    return buildErrorResponse(404, 'not_found', error.message);
  }
  return buildErrorResponse(500, 'internal', 'internal error');
}

function buildErrorResponse(statusCode: number, code: ErrorCode, message: string): ApiResponse {
  const body: ErrorBody = { error: { code, message } };
  return buildJsonResponse(statusCode, body);
}

/**
 * Middleware: maps any error to its HTTP answer (see mapErrorToResponse) and logs it: a server error
 * with its stack, a refused request briefly.
 */
export function mapApiErrors(log: Logger): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
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
