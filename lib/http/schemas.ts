import { z } from 'zod';
import { MONITOR_TYPES } from '../domain/types';

/**
 * The response bodies of the API as zod schemas: the TypeScript types below are their `z.infer`,
 * and lib/http/openapi.ts renders the same schemas into `/openapi.json`. The JSON field names are
 * the users' contract: renaming one here renames it in the answers and the document together.
 * Objects are strict (`additionalProperties: false` in the document), as the answers are.
 */

const isoTime = z.string().meta({ format: 'date-time' });
const seconds = z.number().min(0);
const count = z.int().min(0);
const percent = z.number().min(0).max(100).nullable();
const monitorStatus = z.enum(['UNKNOWN', 'UP', 'DOWN']);
const publicUrl = z.string().nullable().meta({
  description: 'Scheme, host and path: never the query string, fragment or user info. Null when monitors.yml keeps the URL in a secret reference, and for a heartbeat (it has none).',
});
const publicReason = z.string().nullable();
const maintenanceSeconds = seconds.meta({
  description: 'Time in maintenance windows that would otherwise have counted as UP or DOWN: counted neither way, left out of the uptime.',
});
const heldBy = z.string().nullable().meta({
  description:
    'While the monitor is DOWN and its outage is held back by a monitor it depends on (dependsOn) that is down too: that monitor\'s id. No alert goes out for a held outage. Null otherwise.',
});

export const ErrorBodySchema = z
  .strictObject({
    error: z.strictObject({ code: z.enum(['bad_request', 'not_found', 'internal']), message: z.string() }),
  })
  .meta({ id: 'Error' });

export const ActiveMaintenanceSchema = z
  .strictObject({
    name: z.string().meta({ description: "The window's name, from monitors.yml or as opened with npm run maintenance." }),
    until: isoTime.meta({ description: 'When the maintenance ends (windows that overlap or follow on carry it on).' }),
  })
  .meta({ id: 'ActiveMaintenance', description: 'The maintenance window the monitor is in now: its checks run, its outages and recoveries send no alert, and the time counts neither as up nor as down.' });

const maintenance = ActiveMaintenanceSchema.nullable().meta({ description: 'The maintenance window the monitor is in now; null outside one.' });

export const HealthSchema = z.strictObject({ status: z.literal('UP') }).meta({ id: 'Health' });

const monitorType = z
  .enum(MONITOR_TYPES)
  .meta({ description: 'What the monitor checks: an HTTP answer, a TCP connection, a DNS record, or pings from a job (heartbeat).' });

export const MonitorSummarySchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string(),
    type: monitorType,
    url: publicUrl,
    status: monitorStatus,
    since: isoTime.nullable().meta({ description: 'When the current status began; null for a monitor never checked.' }),
    heldBy,
    maintenance,
    lastCheckedAt: isoTime.nullable().meta({ description: 'When the latest run that checked this monitor started.' }),
  })
  .meta({ id: 'MonitorSummary' });

export const MonitorListSchema = z.strictObject({ monitors: z.array(MonitorSummarySchema) }).meta({ id: 'MonitorList' });

export const ExpectationsSchema = z
  .strictObject({
    status: z.array(z.int()),
    json: z.record(z.string(), z.unknown()).optional().meta({ description: 'Dotted paths into the JSON body and the values they must equal.' }),
    bodyContains: z.string().optional(),
    maxResponseTimeMs: z.number().optional(),
  })
  .meta({ id: 'Expectations' });

export const LastResultSchema = z
  .strictObject({
    ok: z.boolean(),
    latencyMs: z.number().min(0),
    statusCode: z.int().nullable(),
    reason: z.string().nullable(),
    checkedAt: isoTime.meta({ description: 'When the run that made the check started.' }),
  })
  .meta({ id: 'LastResult' });

