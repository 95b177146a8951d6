import type { CertificateWarning } from './certificate';
import type { OutboxEntry, Reminder } from './reminders';
import type { RunStats } from './run-stats';
import type { SecretRef } from './secret-ref';
import type { RunScope } from './shards';
import type { TransitionRef } from './state-machine';
import type {
  Expectations,
  FailureReason,
  MonitorState,
  ProbeOutcome,
  ProbeTarget,
  RunSummary,
  Transition,
} from './types';

/** Probes one monitor's endpoint. Never throws: failures come back as outcomes. */
export interface Prober {
  probe(target: ProbeTarget, signal?: AbortSignal): Promise<ProbeOutcome>;
}

export type SaveStateResult = 'saved' | 'conflict';

/**
 * Taking the apply lock: 'acquired'; 'busy' while another run holds it (retry); 'superseded' when a
 * run of a later tick has already applied its results (this run's are stale).
 */
export type ApplyLockResult = 'acquired' | 'busy' | 'superseded';

/** Monitor states: what each monitor's state machine stands at. */
export interface MonitorStateStore {
  /** The states this store serves (every state, or one shard's: see RunScope), read consistently. */
  loadStates(): Promise<Map<string, MonitorState>>;
  loadState(monitorId: string): Promise<MonitorState | undefined>;
  /** The states of these monitors only (a few failed ones, to pick a run's suspects), read consistently. */
  loadStatesOf(monitorIds: readonly string[]): Promise<Map<string, MonitorState>>;
  /**
   * Writes `next` (and `transition`, in the same transaction) only if the stored state still
   * has `previous.version` and an older tick. Returns 'conflict' when another run got there first.
   * The transition is written without an expiry: a monitor's latest transition is kept for as long
   * as it is the latest (see expireTransition).
   * A certificate warning is written in the same transaction, once (a second write of the same
   * certificate and threshold cancels it: 'conflict'). So is a held outage's release (`released`:
   * its transition, whose alert goes out now; lib/domain/dependencies.ts), once per outage.
   */
  saveState(
    previous: MonitorState,
    next: MonitorState,
    transition?: Transition,
    reminder?: Reminder,
    certificateWarning?: CertificateWarning,
    released?: Transition,
  ): Promise<SaveStateResult>;
  /**
   * Gives a transition that a newer one superseded (the newer one began at `supersededAt`) its
   * expiry: the retention after `supersededAt`, as long as a range still reaching back there needs
   * it. Only if the transition is stored ('missing' otherwise: nothing is written). Idempotent: the
   * expiry depends on the arguments alone.
   */
  expireTransition(transition: TransitionRef, supersededAt: string): Promise<'expiring' | 'missing'>;
}

/** Transitions as stored (written with the state that made them: MonitorStateStore.saveState). */
export interface TransitionReader {
  /** All transitions of a monitor, oldest first. */
  listTransitions(monitorId: string): Promise<Transition[]>;
  /**
   * The monitor's transitions starting at or after `since`, oldest first, and the last one before
   * it (the status at `since`), if any: all that the uptime math (lib/domain/uptime.ts) needs for a
   * range from `since` on, with the same figures as over every transition.
   */
  listTransitionsSince(monitorId: string, since: string): Promise<Transition[]>;
  /** The transition of the same monitor just before the one given, if any. */
  previousTransition(transition: Pick<Transition, 'monitorId' | 'startedAt' | 'tick'>): Promise<Transition | undefined>;
}

/** Run summaries: one per tick (one per shard of a sharded run); readers see a tick's shards as one. */
export interface RunSummaryStore {
  hasRunSummary(tick: string): Promise<boolean>;
  /** Writes the summary once; a second write for the same tick is ignored. */
  putRunSummary(summary: RunSummary): Promise<void>;
  /** The most recent run summary at or before `before`, looking back a bounded number of days. */
  latestRunSummary(before: string): Promise<RunSummary | undefined>;
  /** Run summaries whose tick lies in [from, to], oldest first. */
  listRunSummaries(from: string, to: string): Promise<RunSummary[]>;
}

