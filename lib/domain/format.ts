/** Text shared by the status page, the badges, the report and the emails. Pure. */

const MARKUP_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text made safe for HTML or XML, in element content and in quoted attribute values alike: the one
 * escaper of the status page, the badges and the HTML emails. Control characters XML 1.0 does not
 * allow are dropped.
 */
export function escapeMarkup(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (char) => MARKUP_ESCAPES[char] ?? char);
}

/**
 * An uptime percentage for people: `100%` only when it is exactly 100, otherwise cut (not rounded)
 * to two decimals, so that 99.999 shows as `99.99%`, never as `100.00%`. Null reads `no data`.
 */
export function formatPercent(percent: number | null): string {
  if (percent === null) return 'no data';
  if (percent >= 100) return '100%';
  return `${(Math.floor(percent * 100) / 100).toFixed(2)}%`;
}

/** An ISO time for people, in UTC to the minute: `2024-05-01 12:00 UTC`. */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not a time: '${iso}'`);
  const text = new Date(ms).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}
