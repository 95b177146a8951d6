import { probeRun } from '../../lib/app/probe-run';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { HttpProber } from '../../lib/adapters/http-prober';
import { runScheduledTick, runShardTick, ShardDispatchError, type ScheduledRunDeps, type ShardRunReport } from '../../lib/app/scheduled-run';
import type { MetricsSink, RunMetrics } from '../../lib/domain/ports';
import { SHARD_EVENT_SOURCE, type ShardDispatcher, type ShardRequest } from '../../lib/domain/shards';
import type { MonitorConfig, MonitorsConfig, RunSummary } from '../../lib/domain/types';
import { defaultMonitor, EMAIL_ONLY_CHANNELS, NO_PAGE_SETTINGS } from '../fixtures/monitor-config';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { startTargetServer, type TargetServer } from '../support/target-server';
import { MINUTE_MS } from '../../lib/domain/time';

const T0 = Date.parse('2026-05-04T10:00:00Z');
const at = (minute: number, seconds = 0) => new Date(T0 + minute * MINUTE_MS + seconds * 1000).toISOString();

function monitor(id: string, url: string, intervalMs = MINUTE_MS): MonitorConfig {
  return defaultMonitor(id, url, { timeoutMs: 1000, intervalMs, notify: { to: ['oncall@example.com'] } });
}

/** Runs every handed-on shard in this process, as the shard invocations would, and keeps their reports. */
class InProcessDispatcher implements ShardDispatcher {
  readonly runs: Promise<ShardRunReport | undefined>[] = [];
  readonly requests: ShardRequest[] = [];
  failNext = 0;
  deps!: ScheduledRunDeps;

  async dispatch(request: ShardRequest): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('Lambda is throttling');
    }
    this.requests.push(request);
    this.runs.push(runShardTick(request.tick, request.shard, this.deps));
  }

  async settle(): Promise<ShardRunReport[]> {
    const reports = await Promise.all(this.runs.splice(0));
    return reports.filter((report): report is ShardRunReport => report !== undefined);
  }
}