/** Run markers: which runs are under way, so the run of the next tick can wait for them. */
export interface RunMarkerStore {
  /** Notes that a run of `tick` is under way, alive until `leaseExpiresAtMs`. */
  markRunStarted(tick: string, leaseExpiresAtMs: number): Promise<void>;
  /** Whether a run of `tick` is under way (its lease is live at `nowMs`) and has not applied its results yet. */
  isRunPending(tick: string, nowMs: number): Promise<boolean>;
}

/**
 * The apply lock: one run at a time reads the states and writes its results, and never a run of
 * an older tick after a newer one (a run that probed, then stalled, must not overwrite what a
 * later run already based its steps on).
 */
export interface ApplyLock {
  acquireApplyLock(tick: string, holder: string, leaseExpiresAtMs: number, nowMs: number): Promise<ApplyLockResult>;
  releaseApplyLock(tick: string, holder: string): Promise<void>;
}

/** What one run (one shard's run, when sharded) reads and writes. */
export interface RunStores {
  states: MonitorStateStore;
  runs: RunSummaryStore;
  markers: RunMarkerStore;
  lock: ApplyLock;
}

/** The run stores, and their view for the runs of one shard. */
export interface ScopedRunStores extends RunStores {
  /** The same table seen by the runs of one shard: its own run keys, and only its monitors' states. */
  scoped(scope: RunScope): RunStores;
}

/** Where rolled-up hours live. Written by the probe, read by the API. */
/** What a rollup covers: one UTC hour, or one UTC day (rolled up from its hours). */
export type RollupPeriod = 'hour' | 'day';

/** Rollups read for a span: which periods are rolled up, and the figures each monitor has in them. */
export interface RollupRead {
  /** The rolled-up periods starting in the span, ISO. */
  rolledUp: Set<string>;
  /** By monitor id, then by the period's start (ISO); a monitor with no check in a rolled-up period has no entry for it. */
  byMonitor: Map<string, Map<string, RunStats>>;
}

export interface RunRollupStore {
  /** Whether the period starting at `start` (ISO, on the hour or at midnight UTC) has been rolled up. */
  hasRollup(period: RollupPeriod, start: string): Promise<boolean>;
  /**
   * Stores the period's figures of every monitor checked in it, then marks the period as rolled up (a
   * monitor without figures in a marked period had no check in it). Writing a period again replaces it.
   */
  putRollup(period: RollupPeriod, start: string, stats: ReadonlyMap<string, RunStats>): Promise<void>;
  /** The rolled-up periods starting in [from, to), ISO. */
  listRolledUp(period: RollupPeriod, from: string, to: string): Promise<Set<string>>;
  /**
   * The given monitors' figures (undefined: every monitor's) per rolled-up period starting in
   * [from, to), each stored item read once, and which periods are rolled up.
   */
  readRollups(period: RollupPeriod, monitorIds: readonly string[] | undefined, from: string, to: string): Promise<RollupRead>;
}

export interface EmailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Sends one message. `signal` cuts the send (and its retries) short; the message may then have gone out or not. */
  send(message: EmailMessage, options?: { signal?: AbortSignal }): Promise<{ messageId: string }>;
}

/** What the ledger knows about one transition's email. */
export type LedgerEntry =
  | {
      status: 'INPROGRESS';
      /** The attempt that holds the claim. */
      attemptId: string;
      /** Epoch milliseconds after which another attempt may take the claim over. */
      leaseExpiresAtMs: number;
    }
  | { status: 'COMPLETED'; outcome: string; messageId?: string };

export type ClaimResult = { claimed: true } | { claimed: false; entry: LedgerEntry };

/**
 * Remembers, per transition, whether its email was sent and who is sending it right now, so a
 * transition delivered twice (or by two overlapping invocations) is mailed once.
 */
