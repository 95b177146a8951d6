import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { formatDuration, parseDuration } from '../../lib/domain/duration';
import type { MonitorsConfig } from '../../lib/domain/types';
import { loadMonitorsConfig, parseMonitorsConfig } from '../../lib/config/monitors';

export const DEMO_MONITOR_ID = 'demo';

interface RawMonitorsFile {
  notify?: unknown;
  defaults?: Record<string, unknown>;
  monitors?: Record<string, unknown>[];
}

/**
 * Writes the monitors file the local handlers read: the user's file (validated first, so its
 * errors name it), every monitor checked at each local tick with its timeout capped at the tick
 * (a heartbeat monitor as written: its interval and grace are its job's), plus the demo monitor. Returns the path written and the parsed result.
 */
export function writeLocalMonitorsFile(options: {
  monitorsFile: string;
  outputDir: string;
  intervalMs: number;
  demoHealthUrl?: string;
}): { file: string; config: MonitorsConfig } {
  loadMonitorsConfig(options.monitorsFile);
  const raw = parse(readFileSync(options.monitorsFile, 'utf8')) as RawMonitorsFile;
  const cap = (value: unknown) => {
    const text = typeof value === 'string' ? value : '5s';
    return (parseDuration(text) ?? 0) > options.intervalMs ? formatDuration(options.intervalMs) : text;
  };
  const monitors: Record<string, unknown>[] = (raw.monitors ?? []).map((monitor) => {
    // A heartbeat makes no request and is weighed at every tick anyway: its interval is how often its job pings.
    if (monitor.type === 'heartbeat') return monitor.interval === undefined ? { ...monitor, interval: raw.defaults?.interval ?? '1m' } : monitor;
    const { interval: _interval, ...rest } = monitor;
    return { ...rest, timeout: cap(monitor.timeout ?? raw.defaults?.timeout) };
  });
  if (options.demoHealthUrl) {
    if (monitors.some((monitor) => monitor.id === DEMO_MONITOR_ID)) {
      throw new Error(`${path.basename(options.monitorsFile)} already has a monitor with id '${DEMO_MONITOR_ID}'; start with --no-demo`);
    }
    monitors.push({
      id: DEMO_MONITOR_ID,
      name: 'Demo target',
      url: options.demoHealthUrl,
      timeout: cap('2s'),
      expect: { status: [200], json: { status: 'OK' } },
    });
  }
  const document = { ...raw, defaults: { ...raw.defaults, interval: '1m' }, monitors };
  const text = `# Written by npm start from ${options.monitorsFile}; edit that file, not this one.\n${stringify(document)}`;
  const file = path.join(options.outputDir, 'monitors.local.yml');
  const config = parseMonitorsConfig(text, path.basename(file));
  writeFileSync(file, text);
  return { file, config };
}
