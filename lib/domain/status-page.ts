import { describeExpiry } from './certificate';
import { formatDuration } from './duration';
import { escapeMarkup as esc, formatPercent, formatTime } from './format';
import type { ActiveMaintenance, PlannedMaintenance } from './maintenance';
import { DAY_MS, HOUR_MS, SECOND_MS } from './time';
import type { LatencyFigures } from './run-stats';
import type { PublicWindowName } from './time-range';
import type { Announcement, AnnouncementSeverity, MonitorStatus, MonitorType } from './types';

/**
 * The public status page: a pure function from the page's data to one HTML document with its CSS
 * inline and no script. Every text that comes from the monitors file or from a target (names,
 * announcements, window names, failure reasons) is escaped. Times are shown in UTC.
 */

/** One UTC day of a monitor's bar (lib/domain/uptime.ts DayUptime fits it). */
export interface StatusPageDay {
  /** `YYYY-MM-DD`. */
  date: string;
  /** Up over up plus down time, maintenance left out; null when neither was seen. */
  uptimePercent: number | null;
  downtimeSeconds: number;
  /** Time in maintenance windows, counted neither up nor down; absent: none. */
  maintenanceSeconds?: number;
}

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
  days: readonly StatusPageDay[];
  /** Average response time of successful checks per hour over the last 24 hours, oldest first. */
  responseTimes: ReadonlyArray<{ from: string; averageMs: number | null }>;
  /** Response time over the same 24 hours. */
  latency: LatencyFigures | null;
  /** Only for a certificate within its monitor's largest warnBefore (lib/domain/certificate.ts): the page marks it. */
  certificate?: { expiresAt: string; daysLeft: number };
  /** The maintenance window the monitor is in now, if any: the page shows it instead of its status. */
  maintenance?: ActiveMaintenance;
  /** The next maintenance window planned for it (within the page's horizon), if any. */
  plannedMaintenance?: PlannedMaintenance;
  /**
   * While its outage is held back by a monitor it depends on (lib/domain/dependencies.ts): that
   * monitor's name, or null when that monitor is not public (the page does not name it).
   */
  heldBy?: string | null;
  /**
   * While a failure is seen from a minority of vantage points only (multi-region confirmation): the
   * regions that see it fail and those that reach the service, since its first such check.
   */
  regional?: { since: string; failingFrom: string[]; reachableFrom: string[] };
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

/** A group of monitors, by id, as monitors.yml `statusPage.groups` lists them. */
export interface StatusPageGroup {
  name: string;
  monitorIds: readonly string[];
}

export interface StatusPageView {
  title: string;
  description?: string;
  /** When the page was made. */
  generatedAt: string;
  /** Every monitor shown, in the order of monitors.yml. */
  monitors: readonly StatusPageMonitor[];
  /** Groups shown first, in order; the monitors in no group follow them. None: one plain list. */
  groups?: readonly StatusPageGroup[];
  /** The announcements to show (those active now: selectActiveAnnouncements). */
  announcements?: readonly Announcement[];
  /** The latest incidents of all monitors, newest first. */
  incidents: readonly StatusPageIncident[];
  /** How old the page can be when someone sees it, at most (the caches' time); shown in the footer. */
  freshnessSeconds?: number;
}

export type OverallStatus = 'operational' | 'maintenance' | 'partial-outage' | 'major-outage' | 'unknown';

/** A monitor's status as the page shows it: its state's, or MAINTENANCE while in a window. */
export type PageStatus = MonitorStatus | 'MAINTENANCE';

/** How many of the newest days stay visible on a narrow screen. */
const NARROW_SCREEN_DAYS = 30;

/**
 * The overall state of a set of monitors (the page, or one group). A monitor in maintenance is left
 * out of the outage count: its downtime is planned. Of the others, some down: partial outage; every
 * established one down: major outage. None down and some in maintenance: under maintenance (the
 * page says so rather than "operational", so that a visitor sees why a service may not answer).
 * Otherwise all up (or some not established yet): operational; none established: unknown.
 */
export function summarizeOverall(statuses: readonly PageStatus[]): OverallStatus {
  const down = statuses.filter((status) => status === 'DOWN').length;
  const up = statuses.filter((status) => status === 'UP').length;
  if (down > 0) return up === 0 ? 'major-outage' : 'partial-outage';
  if (statuses.includes('MAINTENANCE')) return 'maintenance';
  return up > 0 ? 'operational' : 'unknown';
}

