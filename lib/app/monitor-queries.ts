import { daysLeft } from '../domain/certificate';
import { UnknownMonitorError } from '../domain/errors';
import { describeLatency, EMPTY_RUN_STATS } from '../domain/run-stats';
import { DAY_MS } from '../domain/time';
import { clipRangeToNow, resolveCalendarMonth, resolveRange, type RangeRequest } from '../domain/time-range';
import { publicReason, publicUrl } from '../domain/public-view';
import type { MaintenanceSchedule } from '../domain/maintenance';
import type { Confirmation, MonitorConfig, MonitorsConfig, MonitorState, RunSummary } from '../domain/types';
import { computeDailyUptime, computeMonthlyUptime, computeMtbf, computeUptime, listIncidents } from '../domain/uptime';
import type { ApiDeps } from './api-deps';
import { loadMaintenanceSchedule } from './maintenance';
import { loadRunStats, RAW_RUN_LOOKBACK_DAYS } from './run-history';

/**
 * The API's read use cases, on typed inputs: lib/http parses the request, calls one of these and
 * shapes the answer. Each reads the clock once (`nowIso`), so its figures agree with each other.
 * Those that show maintenance load the maintenance calendar once per request (one Query of the
 * ad-hoc windows, beside their other reads), and ask it about each monitor.
 */

/** The API answers. It touches nothing else, so it is cheap to poll. */
export async function getHealth() {
  return { status: 'UP' as const };
}

/** Every configured monitor, in the file's order, with its status. */
export async function listMonitors(deps: ApiDeps) {
  const now = deps.now();
  const [states, latestRun, schedule] = await Promise.all([
    deps.states.loadStates(),
    deps.runs.latestRunSummary(now.toISOString()),
    loadMaintenanceSchedule(deps.config, deps.maintenance),
  ]);
  return {
    monitors: deps.config.monitors.map((monitor) => {
      const state = states.get(monitor.id);
      return {
        id: monitor.id,
        name: monitor.name,
        type: monitor.type,
        url: publicUrl(monitor.url),
        status: state?.status ?? 'UNKNOWN',
        since: state?.since ?? null,
        heldBy: heldBy(state),
        maintenance: activeMaintenance(schedule, monitor.id, now.getTime()),
        lastCheckedAt: lastCheckedAt(latestRun, monitor.id),
      };
    }),
  };
}

/**
 * One monitor's configuration (without headers or notification recipients, which may hold secrets
 * or personal addresses, and with the public form of its URL), state, counters and last result.
 * Failure reasons are public only as their category (lib/domain/public-view.ts).
 */
export async function getMonitor(deps: ApiDeps, monitorId: string) {
  const monitor = findMonitor(deps.config, monitorId);
  const now = deps.now();
  const [state, latestRun, schedule] = await Promise.all([
    deps.states.loadState(monitor.id),
    deps.runs.latestRunSummary(now.toISOString()),
    loadMaintenanceSchedule(deps.config, deps.maintenance),
  ]);
  const lastResult = describeLastResult(latestRun, monitor.id);
  const certificate = state?.certificate;
  return {
    id: monitor.id,
    name: monitor.name,
    type: monitor.type,
    url: publicUrl(monitor.url),
    method: monitor.method,
    intervalMs: monitor.intervalMs,
    timeoutMs: monitor.timeoutMs,
    failureThreshold: monitor.failureThreshold,
    successThreshold: monitor.successThreshold,
    expect: monitor.expect,
    status: state?.status ?? 'UNKNOWN',
    since: state?.since ?? null,
    heldBy: heldBy(state),
    maintenance: activeMaintenance(schedule, monitor.id, now.getTime()),
    failuresInRow: state?.failuresInRow ?? 0,
    successesInRow: state?.successesInRow ?? 0,
    lastFailureReason: publicReason(state?.lastFailureReason),
    lastCheckedAt: lastResult?.checkedAt ?? null,
    lastResult,
    // The latest certificate an https check saw; null for any other monitor, or before its first check.
    certificate: certificate
      ? { expiresAt: certificate.expiresAt, daysLeft: daysLeft(certificate.expiresAt, now.getTime()), issuer: certificate.issuer }
      : null,
    ...describeConfirmation(state?.confirmation),
  };
}

/**
 * Time-based uptime over a window or time range, from the transitions, the monitor's maintenance
 * left out of it and counted apart; check counts and response times from the daily and hourly
 * rollups and run summaries (checks made during maintenance count: they ran).
 */
export async function getUptime(deps: ApiDeps, monitorId: string, request: RangeRequest) {
  const monitor = findMonitor(deps.config, monitorId);
  const nowIso = deps.now().toISOString();
  const range = resolveRange(request, nowIso);
  const [transitions, runStats, schedule] = await Promise.all([
    deps.transitions.listTransitionsSince(monitor.id, range.from),
    loadRunStats(deps, [monitor.id], clipRangeToNow(range, nowIso), rawRunsSince(nowIso)),
    loadMaintenanceSchedule(deps.config, deps.maintenance),
  ]);
  const maintenance = schedule.periods(monitor.id, Date.parse(range.from), Date.parse(range.to));
  const report = computeUptime(transitions, range, nowIso, maintenance);
  const stats = runStats.get(monitor.id) ?? EMPTY_RUN_STATS;
  return {
    monitorId: monitor.id,
    window: range,
    uptimePercent: report.uptimePercent,
    downtimeSeconds: report.downtimeSeconds,
    maintenanceSeconds: report.maintenanceSeconds,
    outages: report.outages,
    longestOutageSeconds: report.longestOutageSeconds,
    mttrSeconds: report.mttrSeconds,
    mtbfSeconds: computeMtbf(transitions, range, nowIso, maintenance),
    checks: stats.checks,
    failedChecks: stats.failedChecks,
    latencyMs: describeLatency(stats.latency),
  };
}

