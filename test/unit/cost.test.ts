import {
  DYNAMODB_ITEM_OVERHEAD_BYTES,
  GB,
  LIST_PRICES,
  NO_STORAGE,
  RUNS_PER_MONTH,
  estimateMonthlyCost,
  extrapolateCostInputs,
  internetChecksCost,
  lambdaGbSeconds,
  noUsage,
  storedBytes,
  type CostEstimate,
  type CostInputs,
  type StorageProfile,
} from '../../tools/bench/cost';

/** Nothing used at all: every line is zero unless a test sets it. */
function inputs(overrides: Partial<CostInputs> = {}): CostInputs {
  return { ...noUsage(1000, 30), ...overrides };
}

function lineOf(estimate: CostEstimate, item: string) {
  const found = estimate.lines.find((line) => line.item === item);
  if (!found) throw new Error(`no line '${item}' in ${estimate.lines.map((line) => line.item).join(', ')}`);
  return found;
}

describe('lambdaGbSeconds', () => {
  it.each<[number, number, number]>([
    [1000, 1024, 1],
    [1000, 256, 0.25],
    [1500.2, 256, 1.501 * 0.25],
    [0, 256, 0],
  ])('%d ms at %d MB is %d GB-s (rounded up to the millisecond)', (ms, mb, expected) => {
    expect(lambdaGbSeconds(ms, mb)).toBeCloseTo(expected, 12);
  });

  it('refuses a negative duration or no memory', () => {
    expect(() => lambdaGbSeconds(-1, 256)).toThrow(RangeError);
    expect(() => lambdaGbSeconds(10, 0)).toThrow(RangeError);
  });
});

describe('estimateMonthlyCost', () => {
  it('reproduces the cost model of docs/architecture.md: one write per probe is $0.027 and a per-monitor metric $0.30 a monitor-month', () => {
    const estimate = estimateMonthlyCost(inputs({ monitors: 500, run: { ...inputs().run, writeUnits: 500 }, customMetrics: 500 }));
    expect(lineOf(estimate, 'DynamoDB writes, steady runs').perMonitor).toBeCloseTo(0.027, 6);
    expect(lineOf(estimate, 'CloudWatch custom metrics (aggregate)').perMonitor).toBeCloseTo(0.3, 9);
    expect(estimate.perMonitor).toBeCloseTo(0.327, 6);
  });

  it('prices a run a minute for 30 days: one request a minute is 43,200 requests, $0.00864', () => {
    const estimate = estimateMonthlyCost(inputs({ run: { ...inputs().run, invocations: 1 } }));
    const requests = lineOf(estimate, 'Lambda requests (probe runs and shards, notifier)');
    expect(requests.quantity).toBe(43_200);
    expect(requests.monthly).toBeCloseTo(0.00864, 9);
    expect(requests.perMonitor).toBeCloseTo(0.00864 / 1000, 12);
  });

  it('adds the hourly rollups 720 times and the outages once per monitor per outage', () => {
    const estimate = estimateMonthlyCost(
      inputs({
        monitors: 10,
        hour: { writeUnits: 100, readUnits: 40, gbSeconds: 2 },
        outage: { ...inputs().outage, probeWriteUnits: 6, notifyWriteUnits: 2, notifyInvocations: 2, emails: 2 },
        outagesPerMonitorMonth: 3,
      }),
    );
    expect(lineOf(estimate, 'DynamoDB writes, hourly and daily rollups').quantity).toBe(72_000);
    expect(lineOf(estimate, 'DynamoDB reads, hourly and daily rollups').quantity).toBe(28_800);
    expect(lineOf(estimate, 'Lambda compute, probe runs').quantity).toBe(1440);
    expect(lineOf(estimate, 'DynamoDB writes, outages (probe and notifier)').quantity).toBe(8 * 30);
    expect(lineOf(estimate, 'SES emails').monthly).toBeCloseTo(60 * 0.0001, 12);
    expect(lineOf(estimate, 'Lambda requests (probe runs and shards, notifier)').quantity).toBe(60);
  });

  it('makes every line its quantity times its price, and the total their sum over the monitors', () => {
    const estimate = estimateMonthlyCost(
      inputs({
        monitors: 1234,
        run: { invocations: 3, gbSeconds: 1.7, writeUnits: 9, readUnits: 61, metricRequests: 1, logBytes: 900 },
        hour: { writeUnits: 1234, readUnits: 300, gbSeconds: 0.4 },
        outage: { probeWriteUnits: 7, probeReadUnits: 1, notifyInvocations: 2, notifyGbSeconds: 0.1, notifyWriteUnits: 4, notifyReadUnits: 2, emails: 2, logBytes: 2000 },
        outagesPerMonitorMonth: 2, customMetrics: 4, alarms: 5,
        storage: { ...NO_STORAGE, stateItemBytes: 200, runSummaryBytesPerRun: 5000, runSummaryItemsPerRun: 1, runRetentionDays: 35 },
      }),
    );
    expect(estimate.lines.length).toBeGreaterThanOrEqual(15);
    for (const line of estimate.lines) {
      expect(line.monthly).toBeCloseTo(line.quantity * line.unitPrice, 12);
      expect(line.perMonitor).toBeCloseTo(line.monthly / 1234, 12);
      expect(line.monthly).toBeGreaterThan(0);
    }
    const sum = estimate.lines.reduce((total, line) => total + line.monthly, 0);
    expect(estimate.monthly).toBeCloseTo(sum, 12);
    expect(estimate.perMonitor).toBeCloseTo(sum / 1234, 12);
  });

  it('halves the per-monitor share of a fixed cost when the monitors double', () => {
    const fixed = { customMetrics: 4, alarms: 5 };
    const small = estimateMonthlyCost(inputs({ monitors: 1000, ...fixed }));
    const large = estimateMonthlyCost(inputs({ monitors: 2000, ...fixed }));
    for (const item of ['CloudWatch custom metrics (aggregate)', 'CloudWatch alarms']) {
      expect(lineOf(large, item).monthly).toBe(lineOf(small, item).monthly);
      expect(lineOf(large, item).perMonitor).toBeCloseTo(lineOf(small, item).perMonitor / 2, 12);
    }
    expect(lineOf(small, 'CloudWatch custom metrics (aggregate)').monthly + lineOf(small, 'CloudWatch alarms').monthly).toBeCloseTo(1.7, 9);
  });

  it('prices storage and backups on the same table size, and logs by the bytes written', () => {
    const storage = { ...NO_STORAGE, stateItemBytes: GB / 1000 - DYNAMODB_ITEM_OVERHEAD_BYTES };
    const estimate = estimateMonthlyCost(inputs({ storage, run: { ...inputs().run, logBytes: GB / RUNS_PER_MONTH }, logRetentionDays: 15 }));
    expect(lineOf(estimate, 'DynamoDB storage').quantity).toBeCloseTo(1, 9);
    expect(lineOf(estimate, 'DynamoDB storage').monthly).toBeCloseTo(LIST_PRICES.dynamoDbStorageGbMonth, 9);
    expect(lineOf(estimate, 'DynamoDB point-in-time recovery').monthly).toBeCloseTo(LIST_PRICES.dynamoDbPitrGbMonth, 9);
    expect(lineOf(estimate, 'CloudWatch Logs ingestion').quantity).toBeCloseTo(1, 9);
    expect(lineOf(estimate, 'CloudWatch Logs storage').quantity).toBeCloseTo(0.5, 9);
  });

  it('refuses fewer than one monitor', () => {
    expect(() => estimateMonthlyCost(inputs({ monitors: 0 }))).toThrow(RangeError);
  });
});

