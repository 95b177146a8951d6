import { daysLeft, isCertificateExpiringSoon } from '../domain/certificate';
import { describeLatency, mergeRunStats } from '../domain/run-stats';
import { publicReason } from '../domain/public-view';
import type { StatusPageIncident, StatusPageView } from '../domain/status-page';
import { rangeOfWindow, type PublicWindowName } from '../domain/time-range';
import { computeDailyUptime, computeUptime, listIncidents } from '../domain/uptime';
import type { ApiDeps } from './api-deps';
import { lastCheckedAt, rawRunsSince } from './monitor-queries';
import { loadHourlyRunStats } from './run-history';

export const STATUS_PAGE_TITLE = 'Service status';
/** Days in each monitor's bar. */
export const STATUS_PAGE_DAYS = 90;
/** Incidents listed, of all monitors together. */
export const STATUS_PAGE_INCIDENTS = 10;

/**
 * Everything the status page shows. Reads, all at once: the states, the latest run summary, each
 * monitor's transitions, and the last 24 hours of run figures (rollups plus the recent raw summaries).
 */
export async function loadStatusPage(deps: ApiDeps): Promise<StatusPageView> {
  const nowIso = deps.now().toISOString();
  // A monitor with `public: false` is left off the page, and its history is not even read.
  const shown = deps.config.monitors.filter((monitor) => monitor.public);
  const monitorIds = shown.map((monitor) => monitor.id);
  const [states, latestRun, histories, runStats] = await Promise.all([
    deps.states.loadStates(),
    deps.runs.latestRunSummary(nowIso),
    Promise.all(monitorIds.map((id) => deps.transitions.listTransitions(id))),
    loadHourlyRunStats(deps, monitorIds, rangeOfWindow('24h', nowIso), rawRunsSince(nowIso)),
  ]);

  const incidents: StatusPageIncident[] = [];
  const monitors = shown.map((monitor, index) => {
    const transitions = histories[index] ?? [];
    const state = states.get(monitor.id);
    const hours = runStats.get(monitor.id) ?? [];
    const certificate = state?.certificate;
    const nowMs = Date.parse(nowIso);
    const expiringSoon = certificate !== undefined && isCertificateExpiringSoon(monitor.tls?.warnBeforeMs ?? [], certificate.expiresAt, nowMs);
    const uptimeOver = (window: PublicWindowName) => computeUptime(transitions, rangeOfWindow(window, nowIso), nowIso).uptimePercent;
    for (const incident of listIncidents(transitions, nowIso, STATUS_PAGE_INCIDENTS)) {
      incidents.push({ monitorName: monitor.name, ...incident, reason: publicReason(incident.reason) });
    }
    return {
      id: monitor.id,
      name: monitor.name,
      type: monitor.type,
      status: state?.status ?? 'UNKNOWN',
      since: state?.since ?? null,
      lastCheckedAt: lastCheckedAt(latestRun, monitor.id),
      uptime: { '24h': uptimeOver('24h'), '7d': uptimeOver('7d'), '30d': uptimeOver('30d') },
      days: computeDailyUptime(transitions, STATUS_PAGE_DAYS, nowIso),
      responseTimes: hours.map((hour) => ({
        from: hour.from,
        averageMs: hour.stats.latency.count > 0 ? hour.stats.latency.sumMs / hour.stats.latency.count : null,
      })),
      latency: describeLatency(mergeRunStats(hours.map((hour) => hour.stats)).latency),
      ...(expiringSoon ? { certificate: { expiresAt: certificate.expiresAt, daysLeft: daysLeft(certificate.expiresAt, nowMs) } } : {}),
    };
  });

  incidents.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  return { title: STATUS_PAGE_TITLE, generatedAt: nowIso, monitors, incidents: incidents.slice(0, STATUS_PAGE_INCIDENTS) };
}
