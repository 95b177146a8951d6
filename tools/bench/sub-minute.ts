import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { EmfMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { HttpProber } from '../../lib/adapters/http-prober';
import { runProbeCycle } from '../../lib/app/probe-cycle';
import { combineCycles, runScheduledTick, type ProbeRunReport } from '../../lib/app/scheduled-run';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { MonitorsConfig } from '../../lib/domain/types';
import type { DynamoDbMeter, MeterReading } from './dynamodb-meter';
import { countingLogger } from './log-counter';
import { startBenchTargets } from './targets';
import { MINUTE_MS } from '../../lib/domain/time';


export interface SubMinuteOptions {
  monitors: number;
  intervalMs: number;
  latencyMs: number;
  concurrency: number;
  timeoutMs: number;
  client: DynamoDBClient;
  meter: DynamoDbMeter;
  tableName: string;
}

export interface SubMinuteUsage {
  /** Wall time of the one invocation that ran the minute's cycles, ms. */
  wallMs: number;
  cpuMs: number;
  report: ProbeRunReport;
  dynamoDb: MeterReading;
  logs: { lines: number; bytes: number };
}

/**
 * One real minute of sub-minute checks: `monitors` monitors at `intervalMs` (10 s: six cycles),
 * established first, then one scheduled period run as deployed (the cycles wait for their offset
 * in real time, so this takes most of a minute). Metered like the other runs.
 */
export async function measureSubMinute(options: SubMinuteOptions): Promise<SubMinuteUsage> {
  const targets = await startBenchTargets({ count: options.monitors, latencyMs: options.latencyMs, failingFraction: 0 });
  try {
    const lines = targets.urls.map((url, index) => `  - { id: fast-${String(index).padStart(4, '0')}, url: '${url}' }`);
    const parsed = parseMonitorsConfig(
      `notify: { from: monitor@example.com, to: [oncall@example.com] }\ndefaults: { timeout: ${options.timeoutMs}ms }\nmonitors:\n${lines.join('\n')}\n`,
      'bench-sub-minute.yml',
    );
    const config: MonitorsConfig = { ...parsed, monitors: parsed.monitors.map((monitor) => ({ ...monitor, intervalMs: options.intervalMs })) };
    const stores = createDynamoDbStores({ client: options.client, tableName: options.tableName });
    const logs = countingLogger();
    const base = {
      config,
      prober: new HttpProber(),
      metrics: new EmfMetricsSink({ namespace: 'UptimeMonitor', stack: 'uptime-monitor-bench', write: logs.raw }),
      logger: logs,
      now: () => new Date(),
      concurrency: options.concurrency,
    };
    const establishedBy = Date.now();
    for (const minutesBefore of [2, 1]) {
      await runProbeCycle(new Date(establishedBy - minutesBefore * MINUTE_MS).toISOString(), { ...base, stores, periodMs: MINUTE_MS });
    }
    // A period that starts now: all of its cycles are still ahead, as in a scheduled minute.
    const tickEpochMs = Math.floor(Date.now() / 1000) * 1000;
    options.meter.take();
    logs.take();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const run = await runScheduledTick(new Date(tickEpochMs).toISOString(), {
      ...base,
      storesFor: (scope) => stores.scoped(scope),
      periodMs: MINUTE_MS,
      maxPerShard: Number.MAX_SAFE_INTEGER,
      dispatcher: { dispatch: async () => undefined },
    });
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, report: combineCycles(run), dynamoDb: options.meter.take(), logs: logs.take() };
  } finally {
    await targets.close();
  }
}
