import { ConditionalCheckFailedException, TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RunScope } from '../domain/shards';
import type { Reminder } from '../domain/reminders';
import type { CertificateWarning, KnownCertificate } from '../domain/certificate';
import type { Confirmation, MonitorState, MonitorStatus, Transition, Vantage } from '../domain/types';

/**
 * The keys and item shapes of the monitor table, shared by its adapters (one per kind of item).
 * Deployed tables hold these items: a key, an attribute or a TTL changed here orphans them.
 *
 * | item | pk | sk |
 * |---|---|---|
 * | monitor state | `STATE` | `MON#<id>` |
 * | transition (a removal too: to UNKNOWN) | `MON#<id>` | `TR#<startedAt>#<tick>` |
 * | run summary | `RUN#<day>` | `<tick>` (`<tick>#<shard>` for a shard) |
 * | run marker | `TICK` | as the run summary |
 * | apply lock | `LOCK` | `APPLY` (`APPLY#<shard>`) |
 * | heartbeat | `HEARTBEAT` | `<monitor id>` |
 * | ad-hoc maintenance window | `MAINTENANCE` | `<startAt>#<id>` |
 * | released held outage | `MON#<id>` | `RL#<startedAt>#<tick>` |
 */

export const STATE_PK = 'STATE';
/** Run markers: pk TICK, sk <tick>. */
export const TICK_PK = 'TICK';
/** The apply lock: one item (one per shard of a sharded run). */
export const LOCK_PK = 'LOCK';
/** Heartbeat items: the only partition the ping function writes (dynamodb:LeadingKeys). */
export const HEARTBEAT_PK = 'HEARTBEAT';
/** Ad-hoc maintenance windows (npm run maintenance): sk `<startAt>#<id>`. */
export const MAINTENANCE_PK = 'MAINTENANCE';
/** A run summary of one shard: sk `<tick>#<shard>`; this bound sorts after every shard of a tick. */
export const AFTER_SHARDS = '#~';

export const UNSHARDED: RunScope = { shard: '', states: 'all' };

export const monitorPk = (monitorId: string) => `MON#${monitorId}`;
export const stateSk = (monitorId: string) => `MON#${monitorId}`;
export const runPk = (tick: string) => `RUN#${tick.slice(0, 10)}`;
export const transitionSk = (t: Pick<Transition, 'startedAt' | 'tick'>) => `TR#${t.startedAt}#${t.tick}`;

/** The sort key of a scope's run summary and run marker of a tick. */
export function runSk(scope: RunScope, tick: string): string {
  return scope.shard === '' ? tick : `${tick}#${scope.shard}`;
}

export function lockKey(scope: RunScope): { pk: string; sk: string } {
  return { pk: LOCK_PK, sk: scope.shard === '' ? 'APPLY' : `APPLY#${scope.shard}` };
}

/** Where an adapter of the monitor table finds it. */
export interface DynamoDbTableOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** What every adapter of the monitor table holds: a document client that leaves undefined attributes out, and the table's name. */
export abstract class DynamoDbTableAdapter {
  protected readonly documents: DynamoDBDocumentClient;
  protected readonly tableName: string;

  protected constructor(options: DynamoDbTableOptions) {
    this.documents = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = options.tableName;
  }

  /** Whether the item is there; reads only its key (a consistent read when asked). */
  protected async itemExists(key: { pk: string; sk: string }, consistentRead = false): Promise<boolean> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: key, ProjectionExpression: 'pk', ...(consistentRead ? { ConsistentRead: true } : {}) }),
    );
    return Item !== undefined;
  }
}

/** Where an adapter of one run's items finds them, and whose run it serves. */
export interface DynamoDbRunScopedOptions extends DynamoDbTableOptions {
  /** Whose run: one shard's (its keys end in `#<shard>`, its states are its monitors'). Default: an unsharded run. */
  scope?: RunScope;
}

/** An adapter of the items a run owns (states, run summaries, run markers): the table, and whose run. */
export abstract class DynamoDbRunScopedAdapter extends DynamoDbTableAdapter {
  protected readonly scope: RunScope;

