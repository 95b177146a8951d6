import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import { runScheduledTick, runShardTick, type ScheduledRunDeps, type ShardRunReport } from '../../lib/app/scheduled-run';
import type { ShardRequest } from '../../lib/domain/shards';
import { advanceState, initialState } from '../../lib/domain/state-machine';
import { MINUTE_MS } from '../../lib/domain/time';
import type { MonitorState, MonitorsConfig } from '../../lib/domain/types';
import { defaultMonitor, EMAIL_ONLY_CHANNELS, NO_PAGE_SETTINGS } from '../fixtures/monitor-config';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { startTargetServer, type TargetServer } from '../support/target-server';

/**
 * Where a sharded run records the removal of a monitor no longer configured: no shard reads every
 * state, so the rollup shard's run does, at the first tick of each hour. `gone` (stored UP, no
 * longer in the file) sorts before every configured id, so no shard's own slice of states holds it.
 */

const T0 = Date.parse('2026-05-04T10:00:00Z');
const at = (minute: number) => new Date(T0 + minute * MINUTE_MS).toISOString();
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let table: TestTable;
let stores: DynamoDbStores;
let targets: TargetServer[];
let config: MonitorsConfig;
const requests: ShardRequest[] = [];

beforeAll(async () => {
  table = await createTestTable('shard-removal');
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  targets = await Promise.all(Array.from({ length: 5 }, () => startTargetServer('ok')));
  config = {
    notify: { from: 'monitor@example.com', to: ['oncall@example.com'] },
    channels: EMAIL_ONLY_CHANNELS,
    ...NO_PAGE_SETTINGS,
    monitors: targets.map((target, index) => defaultMonitor(`m${index}`, target.url, { timeoutMs: 1000, notify: { to: ['oncall@example.com'] } })),
  };
  // `gone` was configured once, and established.
  let state: MonitorState = initialState('gone', at(-100));
  for (const minute of [-100, -99]) {
    const step = advanceState(state, { ok: true, checkedAt: at(minute), latencyMs: 5 }, { failureThreshold: 2, successThreshold: 2 }, at(minute));
    expect(await stores.states.saveState(state, step.state, step.transition)).toBe('saved');
    state = step.state;
  }
});

afterAll(async () => {
  await Promise.all([...targets.map((target) => target.close()), table.drop()]);
});

const deps: () => ScheduledRunDeps = () => ({
  config,
  storesFor: (scope) => stores.scoped(scope),
  prober: new HttpProber(),
  metrics: { publishRun: async () => undefined },
  logger: silent,
  now: () => new Date(),
  concurrency: 4,
  periodMs: MINUTE_MS,
  maxPerShard: 2,
  dispatcher: { dispatch: async (request) => void requests.push(request) },
});

/** The scheduled invocation of `tick` and the shard invocations it handed on, run here. */
async function runTick(tick: string): Promise<ShardRunReport[]> {
  const own = await runScheduledTick(tick, deps());
  const others = await Promise.all(requests.splice(0).map((request) => runShardTick(request.tick, request.shard, deps())));
  return [own, ...others.filter((report): report is ShardRunReport => report !== undefined)];
}

const removedBy = (reports: ShardRunReport[]) => reports.flatMap((report) => report.cycles.flatMap((cycle) => cycle.removed.map((id) => `${report.shard.index}:${id}`)));

describe('a sharded run', () => {
  it('records no removal at a tick inside the hour: no run read every state', async () => {
    const reports = await runTick(at(1));
    expect(reports).toHaveLength(3);
    expect(removedBy(reports)).toEqual([]);
    expect(await stores.states.loadState('gone')).toMatchObject({ status: 'UP' });
  });

  it('records it at the first tick of the hour, in the rollup shard only', async () => {
    const reports = await runTick(at(60));
    expect(removedBy(reports)).toEqual(['0:gone']);
    expect(await stores.states.loadState('gone')).toMatchObject({ status: 'UNKNOWN', since: at(60), removedAt: at(60) });
    expect((await stores.transitions.listTransitions('gone')).map((t) => `${t.from}->${t.to}`)).toEqual(['UNKNOWN->UP', 'UP->UNKNOWN']);
  });
});
