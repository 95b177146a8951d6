/** The longest list of values echoed into a `dns-mismatch` message. */
const MAX_MESSAGE_CHARS = 200;

/** A DNS value as compared: lower case, without a trailing dot (`Mail.Example.com.` is `mail.example.com`). */
export function normalizeDnsValue(value: string): string {
  const lower = value.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * Why an answer set fails a `dns` monitor's `expect`, or undefined when it holds every expected
 * value (compared by normalizeDnsValue; other values in the answer are allowed). Pure.
 */
export function findDnsMismatch(name: string, recordType: string, expected: readonly string[], values: readonly string[]): string | undefined {
  const found = new Set(values.map(normalizeDnsValue));
  const missing = expected.filter((value) => !found.has(normalizeDnsValue(value)));
  if (missing.length === 0) return undefined;
  const message = `${recordType} ${name}: expected ${expected.join(', ')}; got ${values.length === 0 ? 'nothing' : values.join(', ')}`;
  return message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}
