/**
 * What the monitor costs on AWS in a month, line by line, from measured usage and list prices.
 * Pure: the usage (what the bench counted) and the prices come in as arguments.
 *
 * The month is 30 days of one scheduled run a minute (43,200 runs, 720 hours). No free tier is
 * applied: an account that already uses its free tier elsewhere pays every line.
 */

/** Prices in USD, us-east-1 list prices. */
export interface PriceList {
  /** Lambda, per request. */
  lambdaRequest: number;
  /** Lambda compute on arm64, per GB-second. */
  lambdaGbSecond: number;
  /** DynamoDB on-demand, per write request unit (1 KB). */
  dynamoDbWriteUnit: number;
  /** DynamoDB on-demand, per read request unit (4 KB strongly consistent, 8 KB eventually consistent). */
  dynamoDbReadUnit: number;
  /** DynamoDB Standard table storage, per GB-month (the item bytes plus 100 bytes per item). */
  dynamoDbStorageGbMonth: number;
  /** DynamoDB continuous backups (point-in-time recovery), per GB-month of table size. */
  dynamoDbPitrGbMonth: number;
  /** CloudWatch, per custom metric-month. */
  cloudWatchMetricMonth: number;
  /** CloudWatch API requests (PutMetricData), per request. */
  cloudWatchRequest: number;
  /** CloudWatch standard-resolution alarm, per alarm-month. */
  cloudWatchAlarmMonth: number;
  /** CloudWatch Logs ingestion, per GB. */
  logsIngestedGb: number;
  /** CloudWatch Logs storage, per GB-month. */
  logsStoredGbMonth: number;
  /** SES outbound email, per message. */
  sesEmail: number;
}

/**
 * us-east-1 list prices of what a stack is billed for (docs/architecture.md, "Cost model"):
 * requests, compute, DynamoDB units, storage and backups, metrics, alarms, logs and emails.
 */
export const LIST_PRICES: PriceList = {
  lambdaRequest: 0.2 / 1_000_000,
  lambdaGbSecond: 0.0000133334,
  dynamoDbWriteUnit: 0.625 / 1_000_000,
  dynamoDbReadUnit: 0.125 / 1_000_000,
  cloudWatchMetricMonth: 0.3,
  cloudWatchRequest: 0.01 / 1000,
  sesEmail: 0.1 / 1000,
  dynamoDbStorageGbMonth: 0.25,
  dynamoDbPitrGbMonth: 0.2,
  cloudWatchAlarmMonth: 0.1,
  logsIngestedGb: 0.5,
  logsStoredGbMonth: 0.03,
};

export const DAYS_PER_MONTH = 30;
export const HOURS_PER_MONTH = DAYS_PER_MONTH * 24;
/** One scheduled run a minute for 30 days. */
export const RUNS_PER_MONTH = HOURS_PER_MONTH * 60;
/** Bytes in a billed GB. */
export const GB = 1024 ** 3;
/** DynamoDB bills this many bytes of storage per item on top of the item's own size. */
export const DYNAMODB_ITEM_OVERHEAD_BYTES = 100;

/** Billed Lambda GB-seconds of one invocation: duration rounded up to the millisecond, times memory. */
export function lambdaGbSeconds(durationMs: number, memoryMb: number): number {
  if (!(durationMs >= 0) || !(memoryMb > 0)) throw new RangeError(`duration ${durationMs} ms and memory ${memoryMb} MB must be positive`);
  return (Math.ceil(durationMs) / 1000) * (memoryMb / 1024);
}

/** Usage of one scheduled run (one minute), every shard and sub-cycle together, with every monitor steady. */
export interface RunUsage {
  /** Lambda invocations: the scheduled one plus one per shard it hands on. */
  invocations: number;
  /** Billed GB-seconds of those invocations. */
  gbSeconds: number;
  writeUnits: number;
  readUnits: number;
  /** CloudWatch API requests (PutMetricData calls). */
  metricRequests: number;
  /** Bytes the run writes to CloudWatch Logs, Lambda's own START/END/REPORT lines included. */
  logBytes: number;
}

/**
 * Once an hour: rolling up the previous hour's run summaries (done by one of the runs), and a
 * twenty-fourth of rolling up a finished day from its hours.
 */
export interface HourlyUsage {
  writeUnits: number;
  readUnits: number;
  /** Billed GB-seconds the rollup adds to the run that does it. */
  gbSeconds: number;
}

