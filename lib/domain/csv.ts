/** CSV as RFC 4180 writes it, for spreadsheets. Pure. */

export type CsvValue = string | number | null;

/**
 * A CSV document: a header line, then one line per row, CRLF line ends. A field with a comma, a
 * quote or a line break is quoted (quotes doubled); null is an empty field. A text field starting
 * with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that a spreadsheet shows
 * it as text instead of running it as a formula (CSV injection). Numbers are written as they are.
 */
export function renderCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>): string {
  return [header, ...rows].map((row) => row.map(formatField).join(',')).join('\r\n') + '\r\n';
}

function formatField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
