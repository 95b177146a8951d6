/** CloudWatch Logs bills each log event's UTF-8 bytes plus 26 bytes. */
export const LOG_EVENT_OVERHEAD_BYTES = 26;
/** Lambda's own START, END and REPORT lines of one invocation, with their event overhead. */
export const LAMBDA_PLATFORM_LOG_BYTES = 70 + 50 + 160 + 3 * LOG_EVENT_OVERHEAD_BYTES;

/** The keys the Powertools logger adds to every line inside a Lambda (injectLambdaContext), with values of typical length. */
const LAMBDA_CONTEXT_KEYS = {
  service: 'uptime-monitor',
  cold_start: false,
  function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:uptime-monitor-prod-probe',
  function_memory_size: '256',
  function_name: 'uptime-monitor-prod-probe',
  function_request_id: '8f5a3c1e-4b7d-4e29-9a61-0c2f7d8e9b10',
  sampling_rate: 0,
  xray_trace_id: '1-6759e988-bd862e3fe1be46a994272793',
};

export interface LogCounter {
  info(message: unknown, ...extra: unknown[]): void;
  warn(message: unknown, ...extra: unknown[]): void;
  error(message: unknown, ...extra: unknown[]): void;
  /** Counts a line written straight to standard output (an embedded-metric-format record). */
  raw(line: string): void;
  /** Bytes the lines written so far would take in CloudWatch Logs; resets the count. */
  take(): { lines: number; bytes: number };
}

/**
 * A logger for the bench that prints nothing and counts what the Powertools logger would write in
 * Lambda: one JSON line per call, with the Lambda context keys, the level, message and timestamp.
 */
export function countingLogger(now: () => Date = () => new Date()): LogCounter {
  let lines = 0;
  let bytes = 0;
  const write = (level: string) => (message: unknown, ...extra: unknown[]) => {
    const fields = Object.assign({}, ...extra.filter((entry) => typeof entry === 'object' && entry !== null)) as Record<string, unknown>;
    const line = JSON.stringify({ level, message, timestamp: now().toISOString(), ...LAMBDA_CONTEXT_KEYS, ...fields });
    lines += 1;
    bytes += Buffer.byteLength(line, 'utf8') + LOG_EVENT_OVERHEAD_BYTES;
  };
  return {
    info: write('INFO'),
    warn: write('WARN'),
    error: write('ERROR'),
    raw: (line) => {
      lines += 1;
      bytes += Buffer.byteLength(line.trimEnd(), 'utf8') + LOG_EVENT_OVERHEAD_BYTES;
    },
    take: () => {
      const taken = { lines, bytes };
      lines = 0;
      bytes = 0;
      return taken;
    },
  };
}
