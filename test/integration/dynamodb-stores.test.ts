import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { rosterKey } from '../../lib/adapters/dynamodb-rosters';
import { advanceState, initialState, recordRemoval, type TransitionRef } from '../../lib/domain/state-machine';
import type { CheckResult, MonitorState, RunSummary } from '../../lib/domain/types';
import { createTestTable, type TestTable } from '../support/dynamodb';

const at = (minute: number) => new Date(Date.parse('2026-03-01T23:58:00Z') + minute * 60_000).toISOString();
const failed = (minute: number): CheckResult => ({ ok: false, checkedAt: at(minute), latencyMs: 12, reason: 'timeout', message: 'no answer within 5000 ms' });
const thresholds = { failureThreshold: 2, successThreshold: 2 };

let table: TestTable;
let stores: DynamoDbStores;

beforeAll(async () => {
  table = await createTestTable('store');
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
});
afterAll(() => table.drop());

/** A transition's item as stored (raw attribute values), read consistently. */
async function transitionItem(monitorId: string, ref: Omit<TransitionRef, 'monitorId'>) {
  const { Item } = await table.client.send(
    new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: `MON#${monitorId}` }, sk: { S: `TR#${ref.startedAt}#${ref.tick}` } }, ConsistentRead: true }),
  );
  return Item;
}

