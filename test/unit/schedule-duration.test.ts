import { formatDuration, parseDuration } from '../../lib/domain/duration';
import { isDue, tickOf } from '../../lib/domain/schedule';

describe('parseDuration', () => {
  it.each<[string, number | undefined]>([
    ['250ms', 250],
    ['5s', 5000],
    ['1.5s', 1500],
    ['1m', 60_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    [' 10s ', 10_000],
    ['5', undefined],
    ['5 s', undefined],
    ['-5s', undefined],
    ['5sec', undefined],
    ['', undefined],
  ])('%j is %p ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0s'], [-5000, '0s'], [45_000, '45s'], [60_000, '1m'], [250_000, '4m 10s'],
    [3_600_000, '1h'], [11_100_000, '3h 5m'], [86_400_000, '1d'], [187_200_000, '2d 4h'],
  ])('%i ms reads %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('tickOf', () => {
  it('truncates the scheduled time to the minute by default', () => {
    expect(tickOf('2026-01-01T10:05:59Z')).toBe('2026-01-01T10:05:00.000Z');
    expect(tickOf('2026-01-01T10:05:00.001Z')).toBe('2026-01-01T10:05:00.000Z');
  });

  it('gives two deliveries of one scheduled event the same tick', () => {
    expect(tickOf('2026-01-01T10:05:00Z')).toBe(tickOf('2026-01-01T10:05:00Z'));
  });

  it('truncates to a shorter period for a faster local schedule', () => {
    expect(tickOf('2026-01-01T10:05:03.900Z', 2000)).toBe('2026-01-01T10:05:02.000Z');
  });

  it('refuses a time it cannot read', () => {
    expect(() => tickOf('yesterday')).toThrow("not a time: 'yesterday'");
  });
});

describe('isDue', () => {
  it.each<[number, string, boolean]>([
    [60_000, '2026-01-01T10:07:00.000Z', true],
    [300_000, '2026-01-01T10:05:00.000Z', true],
    [300_000, '2026-01-01T10:07:00.000Z', false],
    [120_000, '2026-01-01T10:08:00.000Z', true],
    [120_000, '2026-01-01T10:09:00.000Z', false],
    [60_000, '2026-01-01T10:09:04.000Z', true],
  ])('interval %i ms at %s: %p', (interval, tick, due) => {
    expect(isDue(interval, tick)).toBe(due);
  });
});
