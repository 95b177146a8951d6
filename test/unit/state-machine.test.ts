import fc from 'fast-check';
import { advanceState, initialState, isRemovalDue, recordRemoval, supersededTransition } from '../../lib/domain/state-machine';
import type { CheckResult, MonitorState, MonitorStatus, Thresholds, Transition } from '../../lib/domain/types';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
const ok = (minute: number): CheckResult => ({ ok: true, checkedAt: at(minute), latencyMs: 10, statusCode: 200 });
const fail = (minute: number): CheckResult => ({
  ok: false,
  checkedAt: at(minute),
  latencyMs: 10,
  statusCode: 503,
  reason: 'http-status',
  message: 'expected 200, got 503',
});
const DEFAULTS: Thresholds = { failureThreshold: 2, successThreshold: 2 };

/** Feeds a pattern such as '++--' (+ success, - failure) through the machine, one check a minute. */
function run(pattern: string, thresholds = DEFAULTS, start: MonitorState = initialState('api', at(0))) {
  let state = start;
  const transitions: Transition[] = [];
  let writes = 0;
  [...pattern].forEach((symbol, index) => {
    const step = advanceState(state, symbol === '+' ? ok(index) : fail(index), thresholds, at(index));
    if (step.changed) writes += 1;
    if (step.transition) transitions.push(step.transition);
    state = step.state;
  });
  return { state, transitions, writes };
}

