import { EmfMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';

interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit: string }[];
}

describe('EmfMetricsSink', () => {
  it('writes one run as one embedded-metric-format line that CloudWatch can read', async () => {
    const lines: string[] = [];
    const sink = new EmfMetricsSink({ namespace: 'UptimeMonitor', stack: 'uptime-monitor-prod', write: (line) => lines.push(line) });
    await sink.publishRun({ checks: 1000, failures: 7, monitorsDown: 2, durationMs: 3412 }, new Date('2026-01-01T10:00:03.500Z'));

    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd()).not.toContain('\n');
    const record = JSON.parse(line) as { _aws: { Timestamp: number; CloudWatchMetrics: EmfDirective[] } } & Record<string, unknown>;
    expect(record._aws.Timestamp).toBe(Date.parse('2026-01-01T10:00:03.500Z'));
    const [directive] = record._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe('UptimeMonitor');
    // Every dimension and metric the directive names has its value at the top level of the record.
    for (const name of directive?.Dimensions.flat() ?? []) expect(typeof record[name]).toBe('string');
    expect(Object.fromEntries((directive?.Metrics ?? []).map((metric) => [metric.Name, record[metric.Name]]))).toEqual({
      Checks: 1000,
      FailedChecks: 7,
      MonitorsDown: 2,
      RunDuration: 3412,
    });
    expect(record.Stack).toBe('uptime-monitor-prod');
    // The Stack dimension alone: the alarms read that metric, and one more dimension would be another one.
    expect(directive?.Dimensions).toEqual([['Stack']]);
    expect(record).not.toHaveProperty('service');
  });

  it('writes each run on a line of its own, with only that run\'s figures and time', async () => {
    const lines: string[] = [];
    const sink = new EmfMetricsSink({ namespace: 'UptimeMonitor', stack: 'uptime-monitor-prod', write: (line) => lines.push(line) });
    await sink.publishRun({ checks: 10, failures: 1, monitorsDown: 1, durationMs: 900 }, new Date('2026-01-01T10:00:03.000Z'));
    await sink.publishRun({ checks: 20, failures: 0, monitorsDown: 0, durationMs: 800 }, new Date('2026-01-01T10:01:03.000Z'));
    const records = lines.map((line) => JSON.parse(line) as { _aws: { Timestamp: number; CloudWatchMetrics: EmfDirective[] } } & Record<string, unknown>);
    expect(records.map((record) => [record._aws.Timestamp, record.Checks, record.FailedChecks, record.RunDuration, record._aws.CloudWatchMetrics[0]?.Metrics.length])).toEqual([
      [Date.parse('2026-01-01T10:00:03.000Z'), 10, 1, 900, 4],
      [Date.parse('2026-01-01T10:01:03.000Z'), 20, 0, 800, 4],
    ]);
  });
});