describe('the DynamoDB stores of states, transitions and run summaries', () => {
  it('saves a new state once, then only on the version it read and a newer tick', async () => {
    const fresh = initialState('conditional', at(0));
    const first = advanceState(fresh, failed(0), thresholds, at(0));
    expect(await stores.states.saveState(fresh, first.state)).toBe('saved');
    // A second "first write" of the same monitor (another run that also saw no state) loses.
    expect(await stores.states.saveState(fresh, first.state)).toBe('conflict');

    const second = advanceState(first.state, failed(1), thresholds, at(1));
    expect(second.transition?.to).toBe('DOWN');
    expect(await stores.states.saveState(first.state, second.state, second.transition)).toBe('saved');
    // The same step again (a duplicated tick): the version moved on, so it is refused.
    expect(await stores.states.saveState(first.state, second.state, second.transition)).toBe('conflict');

    expect(await stores.states.loadState('conditional')).toEqual(second.state);
    expect(await stores.transitions.listTransitions('conditional')).toEqual([second.transition]);
  });

  it('refuses a write whose tick is not newer than the stored one, even with the right version', async () => {
    const fresh = initialState('stale-tick', at(0));
    const first = advanceState(fresh, failed(5), thresholds, at(5));
    await stores.states.saveState(fresh, first.state);
    const older: MonitorState = { ...first.state, failuresInRow: 0, tick: at(5), version: 2 };
    expect(await stores.states.saveState(first.state, older)).toBe('conflict');
    expect(await stores.states.saveState(first.state, { ...older, tick: at(4) })).toBe('conflict');
    expect((await stores.states.loadState('stale-tick'))?.version).toBe(1);
  });

  it('writes the transition with the state in one transaction: a failed condition writes neither', async () => {
    const fresh = initialState('atomic', at(0));
    const one = advanceState(fresh, failed(0), thresholds, at(0));
    await stores.states.saveState(fresh, one.state);
    const two = advanceState(one.state, failed(1), thresholds, at(1));
    const staleBase = { ...one.state, version: 7 };
    expect(await stores.states.saveState(staleBase, two.state, two.transition)).toBe('conflict');
    expect(await stores.transitions.listTransitions('atomic')).toEqual([]);
    expect((await stores.states.loadState('atomic'))?.status).toBe('UNKNOWN');
  });

  it('lets only one of two concurrent writers of the same step win', async () => {
    const fresh = initialState('race', at(0));
    const step = advanceState(fresh, failed(0), thresholds, at(0));
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => stores.states.saveState(fresh, step.state)));
    expect(outcomes.filter((o) => o === 'saved')).toHaveLength(1);
  });

  it('loads every state with one query', async () => {
    const states = await stores.states.loadStates();
    expect([...states.keys()].sort()).toEqual(expect.arrayContaining(['atomic', 'conditional', 'race', 'stale-tick']));
    expect(states.get('conditional')?.status).toBe('DOWN');
  });

  it('finds the transition before a given one', async () => {
    let state = initialState('history', at(0));
    const pattern = ['+', '+', '-', '-', '+', '+'];
    for (const [minute, symbol] of pattern.entries()) {
      const result: CheckResult = symbol === '+' ? { ok: true, checkedAt: at(minute), latencyMs: 5 } : failed(minute);
      const step = advanceState(state, result, thresholds, at(minute));
      if (step.changed) expect(await stores.states.saveState(state, step.state, step.transition)).toBe('saved');
      state = step.state;
    }
    const transitions = await stores.transitions.listTransitions('history');
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['UNKNOWN->UP', 'UP->DOWN', 'DOWN->UP']);
    const [established, outage, recovery] = transitions;
    expect(await stores.transitions.previousTransition(recovery!)).toEqual(outage);
    expect(await stores.transitions.previousTransition(outage!)).toEqual(established);
    expect(await stores.transitions.previousTransition(established!)).toBeUndefined();
  });

  it('lists the transitions since a time and the last one before it, however many pages back that is', async () => {
    // 40 outages and recoveries, two minutes apart: 80 transitions, several pages of listTransitionsSince.
    let state: MonitorState = initialState('paged', at(0));
    for (let minute = 0; minute < 160; minute += 1) {
      const result: CheckResult = Math.floor(minute / 2) % 2 === 0 ? { ok: true, checkedAt: at(minute), latencyMs: 5 } : failed(minute);
      const step = advanceState(state, result, { failureThreshold: 1, successThreshold: 1 }, at(minute));
      if (step.changed) expect(await stores.states.saveState(state, step.state, step.transition)).toBe('saved');
      state = step.state;
    }
    const all = await stores.transitions.listTransitions('paged');
    expect(all.length).toBeGreaterThan(3 * 24);
    for (const since of [at(-10), at(0), at(1), at(3), at(117), at(120), at(159), at(500)]) {
      const sinceMs = Date.parse(since);
      const before = all.filter((transition) => Date.parse(transition.startedAt) < sinceMs);
      const expected = [...before.slice(-1), ...all.filter((transition) => Date.parse(transition.startedAt) >= sinceMs)];
      expect(await stores.transitions.listTransitionsSince('paged', since)).toEqual(expected);
    }
    expect(await stores.transitions.listTransitionsSince('never-seen', at(0))).toEqual([]);
  });

  it('stores a transition without a TTL, with the entity the stream filter matches', async () => {
    const [outage] = await stores.transitions.listTransitions('conditional');
    const item = await transitionItem('conditional', outage!);
    expect(item?.entity).toEqual({ S: 'TRANSITION' });
    expect(item).not.toHaveProperty('expiresAt');
  });

  it('gives a superseded transition its TTL, the retention after it was superseded, only if it is stored', async () => {
    const [outage] = await stores.transitions.listTransitions('conditional');
    const supersededAt = at(30);
    expect(await stores.states.expireTransition(outage!, supersededAt)).toBe('expiring');
    // Again (a retried run): the same value.
    expect(await stores.states.expireTransition(outage!, supersededAt)).toBe('expiring');
    expect(Number((await transitionItem('conditional', outage!))?.expiresAt?.N)).toBe(Math.floor((Date.parse(supersededAt) + 400 * 86_400_000) / 1000));
    // What the reader returns is unchanged.
    expect(await stores.transitions.listTransitions('conditional')).toEqual([outage]);

    // A transition that is not there is not created as a stub that would break every read of the history.
    const missing = { monitorId: 'conditional', startedAt: at(-5), tick: at(-4) };
    expect(await stores.states.expireTransition(missing, supersededAt)).toBe('missing');
    expect(await transitionItem('conditional', missing)).toBeUndefined();
    expect(await stores.transitions.listTransitions('conditional')).toEqual([outage]);
  });

  it('keeps the tick of the transition that set since, and a recorded removal, on the state', async () => {
    let state = initialState('removed', at(0));
    for (const minute of [0, 1]) {
      const step = advanceState(state, failed(minute), thresholds, at(minute));
      expect(await stores.states.saveState(state, step.state, step.transition)).toBe('saved');
      state = step.state;
    }
    expect(await stores.states.loadState('removed')).toEqual({ ...state, sinceTick: at(1) });
    const removal = recordRemoval(state, at(9));
    expect(removal.transition?.to).toBe('UNKNOWN');
    expect(await stores.states.saveState(state, removal.state, removal.transition)).toBe('saved');
    expect(await stores.states.loadState('removed')).toEqual(removal.state);
    expect((await stores.states.loadStates()).get('removed')).toEqual(removal.state);
    expect((await stores.transitions.listTransitions('removed')).map((t) => `${t.from}->${t.to}`)).toEqual(['UNKNOWN->DOWN', 'DOWN->UNKNOWN']);
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
    expect(await stores.runs.hasRunSummary(at(1))).toBe(false);
    await stores.runs.putRunSummary(summary(at(1), 2));
    await stores.runs.putRunSummary(summary(at(1), 99)); // the duplicate is ignored
    await stores.runs.putRunSummary(summary(at(3), 2)); // the next day (UTC)
    expect(await stores.runs.hasRunSummary(at(1))).toBe(true);
    expect(await stores.runs.latestRunSummary(at(2))).toEqual(summary(at(1), 2));
    expect(await stores.runs.latestRunSummary(at(10))).toEqual(summary(at(3), 2));
    expect(await stores.runs.latestRunSummary(at(0))).toBeUndefined();
    expect((await stores.runs.listRunSummaries(at(0), at(10))).map((s) => s.tick)).toEqual([at(1), at(3)]);
  });
});