describe('advanceState', () => {
  it.each<[string, MonitorStatus, string[]]>([
    ['', 'UNKNOWN', []],
    ['+', 'UNKNOWN', []],
    ['++', 'UP', ['UNKNOWN->UP']],
    ['-', 'UNKNOWN', []],
    ['--', 'DOWN', ['UNKNOWN->DOWN']],
    ['++-', 'UP', ['UNKNOWN->UP']],
    ['++-+-+-+', 'UP', ['UNKNOWN->UP']],
    ['++--', 'DOWN', ['UNKNOWN->UP', 'UP->DOWN']],
    ['++----', 'DOWN', ['UNKNOWN->UP', 'UP->DOWN']],
    ['++--+', 'DOWN', ['UNKNOWN->UP', 'UP->DOWN']],
    ['++--++', 'UP', ['UNKNOWN->UP', 'UP->DOWN', 'DOWN->UP']],
    ['++--+-++', 'UP', ['UNKNOWN->UP', 'UP->DOWN', 'DOWN->UP']],
    ['--++', 'UP', ['UNKNOWN->DOWN', 'DOWN->UP']],
  ])('%j ends %s with transitions %j (thresholds 2/2)', (pattern, status, expected) => {
    const { state, transitions } = run(pattern);
    expect(state.status).toBe(status);
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(expected);
  });

  it.each<[string, Thresholds, MonitorStatus, number]>([
    ['-', { failureThreshold: 1, successThreshold: 1 }, 'DOWN', 1],
    ['+-+', { failureThreshold: 1, successThreshold: 1 }, 'UP', 3],
    ['+++--', { failureThreshold: 3, successThreshold: 3 }, 'UP', 1],
    ['+++---', { failureThreshold: 3, successThreshold: 3 }, 'DOWN', 2],
    ['+++---+++++', { failureThreshold: 3, successThreshold: 5 }, 'UP', 2],
    ['+++---++++', { failureThreshold: 3, successThreshold: 5 }, 'DOWN', 1],
  ])('%j with thresholds %j ends %s after %i transitions', (pattern, thresholds, status, count) => {
    const { state, transitions } = run(pattern, thresholds);
    expect(state.status).toBe(status);
    expect(transitions).toHaveLength(count);
  });

  it('records the first check of the streak as startedAt and the crossing check as confirmedAt', () => {
    const { transitions, state } = run('+++---');
    const outage = transitions[1];
    expect(outage).toMatchObject({
      from: 'UP',
      to: 'DOWN',
      startedAt: at(3),
      confirmedAt: at(4),
      previousSince: at(0),
      reason: 'http-status: expected 200, got 503',
      tick: at(4),
    });
    expect(state.since).toBe(at(3));
  });

  it('gives a recovery the outage start as previousSince', () => {
    const { transitions } = run('++--+-++');
    expect(transitions[2]).toMatchObject({ from: 'DOWN', to: 'UP', startedAt: at(6), confirmedAt: at(7), previousSince: at(2) });
    expect(transitions[2]).not.toHaveProperty('reason');
  });

  it('writes nothing for a steady UP monitor or a steady DOWN monitor', () => {
    const up = run('+'.repeat(50));
    expect(up.writes).toBe(2); // the first success, then the establishment
    const down = run('++' + '-'.repeat(50));
    expect(down.writes).toBe(4); // 2 to establish, the first failure, the outage
  });

  it('bumps the version and records the tick on every change', () => {
    const first = advanceState(initialState('api', at(0)), ok(0), DEFAULTS, at(0));
    expect(first.state).toMatchObject({ version: 1, tick: at(0), successesInRow: 1 });
    const same = advanceState(first.state, ok(1), DEFAULTS, at(1));
    expect(same.state).toMatchObject({ version: 2, tick: at(1), status: 'UP' });
    const steady = advanceState(same.state, ok(2), DEFAULTS, at(2));
    expect(steady.changed).toBe(false);
    expect(steady.state).toBe(same.state);
  });

  it('records on the state the tick of the transition that set since, and keeps it until the next one', () => {
    const { state, transitions } = run('++--+');
    const outage = transitions[1]!;
    expect(state).toMatchObject({ status: 'DOWN', since: outage.startedAt, sinceTick: outage.tick });
    expect(run('+').state).not.toHaveProperty('sinceTick');
  });

  it('clears a recorded removal at the next check, so a later removal is recorded again', () => {
    const removed = recordRemoval(run('++').state, at(10)).state;
    const back = advanceState(removed, ok(11), DEFAULTS, at(11));
    expect(removed.removedAt).toBe(at(10));
    expect(back.changed).toBe(true);
    expect(back.state).not.toHaveProperty('removedAt');
  });

  describe('properties', () => {
    const thresholdsArb = fc.record({
      failureThreshold: fc.integer({ min: 1, max: 5 }),
      successThreshold: fc.integer({ min: 1, max: 5 }),
    });
    const patternArb = fc.array(fc.constantFrom('+', '-'), { maxLength: 80 }).map((a) => a.join(''));

    it('alternating results never transition when both thresholds are 2 or more', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 5 }),
          fc.integer({ min: 2, max: 5 }),
          fc.nat(60),
          fc.boolean(),
          (failureThreshold, successThreshold, length, startWithSuccess) => {
            const pattern = Array.from({ length }, (_, i) => ((i % 2 === 0) === startWithSuccess ? '+' : '-')).join('');
            expect(run(pattern, { failureThreshold, successThreshold }).transitions).toEqual([]);
          },
        ),
      );
    });

    it('no two consecutive transitions go the same way', () => {
      fc.assert(
        fc.property(patternArb, thresholdsArb, (pattern, thresholds) => {
          const { transitions } = run(pattern, thresholds);
          transitions.forEach((transition, i) => {
            const previous = transitions[i - 1];
            if (previous) {
              expect(transition.to).not.toBe(previous.to);
              expect(transition.from).toBe(previous.to);
            }
          });
        }),
      );
    });

    it('every transition closes a full streak of its threshold', () => {
      fc.assert(
        fc.property(patternArb, thresholdsArb, (pattern, thresholds) => {
          const { transitions } = run(pattern, thresholds);
          for (const transition of transitions) {
            const end = (Date.parse(transition.confirmedAt) - T0) / 60_000;
            const need = transition.to === 'DOWN' ? thresholds.failureThreshold : thresholds.successThreshold;
            const symbol = transition.to === 'DOWN' ? '-' : '+';
            const streak = pattern.slice(end - need + 1, end + 1);
            expect(streak).toBe(symbol.repeat(need));
            const start = (Date.parse(transition.startedAt) - T0) / 60_000;
            expect(pattern.slice(start, end + 1)).toBe(symbol.repeat(end - start + 1));
            expect(start === 0 || pattern[start - 1] !== symbol).toBe(true);
          }
        }),
      );
    });

    it('since and sinceTick always name the latest transition (its key), once there is one', () => {
      fc.assert(
        fc.property(patternArb, thresholdsArb, (pattern, thresholds) => {
          const { state, transitions } = run(pattern, thresholds);
          const latest = transitions.at(-1);
          expect(supersededTransition(state)).toEqual(latest ? { monitorId: 'api', startedAt: latest.startedAt, tick: latest.tick } : undefined);
        }),
      );
    });

    it('a monitor removed, then added back, starts over as a new monitor', () => {
      fc.assert(
        fc.property(patternArb, patternArb, thresholdsArb, (before, after, thresholds) => {
          const removedAt = at(before.length);
          const removed = recordRemoval(run(before, thresholds).state, removedAt).state;
          // The checks after the removal, as they would run for a monitor never seen before.
          const checksAfter = [...after].map((symbol, index) => (symbol === '+' ? ok(before.length + 1 + index) : fail(before.length + 1 + index)));
          const replay = (start: MonitorState) => {
            let state = start;
            const made: Array<Omit<Transition, 'previousSince'>> = [];
            for (const check of checksAfter) {
              const step = advanceState(state, check, thresholds, check.checkedAt);
              if (step.transition) {
                const { previousSince: _previousSince, ...rest } = step.transition;
                made.push(rest);
              }
              state = step.state;
            }
            return { status: state.status, made };
          };
          expect(replay(removed)).toEqual(replay(initialState('api', removedAt)));
        }),
      );
    });

    it('the final status matches the last full streak in the pattern', () => {
      fc.assert(
        fc.property(patternArb, thresholdsArb, (pattern, thresholds) => {
          const { state } = run(pattern, thresholds);
          const downAt = pattern.lastIndexOf('-'.repeat(thresholds.failureThreshold));
          const upAt = pattern.lastIndexOf('+'.repeat(thresholds.successThreshold));
          const expected: MonitorStatus = downAt < 0 && upAt < 0 ? 'UNKNOWN' : downAt > upAt ? 'DOWN' : 'UP';
          expect(state.status).toBe(expected);
        }),
      );
    });
  });
});