export const CertificateSchema = z
  .strictObject({
    expiresAt: isoTime.meta({ description: "The leaf certificate's notAfter." }),
    daysLeft: z.int().meta({ description: 'Whole days left before it expires, rounded down: 0 on its last day, negative once expired.' }),
    issuer: z.string().meta({ description: "The issuer's distinguished name (`CN=…, O=…`)." }),
  })
  .meta({ id: 'Certificate', description: 'The certificate the latest https check of the monitor saw.' });

export const VantageSchema = z
  .strictObject({
    region: z.string().meta({ description: 'The vantage point: the home region first, then each confirmer region (monitors.yml confirm.regions).' }),
    ok: z.boolean().nullable().meta({ description: 'Whether its check passed; null when it abstained (an error, throttling, or past the deadline): it counted neither way.' }),
    reason: z.string().nullable().meta({ description: 'Why it failed (the category: `timeout`, `http-status`) or abstained (`abstained: deadline`); null when it passed.' }),
    latencyMs: z.number().min(0).nullable().meta({ description: "Its check's latency; null when it abstained." }),
  })
  .meta({ id: 'Vantage', description: "One vantage point's check of a failure being confirmed (multi-region confirmation)." });

export const RegionalFailureSchema = z
  .strictObject({
    since: isoTime.meta({ description: 'The first check of the failure that only a minority of vantage points saw.' }),
    checkedAt: isoTime.meta({ description: 'The latest such check.' }),
  })
  .meta({
    id: 'RegionalFailure',
    description: 'The home region sees the monitor fail but fewer than the quorum of vantage points do: no outage is declared (and no alert sent unless confirm.alertOnRegional). Cleared by the next successful check.',
  });

export const MonitorDetailSchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    type: monitorType,
    url: publicUrl,
    method: z.string(),
    intervalMs: z.int().min(1),
    timeoutMs: z.int().min(1),
    failureThreshold: z.int().min(1),
    successThreshold: z.int().min(1),
    expect: ExpectationsSchema,
    status: monitorStatus,
    since: isoTime.nullable(),
    heldBy,
    maintenance,
    failuresInRow: count,
    successesInRow: count,
    lastFailureReason: publicReason.meta({ description: 'The category of the last failed check (`timeout`, `http-status 503`), null when none is known. The detail is in the logs and alerts.' }),
    lastCheckedAt: isoTime.nullable(),
    lastResult: LastResultSchema.nullable(),
    certificate: CertificateSchema.nullable().meta({ description: 'Null for a monitor that is not https, or before its first check.' }),
    regional: RegionalFailureSchema.nullable().meta({ description: 'While a failure is seen from a minority of vantage points only (monitors.yml confirm); null otherwise.' }),
    vantage: z.array(VantageSchema).meta({
      description:
        'The latest confirmation of a failure, per vantage point (home region first): kept while the failure is regional, or while the confirmed outage lasts. Empty when there is none, and always without monitors.yml confirm.',
    }),
  })
  .meta({ id: 'MonitorDetail', description: 'The monitor without its headers or notification recipients.' });

export const TimeRangeSchema = z
  .strictObject({ from: isoTime, to: isoTime })
  .meta({ id: 'TimeRange', description: 'An interval, ISO-8601 UTC, from before to.' });

export const LatencySchema = z
  .strictObject({ avg: count, p50: count, p95: count })
  .meta({ id: 'Latency', description: 'Response times of the successful checks, whole milliseconds; percentiles within about 2.5 %.' });

export const UptimeSchema = z
  .strictObject({
    monitorId: z.string(),
    window: TimeRangeSchema.meta({ description: 'The time range the figures cover.' }),
    uptimePercent: percent.meta({ description: 'Time UP over time UP or DOWN in the range, maintenance left out; null when neither was seen (or all of it was maintenance).' }),
    downtimeSeconds: seconds.meta({ description: 'Time DOWN in the range, outside maintenance.' }),
    maintenanceSeconds,
    outages: count.meta({ description: 'Outages overlapping the range, maintenance or not.' }),
    longestOutageSeconds: seconds.meta({ description: 'Full length of the longest of them, not cut to the range.' }),
    mttrSeconds: seconds.nullable().meta({ description: 'Mean full length of the outages that ended in the range.' }),
    mtbfSeconds: seconds.nullable().meta({ description: 'UP time in the range (maintenance left out) over the outages that began in it.' }),
    checks: count.meta({ description: 'Checks run in the range (run history is kept 35 days by default).' }),
    failedChecks: count,
    latencyMs: LatencySchema.nullable(),
  })
  .meta({ id: 'Uptime' });

