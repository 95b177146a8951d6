/** The table `uptime-monitor status` prints: pure, given the API's answers and the time now. */
import { formatDuration } from '../../lib/domain/duration';
import { formatPercent } from '../../lib/domain/format';

/** One monitor as the table needs it: from GET /monitors, /monitors/{id} and /monitors/{id}/uptime. */
export interface StatusRow {
  id: string;
  name: string;
  status: 'UNKNOWN' | 'UP' | 'DOWN';
  since: string | null;
  heldBy: string | null;
  maintenance: { name: string; until: string } | null;
  uptimePercent: number | null;
  lastFailureReason: string | null;
}

const HEADINGS = ['ID', 'NAME', 'STATE', 'SINCE', 'UPTIME 24H', 'LAST REASON'] as const;
/** A name longer than this is cut, so one long name does not push every row off the screen. */
const MAX_NAME = 40;

/** The table's lines: a heading, then one row per monitor, columns padded to line up. */
export function formatStatusTable(rows: readonly StatusRow[], nowMs: number): string[] {
  const cells = rows.map((row) => [
    printable(row.id),
    cut(printable(row.name), MAX_NAME),
    describeState(row),
    describeSince(row.since, nowMs),
    row.uptimePercent === null ? '-' : formatPercent(row.uptimePercent),
    row.lastFailureReason === null ? '-' : printable(row.lastFailureReason),
  ]);
  const table = [[...HEADINGS], ...cells];
  const widths = HEADINGS.map((_, column) => Math.max(...table.map((line) => (line[column] ?? '').length)));
  return table.map((line) => line.map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
}

/** The one-line summary under the table: how many monitors are in each state. */
export function summarizeStates(rows: readonly StatusRow[]): string {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
  const parts = (['UP', 'DOWN', 'UNKNOWN'] as const).flatMap((status) => (counts.has(status) ? [`${counts.get(status)} ${status}`] : []));
  const maintenance = rows.filter((row) => row.maintenance !== null).length;
  if (maintenance > 0) parts.push(`${maintenance} in maintenance`);
  return `${rows.length} monitor${rows.length === 1 ? '' : 's'}: ${parts.join(', ') || 'none'}`;
}

/** `UP`, `DOWN (held by db)`, `UP, maintenance until 2026-12-02T03:00:00.000Z`. */
function describeState(row: StatusRow): string {
  let state: string = row.status;
  if (row.heldBy !== null) state += ` (held by ${printable(row.heldBy)})`;
  if (row.maintenance !== null) state += `, maintenance until ${row.maintenance.until}`;
  return state;
}

/** `3h 12m ago (2026-12-01T21:20:00.000Z)`; `never checked` for a monitor with no status yet. */
function describeSince(since: string | null, nowMs: number): string {
  if (since === null) return 'never checked';
  const at = Date.parse(since);
  if (Number.isNaN(at)) return printable(since);
  const ago = nowMs - at;
  // Another machine's clock may be a little ahead of this one's.
  const relative = ago < 0 ? 'just now' : `${formatDuration(ago)} ago`;
  return `${relative} (${new Date(at).toISOString()})`;
}

/** Text from the API as the terminal shows it: control characters (escape sequences) replaced. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
