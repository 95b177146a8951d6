import { evaluateHeartbeat, type HeartbeatReader } from '../domain/heartbeat';
import type { CheckResult, MonitorConfig } from '../domain/types';

/**
 * The checks of the due heartbeat monitors at `checkedAt`: their stored heartbeats read at once
 * (one Query a run), each weighed by evaluateHeartbeat. A monitor with no record yet is noted as
 * first seen now (one write, once), and like a monitor not yet late that never pinged, it is not
 * checked this run (absent from the answer: neither up nor down).
 */
export async function checkHeartbeats(
  monitors: readonly MonitorConfig[],
  reader: HeartbeatReader,
  checkedAt: string,
): Promise<{ monitor: MonitorConfig; result: CheckResult }[]> {
  const heartbeats = monitors.filter((monitor) => monitor.type === 'heartbeat');
  if (heartbeats.length === 0) return [];
  const records = await reader.readHeartbeats(heartbeats.map((monitor) => monitor.id));
  const checks: { monitor: MonitorConfig; result: CheckResult }[] = [];
  for (const monitor of heartbeats) {
    const record = records.get(monitor.id);
    if (!record) await reader.noteFirstSeen(monitor.id, checkedAt);
    const result = evaluateHeartbeat(monitor, record, checkedAt);
    if (result) checks.push({ monitor, result });
  }
  return checks;
}