/** A monitor's status as the page shows it. */
export function pageStatusOf(monitor: Pick<StatusPageMonitor, 'status' | 'maintenance'>): PageStatus {
  return monitor.maintenance ? 'MAINTENANCE' : monitor.status;
}

/** The announcements shown at `nowMs`: from <= now < until, either bound open. */
export function selectActiveAnnouncements(announcements: readonly Announcement[], nowMs: number): Announcement[] {
  return announcements.filter(
    (note) => (note.from === undefined || Date.parse(note.from) <= nowMs) && (note.until === undefined || nowMs < Date.parse(note.until)),
  );
}

const OVERALL_TEXT: Readonly<Record<OverallStatus, string>> = {
  operational: 'All systems operational',
  maintenance: 'Under maintenance',
  'partial-outage': 'Partial outage',
  'major-outage': 'Major outage',
  unknown: 'Status not known yet',
};

/** A group's status line: `Payments: partial outage`. */
const GROUP_TEXT: Readonly<Record<OverallStatus, string>> = {
  operational: 'operational',
  maintenance: 'under maintenance',
  'partial-outage': 'partial outage',
  'major-outage': 'major outage',
  unknown: 'status not known yet',
};

const STATUS_TEXT: Readonly<Record<PageStatus, string>> = { UP: 'Up', DOWN: 'Down', UNKNOWN: 'Unknown', MAINTENANCE: 'Maintenance' };

/** Severity in words, so that it never rests on colour alone. */
const SEVERITY_TEXT: Readonly<Record<AnnouncementSeverity, string>> = { info: 'Information', warning: 'Warning', critical: 'Critical' };

/**
 * The shades of the daily bars, best first: each a lower bound of the day's uptime in percent and
 * its class. A graded scale, so that a day at 56% does not look like a day at 0%.
 */
export const UPTIME_SHADES: ReadonlyArray<{ atLeast: number; className: string; label: string }> = [
  { atLeast: 100, className: 'u-full', label: '100%' },
  { atLeast: 99, className: 'u-high', label: '99% or more' },
  { atLeast: 95, className: 'u-mid', label: '95% or more' },
  { atLeast: 90, className: 'u-low', label: '90% or more' },
  { atLeast: 75, className: 'u-75', label: '75% or more' },
  { atLeast: 50, className: 'u-50', label: '50% or more' },
  { atLeast: 25, className: 'u-25', label: '25% or more' },
  { atLeast: 0, className: 'u-0', label: 'less than 25%' },
];

/** The response-time chart's drawing box, in SVG units (it scales with the page, text and all). */
const CHART = { width: 330, height: 104, left: 62, right: 10, top: 10, bottom: 22 } as const;

/**
 * The page's style sheet; the response's Content-Security-Policy allows exactly this one by its hash.
 * Every text colour is at least 4.5:1 against its background (WCAG AA), in both themes: the banner's
 * white text sits on a dark shade of its state's colour, the same in light and dark.
 */
