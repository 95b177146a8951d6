import { renderCsv } from '../domain/csv';
import { BadRequestError, UnknownMonitorError, UnknownRouteError, quoteInput } from '../domain/errors';
import type { StateStore } from '../domain/ports';
import { describeLatency, mergeRunStats, type LatencyFigures, type RunRollupStore } from '../domain/run-stats';
import type { Expectations, MonitorConfig, MonitorsConfig, MonitorStatus, RunSummary } from '../domain/types';
import {
  computeDailyUptime,
  computeMonthlyUptime,
  computeMtbf,
  computeUptime,
  listIncidents,
  parseDayCount,
  parseIncidentLimit,
  resolveMonth,
  resolveWindow,
  type DayUptime,
  type Incident,
  type MonthlyUptime,
  type TimeWindow,
} from '../domain/uptime';
import type { ResponseCache } from './response-cache';
import { loadHourlyRunStats, RAW_RUN_LOOKBACK_DAYS } from './run-history';

/** What the API's logic needs: the stores, the validated monitors file and a clock. */
export interface ApiDeps {
  store: StateStore;
  /** Hourly rollups of the run summaries, for check counts and response times. */
  rollups: RunRollupStore;
  config: MonitorsConfig;
  now: () => Date;
  /** Keeps the public answers (status page, badges) for a short while; none: every request reads the table. */
  responseCache?: ResponseCache;
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
  /** UP time in the window over the outages that began in it; null when none began. */
  mtbfSeconds: number | null;
  /** Checks run in the window (from the run summaries, kept 35 days by default, and their hourly rollups). */
  checks: number;
  failedChecks: number;
  /** Response times of the successful checks in the window, whole ms; null when there was none. */
  latencyMs: LatencyFigures | null;
}

export interface DailyUptimeBody {
  monitorId: string;
  days: DayUptime[];
}

export interface ReportMonitor extends MonthlyUptime {
  id: string;
  name: string;
}

