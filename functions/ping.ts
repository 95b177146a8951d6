import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createSecretResolver } from '../lib/adapters/secret-resolvers';
import { DynamoDbHeartbeatStore } from '../lib/adapters/dynamodb-heartbeat-store';
import { recordPing, type PingDeps } from '../lib/app/ping';
import { readPingEnvironment } from '../lib/config/environment';
import { loadMonitorsConfig } from '../lib/config/monitors';
import { UnknownPingTokenError } from '../lib/domain/errors';
import { mapErrorToResponse } from '../lib/http/errors';
import { buildJsonResponse } from '../lib/http/responses';

const logger = new Logger({ serviceName: 'uptime-monitor' });
let deps: PingDeps | undefined;

/** Built once per container, on the first ping: a bad environment or monitors file fails it loudly. */
function createDeps(): PingDeps {
  const env = readPingEnvironment();
  return {
    monitors: loadMonitorsConfig(env.MONITORS_FILE).monitors,
    // Tokens given as references, resolved at the first ping, then as they expire (5 minutes).
    secrets: createSecretResolver(env, logger),
    recorder: new DynamoDbHeartbeatStore({ client: new DynamoDBClient({}), tableName: env.TABLE_NAME }),
    now: () => new Date(),
    logger,
  };
}

/**
 * `GET|POST /ping/{token}` (the job ran) and `/ping/{token}/fail` (it failed): 200 once recorded,
 * 404 for any token no heartbeat monitor has. The token is never echoed nor logged.
 */
export async function handlePing(event: APIGatewayProxyEventV2, pingDeps: PingDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const token = event.pathParameters?.token;
  if (token === undefined || token === '') throw new UnknownPingTokenError();
  const kind = event.rawPath.endsWith('/fail') ? 'fail' : 'ok';
  // Compared as sent: a token is [A-Za-z0-9_-] only, so any escape at all makes it unknown (never a 500).
  const ping = await recordPing(token, kind, pingDeps);
  pingDeps.logger.info('ping recorded', { monitorId: ping.monitorId, kind: ping.kind, at: ping.at });
  return buildJsonResponse(200, { ok: true, kind });
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger))
  .use({
    // The one error map (lib/http/errors.ts); the log names the route, never the path (it holds the token).
    onError: (request) => {
      const response = mapErrorToResponse(request.error);
      if (response.statusCode >= 500) logger.error('ping failed', { routeKey: request.event.routeKey, error: request.error ?? undefined });
      else logger.info('ping refused', { routeKey: request.event.routeKey, statusCode: response.statusCode });
      request.response = response;
    },
  })
  .handler((event) => handlePing(event, (deps ??= createDeps())));