export const STATUS_PAGE_CSS = `
:root{color-scheme:light dark;--bg:#f6f8fa;--card:#fff;--text:#1f2328;--muted:#59636e;--line:#d1d9e0;--up:#1a7f37;--down:#cf222e;--unknown:#59636e;--maint:#0969da;--warn:#9a6700;--chart:#0969da;--full:#2da44e;--high:#8fc93a;--mid:#d4a72c;--low:#e16f24;--u75:#db4c2c;--u50:#cf222e;--u25:#a40e26;--u0:#5c0011;--none:#d1d9e0}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--text:#e6edf3;--muted:#9198a1;--line:#30363d;--up:#3fb950;--down:#f85149;--unknown:#9198a1;--maint:#4493f8;--warn:#d29922;--chart:#4493f8;--u0:#8e1519;--none:#30363d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:960px;margin:0 auto;padding:16px}
time{white-space:nowrap}
h1{font-size:1.5rem;margin:0}
h2{font-size:1.1rem;margin:28px 0 10px}
h3,h4{font-size:1rem;margin:0;overflow-wrap:anywhere}
.page-head{margin:0 0 12px}
.page-title{font-size:1.25rem;font-weight:600;margin:0}
.description{margin:4px 0 0;color:var(--muted)}
.overall{border-radius:8px;padding:16px 20px;color:#fff}
.overall p{margin:4px 0 0}
.overall-operational{background:#116329}.overall-maintenance{background:#0550ae}.overall-partial-outage{background:#953800}.overall-major-outage{background:#a40e26}.overall-unknown{background:#57606a}
.announcements,.monitors,.incidents,.days,.windows,.scale{list-style:none;margin:0;padding:0}
.announcement{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--maint);border-radius:8px;padding:10px 14px;margin:12px 0 0;overflow-wrap:anywhere}
.announcement p{margin:0}
.announcement-warning{border-left-color:var(--warn)}.announcement-critical{border-left-color:var(--down)}
.severity{font-weight:700;margin-right:6px}
.severity-info{color:var(--maint)}.severity-warning{color:var(--warn)}.severity-critical{color:var(--down)}
.windows li{margin:0 0 6px;overflow-wrap:anywhere}
.group{margin:0 0 20px}
.group-head{margin:0 0 8px}
.monitor,.incident{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin-bottom:12px}
.monitor-head{display:flex;justify-content:space-between;align-items:baseline;gap:12px}
.state{font-weight:600;white-space:nowrap}
.state-UP,.status-operational{color:var(--up)}.state-DOWN,.status-partial-outage,.status-major-outage{color:var(--down)}.state-UNKNOWN,.status-unknown{color:var(--unknown)}.state-MAINTENANCE,.status-maintenance{color:var(--maint)}
.meta{color:var(--muted);font-size:.85rem;margin:2px 0 8px}
.certificate,.in-maintenance,.planned,.held,.regional{font-size:.85rem;margin:2px 0 8px;padding-left:6px;border-left:3px solid var(--low)}
.in-maintenance,.planned{border-left-color:var(--maint)}
.uptime{display:flex;flex-wrap:wrap;gap:4px 20px;margin:0 0 10px}
.uptime div{display:flex;gap:6px}.uptime dt{color:var(--muted)}.uptime dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
.days{display:flex;gap:2px;height:28px}
.day{flex:1 1 0;min-width:2px;border-radius:2px;background:var(--none)}
.day:hover{opacity:.7}
.u-full{background:var(--full)}.u-high{background:var(--high)}.u-mid{background:var(--mid)}.u-low{background:var(--low)}.u-75{background:var(--u75)}.u-50{background:var(--u50)}.u-25{background:var(--u25)}.u-0{background:var(--u0)}.u-none{background:var(--none)}
.maint{background-image:repeating-linear-gradient(135deg,var(--maint) 0 2px,transparent 2px 5px)}
.days-legend{display:flex;justify-content:space-between;color:var(--muted);font-size:.75rem;margin-top:2px}
.legend-narrow{display:none}
.scale{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.8rem;color:var(--muted)}
.scale li{display:flex;align-items:center;gap:5px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;border:1px solid var(--line)}
.latency{margin:10px 0 0;color:var(--muted);font-size:.85rem}
.latency figcaption{margin:0 0 4px}
.response-chart{display:block;width:100%;max-width:400px;height:auto}
.response-chart text{fill:var(--muted);font-size:11px;font-family:inherit}
.response-chart .grid{stroke:var(--line);stroke-width:1}
.response-chart polyline{fill:none;stroke:var(--chart);stroke-width:2}
.response-chart circle{fill:var(--chart)}
.response-table{margin:4px 0 0}
.response-table summary{cursor:pointer}
.response-table table{border-collapse:collapse;margin:4px 0;font-variant-numeric:tabular-nums}
.response-table th,.response-table td{text-align:left;padding:1px 12px 1px 0}
.incident p{margin:2px 0}
.incident .reason{color:var(--muted);overflow-wrap:anywhere}
.ongoing{color:var(--down);font-weight:600}
footer{color:var(--muted);font-size:.8rem;margin:24px 0}
footer p{margin:0 0 6px}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (max-width:600px){main{padding:10px}.older{display:none}.legend-wide{display:none}.legend-narrow{display:inline}.overall{padding:12px 14px}}
`.trim();

