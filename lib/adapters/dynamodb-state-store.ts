import { ConditionalCheckFailedException, TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { ApplyLockResult, SaveStateResult, StateStore } from '../domain/ports';
import type { FailureReason, MonitorState, MonitorStatus, RunMonitorResult, RunSummary, Transition } from '../domain/types';

const DAY_MS = 86_400_000;
const STATE_PK = 'STATE';
/** Run-start markers: pk TICK, sk <tick>. */
const TICK_PK = 'TICK';
/** The apply lock: one item. */
const LOCK_KEY = { pk: 'LOCK', sk: 'APPLY' } as const;
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
}

/**
 * The StateStore on one DynamoDB table (see ARCHITECTURE.md, data model):
 * state items under pk STATE, transitions under pk MON#<id>, run summaries under pk RUN#<day>.
 */
export class DynamoDbStateStore implements StateStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly transitionRetentionMs: number;
  private readonly runRetentionMs: number;

  constructor(options: DynamoDbStateStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.transitionRetentionMs = (options.transitionRetentionDays ?? 400) * DAY_MS;
    this.runRetentionMs = (options.runRetentionDays ?? 35) * DAY_MS;
  }

  async loadStates(): Promise<Map<string, MonitorState>> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': STATE_PK },
      // Read after the apply lock is taken: it must see every write of the run before.
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
        Key: { pk: runPk(tick), sk: tick },
        ProjectionExpression: 'pk',
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  async putRunSummary(summary: RunSummary): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: runSummaryToItem(summary, this.expiresAt(summary.startedAt, this.runRetentionMs)),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async latestRunSummary(before: string): Promise<RunSummary | undefined> {
    const end = Date.parse(before);
    for (let day = 0; day <= LATEST_RUN_LOOKBACK_DAYS; day += 1) {
      const { Items } = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk <= :before',
          ExpressionAttributeValues: { ':pk': runPk(new Date(end - day * DAY_MS).toISOString()), ':before': before },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      const item = Items?.[0];
      if (item) return runSummaryFromItem(item);
    }
    return undefined;
  }

  async listRunSummaries(from: string, to: string): Promise<RunSummary[]> {
    const summaries: RunSummary[] = [];
    const lastDay = Date.parse(to.slice(0, 10));
    for (let day = Date.parse(from.slice(0, 10)); day <= lastDay; day += DAY_MS) {
      const items = await this.queryAll({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': runPk(new Date(day).toISOString()), ':from': from, ':to': to },
      });
      summaries.push(...items.map(runSummaryFromItem));
    }
    return summaries;
  }

  async listTransitions(monitorId: string): Promise<Transition[]> {
    const items = await this.queryAll({
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
        Item: { pk: TICK_PK, sk: tick, entity: 'RUN_START', leaseExpiresAt, expiresAt: Math.floor((leaseExpiresAt + MARKER_RETENTION_MS) / 1000) },
      }),
    );
  }

  async isRunPending(tick: string, now: number): Promise<boolean> {
    const [marker, lock] = await Promise.all([
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: TICK_PK, sk: tick }, ConsistentRead: true })),
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: LOCK_KEY, ConsistentRead: true })),
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
          Item: { ...LOCK_KEY, entity: 'APPLY_LOCK', tick, holder, applying: true, leaseExpiresAt },
          ConditionExpression: 'attribute_not_exists(pk) OR (#tick <= :tick AND (#applying = :false OR #lease < :now))',
          ExpressionAttributeNames: { '#tick': 'tick', '#applying': 'applying', '#lease': 'leaseExpiresAt' },
          ExpressionAttributeValues: { ':tick': tick, ':false': false, ':now': now },
        }),
      );
      return 'acquired';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: LOCK_KEY, ConsistentRead: true }));
    // Ours already: an earlier try of this very put landed (a replayed request).
    if (Item?.holder === holder && Item.applying === true) return 'acquired';
    return typeof Item?.tick === 'string' && Item.tick > tick ? 'superseded' : 'busy';
  }

  async releaseApplyLock(tick: string, holder: string): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...LOCK_KEY, entity: 'APPLY_LOCK', tick, holder, applying: false, leaseExpiresAt: 0 },
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

  private expiresAt(from: string, retentionMs: number): number {
    return Math.floor((Date.parse(from) + retentionMs) / 1000);
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
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

/** Run results are stored compactly, `ok|latencyMs|statusCode|reason`, to keep the summary item small. */
function encodeResult(result: RunMonitorResult): string {
  return `${result.ok ? 1 : 0}|${result.latencyMs}|${result.statusCode ?? ''}|${result.reason ?? ''}`;
}

function decodeResult(text: string): RunMonitorResult {
  const [ok, latency, status, reason] = text.split('|');
  return {
    ok: ok === '1',
    latencyMs: Number(latency),
    ...(status ? { statusCode: Number(status) } : {}),
    ...(reason ? { reason: reason as FailureReason } : {}),
  };
}

function runSummaryToItem(summary: RunSummary, expiresAt: number): Record<string, unknown> {
  const results: Record<string, string> = {};
  for (const [monitorId, result] of Object.entries(summary.results)) results[monitorId] = encodeResult(result);
  return {
    pk: runPk(summary.tick),
    sk: summary.tick,
    entity: 'RUN',
    startedAt: summary.startedAt,
    durationMs: summary.durationMs,
    checks: summary.checks,
    failures: summary.failures,
    monitorsDown: summary.monitorsDown,
    results,
    expiresAt,
  };
}

function runSummaryFromItem(item: Record<string, unknown>): RunSummary {
  const results: Record<string, RunMonitorResult> = {};
  for (const [monitorId, text] of Object.entries((item.results ?? {}) as Record<string, string>)) {
    results[monitorId] = decodeResult(text);
  }
  return {
    tick: String(item.sk),
    startedAt: String(item.startedAt),
    durationMs: Number(item.durationMs),
    checks: Number(item.checks),
    failures: Number(item.failures),
    monitorsDown: Number(item.monitorsDown),
    results,
  };
}