describe('storedBytes', () => {
  it('keeps each history for its retention, with 100 bytes of overhead per item', () => {
    const profile: StorageProfile = { stateItemBytes: 150, runSummaryBytesPerRun: 1000, runSummaryItemsPerRun: 2, runRetentionDays: 1, transitionBytesPerOutage: 400, transitionRetentionDays: 60, rollupBytesPerHour: 5000, rollupItemsPerHour: 10, hourlyRollupRetentionDays: 2, rollupBytesPerDay: 6000, rollupItemsPerDay: 10, dailyRollupRetentionDays: 3 };
    const states = 10 * 250;
    const runs = 1440 * (1000 + 200);
    const transitions = 10 * 3 * 2 * (400 + 200);
    const rollups = 48 * (5000 + 1000) + 3 * (6000 + 1000);
    expect(storedBytes(profile, 10, 3)).toBe(states + runs + transitions + rollups);
  });
});

describe('internetChecksCost', () => {
  it('prices the bytes every check sends for a month of 1-minute checks, with and without the free 100 GB', () => {
    // 10,000 monitors × 43,200 checks × 1,000 bytes = 432,000,000,000 bytes = 402.3 GB.
    const cost = internetChecksCost({ monitors: 10_000, extraCpuMsPerCheck: 0, bytesOutPerCheck: 1000 });
    expect(cost.transferGb).toBeCloseTo(432e9 / 1024 ** 3, 6);
    expect(cost.transfer).toBeCloseTo(cost.transferGb * 0.09, 9);
    expect(cost.transferAfterAllowance).toBeCloseTo((cost.transferGb - 100) * 0.09, 9);
    expect(cost.extraCompute).toBe(0);
  });

  it('charges nothing for transfer inside the free allowance', () => {
    const cost = internetChecksCost({ monitors: 100, extraCpuMsPerCheck: 0, bytesOutPerCheck: 1000 });
    expect(cost.transferGb).toBeLessThan(100);
    expect(cost.transfer).toBeGreaterThan(0);
    expect(cost.transferAfterAllowance).toBe(0);
  });

  it('bills extra CPU as CPU-bound Lambda time: 1 ms a check for 1,000 monitors is 74,628 GB-s', () => {
    // 43,200,000 checks × 1 ms = 43,200 CPU-seconds; at one vCPU per 1,769 MB that is 43,200 × 1769 / 1024 GB-s.
    const cost = internetChecksCost({ monitors: 1000, extraCpuMsPerCheck: 1, bytesOutPerCheck: 0 });
    expect(cost.extraGbSeconds).toBeCloseTo((43_200 * 1769) / 1024, 6);
    expect(cost.extraCompute).toBeCloseTo(cost.extraGbSeconds * LIST_PRICES.lambdaGbSecond, 9);
  });

  it('refuses negative figures and no monitors', () => {
    expect(() => internetChecksCost({ monitors: 0, extraCpuMsPerCheck: 0, bytesOutPerCheck: 0 })).toThrow(RangeError);
    expect(() => internetChecksCost({ monitors: 1, extraCpuMsPerCheck: -1, bytesOutPerCheck: 0 })).toThrow(RangeError);
    expect(() => internetChecksCost({ monitors: 1, extraCpuMsPerCheck: 0, bytesOutPerCheck: Number.NaN })).toThrow(RangeError);
  });
});