/** The whole page. */
export function renderStatusPage(view: StatusPageView): string {
  const overall = summarizeOverall(view.monitors.map(pageStatusOf));
  const inMaintenance = view.monitors.filter((monitor) => monitor.maintenance);
  const bannerNote =
    overall === 'maintenance'
      ? ` · ${inMaintenance.length === 1 ? '1 monitor' : `${inMaintenance.length} monitors`} in planned maintenance`
      : '';
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
    '<div class="page-head">',
    `<p class="page-title">${esc(view.title)}</p>`,
    view.description === undefined ? '' : `<p class="description">${esc(view.description)}</p>`,
    '</div>',
    `<header class="overall overall-${overall}" id="overall" data-status="${overall}">`,
    `<h1>${esc(OVERALL_TEXT[overall])}</h1>`,
    `<p>Updated ${renderTime(view.generatedAt)}${bannerNote}</p>`,
    '</header>',
    renderAnnouncements(view.announcements ?? []),
    renderMaintenance(view.monitors),
    '<section aria-labelledby="monitors-heading">',
    '<h2 id="monitors-heading">Monitors</h2>',
    view.monitors.length > 0 ? renderMonitorList(view) : '<p>No monitors are configured.</p>',
    view.monitors.length > 0 ? renderScale() : '',
    '</section>',
    '<section aria-labelledby="incidents-heading">',
    '<h2 id="incidents-heading">Recent incidents</h2>',
    view.incidents.length > 0
      ? `<ol class="incidents">${view.incidents.map(renderIncident).join('')}</ol>`
      : '<p class="no-incidents">No incidents recorded.</p>',
    '</section>',
    '<footer>',
    '<p>Uptime is the time a monitor was up over the time it was checked; time before its first checks is left out, and so is time in planned maintenance, which the daily bars show striped. Days are UTC days. Response times are those of successful checks.</p>',
    view.freshnessSeconds === undefined ? '' : `<p class="freshness">This page is at most ${view.freshnessSeconds} seconds older than the API's answers.</p>`,
    '</footer>',
    '</main>',
    '</body>',
    '</html>',
  ].join('\n');
}

function renderAnnouncements(announcements: readonly Announcement[]): string {
  if (announcements.length === 0) return '';
  const items = announcements.map((note) => {
    const until = note.until === undefined ? '' : ` <span class="until">(until ${renderTime(note.until)})</span>`;
    return (
      `<li class="announcement announcement-${note.severity}" data-severity="${note.severity}">` +
      `<p><strong class="severity severity-${note.severity}">${SEVERITY_TEXT[note.severity]}:</strong> ${esc(note.text)}${until}</p></li>`
    );
  });
  return `<section aria-label="Announcements"><ul class="announcements">${items.join('')}</ul></section>`;
}

/** A window and the monitors it covers, listed once however many monitors share it. */
interface WindowEntry {
  name: string;
  startAt?: string;
  until: string;
  monitorNames: string[];
}

function collectWindows(entries: ReadonlyArray<{ name: string; startAt?: string; until: string; monitorName: string }>): WindowEntry[] {
  const byKey = new Map<string, WindowEntry>();
  for (const entry of entries) {
    const key = JSON.stringify([entry.name, entry.startAt ?? '', entry.until]);
    const known = byKey.get(key);
    if (known) known.monitorNames.push(entry.monitorName);
    else byKey.set(key, { name: entry.name, ...(entry.startAt === undefined ? {} : { startAt: entry.startAt }), until: entry.until, monitorNames: [entry.monitorName] });
  }
  return [...byKey.values()].sort((a, b) => ((a.startAt ?? '') < (b.startAt ?? '') ? -1 : (a.startAt ?? '') > (b.startAt ?? '') ? 1 : 0));
}