  protected constructor(options: DynamoDbRunScopedOptions) {
    super(options);
    this.scope = options.scope ?? UNSHARDED;
  }
}

/** The TTL attribute (`expiresAt`, epoch seconds) of an item kept `retentionMs` from `fromEpochMs`. */
export function expiresAtSeconds(fromEpochMs: number, retentionMs: number): number {
  return Math.floor((fromEpochMs + retentionMs) / 1000);
}

/** A conditional write (or a transaction with one) that found its condition false. */
export function isConditionFailure(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
  }
  return false;
}

export function stateToItem(state: MonitorState): Record<string, unknown> {
  return { pk: STATE_PK, sk: stateSk(state.monitorId), entity: 'STATE', ...state };
}

export function stateFromItem(item: Record<string, unknown>): MonitorState {
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
    ...(typeof item.sinceTick === 'string' ? { sinceTick: item.sinceTick } : {}),
    ...(typeof item.removedAt === 'string' ? { removedAt: item.removedAt } : {}),
    ...(typeof item.remindersSent === 'number' ? { remindersSent: item.remindersSent } : {}),
    ...(typeof item.remindedSince === 'string' ? { remindedSince: item.remindedSince } : {}),
    ...(isKnownCertificate(item.certificate) ? { certificate: item.certificate } : {}),
    ...(typeof item.heldBy === 'string' ? { heldBy: item.heldBy } : {}),
    ...(typeof item.heldOutage === 'object' && item.heldOutage !== null ? { heldOutage: transitionFromItem(item.heldOutage as Record<string, unknown>) } : {}),
    ...confirmationFromItem(item.confirmation),
  };
}

/** A state's confirmation as stored, or nothing when it is absent or not one. */
function confirmationFromItem(value: unknown): { confirmation?: Confirmation } {
  if (typeof value !== 'object' || value === null) return {};
  const { verdict, since, checkedAt, vantage } = value as Record<string, unknown>;
  if ((verdict !== 'outage' && verdict !== 'regional') || typeof since !== 'string' || typeof checkedAt !== 'string') return {};
  return { confirmation: { verdict, since, checkedAt, vantage: vantageFromItem(vantage) ?? [] } };
}

/** Vantage points as stored (on a state's confirmation or a transition), each field checked. */
function vantageFromItem(value: unknown): Vantage[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.flatMap((entry: unknown): Vantage[] => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { region, ok, reason, latencyMs } = entry as Record<string, unknown>;
    if (typeof region !== 'string' || (ok !== true && ok !== false && ok !== null)) return [];
    return [{ region, ok, ...(typeof reason === 'string' ? { reason } : {}), ...(typeof latencyMs === 'number' ? { latencyMs } : {}) }];
  });
}

function isKnownCertificate(value: unknown): value is KnownCertificate {
  if (typeof value !== 'object' || value === null) return false;
  const { fingerprint, expiresAt, issuer, subject, warnedBeforeMs } = value as Record<string, unknown>;
  return (
    typeof fingerprint === 'string' &&
    typeof expiresAt === 'string' &&
    typeof issuer === 'string' &&
    typeof subject === 'string' &&
    Array.isArray(warnedBeforeMs) &&
    warnedBeforeMs.every((threshold) => typeof threshold === 'number')
  );
}

/** A certificate warning's sort key under its monitor: `CW#<fingerprint>#<threshold ms>`, one per certificate and threshold. */
export function certificateWarningSk(warning: Pick<CertificateWarning, 'certificate' | 'thresholdMs'>): string {
  return `CW#${warning.certificate.fingerprint}#${warning.thresholdMs}`;
}

/** A certificate warning's item, kept as long as a reminder. */
export function certificateWarningToItem(warning: CertificateWarning, expiresAt: number): Record<string, unknown> {
  return { pk: monitorPk(warning.monitorId), sk: certificateWarningSk(warning), entity: 'CERTIFICATE_WARNING', ...warning, expiresAt };
}

