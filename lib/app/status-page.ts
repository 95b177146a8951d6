import { daysLeft, isCertificateExpiringSoon } from '../domain/certificate';
import { describeLatency, mergeRunStats } from '../domain/run-stats';
import { publicReason } from '../domain/public-view';
import { selectActiveAnnouncements, type StatusPageIncident, type StatusPageView } from '../domain/status-page';
import { DAY_MS } from '../domain/time';
import { rangeOfWindow, type PublicWindowName } from '../domain/time-range';
import { computeDailyUptime, computeUptime, listIncidents } from '../domain/uptime';
import type { ApiDeps } from './api-deps';
import { loadMaintenanceSchedule } from './maintenance';
import { lastCheckedAt, rawRunsSince } from './monitor-queries';
import { loadHourlyRunStats } from './run-history';

/** Days in each monitor's bar. */
export const STATUS_PAGE_DAYS = 90;
/** Incidents listed, of all monitors together. */
export const STATUS_PAGE_INCIDENTS = 10;
/** How far ahead the page announces planned maintenance. */
export const STATUS_PAGE_MAINTENANCE_HORIZON_MS = 7 * DAY_MS;

/**
 * Everything the status page shows. Reads, all at once: the states, the latest run summary, each
 * monitor's transitions of the days it shows (STATUS_PAGE_DAYS; incidents older than that are left
 * off), the last 24 hours of run figures (rollups plus the recent raw summaries)
 * and the ad-hoc maintenance windows. A monitor's time in maintenance counts neither up nor down in
 * its uptime and daily bars; the window it is in now and its next one (within 7 days) are shown.
 */
export async function loadStatusPage(deps: ApiDeps): Promise<StatusPageView> {
  const nowIso = deps.now().toISOString();
  // A monitor with `public: false` is left off the page, and its history is not even read.
  const shown = deps.config.monitors.filter((monitor) => monitor.public);
  /** A monitor the page may name (a public one), by id; null for one it may not. */
  const heldByName = (id: string): string | null => shown.find((monitor) => monitor.id === id)?.name ?? null;
  const monitorIds = shown.map((monitor) => monitor.id);
  const nowMs = Date.parse(nowIso);
  // The first day of the bars, at 00:00 UTC: the oldest time the page shows (its uptime windows are shorter).
  const daysFromMs = Math.floor(nowMs / DAY_MS) * DAY_MS - (STATUS_PAGE_DAYS - 1) * DAY_MS;
  const [states, latestRun, histories, runStats, schedule] = await Promise.all([
    deps.states.loadStates(),
    deps.runs.latestRunSummary(nowIso),
    Promise.all(monitorIds.map((id) => deps.transitions.listTransitionsSince(id, new Date(daysFromMs).toISOString()))),
    loadHourlyRunStats(deps, monitorIds, rangeOfWindow('24h', nowIso), rawRunsSince(nowIso)),
    loadMaintenanceSchedule(deps.config, deps.maintenance),
  ]);

  const incidents: StatusPageIncident[] = [];
  const monitors = shown.map((monitor, index) => {
    const transitions = histories[index] ?? [];
    const state = states.get(monitor.id);
    const hours = runStats.get(monitor.id) ?? [];
    const certificate = state?.certificate;
    const expiringSoon = certificate !== undefined && isCertificateExpiringSoon(monitor.tls?.warnBeforeMs ?? [], certificate.expiresAt, nowMs);
    const uptimeOver = (window: PublicWindowName) => {
      const range = rangeOfWindow(window, nowIso);
      return computeUptime(transitions, range, nowIso, schedule.periods(monitor.id, Date.parse(range.from), Date.parse(range.to))).uptimePercent;
    };
    const maintenance = schedule.activeAt(monitor.id, nowMs);
    const plannedMaintenance = schedule.next(monitor.id, nowMs, STATUS_PAGE_MAINTENANCE_HORIZON_MS);
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
      days: computeDailyUptime(transitions, STATUS_PAGE_DAYS, nowIso, schedule.periods(monitor.id, daysFromMs, nowMs)),
      responseTimes: hours.map((hour) => ({
        from: hour.from,
        averageMs: hour.stats.latency.count > 0 ? hour.stats.latency.sumMs / hour.stats.latency.count : null,
      })),
      latency: describeLatency(mergeRunStats(hours.map((hour) => hour.stats)).latency),
      ...(maintenance ? { maintenance } : {}),
      ...(state?.status === 'DOWN' && state.heldBy !== undefined ? { heldBy: heldByName(state.heldBy) } : {}),
      ...(state?.confirmation?.verdict === 'regional' && state.status !== 'DOWN'
        ? {
            regional: {
              since: state.confirmation.since,
              failingFrom: state.confirmation.vantage.filter((point) => point.ok === false).map((point) => point.region),
              reachableFrom: state.confirmation.vantage.filter((point) => point.ok === true).map((point) => point.region),
            },
          }
        : {}),
      ...(plannedMaintenance ? { plannedMaintenance } : {}),
      ...(expiringSoon ? { certificate: { expiresAt: certificate.expiresAt, daysLeft: daysLeft(certificate.expiresAt, nowMs) } } : {}),
    };
  });

  incidents.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  const page = deps.config.statusPage;
  return {
    title: page.title,
    ...(page.description === undefined ? {} : { description: page.description }),
    generatedAt: nowIso,
    monitors,
    // A group lists only the monitors shown: one with `public: false` stays off the page in a group too.
    groups: page.groups.map((group) => ({ name: group.name, monitorIds: group.monitors.filter((id) => monitorIds.includes(id)) })),
    announcements: selectActiveAnnouncements(page.announcements, nowMs),
    incidents: incidents.slice(0, STATUS_PAGE_INCIDENTS),
  };
}
