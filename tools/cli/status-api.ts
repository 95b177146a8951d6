/**
 * Where a stage's API is, and reading the monitors from it: GET /monitors, then each monitor's
 * GET /monitors/{id} (its last failure reason) and GET /monitors/{id}/uptime?window=24h.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mapWithConcurrency } from '../../lib/domain/concurrency';
import { MonitorDetailSchema, MonitorSummarySchema, UptimeSchema } from '../../lib/http/schemas';
import { z } from 'zod';
import type { StatusRow } from './status-table';

/** serverless.yml's service: the stack of stage S is `uptime-monitor-S`. */
const SERVICE = 'uptime-monitor';
/** The stack output osls writes for the HTTP API's endpoint (`sls info` prints it). */
const API_URL_OUTPUT = 'HttpApiUrl';
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * Requests in flight at once. The deployed API allows each route 10 requests a second (burst 20,
 * README, API): four at a time stays near that for a small stage, and a 429 is waited out below.
 */
const CONCURRENCY = 4;
const MAX_ATTEMPTS = 4;
const MAX_RETRY_WAIT_MS = 5_000;

/** Where the API is, as the lines say it. */
export interface ApiLocation {
  url: string;
  /** `local (npm start)`, `stage prod in eu-west-1`, or the URL given. */
  where: string;
  /** What to suggest when nothing answers there. */
  hint: string;
}

/** The API could not be found or read: one line saying why, exit code 1. */
export class StatusApiError extends Error {
  override readonly name = 'StatusApiError';
}

/** Reads a deployed stage's API URL from its stack's outputs, with the caller's AWS credentials. */
export async function findStageApi(stage: string, region: string, client: CloudFormationClient): Promise<ApiLocation> {
  const stackName = `${SERVICE}-${stage}`;
  let outputs: Array<{ OutputKey?: string; OutputValue?: string }>;
  try {
    const answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = answer.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    throw new StatusApiError(describeStackError(error, stackName, stage, region));
  }
  const url = outputs.find((output) => output.OutputKey === API_URL_OUTPUT)?.OutputValue;
  if (url === undefined || !URL.canParse(url)) {
    throw new StatusApiError(`stack ${stackName} in ${region} has no output ${API_URL_OUTPUT}: is its deployment finished? (npx sls info --stage ${stage} --region ${region})`);
  }
  const base = url.replace(/\/+$/, '');
  return { url: base, where: `stage ${stage} in ${region} (${base})`, hint: `is stage ${stage} deployed in ${region}? (--region)` };
}

/** A CloudFormation client for the region, with the SDK's credential chain and bounded waits. */
export function cloudFormationClient(region: string): CloudFormationClient {
  return new CloudFormationClient({ region, requestHandler: { connectionTimeout: 5_000, requestTimeout: REQUEST_TIMEOUT_MS } });
}

function describeStackError(error: unknown, stackName: string, stage: string, region: string): string {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  if (name === 'ValidationError' && /does not exist/.test(message)) return `no stack ${stackName} in ${region}: is stage ${stage} deployed there? (--region)`;
  if (name === 'CredentialsProviderError' || name === 'ExpiredTokenException' || name === 'UnrecognizedClientException' || name === 'InvalidClientTokenId') {
    return `${name}: ${message}: no valid AWS credentials to read stack ${stackName}; set AWS_PROFILE, or sign in (aws sso login, aws configure)`;
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return `${name}: ${message}: your AWS identity may not read stack ${stackName} (cloudformation:DescribeStacks); or give the API's URL with --url`;
  }
  return `cannot read stack ${stackName} in ${region}: ${name === '' ? message : `${name}: ${message}`}`;
}

// The API's own schemas (lib/http/schemas.ts), cut to the fields the table shows: a field a newer
// deployment adds is ignored rather than refused.
const MonitorsAnswer = z.strictObject({ monitors: z.array(MonitorSummarySchema.pick({ id: true, name: true, status: true, since: true, heldBy: true, maintenance: true }).strip()) });
const DetailAnswer = MonitorDetailSchema.pick({ lastFailureReason: true }).strip();
const UptimeAnswer = UptimeSchema.pick({ uptimePercent: true }).strip();

/** Every monitor the API lists, with its 24-hour uptime and last failure reason, in the API's order. */
export async function readStatusRows(api: ApiLocation): Promise<StatusRow[]> {
  const { monitors } = await getJson(api, '/monitors', MonitorsAnswer);
  return mapWithConcurrency(monitors, CONCURRENCY, async (monitor) => {
    const id = encodeURIComponent(monitor.id);
    const detail = await getJson(api, `/monitors/${id}`, DetailAnswer);
    const uptime = await getJson(api, `/monitors/${id}/uptime?window=24h`, UptimeAnswer);
    return { ...monitor, lastFailureReason: detail.lastFailureReason, uptimePercent: uptime.uptimePercent };
  });
}

async function getJson<T>(api: ApiLocation, route: string, schema: z.ZodType<T>): Promise<T> {
  const target = `${api.url}${route}`;
  for (let attempt = 1; ; attempt += 1) {
    let response: Response;
    try {
      response = await fetch(target, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw new StatusApiError(`cannot reach the API at ${api.url} (${describeFetchError(error)}): ${api.hint}`);
    }
    const text = await response.text().catch(() => '');
    if (response.status === 429 && attempt < MAX_ATTEMPTS) {
      await sleep(retryWaitMs(response.headers.get('retry-after'), attempt));
      continue;
    }
    if (!response.ok) throw new StatusApiError(`GET ${target} answered HTTP ${response.status}${describeErrorBody(text)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new StatusApiError(`GET ${target} did not answer JSON: is ${api.url} the uptime monitor's API?`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : 'the body';
      throw new StatusApiError(`GET ${target} did not answer as the uptime monitor's API does (${field}: ${issue?.message ?? 'invalid'})`);
    }
    return parsed.data;
  }
}

/** The API's error message (`{"error":{"message"}}`, or API Gateway's `{"message"}`), when it gives one. */
function describeErrorBody(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown }; message?: unknown };
    const message = body.error?.message ?? body.message;
    return typeof message === 'string' ? `: ${message.split('\n')[0]?.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

/**
 * `ECONNREFUSED`, `ENOTFOUND`, `no answer within 10 s`: what fetch's error says about the
 * connection. fetch wraps the socket's error as its cause; the chain is walked by shape, not with
 * instanceof, as an error made in another realm (a test's sandbox) is no Error of this one.
 */
function describeFetchError(error: unknown): string {
  if (isErrorLike(error) && error.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  let last: string | undefined;
  for (let current: unknown = error, depth = 0; isErrorLike(current) && depth < 4; current = current.cause, depth += 1) {
    if (typeof current.code === 'string') return current.code;
    if (typeof current.message === 'string' && current.message !== '') last = current.message.split('\n')[0];
  }
  return last ?? String(error);
}

function isErrorLike(value: unknown): value is { name?: unknown; message?: unknown; code?: unknown; cause?: unknown } {
  return typeof value === 'object' && value !== null;
}

/** Retry-After in seconds when the answer gives it, else 0.5 s, 1 s, 2 s; never more than 5 s. */
function retryWaitMs(retryAfter: string | null, attempt: number): number {
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  const wanted = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 500 * 2 ** (attempt - 1);
  return Math.min(wanted, MAX_RETRY_WAIT_MS);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
