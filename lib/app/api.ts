import { BadRequestError, UnknownMonitorError, UnknownRouteError } from '../domain/errors';
import type { StateStore } from '../domain/ports';
import type { Expectations, MonitorConfig, MonitorsConfig, MonitorStatus, RunSummary } from '../domain/types';
import {
  computeUptime,
  listIncidents,
  parseIncidentLimit,
  resolveWindow,
  type Incident,
  type TimeWindow,
} from '../domain/uptime';

/** What the API's logic needs: the store, the validated monitors file and a clock. */
export interface ApiDeps {
  store: StateStore;
  config: MonitorsConfig;
  now: () => Date;
}

/** Query string parameters as API Gateway hands them over (decoded; repeated ones joined by commas). */
export type QueryParameters = Readonly<Record<string, string | undefined>>;

export interface HealthBody {
  status: 'UP';
}

export interface MonitorSummary {
  id: string;
  name: string;
  url: string;
  status: MonitorStatus;
  /** When the current status began; null for a monitor never checked. */
  since: string | null;
  /** When the latest run that checked this monitor started; null when that run did not check it. */
  lastCheckedAt: string | null;
}

export interface LastResult {
  ok: boolean;
  latencyMs: number;
  statusCode: number | null;
  reason: string | null;
  /** When the run that made the check started. */
  checkedAt: string;
}

/**
 * One monitor in detail: its configuration (without headers or notification recipients, which may
 * hold secrets or personal addresses), its state and its last result.
 */
export interface MonitorDetail extends MonitorSummary {
  method: string;
  intervalMs: number;
  timeoutMs: number;
  failureThreshold: number;
  successThreshold: number;
  expect: Expectations;
  failuresInRow: number;
  successesInRow: number;
  /** The reason of the last failed check, null when none is known. */
  lastFailureReason: string | null;
  lastResult: LastResult | null;
}

export interface UptimeBody {
  monitorId: string;
  window: TimeWindow;
  uptimePercent: number | null;
  downtimeSeconds: number;
  outages: number;
  longestOutageSeconds: number;
  mttrSeconds: number | null;
}

export interface IncidentsBody {
  monitorId: string;
  incidents: Incident[];
}

/** `GET /health`: the API answers. It touches nothing else, so it is cheap to poll. */
export async function getHealth(): Promise<HealthBody> {
  return { status: 'UP' };
}

/** `GET /monitors`: every configured monitor, in the file's order, with its status. */
export async function listMonitors(deps: ApiDeps): Promise<{ monitors: MonitorSummary[] }> {
  const [states, latestRun] = await Promise.all([
    deps.store.loadStates(),
    deps.store.latestRunSummary(deps.now().toISOString()),
  ]);
  return {
    monitors: deps.config.monitors.map((monitor) => {
      const state = states.get(monitor.id);
      return {
        id: monitor.id,
        name: monitor.name,
        url: monitor.url,
        status: state?.status ?? 'UNKNOWN',
        since: state?.since ?? null,
        lastCheckedAt: latestRun?.results[monitor.id] ? latestRun.startedAt : null,
      };
    }),
  };
}

/** `GET /monitors/{id}`: one monitor's configuration, state, counters and last result. */
export async function getMonitor(deps: ApiDeps, monitorId: string): Promise<MonitorDetail> {
  const monitor = findMonitor(deps.config, monitorId);
  const [state, latestRun] = await Promise.all([
    deps.store.loadState(monitor.id),
    deps.store.latestRunSummary(deps.now().toISOString()),
  ]);
  const lastResult = describeLastResult(latestRun, monitor.id);
  return {
    id: monitor.id,
    name: monitor.name,
    url: monitor.url,
    method: monitor.method,
    intervalMs: monitor.intervalMs,
    timeoutMs: monitor.timeoutMs,
    failureThreshold: monitor.failureThreshold,
    successThreshold: monitor.successThreshold,
    expect: monitor.expect,
    status: state?.status ?? 'UNKNOWN',
    since: state?.since ?? null,
    failuresInRow: state?.failuresInRow ?? 0,
    successesInRow: state?.successesInRow ?? 0,
    lastFailureReason: state?.lastFailureReason ?? null,
    lastCheckedAt: lastResult?.checkedAt ?? null,
    lastResult,
  };
}

/** `GET /monitors/{id}/uptime?window=…` or `?from=…&to=…`: time-based uptime over the window. */
export async function getUptime(deps: ApiDeps, monitorId: string, query: QueryParameters): Promise<UptimeBody> {
  const monitor = findMonitor(deps.config, monitorId);
  const now = deps.now().toISOString();
  const window = resolveWindow({ window: query.window, from: query.from, to: query.to }, now);
  const transitions = await deps.store.listTransitions(monitor.id);
  const report = computeUptime(transitions, window, now);
  return {
    monitorId: monitor.id,
    window,
    uptimePercent: report.uptimePercent,
    downtimeSeconds: report.downtimeSeconds,
    outages: report.outages,
    longestOutageSeconds: report.longestOutageSeconds,
    mttrSeconds: report.mttrSeconds,
  };
}

/** `GET /monitors/{id}/incidents?limit=N`: the newest outages first, 20 by default, at most 100. */
export async function listMonitorIncidents(
  deps: ApiDeps,
  monitorId: string,
  query: QueryParameters,
): Promise<IncidentsBody> {
  const monitor = findMonitor(deps.config, monitorId);
  const limit = parseIncidentLimit(query.limit);
  const transitions = await deps.store.listTransitions(monitor.id);
  return { monitorId: monitor.id, incidents: listIncidents(transitions, deps.now().toISOString(), limit) };
}

function findMonitor(config: MonitorsConfig, monitorId: string): MonitorConfig {
  const monitor = config.monitors.find((candidate) => candidate.id === monitorId);
  if (!monitor) throw new UnknownMonitorError(monitorId);
  return monitor;
}

function describeLastResult(run: RunSummary | undefined, monitorId: string): LastResult | null {
  const result = run?.results[monitorId];
  if (!run || !result) return null;
  return {
    ok: result.ok,
    latencyMs: result.latencyMs,
    statusCode: result.statusCode ?? null,
    reason: result.reason ?? null,
    checkedAt: run.startedAt,
  };
}

/** An HTTP answer with a JSON body; structurally an API Gateway payload v2 structured result. */
export interface JsonResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type ErrorCode = 'bad_request' | 'not_found' | 'internal';

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
};

/** A JSON answer; every answer of the API goes through here. */
export function buildJsonResponse(statusCode: number, body: unknown): JsonResponse {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

/**
 * The one map from a thrown error to an HTTP answer: a bad parameter is a 400 and an unknown monitor
 * or route a 404, both with their message; anything else is a 500 that says only "internal error"
 * (the detail belongs in the log, never in the response).
 */
export function mapErrorToResponse(error: unknown): JsonResponse {
  if (error instanceof BadRequestError) return buildErrorResponse(400, 'bad_request', error.message);
  if (error instanceof UnknownMonitorError || error instanceof UnknownRouteError) {
    return buildErrorResponse(404, 'not_found', error.message);
  }
  return buildErrorResponse(500, 'internal', 'internal error');
}

function buildErrorResponse(statusCode: number, code: ErrorCode, message: string): JsonResponse {
  const body: ErrorBody = { error: { code, message } };
  return buildJsonResponse(statusCode, body);
}
