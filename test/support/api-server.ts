import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiDeps } from '../../lib/app/api-deps';
import { mapApiErrors } from '../../lib/http/errors';
import { createApiRouter } from '../../lib/http/routes';
import { createHttpApiEvent, createLambdaContext } from '../fixtures/http-api-event';

export interface RunningApi {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/**
 * The API function on 127.0.0.1, as API Gateway would run it behind a `$default` route: each HTTP
 * request becomes a payload 2.0 event, goes through the real routing and error middleware
 * (createApiRouter and mapApiErrors from lib/http), and the structured result is sent back.
 */
export async function startApiServer(deps: ApiDeps): Promise<RunningApi> {
  const logger = new Logger({ serviceName: 'api-server', logLevel: 'SILENT' });
  const invoke = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(mapApiErrors(logger))
    .handler(createApiRouter(deps));

  const server = createServer((request, response) => {
    const event = toHttpApiEvent(request);
    invoke(event, createLambdaContext())
      .then((result) => {
        const body = result.body ?? '';
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
        response.writeHead(result.statusCode ?? 200, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
        response.end(request.method === 'HEAD' ? undefined : body);
      })
      .catch((error: unknown) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`the handler threw: ${String(error)}`);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A node request as API Gateway hands it to Lambda: raw path and query as sent, header names in lower case. */
function toHttpApiEvent(request: IncomingMessage): APIGatewayProxyEventV2 {
  const target = request.url ?? '/';
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return createHttpApiEvent(rawPath, {
    method: request.method ?? 'GET',
    rawQueryString: queryAt === -1 ? '' : target.slice(queryAt + 1),
    headers,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
  });
}
