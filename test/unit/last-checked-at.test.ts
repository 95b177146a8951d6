import { lastCheckedAt } from '../../lib/app/monitor-queries';
import type { RunSummary } from '../../lib/domain/types';

const run: RunSummary = {
  tick: '2026-05-04T10:00:50.000Z',
  startedAt: '2026-05-04T10:00:50.120Z',
  durationMs: 300,
  checks: 1,
  failures: 0,
  monitorsDown: 0,
  results: {
    fast: { ok: true, latencyMs: 12, statusCode: 200 },
    slow: { ok: true, latencyMs: 40, statusCode: 200, checkedAt: '2026-05-04T10:00:00.090Z' },
  },
};

describe('lastCheckedAt', () => {
  it.each<[string, string | null]>([
    ['fast', '2026-05-04T10:00:50.120Z'],
    ['slow', '2026-05-04T10:00:00.090Z'],
    ['absent', null],
  ])('%s was last checked at %s', (monitorId, expected) => {
    expect(lastCheckedAt(run, monitorId)).toBe(expected);
  });

  it('knows nothing without a run', () => {
    expect(lastCheckedAt(undefined, 'fast')).toBeNull();
  });
});
