import { PERMANENT_FAILURE_MESSAGE } from '../../lib/app/notify';
import { OUTAGE_HELD_MESSAGE, OUTAGE_RELEASED_MESSAGE } from '../../lib/app/probe-log';
import { HOME_ALONE_MESSAGE, QUORUM_OUTAGE_MESSAGE, REGIONAL_FAILURE_MESSAGE } from '../../lib/app/confirm-suspects';

/**
 * The notifier's log line of each delivery (one alert to one channel), as lib/app/notify.ts words
 * them: sent (the email's own message, every other channel's), refused for good, or to be retried.
 */
const DELIVERED = ['transition email sent', 'alert delivered'];
const DELIVERY_FAILED_PERMANENTLY = PERMANENT_FAILURE_MESSAGE;
const DELIVERY_RETRIED = 'alert delivery failed; it will be retried';
/** The notifier's line for the stream record behind a failed delivery (its error logged whole, stack and all). */
const RECORD_RETRIED = 'alert failed; the record will be retried';
/** The probe's line when it writes a reminder of an outage (the notifier then sends it). */
const REMINDER_WRITTEN = 'reminder written: the monitor is still down';

/** The probe's line when it writes a certificate warning (the notifier then sends it). */
const CERTIFICATE_WARNING_WRITTEN = 'certificate warning written: the certificate expires soon';

/** The probe's lines when a dependent's outage is held back, and when it is released. */
const OUTAGE_HELD = OUTAGE_HELD_MESSAGE;
const OUTAGE_RELEASED = OUTAGE_RELEASED_MESSAGE;

/** The ping function's line for each recorded ping (functions/ping.ts). */
const PING_RECORDED = 'ping recorded';

/** The handler log lines `npm start` shows: failed checks, transitions, deliveries, reminders, pings and errors. */
const SHOWN = new Set([
  'check failed',
  'monitor down',
  'monitor recovered',
  'monitor established',
  ...DELIVERED,
  DELIVERY_FAILED_PERMANENTLY,
  DELIVERY_RETRIED,
  REMINDER_WRITTEN,
  CERTIFICATE_WARNING_WRITTEN,
  OUTAGE_HELD,
  OUTAGE_RELEASED,
  RECORD_RETRIED,
  // Multi-region confirmation: each suspect's decision.
  QUORUM_OUTAGE_MESSAGE,
  REGIONAL_FAILURE_MESSAGE,
  HOME_ALONE_MESSAGE,
  'could not publish run metrics',
  PING_RECORDED,
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
    case 'alert delivered': {
      const receipt = typeof line.receipt === 'string' && line.receipt !== '' ? `: ${line.receipt}` : '';
      return `${at}  ✉ ${deliveryChannel(line)} sent for ${id} (${alertKind(line)})${receipt}`;
    }
    case DELIVERY_FAILED_PERMANENTLY:
      return `${at}  ⊘ ${deliveryChannel(line)} refused the alert for ${id} (${alertKind(line)}), not retried: ${String(line.error ?? '')}`;
    case DELIVERY_RETRIED:
      return `${at}  ↻ ${deliveryChannel(line)} failed for ${id} (${alertKind(line)}), will be retried: ${String(line.error ?? '')}`;
    case RECORD_RETRIED: {
      // The delivery lines above it named the channel; this one only says the stream will bring it back.
      const monitor = typeof line.pk === 'string' && line.pk.startsWith('MON#') ? line.pk.slice('MON#'.length) : String(line.pk ?? line.monitorId ?? '?');
      return `${at}  ↻ ${monitor}: the stream record will be retried (${describeLoggedError(line.error)})`;
    }
    case PING_RECORDED:
      return line.kind === 'fail' ? `${at}  ♥ ${id} pinged: the job failed (/fail)` : `${at}  ♥ ${id} pinged`;
    case CERTIFICATE_WARNING_WRITTEN:
      // A date days away: the day as well as the time.
      return `${at}  ⚠ ${id} certificate expires ${String(line.expiresAt ?? '?').slice(0, 16).replace('T', ' ')} UTC: warning due`;
    case OUTAGE_HELD:
      return `${at}  ⏸ ${id}'s outage alert held back: ${String(line.heldBy ?? '?')}, which it depends on, is down`;
    case OUTAGE_RELEASED:
      return `${at}  ▼ ${id} is still DOWN (since ${time(line.since)}) now that what it depends on is up: its outage alert is due`;
    case QUORUM_OUTAGE_MESSAGE:
      return `${at}  ✓ ${id} fails from ${String(line.failing)} of ${String(line.voting)} vantage points (quorum ${String(line.quorum)}): ${describeVantagePoints(line.vantage)}`;
    case REGIONAL_FAILURE_MESSAGE:
      return `${at}  ◐ ${id} fails from ${String(line.failing)} of ${String(line.voting)} vantage points only (quorum ${String(line.quorum)}): regional, ${line.alerted === true ? 'alerted (alertOnRegional)' : 'no alert'}: ${describeVantagePoints(line.vantage)}`;
    case HOME_ALONE_MESSAGE:
      return `${at}  ⚠ ${id}: no confirmer answered, the home region decides alone: ${describeVantagePoints(line.vantage)}`;
    case REMINDER_WRITTEN:
      return `${at}  ▼ ${id} is still DOWN (since ${time(line.since)}): reminder ${String(line.number ?? '?')} due`;
    default: {
      const { level, message, timestamp: _timestamp, service: _service, sampling_rate: _rate, ...rest } = line;
      const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
      return `${at}  ${String(level)} ${String(message)}${extra}`;
    }
  }
}

