import { buildAlert, type AlertContext } from '../../lib/app/notify';
import { MAX_VANTAGE_DETAIL_LENGTH, describeVantage, vantageLine } from '../../lib/domain/alert-vantage';
import type { Transition, Vantage } from '../../lib/domain/types';
import { NO_PAGE_SETTINGS, defaultMonitor } from '../fixtures/monitor-config';

// Where an outage was seen from (multi-region confirmation), as its alerts say it.

const HOME_FAILED: Vantage = { region: 'us-east-1', ok: false, reason: 'http-status', latencyMs: 120 };
const EU_FAILED: Vantage = { region: 'eu-west-1', ok: false, reason: 'timeout', latencyMs: 10_000 };
const AP_OK: Vantage = { region: 'ap-southeast-1', ok: true, latencyMs: 240 };
const EU_OK: Vantage = { region: 'eu-west-1', ok: true, latencyMs: 90 };
const SA_ABSTAINED: Vantage = { region: 'sa-east-1', ok: null, reason: 'abstained: deadline' };

describe('describeVantage', () => {
  it('a confirmed outage: how many of how many failed, then who failed (why), who reached it', () => {
    expect(vantageLine({ points: [HOME_FAILED, EU_FAILED, AP_OK], quorumMet: true })).toBe(
      'Confirmed from 2 of 3 vantage points: us-east-1 (http-status), eu-west-1 (timeout) failing; ap-southeast-1 reachable',
    );
  });

  it('an outage on a minority (alertOnRegional) says it is seen from those only', () => {
    expect(vantageLine({ points: [HOME_FAILED, EU_OK, AP_OK], quorumMet: false })).toBe(
      'Seen from 1 of 3 vantage points only: us-east-1 (http-status) failing; eu-west-1, ap-southeast-1 reachable',
    );
  });

  it('lists a vantage point that abstained as no answer', () => {
    expect(describeVantage({ points: [HOME_FAILED, EU_FAILED, AP_OK, SA_ABSTAINED], quorumMet: true })).toEqual({
      lead: 'Confirmed from 2 of 4 vantage points',
      detail: 'us-east-1 (http-status), eu-west-1 (timeout) failing; ap-southeast-1 reachable; sa-east-1 (no answer)',
    });
    expect(vantageLine({ points: [HOME_FAILED, SA_ABSTAINED], quorumMet: true })).toBe('Confirmed from 1 of 2 vantage points: us-east-1 (http-status) failing; sa-east-1 (no answer)');
  });

  it('keeps stored text on one line and bounded', () => {
    const points: Vantage[] = Array.from({ length: 40 }, (_, index) => ({ region: `r${index}\r\nState: UP ${'x'.repeat(100)}`, ok: false, reason: `timeout\n${'y'.repeat(500)}` }));
    const { lead, detail } = describeVantage({ points, quorumMet: true });
    expect(lead).toBe('Confirmed from 40 of 40 vantage points');
    expect(detail).not.toMatch(/[\r\n]/);
    expect(Array.from(detail).length).toBeLessThanOrEqual(MAX_VANTAGE_DETAIL_LENGTH);
    expect(detail.endsWith('…')).toBe(true);
  });
});

describe('buildAlert with vantage points', () => {
  const database = defaultMonitor('database', 'https://db.example.com/health', { name: 'Database' });
  const context = (quorum?: number): AlertContext => ({
    config: {
      monitors: [database],
      statusPage: NO_PAGE_SETTINGS.statusPage,
      ...(quorum === undefined ? {} : { confirm: { regions: ['eu-west-1', 'ap-southeast-1'], quorum, alertOnRegional: true } }),
    },
  });
  const outage: Transition = {
    monitorId: 'database',
    from: 'UP',
    to: 'DOWN',
    startedAt: '2024-05-04T16:00:00.000Z',
    confirmedAt: '2024-05-04T16:01:00.000Z',
    previousSince: '2024-05-01T12:00:00.000Z',
    reason: 'http-status: expected 200, got 503',
    tick: '2024-05-04T16:01:00.000Z',
  };

  it("carries the transition's vantage points on an outage, with whether a quorum failed as the probe decided it", () => {
    expect(buildAlert({ ...outage, vantage: [HOME_FAILED, EU_FAILED, AP_OK] }, database, null, context(2)).vantage).toEqual({ points: [HOME_FAILED, EU_FAILED, AP_OK], quorumMet: true });
    // Declared on a minority (alertOnRegional): the probe marks the transition regional.
    expect(buildAlert({ ...outage, vantage: [HOME_FAILED, EU_OK, AP_OK], regional: true }, database, null, context(2)).vantage).toEqual({
      points: [HOME_FAILED, EU_OK, AP_OK],
      quorumMet: false,
    });
    // Whatever the configuration says now: the decision was the probe's, when it declared the outage.
    expect(buildAlert({ ...outage, vantage: [HOME_FAILED, EU_OK, AP_OK] }, database, null, context(3)).vantage?.quorumMet).toBe(true);
  });

  it.each([
    ['an outage without them', outage],
    ['an outage with an empty list', { ...outage, vantage: [] }],
    ['a recovery that carries some', { ...outage, from: 'DOWN', to: 'UP', vantage: [HOME_FAILED, EU_FAILED] } as Transition],
  ])('carries none for %s', (_label, transition) => {
    expect('vantage' in buildAlert(transition, database, null, context(2))).toBe(false);
  });
});