export const IncidentSchema = z
  .strictObject({
    startedAt: isoTime,
    confirmedAt: isoTime,
    endedAt: isoTime.nullable().meta({ description: 'Null while the monitor is still down.' }),
    durationSeconds: seconds,
    reason: publicReason.meta({ description: 'The category of the failure that started it (`timeout`, `http-status 503`).' }),
  })
  .meta({ id: 'Incident' });

export const IncidentsSchema = z.strictObject({ monitorId: z.string(), incidents: z.array(IncidentSchema) }).meta({ id: 'Incidents' });

export const DayUptimeSchema = z
  .strictObject({
    date: z.string().meta({ format: 'date', description: 'The UTC day.' }),
    uptimePercent: percent.meta({ description: 'Null when nothing was tracked that day, or all of it was maintenance.' }),
    downtimeSeconds: seconds,
    maintenanceSeconds,
    outages: count,
  })
  .meta({ id: 'DayUptime' });

export const DailyUptimeSchema = z
  .strictObject({
    monitorId: z.string(),
    days: z.array(DayUptimeSchema).meta({ description: 'Oldest first; the last one is today, up to now.' }),
  })
  .meta({ id: 'DailyUptime' });

export const ReportMonitorSchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    type: monitorType,
    uptimePercent: percent.meta({ description: 'Time UP over time UP or DOWN in the month, maintenance left out.' }),
    downtimeSeconds: seconds,
    maintenanceSeconds,
    monitoredSeconds: seconds.meta({ description: 'Time UP, DOWN or in maintenance in the month.' }),
    incidents: count,
    longestIncidentSeconds: seconds.meta({ description: 'Full length, not cut to the month.' }),
  })
  .meta({ id: 'ReportMonitor' });

export const ReportSchema = z
  .strictObject({
    month: z.string().regex(/^\d{4}-\d{2}$/),
    window: TimeRangeSchema.meta({ description: 'The calendar month as a time range.' }),
    generatedAt: isoTime,
    monitors: z.array(ReportMonitorSchema),
  })
  .meta({ id: 'Report' });

export const BADGE_COLORS = ['brightgreen', 'green', 'yellowgreen', 'yellow', 'orange', 'red', 'lightgrey', 'blue'] as const;

export const ShieldsEndpointSchema = z
  .strictObject({ schemaVersion: z.literal(1), label: z.string(), message: z.string(), color: z.enum(BADGE_COLORS) })
  .meta({ id: 'ShieldsEndpoint' });

export const OpenApiSchema = z
  .looseObject({ openapi: z.string().regex(/^3\.1\.\d+$/), info: z.looseObject({}), paths: z.looseObject({}) })
  .meta({ id: 'OpenApi' });

export type ErrorBody = z.infer<typeof ErrorBodySchema>;
export type ErrorCode = ErrorBody['error']['code'];
export type HealthBody = z.infer<typeof HealthSchema>;
export type ActiveMaintenanceBody = z.infer<typeof ActiveMaintenanceSchema>;
export type MonitorSummary = z.infer<typeof MonitorSummarySchema>;
export type MonitorListBody = z.infer<typeof MonitorListSchema>;
export type LastResult = z.infer<typeof LastResultSchema>;
export type MonitorDetail = z.infer<typeof MonitorDetailSchema>;
export type UptimeBody = z.infer<typeof UptimeSchema>;
export type IncidentsBody = z.infer<typeof IncidentsSchema>;
export type DailyUptimeBody = z.infer<typeof DailyUptimeSchema>;
export type ReportBody = z.infer<typeof ReportSchema>;
export type ShieldsEndpointBody = z.infer<typeof ShieldsEndpointSchema>;