export interface NotificationLedger {
  read(key: string, options?: { signal?: AbortSignal }): Promise<LedgerEntry | undefined>;
  /**
   * Claims `key` for `attemptId` until `leaseExpiresAtMs`: succeeds when nothing is recorded, or when
   * an earlier claim's lease ran out before `nowMs` (its holder died). Otherwise reports what is there.
   */
  claim(key: string, attemptId: string, leaseExpiresAtMs: number, nowMs: number, options?: { signal?: AbortSignal }): Promise<ClaimResult>;
  /** Records that the email was sent (or needs none); replaces the claim. */
  complete(key: string, outcome: string, messageId: string | undefined, options?: { signal?: AbortSignal }): Promise<void>;
  /** Records an outcome that sends nothing, unless something is already recorded. */
  recordSkip(key: string, outcome: string): Promise<void>;
  /** Drops `attemptId`'s claim (its send failed for sure), so a retry need not wait for the lease. */
  release(key: string, attemptId: string, options?: { signal?: AbortSignal }): Promise<void>;
}

export interface RunMetrics {
  checks: number;
  failures: number;
  monitorsDown: number;
  durationMs: number;
  /** With monitors.yml `confirm` only: the suspects whose outage the home region declared alone, every confirmer abstaining. */
  confirmHomeAlone?: number;
}

export interface MetricsSink {
  publishRun(metrics: RunMetrics, at: Date): Promise<void>;
}


/** Resolved secret references: values by `describeSecretRef`, and why each of the others failed. */
export interface SecretResolution {
  values: Map<string, string>;
  /** Never holds a value: only what went wrong (no such parameter, access denied, no such field). */
  failures: Map<string, string>;
}

/** Resolves secret references (SSM, Secrets Manager, the environment) for the function that uses them. */
export interface SecretResolver {
  resolve(refs: readonly SecretRef[]): Promise<SecretResolution>;
}

/** Alerts written but not yet delivered to every channel (lib/domain/reminders.ts OutboxEntry). */
export interface AlertOutbox {
  /** Entries written before `writtenBeforeMs`, at most `limit`, each monitor's in order. */
  listWaiting(writtenBeforeMs: number, limit: number): Promise<OutboxEntry[]>;
  /** A monitor's entries that sort before `sortKey`: alerts of it still undelivered, oldest first. */
  listEarlier(monitorId: string, sortKey: string): Promise<OutboxEntry[]>;
  /** Removes an entry (nothing happens if it is gone). */
  remove(sortKey: string): Promise<void>;
}

/** Asks the notifier to deliver what waits in the outbox (an asynchronous invocation). */
export interface OutboxSweeper {
  requestSweep(): Promise<void>;
}

/**
 * What the home probe asks a confirmer region to check once (lib/domain/confirmation.ts): per
 * suspect monitor, the request the home region made and what its answer must meet, so the confirmer
 * needs no monitors.yml and keeps no state. Validated by the confirmer (lib/app/confirm.ts).
 */
export interface ConfirmRequest {
  /** Epoch milliseconds by which the answer must be back at home. */
  deadlineMs: number;
  /** By monitor id: what to request (every secret reference resolved) and what the answer must meet. */
  suspects: Record<string, { target: ProbeTarget; expect: Expectations }>;
}

/** One confirmer check of one suspect, evaluated as the home region evaluates its own. */
export type ConfirmCheck =
  | { ok: true; latencyMs: number; statusCode?: number }
  | { ok: false; latencyMs: number; reason: FailureReason; statusCode?: number };

/** A confirmer region's answer. */
export interface ConfirmAnswer {
  region: string;
  /** By monitor id: the suspects it checked to the end. */
  results: Record<string, ConfirmCheck>;
  /** Suspects whose check the deadline cut short: neither up nor down from there (the home side abstains them as 'deadline'). */
  cutShort: string[];
}

/** Asks the confirmer of one region to check the suspects once (a synchronous invocation). */
export interface Confirmer {
  /** Rejects on any failure to get an answer (an error, throttling, `signal` aborting). */
  confirm(region: string, request: ConfirmRequest, signal: AbortSignal): Promise<ConfirmAnswer>;
}
