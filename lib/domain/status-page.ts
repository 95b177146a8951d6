import { describeExpiry } from './certificate';
import { formatDuration } from './duration';
import { escapeMarkup as esc, formatPercent, formatTime } from './format';
import { SECOND_MS } from './time';
import type { LatencyFigures } from './run-stats';
import type { PublicWindowName } from './time-range';
import type { MonitorStatus, MonitorType } from './types';
import type { DayUptime } from './uptime';

/**
 * The public status page: a pure function from the page's data to one HTML document with its CSS
 * inline and no script. Every text that comes from the monitors file or from a target (names,
 * failure reasons) is escaped. Times are shown in UTC.
 */

export interface StatusPageMonitor {
  id: string;
  name: string;
  type: MonitorType;
  status: MonitorStatus;
  /** When the current status began; null for a monitor never checked. */
  since: string | null;
  lastCheckedAt: string | null;
  uptime: Readonly<Record<PublicWindowName, number | null>>;
  /** Daily uptime, oldest first, the last one today. */
  days: readonly DayUptime[];
  /** Average response time of successful checks per hour over the last 24 hours, oldest first. */
  responseTimes: ReadonlyArray<{ from: string; averageMs: number | null }>;
  /** Response time over the same 24 hours. */
  latency: LatencyFigures | null;
  /** Only for a certificate within its monitor's largest warnBefore (lib/domain/certificate.ts): the page marks it. */
  certificate?: { expiresAt: string; daysLeft: number };
}

/** What each type of monitor checks, as the page names it. */
const TYPE_TEXT: Readonly<Record<MonitorType, string>> = { http: 'HTTP', tcp: 'TCP port', dns: 'DNS record', heartbeat: 'Heartbeat' };

export interface StatusPageIncident {
  monitorName: string;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number;
  reason: string | null;
}

export interface StatusPageView {
  title: string;
  /** When the page was made. */
  generatedAt: string;
  monitors: readonly StatusPageMonitor[];
  /** The latest incidents of all monitors, newest first. */
  incidents: readonly StatusPageIncident[];
}

export type OverallStatus = 'operational' | 'partial-outage' | 'major-outage' | 'unknown';

/** How many of the newest days stay visible on a narrow screen. */
const NARROW_SCREEN_DAYS = 30;
const SPARKLINE_WIDTH = 240;
const SPARKLINE_HEIGHT = 36;

/**
 * All monitors up (or some not established yet): operational; every established monitor down:
 * major outage; some down: partial outage; none established: unknown.
 */
export function summarizeOverall(statuses: readonly MonitorStatus[]): OverallStatus {
  const down = statuses.filter((status) => status === 'DOWN').length;
  const up = statuses.filter((status) => status === 'UP').length;
  if (down > 0) return up === 0 ? 'major-outage' : 'partial-outage';
  return up > 0 ? 'operational' : 'unknown';
}

const OVERALL_TEXT: Readonly<Record<OverallStatus, string>> = {
  operational: 'All systems operational',
  'partial-outage': 'Partial outage',
  'major-outage': 'Major outage',
  unknown: 'Status not known yet',
};

const STATUS_TEXT: Readonly<Record<MonitorStatus, string>> = { UP: 'Up', DOWN: 'Down', UNKNOWN: 'Unknown' };

