import { buildCertificateBadge, buildResponseTimeBadge, buildStatusBadge, buildUptimeBadge, type Badge } from '../domain/badge';
import { describeLatency, EMPTY_RUN_STATS } from '../domain/run-stats';
import { DEFAULT_WINDOW, rangeOfWindow, type PublicWindowName } from '../domain/time-range';
import { computeUptime } from '../domain/uptime';
import type { ApiDeps } from './api-deps';
import { loadMaintenanceSchedule } from './maintenance';
import { findPublicMonitor, rawRunsSince } from './monitor-queries';
import { loadRunStats } from './run-history';

export type BadgeKind = 'status' | 'uptime' | 'response-time' | 'certificate';

/**
 * A badge's content: the monitor's status (labelled with its name), the days left on its
 * certificate, or its uptime or average response time over `window` (the status and certificate
 * badges have no window). A monitor with `public: false`
 * has no badge: it is unknown here.
 */
export async function getBadge(deps: ApiDeps, kind: BadgeKind, monitorId: string, window: PublicWindowName = DEFAULT_WINDOW): Promise<Badge> {
  const monitor = findPublicMonitor(deps.config, monitorId);
  if (kind === 'status') {
    const state = await deps.states.loadState(monitor.id);
    return buildStatusBadge(monitor.name, state?.status ?? 'UNKNOWN');
  }
  if (kind === 'certificate') {
    const state = await deps.states.loadState(monitor.id);
    return buildCertificateBadge(monitor.tls?.warnBeforeMs ?? [], state?.certificate, deps.now().getTime());
  }
  const nowIso = deps.now().toISOString();
  const range = rangeOfWindow(window, nowIso);
  if (kind === 'uptime') {
    // As /uptime and the status page: maintenance counts neither up nor down.
    const [transitions, schedule] = await Promise.all([deps.transitions.listTransitionsSince(monitor.id, range.from), loadMaintenanceSchedule(deps.config, deps.maintenance)]);
    const report = computeUptime(transitions, range, nowIso, schedule.periods(monitor.id, Date.parse(range.from), Date.parse(range.to)));
    return buildUptimeBadge(window, report.uptimePercent);
  }
  const stats = (await loadRunStats(deps, [monitor.id], range, rawRunsSince(nowIso))).get(monitor.id) ?? EMPTY_RUN_STATS;
  const latency = describeLatency(stats.latency);
  return buildResponseTimeBadge(window, latency?.avg ?? null);
}
