const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses `250ms`, `5s`, `1m`, `2h`, `7d` into milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match as unknown as [string, string, keyof typeof UNIT_MS];
  return Math.round(Number(amount) * UNIT_MS[unit]);
}

/**
 * How a length of time reads: `compact` as in monitors.yml and email subjects (`45s`, `4m 10s`,
 * `3h 5m`, `2d 4h`); `spaced` on the status page (`45 s`, `4 min`, `3 h 5 min`, `2 d 4 h`), where
 * seconds are not shown past the first minute.
 */
export type DurationStyle = 'compact' | 'spaced';

const DURATION_UNITS = [
  { seconds: 86_400, compact: 'd', spaced: ' d' },
  { seconds: 3600, compact: 'h', spaced: ' h' },
  { seconds: 60, compact: 'm', spaced: ' min' },
  { seconds: 1, compact: 's', spaced: ' s' },
] as const;
const SECONDS_UNIT = DURATION_UNITS.length - 1;

/** A length of time in milliseconds for people: its largest unit, and the next one when it is not zero. */
export function formatDuration(ms: number, style: DurationStyle = 'compact'): string {
  let rest = Math.max(0, Math.round(ms / 1000));
  const amounts = DURATION_UNITS.map((unit) => {
    const amount = Math.floor(rest / unit.seconds);
    rest -= amount * unit.seconds;
    return amount;
  });
  const first = amounts.findIndex((amount) => amount > 0);
  const largest = first === -1 ? SECONDS_UNIT : first;
  const finest = style === 'spaced' && largest < SECONDS_UNIT ? SECONDS_UNIT - 1 : SECONDS_UNIT;
  const shown = [largest];
  if (largest + 1 <= finest && (amounts[largest + 1] ?? 0) > 0) shown.push(largest + 1);
  return shown.map((index) => `${amounts[index]}${DURATION_UNITS[index]![style]}`).join(' ');
}
