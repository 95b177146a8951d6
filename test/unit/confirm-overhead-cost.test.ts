import { CROSS_REGION_PRICES, GB, LIST_PRICES, RUNS_PER_MONTH, estimateConfirmOverhead, type ConfirmOverheadInputs, type CostEstimate } from '../../tools/bench/cost';

const NONE: ConfirmOverheadInputs = {
  monitors: 1000,
  regions: 2,
  steadyRun: { readUnits: 0, writeUnits: 0, gbSeconds: 0 },
  outage: { readUnits: 0, writeUnits: 0, probeGbSeconds: 0, logBytes: 0 },
  invocation: { gbSeconds: 0, requestBytes: 0, answerBytes: 0 },
  outagesPerMonitorMonth: 0,
  customMetrics: 0,
  alarms: 0,
  logRetentionDays: 30,
};

const monthly = (estimate: CostEstimate, item: string) => estimate.lines.find((line) => line.item === item)?.monthly ?? Number.NaN;

describe('estimateConfirmOverhead', () => {
  it('prices the steady reads every run of the month, and nothing else when nothing else is used', () => {
    const estimate = estimateConfirmOverhead({ ...NONE, steadyRun: { readUnits: 10, writeUnits: 0, gbSeconds: 0 } });
    expect(monthly(estimate, "DynamoDB reads, steady runs (the failed monitors' states)")).toBeCloseTo(10 * RUNS_PER_MONTH * LIST_PRICES.dynamoDbReadUnit, 9);
    expect(estimate.monthly).toBeCloseTo(10 * RUNS_PER_MONTH * LIST_PRICES.dynamoDbReadUnit, 9);
    expect(estimate.perMonitor).toBeCloseTo(estimate.monthly / 1000, 12);
  });

  it('gives each outage an Invoke and its compute in every region, and the bytes between regions at the transfer price', () => {
    const estimate = estimateConfirmOverhead({ ...NONE, outagesPerMonitorMonth: 2, invocation: { gbSeconds: 0.03, requestBytes: 1500, answerBytes: 900 } });
    const invocations = 1000 * 2 * 2;
    expect(monthly(estimate, 'Lambda requests, confirm invocations')).toBeCloseTo(invocations * LIST_PRICES.lambdaRequest, 12);
    expect(monthly(estimate, 'Lambda compute, confirm invocations')).toBeCloseTo(invocations * 0.03 * LIST_PRICES.lambdaGbSecond, 12);
    expect(monthly(estimate, 'Data transfer between regions (requests and answers, list price)')).toBeCloseTo(((invocations * 2400) / GB) * CROSS_REGION_PRICES.interRegionTransferGb, 12);
  });

  it('adds the metric and the alarm at their monthly prices', () => {
    const estimate = estimateConfirmOverhead({ ...NONE, customMetrics: 1, alarms: 1 });
    expect(estimate.monthly).toBeCloseTo(0.3 + 0.1, 9);
  });
});
