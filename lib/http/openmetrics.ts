import { Gauge, Registry, type OpenMetricsContentType } from 'prom-client';
import { METRICS_WINDOWS, type MonitorMetrics } from '../app/metrics';
import type { MonitorStatus } from '../domain/types';

/**
 * `GET /metrics`: every monitor's metrics (lib/app/metrics.ts) as OpenMetrics text, written by
 * prom-client. A registry of its own per answer, never prom-client's global one: the gauges hold
 * this answer's samples and nothing else (no process metrics, nothing left from a previous scrape).
 * Names follow Prometheus' conventions: one prefix, base units (seconds, Unix seconds, ratios 0
 * to 1) in the name. A value that is not known is no sample at all, never NaN: an absent series is
 * what `absent()` and alert rules expect, where NaN compares false to everything.
 */

/** The prefix of every metric name. */
export const METRIC_PREFIX = 'uptime_monitor_';

/** The labels every series of a monitor carries. */
const MONITOR_LABELS = ['monitor', 'name', 'type'] as const;
type MonitorLabel = (typeof MONITOR_LABELS)[number];

const STATUSES: readonly MonitorStatus[] = ['UNKNOWN', 'UP', 'DOWN'];

/** The answer's content type, as prom-client writes it for OpenMetrics 1.0.0. */
export const OPENMETRICS_CONTENT_TYPE: string = Registry.OPENMETRICS_CONTENT_TYPE;

/** The metrics of `monitors`, in their order, as OpenMetrics 1.0.0 text (ending `# EOF`). */
export async function renderOpenMetrics(monitors: readonly MonitorMetrics[]): Promise<string> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const gauge = <Extra extends string = never>(name: string, help: string, extra: readonly Extra[] = []) =>
    new Gauge<MonitorLabel | Extra>({ name: `${METRIC_PREFIX}${name}`, help, labelNames: [...MONITOR_LABELS, ...extra], registers: [registry] });

  const up = gauge('up', 'Whether the monitor is UP (1) or DOWN (0); no sample while it is UNKNOWN (never established).');
  const status = gauge('status', 'The monitor\'s status: 1 for the current one, 0 for the others (UNKNOWN, UP, DOWN).', ['status']);
  const statusDuration = gauge('status_duration_seconds', 'Seconds since the current status began; no sample for a monitor never checked.');
  const latency = gauge('last_check_latency_seconds', 'Response time of the monitor\'s check in the latest run.');
  const checkedAt = gauge('last_check_timestamp_seconds', 'When the latest run that checked the monitor started, in Unix seconds.');
  const uptime = gauge(
    'uptime_ratio',
    'Time UP over time UP or DOWN in the window ending now, 0 to 1, maintenance left out (as GET /monitors/{id}/uptime); no sample when neither was seen.',
    ['window'],
  );
  const certificate = gauge('certificate_expiry_timestamp_seconds', 'When the certificate the latest https check saw expires, in Unix seconds.');
  const maintenance = gauge('maintenance', 'Whether the monitor is inside a maintenance window now (1) or not (0).');
  const regional = gauge(
    'regional',
    'With multi-region confirmation (monitors.yml confirm): 1 while a failure is seen from a minority of vantage points only (no outage declared), 0 otherwise; no sample without confirm.',
  );

  for (const monitor of monitors) {
    const labels: Record<MonitorLabel, string> = { monitor: monitor.id, name: monitor.name, type: monitor.type };
    if (monitor.status !== 'UNKNOWN') up.set(labels, monitor.status === 'UP' ? 1 : 0);
    for (const candidate of STATUSES) status.set({ ...labels, status: candidate }, candidate === monitor.status ? 1 : 0);
    if (monitor.statusSeconds !== null) statusDuration.set(labels, monitor.statusSeconds);
    if (monitor.lastCheck) {
      latency.set(labels, monitor.lastCheck.latencySeconds);
      checkedAt.set(labels, monitor.lastCheck.checkedAtSeconds);
    }
    for (const window of METRICS_WINDOWS) {
      const ratio = monitor.uptimeRatio[window];
      if (ratio !== null) uptime.set({ ...labels, window }, ratio);
    }
    if (monitor.certificateExpiresAtSeconds !== null) certificate.set(labels, monitor.certificateExpiresAtSeconds);
    maintenance.set(labels, monitor.inMaintenance ? 1 : 0);
    if (monitor.regional !== null) regional.set(labels, monitor.regional ? 1 : 0);
  }
  return registry.metrics();
}
