import type { ChannelConfig } from './alert';
import type { Certificate, KnownCertificate } from './certificate';
import type { MaintenanceWindowConfig } from './maintenance';
import type { SecretValue } from './secret-ref';
import type { Vantage } from './vantage';

export type { Vantage } from './vantage';

/** Validated, defaulted configuration of one monitor (durations already in milliseconds). */
/** What a monitor checks: an HTTP answer (the default), a TCP connection, a DNS record, or pings from a job. */
export type MonitorType = 'http' | 'tcp' | 'dns' | 'heartbeat';
export const MONITOR_TYPES: readonly MonitorType[] = ['http', 'tcp', 'dns', 'heartbeat'];

/** The DNS record types a `dns` monitor can resolve. */
export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SRV', 'CAA', 'PTR', 'SOA'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/** A `dns` monitor's query: the name is its URL's host (`dns://example.com`). */
export interface DnsCheck {
  recordType: DnsRecordType;
  /** Values the answer set must hold (each one of them); none: any answer will do. */
  expect?: string[];
  /** The resolver to ask (an IP address, optionally `:port`); none: the system's. */
  server?: string;
}

/** A `heartbeat` monitor: a job pings `/ping/{token}` at least every `intervalMs`, at most `graceMs` late. */
export interface HeartbeatConfig {
  graceMs: number;
  /** At least 16 characters; a literal (for the local stage) or a secret reference. */
  token: SecretValue;
}

export interface MonitorConfig {
  id: string;
  name: string;
  type: MonitorType;
  /** The URL, or a reference to where it is kept (only the probe resolves it); '' for a heartbeat. */
  url: SecretValue;
  method: string;
  /** Header values, each a literal or a secret reference. */
  headers: Record<string, SecretValue>;
  timeoutMs: number;
  intervalMs: number;
  failureThreshold: number;
  successThreshold: number;
  expect: Expectations;
  notify: { to: string[] };
  /** Shown on the status page and badges; false keeps it off both (404). */
  public: boolean;
  /** The channels its alerts go to, by name (`email` is notify's). */
  alerts: string[];
  /** Whether a recovery is alerted too. */
  sendOnResolved: boolean;
  /** While DOWN, the alert is repeated this often; none: no reminders. */
  remindEveryMs?: number;
  /** An https monitor's certificate warnings: how long before expiry, longest first (default 14d, 3d). */
  tls?: { warnBeforeMs: number[] };
  /** A `dns` monitor's query. */
  dns?: DnsCheck;
  /** A `heartbeat` monitor's grace and token. */
  heartbeat?: HeartbeatConfig;
  /**
   * The monitors this one depends on, by id (none: []). While one of them is DOWN (or its latest
   * check failed), this monitor's outage alert is held back (lib/domain/dependencies.ts).
   */
  dependsOn: string[];
}

export interface Expectations {
  /** Accepted HTTP status codes. */
  status: number[];
  /** Dotted paths into the JSON body and the values they must equal. */
  json?: Record<string, unknown>;
  bodyContains?: string;
  maxResponseTimeMs?: number;
}

export interface MonitorsConfig {
  notify: { from: string; to: string[] };
  /** Every channel by name: the built-in `email` first, then monitors.yml's `channels`. */
  channels: ChannelConfig[];
  monitors: MonitorConfig[];
  /** Configured maintenance windows (lib/domain/maintenance.ts); none: []. */
  maintenance: MaintenanceWindowConfig[];
  statusPage: StatusPageConfig;
  /** Multi-region confirmation (lib/domain/confirmation.ts); none: the home region decides alone. */
  confirm?: ConfirmSettings;
}

/** monitors.yml `confirm`: the regions that confirm a suspected outage, and how many vantage points must fail. */
export interface ConfirmSettings {
  /** The confirmer regions, besides the home region. */
  regions: string[];
  /** Vantage points (the home region included) that must fail; default a majority. */
  quorum: number;
  /** Alert when only a minority fails too (default false). */
  alertOnRegional: boolean;
}

export const ANNOUNCEMENT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AnnouncementSeverity = (typeof ANNOUNCEMENT_SEVERITIES)[number];

/** A note from the operators on the status page, shown from `from` until `until` (either open). */
export interface Announcement {
  text: string;
  severity: AnnouncementSeverity;
  from?: string;
  until?: string;
}

/** The status page's settings (monitors.yml `statusPage`). */
export interface StatusPageConfig {
  /** Default `Service status`. */
  title: string;
  description?: string;
  /** Where the page is published: alerts link here (otherwise to the API's own `/` when known). */
  url?: string;
  /** Groups of monitors, by id, in order; monitors in no group are listed after them. */
  groups: Array<{ name: string; monitors: string[] }>;
  announcements: Announcement[];
}

export type MonitorStatus = 'UNKNOWN' | 'UP' | 'DOWN';

/** Why a check failed. Network-level reasons come from the prober, the rest from evaluation. */
export type FailureReason =
  | 'timeout'
  | 'dns'
  | 'connection-refused'
  | 'connection-reset'
  | 'tls'
  | 'network'
  | 'http-status'
  | 'body-mismatch'
  | 'invalid-json'
  | 'too-slow'
  | 'insecure-redirect'
  | 'blocked-address'
  | 'dns-mismatch'
  | 'no-ping'
  | 'fail-signal';

export type NetworkFailureReason = Extract<
  FailureReason,
  'timeout' | 'dns' | 'connection-refused' | 'connection-reset' | 'tls' | 'network' | 'insecure-redirect' | 'blocked-address'
