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
}

export interface EmailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: EmailMessage): Promise<{ messageId: string }>;
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
