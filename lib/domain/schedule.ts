const MINUTE_MS = 60_000;

/**
 * The tick id of a scheduled invocation: its scheduled time truncated to the schedule's period
 * (a minute when deployed), as ISO-8601 UTC. Two deliveries of the same scheduled event share a tick.
 */
export function tickOf(scheduledTime: string, periodMs = MINUTE_MS): string {
  const ms = Date.parse(scheduledTime);
  if (Number.isNaN(ms)) throw new RangeError(`not a time: '${scheduledTime}'`);
  return new Date(Math.floor(ms / periodMs) * periodMs).toISOString();
}

/** Whether a monitor with this interval is due at this tick (intervals are multiples of a minute). */
export function isDue(intervalMs: number, tick: string): boolean {
  const minutes = Math.floor(Date.parse(tick) / MINUTE_MS);
  const every = Math.max(1, Math.round(intervalMs / MINUTE_MS));
  return minutes % every === 0;
}