/** What one outage of one monitor adds to the steady runs: the checks that fail, go DOWN, recover and go UP. */
export interface OutageUsage {
  /** Probe writes and reads beyond a steady run's (counter moves, the two transitions). */
  probeWriteUnits: number;
  probeReadUnits: number;
  /** The notifier: one invocation per transition at most (a stream batch may carry several). */
  notifyInvocations: number;
  notifyGbSeconds: number;
  notifyWriteUnits: number;
  notifyReadUnits: number;
  emails: number;
  logBytes: number;
}

/** What the table keeps once every retention period has filled up, in item bytes (without the per-item overhead). */
export interface StorageProfile {
  /** One state item per monitor. */
  stateItemBytes: number;
  /** Run summary bytes written per scheduled run (every shard's part). */
  runSummaryBytesPerRun: number;
  /** Run summary items written per scheduled run. */
  runSummaryItemsPerRun: number;
  runRetentionDays: number;
  /** Bytes of the transition items one outage writes (two transitions). */
  transitionBytesPerOutage: number;
  transitionRetentionDays: number;
  /** Rollup bytes and items written per hour for all monitors. */
  rollupBytesPerHour: number;
  rollupItemsPerHour: number;
  hourlyRollupRetentionDays: number;
  /** Daily rollup bytes and items written per day for all monitors. */
  rollupBytesPerDay: number;
  rollupItemsPerDay: number;
  dailyRollupRetentionDays: number;
}

export interface CostInputs {
  monitors: number;
  run: RunUsage;
  hour: HourlyUsage;
  outage: OutageUsage;
  /** How many outages a monitor has in a month, on average (an assumption, not a measurement). */
  outagesPerMonitorMonth: number;
  /** Custom metrics the probe publishes (each a metric-month). */
  customMetrics: number;
  /** CloudWatch alarms the stack creates. */
  alarms: number;
  storage: StorageProfile;
  logRetentionDays: number;
}

/** A table that keeps nothing: every retention period and size is zero. */
export const NO_STORAGE: StorageProfile = {
  stateItemBytes: 0,
  runSummaryBytesPerRun: 0,
  runSummaryItemsPerRun: 0,
  runRetentionDays: 0,
  transitionBytesPerOutage: 0,
  transitionRetentionDays: 0,
  rollupBytesPerHour: 0,
  rollupItemsPerHour: 0,
  hourlyRollupRetentionDays: 0,
  rollupBytesPerDay: 0,
  rollupItemsPerDay: 0,
  dailyRollupRetentionDays: 0,
};

/** Cost inputs with nothing used, for pricing one part on its own. */
export function noUsage(monitors: number, logRetentionDays: number): CostInputs {
  return {
    monitors,
    run: { invocations: 0, gbSeconds: 0, writeUnits: 0, readUnits: 0, metricRequests: 0, logBytes: 0 },
    hour: { writeUnits: 0, readUnits: 0, gbSeconds: 0 },
    outage: { probeWriteUnits: 0, probeReadUnits: 0, notifyInvocations: 0, notifyGbSeconds: 0, notifyWriteUnits: 0, notifyReadUnits: 0, emails: 0, logBytes: 0 },
    outagesPerMonitorMonth: 0,
    customMetrics: 0,
    alarms: 0,
    storage: { ...NO_STORAGE },
    logRetentionDays,
  };
}

export interface CostLine {
  item: string;
  /** How much of the unit a month uses. */
  quantity: number;
  unit: string;
  unitPrice: number;
  /** USD per month for all monitors. */
  monthly: number;
  /** USD per monitor-month. */
  perMonitor: number;
}

export interface CostEstimate {
  monitors: number;
  lines: CostLine[];
  /** USD per month for all monitors. */
  monthly: number;
  /** USD per monitor-month: the monthly total over the number of monitors. */
  perMonitor: number;
}

/** Table bytes billed for storage once every retention period has filled (overhead included). */
export function storedBytes(storage: StorageProfile, monitors: number, outagesPerMonitorMonth: number): number {
  const runsKept = storage.runRetentionDays * 24 * 60;
  const hoursKept = storage.hourlyRollupRetentionDays * 24;
  const outagesKept = monitors * outagesPerMonitorMonth * (storage.transitionRetentionDays / DAYS_PER_MONTH);
  const overhead = DYNAMODB_ITEM_OVERHEAD_BYTES;
  return (
    monitors * (storage.stateItemBytes + overhead) +
    runsKept * (storage.runSummaryBytesPerRun + storage.runSummaryItemsPerRun * overhead) +
    outagesKept * (storage.transitionBytesPerOutage + 2 * overhead) +
    hoursKept * (storage.rollupBytesPerHour + storage.rollupItemsPerHour * overhead) +
    storage.dailyRollupRetentionDays * (storage.rollupBytesPerDay + storage.rollupItemsPerDay * overhead)
  );
}

