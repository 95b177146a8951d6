import { ConditionalCheckFailedException, TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type BatchGetCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { ApplyLockResult, SaveStateResult, StateStore } from '../domain/ports';
import { decodeRunResults, encodeRunResults } from '../domain/run-results-codec';
import { queryAll } from './dynamodb-query';
import { DynamoDbRosters } from './dynamodb-rosters';
import type { RunScope } from '../domain/shards';
import type { FailureReason, MonitorState, MonitorStatus, RunMonitorResult, RunSummary, Transition } from '../domain/types';
import { MINUTE_MS, DAY_MS } from '../domain/time';

const STATE_PK = 'STATE';
/** Run-start markers: pk TICK, sk <tick>. */
const TICK_PK = 'TICK';
/** The apply lock: one item (one per shard of a sharded run). */
const LOCK_PK = 'LOCK';
/** A run summary of one shard: sk `<tick>#<shard>`; this bound sorts after every shard of a tick. */
const AFTER_SHARDS = '#~';
/** The most keys one BatchGetItem takes. */
const BATCH_GET_MAX = 100;
/** How long run-start markers are kept (TTL). */
const MARKER_RETENTION_MS = 2 * DAY_MS;
/** How many days back `latestRunSummary` looks for a run. */
const LATEST_RUN_LOOKBACK_DAYS = 2;

export interface DynamoDbStateStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long transitions are kept (TTL), default 400 days. */
  transitionRetentionDays?: number;
  /** How long run summaries are kept (TTL), default 35 days. */
  runRetentionDays?: number;
  /** Whose runs and states this store serves: one shard's (see `scoped`). Default: an unsharded run, every state. */
  scope?: RunScope;
  /** Rosters already known to be stored, shared by the scoped copies of a store. */
  rosters?: Map<string, string[]>;
}

const UNSHARDED: RunScope = { shard: '', states: 'all' };

/**
 * The StateStore on one DynamoDB table (see ARCHITECTURE.md, data model):
 * state items under pk STATE, transitions under pk MON#<id>, run summaries under pk RUN#<day>.
 */
