import type { StateStep } from './state-machine';
import type { CheckResult, MonitorState, Transition } from './types';

/**
 * Dependencies between monitors (`dependsOn`): one database outage must not page people once per
 * service that uses it. Pure.
 *
 * The rules:
 * - A dependent's outage is *held back* when, as it is confirmed, one of the monitors it depends
 *   on is DOWN or its latest check failed (the parent): the dependent is DOWN, its transition is
 *   stored with `heldBy` (the API shows it), and no alert goes out.
 * - The parent's own outage alert names its dependents whose latest check failed too ("also
 *   affected").
 * - When no parent holds it any more (they are UP again, or their failure was a blip) and the
 *   dependent is still DOWN, its outage is *released*: its own outage alert goes out then, for the
 *   outage as it began, and its reminders go on from there.
 * - A held outage that ends while still held sends no recovery alert either: nobody was told of it.
 *
 * A run steps the parents before their dependents (`dependencyLayers`), so a parent and a
 * dependent that fail together give one alert, the parent's.
 */

export interface DependentMonitor {
  id: string;
  dependsOn: readonly string[];
}

/** A cycle in `dependsOn` as the ids along it (`a -> b -> a`), or undefined. */
export function findDependencyCycle(monitors: readonly DependentMonitor[]): string[] | undefined {
  const byId = new Map(monitors.map((monitor) => [monitor.id, monitor]));
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    if (onPath.has(id)) return [...path.slice(path.indexOf(id)), id];
    if (done.has(id)) return undefined;
    onPath.add(id);
    path.push(id);
    for (const parent of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(parent)) continue;
      const cycle = visit(parent);
      if (cycle) return cycle;
    }
    path.pop();
    onPath.delete(id);
    done.add(id);
    return undefined;
  };
  for (const monitor of monitors) {
    const cycle = visit(monitor.id);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * The monitors in layers: each one after every monitor it depends on (among those given), so a run
 * that steps the layers in order sees each parent's new state before its dependents. Monitors
 * whose parents are not among those given go in the first layer. Assumes no cycle.
 */
export function dependencyLayers<T extends DependentMonitor>(monitors: readonly T[]): T[][] {
  const ids = new Set(monitors.map((monitor) => monitor.id));
  const depth = new Map<string, number>();
  const byId = new Map(monitors.map((monitor) => [monitor.id, monitor]));
  const depthOf = (monitor: T, guard: number): number => {
    const known = depth.get(monitor.id);
    if (known !== undefined) return known;
    if (guard > monitors.length) return 0;
    const parents = monitor.dependsOn.filter((id) => ids.has(id)).map((id) => byId.get(id) as T);
    const value = parents.length === 0 ? 0 : 1 + Math.max(...parents.map((parent) => depthOf(parent, guard + 1)));
    depth.set(monitor.id, value);
    return value;
  };
  const layers: T[][] = [];
  for (const monitor of monitors) {
    const level = depthOf(monitor, 0);
    while (layers.length <= level) layers.push([]);
    (layers[level] as T[]).push(monitor);
  }
  return layers;
}

/** Whether a monitor holds back its dependents' outages: it is DOWN, or its latest check failed. */
export function isHolding(state: MonitorState | undefined): boolean {
  return state !== undefined && (state.status === 'DOWN' || state.failuresInRow > 0);
}

/** The first monitor of `dependsOn` that holds back this one's outage, if any. */
export function holdingParent(dependsOn: readonly string[], states: ReadonlyMap<string, MonitorState>): string | undefined {
  return dependsOn.find((id) => isHolding(states.get(id)));
}

/**
 * The ids of the monitors that depend on `parentId`, directly or through others, whose latest
 * check failed: the ones its outage alert names as also affected, in configuration order.
 */
export function affectedDependents(
  parentId: string,
  monitors: readonly DependentMonitor[],
  latest: (id: string) => CheckResult | MonitorState | undefined,
): string[] {
  const below = new Set<string>([parentId]);
  // Enough passes to follow the longest chain.
  for (let pass = 0; pass < monitors.length; pass += 1) {
    const before = below.size;
    for (const monitor of monitors) if (monitor.dependsOn.some((id) => below.has(id))) below.add(monitor.id);
    if (below.size === before) break;
  }
  return monitors
    .filter((monitor) => monitor.id !== parentId && below.has(monitor.id))
    .filter((monitor) => {
      const seen = latest(monitor.id);
      if (seen === undefined) return false;
      return 'ok' in seen ? !seen.ok : seen.status === 'DOWN' || seen.failuresInRow > 0;
    })
    .map((monitor) => monitor.id);
}

/** What dependencies make of one step: the step as stored, and the outage it releases, if any. */
export interface DependencyStep extends StateStep {
  /** The held outage's transition, released now: its alert goes out (the stored transition stays as it was). */
  released?: Transition;
}

/**
 * Applies the dependency rules to a step of a monitor whose parent (if any) holds it back now
 * (`holder`, from {@link holdingParent} over the states this run has stepped so far). The state
 * keeps a held outage's transition (`heldOutage`), which a release sends.
 */
export function applyDependencies(step: StateStep, previous: MonitorState, holder: string | undefined, tick: string): DependencyStep {
  const { transition } = step;
  if (transition?.to === 'DOWN') {
    if (holder === undefined) return step.state.heldBy === undefined ? step : { ...step, state: withoutHold(step.state) };
    const held = { ...transition, heldBy: holder };
    return { ...step, transition: held, state: { ...step.state, heldBy: holder, heldOutage: held } };
  }
  if (transition) {
    if (previous.heldBy === undefined) return step;
    // Nobody heard of the outage: nobody hears of its end.
    return { ...step, transition: { ...transition, heldBy: previous.heldBy }, state: withoutHold(step.state) };
  }
  if (step.state.status !== 'DOWN' || step.state.heldBy === undefined) return step;
  const moved = step.changed ? step.state : { ...step.state, tick, version: previous.version + 1 };
  if (holder !== undefined) {
    if (holder === step.state.heldBy) return step;
    return { ...step, state: { ...moved, heldBy: holder, ...(step.state.heldOutage ? { heldOutage: { ...step.state.heldOutage, heldBy: holder } } : {}) }, changed: true };
  }
  // Released: the outage's own alert goes out now, as the outage began.
  const heldOutage = step.state.heldOutage;
  const released = heldOutage ? (({ heldBy: _by, ...rest }) => rest)(heldOutage) : undefined;
  return { state: withoutHold(moved), changed: true, ...(released ? { released } : {}) };
}

function withoutHold(state: MonitorState): MonitorState {
  const { heldBy: _by, heldOutage: _outage, ...rest } = state;
  return rest;
}
