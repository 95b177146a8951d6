/**
 * The routes of the API. Each route key is written as serverless.yml declares it and API Gateway
 * reports it; @middy/http-router matches a request by method and path, which works the same for an
 * event of a declared route, of a `$default` route and under serverless-offline.
 */
export const ROUTE_KEYS = [
  'GET /',
  'GET /health',
  'GET /monitors',
  'GET /monitors/{id}',
  'GET /monitors/{id}/uptime',
  'GET /monitors/{id}/incidents',
  'GET /monitors/{id}/daily',
  'GET /report',
  'GET /badges/{id}/status.svg',
  'GET /badges/{id}/uptime.svg',
  'GET /badges/{id}/response-time.svg',
  'GET /badges/{id}/certificate.svg',
  'GET /badges/{id}/uptime.json',
  'GET /openapi.json',
  'GET /metrics',
] as const;
export type RouteKey = (typeof ROUTE_KEYS)[number];
