import type { CheckResult, Expectations, FailureReason, ProbeOutcome } from './types';

/** The longest value echoed from the target (or the config) into a failure message. */
const MAX_ECHO_CHARS = 100;

type ResponseOutcome = Extract<ProbeOutcome, { kind: 'response' }>;

/**
 * Judges one probe outcome against a monitor's expectations. Pure. The expectations are an HTTP
 * monitor's: a tcp or dns outcome that is not an error is a success.
 *
 * The checks run in a fixed order and the first one that fails names the reason: a network error,
 * then the status code, the JSON paths, the body substring and last the response time (a slow
 * answer that is also wrong is reported as wrong).
 */
export function evaluateResult(expect: Expectations, outcome: ProbeOutcome, checkedAt: string): CheckResult {
  if (outcome.kind === 'error') {
    return {
      ok: false,
      checkedAt,
      latencyMs: outcome.latencyMs,
      reason: outcome.reason,
      message: truncateText(outcome.message),
    };
  }
  // A TCP connection made, or a DNS answer the prober found every expected value in: the HTTP
  // expectations (status 200 by default) do not apply to them.
  if (outcome.kind === 'connected' || outcome.kind === 'answered') {
    return { ok: true, checkedAt, latencyMs: outcome.latencyMs };
  }
  const failure = findResponseFailure(expect, outcome);
  if (failure) {
    return {
      ok: false,
      checkedAt,
      latencyMs: outcome.latencyMs,
      statusCode: outcome.statusCode,
      reason: failure.reason,
      message: failure.message,
    };
  }
  return { ok: true, checkedAt, latencyMs: outcome.latencyMs, statusCode: outcome.statusCode };
}

interface Failure {
  reason: FailureReason;
  message: string;
}

function findResponseFailure(expect: Expectations, outcome: ResponseOutcome): Failure | undefined {
  if (!expect.status.includes(outcome.statusCode)) {
    return { reason: 'http-status', message: `expected ${formatStatuses(expect.status)}, got ${outcome.statusCode}` };
  }
  if (expect.json !== undefined) {
    const failure = checkJson(expect.json, outcome);
    if (failure) return failure;
  }
  if (expect.bodyContains !== undefined && !outcome.body.includes(expect.bodyContains)) {
    const cut = outcome.bodyTruncated ? ` in the first ${outcome.body.length} characters read` : '';
    return {
      reason: 'body-mismatch',
      message: `body does not contain ${formatValue(expect.bodyContains)}${cut}`,
    };
  }
  if (expect.maxResponseTimeMs !== undefined && outcome.latencyMs > expect.maxResponseTimeMs) {
    return {
      reason: 'too-slow',
      message: `took ${Math.round(outcome.latencyMs)} ms, limit ${expect.maxResponseTimeMs} ms`,
    };
  }
  return undefined;
}

function checkJson(expected: Record<string, unknown>, outcome: ResponseOutcome): Failure | undefined {
  let document: unknown;
  try {
    document = JSON.parse(outcome.body);
  } catch {
    // A content type that is not JSON says why: an HTML error page, a proxy's or a login page.
    const message = outcome.bodyTruncated
      ? 'body is not valid JSON (it was truncated at the size cap)'
      : outcome.contentType !== undefined && !/json/i.test(outcome.contentType)
        ? truncateText(`body is not valid JSON (content type ${outcome.contentType})`)
        : 'body is not valid JSON';
    return { reason: 'invalid-json', message };
  }
  for (const [path, want] of Object.entries(expected)) {
    const found = resolvePath(document, path);
    if (!found.exists) {
      return { reason: 'body-mismatch', message: `${truncateText(path)}: expected ${formatValue(want)}, got nothing` };
    }
    if (!isDeepEqual(found.value, want)) {
      return {
        reason: 'body-mismatch',
        message: `${truncateText(path)}: expected ${formatValue(want)}, got ${formatValue(found.value)}`,
      };
    }
  }
  return undefined;
}

type Resolved = { exists: true; value: unknown } | { exists: false };

/**
 * Follows a dotted path (`data.state`, `components.0.status`) into a parsed JSON document. A
 * segment that is a non-negative integer indexes an array; on an object every segment is a key.
 * Only own properties count, so `constructor` or `__proto__` never reach the prototype.
 */
function resolvePath(document: unknown, path: string): Resolved {
  let current: unknown = document;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(segment)) return { exists: false };
      const index = Number(segment);
      if (index >= current.length) return { exists: false };
      current = current[index];
    } else if (isPlainObject(current)) {
      if (!Object.hasOwn(current, segment)) return { exists: false };
      current = current[segment];
    } else {
      return { exists: false };
    }
  }
  return { exists: true, value: current };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON-like values: arrays by position, objects by the same set of keys. */
function isDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => isDeepEqual(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && isDeepEqual(a[key], b[key]));
  }
  return false;
}

function formatStatuses(statuses: number[]): string {
  if (statuses.length === 0) return 'no status';
  if (statuses.length === 1) return String(statuses[0]);
  return `one of ${statuses.join(', ')}`;
}

function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // A bigint or a cycle: only possible in a hand-built expectation, never in parsed JSON.
  }
  return truncateText(text ?? String(value));
}

function truncateText(text: string): string {
  return text.length <= MAX_ECHO_CHARS ? text : `${text.slice(0, MAX_ECHO_CHARS - 1)}…`;
}
