import type { RunStats } from './run-stats';
import type { FailureReason, RunMonitorResult } from './types';

/**
 * The per-monitor results of a run summary, written compactly. Every run writes one summary with
 * every monitor's result, so its size is what the table bills most: at 10,000 monitors a
 * `"monitor-id": "1|123|200|"` map is over 200 KB a minute (200 write units, and 11 GB kept for 35
 * days). Here the monitor ids are left out (the summary names a roster, the sorted list of its
 * monitor ids, stored once) and a good check is its latency in base 36: two or three characters.
 *
 * `latency` for an ok check with status 200; `latency~ok~status~reason` otherwise, where ok is 1
 * or 0, status is base 36 (empty when there was no answer) and reason the index of the failure
 * reason in FAILURE_REASONS (empty when none). Entries are in roster order, joined by commas.
 */

/** Every failure reason, in a fixed order: stored results refer to them by index. Append only. */
export const FAILURE_REASONS: readonly FailureReason[] = [
  'timeout',
  'dns',
  'connection-refused',
  'connection-reset',
  'tls',
  'network',
  'http-status',
  'body-mismatch',
  'invalid-json',
  'too-slow',
  'insecure-redirect',
  'blocked-address',
  'dns-mismatch',
  'no-ping',
  'fail-signal',
];

/** A roster and the encoded results of a run summary. */
export interface EncodedRunResults {
  /** The monitor ids, sorted: the order of the entries. */
  roster: string[];
  text: string;
}

export class RunResultsDecodeError extends Error {
  override readonly name = 'RunResultsDecodeError';
}

/** Writes the results in roster order. */
export function encodeRunResults(results: Readonly<Record<string, RunMonitorResult>>): EncodedRunResults {
  const roster = Object.keys(results).sort();
  const entries = roster.map((id) => encodeEntry(results[id] as RunMonitorResult));
  return { roster, text: entries.join(',') };
}

/** Reads results written by encodeRunResults against the same roster. */
export function decodeRunResults(roster: readonly string[], text: string): Record<string, RunMonitorResult> {
  const entries = text === '' ? [] : text.split(',');
  if (entries.length !== roster.length) {
    throw new RunResultsDecodeError(`run results hold ${entries.length} entries for a roster of ${roster.length} monitors`);
  }
  const results: Record<string, RunMonitorResult> = {};
  roster.forEach((id, index) => {
    results[id] = decodeEntry(entries[index] as string);
  });
  return results;
}

function encodeEntry(result: RunMonitorResult): string {
  const latency = Math.max(0, Math.round(result.latencyMs)).toString(36);
  if (result.ok && result.statusCode === 200 && result.reason === undefined) return latency;
  const reason = result.reason === undefined ? '' : String(FAILURE_REASONS.indexOf(result.reason));
  if (reason === '-1') throw new RangeError(`unknown failure reason '${String(result.reason)}'`);
  return `${latency}~${result.ok ? 1 : 0}~${result.statusCode === undefined ? '' : result.statusCode.toString(36)}~${reason}`;
}

function decodeEntry(entry: string): RunMonitorResult {
  const [latency, ok, status, reason, ...rest] = entry.split('~');
  const latencyMs = parseInt(latency ?? '', 36);
  if (!Number.isFinite(latencyMs) || rest.length > 0) throw new RunResultsDecodeError(`bad run result entry '${entry}'`);
  if (ok === undefined) return { ok: true, latencyMs, statusCode: 200 };
  const failureReason = reason ? FAILURE_REASONS[Number(reason)] : undefined;
  if (reason && failureReason === undefined) throw new RunResultsDecodeError(`bad failure reason in run result entry '${entry}'`);
  return {
    ok: ok === '1',
    latencyMs,
    ...(status ? { statusCode: parseInt(status, 36) } : {}),
    ...(failureReason ? { reason: failureReason } : {}),
  };
}

/**
 * One monitor's figures for an hour or a day (a rollup), written compactly: `checks.failed.count.sum.min.max`
 * in base 36, then `.@`, the first latency bucket, `:` and the counts of it and of each bucket after it
 * up to the last non-empty one, joined by `;`, an empty bucket as nothing (all in base 36). About 40
 * characters for an hour of a monitor checked every minute; a day's 30 or so buckets take about 2.5
 * characters each instead of the 6 of `bucket:count` pairs (the form rollups were first written in,
 * which decodeRunStats still reads).
 */
export function encodeRunStats(stats: RunStats): string {
  const { latency } = stats;
  const head = [stats.checks, stats.failedChecks, latency.count, latency.sumMs, latency.minMs, latency.maxMs].map((value) => {
    if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`run figures must be finite and not negative, got ${value}`);
    return Math.round(value).toString(36);
  });
  const filled = [...latency.buckets].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const first = filled[0]?.[0];
  const last = filled.at(-1)?.[0];
  if (first === undefined || last === undefined) return `${head.join('.')}.`;
  const counts: string[] = [];
  for (let bucket = first; bucket <= last; bucket += 1) {
    const count = latency.buckets.get(bucket) ?? 0;
    counts.push(count > 0 ? count.toString(36) : '');
  }
  return `${head.join('.')}.@${first.toString(36)}:${counts.join(';')}`;
}

export function decodeRunStats(text: string): RunStats {
  const parts = text.split('.');
  const numbers = parts.slice(0, 6).map((part) => parseInt(part, 36));
  if (parts.length !== 7 || numbers.some((value) => !Number.isInteger(value))) throw new RunResultsDecodeError(`bad run figures '${text}'`);
  const buckets = new Map<number, number>();
  const latencyPart = parts[6] ?? '';
  if (latencyPart.startsWith('@')) {
    const [firstText = '', countsText = ''] = latencyPart.slice(1).split(':');
    const first = /^[0-9a-z]+$/.test(firstText) ? parseInt(firstText, 36) : Number.NaN;
    if (!Number.isInteger(first)) throw new RunResultsDecodeError(`bad first latency bucket in run figures '${text}'`);
    countsText.split(';').forEach((countText, offset) => {
      if (countText === '') return;
      const count = /^[0-9a-z]+$/.test(countText) ? parseInt(countText, 36) : Number.NaN;
      if (!Number.isInteger(count)) throw new RunResultsDecodeError(`bad latency count '${countText}' in run figures '${text}'`);
      buckets.set(first + offset, count);
    });
    const [checks, failedChecks, count, sumMs, minMs, maxMs] = numbers as [number, number, number, number, number, number];
    return { checks, failedChecks, latency: { count, sumMs, minMs, maxMs, buckets } };
  }
  for (const pair of latencyPart ? latencyPart.split(';') : []) {
    const [bucket, count] = pair.split(':').map((part) => parseInt(part, 36));
    if (!Number.isInteger(bucket) || !Number.isInteger(count)) throw new RunResultsDecodeError(`bad latency bucket '${pair}' in run figures '${text}'`);
    buckets.set(bucket as number, count as number);
  }
  const [checks, failedChecks, count, sumMs, minMs, maxMs] = numbers as [number, number, number, number, number, number];
  return { checks, failedChecks, latency: { count, sumMs, minMs, maxMs, buckets } };
}