/**
 * The monthly bill, line by line: every quantity is a measured usage times how often it happens
 * in a month, every price a list price. The per-monitor figure is the monthly total over `monitors`.
 */
export function estimateMonthlyCost(inputs: CostInputs, prices: PriceList = LIST_PRICES): CostEstimate {
  const { monitors, run, hour, outage } = inputs;
  if (!(monitors >= 1)) throw new RangeError(`monitors must be at least 1, got ${monitors}`);
  const outages = monitors * inputs.outagesPerMonitorMonth;
  const tableGb = storedBytes(inputs.storage, monitors, inputs.outagesPerMonitorMonth) / GB;
  const logGb = (run.logBytes * RUNS_PER_MONTH + outage.logBytes * outages) / GB;

  const line = (item: string, quantity: number, unit: string, unitPrice: number): CostLine => {
    const monthly = quantity * unitPrice;
    return { item, quantity, unit, unitPrice, monthly, perMonitor: monthly / monitors };
  };
  const lines = [
    line('Lambda requests (probe runs and shards, notifier)', run.invocations * RUNS_PER_MONTH + outage.notifyInvocations * outages, 'request', prices.lambdaRequest),
    line('Lambda compute, probe runs', run.gbSeconds * RUNS_PER_MONTH + hour.gbSeconds * HOURS_PER_MONTH, 'GB-s', prices.lambdaGbSecond),
    line('Lambda compute, notifier', outage.notifyGbSeconds * outages, 'GB-s', prices.lambdaGbSecond),
    line('DynamoDB writes, steady runs', run.writeUnits * RUNS_PER_MONTH, 'WRU', prices.dynamoDbWriteUnit),
    line('DynamoDB reads, steady runs', run.readUnits * RUNS_PER_MONTH, 'RRU', prices.dynamoDbReadUnit),
    line('DynamoDB writes, hourly and daily rollups', hour.writeUnits * HOURS_PER_MONTH, 'WRU', prices.dynamoDbWriteUnit),
    line('DynamoDB reads, hourly and daily rollups', hour.readUnits * HOURS_PER_MONTH, 'RRU', prices.dynamoDbReadUnit),
    line('DynamoDB writes, outages (probe and notifier)', (outage.probeWriteUnits + outage.notifyWriteUnits) * outages, 'WRU', prices.dynamoDbWriteUnit),
    line('DynamoDB reads, outages (probe and notifier)', (outage.probeReadUnits + outage.notifyReadUnits) * outages, 'RRU', prices.dynamoDbReadUnit),
    line('DynamoDB storage', tableGb, 'GB-month', prices.dynamoDbStorageGbMonth),
    line('DynamoDB point-in-time recovery', tableGb, 'GB-month', prices.dynamoDbPitrGbMonth),
    line('CloudWatch custom metrics (aggregate)', inputs.customMetrics, 'metric-month', prices.cloudWatchMetricMonth),
    line('CloudWatch PutMetricData requests', run.metricRequests * RUNS_PER_MONTH, 'request', prices.cloudWatchRequest),
    line('CloudWatch alarms', inputs.alarms, 'alarm-month', prices.cloudWatchAlarmMonth),
    line('CloudWatch Logs ingestion', logGb, 'GB', prices.logsIngestedGb),
    line('CloudWatch Logs storage', (logGb * inputs.logRetentionDays) / DAYS_PER_MONTH, 'GB-month', prices.logsStoredGbMonth),
    line('SES emails', outage.emails * outages, 'email', prices.sesEmail),
  ];
  const monthly = lines.reduce((sum, entry) => sum + entry.monthly, 0);
  return { monitors, lines, monthly, perMonitor: monthly / monitors };
}

/** Lambda gives a function one vCPU at this much memory, and a proportional share below it. */
export const LAMBDA_MB_PER_VCPU = 1769;

/**
 * Prices that checking endpoints on the internet adds to the plain-HTTP figures: data
 * transfer out of AWS to the internet (EC2 rates, which Lambda pays; us-east-1, first 10 TB a
 * month), and the free allowance of it AWS gives each account a month, shared by all its services.
 */
export const INTERNET_PRICES = { dataTransferOutGb: 0.09, freeDataTransferOutGb: 100 };

