import { renderCsv } from '../domain/csv';
import type { ReportBody } from './schemas';

/** The columns of the report as CSV, named as in the JSON. */
export const REPORT_CSV_COLUMNS = [
  'month',
  'id',
  'name',
  'type',
  'uptimePercent',
  'downtimeSeconds',
  'maintenanceSeconds',
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
      monitor.type,
      monitor.uptimePercent,
      monitor.downtimeSeconds,
      monitor.maintenanceSeconds,
      monitor.monitoredSeconds,
      monitor.incidents,
      monitor.longestIncidentSeconds,
    ]),
  );
}
