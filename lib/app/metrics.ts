import { mapWithConcurrency } from '../domain/concurrency';
import { SECOND_MS } from '../domain/time';
import { rangeOfWindow, type WindowName } from '../domain/time-range';
import type { MonitorStatus, MonitorType } from '../domain/types';
import { computeUptime } from '../domain/uptime';
import type { ApiDeps } from './api-deps';
import { loadMaintenanceSchedule } from './maintenance';
import { lastCheckedAt } from './monitor-queries';

/**
 * What `GET /metrics` shows of every monitor, read from stored state only (never by probing): the
 * states, the latest run summary, the maintenance calendar and each monitor's transitions. The
 * uptime is GET /monitors/{id}/uptime's: computeUptime over the window, the monitor's maintenance
 * left out. lib/http renders it as OpenMetrics text.
 */

/** The windows the metrics give the uptime over. */
export const METRICS_WINDOWS = ['24h', '30d'] as const satisfies readonly WindowName[];
export type MetricsWindow = (typeof METRICS_WINDOWS)[number];

/**
 * How many monitors' transitions are read at once: at most this many in flight keeps a scrape of a
 * thousand monitors from opening a thousand requests.
 */
export const TRANSITION_READ_CONCURRENCY = 16;

export interface MonitorMetrics {
  id: string;
  name: string;
  type: MonitorType;
  /** As GET /monitors gives it: UNKNOWN for a monitor never established. */
  status: MonitorStatus;
  /** Seconds since the current status began (now − since); null for a monitor without a stored state. */
  statusSeconds: number | null;
  /** The monitor's result in the latest run summary (GET /monitors/{id}'s lastResult); null when it holds none. */
  lastCheck: { latencySeconds: number; checkedAtSeconds: number } | null;
  /** Time UP over time UP or DOWN in each window, 0 to 1, maintenance left out; null when neither was seen. */
  uptimeRatio: Record<MetricsWindow, number | null>;
  /** When the certificate the latest https check saw expires, in Unix seconds; null for any other monitor, or before its first check. */
  certificateExpiresAtSeconds: number | null;
  /** Whether the monitor is inside a maintenance window now. */
  inMaintenance: boolean;
  /**
   * With monitors.yml `confirm`: whether a failure is seen from a minority of vantage points only
   * (recorded as regional, no outage declared). Null without `confirm`.
   */
  regional: boolean | null;
}

/**
 * Every configured monitor's metrics, in the file's order. Like GET /monitors, every monitor,
 * `public: false` ones included: those are left off the status page and badges only. Reads: one
 * Query of the states, two or three for the latest run summary, one of the ad-hoc maintenance
 * windows, and per monitor its transitions of the longest window (and the one before it, the
 * status at its start), as GET /monitors/{id}/uptime reads them: usually one page, half a read
 * unit, however long the monitor's history.
 */
export async function loadMetrics(deps: ApiDeps): Promise<MonitorMetrics[]> {
  const now = deps.now();
  const nowIso = now.toISOString();
  const nowMs = now.getTime();
  const monitors = deps.config.monitors;
  // The start of the longest window: the shorter ones lie inside it.
  const since = METRICS_WINDOWS.map((window) => rangeOfWindow(window, nowIso).from).sort()[0] ?? nowIso;
  const [states, latestRun, schedule, histories] = await Promise.all([
    deps.states.loadStates(),
    deps.runs.latestRunSummary(nowIso),
    loadMaintenanceSchedule(deps.config, deps.maintenance),
    mapWithConcurrency(monitors, TRANSITION_READ_CONCURRENCY, (monitor) => deps.transitions.listTransitionsSince(monitor.id, since)),
  ]);
  return monitors.map((monitor, index) => {
    const state = states.get(monitor.id);
    const result = latestRun?.results[monitor.id];
    const checkedAt = lastCheckedAt(latestRun, monitor.id);
    const uptimeOver = (window: MetricsWindow): number | null => {
      const range = rangeOfWindow(window, nowIso);
      const maintenance = schedule.periods(monitor.id, Date.parse(range.from), Date.parse(range.to));
      const { uptimePercent } = computeUptime(histories[index] ?? [], range, nowIso, maintenance);
      return uptimePercent === null ? null : uptimePercent / 100;
    };
    return {
      id: monitor.id,
      name: monitor.name,
      type: monitor.type,
      status: state?.status ?? 'UNKNOWN',
      statusSeconds: state ? Math.max(0, nowMs - Date.parse(state.since)) / SECOND_MS : null,
      lastCheck: result && checkedAt ? { latencySeconds: result.latencyMs / SECOND_MS, checkedAtSeconds: Date.parse(checkedAt) / SECOND_MS } : null,
      uptimeRatio: { '24h': uptimeOver('24h'), '30d': uptimeOver('30d') },
      certificateExpiresAtSeconds: state?.certificate ? Date.parse(state.certificate.expiresAt) / SECOND_MS : null,
      inMaintenance: schedule.activeAt(monitor.id, nowMs) !== undefined,
      regional: deps.config.confirm ? state?.confirmation?.verdict === 'regional' && state.status !== 'DOWN' : null,
    };
  });
}
