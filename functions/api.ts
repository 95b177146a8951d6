import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createDynamoDbStores } from '../lib/adapters/dynamodb-stores';
import { readApiEnvironment } from '../lib/config/environment';
import { loadMonitorsConfig } from '../lib/config/monitors';
import { mapApiErrors } from '../lib/http/errors';
import { ResponseCache } from '../lib/http/response-cache';
import { createApiRouter, type ApiRequestHandler } from '../lib/http/routes';

const logger = new Logger();
let router: ApiRequestHandler | undefined;

/**
 * The router over the adapters, built once, on the first request (so that importing this module
 * reads no environment), from the validated environment and monitors file.
 */
function loadRouter(): ApiRequestHandler {
  if (!router) {
    const environment = readApiEnvironment();
    const client = new DynamoDBClient({});
    const { states, transitions, runs, rollups, maintenance } = createDynamoDbStores({ client, tableName: environment.tableName });
    const deps = {
      states,
      transitions,
      runs,
      rollups,
      maintenance,
      config: loadMonitorsConfig(environment.monitorsFile),
      now: () => new Date(),
    };
    router = createApiRouter(deps, { responseCache: new ResponseCache(), prometheus: environment.prometheus });
  }
  return router;
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger))
  .use(mapApiErrors(logger))
  .handler((event, context) => loadRouter()(event, context));
