import { rollUpHour } from '../../lib/app/run-history';
import { mapWithConcurrency } from '../../lib/domain/concurrency';
import type { RunRollupStore, RunStores } from '../../lib/domain/ports';
import { ceilHour, floorHour } from '../../lib/domain/run-stats';
import { HOUR_MS } from '../../lib/domain/time';
import { advanceState, initialState } from '../../lib/domain/state-machine';
import type { CheckResult, FailureReason, MonitorConfig, MonitorState, RunSummary, Transition } from '../../lib/domain/types';

/** What one check of a scripted monitor sees. */
export interface ScriptedCheck {
  ok: boolean;
  latencyMs: number;
  statusCode?: number;
  reason?: FailureReason;
  message?: string;
}

export interface MonitorScript {
  monitor: MonitorConfig;
  /** The check at `tickEpochMs`; undefined when the monitor is not checked then (not in the file yet). */
  check(tickEpochMs: number): ScriptedCheck | undefined;
}

export interface OutageSpec {
  fromMs: number;
  /** The first tick that succeeds again; omit for an outage still open. */
  toMs?: number;
  reason?: FailureReason;
  message?: string;
}

/**
 * A monitor checked from `addedAtMs` on, failing during each outage (checks in [fromMs, toMs)) and
 * otherwise answering in `latencyMs(tickEpochMs)`.
 */
export function scriptMonitor(
  monitor: MonitorConfig,
  options: { addedAtMs?: number; outages?: readonly OutageSpec[]; latencyMs: (tickEpochMs: number) => number },
): MonitorScript {
  return {
    monitor,
    check(tickEpochMs) {
      if (options.addedAtMs !== undefined && tickEpochMs < options.addedAtMs) return undefined;
      const outage = options.outages?.find((spec) => tickEpochMs >= spec.fromMs && (spec.toMs === undefined || tickEpochMs < spec.toMs));
      if (outage) {
        const reason = outage.reason ?? 'timeout';
        return {
          ok: false,
          latencyMs: reason === 'timeout' ? monitor.timeoutMs : 40,
          reason,
          message: outage.message ?? (reason === 'timeout' ? `no answer within ${monitor.timeoutMs} ms` : 'unexpected answer'),
          ...(reason === 'http-status' ? { statusCode: 503 } : {}),
        };
      }
      return { ok: true, latencyMs: options.latencyMs(tickEpochMs), statusCode: 200 };
    },
  };
}

export interface SeedOptions {
  fromMs: number;
  /** The first tick not run. */
  toMs: number;
  stepMs: number;
  /** Run summaries are written for ticks from here on (older ones would have expired). */
  summariesFromMs: number;
  /** Whole hours of run summaries that ended by then are rolled up, as the probe does a few minutes after each hour. */
  rollUpUntilMs?: number;
  /** Writes in flight at once. */
  concurrency?: number;
}

export interface SeededHistory {
  transitions: Transition[];
  summaries: RunSummary[];
  rolledUpHours: number;
}

/**
 * Replays a history through the real state machine and the real stores: each scripted check
 * advances its monitor's state, every change is saved (with its transition) as the probe saves it,
 * a run summary is written per tick, and finished hours are rolled up by the probe's own rollup code.
 */
export async function seedHistory(
  stores: Pick<RunStores, 'states' | 'runs'>,
  rollups: RunRollupStore,
  scripts: readonly MonitorScript[],
  options: SeedOptions,
): Promise<SeededHistory> {
  const concurrency = options.concurrency ?? 16;
  const states = new Map<string, MonitorState>();
  const saves = new Map<string, Array<{ previous: MonitorState; next: MonitorState; transition?: Transition }>>();
  const summaries: RunSummary[] = [];
  const transitions: Transition[] = [];

  for (let tickEpochMs = options.fromMs; tickEpochMs < options.toMs; tickEpochMs += options.stepMs) {
    const tick = new Date(tickEpochMs).toISOString();
    const results: RunSummary['results'] = {};
    for (const { monitor, check } of scripts) {
      const seen = check(tickEpochMs);
      if (!seen) continue;
      const result: CheckResult = { checkedAt: tick, ...seen };
      const previous = states.get(monitor.id) ?? initialState(monitor.id, tick);
      const step = advanceState(previous, result, monitor, tick);
      if (step.changed) {
        const list = saves.get(monitor.id) ?? [];
        list.push({ previous, next: step.state, ...(step.transition ? { transition: step.transition } : {}) });
        saves.set(monitor.id, list);
        if (step.transition) transitions.push(step.transition);
        states.set(monitor.id, step.state);
      }
      results[monitor.id] = {
        ok: seen.ok,
        latencyMs: seen.latencyMs,
        ...(seen.statusCode !== undefined ? { statusCode: seen.statusCode } : {}),
        ...(seen.reason ? { reason: seen.reason } : {}),
      };
    }
    if (tickEpochMs >= options.summariesFromMs && Object.keys(results).length > 0) {
      const values = Object.values(results);
      summaries.push({
        tick,
        startedAt: new Date(tickEpochMs + 150).toISOString(),
        durationMs: 700,
        checks: values.length,
        failures: values.filter((result) => !result.ok).length,
        monitorsDown: [...states.values()].filter((state) => state.status === 'DOWN').length,
        results,
      });
    }
  }

  // Each monitor's changes in order (the store checks versions), the monitors side by side.
  await Promise.all(
    [...saves.values()].map(async (list) => {
      for (const { previous, next, transition } of list) {
        const saved = await stores.states.saveState(previous, next, transition);
        if (saved !== 'saved') throw new Error(`seeding ${next.monitorId} at ${next.tick}: ${saved}`);
      }
    }),
  );
  await mapWithConcurrency(summaries, concurrency, (summary) => stores.runs.putRunSummary(summary));

  const hours: string[] = [];
  if (options.rollUpUntilMs !== undefined) {
    for (let hourMs = ceilHour(options.summariesFromMs); hourMs + HOUR_MS <= floorHour(options.rollUpUntilMs); hourMs += HOUR_MS) {
      hours.push(new Date(hourMs).toISOString());
    }
  }
  await mapWithConcurrency(hours, Math.max(1, Math.floor(concurrency / 2)), (hour) => rollUpHour(hour, { runs: stores.runs, rollups }));
  return { transitions, summaries, rolledUpHours: hours.length };
}