/** The windows under way now and the next planned ones, each with the monitors it covers. */
function renderMaintenance(monitors: readonly StatusPageMonitor[]): string {
  const now = collectWindows(
    monitors.flatMap((monitor) => (monitor.maintenance ? [{ name: monitor.maintenance.name, until: monitor.maintenance.until, monitorName: monitor.name }] : [])),
  );
  const planned = collectWindows(
    monitors.flatMap((monitor) =>
      monitor.plannedMaintenance ? [{ ...monitor.plannedMaintenance, monitorName: monitor.name }] : [],
    ),
  );
  if (now.length === 0 && planned.length === 0) return '';
  const covers = (entry: WindowEntry) => esc(entry.monitorNames.join(', '));
  return [
    '<section aria-labelledby="maintenance-heading">',
    '<h2 id="maintenance-heading">Maintenance</h2>',
    now.length > 0
      ? `<ul class="windows windows-now">${now
          .map((entry) => `<li><strong>Under way: ${esc(entry.name)}</strong>, until ${renderTime(entry.until)} · ${covers(entry)}</li>`)
          .join('')}</ul>`
      : '',
    planned.length > 0
      ? `<ul class="windows windows-planned">${planned
          .map(
            (entry) =>
              `<li><strong>Planned: ${esc(entry.name)}</strong>, ${renderTime(entry.startAt ?? entry.until)} to ${renderTime(entry.until)} · ${covers(entry)}</li>`,
          )
          .join('')}</ul>`
      : '',
    '</section>',
  ].join('');
}

/** The groups, each with its status line, then the monitors in no group; or one list without groups. */
function renderMonitorList(view: StatusPageView): string {
  const groups = (view.groups ?? [])
    .map((group) => ({
      name: group.name,
      monitors: group.monitorIds.flatMap((id) => view.monitors.filter((monitor) => monitor.id === id)),
    }))
    .filter((group) => group.monitors.length > 0);
  if (groups.length === 0) return `<ul class="monitors">${view.monitors.map((monitor) => renderMonitor(monitor, 3, view.generatedAt)).join('')}</ul>`;
  const grouped = new Set(groups.flatMap((group) => group.monitors.map((monitor) => monitor.id)));
  const rest = view.monitors.filter((monitor) => !grouped.has(monitor.id));
  const sections = groups.map((group, index) => {
    const status = summarizeOverall(group.monitors.map(pageStatusOf));
    return [
      `<section class="group" aria-labelledby="group-${index}" data-status="${status}">`,
      `<h3 class="group-head" id="group-${index}">${esc(group.name)}: <span class="group-status status-${status}">${GROUP_TEXT[status]}</span></h3>`,
      `<ul class="monitors">${group.monitors.map((monitor) => renderMonitor(monitor, 4, view.generatedAt)).join('')}</ul>`,
      '</section>',
    ].join('');
  });
  if (rest.length > 0) {
    sections.push(
      [
        '<section class="group" aria-labelledby="group-other">',
        '<h3 class="group-head" id="group-other">Other monitors</h3>',
        `<ul class="monitors">${rest.map((monitor) => renderMonitor(monitor, 4, view.generatedAt)).join('')}</ul>`,
        '</section>',
      ].join(''),
    );
  }
  return sections.join('');
}

function renderMonitor(monitor: StatusPageMonitor, level: 3 | 4, nowIso: string): string {
  const status = pageStatusOf(monitor);
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
    `<h${level} class="monitor-name">${esc(monitor.name)}</h${level}>`,
    `<span class="state state-${status}">${STATUS_TEXT[status]}</span>`,
    '</div>',
    `<p class="meta"><span class="type" data-type="${monitor.type}">${TYPE_TEXT[monitor.type]}</span> · ${since}${checked}</p>`,
    monitor.maintenance
      ? `<p class="in-maintenance">In maintenance: ${esc(monitor.maintenance.name)}, until ${renderTime(monitor.maintenance.until)}</p>`
      : '',
    monitor.heldBy !== undefined
      ? `<p class="held">Down with ${monitor.heldBy === null ? 'a service it depends on' : `${esc(monitor.heldBy)}, which it depends on`}</p>`
      : '',
    monitor.regional
      ? `<p class="regional" data-since="${esc(monitor.regional.since)}">Failing from ${esc(listRegions(monitor.regional.failingFrom))} only since ${renderTime(monitor.regional.since)}${
          monitor.regional.reachableFrom.length > 0 ? `; reachable from ${esc(listRegions(monitor.regional.reachableFrom))}` : ''
        }</p>`
      : '',
    monitor.plannedMaintenance
      ? `<p class="planned">Planned maintenance: ${esc(monitor.plannedMaintenance.name)}, ${renderTime(monitor.plannedMaintenance.startAt)} to ${renderTime(monitor.plannedMaintenance.until)}</p>`
      : '',
    monitor.certificate
      ? `<p class="certificate" data-expires-at="${esc(monitor.certificate.expiresAt)}">Certificate ${monitor.certificate.daysLeft < 0 ? 'expired' : describeExpiry(monitor.certificate.daysLeft)} (${renderTime(monitor.certificate.expiresAt)})</p>`
      : '',
    `<dl class="uptime">${windows
      .map(([window, text]) => `<div><dt>${text}</dt><dd data-window="${window}">${esc(formatPercent(monitor.uptime[window]))}</dd></div>`)
      .join('')}</dl>`,
    renderDays(monitor),
    renderLatency(monitor, nowIso),
    '</li>',
  ].join('');
}