/** The page's style sheet; the response's Content-Security-Policy allows exactly this one by its hash. */
export const STATUS_PAGE_CSS = `
:root{color-scheme:light dark;--bg:#f6f8fa;--card:#fff;--text:#1f2328;--muted:#59636e;--line:#d1d9e0;--up:#1a7f37;--down:#cf222e;--unknown:#6e7781;--full:#2da44e;--high:#8fc93a;--mid:#d4a72c;--low:#e16f24;--bad:#cf222e;--none:#d1d9e0}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--text:#e6edf3;--muted:#9198a1;--line:#30363d;--up:#3fb950;--down:#f85149;--unknown:#8b949e;--none:#30363d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:960px;margin:0 auto;padding:16px}
h1{font-size:1.5rem;margin:0}
h2{font-size:1.1rem;margin:28px 0 10px}
h3{font-size:1rem;margin:0;overflow-wrap:anywhere}
.overall{border-radius:8px;padding:16px 20px;color:#fff}
.overall p{margin:4px 0 0;opacity:.9}
.overall-operational{background:var(--up)}.overall-partial-outage{background:#bf6c00}.overall-major-outage{background:var(--down)}.overall-unknown{background:var(--unknown)}
.monitors,.incidents,.days{list-style:none;margin:0;padding:0}
.monitor,.incident{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin-bottom:12px}
.monitor-head{display:flex;justify-content:space-between;align-items:baseline;gap:12px}
.state{font-weight:600;white-space:nowrap}
.state-UP{color:var(--up)}.state-DOWN{color:var(--down)}.state-UNKNOWN{color:var(--unknown)}
.meta{color:var(--muted);font-size:.85rem;margin:2px 0 8px}
.certificate{font-size:.85rem;margin:2px 0 8px;padding-left:6px;border-left:3px solid var(--low)}
.uptime{display:flex;flex-wrap:wrap;gap:4px 20px;margin:0 0 10px}
.uptime div{display:flex;gap:6px}.uptime dt{color:var(--muted)}.uptime dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
.days{display:flex;gap:2px;height:28px}
.day{flex:1 1 0;min-width:2px;border-radius:2px;background:var(--none)}
.day:hover{opacity:.7}
.u-full{background:var(--full)}.u-high{background:var(--high)}.u-mid{background:var(--mid)}.u-low{background:var(--low)}.u-bad{background:var(--bad)}
.days-legend{display:flex;justify-content:space-between;color:var(--muted);font-size:.75rem;margin-top:2px}
.legend-narrow{display:none}
.latency{display:flex;align-items:center;gap:12px;margin:10px 0 0;color:var(--muted);font-size:.85rem}
.sparkline{width:${SPARKLINE_WIDTH}px;max-width:50%;height:${SPARKLINE_HEIGHT}px;flex:none}
.sparkline polyline{fill:none;stroke:var(--up);stroke-width:1.5;vector-effect:non-scaling-stroke}
.sparkline circle{fill:var(--up)}
.incident p{margin:2px 0}
.incident .reason{color:var(--muted);overflow-wrap:anywhere}
.ongoing{color:var(--down);font-weight:600}
footer{color:var(--muted);font-size:.8rem;margin:24px 0}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (max-width:600px){main{padding:10px}.older{display:none}.legend-wide{display:none}.legend-narrow{display:inline}.latency{flex-direction:column;align-items:flex-start}.sparkline{max-width:100%}}
`.trim();

