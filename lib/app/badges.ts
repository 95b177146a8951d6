import {
  buildResponseTimeBadge,
  buildStatusBadge,
  buildUptimeBadge,
  renderBadgeSvg,
  toShieldsEndpoint,
  type Badge,
} from '../domain/badge';
import { BadRequestError, quoteInput } from '../domain/errors';
import { describeLatency, mergeRunStats } from '../domain/run-stats';
import { computeUptime, resolveWindow } from '../domain/uptime';
import {
  buildPublicJsonResponse,
  buildSvgResponse,
  findMonitor,
  rawRunsSince,
  type ApiDeps,
  type ApiResponse,
  type QueryParameters,
} from './api';
import { loadHourlyRunStats } from './run-history';

/** The windows a badge can show, and the one it shows by default (as the uptime API). */
export const BADGE_WINDOWS = ['24h', '7d', '30d'] as const;
export type BadgeWindow = (typeof BADGE_WINDOWS)[number];
export const DEFAULT_BADGE_WINDOW: BadgeWindow = '24h';

export type BadgeKind = 'status' | 'uptime' | 'response-time';

/** `window` of a badge: 24h, 7d or 30d, default 24h. Throws BadRequestError for anything else. */
export function parseBadgeWindow(text: string | undefined): BadgeWindow {
  if (text === undefined) return DEFAULT_BADGE_WINDOW;
  const window = BADGE_WINDOWS.find((candidate) => candidate === text);
  if (!window) throw new BadRequestError(`window must be one of ${BADGE_WINDOWS.join(', ')}, got ${quoteInput(text)}`);
  return window;
}

/** A badge's content: the monitor's status (labelled with its name), its uptime or its average response time. */
export async function getBadge(deps: ApiDeps, kind: BadgeKind, monitorId: string, query: QueryParameters): Promise<Badge> {
  const monitor = findMonitor(deps.config, monitorId);
  if (kind === 'status') {
    const state = await deps.store.loadState(monitor.id);
    return buildStatusBadge(monitor.name, state?.status ?? 'UNKNOWN');
  }
  const windowName = parseBadgeWindow(query.window);
  const nowDate = deps.now();
  const now = nowDate.toISOString();
  const window = resolveWindow({ window: windowName }, now);
  if (kind === 'uptime') {
    const report = computeUptime(await deps.store.listTransitions(monitor.id), window, now);
    return buildUptimeBadge(windowName, report.uptimePercent);
  }
  const hours = (await loadHourlyRunStats(deps, [monitor.id], window, rawRunsSince(nowDate))).get(monitor.id) ?? [];
  const latency = describeLatency(mergeRunStats(hours.map((hour) => hour.stats)).latency);
  return buildResponseTimeBadge(windowName, latency?.avg ?? null);
}

/** `GET /badges/{id}/status.svg`, `/uptime.svg`, `/response-time.svg`: the badge as SVG, kept for a short while. */
export async function serveBadgeSvg(deps: ApiDeps, kind: BadgeKind, monitorId: string, query: QueryParameters): Promise<ApiResponse> {
  const create = async () => buildSvgResponse(renderBadgeSvg(await getBadge(deps, kind, monitorId, query)));
  return serveCached(deps, `svg:${kind}:${monitorId}:${kind === 'status' ? '' : (query.window ?? '')}`, create);
}

/** `GET /badges/{id}/uptime.json`: the uptime badge as a shields.io endpoint. */
export async function serveUptimeShield(deps: ApiDeps, monitorId: string, query: QueryParameters): Promise<ApiResponse> {
  const create = async () => buildPublicJsonResponse(toShieldsEndpoint(await getBadge(deps, 'uptime', monitorId, query)));
  return serveCached(deps, `shield:uptime:${monitorId}:${query.window ?? ''}`, create);
}

function serveCached(deps: ApiDeps, key: string, create: () => Promise<ApiResponse>): Promise<ApiResponse> {
  return deps.responseCache ? deps.responseCache.getOrCreate(key, deps.now().getTime(), create) : create();
}
