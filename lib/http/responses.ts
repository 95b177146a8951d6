import { createHash } from 'node:crypto';
import { STATUS_PAGE_CSS } from '../domain/status-page';

/** An HTTP answer; structurally an API Gateway payload v2 structured result. */
export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
};

/** How long browsers and shared caches may keep the public answers: the status page and the badges. */
export const PUBLIC_MAX_AGE_SECONDS = 60;
const PUBLIC_CACHE_CONTROL = `public, max-age=${PUBLIC_MAX_AGE_SECONDS}`;

/** The status page's policy: only its own style sheet, by its hash; no script, no other source, no inline style attribute. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STATUS_PAGE_CSS).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** A badge's policy: keeps an SVG opened on its own from running anything. */
export const BADGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** A JSON answer; every JSON answer of the API goes through here. */
export function buildJsonResponse(statusCode: number, body: unknown): ApiResponse {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

/** A JSON answer anyone may cache for a minute (the shields.io endpoint, the OpenAPI document). */
export function buildPublicJsonResponse(body: unknown): ApiResponse {
  return { statusCode: 200, headers: { ...JSON_HEADERS, 'cache-control': PUBLIC_CACHE_CONTROL }, body: JSON.stringify(body) };
}

/** The status page, under STATUS_PAGE_CSP. */
export function buildHtmlResponse(html: string): ApiResponse {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': PUBLIC_CACHE_CONTROL,
      'content-security-policy': STATUS_PAGE_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    body: html,
  };
}

/** A badge, under BADGE_CSP. */
export function buildSvgResponse(svg: string): ApiResponse {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'image/svg+xml; charset=utf-8',
      'cache-control': PUBLIC_CACHE_CONTROL,
      'content-security-policy': BADGE_CSP,
      'x-content-type-options': 'nosniff',
    },
    body: svg,
  };
}

/** A CSV download. */
export function buildCsvResponse(csv: string, filename: string): ApiResponse {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'cache-control': 'no-store',
      'content-disposition': `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`,
    },
    body: csv,
  };
}