export class DynamoDbStateStore implements StateStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly transitionRetentionMs: number;
  private readonly runRetentionMs: number;
  private readonly scope: RunScope;
  private readonly knownRosters: Map<string, string[]>;
  private readonly rosters: DynamoDbRosters;

  constructor(private readonly options: DynamoDbStateStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.transitionRetentionMs = (options.transitionRetentionDays ?? 400) * DAY_MS;
    this.runRetentionMs = (options.runRetentionDays ?? 35) * DAY_MS;
    this.scope = options.scope ?? UNSHARDED;
    this.knownRosters = options.rosters ?? new Map();
    this.rosters = new DynamoDbRosters(this.documents, this.tableName, this.knownRosters);
  }

  /**
   * The same table seen by the runs of one shard: its run summaries, run markers and apply lock
   * are its own (keys end in `#<shard>`), so shards of one tick neither skip nor wait for each
   * other, and `loadStates` reads only its monitors' states. Readers of run summaries see the
   * shards of a tick as one summary.
   */
  scoped(scope: RunScope): DynamoDbStateStore {
    return new DynamoDbStateStore({ ...this.options, scope, rosters: this.knownRosters });
  }

  async loadStates(): Promise<Map<string, MonitorState>> {
    const { states: wanted } = this.scope;
    // Read after the apply lock is taken: every read must see every write of the run before.
    const items =
      wanted === 'all'
        ? await queryAll(this.documents, { TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': STATE_PK }, ConsistentRead: true })
        : 'ids' in wanted
          ? await this.getStates(wanted.ids)
          : await queryAll(this.documents, {
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: { ':pk': STATE_PK, ':from': stateSk(wanted.from), ':to': stateSk(wanted.to) },
              ConsistentRead: true,
            });
    const states = new Map<string, MonitorState>();
    for (const item of items) {
      const state = stateFromItem(item);
      states.set(state.monitorId, state);
    }
    return states;
  }

  async loadState(monitorId: string): Promise<MonitorState | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: STATE_PK, sk: stateSk(monitorId) }, ConsistentRead: true }),
    );
    return Item ? stateFromItem(Item) : undefined;
  }

  async saveState(previous: MonitorState, next: MonitorState, transition?: Transition): Promise<SaveStateResult> {
    const statePut = {
      TableName: this.tableName,
      Item: stateToItem(next),
      ...(previous.version === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#version = :version AND #tick < :tick',
            ExpressionAttributeNames: { '#version': 'version', '#tick': 'tick' },
            ExpressionAttributeValues: { ':version': previous.version, ':tick': next.tick },
          }),
    };
    try {
      if (!transition) {
        await this.documents.send(new PutCommand(statePut));
        return 'saved';
      }
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: statePut },
            {
              Put: {
                TableName: this.tableName,
                Item: transitionToItem(transition, this.expiresAt(transition.confirmedAt, this.transitionRetentionMs)),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return 'saved';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw error;
    }
  }

  async hasRunSummary(tick: string): Promise<boolean> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: runPk(tick), sk: this.runSk(tick) },
        ProjectionExpression: 'pk',
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  async putRunSummary(summary: RunSummary): Promise<void> {
    const { roster, text } = encodeRunResults(summary.results);
    // A run that checked nothing (cut short entirely) names no roster.
    const rosterKey = roster.length > 0 ? await this.rosters.store(roster) : undefined;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: runSummaryToItem(summary, this.runSk(summary.tick), this.scope.shard, rosterKey, text, this.expiresAt(summary.startedAt, this.runRetentionMs)),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * The latest run at or before `before`, looking back a bounded number of days: every shard of
   * its tick added up, and each monitor's newest result of the minute up to it (a sub-minute
   * cycle checks only some monitors). A result from another tick than the summary's carries its
   * own `checkedAt`.
   */
  async latestRunSummary(before: string): Promise<RunSummary | undefined> {
    const end = Date.parse(before);
    for (let day = 0; day <= LATEST_RUN_LOOKBACK_DAYS; day += 1) {
      const { Items } = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk <= :before',
          ExpressionAttributeValues: { ':pk': runPk(new Date(end - day * DAY_MS).toISOString()), ':before': `${before}${AFTER_SHARDS}` },
          ScanIndexForward: false,
          Limit: 1,
          ProjectionExpression: 'pk, sk, tick',
        }),
      );
      const item = Items?.[0];
      if (!item) continue;
      const latestTick = itemTick(item);
      const windowStart = new Date(Date.parse(latestTick) - MINUTE_MS + 1).toISOString();
      const parts = (await this.readRunItems(windowStart, latestTick)).filter((part) => part.tick <= before);
      return mergeLatest(parts, latestTick);
    }
    return undefined;
  }

  /** Run summaries whose tick lies in [from, to], oldest first; the shards of a tick as one summary. */
  async listRunSummaries(from: string, to: string): Promise<RunSummary[]> {
    return mergeByTick(await this.readRunItems(from, to));
  }

  async listTransitions(monitorId: string): Promise<Transition[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': monitorPk(monitorId), ':prefix': 'TR#' },
    });
    return items.map(transitionFromItem);
  }

  async previousTransition(transition: Pick<Transition, 'monitorId' | 'startedAt' | 'tick'>): Promise<Transition | undefined> {
    const { Items } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :before',
        ExpressionAttributeValues: {
          ':pk': monitorPk(transition.monitorId),
          ':first': 'TR#',
          ':before': transitionSk(transition),
        },
        ScanIndexForward: false,
        Limit: 2,
        ConsistentRead: true,
      }),
    );
    const current = transitionSk(transition);
    const item = Items?.find((candidate) => candidate.sk !== current);
    return item ? transitionFromItem(item) : undefined;
  }

  async markRunStarted(tick: string, leaseExpiresAt: number): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: TICK_PK, sk: this.runSk(tick), entity: 'RUN_START', leaseExpiresAt, expiresAt: Math.floor((leaseExpiresAt + MARKER_RETENTION_MS) / 1000) },
      }),
    );
  }

  async isRunPending(tick: string, now: number): Promise<boolean> {
    const [marker, lock] = await Promise.all([
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: TICK_PK, sk: this.runSk(tick) }, ConsistentRead: true })),
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: this.lockKey(), ConsistentRead: true })),
    ]);
    if (!marker.Item || Number(marker.Item.leaseExpiresAt) < now) return false;
    const lockTick = typeof lock.Item?.tick === 'string' ? lock.Item.tick : '';
    // Applied (or superseded) once the lock has moved past the tick, or holds it no longer.
    if (lockTick > tick || (lockTick === tick && lock.Item?.applying !== true)) return false;
    return true;
  }

  async acquireApplyLock(tick: string, holder: string, leaseExpiresAt: number, now: number): Promise<ApplyLockResult> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.lockKey(), entity: 'APPLY_LOCK', tick, holder, applying: true, leaseExpiresAt },
          ConditionExpression: 'attribute_not_exists(pk) OR (#tick <= :tick AND (#applying = :false OR #lease < :now))',
          ExpressionAttributeNames: { '#tick': 'tick', '#applying': 'applying', '#lease': 'leaseExpiresAt' },
          ExpressionAttributeValues: { ':tick': tick, ':false': false, ':now': now },
        }),
      );
      return 'acquired';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: this.lockKey(), ConsistentRead: true }));
    // Ours already: an earlier try of this very put landed (a replayed request).
    if (Item?.holder === holder && Item.applying === true) return 'acquired';
    return typeof Item?.tick === 'string' && Item.tick > tick ? 'superseded' : 'busy';
  }

  async releaseApplyLock(tick: string, holder: string): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.lockKey(), entity: 'APPLY_LOCK', tick, holder, applying: false, leaseExpiresAt: 0 },
          ConditionExpression: '#holder = :holder',
          ExpressionAttributeNames: { '#holder': 'holder' },
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (error) {
      // Our lease ran out and another run took the lock: it is theirs now.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** The sort key of this store's run summary and run marker of a tick. */
  private runSk(tick: string): string {
    return this.scope.shard === '' ? tick : `${tick}#${this.scope.shard}`;
  }

  private lockKey(): { pk: string; sk: string } {
    return { pk: LOCK_PK, sk: this.scope.shard === '' ? 'APPLY' : `APPLY#${this.scope.shard}` };
  }

  /** The states of these monitors, read consistently, 100 at a time (several requests at once). */
  private async getStates(ids: readonly string[]): Promise<Record<string, unknown>[]> {
    const chunks: string[][] = [];
    for (let start = 0; start < ids.length; start += BATCH_GET_MAX) chunks.push(ids.slice(start, start + BATCH_GET_MAX));
    const pages = await Promise.all(
      chunks.map(async (chunk) => {
        const found: Record<string, unknown>[] = [];
        let keys: Record<string, unknown>[] | undefined = chunk.map((id) => ({ pk: STATE_PK, sk: stateSk(id) }));
        for (let attempt = 0; keys && keys.length > 0; attempt += 1) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
          if (attempt >= 8) throw new Error(`DynamoDB left ${keys.length} state reads unprocessed after ${attempt} attempts`);
          const page: BatchGetCommandOutput = await this.documents.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          found.push(...(page.Responses?.[this.tableName] ?? []));
          keys = page.UnprocessedKeys?.[this.tableName]?.Keys;
        }
        return found;
      }),
    );
    return pages.flat();
  }

  /** Every run summary item (one per shard) with a tick in [from, to], oldest first, across the days it spans. */
  private async readRunItems(from: string, to: string): Promise<RunSummary[]> {
    const items: Record<string, unknown>[] = [];
    const lastDay = Date.parse(to.slice(0, 10));
    for (let day = Date.parse(from.slice(0, 10)); day <= lastDay; day += DAY_MS) {
      items.push(
        ...(await queryAll(this.documents, {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': runPk(new Date(day).toISOString()), ':from': from, ':to': `${to}${AFTER_SHARDS}` },
        })),
      );
    }
    const summaries: RunSummary[] = [];
    for (const item of items) {
      const tick = itemTick(item);
      if (tick < from || tick > to) continue;
      summaries.push(await this.runSummaryFromItem(item));
    }
    return summaries;
  }

  private async runSummaryFromItem(item: Record<string, unknown>): Promise<RunSummary> {
    let results: Record<string, RunMonitorResult>;
    if (typeof item.roster === 'string') {
      results = decodeRunResults(await this.rosters.load(item.roster), typeof item.r === 'string' ? item.r : '');
    } else {
      // Written before rosters: a map of monitor id to `ok|latencyMs|statusCode|reason`.
      results = {};
      for (const [monitorId, text] of Object.entries((item.results ?? {}) as Record<string, string>)) results[monitorId] = decodeResult(text);
    }
    return {
      tick: itemTick(item),
      startedAt: String(item.startedAt),
      durationMs: Number(item.durationMs),
      checks: Number(item.checks),
      failures: Number(item.failures),
      monitorsDown: Number(item.monitorsDown),
      results,
    };
  }

  private expiresAt(from: string, retentionMs: number): number {
    return Math.floor((Date.parse(from) + retentionMs) / 1000);
  }

}

