import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from './time';

const UNIT_MS = { ms: 1, s: SECOND_MS, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS } as const;
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
  { ms: DAY_MS, compact: 'd', spaced: ' d' },
  { ms: HOUR_MS, compact: 'h', spaced: ' h' },
  { ms: MINUTE_MS, compact: 'm', spaced: ' min' },
  { ms: SECOND_MS, compact: 's', spaced: ' s' },
] as const;
const SECONDS_UNIT = DURATION_UNITS.length - 1;

/** A length of time in milliseconds for people: its largest unit, and the next one when it is not zero. */
export function formatDuration(ms: number, style: DurationStyle = 'compact'): string {
  // Whole seconds first: 59.6 s reads 1m, never 0m 60s.
  let rest = Math.max(0, Math.round(ms / SECOND_MS)) * SECOND_MS;
  const amounts = DURATION_UNITS.map((unit) => {
    const amount = Math.floor(rest / unit.ms);
    rest -= amount * unit.ms;
    return amount;
  });
  const first = amounts.findIndex((amount) => amount > 0);
  const largest = first === -1 ? SECONDS_UNIT : first;
  const finest = style === 'spaced' && largest < SECONDS_UNIT ? SECONDS_UNIT - 1 : SECONDS_UNIT;
  const shown = [largest];
  if (largest + 1 <= finest && (amounts[largest + 1] ?? 0) > 0) shown.push(largest + 1);
  return shown.map((index) => `${amounts[index]}${DURATION_UNITS[index]![style]}`).join(' ');
}
