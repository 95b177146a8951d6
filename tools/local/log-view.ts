/** The handler log lines `npm start` shows: failed checks, transitions, emails and errors. */
const SHOWN = new Set([
  'check failed',
  'monitor down',
  'monitor recovered',
  'monitor established',
  'transition email sent',
  'transition email failed; the record will be retried',
  'could not publish run metrics',
]);

export interface LogLine {
  level?: string;
  message?: string;
  timestamp?: string;
  [field: string]: unknown;
}

/** Parses one output line as a handler's JSON log line; undefined for anything else. */
export function parseLogLine(line: string): LogLine | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    if (value && typeof value === 'object' && 'message' in value && 'level' in value) return value as LogLine;
  } catch {
    return undefined;
  }
  return undefined;
}

/** Whether `npm start` shows this log line (errors always are). */
export function isShown(line: LogLine): boolean {
  return SHOWN.has(String(line.message)) || line.level === 'ERROR' || line.level === 'CRITICAL';
}

const time = (iso: unknown) => (typeof iso === 'string' && iso.length >= 19 ? iso.slice(11, 19) : '--:--:--');

/** One readable line for a terminal. */
export function formatLogLine(line: LogLine): string {
  const at = time(line.timestamp);
  const id = String(line.monitorId ?? '');
  switch (line.message) {
    case 'check failed': {
      const status = line.statusCode === undefined ? '' : ` [${String(line.statusCode)}]`;
      const detail = line.detail ? `: ${String(line.detail)}` : '';
      return `${at}  ✗ ${id} check failed (${String(line.reason)}${detail})${status} in ${String(line.latencyMs)} ms`;
    }
    case 'monitor down':
      return `${at}  ▼ ${id} is DOWN (failing since ${time(line.startedAt)}): ${String(line.reason ?? '')}`;
    case 'monitor recovered':
      return `${at}  ▲ ${id} is UP again (recovering since ${time(line.startedAt)})`;
    case 'monitor established':
      return `${at}  ● ${id} is UP (first checks passed)`;
    case 'transition email sent':
      return `${at}  ✉ email sent for ${id} (${String(line.from ?? '')} -> ${String(line.to ?? '')})`;
    default: {
      const { level, message, timestamp: _timestamp, service: _service, sampling_rate: _rate, ...rest } = line;
      const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
      return `${at}  ${String(level)} ${String(message)}${extra}`;
    }
  }
}