/** The delivery's channel; a line without one is the built-in email's (as the notifier logged before channels). */
function deliveryChannel(line: LogLine): string {
  return typeof line.channel === 'string' && line.channel !== '' ? line.channel : 'email';
}

/**
 * What the alert is about: a transition as `UP -> DOWN` (an outage) or `DOWN -> UP` (a recovery),
 * or `reminder N` of an outage: its alert key ends in `#reminder-N` (a channel's delivery key adds
 * `#<channel>` after it), and the notifier logs N as `reminder` too.
 */
function alertKind(line: LogLine): string {
  const reminder = reminderNumber(line);
  if (reminder !== undefined) return `reminder ${reminder}${typeof line.since === 'string' ? `, DOWN since ${time(line.since)}` : ''}`;
  if (typeof line.fingerprint === 'string' || (typeof line.key === 'string' && line.key.includes('#certificate-'))) return 'certificate expiring';
  if (typeof line.from === 'string' && typeof line.to === 'string') return `${line.from} -> ${line.to}`;
  if (line.to === 'DOWN') return 'outage';
  if (line.to === 'UP') return 'recovery';
  return 'alert';
}

function reminderNumber(line: LogLine): number | undefined {
  if (typeof line.reminder === 'number') return line.reminder;
  const channelSuffix = typeof line.channel === 'string' ? `#${line.channel}` : undefined;
  const keys = [line.key, typeof line.deliveryKey === 'string' && channelSuffix && line.deliveryKey.endsWith(channelSuffix) ? line.deliveryKey.slice(0, -channelSuffix.length) : line.deliveryKey];
  for (const key of keys) {
    const match = typeof key === 'string' ? /#reminder-(\d+)$/.exec(key) : null;
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** A logged error: Powertools writes an Error as `{ name, message, stack, … }`; the first line of each is enough here. */
function describeLoggedError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return `${typeof name === 'string' ? `${name}: ` : ''}${String(message).split('\n')[0]}`;
  }
  return String(error ?? '');
}

/** A logged confirmation's vantage points: `us-east-1 ✗ http-status, eu-west-1 ✓ 42 ms, ap-southeast-1 – abstained: deadline`. */
function describeVantagePoints(vantage: unknown): string {
  if (!Array.isArray(vantage)) return '?';
  return vantage
    .map((point: unknown) => {
      if (typeof point !== 'object' || point === null) return '?';
      const { region, ok, reason, latencyMs } = point as Record<string, unknown>;
      if (ok === true) return `${String(region)} ✓ ${typeof latencyMs === 'number' ? `${Math.round(latencyMs)} ms` : ''}`.trimEnd();
      if (ok === false) return `${String(region)} ✗ ${String(reason ?? 'failed')}`;
      return `${String(region)} – ${String(reason ?? 'no answer')}`;
    })
    .join(', ');
}
