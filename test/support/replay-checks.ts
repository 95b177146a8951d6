import type { MonitorStateStore } from '../../lib/domain/ports';
import { tickOf } from '../../lib/domain/schedule';
import { advanceState, initialState } from '../../lib/domain/state-machine';
import type { CheckResult, MonitorConfig, MonitorState } from '../../lib/domain/types';

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