function renderDays(monitor: StatusPageMonitor): string {
  const count = monitor.days.length;
  const hidden = Math.max(0, count - NARROW_SCREEN_DAYS);
  const blocks = monitor.days.map((day, index) => {
    const text = describeDay(day);
    const classes = ['day', uptimeClass(day.uptimePercent), ...((day.maintenanceSeconds ?? 0) > 0 ? ['maint'] : []), ...(index < hidden ? ['older'] : [])];
    return `<li class="${classes.join(' ')}" title="${esc(text)}" data-date="${day.date}"><span class="visually-hidden">${esc(text)}</span></li>`;
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

/** The key to the bars' shades, once per page. */
function renderScale(): string {
  const items = [
    ...UPTIME_SHADES.map((shade) => `<li><span class="swatch ${shade.className}"></span>${esc(shade.label)}</li>`),
    '<li><span class="swatch u-none"></span>no data</li>',
    '<li><span class="swatch u-none maint"></span>planned maintenance (striped)</li>',
  ];
  return `<ul class="scale" aria-label="Key to the daily bars: uptime of the day">${items.join('')}</ul>`;
}

/** A day in words, for its title and screen readers: `2024-05-14: 97.50% up, down 36 min, maintenance 2 h`. */
export function describeDay(day: StatusPageDay): string {
  const maintenanceSeconds = day.maintenanceSeconds ?? 0;
  const maintenance = maintenanceSeconds > 0 ? `maintenance ${formatDuration(maintenanceSeconds * SECOND_MS, 'spaced')}` : '';
  if (day.uptimePercent === null) return maintenance === '' ? `${day.date}: no data` : `${day.date}: ${maintenance}`;
  const downtime = day.downtimeSeconds > 0 ? `down ${formatDuration(day.downtimeSeconds * SECOND_MS, 'spaced')}` : 'no downtime';
  return `${day.date}: ${formatPercent(day.uptimePercent)} up, ${downtime}${maintenance === '' ? '' : `, ${maintenance}`}`;
}

/** The class of a day's shade (UPTIME_SHADES), `u-none` without data. */
export function uptimeClass(percent: number | null): string {
  if (percent === null) return 'u-none';
  return (UPTIME_SHADES.find((shade) => percent >= shade.atLeast) ?? UPTIME_SHADES[UPTIME_SHADES.length - 1])?.className ?? 'u-0';
}

function renderLatency(monitor: StatusPageMonitor, nowIso: string): string {
  const figures = monitor.latency;
  const caption =
    figures === null
      ? 'Response time, last 24 hours: no successful check'
      : `Response time, last 24 hours: average ${figures.avg} ms, median ${figures.p50} ms, 95th percentile ${figures.p95} ms`;
  const points = monitor.responseTimes.filter((point): point is { from: string; averageMs: number } => point.averageMs !== null);
  if (points.length === 0) return `<figure class="latency"><figcaption>${esc(caption)}</figcaption></figure>`;
  return [
    '<figure class="latency">',
    `<figcaption>${esc(caption)}</figcaption>`,
    renderResponseChart(monitor.responseTimes, caption, nowIso),
    renderResponseTable(points, monitor.name),
    '</figure>',
  ].join('');
}

/** A round number at or above `value` for the top of a scale: 1, 2, 2.5 or 5 times a power of ten. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * power >= value) ?? 10;
  return step * power;
}

const hourText = (fromIso: string) => {
  const fromMs = Date.parse(fromIso);
  const text = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  return `${text(fromMs)}–${text(Math.floor(fromMs / HOUR_MS) * HOUR_MS + HOUR_MS)} UTC`;
};

/**
 * The hourly averages of the last 24 hours on a time axis (24 hours ago to the last hour) with a
 * scale from 0 ms to a round number above the highest: gridlines with their values, each hour a
 * point with its value as hover text (an SVG <title>), consecutive hours joined by a line. One or two
 * hours of data read as points, never as a clipped dot. The table after it holds the same values for
 * keyboards and screen readers.
 */
function renderResponseChart(points: StatusPageMonitor['responseTimes'], caption: string, nowIso: string): string {
  const { width, height, left, right, top, bottom } = CHART;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const max = niceCeiling(Math.max(...points.map((point) => point.averageMs ?? 0)));
  // The axis: from the hour 24 hours ago to the hour in progress, each hour at its start.
  const endMs = Math.floor(Date.parse(nowIso) / HOUR_MS) * HOUR_MS;
  const startMs = endMs - DAY_MS;
  const x = (fromIso: string) => left + (Math.min(DAY_MS, Math.max(0, Math.floor(Date.parse(fromIso) / HOUR_MS) * HOUR_MS - startMs)) / DAY_MS) * plotWidth;
  const y = (ms: number) => top + plotHeight - (ms / max) * plotHeight;
  const grid = [0, max / 2, max].map((value) => {
    const at = y(value).toFixed(1);
    return `<line class="grid" x1="${left}" x2="${width - right}" y1="${at}" y2="${at}"/><text x="${left - 6}" y="${at}" text-anchor="end" dominant-baseline="middle">${formatMs(value)}</text>`;
  });
  const axis = [
    `<text x="${left}" y="${height - 6}" text-anchor="start">24 h ago</text>`,
    `<text x="${(left + plotWidth / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle">12 h ago</text>`,
    `<text x="${width - right}" y="${height - 6}" text-anchor="end">now</text>`,
  ];
  const segments: string[][] = [];
  let current: string[] = [];
  let previousMs: number | undefined;
  const dots: string[] = [];
  for (const point of points) {
    const hourMs = Math.floor(Date.parse(point.from) / HOUR_MS) * HOUR_MS;
    if (point.averageMs === null || (previousMs !== undefined && hourMs - previousMs > HOUR_MS)) {
      if (current.length > 0) segments.push(current);
      current = [];
    }
    if (point.averageMs === null) {
      previousMs = undefined;
      continue;
    }
    const px = x(point.from).toFixed(1);
    const py = y(point.averageMs).toFixed(1);
    current.push(`${px},${py}`);
    dots.push(`<circle cx="${px}" cy="${py}" r="3"><title>${esc(`${hourText(point.from)}: ${formatMs(point.averageMs)}`)}</title></circle>`);
    previousMs = hourMs;
  }
  if (current.length > 0) segments.push(current);
  const lines = segments.filter((segment) => segment.length > 1).map((segment) => `<polyline points="${segment.join(' ')}"/>`);
  return (
    `<svg class="response-chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`${caption}; chart from 0 to ${formatMs(max)}`)}">` +
    `${grid.join('')}${axis.join('')}${lines.join('')}${dots.join('')}</svg>`
  );
}

/** The hourly values as a table, folded away by default (no script needed). */
function renderResponseTable(points: ReadonlyArray<{ from: string; averageMs: number }>, monitorName: string): string {
  const rows = points.map((point) => `<tr><td>${esc(hourText(point.from))}</td><td>${esc(formatMs(point.averageMs))}</td></tr>`);
  return [
    '<details class="response-table">',
    `<summary>Hourly response times (${points.length === 1 ? '1 hour' : `${points.length} hours`})</summary>`,
    '<table>',
    `<caption class="visually-hidden">${esc(`Average response time of ${monitorName} per hour, last 24 hours`)}</caption>`,
    '<thead><tr><th scope="col">Hour</th><th scope="col">Average</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
    '</details>',
  ].join('');
}

function formatMs(ms: number): string {
  return `${Math.round(ms).toLocaleString('en-US')} ms`;
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

/** `a`, `a and b`, `a, b and c`. */
function listRegions(regions: readonly string[]): string {
  return regions.length <= 1 ? (regions[0] ?? '') : `${regions.slice(0, -1).join(', ')} and ${regions.at(-1) ?? ''}`;
}
