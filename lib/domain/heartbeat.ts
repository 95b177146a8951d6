import { formatDuration } from './duration';
import { isSecretRef, type SecretRefUse } from './secret-ref';
import type { CheckResult, MonitorConfig, MonitorsConfig } from './types';

/** What a job told a heartbeat monitor: it ran (`ok`), or it failed (`fail`, `/ping/{token}/fail`). */
export type PingKind = 'ok' | 'fail';

/** One ping, dated by the ping function's clock. */
export interface Ping {
  monitorId: string;
  kind: PingKind;
  /** ISO-8601 UTC time the ping arrived. */
  at: string;
}

/**
 * The stored heartbeat of one monitor (one item per monitor): when the probe first saw it
 * configured, or when it was first pinged if earlier; its latest ping, if any.
 */
export interface HeartbeatRecord {
  monitorId: string;
  firstSeenAt: string;
  lastPing?: { kind: PingKind; at: string };
}

/** The heartbeats the probe weighs (the ports of heartbeats live here, beside their rule): one read per run for every heartbeat monitor. */
export interface HeartbeatReader {
  /** The stored heartbeats of these monitors (absent: never pinged nor noted). */
  readHeartbeats(monitorIds: readonly string[]): Promise<Map<string, HeartbeatRecord>>;
  /** Notes that a monitor is configured from `atIso` on, unless a record of it exists already. */
  noteFirstSeen(monitorId: string, atIso: string): Promise<void>;
}

/** Where the ping function records pings: it writes heartbeat items only, and reads none. */
export interface PingRecorder {
  /** Records the ping as the monitor's latest, unless a later one is stored already. */
  recordPing(ping: Ping): Promise<void>;
}

/**
 * A heartbeat monitor's check at `checkedAt`: its latest ping, weighed against its interval and
 * grace. Failing with `fail-signal` when the latest ping was a fail ping; with `no-ping` when the
 * latest ping is older than interval + grace. A monitor never pinged counts from when it was first
 * seen (`firstSeenAt`): failing with `no-ping` once interval + grace have passed since, and
 * unchecked (undefined: neither up nor down, it stays UNKNOWN) until then, as with no record at
 * all (the probe has not yet noted it). A ping dated after `checkedAt` (clocks apart) is on time.
 */
export function evaluateHeartbeat(
  monitor: Pick<MonitorConfig, 'intervalMs' | 'heartbeat'>,
  record: HeartbeatRecord | undefined,
  checkedAt: string,
): CheckResult | undefined {
  if (!record) return undefined;
  const allowedMs = monitor.intervalMs + (monitor.heartbeat?.graceMs ?? 0);
  const nowMs = Date.parse(checkedAt);
  const ping = record.lastPing;
  if (ping?.kind === 'fail') {
    return { ok: false, checkedAt, latencyMs: 0, reason: 'fail-signal', message: `the job reported a failure at ${ping.at}` };
  }
  const sinceIso = ping?.at ?? record.firstSeenAt;
  const silentMs = nowMs - Date.parse(sinceIso);
  if (silentMs <= allowedMs) return ping ? { ok: true, checkedAt, latencyMs: 0 } : undefined;
  const message = ping
    ? `no ping since ${ping.at} (expected every ${formatDuration(monitor.intervalMs)}, ${formatDuration(allowedMs - monitor.intervalMs)} grace)`
    : `never pinged since it was first seen at ${record.firstSeenAt} (expected every ${formatDuration(monitor.intervalMs)}, ${formatDuration(allowedMs - monitor.intervalMs)} grace)`;
  return { ok: false, checkedAt, latencyMs: 0, reason: 'no-ping', message };
}


/** The heartbeat tokens given as secret references (the ping function's to resolve), with their fields. */
export function heartbeatTokenRefs(config: Pick<MonitorsConfig, 'monitors'>): SecretRefUse[] {
  return config.monitors.flatMap((monitor, index) =>
    monitor.heartbeat && isSecretRef(monitor.heartbeat.token) ? [{ ref: monitor.heartbeat.token, field: `monitors[${index}] (${monitor.id}).token` }] : [],
  );
}

/** The heartbeat tokens written out as literals, by field: refused outside the local stage. */
export function literalHeartbeatTokens(config: Pick<MonitorsConfig, 'monitors'>): string[] {
  return config.monitors.flatMap((monitor, index) =>
    monitor.heartbeat && !isSecretRef(monitor.heartbeat.token) ? [`monitors[${index}] (${monitor.id}).token`] : [],
  );
}