export interface InternetChecksInputs {
  monitors: number;
  /** CPU a check takes beyond what the bench's plain HTTP check took (TLS, for HTTPS), ms. */
  extraCpuMsPerCheck: number;
  /** Bytes a check sends (its share of data transfer out). */
  bytesOutPerCheck: number;
}

export interface InternetChecksCost {
  /** Lambda compute for the extra CPU, GB-s a month (CPU-bound: the same at any memory size). */
  extraGbSeconds: number;
  extraCompute: number;
  /** Data transfer out, GB a month. */
  transferGb: number;
  /** Its price with no free allowance left. */
  transfer: number;
  /** Its price when the account's free allowance covers the first 100 GB. */
  transferAfterAllowance: number;
}

/**
 * What checking real endpoints on the internet adds to the bench's figures, which are for plain
 * HTTP targets on the machine itself: the TLS work of HTTPS checks and the bytes every check
 * sends out of AWS. One check a monitor a minute.
 */
export function internetChecksCost(inputs: InternetChecksInputs, prices: PriceList = LIST_PRICES, internet = INTERNET_PRICES): InternetChecksCost {
  if (!(inputs.monitors >= 1)) throw new RangeError(`monitors must be at least 1, got ${inputs.monitors}`);
  if (!(inputs.extraCpuMsPerCheck >= 0) || !(inputs.bytesOutPerCheck >= 0)) throw new RangeError('CPU and bytes per check must not be negative');
  const checks = inputs.monitors * RUNS_PER_MONTH;
  // A CPU-bound run at memory M takes cpu / (M / 1769) seconds, billed at M / 1024 GB.
  const extraGbSeconds = ((checks * inputs.extraCpuMsPerCheck) / 1000) * (LAMBDA_MB_PER_VCPU / 1024);
  const transferGb = (checks * inputs.bytesOutPerCheck) / GB;
  return {
    extraGbSeconds,
    extraCompute: extraGbSeconds * prices.lambdaGbSecond,
    transferGb,
    transfer: transferGb * internet.dataTransferOutGb,
    transferAfterAllowance: Math.max(0, transferGb - internet.freeDataTransferOutGb) * internet.dataTransferOutGb,
  };
}

/**
 * A measured run's usage carried to more monitors, for what the bench cannot run on one machine
 * (100,000 targets): everything that grows with the monitors (compute, request units, logs,
 * invocations at the same shard size, run summaries and rollups kept) is scaled by
 * `monitors / measured.monitors`; what does not (an outage's usage per monitor, a state's size, the
 * stack's metrics and alarms, retention) is kept. `extraRunGbSeconds` adds, per run, the compute
 * that does not scale linearly and was measured apart: the work each invocation repeats over the
 * whole configuration (resolving every target, planning every shard), which grows with the
 * monitors in every one of the shards.
 */
export function extrapolateCostInputs(measured: CostInputs, monitors: number, extraRunGbSeconds = 0): CostInputs {
  if (!(monitors >= 1) || !(measured.monitors >= 1)) throw new RangeError(`monitors must be at least 1, got ${monitors} from ${measured.monitors}`);
  if (!(extraRunGbSeconds >= 0)) throw new RangeError(`extra GB-seconds must not be negative, got ${extraRunGbSeconds}`);
  const factor = monitors / measured.monitors;
  const { run, hour, storage } = measured;
  return {
    ...measured,
    monitors,
    run: {
      invocations: run.invocations * factor,
      gbSeconds: run.gbSeconds * factor + extraRunGbSeconds,
      writeUnits: run.writeUnits * factor,
      readUnits: run.readUnits * factor,
      metricRequests: run.metricRequests * factor,
      logBytes: run.logBytes * factor,
    },
    hour: { writeUnits: hour.writeUnits * factor, readUnits: hour.readUnits * factor, gbSeconds: hour.gbSeconds * factor },
    outage: { ...measured.outage },
    storage: {
      ...storage,
      runSummaryBytesPerRun: storage.runSummaryBytesPerRun * factor,
      runSummaryItemsPerRun: storage.runSummaryItemsPerRun * factor,
      rollupBytesPerHour: storage.rollupBytesPerHour * factor,
      rollupItemsPerHour: storage.rollupItemsPerHour * factor,
      rollupBytesPerDay: storage.rollupBytesPerDay * factor,
      rollupItemsPerDay: storage.rollupItemsPerDay * factor,
    },
  };
}

/**
 * Data transfer between AWS regions, per GB: the list price out of us-east-1 (and most regions) to
 * another region. Some regions charge more; the confirm requests and answers are a few KB anyway.
 */
