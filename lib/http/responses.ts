import { createHash } from 'node:crypto';
import { STATUS_PAGE_CSS } from '../domain/status-page';

/** An HTTP answer; structurally an API Gateway payload v2 structured result. */
export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Headers on every answer of the API, whatever its status or type: `nosniff` keeps a browser from
 * taking a JSON error, a CSV or a badge for HTML or script. Every builder below goes through
 * `respond`, and the one error map (errors.ts) through buildJsonResponse, so none can miss them.
 */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
};

const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
};

/** How long browsers and shared caches may keep the badges and the public JSON answers. */
export const PUBLIC_MAX_AGE_SECONDS = 60;
const PUBLIC_CACHE_CONTROL = `public, max-age=${PUBLIC_MAX_AGE_SECONDS}`;

/**
 * The status page is never more than STATUS_PAGE_FRESHNESS_SECONDS (30 s) behind the API's JSON
 * answers (which are `no-store`): the function keeps it in memory for at most
 * STATUS_PAGE_CACHE_SECONDS (10 s, routes.ts), and browsers and shared caches may keep that answer
 * STATUS_PAGE_MAX_AGE_SECONDS (20 s) more. With the former 30 s in memory plus `max-age=60` a page
 * could say "Major outage" for 90 s after the API said UP again. A 10 s cache still serves a page
 * reloaded by many people from one set of table reads per warm instance.
 */
export const STATUS_PAGE_CACHE_SECONDS = 10;
export const STATUS_PAGE_MAX_AGE_SECONDS = 20;
export const STATUS_PAGE_FRESHNESS_SECONDS = STATUS_PAGE_CACHE_SECONDS + STATUS_PAGE_MAX_AGE_SECONDS;

/** The status page's policy: only its own style sheet, by its hash; no script, no other source, no inline style attribute. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STATUS_PAGE_CSS).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** A badge's policy: keeps an SVG opened on its own from running anything. */
export const BADGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** Every answer is built here: its own headers plus COMMON_HEADERS. */
function respond(statusCode: number, headers: Readonly<Record<string, string>>, body: string): ApiResponse {
  return { statusCode, headers: { ...headers, ...COMMON_HEADERS }, body };
}

/** A JSON answer; every JSON answer of the API, errors included, goes through here. */
export function buildJsonResponse(statusCode: number, body: unknown): ApiResponse {
  return respond(statusCode, JSON_HEADERS, JSON.stringify(body));
}

/** A JSON answer anyone may cache for a minute (the shields.io endpoint, the OpenAPI document). */
export function buildPublicJsonResponse(body: unknown): ApiResponse {
  return respond(200, { ...JSON_HEADERS, 'cache-control': PUBLIC_CACHE_CONTROL }, JSON.stringify(body));
}

/** The status page, under STATUS_PAGE_CSP, cacheable for STATUS_PAGE_MAX_AGE_SECONDS. */
export function buildHtmlResponse(html: string): ApiResponse {
  return respond(
    200,
    {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': `public, max-age=${STATUS_PAGE_MAX_AGE_SECONDS}`,
      'content-security-policy': STATUS_PAGE_CSP,
      'referrer-policy': 'no-referrer',
    },
    html,
  );
}

/** A badge, under BADGE_CSP. */
export function buildSvgResponse(svg: string): ApiResponse {
  return respond(
    200,
    { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': PUBLIC_CACHE_CONTROL, 'content-security-policy': BADGE_CSP },
    svg,
  );
}

/** Prometheus metrics as OpenMetrics text (`contentType` is the exposition's own, openmetrics.ts); never cached by others. */
export function buildMetricsResponse(text: string, contentType: string): ApiResponse {
  return respond(200, { 'content-type': contentType, 'cache-control': 'no-store' }, text);
}

/** A CSV download. */
export function buildCsvResponse(csv: string, filename: string): ApiResponse {
  return respond(
    200,
    {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'cache-control': 'no-store',
      'content-disposition': `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`,
    },
    csv,
  );
}