class RecordingMetrics implements MetricsSink {
  readonly published: RunMetrics[] = [];
  async publishRun(metrics: RunMetrics): Promise<void> {
    this.published.push(metrics);
  }
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let table: TestTable;
let targets: TargetServer[];
let stores: DynamoDbStores;

beforeAll(async () => {
  table = await createTestTable('shards');
  targets = await Promise.all(Array.from({ length: 5 }, () => startTargetServer('ok')));
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
});

afterAll(async () => {
  await Promise.all([...targets.map((target) => target.close()), table.drop()]);
});

function deps(config: MonitorsConfig, dispatcher: InProcessDispatcher, metrics: MetricsSink, overrides: Partial<ScheduledRunDeps> = {}): ScheduledRunDeps {
  const built: ScheduledRunDeps = {
    config,
    storesFor: (scope) => stores.scoped(scope),
    prober: new HttpProber(),
    metrics,
    logger: silent,
    now: () => new Date(),
    concurrency: 4,
    periodMs: MINUTE_MS,
    maxPerShard: 2,
    dispatcher,
    ...overrides,
  };
  dispatcher.deps = built;
  return built;
}

describe('a sharded scheduled run', () => {
  const config = (): MonitorsConfig => ({
    notify: { from: 'monitor@example.com', to: ['oncall@example.com'] },
    channels: EMAIL_ONLY_CHANNELS,
    ...NO_PAGE_SETTINGS,
    monitors: targets.map((target, index) => monitor(`m${index}`, target.url)),
  });

  it('hands every shard but its own on and probes each monitor once per tick', async () => {
    const dispatcher = new InProcessDispatcher();
    const metrics = new RecordingMetrics();
    const scheduledDeps = deps(config(), dispatcher, metrics);
    const before = targets.map((target) => target.requests);
    const own = await runScheduledTick(at(1), scheduledDeps);
    const others = await dispatcher.settle();

    expect(own.shard).toEqual({ index: 0, count: 3 });
    expect(own.dispatched).toBe(2);
    expect(dispatcher.requests).toEqual([
      { tick: at(1), shard: { index: 1, count: 3 } },
      { tick: at(1), shard: { index: 2, count: 3 } },
    ]);
    expect([own, ...others].map((report) => report.cycles.map((cycle) => cycle.checks))).toEqual([[2], [2], [1]]);
    expect(targets.map((target, index) => target.requests - (before[index] ?? 0))).toEqual([1, 1, 1, 1, 1]);
    // One metrics line per shard, each with its own checks.
    expect(metrics.published.map((entry) => entry.checks).sort()).toEqual([1, 2, 2]);

    // Readers see one summary per tick, with every shard's results.
    const [summary] = await stores.runs.listRunSummaries(at(1), at(1));
    expect(summary?.checks).toBe(5);
    expect(Object.keys(summary?.results ?? {}).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect((await stores.runs.latestRunSummary(at(1, 30)))?.checks).toBe(5);
  });

  it('establishes every monitor across shards by the second tick', async () => {
    const dispatcher = new InProcessDispatcher();
    const own = await runScheduledTick(at(2), deps(config(), dispatcher, new RecordingMetrics()));
    const transitions = [own, ...(await dispatcher.settle())].flatMap((report) => report.cycles.flatMap((cycle) => cycle.transitions));
    expect(transitions.map((transition) => `${transition.monitorId}:${transition.to}`).sort()).toEqual(['m0:UP', 'm1:UP', 'm2:UP', 'm3:UP', 'm4:UP']);
    expect([...(await stores.states.loadStates()).values()].every((state) => state.status === 'UP')).toBe(true);
  });

  it('does nothing for a scheduled event delivered twice, nor for a shard delivered twice', async () => {
    const dispatcher = new InProcessDispatcher();
    const scheduledDeps = deps(config(), dispatcher, new RecordingMetrics());
    const before = targets.map((target) => target.requests);
    const again = await runScheduledTick(at(2), scheduledDeps);
    const others = await dispatcher.settle();
    const shardAgain = await runShardTick(at(2), { index: 2, count: 3 }, scheduledDeps);
    expect([again, ...others, shardAgain].map((report) => report?.cycles.map((cycle) => cycle.duplicate))).toEqual([[true], [true], [true], [true]]);
    expect(targets.map((target, index) => target.requests - (before[index] ?? 0))).toEqual([0, 0, 0, 0, 0]);
  });

  it('runs its own shard, then fails so Lambda retries, when a shard cannot be handed on', async () => {
    const dispatcher = new InProcessDispatcher();
    dispatcher.failNext = 1;
    const scheduledDeps = deps(config(), dispatcher, new RecordingMetrics());
    await expect(runScheduledTick(at(3), scheduledDeps)).rejects.toThrow(ShardDispatchError);
    await dispatcher.settle();
    expect((await stores.runs.listRunSummaries(at(3), at(3)))[0]?.checks).toBe(3);
    // The retry hands both on again: shard 2 (not handed on before) runs, shard 3 (which ran) skips.
    const retry = await runScheduledTick(at(3), scheduledDeps);
    const others = await dispatcher.settle();
    expect([retry, ...others].map((report) => report.cycles[0]?.duplicate)).toEqual([true, false, true]);
    expect((await stores.runs.listRunSummaries(at(3), at(3)))[0]?.checks).toBe(5);
  });

  it('skips a shard its own plan does not have (the configuration changed meanwhile)', async () => {
    const dispatcher = new InProcessDispatcher();
    expect(await runShardTick(at(4), { index: 1, count: 7 }, deps(config(), dispatcher, new RecordingMetrics()))).toBeUndefined();
  });
});

describe('a scoped store', () => {
  const summary = (tick: string, startedAt: string, results: RunSummary['results']): RunSummary => ({
    tick,
    startedAt,
    durationMs: 100,
    checks: Object.keys(results).length,
    failures: Object.values(results).filter((result) => !result.ok).length,
    monitorsDown: 0,
    results,
  });

  it('keeps the runs of each shard apart and reads them back as one summary per tick', async () => {
    const tick = at(60);
    const first = stores.scoped({ shard: '1/2', states: 'all' });
    const second = stores.scoped({ shard: '2/2', states: 'all' });
    await first.runs.putRunSummary(summary(tick, at(60, 1), { a: { ok: true, latencyMs: 20, statusCode: 200 } }));
    expect(await first.runs.hasRunSummary(tick)).toBe(true);
    expect(await second.runs.hasRunSummary(tick)).toBe(false);
    expect(await stores.runs.hasRunSummary(tick)).toBe(false);
    await second.runs.putRunSummary(summary(tick, at(60, 2), { b: { ok: false, latencyMs: 1000, reason: 'timeout' } }));
    await second.runs.putRunSummary(summary(tick, at(60, 3), { b: { ok: true, latencyMs: 5, statusCode: 200 } })); // a duplicate: ignored
    const expected: RunSummary = {
      tick,
      startedAt: at(60, 1),
      durationMs: 100,
      checks: 2,
      failures: 1,
      monitorsDown: 0,
      results: { a: { ok: true, latencyMs: 20, statusCode: 200 }, b: { ok: false, latencyMs: 1000, reason: 'timeout' } },
    };
    expect(await stores.runs.listRunSummaries(at(59), at(61))).toEqual([expected]);
    expect(await stores.runs.latestRunSummary(at(60, 30))).toEqual(expected);
  });

  it('gives the latest run the newest result of the monitors a sub-minute cycle did not check, with when it was checked', async () => {
    const fast = stores.scoped({ shard: '', states: 'all' });
    await fast.runs.putRunSummary(summary(at(61), at(61), { a: { ok: true, latencyMs: 30, statusCode: 200 }, f: { ok: true, latencyMs: 7, statusCode: 200 } }));
    await fast.runs.putRunSummary(summary(at(61, 10), at(61, 10), { f: { ok: false, latencyMs: 9, statusCode: 500, reason: 'http-status' } }));
    const latest = await stores.runs.latestRunSummary(at(61, 15));
    expect(latest?.tick).toBe(at(61, 10));
    expect(latest?.checks).toBe(1);
    expect(latest?.results).toEqual({
      a: { ok: true, latencyMs: 30, statusCode: 200, checkedAt: at(61) },
      f: { ok: false, latencyMs: 9, statusCode: 500, reason: 'http-status' },
    });
  });

  it('reads only the states of its range, or of its monitors (over 100 of them)', async () => {
    const ids = Array.from({ length: 130 }, (_, i) => `s${String(i).padStart(3, '0')}`);
    for (const id of ids) {
      await stores.states.saveState(
        { monitorId: id, status: 'UNKNOWN', since: at(0), failuresInRow: 0, successesInRow: 0, tick: '', version: 0 },
        { monitorId: id, status: 'UNKNOWN', since: at(0), failuresInRow: 0, successesInRow: 1, tick: at(1), version: 1 },
      );
    }
    const inRange = await stores.scoped({ shard: '1/3', states: { from: 's010', to: 's019' } }).states.loadStates();
    expect([...inRange.keys()]).toEqual(ids.slice(10, 20));
    const wanted = [...ids.slice(0, 60), ...ids.slice(70, 125), 'never-stored'];
    const byId = await stores.scoped({ shard: '2/3', states: { ids: wanted } }).states.loadStates();
    expect([...byId.keys()].sort()).toEqual(wanted.filter((id) => id !== 'never-stored'));
    expect(byId.get('s005')?.successesInRow).toBe(1);
  });
});

describe('sub-minute checks', () => {
  it('runs the extra cycles of a period for the monitors that ask for them, each under its own tick', async () => {
    const periodMs = 3000;
    const fastTarget = targets[0] as TargetServer;
    const slowTarget = targets[1] as TargetServer;
    const config: MonitorsConfig = {
      notify: { from: 'monitor@example.com', to: ['oncall@example.com'] },
      channels: EMAIL_ONLY_CHANNELS,
      ...NO_PAGE_SETTINGS,
    ...NO_PAGE_SETTINGS,
      monitors: [monitor('fast', fastTarget.url, 1000), monitor('slow', slowTarget.url, periodMs)],
    };
    const metrics = new RecordingMetrics();
    const dispatcher = new InProcessDispatcher();
    const scheduledDeps = deps(config, dispatcher, metrics, { periodMs, maxPerShard: 10 });
    const before = [fastTarget.requests, slowTarget.requests];
    // A period that starts now: its cycles at 0, 1 and 2 s are all still ahead.
    const tick = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const report = await runScheduledTick(tick, scheduledDeps);

    expect(report.cycles.map((cycle) => [cycle.tick, cycle.checks])).toEqual([
      [tick, 2],
      [new Date(Date.parse(tick) + 1000).toISOString(), 1],
      [new Date(Date.parse(tick) + 2000).toISOString(), 1],
    ]);
    expect([fastTarget.requests - (before[0] ?? 0), slowTarget.requests - (before[1] ?? 0)]).toEqual([3, 1]);
    // One metrics line for the period: every check of its cycles.
    expect(metrics.published).toHaveLength(1);
    expect(metrics.published[0]?.checks).toBe(4);
  });
});

describe('the probe handler', () => {
  const config = (): MonitorsConfig => ({
    notify: { from: 'monitor@example.com', to: ['oncall@example.com'] },
    channels: EMAIL_ONLY_CHANNELS,
    ...NO_PAGE_SETTINGS,
    monitors: targets.map((target, index) => monitor(`m${index}`, target.url)),
  });
  const handlerDeps = (dispatcher?: ShardDispatcher) => ({
    config: config(),
    stores,
    prober: new HttpProber(),
    metrics: new RecordingMetrics(),
    logger: silent,
    now: () => new Date(),
    concurrency: 4,
    periodMs: MINUTE_MS,
    maxPerShard: 2,
    ...(dispatcher ? { dispatcher } : {}),
  });

  it('runs the shard a shard event names, and only that one', async () => {
    const before = targets.map((target) => target.requests);
    const report = await probeRun({ source: SHARD_EVENT_SOURCE, tick: at(20), shard: { index: 1, count: 3 } }, handlerDeps());
    expect(report).toMatchObject({ tick: at(20), shard: { index: 1, count: 3 }, checks: 2, duplicate: false });
    expect(targets.map((target, index) => target.requests - (before[index] ?? 0))).toEqual([0, 0, 1, 1, 0]);
  });

  it('refuses a shard event it cannot read', async () => {
    await expect(probeRun({ source: SHARD_EVENT_SOURCE, tick: at(21), shard: { index: 3, count: 3 } }, handlerDeps())).rejects.toThrow(
      'shard.index must be below shard.count',
    );
  });

  it('runs its own shard and fails, so Lambda retries, when it has more monitors than one invocation probes and no way to hand shards on', async () => {
    await expect(probeRun({ time: at(22) }, handlerDeps())).rejects.toThrow(ShardDispatchError);
    expect((await stores.runs.listRunSummaries(at(22), at(22)))[0]?.checks).toBe(2);
  });
});