export const CROSS_REGION_PRICES = { interRegionTransferGb: 0.02 };

/** What multi-region confirmation (monitors.yml `confirm`) adds to a stack, as the bench measured it. */
export interface ConfirmOverheadInputs {
  monitors: number;
  /** Confirmer regions asked in each round. */
  regions: number;
  /** What a steady run with the measured failure rate adds: the failed monitors' states read, and the probe's wait for it. */
  steadyRun: { readUnits: number; writeUnits: number; gbSeconds: number };
  /**
   * What one outage adds: one confirmation round of its own (the worst case: outages that start in
   * the same run share one), the runs of its failure streak reading its state, the probe waiting
   * for the round, and log bytes (the home probe's and the confirmers').
   */
  outage: { readUnits: number; writeUnits: number; probeGbSeconds: number; logBytes: number };
  /** Each region's confirm invocation in a round: billed GB-seconds, and the request and answer bytes that cross regions. */
  invocation: { gbSeconds: number; requestBytes: number; answerBytes: number };
  outagesPerMonitorMonth: number;
  /** The ConfirmHomeAlone metric. */
  customMetrics: number;
  /** The confirm-home-alone alarm. */
  alarms: number;
  logRetentionDays: number;
}

/**
 * The monthly cost of multi-region confirmation on top of `estimateMonthlyCost`'s, line by line:
 * steady runs pay only for reading the failed monitors' states (no confirmer is invoked); each
 * outage pays one Invoke per confirmer region and its compute, the bytes between regions, and its
 * reads and logs; the stack pays one metric and one alarm.
 */
export function estimateConfirmOverhead(
  inputs: ConfirmOverheadInputs,
  prices: PriceList = LIST_PRICES,
  transfer = CROSS_REGION_PRICES,
): CostEstimate {
  const { monitors, regions, steadyRun, outage, invocation } = inputs;
  if (!(monitors >= 1)) throw new RangeError(`monitors must be at least 1, got ${monitors}`);
  const outages = monitors * inputs.outagesPerMonitorMonth;
  const invocations = outages * regions;
  const logGb = (outage.logBytes * outages) / GB;
  const line = (item: string, quantity: number, unit: string, unitPrice: number): CostLine => {
    const monthly = quantity * unitPrice;
    return { item, quantity, unit, unitPrice, monthly, perMonitor: monthly / monitors };
  };
  const lines = [
    line("DynamoDB reads, steady runs (the failed monitors' states)", steadyRun.readUnits * RUNS_PER_MONTH, 'RRU', prices.dynamoDbReadUnit),
    line('DynamoDB writes, steady runs', steadyRun.writeUnits * RUNS_PER_MONTH, 'WRU', prices.dynamoDbWriteUnit),
    line("Lambda compute, probe runs (waiting for the states' read)", steadyRun.gbSeconds * RUNS_PER_MONTH, 'GB-s', prices.lambdaGbSecond),
    line('DynamoDB reads, outages (failure streaks)', outage.readUnits * outages, 'RRU', prices.dynamoDbReadUnit),
    line('DynamoDB writes, outages', outage.writeUnits * outages, 'WRU', prices.dynamoDbWriteUnit),
    line('Lambda compute, probe waiting for the round', outage.probeGbSeconds * outages, 'GB-s', prices.lambdaGbSecond),
    line('Lambda requests, confirm invocations', invocations, 'request', prices.lambdaRequest),
    line('Lambda compute, confirm invocations', invocation.gbSeconds * invocations, 'GB-s', prices.lambdaGbSecond),
    line('Data transfer between regions (requests and answers, list price)', ((invocation.requestBytes + invocation.answerBytes) * invocations) / GB, 'GB', transfer.interRegionTransferGb),
    line('CloudWatch Logs ingestion (probe and confirmers)', logGb, 'GB', prices.logsIngestedGb),
    line('CloudWatch Logs storage', (logGb * inputs.logRetentionDays) / DAYS_PER_MONTH, 'GB-month', prices.logsStoredGbMonth),
    line('CloudWatch custom metric ConfirmHomeAlone', inputs.customMetrics, 'metric-month', prices.cloudWatchMetricMonth),
    line('CloudWatch alarm confirm-home-alone', inputs.alarms, 'alarm-month', prices.cloudWatchAlarmMonth),
  ];
  const monthly = lines.reduce((sum, entry) => sum + entry.monthly, 0);
  return { monitors, lines, monthly, perMonitor: monthly / monitors };
}
