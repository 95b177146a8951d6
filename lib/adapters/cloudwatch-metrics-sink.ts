import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { MetricsSink, RunMetrics } from '../domain/ports';

export interface CloudWatchMetricsSinkOptions {
  client: CloudWatchClient;
  namespace: string;
  /** Dimension value that tells stacks apart, e.g. `uptime-monitor-prod`. */
  stack: string;
}

/**
 * Publishes one run's aggregate metrics in a single PutMetricData call. Aggregate only: a custom
 * metric costs $0.30 a month, so per-monitor metrics would dwarf the rest of the bill.
 */
export class CloudWatchMetricsSink implements MetricsSink {
  constructor(private readonly options: CloudWatchMetricsSinkOptions) {}

  async publishRun(metrics: RunMetrics, at: Date): Promise<void> {
    const dimensions = [{ Name: 'Stack', Value: this.options.stack }];
    const datum = (name: string, value: number, unit: 'Count' | 'Milliseconds') => ({
      MetricName: name,
      Dimensions: dimensions,
      Timestamp: at,
      Value: value,
      Unit: unit,
    });
    await this.options.client.send(
      new PutMetricDataCommand({
        Namespace: this.options.namespace,
        MetricData: [
          datum('Checks', metrics.checks, 'Count'),
          datum('FailedChecks', metrics.failures, 'Count'),
          datum('MonitorsDown', metrics.monitorsDown, 'Count'),
          datum('RunDuration', metrics.durationMs, 'Milliseconds'),
        ],
      }),
    );
  }
}

/** A sink that drops metrics, for the local stack where there is no CloudWatch. */
export class DisabledMetricsSink implements MetricsSink {
  async publishRun(): Promise<void> {}
}