function isConditionFailure(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
  }
  return false;
}

const monitorPk = (monitorId: string) => `MON#${monitorId}`;
const stateSk = (monitorId: string) => `MON#${monitorId}`;
const runPk = (tick: string) => `RUN#${tick.slice(0, 10)}`;
const transitionSk = (t: Pick<Transition, 'startedAt' | 'tick'>) => `TR#${t.startedAt}#${t.tick}`;

function stateToItem(state: MonitorState): Record<string, unknown> {
  return { pk: STATE_PK, sk: stateSk(state.monitorId), entity: 'STATE', ...state };
}

function stateFromItem(item: Record<string, unknown>): MonitorState {
  return {
    monitorId: String(item.monitorId),
    status: item.status as MonitorStatus,
    since: String(item.since),
    failuresInRow: Number(item.failuresInRow ?? 0),
    successesInRow: Number(item.successesInRow ?? 0),
    ...(typeof item.streakStartedAt === 'string' ? { streakStartedAt: item.streakStartedAt } : {}),
    tick: String(item.tick ?? ''),
    version: Number(item.version ?? 0),
    ...(typeof item.lastFailureReason === 'string' ? { lastFailureReason: item.lastFailureReason } : {}),
  };
}

function transitionToItem(transition: Transition, expiresAt: number): Record<string, unknown> {
  return {
    pk: monitorPk(transition.monitorId),
    sk: transitionSk(transition),
    entity: 'TRANSITION',
    ...transition,
    expiresAt,
  };
}

