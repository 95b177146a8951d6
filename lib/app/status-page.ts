import { createHash } from 'node:crypto';
import { describeLatency, mergeRunStats } from '../domain/run-stats';
import {
  renderStatusPage,
  STATUS_PAGE_CSS,
  type StatusPageIncident,
  type StatusPageView,
  type UptimeWindowName,
} from '../domain/status-page';
import { computeDailyUptime, computeUptime, listIncidents, resolveWindow } from '../domain/uptime';
import { buildHtmlResponse, lastCheckedAt, rawRunsSince, type ApiDeps, type ApiResponse } from './api';
import { loadHourlyRunStats } from './run-history';

export const STATUS_PAGE_TITLE = 'Service status';
/** Days in each monitor's bar. */
export const STATUS_PAGE_DAYS = 90;
/** Incidents listed, of all monitors together. */
export const STATUS_PAGE_INCIDENTS = 10;

/** Only the page's own style sheet, by its hash: no script, no other source, no inline style attribute. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STATUS_PAGE_CSS).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Everything the status page shows. Reads, all at once: the states, the latest run summary, each
 * monitor's transitions, and the last 24 hours of run figures (rollups plus the recent raw summaries).
 */
export async function loadStatusPage(deps: ApiDeps): Promise<StatusPageView> {
  const nowDate = deps.now();
  const now = nowDate.toISOString();
  const monitorIds = deps.config.monitors.map((monitor) => monitor.id);
  const [states, latestRun, histories, runStats] = await Promise.all([
    deps.store.loadStates(),
    deps.store.latestRunSummary(now),
    Promise.all(monitorIds.map((id) => deps.store.listTransitions(id))),
    loadHourlyRunStats(deps, monitorIds, resolveWindow({ window: '24h' }, now), rawRunsSince(nowDate)),
  ]);

  const incidents: StatusPageIncident[] = [];
  const monitors = deps.config.monitors.map((monitor, index) => {
    const transitions = histories[index] ?? [];
    const state = states.get(monitor.id);
    const hours = runStats.get(monitor.id) ?? [];
    const uptimeOver = (window: UptimeWindowName) => computeUptime(transitions, resolveWindow({ window }, now), now).uptimePercent;
    for (const incident of listIncidents(transitions, now, STATUS_PAGE_INCIDENTS)) {
      incidents.push({ monitorName: monitor.name, ...incident });
    }
    return {
      id: monitor.id,
      name: monitor.name,
      status: state?.status ?? 'UNKNOWN',
      since: state?.since ?? null,
      lastCheckedAt: lastCheckedAt(latestRun, monitor.id),
      uptime: { '24h': uptimeOver('24h'), '7d': uptimeOver('7d'), '30d': uptimeOver('30d') },
      days: computeDailyUptime(transitions, STATUS_PAGE_DAYS, now),
      responseTimes: hours.map((hour) => ({
        from: hour.from,
        averageMs: hour.stats.latency.count > 0 ? hour.stats.latency.sumMs / hour.stats.latency.count : null,
      })),
      latency: describeLatency(mergeRunStats(hours.map((hour) => hour.stats)).latency),
    };
  });

  incidents.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  return { title: STATUS_PAGE_TITLE, generatedAt: now, monitors, incidents: incidents.slice(0, STATUS_PAGE_INCIDENTS) };
}

/** `GET /`: the status page as HTML, kept for a short while (see ResponseCache). */
export async function serveStatusPage(deps: ApiDeps): Promise<ApiResponse> {
  const create = async () => buildHtmlResponse(renderStatusPage(await loadStatusPage(deps)), STATUS_PAGE_CSP);
  return deps.responseCache ? deps.responseCache.getOrCreate('status-page', deps.now().getTime(), create) : create();
}