export function certificateWarningFromItem(item: Record<string, unknown>): CertificateWarning {
  const { monitorId, certificate, thresholdMs, tick } = item;
  const cert = (typeof certificate === 'object' && certificate !== null ? certificate : {}) as Record<string, unknown>;
  if (
    typeof monitorId !== 'string' ||
    typeof thresholdMs !== 'number' ||
    typeof tick !== 'string' ||
    typeof cert.fingerprint !== 'string' ||
    typeof cert.expiresAt !== 'string'
  ) {
    throw new TypeError(`not a certificate warning item: ${JSON.stringify(item).slice(0, 200)}`);
  }
  return {
    monitorId,
    certificate: { fingerprint: cert.fingerprint, expiresAt: cert.expiresAt, issuer: String(cert.issuer ?? ''), subject: String(cert.subject ?? '') },
    thresholdMs,
    tick,
  };
}

/** A reminder's sort key under its monitor: `RM#<outage start>#<number, 6 digits>`, in order. */
export function reminderSk(reminder: Pick<Reminder, 'outageStartedAt' | 'number'>): string {
  return `RM#${reminder.outageStartedAt}#${String(reminder.number).padStart(6, '0')}`;
}

/** A reminder's item: kept as long as a transition (REMINDER items expire with the retention of runs). */
export function reminderToItem(reminder: Reminder, expiresAt: number): Record<string, unknown> {
  return { pk: monitorPk(reminder.monitorId), sk: reminderSk(reminder), entity: 'REMINDER', ...reminder, expiresAt };
}

export function reminderFromItem(item: Record<string, unknown>): Reminder {
  const { monitorId, outageStartedAt, number, tick, reason } = item;
  if (typeof monitorId !== 'string' || typeof outageStartedAt !== 'string' || typeof number !== 'number' || typeof tick !== 'string') {
    throw new TypeError(`not a reminder item: ${JSON.stringify(item).slice(0, 200)}`);
  }
  return { monitorId, outageStartedAt, number, tick, ...(typeof reason === 'string' ? { reason } : {}) };
}

/**
 * A transition's item, written without `expiresAt`: a monitor's latest transition never expires
 * (its status holds until now, and uptime needs it however long ago it began); it gets its TTL when
 * a newer one supersedes it (DynamoDbMonitorStateStore.expireTransition).
 */
export function transitionToItem(transition: Transition): Record<string, unknown> {
  return { pk: monitorPk(transition.monitorId), sk: transitionSk(transition), entity: 'TRANSITION', ...transition };
}

/** A transition from its (unmarshalled) item, as read from the table or from the stream's NewImage. */
export function transitionFromItem(item: Record<string, unknown>): Transition {
  const { monitorId, from, to, startedAt, confirmedAt, previousSince, tick, reason, heldBy, affected, vantage, regional } = item;
  if (typeof monitorId !== 'string' || typeof startedAt !== 'string' || (to !== 'UP' && to !== 'DOWN' && to !== 'UNKNOWN')) {
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
    ...(typeof heldBy === 'string' ? { heldBy } : {}),
    ...(Array.isArray(affected) ? { affected: affected.filter((id): id is string => typeof id === 'string') } : {}),
    ...(Array.isArray(vantage) ? { vantage: vantageFromItem(vantage) } : {}),
    ...(regional === true ? { regional: true as const } : {}),
  };
}

/** A released held outage's sort key under its monitor: `RL#<startedAt>#<tick>`, as its transition's, once per outage. */
export function releasedOutageSk(transition: Pick<Transition, 'startedAt' | 'tick'>): string {
  return `RL#${transition.startedAt}#${transition.tick}`;
}

/**
 * The item that sends a held outage's alert once no monitor it depends on holds it any more: the
 * outage's transition as it was stored (without `heldBy`), with the tick that released it. Kept
 * as long as a reminder.
 */
export function releasedOutageToItem(transition: Transition, releasedAt: string, expiresAt: number): Record<string, unknown> {
  return { pk: monitorPk(transition.monitorId), sk: releasedOutageSk(transition), entity: 'RELEASED_OUTAGE', ...transition, releasedAt, expiresAt };
}