describe('recordRemoval', () => {
  const removedAt = at(30);

  it.each<[string, MonitorStatus]>([
    ['++', 'UP'],
    ['++--', 'DOWN'],
    ['++---+', 'DOWN'],
  ])('after %j (%s): a transition to UNKNOWN at the tick, the state reset and unmonitored from it', (pattern, status) => {
    const { state } = run(pattern);
    expect(state.status).toBe(status);
    const step = recordRemoval(state, removedAt);
    expect(step.changed).toBe(true);
    expect(step.transition).toEqual({ monitorId: 'api', from: status, to: 'UNKNOWN', startedAt: removedAt, confirmedAt: removedAt, previousSince: state.since, tick: removedAt });
    expect(step.state).toEqual({
      monitorId: 'api',
      status: 'UNKNOWN',
      since: removedAt,
      sinceTick: removedAt,
      failuresInRow: 0,
      successesInRow: 0,
      tick: removedAt,
      version: state.version + 1,
      removedAt,
    });
  });

  it('of a monitor never established: no transition, its since kept, the counters reset', () => {
    const { state } = run('+-');
    const step = recordRemoval(state, removedAt);
    expect(step.transition).toBeUndefined();
    expect(step.state).toEqual({ monitorId: 'api', status: 'UNKNOWN', since: at(0), failuresInRow: 0, successesInRow: 0, tick: removedAt, version: state.version + 1, removedAt });
  });

  it('of a monitor back after an earlier removal but not established again: the earlier removal stays its latest transition', () => {
    const first = recordRemoval(run('++').state, at(10)).state;
    const back = advanceState(first, ok(11), DEFAULTS, at(11)).state;
    const again = recordRemoval(back, removedAt);
    expect(again.transition).toBeUndefined();
    expect(supersededTransition(again.state)).toEqual({ monitorId: 'api', startedAt: at(10), tick: at(10) });
  });
});

describe('isRemovalDue', () => {
  const stored: MonitorState = { ...initialState('gone', at(0)), tick: at(5), version: 3 };
  const configured = new Set(['api', 'web']);

  it.each<{ name: string; state: MonitorState; tick: string; due: boolean }>([
    { name: 'a monitor no longer configured', state: stored, tick: at(10), due: true },
    { name: 'a configured monitor', state: { ...stored, monitorId: 'api' }, tick: at(10), due: false },
    { name: 'a removal already recorded', state: { ...stored, removedAt: at(7) }, tick: at(10), due: false },
    { name: 'a state stored by this tick', state: stored, tick: at(5), due: false },
    { name: 'a state stored by a later tick', state: stored, tick: at(4), due: false },
  ])('$name: $due', ({ state, tick, due }) => {
    expect(isRemovalDue(state, configured, tick)).toBe(due);
  });
});

describe('supersededTransition', () => {
  it('names the transition that set since, or none for a state without sinceTick (older states too)', () => {
    const state: MonitorState = { ...initialState('api', at(0)), status: 'UP', since: at(2), sinceTick: at(3), tick: at(3), version: 4 };
    expect(supersededTransition(state)).toEqual({ monitorId: 'api', startedAt: at(2), tick: at(3) });
    const { sinceTick: _sinceTick, ...older } = state;
    expect(supersededTransition(older)).toBeUndefined();
  });
});
