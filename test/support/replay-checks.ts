import type { MonitorStateStore } from '../../lib/domain/ports';
import { tickOf } from '../../lib/domain/schedule';
import { advanceState, initialState } from '../../lib/domain/state-machine';
import type { CheckResult, MonitorConfig, MonitorState, RunSummary } from '../../lib/domain/types';

/** A scripted check: when, in minutes from the test's now, and whether it passed. */
export type Check = [minutes: number, ok: boolean];

/**
 * Runs checks through the real state machine and stores every change with its transition, as the
 * probe does; `at` turns a check's minutes into its time. Resolves with the last state.
 */
export async function replayChecks(
  states: Pick<MonitorStateStore, 'saveState'>,
  monitor: MonitorConfig,
  checks: readonly Check[],
  at: (minutes: number) => string,
): Promise<MonitorState> {
  let state = initialState(monitor.id, at(checks[0]?.[0] ?? 0));
  for (const [minutes, ok] of checks) {
    const result: CheckResult = ok
      ? { ok, checkedAt: at(minutes), latencyMs: 80, statusCode: 200 }
      : { ok, checkedAt: at(minutes), latencyMs: 5000, reason: 'timeout', message: 'no answer within 5000 ms' };
    const step = advanceState(state, result, monitor, tickOf(result.checkedAt));
    if (step.changed) {
      const saved = await states.saveState(state, step.state, step.transition);
      if (saved !== 'saved') throw new Error(`replayChecks: ${monitor.id} at ${result.checkedAt}: the state was not saved (${saved})`);
      state = step.state;
    }
  }
  return state;
}

/**
 * A run summary of the given results at `minutes` from the test's now (`at`), started 180 ms after
 * its tick; its failures, and the monitors counted down, are the failed results.
 */
export function buildRunSummary(at: (minutes: number) => string, minutes: number, results: RunSummary['results']): RunSummary {
  const failures = Object.values(results).filter((result) => !result.ok).length;
  return {
    tick: at(minutes),
    startedAt: new Date(Date.parse(at(minutes)) + 180).toISOString(),
    durationMs: 900,
    checks: Object.keys(results).length,
    failures,
    monitorsDown: failures,
    results,
  };
}