export interface ReportBody {
  /** `YYYY-MM`, UTC. */
  month: string;
  window: TimeWindow;
  generatedAt: string;
  monitors: ReportMonitor[];
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
        lastCheckedAt: lastCheckedAt(latestRun, monitor.id),
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

/**
 * `GET /monitors/{id}/uptime?window=…` or `?from=…&to=…`: time-based uptime over the window, from
 * the transitions; check counts and response times from the hourly rollups and run summaries.
 */
export async function getUptime(deps: ApiDeps, monitorId: string, query: QueryParameters): Promise<UptimeBody> {
  const monitor = findMonitor(deps.config, monitorId);
  const nowDate = deps.now();
  const now = nowDate.toISOString();
  const window = resolveWindow({ window: query.window, from: query.from, to: query.to }, now);
  const [transitions, runStats] = await Promise.all([
    deps.store.listTransitions(monitor.id),
    loadHourlyRunStats(deps, [monitor.id], clipToNow(window, nowDate), rawRunsSince(nowDate)),
  ]);
  const report = computeUptime(transitions, window, now);
  const stats = mergeRunStats((runStats.get(monitor.id) ?? []).map((hour) => hour.stats));
  return {
    monitorId: monitor.id,
    window,
    uptimePercent: report.uptimePercent,
    downtimeSeconds: report.downtimeSeconds,
    outages: report.outages,
    longestOutageSeconds: report.longestOutageSeconds,
    mttrSeconds: report.mttrSeconds,
    mtbfSeconds: computeMtbf(transitions, window, now),
    checks: stats.checks,
    failedChecks: stats.failedChecks,
    latencyMs: describeLatency(stats.latency),
  };
}

/** `GET /monitors/{id}/daily?days=N`: uptime per UTC day, oldest first, today last; 90 days by default. */
export async function getDailyUptime(deps: ApiDeps, monitorId: string, query: QueryParameters): Promise<DailyUptimeBody> {
  const monitor = findMonitor(deps.config, monitorId);
  const days = parseDayCount(query.days);
  const transitions = await deps.store.listTransitions(monitor.id);
  return { monitorId: monitor.id, days: computeDailyUptime(transitions, days, deps.now().toISOString()) };
}

/**
 * `GET /report?month=YYYY-MM`: every monitor's uptime, downtime, incidents and longest incident over
 * a calendar month (UTC), in the file's order; the current month by default, up to now.
 */
export async function getReport(deps: ApiDeps, query: QueryParameters): Promise<ReportBody> {
  const now = deps.now().toISOString();
  const month = resolveMonth(query.month, now);
  const histories = await Promise.all(deps.config.monitors.map((monitor) => deps.store.listTransitions(monitor.id)));
  return {
    month: month.month,
    window: { from: month.from, to: month.to },
    generatedAt: now,
    monitors: deps.config.monitors.map((monitor, index) => ({
      id: monitor.id,
      name: monitor.name,
      ...computeMonthlyUptime(histories[index] ?? [], month, now),
    })),
  };
}

/** The columns of the report as CSV, named as in the JSON. */
export const REPORT_CSV_COLUMNS = [
  'month',
  'id',
  'name',
  'uptimePercent',
  'downtimeSeconds',
  'monitoredSeconds',
  'incidents',
  'longestIncidentSeconds',
] as const;

/** The report as CSV: one line per monitor; a monitor not tracked that month has an empty uptimePercent. */
export function renderReportCsv(report: ReportBody): string {
  return renderCsv(
    REPORT_CSV_COLUMNS,
    report.monitors.map((monitor) => [
      report.month,
      monitor.id,
      monitor.name,
      monitor.uptimePercent,
      monitor.downtimeSeconds,
      monitor.monitoredSeconds,
      monitor.incidents,
      monitor.longestIncidentSeconds,
    ]),
  );
}

export type ReportFormat = 'json' | 'csv';

/** `format=csv|json` wins; otherwise an Accept header that asks for text/csv gets CSV, anything else JSON. */
export function chooseReportFormat(query: QueryParameters, accept: string | undefined): ReportFormat {
  if (query.format !== undefined) {
    if (query.format === 'csv' || query.format === 'json') return query.format;
    throw new BadRequestError(`format must be csv or json, got ${quoteInput(query.format)}`);
  }
  const wantsCsv = (accept ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .some((part) => part.startsWith('text/csv') && !/;\s*q=0(\.0*)?\s*(;|$)/.test(part));
  return wantsCsv ? 'csv' : 'json';
}

/** The window cut at now: no run has happened later. */
export function clipToNow(window: TimeWindow, now: Date): TimeWindow {
  const nowIso = now.toISOString();
  return { from: window.from, to: window.to < nowIso ? window.to : nowIso };
}

/** How far back raw run summaries may still exist. */
export function rawRunsSince(now: Date): string {
  return new Date(now.getTime() - RAW_RUN_LOOKBACK_DAYS * 86_400_000).toISOString();
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

export function findMonitor(config: MonitorsConfig, monitorId: string): MonitorConfig {
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
    checkedAt: result.checkedAt ?? run.startedAt,
  };
}

/**
 * When the latest run that checked the monitor started. The latest summary holds, for a monitor a
 * sub-minute cycle did not check, its newest result of the minute with its own time.
 */
export function lastCheckedAt(run: RunSummary | undefined, monitorId: string): string | null {
  const result = run?.results[monitorId];
  return run && result ? (result.checkedAt ?? run.startedAt) : null;
}

/** An HTTP answer; structurally an API Gateway payload v2 structured result. */
export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** An answer with a JSON body. */
export type JsonResponse = ApiResponse;

export type ErrorCode = 'bad_request' | 'not_found' | 'internal';

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
};

/** How long browsers and shared caches may keep the public answers: the status page and the badges. */
export const PUBLIC_MAX_AGE_SECONDS = 60;
const PUBLIC_CACHE_CONTROL = `public, max-age=${PUBLIC_MAX_AGE_SECONDS}`;

/** A JSON answer; every JSON answer of the API goes through here. */
export function buildJsonResponse(statusCode: number, body: unknown): JsonResponse {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

/** A JSON answer anyone may cache for a minute (the shields.io endpoint, the OpenAPI document). */
export function buildPublicJsonResponse(body: unknown): ApiResponse {
  return { statusCode: 200, headers: { ...JSON_HEADERS, 'cache-control': PUBLIC_CACHE_CONTROL }, body: JSON.stringify(body) };
}

/** The status page; `contentSecurityPolicy` allows its one inline style sheet and nothing else. */
export function buildHtmlResponse(html: string, contentSecurityPolicy: string): ApiResponse {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': PUBLIC_CACHE_CONTROL,
      'content-security-policy': contentSecurityPolicy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    body: html,
  };
}

/** A badge; the policy keeps an SVG opened on its own from running anything. */
export function buildSvgResponse(svg: string): ApiResponse {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'image/svg+xml; charset=utf-8',
      'cache-control': PUBLIC_CACHE_CONTROL,
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
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