/** The whole page. */
export function renderStatusPage(view: StatusPageView): string {
  const overall = summarizeOverall(view.monitors.map((monitor) => monitor.status));
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${esc(`${view.title}: ${OVERALL_TEXT[overall]}`)}</title>`,
    `<style>${STATUS_PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<header class="overall overall-${overall}" id="overall" data-status="${overall}">`,
    `<h1>${esc(OVERALL_TEXT[overall])}</h1>`,
    `<p>${esc(view.title)} · updated ${renderTime(view.generatedAt)}</p>`,
    '</header>',
    '<section aria-labelledby="monitors-heading">',
    '<h2 id="monitors-heading">Monitors</h2>',
    view.monitors.length > 0
      ? `<ul class="monitors">${view.monitors.map(renderMonitor).join('')}</ul>`
      : '<p>No monitors are configured.</p>',
    '</section>',
    '<section aria-labelledby="incidents-heading">',
    '<h2 id="incidents-heading">Recent incidents</h2>',
    view.incidents.length > 0
      ? `<ol class="incidents">${view.incidents.map(renderIncident).join('')}</ol>`
      : '<p class="no-incidents">No incidents recorded.</p>',
    '</section>',
    '<footer>Uptime is the time a monitor was up over the time it was checked; time before its first checks is left out. Days are UTC days. Response times are those of successful checks.</footer>',
    '</main>',
    '</body>',
    '</html>',
  ].join('\n');
}

function renderMonitor(monitor: StatusPageMonitor): string {
  const since =
    monitor.since === null
      ? 'Not checked yet'
      : `${monitor.status === 'UNKNOWN' ? 'Checking' : STATUS_TEXT[monitor.status]} since ${renderTime(monitor.since)}`;
  const checked = monitor.lastCheckedAt === null ? '' : ` · last checked ${renderTime(monitor.lastCheckedAt)}`;
  const windows: Array<[PublicWindowName, string]> = [
    ['24h', '24 hours'],
    ['7d', '7 days'],
    ['30d', '30 days'],
  ];
  return [
    `<li class="monitor" data-monitor-id="${esc(monitor.id)}">`,
    '<div class="monitor-head">',
    `<h3 class="monitor-name">${esc(monitor.name)}</h3>`,
    `<span class="state state-${monitor.status}">${STATUS_TEXT[monitor.status]}</span>`,
    '</div>',
    `<p class="meta"><span class="type" data-type="${monitor.type}">${TYPE_TEXT[monitor.type]}</span> · ${since}${checked}</p>`,
    monitor.certificate
      ? `<p class="certificate" data-expires-at="${esc(monitor.certificate.expiresAt)}">Certificate ${monitor.certificate.daysLeft < 0 ? 'expired' : describeExpiry(monitor.certificate.daysLeft)} (${renderTime(monitor.certificate.expiresAt)})</p>`
      : '',
    `<dl class="uptime">${windows
      .map(([window, text]) => `<div><dt>${text}</dt><dd data-window="${window}">${esc(formatPercent(monitor.uptime[window]))}</dd></div>`)
      .join('')}</dl>`,
    renderDays(monitor),
    renderLatency(monitor),
    '</li>',
  ].join('');
}

function renderDays(monitor: StatusPageMonitor): string {
  const count = monitor.days.length;
  const hidden = Math.max(0, count - NARROW_SCREEN_DAYS);
  const blocks = monitor.days.map((day, index) => {
    const text = describeDay(day);
    const classes = ['day', uptimeClass(day.uptimePercent), ...(index < hidden ? ['older'] : [])].join(' ');
    return `<li class="${classes}" title="${esc(text)}" data-date="${day.date}"><span class="visually-hidden">${esc(text)}</span></li>`;
  });
  const narrowDays = Math.min(count, NARROW_SCREEN_DAYS);
  return [
    `<ol class="days" aria-label="${esc(`Daily uptime of ${monitor.name}, last ${count} days`)}">${blocks.join('')}</ol>`,
    '<div class="days-legend" aria-hidden="true">',
    `<span><span class="legend-wide">${count} days ago</span><span class="legend-narrow">${narrowDays} days ago</span></span>`,
    '<span>today</span>',
    '</div>',
  ].join('');
}

function describeDay(day: DayUptime): string {
  if (day.uptimePercent === null) return `${day.date}: no data`;
  const downtime = day.downtimeSeconds > 0 ? `down ${formatDuration(day.downtimeSeconds * SECOND_MS, 'spaced')}` : 'no downtime';
  return `${day.date}: ${formatPercent(day.uptimePercent)} up, ${downtime}`;
}

function uptimeClass(percent: number | null): string {
  if (percent === null) return 'u-none';
  if (percent >= 100) return 'u-full';
  if (percent >= 99) return 'u-high';
  if (percent >= 95) return 'u-mid';
  if (percent >= 90) return 'u-low';
  return 'u-bad';
}

function renderLatency(monitor: StatusPageMonitor): string {
  const figures = monitor.latency;
  const caption =
    figures === null
      ? 'Response time, last 24 hours: no successful check'
      : `Response time, last 24 hours: average ${figures.avg} ms, median ${figures.p50} ms, 95th percentile ${figures.p95} ms`;
  return `<figure class="latency">${renderSparkline(monitor.responseTimes, caption)}<figcaption>${esc(caption)}</figcaption></figure>`;
}

/**
 * A line of the hourly averages, scaled from 0 to the highest; an hour without a successful check
 * breaks the line, and a point with no neighbour is a dot.
 */
function renderSparkline(points: StatusPageMonitor['responseTimes'], caption: string): string {
  const max = Math.max(1, ...points.map((point) => point.averageMs ?? 0));
  const step = points.length > 1 ? SPARKLINE_WIDTH / (points.length - 1) : 0;
  const margin = 2;
  const y = (ms: number) => (SPARKLINE_HEIGHT - margin - (ms / max) * (SPARKLINE_HEIGHT - 2 * margin)).toFixed(1);
  const segments: string[][] = [];
  let current: string[] = [];
  points.forEach((point, index) => {
    if (point.averageMs === null) {
      if (current.length > 0) segments.push(current);
      current = [];
      return;
    }
    current.push(`${(index * step).toFixed(1)},${y(point.averageMs)}`);
  });
  if (current.length > 0) segments.push(current);
  const shapes = segments.map((segment) => {
    if (segment.length > 1) return `<polyline points="${segment.join(' ')}"/>`;
    const [x, cy] = (segment[0] ?? '0,0').split(',');
    return `<circle cx="${x}" cy="${cy}" r="1.5"/>`;
  });
  return (
    `<svg class="sparkline" viewBox="0 0 ${SPARKLINE_WIDTH} ${SPARKLINE_HEIGHT}" preserveAspectRatio="none" role="img" aria-label="${esc(caption)}">` +
    `${shapes.join('')}</svg>`
  );
}

function renderIncident(incident: StatusPageIncident): string {
  const state =
    incident.endedAt === null
      ? `<span class="ongoing">Ongoing</span> for ${esc(formatDuration(incident.durationSeconds * SECOND_MS, 'spaced'))}`
      : `Resolved after ${esc(formatDuration(incident.durationSeconds * SECOND_MS, 'spaced'))}, at ${renderTime(incident.endedAt)}`;
  return [
    '<li class="incident">',
    `<p><strong class="incident-monitor">${esc(incident.monitorName)}</strong> · started ${renderTime(incident.startedAt)}</p>`,
    `<p>${state}</p>`,
    incident.reason === null ? '' : `<p class="reason">${esc(incident.reason)}</p>`,
    '</li>',
  ].join('');
}

function renderTime(iso: string): string {
  return `<time datetime="${esc(iso)}">${esc(formatTime(iso))}</time>`;
}
