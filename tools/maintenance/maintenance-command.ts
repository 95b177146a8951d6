import { quoteInput } from '../../lib/domain/errors';
import { formatDuration } from '../../lib/domain/duration';
import { MaintenanceSchedule, type AdHocMaintenance, type MaintenanceStore } from '../../lib/domain/maintenance';
import type { MonitorsConfig } from '../../lib/domain/types';
import type { MaintenanceAction, MaintenanceTarget } from './options';

export interface MaintenanceCommandDeps {
  store: MaintenanceStore;
  config: Pick<MonitorsConfig, 'monitors' | 'maintenance'>;
  /** The monitors file's name, for messages (monitors.yml). */
  file: string;
  /** Monitor ids the stage has besides the file's: npm start's demo monitor. */
  extraMonitorIds: readonly string[];
  /** Where the table is, for messages: `local (...)` or `stage prod (...)`. */
  where: string;
  now: () => Date;
  newWindowId: () => string;
}

/** What to print, and the exit code: 0 done, 1 not done, 2 bad input (an unknown monitor). */
export interface MaintenanceCommandResult {
  code: 0 | 1 | 2;
  line: string;
}

/**
 * Opens or closes ad-hoc windows. A store error (DynamoDB not reachable, no table) is thrown for
 * the caller to describe: what it means depends on where the table is.
 */
export async function runMaintenanceCommand(action: MaintenanceAction, deps: MaintenanceCommandDeps): Promise<MaintenanceCommandResult> {
  return action.command === 'start' ? startWindow(action, deps) : stopWindows(action.target, deps);
}

async function startWindow(action: Extract<MaintenanceAction, { command: 'start' }>, deps: MaintenanceCommandDeps): Promise<MaintenanceCommandResult> {
  const { target } = action;
  if (!target.all && !knownIds(deps).includes(target.monitorId)) return unknownMonitor(target.monitorId, deps);
  const nowMs = deps.now().getTime();
  const window: AdHocMaintenance = {
    id: deps.newWindowId(),
    name: action.name,
    ...(target.all ? {} : { monitors: [target.monitorId] }),
    startAt: new Date(nowMs).toISOString(),
    endAt: new Date(nowMs + action.durationMs).toISOString(),
  };
  await deps.store.openAdHocWindow(window);
  const covered = target.all ? `every monitor (${deps.config.monitors.length} in ${deps.file}, and any added later)` : target.monitorId;
  return {
    code: 0,
    line: `opened ${quoteInput(window.name)} for ${covered} until ${window.endAt} (${formatDuration(action.durationMs)}), ${deps.where}: its checks go on, no alert goes out`,
  };
}

async function stopWindows(target: MaintenanceTarget, deps: MaintenanceCommandDeps): Promise<MaintenanceCommandResult> {
  const now = deps.now();
  const nowMs = now.getTime();
  // Open: not ended yet. A window opened here starts when opened; one starting later (another machine's clock ahead) is ended too.
  const open = (await deps.store.listAdHocWindows()).filter((window) => Date.parse(window.endAt) > nowMs);
  const chosen = target.all ? open : open.filter((window) => window.monitors?.length === 1 && window.monitors[0] === target.monitorId);
  if (chosen.length === 0) {
    // A monitor gone from the file may still have a window open: only an id neither knows is bad input.
    if (!target.all && !knownIds(deps).includes(target.monitorId)) return unknownMonitor(target.monitorId, deps);
    return { code: 1, line: nothingOpen(target, open, deps, nowMs) };
  }
  const endAt = now.toISOString();
  for (const window of chosen) await deps.store.closeAdHocWindow(window, endAt);
  const described = chosen.map((window) => `${quoteInput(window.name)} for ${coverage(window)}, which was to end ${window.endAt}`).join('; ');
  const count = chosen.length === 1 ? 'the ad-hoc window' : `${chosen.length} ad-hoc windows`;
  return { code: 0, line: `ended ${count} at ${endAt}, ${deps.where}: ${described}` };
}

/** Why nothing was stopped: no ad-hoc window, and what else keeps the monitor(s) in maintenance. */
function nothingOpen(target: MaintenanceTarget, open: readonly AdHocMaintenance[], deps: MaintenanceCommandDeps, nowMs: number): string {
  const subject = target.all ? '' : ` for ${target.monitorId}`;
  const notes: string[] = [];
  if (!target.all) {
    // `start all` (or a window naming other monitors too) covers it: `stop ID` leaves those alone.
    for (const window of open.filter((entry) => entry.monitors === undefined || entry.monitors.includes(target.monitorId))) {
      notes.push(`the ad-hoc window ${quoteInput(window.name)} for ${coverage(window)} is open until ${window.endAt}: stop all ends it`);
    }
  }
  const configured = new MaintenanceSchedule(deps.config.maintenance);
  const ids = target.all ? deps.config.monitors.map((monitor) => monitor.id) : [target.monitorId];
  const active = new Map<string, { until: string; monitors: string[] }>();
  for (const id of ids) {
    const window = configured.activeAt(id, nowMs);
    if (!window) continue;
    const entry = active.get(window.name) ?? { until: window.until, monitors: [] };
    entry.monitors.push(id);
    active.set(window.name, entry);
  }
  for (const [name, { until, monitors }] of active) {
    const which = target.all ? ` for ${monitors.join(', ')}` : '';
    notes.push(`the window ${quoteInput(name)} of ${deps.file} is open${which} until ${until}: it can only be changed in ${deps.file}`);
  }
  return `no ad-hoc window is open${subject}, ${deps.where}${notes.map((note) => `; ${note}`).join('')}`;
}

function unknownMonitor(monitorId: string, deps: MaintenanceCommandDeps): MaintenanceCommandResult {
  return { code: 2, line: `unknown monitor ${quoteInput(monitorId)} in ${deps.file}; the monitors are ${knownIds(deps).join(', ')} (or all)` };
}

function knownIds(deps: MaintenanceCommandDeps): string[] {
  return [...new Set([...deps.config.monitors.map((monitor) => monitor.id), ...deps.extraMonitorIds])];
}

function coverage(window: AdHocMaintenance): string {
  return window.monitors === undefined ? 'every monitor' : window.monitors.join(', ');
}
