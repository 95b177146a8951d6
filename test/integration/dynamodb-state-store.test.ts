import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore } from '../../lib/adapters/dynamodb-state-store';
import { advanceState, initialState } from '../../lib/domain/state-machine';
import type { CheckResult, MonitorState, RunSummary } from '../../lib/domain/types';
import { createTestTable, type TestTable } from '../support/dynamodb';

const at = (minute: number) => new Date(Date.parse('2026-03-01T23:58:00Z') + minute * 60_000).toISOString();
const failed = (minute: number): CheckResult => ({ ok: false, checkedAt: at(minute), latencyMs: 12, reason: 'timeout', message: 'no answer within 5000 ms' });
const thresholds = { failureThreshold: 2, successThreshold: 2 };

let table: TestTable;
let store: DynamoDbStateStore;

beforeAll(async () => {
  table = await createTestTable('store');
  store = new DynamoDbStateStore({ client: table.client, tableName: table.tableName });
});
afterAll(() => table.drop());

describe('DynamoDbStateStore', () => {
  it('saves a new state once, then only on the version it read and a newer tick', async () => {
    const fresh = initialState('conditional', at(0));
    const first = advanceState(fresh, failed(0), thresholds, at(0));
    expect(await store.saveState(fresh, first.state)).toBe('saved');
    // A second "first write" of the same monitor (another run that also saw no state) loses.
    expect(await store.saveState(fresh, first.state)).toBe('conflict');

    const second = advanceState(first.state, failed(1), thresholds, at(1));
    expect(second.transition?.to).toBe('DOWN');
    expect(await store.saveState(first.state, second.state, second.transition)).toBe('saved');
    // The same step again (a duplicated tick): the version moved on, so it is refused.
    expect(await store.saveState(first.state, second.state, second.transition)).toBe('conflict');

    expect(await store.loadState('conditional')).toEqual(second.state);
    expect(await store.listTransitions('conditional')).toEqual([second.transition]);
  });

  it('refuses a write whose tick is not newer than the stored one, even with the right version', async () => {
    const fresh = initialState('stale-tick', at(0));
    const first = advanceState(fresh, failed(5), thresholds, at(5));
    await store.saveState(fresh, first.state);
    const older: MonitorState = { ...first.state, failuresInRow: 0, tick: at(5), version: 2 };
    expect(await store.saveState(first.state, older)).toBe('conflict');
    expect(await store.saveState(first.state, { ...older, tick: at(4) })).toBe('conflict');
    expect((await store.loadState('stale-tick'))?.version).toBe(1);
  });

  it('writes the transition with the state in one transaction: a failed condition writes neither', async () => {
    const fresh = initialState('atomic', at(0));
    const one = advanceState(fresh, failed(0), thresholds, at(0));
    await store.saveState(fresh, one.state);
    const two = advanceState(one.state, failed(1), thresholds, at(1));
    const staleBase = { ...one.state, version: 7 };
    expect(await store.saveState(staleBase, two.state, two.transition)).toBe('conflict');
    expect(await store.listTransitions('atomic')).toEqual([]);
    expect((await store.loadState('atomic'))?.status).toBe('UNKNOWN');
  });

  it('lets only one of two concurrent writers of the same step win', async () => {
    const fresh = initialState('race', at(0));
    const step = advanceState(fresh, failed(0), thresholds, at(0));
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => store.saveState(fresh, step.state)));
    expect(outcomes.filter((o) => o === 'saved')).toHaveLength(1);
  });

  it('loads every state with one query', async () => {
    const states = await store.loadStates();
    expect([...states.keys()].sort()).toEqual(expect.arrayContaining(['atomic', 'conditional', 'race', 'stale-tick']));
    expect(states.get('conditional')?.status).toBe('DOWN');
  });

  it('finds the transition before a given one', async () => {
    let state = initialState('history', at(0));
    const pattern = ['+', '+', '-', '-', '+', '+'];
    for (const [minute, symbol] of pattern.entries()) {
      const result: CheckResult = symbol === '+' ? { ok: true, checkedAt: at(minute), latencyMs: 5 } : failed(minute);
      const step = advanceState(state, result, thresholds, at(minute));
      if (step.changed) expect(await store.saveState(state, step.state, step.transition)).toBe('saved');
      state = step.state;
    }
    const transitions = await store.listTransitions('history');
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['UNKNOWN->UP', 'UP->DOWN', 'DOWN->UP']);
    const [established, outage, recovery] = transitions;
    expect(await store.previousTransition(recovery!)).toEqual(outage);
    expect(await store.previousTransition(outage!)).toEqual(established);
    expect(await store.previousTransition(established!)).toBeUndefined();
  });

  it('stores a transition with a TTL and the entity the stream filter matches', async () => {
    const [outage] = (await store.listTransitions('conditional'));
    const { Item } = await table.client.send(
      new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: 'MON#conditional' }, sk: { S: `TR#${outage!.startedAt}#${outage!.tick}` } } }),
    );
    expect(Item?.entity).toEqual({ S: 'TRANSITION' });
    const expiresAt = Number(Item?.expiresAt?.N);
    expect(expiresAt).toBe(Math.floor((Date.parse(outage!.confirmedAt) + 400 * 86_400_000) / 1000));
  });

  it('writes a run summary once per tick and reads the latest across a day boundary', async () => {
    const summary = (tick: string, checks: number): RunSummary => ({
      tick,
      startedAt: tick,
      durationMs: 120,
      checks,
      failures: 1,
      monitorsDown: 1,
      results: { a: { ok: true, latencyMs: 31, statusCode: 200 }, b: { ok: false, latencyMs: 5000, reason: 'timeout' } },
    });
    expect(await store.hasRunSummary(at(1))).toBe(false);
    await store.putRunSummary(summary(at(1), 2));
    await store.putRunSummary(summary(at(1), 99)); // the duplicate is ignored
    await store.putRunSummary(summary(at(3), 2)); // the next day (UTC)
    expect(await store.hasRunSummary(at(1))).toBe(true);
    expect(await store.latestRunSummary(at(2))).toEqual(summary(at(1), 2));
    expect(await store.latestRunSummary(at(10))).toEqual(summary(at(3), 2));
    expect(await store.latestRunSummary(at(0))).toBeUndefined();
    expect((await store.listRunSummaries(at(0), at(10))).map((s) => s.tick)).toEqual([at(1), at(3)]);
  });
});
