import type { MonitorConfig } from './types';
import { MINUTE_MS } from './time';

/**
 * The tick id of a scheduled invocation: its scheduled time truncated to the schedule's period
 * (a minute when deployed), as ISO-8601 UTC. Two deliveries of the same scheduled event share a tick.
 */
export function tickOf(scheduledTime: string, periodMs = MINUTE_MS): string {
  const scheduledEpochMs = Date.parse(scheduledTime);
  if (Number.isNaN(scheduledEpochMs)) throw new RangeError(`not a time: '${scheduledTime}'`);
  return new Date(Math.floor(scheduledEpochMs / periodMs) * periodMs).toISOString();
}

/** Whether a monitor with this interval is due at this tick (intervals are multiples of a minute). */
export function isDue(intervalMs: number, tick: string): boolean {
  const minutes = Math.floor(Date.parse(tick) / MINUTE_MS);
  const every = Math.max(1, Math.round(intervalMs / MINUTE_MS));
  return minutes % every === 0;
}

/**
 * How often a monitor is checked: its interval, except a heartbeat monitor, whose interval is how
 * often its job pings: its stored pings are weighed at every tick of the period (a read, no
 * request), so a missed ping is seen a period after its grace ends, not up to an interval later.
 */
export function checkIntervalMs(monitor: Pick<MonitorConfig, 'type' | 'intervalMs'>, periodMs = MINUTE_MS): number {
  return monitor.type === 'heartbeat' ? periodMs : monitor.intervalMs;
}

/**
 * Where in a scheduled period (one minute when deployed) its cycles start, in ms: 0, plus every
 * multiple of the step that monitors with a shorter interval need (the greatest common divisor of
 * those intervals). `[0, 10000, ..., 50000]` for a 10 s monitor under a 1-minute schedule; `[0]`
 * when no interval is shorter than the period.
 */
export function cycleOffsets(intervalsMs: readonly number[], periodMs = MINUTE_MS): number[] {
  const stepMs = intervalsMs.filter((ms) => ms < periodMs).reduce((a, b) => gcd(a, b), periodMs);
  if (!(stepMs > 0)) throw new RangeError(`intervals must be positive, got ${intervalsMs.join(', ')}`);
  const offsets: number[] = [];
  for (let offset = 0; offset < periodMs; offset += stepMs) offsets.push(offset);
  return offsets;
}

/**
 * Whether a monitor is due in the cycle starting `offsetMs` into the scheduled period `tick`: one
 * with an interval shorter than the period at every multiple of its interval; any other only in
 * the period's first cycle, and only when the period is due for it (see isDue).
 */
export function isDueInCycle(intervalMs: number, tick: string, offsetMs: number, periodMs = MINUTE_MS): boolean {
  if (intervalMs < periodMs) return offsetMs % intervalMs === 0;
  return offsetMs === 0 && isDue(intervalMs, tick);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