describe('extrapolateCostInputs', () => {
  const measured: CostInputs = {
    ...noUsage(10_000, 30),
    run: { invocations: 10, gbSeconds: 8, writeUnits: 70, readUnits: 610, metricRequests: 0, logBytes: 12_000 },
    hour: { writeUnits: 625, readUnits: 500, gbSeconds: 1.5 },
    outage: { probeWriteUnits: 7, probeReadUnits: 1, notifyInvocations: 2, notifyGbSeconds: 0.1, notifyWriteUnits: 4, notifyReadUnits: 2, emails: 2, logBytes: 2000 },
    outagesPerMonitorMonth: 2,
    customMetrics: 4,
    alarms: 8,
    storage: { stateItemBytes: 300, runSummaryBytesPerRun: 33_000, runSummaryItemsPerRun: 10, runRetentionDays: 35, transitionBytesPerOutage: 800, transitionRetentionDays: 400, rollupBytesPerHour: 900_000, rollupItemsPerHour: 626, hourlyRollupRetentionDays: 100, rollupBytesPerDay: 1_000_000, rollupItemsPerDay: 626, dailyRollupRetentionDays: 400 },
  };

  it('scales what grows with the monitors and keeps what does not', () => {
    const scaled = extrapolateCostInputs(measured, 100_000);
    expect(scaled.monitors).toBe(100_000);
    expect(scaled.run).toEqual({ invocations: 100, gbSeconds: 80, writeUnits: 700, readUnits: 6100, metricRequests: 0, logBytes: 120_000 });
    expect(scaled.hour).toEqual({ writeUnits: 6250, readUnits: 5000, gbSeconds: 15 });
    expect(scaled.outage).toEqual(measured.outage);
    expect(scaled.storage).toEqual({ ...measured.storage, runSummaryBytesPerRun: 330_000, runSummaryItemsPerRun: 100, rollupBytesPerHour: 9_000_000, rollupItemsPerHour: 6260, rollupBytesPerDay: 10_000_000, rollupItemsPerDay: 6260 });
    expect([scaled.customMetrics, scaled.alarms, scaled.outagesPerMonitorMonth, scaled.logRetentionDays]).toEqual([4, 8, 2, 30]);
  });

  it('prices the same per monitor as the measured run, less the fixed costs spread thinner, plus the extra compute', () => {
    const base = estimateMonthlyCost(measured);
    const scaled = estimateMonthlyCost(extrapolateCostInputs(measured, 100_000));
    const fixed = (estimate: CostEstimate) => lineOf(estimate, 'CloudWatch custom metrics (aggregate)').monthly + lineOf(estimate, 'CloudWatch alarms').monthly;
    expect(scaled.monthly - fixed(scaled)).toBeCloseTo(10 * (base.monthly - fixed(base)), 6);
    expect(scaled.perMonitor).toBeLessThan(base.perMonitor);

    const withExtra = estimateMonthlyCost(extrapolateCostInputs(measured, 100_000, 50));
    // 50 GB-s a run, 43,200 runs: 2,160,000 GB-s.
    expect(lineOf(withExtra, 'Lambda compute, probe runs').monthly - lineOf(scaled, 'Lambda compute, probe runs').monthly).toBeCloseTo(50 * RUNS_PER_MONTH * LIST_PRICES.lambdaGbSecond, 6);
  });

  it('refuses no monitors and negative extra compute', () => {
    expect(() => extrapolateCostInputs(measured, 0)).toThrow(RangeError);
    expect(() => extrapolateCostInputs(measured, 100_000, -1)).toThrow(RangeError);
  });
});