/** The items as deployed tables hold them: a key, an attribute or a TTL changed here orphans them. */
describe('the items the stores write', () => {
  const item = async (pk: string, sk: string) => {
    const { Item } = await table.client.send(new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }));
    return Item ? unmarshall(Item) : undefined;
  };

  it('keeps the state, run summary, run marker and apply lock items as they were', async () => {
    const fresh = initialState('items', at(0));
    const step = advanceState(fresh, failed(0), thresholds, at(0));
    await stores.states.saveState(fresh, step.state);
    expect(await item('STATE', 'MON#items')).toEqual({ pk: 'STATE', sk: 'MON#items', entity: 'STATE', ...step.state });

    const shard = stores.scoped({ shard: '2/3', states: 'all' });
    const tick = '2026-03-05T10:00:00.000Z';
    const results = { b: { ok: true, latencyMs: 31, statusCode: 200 }, a: { ok: false, latencyMs: 5000, reason: 'timeout' as const } };
    await shard.runs.putRunSummary({ tick, startedAt: '2026-03-05T10:00:00.150Z', durationMs: 120, checks: 2, failures: 1, monitorsDown: 0, results });
    expect(await item('RUN#2026-03-05', `${tick}#2/3`)).toEqual({
      pk: 'RUN#2026-03-05',
      sk: `${tick}#2/3`,
      entity: 'RUN',
      tick,
      shard: '2/3',
      startedAt: '2026-03-05T10:00:00.150Z',
      durationMs: 120,
      checks: 2,
      failures: 1,
      monitorsDown: 0,
      roster: rosterKey(['a', 'b']),
      r: '3uw~0~~0,v',
      expiresAt: Math.floor((Date.parse('2026-03-05T10:00:00.150Z') + 35 * 86_400_000) / 1000),
    });
    expect(await item('ROSTER', rosterKey(['a', 'b']))).toEqual({ pk: 'ROSTER', sk: rosterKey(['a', 'b']), entity: 'ROSTER', count: 2, ids: 'a\nb' });

    const leaseExpiresAtMs = Date.parse(tick) + 60_000;
    await stores.markers.markRunStarted(tick, leaseExpiresAtMs);
    expect(await item('TICK', tick)).toEqual({
      pk: 'TICK',
      sk: tick,
      entity: 'RUN_START',
      leaseExpiresAt: leaseExpiresAtMs,
      expiresAt: Math.floor((leaseExpiresAtMs + 2 * 86_400_000) / 1000),
    });
    expect(await shard.lock.acquireApplyLock(tick, 'holder-1', leaseExpiresAtMs, Date.parse(tick))).toBe('acquired');
    expect(await item('LOCK', 'APPLY#2/3')).toEqual({ pk: 'LOCK', sk: 'APPLY#2/3', entity: 'APPLY_LOCK', tick, holder: 'holder-1', applying: true, leaseExpiresAt: leaseExpiresAtMs });
    await shard.lock.releaseApplyLock(tick, 'holder-1');
    expect(await item('LOCK', 'APPLY#2/3')).toEqual({ pk: 'LOCK', sk: 'APPLY#2/3', entity: 'APPLY_LOCK', tick, holder: 'holder-1', applying: false, leaseExpiresAt: 0 });
  });

  it('reads a run that checked nothing as one with no results, and names no roster for it', async () => {
    const tick = '2026-03-06T10:00:00.000Z';
    const empty: RunSummary = { tick, startedAt: tick, durationMs: 3, checks: 0, failures: 0, monitorsDown: 0, results: {} };
    await stores.runs.putRunSummary(empty);
    const { Items } = await table.client.send(
      new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'RUN#2026-03-06' } } }),
    );
    expect(Items?.map((raw) => Object.keys(unmarshall(raw)).sort())).toEqual([['checks', 'durationMs', 'entity', 'expiresAt', 'failures', 'monitorsDown', 'pk', 'sk', 'startedAt', 'tick']]);
    expect(await stores.runs.listRunSummaries(tick, tick)).toEqual([empty]);
  });
});
