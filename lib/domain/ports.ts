import type {
  CheckResult,
  MonitorConfig,
  MonitorState,
  ProbeOutcome,
  RunSummary,
  Transition,
} from './types';

/** Probes one monitor's endpoint. Never throws: failures come back as outcomes. */
export interface Prober {
  probe(monitor: MonitorConfig, signal?: AbortSignal): Promise<ProbeOutcome>;
}

export type SaveStateResult = 'saved' | 'conflict';

/**
 * Taking the apply lock: 'acquired'; 'busy' while another run holds it (retry); 'superseded' when a
 * run of a later tick has already applied its results (this run's are stale).
 */
export type ApplyLockResult = 'acquired' | 'busy' | 'superseded';

/** Where monitor states, transitions and run summaries live. */
export interface StateStore {
  loadStates(): Promise<Map<string, MonitorState>>;
  loadState(monitorId: string): Promise<MonitorState | undefined>;
  /**
   * Writes `next` (and `transition`, in the same transaction) only if the stored state still
   * has `previous.version` and an older tick. Returns 'conflict' when another run got there first.
   */
  saveState(previous: MonitorState, next: MonitorState, transition?: Transition): Promise<SaveStateResult>;
  hasRunSummary(tick: string): Promise<boolean>;
  /** Writes the summary once; a second write for the same tick is ignored. */
  putRunSummary(summary: RunSummary): Promise<void>;
  /** The most recent run summary at or before `before`, looking back a bounded number of days. */
  latestRunSummary(before: string): Promise<RunSummary | undefined>;
  /** Run summaries whose tick lies in [from, to], oldest first. */
  listRunSummaries(from: string, to: string): Promise<RunSummary[]>;
  /** All transitions of a monitor, oldest first. */
  listTransitions(monitorId: string): Promise<Transition[]>;
  /** The transition of the same monitor just before the one given, if any. */
  previousTransition(transition: Pick<Transition, 'monitorId' | 'startedAt' | 'tick'>): Promise<Transition | undefined>;
  /** Notes that a run of `tick` is under way, alive until `leaseExpiresAt` (epoch ms). */
  markRunStarted(tick: string, leaseExpiresAt: number): Promise<void>;
  /** Whether a run of `tick` is under way (its lease is live at `now`) and has not applied its results yet. */
  isRunPending(tick: string, now: number): Promise<boolean>;
  /**
   * The apply lock: one run at a time reads the states and writes its results, and never a run of
   * an older tick after a newer one (a run that probed, then stalled, must not overwrite what a
   * later run already based its steps on).
   */
  acquireApplyLock(tick: string, holder: string, leaseExpiresAt: number, now: number): Promise<ApplyLockResult>;
  releaseApplyLock(tick: string, holder: string): Promise<void>;
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
      leaseExpiresAt: number;
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
   * Claims `key` for `attemptId` until `leaseExpiresAt`: succeeds when nothing is recorded, or when
   * an earlier claim's lease ran out before `now` (its holder died). Otherwise reports what is there.
   */
  claim(key: string, attemptId: string, leaseExpiresAt: number, now: number, options?: { signal?: AbortSignal }): Promise<ClaimResult>;
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
}

export interface MetricsSink {
  publishRun(metrics: RunMetrics, at: Date): Promise<void>;
}

/** Result of one check, as the probe cycle hands it on. */
export type EvaluatedCheck = { monitor: MonitorConfig; result: CheckResult };