/** A transition from its (unmarshalled) item, as read from the table or from the stream's NewImage. */
export function transitionFromItem(item: Record<string, unknown>): Transition {
  const { monitorId, from, to, startedAt, confirmedAt, previousSince, tick, reason } = item;
  if (typeof monitorId !== 'string' || typeof startedAt !== 'string' || (to !== 'UP' && to !== 'DOWN')) {
    throw new TypeError(`not a transition item: ${JSON.stringify(item).slice(0, 200)}`);
  }
  return {
    monitorId,
    from: from as MonitorStatus,
    to,
    startedAt,
    confirmedAt: String(confirmedAt),
    previousSince: String(previousSince),
    tick: String(tick),
    ...(typeof reason === 'string' ? { reason } : {}),
  };
}

/** A result as written before rosters: `ok|latencyMs|statusCode|reason`. */
function decodeResult(text: string): RunMonitorResult {
  const [ok, latency, status, reason] = text.split('|');
  return {
    ok: ok === '1',
    latencyMs: Number(latency),
    ...(status ? { statusCode: Number(status) } : {}),
    ...(reason ? { reason: reason as FailureReason } : {}),
  };
}

function itemTick(item: Record<string, unknown>): string {
  return typeof item.tick === 'string' ? item.tick : String(item.sk);
}

function runSummaryToItem(
  summary: RunSummary,
  sk: string,
  shard: string,
  roster: string | undefined,
  results: string,
  expiresAt: number,
): Record<string, unknown> {
  return {
    pk: runPk(summary.tick),
    sk,
    entity: 'RUN',
    tick: summary.tick,
    ...(shard === '' ? {} : { shard }),
    startedAt: summary.startedAt,
    durationMs: summary.durationMs,
    checks: summary.checks,
    failures: summary.failures,
    monitorsDown: summary.monitorsDown,
    roster,
    // Left out when empty: the DynamoDB Local of the local stack refuses empty strings in some versions.
    r: results === '' ? undefined : results,
    expiresAt,
  };
}

/** The shards of one tick as one summary: results joined, counts added up, the earliest start, the longest duration. */
function mergeTick(parts: readonly RunSummary[]): RunSummary {
  const [first, ...rest] = parts as [RunSummary, ...RunSummary[]];
  if (rest.length === 0) return first;
  return rest.reduce(
    (merged, part) => ({
      tick: merged.tick,
      startedAt: part.startedAt < merged.startedAt ? part.startedAt : merged.startedAt,
      durationMs: Math.max(merged.durationMs, part.durationMs),
      checks: merged.checks + part.checks,
      failures: merged.failures + part.failures,
      monitorsDown: merged.monitorsDown + part.monitorsDown,
      results: { ...merged.results, ...part.results },
    }),
    { ...first, results: { ...first.results } },
  );
}

function mergeByTick(parts: readonly RunSummary[]): RunSummary[] {
  const byTick = new Map<string, RunSummary[]>();
  for (const part of parts) byTick.set(part.tick, [...(byTick.get(part.tick) ?? []), part]);
  return [...byTick.keys()].sort().map((tick) => mergeTick(byTick.get(tick) ?? []));
}

/**
 * The summary of `latestTick` (its shards added up), whose results also hold each other monitor's
 * newest result from the earlier ticks in `parts`, with the time it was checked.
 */
function mergeLatest(parts: readonly RunSummary[], latestTick: string): RunSummary | undefined {
  const ticks = mergeByTick(parts);
  const latest = ticks.find((summary) => summary.tick === latestTick);
  if (!latest) return undefined;
  if (ticks.length === 1) return latest;
  const results: Record<string, RunMonitorResult> = {};
  for (const summary of ticks) {
    for (const [monitorId, result] of Object.entries(summary.results)) {
      results[monitorId] = summary.tick === latestTick ? result : { ...result, checkedAt: summary.startedAt };
    }
  }
  return { ...latest, results };
}