>;

/** Why a probe itself failed a check: a network reason, or a DNS answer without an expected value. */
export type ProbeFailureReason = NetworkFailureReason | 'dns-mismatch';

/** What one check requests: a monitor's request with every value resolved (no secret references). */
export interface ProbeTarget {
  /** What to check; absent: `http`. */
  type?: MonitorType;
  /** `http(s)://…`, `tcp://host:port` or `dns://name`. */
  url: string;
  method: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** A `dns` target's query. */
  dns?: DnsCheck;
}

/**
 * What the prober saw: an HTTP answer, a TCP connection made, a DNS answer holding every expected
 * value, or a failure before one of them.
 */
export type ProbeOutcome =
  | {
      kind: 'response';
      statusCode: number;
      contentType?: string;
      /** The body, cut at the prober's cap. */
      body: string;
      bodyTruncated: boolean;
      latencyMs: number;
      /** The leaf certificate of the monitor's own URL, for an https one (not of a redirect's target). */
      certificate?: Certificate;
    }
  | { kind: 'connected'; latencyMs: number }
  | { kind: 'answered'; values: string[]; latencyMs: number }
  | { kind: 'error'; reason: ProbeFailureReason; message: string; latencyMs: number };

/** One evaluated check of one monitor. */
export interface CheckResult {
  ok: boolean;
  /** ISO-8601 UTC time the check started. */
  checkedAt: string;
  latencyMs: number;
  statusCode?: number;
  reason?: FailureReason;
  /** Human-readable detail of a failure. */
  message?: string;
}

/** The persisted state machine of one monitor. */
export interface MonitorState {
  monitorId: string;
  status: MonitorStatus;
  /** When the current status began (the first check of the streak that established it). */
  since: string;
  failuresInRow: number;
  successesInRow: number;
  /** First check of the current failure or success streak. */
  streakStartedAt?: string;
  /** The last tick that changed this state. */
  tick: string;
  /** Optimistic-locking version, 0 for a state never stored. */
  version: number;
  /** The reason of the last failed check. */
  lastFailureReason?: string;
  /**
   * The tick of the transition that set `since`, so its key (`startedAt` = `since`) is known without
   * a read when a newer transition supersedes it. Absent on a monitor that never made a transition,
   * and on states stored before it was recorded.
   */
  sinceTick?: string;
  /** The tick of the run that found the monitor no longer configured and recorded its removal; cleared by its next check. */
  removedAt?: string;
  /** Reminders written for the outage that began at `remindedSince` (lib/domain/reminders.ts). */
  remindersSent?: number;
  remindedSince?: string;
  /** An https monitor's latest certificate and the warnings sent for it (lib/domain/certificate.ts). */
  certificate?: KnownCertificate;
  /** While its outage is held back by a monitor it depends on: that monitor's id (lib/domain/dependencies.ts). */
  heldBy?: string;
  /** The held outage's transition, sent when released. Set with `heldBy`. */
  heldOutage?: Transition;
  /**
   * The latest multi-region confirmation of a failure (lib/domain/confirmation.ts): `regional` while
   * only a minority of vantage points sees it (cleared by the home region's next success), `outage`
   * once a quorum did (kept while DOWN, cleared by the recovery).
   */
  confirmation?: Confirmation;
}

/** What the vantage points said about a monitor's failure, and since when it has been so. */
export interface Confirmation {
  /** `outage`: a quorum failed; `regional`: only a minority did. */
  verdict: 'outage' | 'regional';
  /** When this verdict was first reached (a failure regional for a while keeps its first time). */
  since: string;
  /** The home check the latest confirmation was about. */
  checkedAt: string;
  vantage: Vantage[];
}

export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
}

/**
 * A change of status: an outage (to DOWN), a recovery (DOWN to UP), an establishment (UNKNOWN to
 * UP), or a removal (to UNKNOWN: the monitor left the configuration and is unmonitored from the
 * run's tick; its `startedAt`, `confirmedAt` and `tick` are that tick).
 */
export interface Transition {
  monitorId: string;
  from: MonitorStatus;
  to: MonitorStatus;
  /** The first check of the streak that crossed the threshold. */
  startedAt: string;
  /** The check that crossed the threshold. */
  confirmedAt: string;
  /** When the previous status began. */
  previousSince: string;
  /** The last check's failure reason and message for an outage. */
  reason?: string;
  tick: string;
  /**
   * An outage held back because a monitor it depends on was down (that monitor's id), or the
   * recovery that ended such an outage unreleased: either sends no alert.
   */
  heldBy?: string;
  /** An outage's dependents whose latest check failed too, by id: its alert names them. */
  affected?: string[];
  /** A confirmed outage's vantage points (multi-region confirmation): who failed, who did not, who abstained. */
  vantage?: Vantage[];
  /** An outage declared though only a minority of vantage points failed (`confirm.alertOnRegional`). */
  regional?: true;
}

/** Per-monitor outcome of one run, kept in the run summary. */
export interface RunMonitorResult {
  ok: boolean;
  latencyMs: number;
  statusCode?: number;
  reason?: FailureReason;
  /**
   * When the check ran, where it differs from the summary's start: set only on a summary merged
   * from several runs (the latest run, with the newest result of monitors it did not check).
   */
  checkedAt?: string;
}

export interface RunSummary {
  tick: string;
  startedAt: string;
  durationMs: number;
  checks: number;
  failures: number;
  monitorsDown: number;
  results: Record<string, RunMonitorResult>;
}