/** Uptime per UTC day over the last `days` days, oldest first, today last; each day's maintenance apart. */
export async function getDailyUptime(deps: ApiDeps, monitorId: string, days: number) {
  const monitor = findMonitor(deps.config, monitorId);
  const now = deps.now();
  const todayMs = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const [transitions, schedule] = await Promise.all([
    deps.transitions.listTransitionsSince(monitor.id, new Date(todayMs - (days - 1) * DAY_MS).toISOString()),
    loadMaintenanceSchedule(deps.config, deps.maintenance),
  ]);
  const maintenance = schedule.periods(monitor.id, todayMs - (days - 1) * DAY_MS, todayMs + DAY_MS);
  return { monitorId: monitor.id, days: computeDailyUptime(transitions, days, now.toISOString(), maintenance) };
}

/** The monitor's outages, newest first, at most `limit`. */
export async function listMonitorIncidents(deps: ApiDeps, monitorId: string, limit: number) {
  const monitor = findMonitor(deps.config, monitorId);
  const transitions = await deps.transitions.listTransitions(monitor.id);
  const incidents = listIncidents(transitions, deps.now().toISOString(), limit).map((incident) => ({ ...incident, reason: publicReason(incident.reason) }));
  return { monitorId: monitor.id, incidents };
}

/**
 * Every monitor's uptime, downtime, maintenance, incidents and longest incident over a calendar
 * month (UTC), in the file's order; the current month, up to now, when `month` (`YYYY-MM`) is not
 * given.
 */
export async function getReport(deps: ApiDeps, month: string | undefined) {
  const nowIso = deps.now().toISOString();
  const calendarMonth = resolveCalendarMonth(month, nowIso);
  const [histories, schedule] = await Promise.all([
    Promise.all(deps.config.monitors.map((monitor) => deps.transitions.listTransitionsSince(monitor.id, calendarMonth.from))),
    loadMaintenanceSchedule(deps.config, deps.maintenance),
  ]);
  const [fromMs, toMs] = [Date.parse(calendarMonth.from), Date.parse(calendarMonth.to)];
  return {
    month: calendarMonth.month,
    window: { from: calendarMonth.from, to: calendarMonth.to },
    generatedAt: nowIso,
    monitors: deps.config.monitors.map((monitor, index) => ({
      id: monitor.id,
      name: monitor.name,
      type: monitor.type,
      ...computeMonthlyUptime(histories[index] ?? [], calendarMonth, nowIso, schedule.periods(monitor.id, fromMs, toMs)),
    })),
  };
}

/** How far back raw run summaries may still exist. */
export function rawRunsSince(nowIso: string): string {
  return new Date(Date.parse(nowIso) - RAW_RUN_LOOKBACK_DAYS * DAY_MS).toISOString();
}

export function findMonitor(config: MonitorsConfig, monitorId: string): MonitorConfig {
  const monitor = config.monitors.find((candidate) => candidate.id === monitorId);
  if (!monitor) throw new UnknownMonitorError(monitorId);
  return monitor;
}

/** A monitor the status page and badges may show: one with `public: false` is unknown there (404). */
export function findPublicMonitor(config: MonitorsConfig, monitorId: string): MonitorConfig {
  const monitor = findMonitor(config, monitorId);
  if (!monitor.public) throw new UnknownMonitorError(monitorId);
  return monitor;
}

/**
 * The monitor a DOWN monitor's outage is held back by (its `dependsOn`, lib/domain/dependencies.ts):
 * shown as DOWN, with the id of the monitor that explains it; null otherwise.
 */
function heldBy(state: MonitorState | undefined): string | null {
  return state?.status === 'DOWN' ? (state.heldBy ?? null) : null;
}

/** The maintenance window the monitor is in at `atMs`: its name and when the maintenance ends; null outside one. */
export function activeMaintenance(schedule: MaintenanceSchedule, monitorId: string, atMs: number): { name: string; until: string } | null {
  return schedule.activeAt(monitorId, atMs) ?? null;
}

function describeLastResult(run: RunSummary | undefined, monitorId: string) {
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

/** A monitor's latest confirmation for the API: the regional failure, if that is what it is, and every vantage point's check. */
function describeConfirmation(confirmation: Confirmation | undefined) {
  return {
    regional: confirmation?.verdict === 'regional' ? { since: confirmation.since, checkedAt: confirmation.checkedAt } : null,
    vantage: (confirmation?.vantage ?? []).map((point) => ({ region: point.region, ok: point.ok, reason: point.reason ?? null, latencyMs: point.latencyMs ?? null })),
  };
}
