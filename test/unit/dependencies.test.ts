import { affectedDependents, applyDependencies, dependencyLayers, findDependencyCycle, holdingParent } from '../../lib/domain/dependencies';
import { advanceState, initialState, pauseForMaintenance, recordRemoval } from '../../lib/domain/state-machine';
import type { MonitorState } from '../../lib/domain/types';

const thresholds = { failureThreshold: 2, successThreshold: 2 };
const tick = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute)).toISOString();
const check = (ok: boolean, minute: number) => ({ ok, checkedAt: tick(minute), latencyMs: 5, ...(ok ? {} : { reason: 'timeout' as const }) });

/** A monitor's state after checks at minutes 0, 1, 2, … with these outcomes. */
function stateAfter(id: string, outcomes: boolean[]): MonitorState {
  let state = initialState(id, tick(0));
  outcomes.forEach((ok, minute) => (state = advanceState(state, check(ok, minute), thresholds, tick(minute)).state));
  return state;
}

describe('dependsOn', () => {
  it('finds a cycle, and none in a tree', () => {
    expect(findDependencyCycle([{ id: 'a', dependsOn: ['b'] }, { id: 'b', dependsOn: ['c'] }, { id: 'c', dependsOn: ['a'] }])).toEqual(['a', 'b', 'c', 'a']);
    expect(findDependencyCycle([{ id: 'a', dependsOn: ['b', 'c'] }, { id: 'b', dependsOn: ['c'] }, { id: 'c', dependsOn: [] }])).toBeUndefined();
  });

  it('orders monitors in layers, each after what it depends on', () => {
    const layers = dependencyLayers([
      { id: 'checkout', dependsOn: ['api'] },
      { id: 'api', dependsOn: ['db'] },
      { id: 'db', dependsOn: [] },
      { id: 'web', dependsOn: ['elsewhere'] },
    ]);
    expect(layers.map((layer) => layer.map((monitor) => monitor.id))).toEqual([['db', 'web'], ['api'], ['checkout']]);
  });

  it('is held by a parent that is DOWN or whose latest check failed, not by one UP and passing', () => {
    const states = new Map<string, MonitorState>([
      ['down', stateAfter('down', [false, false])],
      ['failing', stateAfter('failing', [true, true, false])],
      ['up', stateAfter('up', [true, true])],
    ]);
    expect(holdingParent(['up', 'failing', 'down'], states)).toBe('failing');
    expect(holdingParent(['up', 'down'], states)).toBe('down');
    expect(holdingParent(['up', 'unknown-yet'], states)).toBeUndefined();
  });

  it('names the dependents, direct and through others, whose latest check failed', () => {
    const monitors = [
      { id: 'db', dependsOn: [] },
      { id: 'api', dependsOn: ['db'] },
      { id: 'checkout', dependsOn: ['api'] },
      { id: 'search', dependsOn: ['db'] },
      { id: 'web', dependsOn: [] },
    ];
    const failed = new Set(['api', 'checkout', 'web']);
    expect(affectedDependents('db', monitors, (id) => check(!failed.has(id), 3))).toEqual(['api', 'checkout']);
  });

  it('holds an outage, follows the holder, releases it with its own transition, and silences the recovery of one never released', () => {
    const failing = stateAfter('api', [true, true, false]);
    const held = applyDependencies(advanceState(failing, check(false, 3), thresholds, tick(3)), failing, 'db', tick(3));
    expect(held.transition).toMatchObject({ to: 'DOWN', heldBy: 'db' });
    expect(held.state).toMatchObject({ status: 'DOWN', heldBy: 'db', heldOutage: { to: 'DOWN', startedAt: tick(2) } });

    // Still held: nothing new to store.
    const still = applyDependencies(advanceState(held.state, check(false, 4), thresholds, tick(4)), held.state, 'db', tick(4));
    expect(still.changed).toBe(false);
    expect(still.released).toBeUndefined();

    // db is up again, api still down: released, as the outage began.
    const released = applyDependencies(advanceState(held.state, check(false, 5), thresholds, tick(5)), held.state, undefined, tick(5));
    expect(released.changed).toBe(true);
    expect(released.released).toEqual(expect.objectContaining({ monitorId: 'api', to: 'DOWN', startedAt: tick(2), tick: tick(3) }));
    expect(released.released).not.toHaveProperty('heldBy');
    expect(released.state).not.toHaveProperty('heldBy');
    expect(released.state).not.toHaveProperty('heldOutage');

    // Held, then both recover together: the recovery is silenced too.
    const recovering = advanceState(held.state, check(true, 5), thresholds, tick(5)).state;
    const recovery = applyDependencies(advanceState(recovering, check(true, 6), thresholds, tick(6)), recovering, undefined, tick(6));
    expect(recovery.transition).toMatchObject({ to: 'UP', heldBy: 'db' });
    expect(recovery.state).not.toHaveProperty('heldBy');
  });
});

describe('a held outage and a removal', () => {
  it('ends with the removal: a monitor added back and down again is not released with the old outage', () => {
    const failing = stateAfter('api', [true, true, false]);
    const held = applyDependencies(advanceState(failing, check(false, 3), thresholds, tick(3)), failing, 'db', tick(3)).state;
    const removed = recordRemoval(held, tick(4)).state;
    expect(removed).not.toHaveProperty('heldBy');
    expect(removed).not.toHaveProperty('heldOutage');
    // Even a state that kept them (stored before this rule) drops them at its next outage, unheld.
    const again = applyDependencies(advanceState({ ...held, status: 'UP', failuresInRow: 1 }, check(false, 9), thresholds, tick(9)), held, undefined, tick(9));
    expect(again.transition).toMatchObject({ to: 'DOWN' });
    expect(again.transition).not.toHaveProperty('heldBy');
    expect(again.state).not.toHaveProperty('heldOutage');
  });
});

describe('pauseForMaintenance', () => {
  it('keeps the status, drops the streaks once, and stores nothing more while nothing changes', () => {
    const failing = stateAfter('web', [true, true, false]);
    const paused = pauseForMaintenance(failing, undefined, tick(3));
    expect(paused.changed).toBe(true);
    expect(paused.transition).toBeUndefined();
    expect(paused.state).toMatchObject({ status: 'UP', failuresInRow: 0, successesInRow: 0, tick: tick(3), version: failing.version + 1 });
    expect(paused.state).not.toHaveProperty('streakStartedAt');
    expect(pauseForMaintenance(paused.state, undefined, tick(4)).changed).toBe(false);
  });

  it('counts the reminders a DOWN monitor comes to owe inside a window as sent, without writing one', () => {
    const down = stateAfter('web', [false, false]);
    const paused = pauseForMaintenance(down, 2 * 60_000, tick(7));
    expect(paused.state).toMatchObject({ status: 'DOWN', remindersSent: 3, remindedSince: down.since });
  });
});
