import { describeSecretRef, isSecretRef, type SecretValue } from './secret-ref';
import { FAILURE_REASONS } from './run-results-codec';

/** What replaces each query value in logs and alerts. */
export const REDACTED = 'REDACTED';

/**
 * A monitor's URL as anyone may see it (JSON API, status page, badges): scheme, host, port and
 * path, without query string, fragment or user info, which may carry tokens. A URL held in a
 * secret reference is not shown at all (null): only the probe resolves it.
 */
export function publicUrl(url: SecretValue): string | null {
  if (isSecretRef(url)) return null;
  const parsed = parseUrl(url);
  if (parsed === undefined) return null;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/**
 * A monitor's URL for logs and alerts, which keep the detail: the URL with every query value
 * replaced by REDACTED (`?token=REDACTED&page=REDACTED`), without user info or fragment. A URL held
 * in a secret reference is named by its reference: `(secret ssm:/uptime/prod/api-url)`. A tcp:// or
 * dns:// URL is its host (and port).
 */
export function redactedUrl(url: SecretValue): string {
  if (isSecretRef(url)) return `(secret ${describeSecretRef(url)})`;
  const parsed = parseUrl(url);
  if (parsed !== undefined && (parsed.protocol === 'tcp:' || parsed.protocol === 'dns:')) return `${parsed.protocol}//${parsed.host}`;
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return '(not an http URL)';
  const names = [...new Set(parsed.searchParams.keys())];
  const query = names.length === 0 ? '' : `?${names.map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join('&')}`;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${query}`;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * A failure reason as anyone may see it: its category, with the status code for `http-status`
 * (`timeout`, `dns`, `http-status 503`, `body-mismatch`). The detail after the category (a JSON
 * value from the target's answer, an internal address in an error) stays in logs and alerts.
 * Reads the text `describeFailure` stores (`http-status: expected 200, got 503`).
 */
export function publicReason(text: string | null | undefined): string | null {
  if (text === null || text === undefined || text === '') return null;
  const category = text.split(':', 1)[0]?.trim() ?? '';
  if (!(FAILURE_REASONS as readonly string[]).includes(category)) return 'failed';
  if (category === 'http-status') {
    const status = /got (\d{3})$/.exec(text)?.[1];
    return status === undefined ? category : `${category} ${status}`;
  }
  return category;
}
