import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import type { MetricsSink, RunMetrics } from '../domain/ports';

/**
 * The names the alarms and the dashboard in serverless.yml read: the namespace is a parameter
 * (`metricsNamespace`), the one dimension is `Stack`. Renaming any of them silences an alarm.
 */
export const RUN_METRIC_NAMES = { checks: 'Checks', failures: 'FailedChecks', monitorsDown: 'MonitorsDown', durationMs: 'RunDuration' } as const;
export const STACK_DIMENSION = 'Stack';
/**
 * Suspects whose outage the home region declared alone, every confirmer abstaining (multi-region
 * confirmation): written only by stacks with monitors.yml `confirm`, so the others pay for no metric.
 */
export const CONFIRM_HOME_ALONE_METRIC = 'ConfirmHomeAlone';

export interface EmfMetricsSinkOptions {
  namespace: string;
  /** Dimension value that tells stacks apart, e.g. `uptime-monitor-prod`. */
  stack: string;
  /** Writes one line to the function's log; default: standard output, as Lambda ships it to CloudWatch Logs. */
  write?: (line: string) => void;
  /**
   * Where Powertools Metrics reports a value CloudWatch will drop (a timestamp more than 14 days old,
   * as a replayed or test run has). Default: nowhere, as before Powertools: the line is written anyway.
   */
  logger?: MetricsOptions['logger'];
}

/**
 * Publishes one run's aggregate metrics as one CloudWatch embedded metric format (EMF) log line,
 * through Powertools Metrics: CloudWatch Logs turns it into the same custom metrics a
 * PutMetricData call would, with no API request (PutMetricData costs $0.01 per 1,000 calls: $0.43 a
 * month at one run a minute), no network round trip in the run, and no IAM permission. Aggregate
 * only: a custom metric costs $0.30 a month, so per-monitor metrics would dwarf the rest of the bill.
 *
 * Powertools builds the record; the line is written straight to standard output, as Powertools'
 * own publishStoredMetrics does (Lambda's console wrapper would prefix it, and CloudWatch only
 * reads EMF from log events that are pure JSON), through `write` so that tests and the bench can
 * read it. Powertools' POWERTOOLS_DEV switch is not used: METRICS_ENABLED is. Its default `service`
 * dimension is dropped: the alarms read metrics with the `Stack` dimension alone, and a metric with
 * one more dimension is another metric. Runs of several shards each write their own line;
 * CloudWatch adds their data points up.
 */
const SILENT = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export class EmfMetricsSink implements MetricsSink {
  private readonly metrics: Metrics;
  private readonly write: (line: string) => void;

  constructor(options: EmfMetricsSinkOptions) {
    this.write = options.write ?? ((line) => void process.stdout.write(line));
    this.metrics = new Metrics({ namespace: options.namespace, logger: options.logger ?? SILENT });
    this.metrics.clearDefaultDimensions();
    this.metrics.setDefaultDimensions({ [STACK_DIMENSION]: options.stack });
  }

  async publishRun(metrics: RunMetrics, at: Date): Promise<void> {
    this.metrics.setTimestamp(at);
    this.metrics.addMetric(RUN_METRIC_NAMES.checks, MetricUnit.Count, metrics.checks);
    this.metrics.addMetric(RUN_METRIC_NAMES.failures, MetricUnit.Count, metrics.failures);
    this.metrics.addMetric(RUN_METRIC_NAMES.monitorsDown, MetricUnit.Count, metrics.monitorsDown);
    this.metrics.addMetric(RUN_METRIC_NAMES.durationMs, MetricUnit.Milliseconds, metrics.durationMs);
    if (metrics.confirmHomeAlone !== undefined) this.metrics.addMetric(CONFIRM_HOME_ALONE_METRIC, MetricUnit.Count, metrics.confirmHomeAlone);
    try {
      this.write(`${JSON.stringify(this.metrics.serializeMetrics())}\n`);
    } finally {
      this.metrics.clearMetrics();
    }
  }
}

/** A sink that drops metrics, for the local stack where there is no CloudWatch. */
export class DisabledMetricsSink implements MetricsSink {
  async publishRun(): Promise<void> {}
}
