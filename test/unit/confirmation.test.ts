import fc from 'fast-check';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import {
  confirmStep,
  decideQuorum,
  defaultQuorum,
  vantagePoints,
  wouldCrossThreshold,
  type SuspectConfirmation,
  type VantageResult,
} from '../../lib/domain/confirmation';
import { ConfigError } from '../../lib/domain/errors';
import { advanceState, initialState, pauseForMaintenance } from '../../lib/domain/state-machine';
import type { CheckResult, MonitorState, Thresholds } from '../../lib/domain/types';

const ok = (region: string): VantageResult => ({ region, outcome: 'ok', latencyMs: 40 });
const failed = (region: string): VantageResult => ({ region, outcome: 'failed', latencyMs: 5000, reason: 'timeout' });
const abstained = (region: string, why: 'error' | 'throttled' | 'deadline' = 'deadline'): VantageResult => ({ region, outcome: 'abstained', why });

describe('decideQuorum (the home region failed)', () => {
  it.each<[string, VantageResult[], number, { verdict: string; failing: number; voting: number; quorum: number; homeAlone: boolean }]>([
    ['both confirmers fail', [failed('eu-west-1'), failed('ap-southeast-1')], 2, { verdict: 'outage', failing: 3, voting: 3, quorum: 2, homeAlone: false }],
    ['one of two fails: 2 of 3', [failed('eu-west-1'), ok('ap-southeast-1')], 2, { verdict: 'outage', failing: 2, voting: 3, quorum: 2, homeAlone: false }],
    ['only home fails: a minority', [ok('eu-west-1'), ok('ap-southeast-1')], 2, { verdict: 'regional', failing: 1, voting: 3, quorum: 2, homeAlone: false }],
    ['quorum 3: one confirmer sees it up', [failed('eu-west-1'), ok('ap-southeast-1')], 3, { verdict: 'regional', failing: 2, voting: 3, quorum: 3, homeAlone: false }],
    ['every confirmer abstains: home decides alone', [abstained('eu-west-1'), abstained('ap-southeast-1', 'error')], 2, { verdict: 'outage', failing: 1, voting: 1, quorum: 1, homeAlone: true }],
    ['an abstention never suppresses what every answering point sees', [abstained('eu-west-1', 'throttled'), failed('ap-southeast-1')], 3, { verdict: 'outage', failing: 2, voting: 2, quorum: 2, homeAlone: false }],
    ['an abstention and one that sees it up', [abstained('eu-west-1'), ok('ap-southeast-1')], 2, { verdict: 'regional', failing: 1, voting: 2, quorum: 2, homeAlone: false }],
    ['quorum 1: home alone is enough', [ok('eu-west-1')], 1, { verdict: 'outage', failing: 1, voting: 2, quorum: 1, homeAlone: false }],
  ])('%s', (_name, confirmers, quorum, expected) => {
    expect(decideQuorum(confirmers, { quorum })).toEqual(expected);
  });

  it('takes a majority of the vantage points by default', () => {
    expect([1, 2, 3, 4, 5].map(defaultQuorum)).toEqual([2, 2, 3, 3, 4]);
  });
});

describe('monitors.yml confirm', () => {
  const file = (confirm: string) => `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: api, url: "https://api.example.com/health" }
${confirm}
`;

  it('reads the contract as written', () => {
    const config = parseMonitorsConfig(
      file(`confirm:
  regions: [eu-west-1, ap-southeast-1]   # confirmers, besides the home region
  quorum: 2                               # vantage points (home included) that must fail; default: a majority
  alertOnRegional: false                  # alert when only a minority fails (default false)`),
      'monitors.yml',
    );
    expect(config.confirm).toEqual({ regions: ['eu-west-1', 'ap-southeast-1'], quorum: 2, alertOnRegional: false });
  });

  it('defaults to a majority and no regional alerts; none without confirm', () => {
    expect(parseMonitorsConfig(file('confirm: { regions: [eu-west-1, us-west-2, ap-southeast-1] }'), 'monitors.yml').confirm).toEqual({
      regions: ['eu-west-1', 'us-west-2', 'ap-southeast-1'],
      quorum: 3,
      alertOnRegional: false,
    });
    expect(parseMonitorsConfig(file(''), 'monitors.yml').confirm).toBeUndefined();
  });

  it.each([
    ['confirm: { regions: [] }', 'monitors.yml: confirm.regions: must list at least one confirmer region'],
    ['confirm: { regions: [Ireland] }', 'monitors.yml: confirm.regions[0]: must be an AWS region name such as eu-west-1'],
    ['confirm: { regions: [eu-west-1, eu-west-1] }', 'monitors.yml: confirm.regions: eu-west-1 is listed twice'],
    ['confirm: { regions: [eu-west-1], quorum: 3 }', 'monitors.yml: confirm.quorum: 3 is more than the 2 vantage points (the home region and 1 confirmer region)'],
    ['confirm: { regions: [eu-west-1], quorum: 0 }', 'monitors.yml: confirm.quorum: must be at least 1'],
    ['confirm: { regions: [eu-west-1], alertOnRegional: sometimes }', 'monitors.yml: confirm.alertOnRegional: must be true or false'],
    ['confirm: { region: eu-west-1 }', 'monitors.yml: confirm'],
  ])('refuses %s, naming the field', (confirm, message) => {
    expect(() => parseMonitorsConfig(file(confirm), 'monitors.yml')).toThrow(ConfigError);
    expect(() => parseMonitorsConfig(file(confirm), 'monitors.yml')).toThrow(message);
  });
});

const T0 = Date.parse('2026-09-01T00:00:00Z');
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
const up = (minute: number): CheckResult => ({ ok: true, latencyMs: 30, checkedAt: at(minute) });
const down = (minute: number): CheckResult => ({ ok: false, latencyMs: 5000, reason: 'timeout', checkedAt: at(minute) });
const thresholds: Thresholds = { failureThreshold: 2, successThreshold: 2 };
const REGIONS = ['eu-west-1', 'ap-southeast-1'];

/** The confirmation of a suspect whose confirmers gave `results` (one per region), with the default quorum. */
function confirmation(result: CheckResult, results: VantageResult[]): SuspectConfirmation {
  return { decision: decideQuorum(results, { quorum: defaultQuorum(REGIONS.length) }), vantage: vantagePoints('us-east-1', result, results) };
}

/** A monitor UP since minute 0, established at minute 1. */
function upState(): MonitorState {
  let state = initialState('api', at(0));
  for (const minute of [0, 1]) state = advanceState(state, up(minute), thresholds, at(minute)).state;
  return state;
}

describe('vantagePoints', () => {
  it('lists the home region first, then each confirmer, with abstentions as neither', () => {
    expect(vantagePoints('us-east-1', down(3), [ok('eu-west-1'), failed('ap-southeast-1'), abstained('sa-east-1', 'throttled')])).toEqual([
      { region: 'us-east-1', ok: false, reason: 'timeout', latencyMs: 5000 },
      { region: 'eu-west-1', ok: true, latencyMs: 40 },
      { region: 'ap-southeast-1', ok: false, reason: 'timeout', latencyMs: 5000 },
      { region: 'sa-east-1', ok: null, reason: 'abstained: throttled' },
    ]);
  });
});

describe('wouldCrossThreshold', () => {
  it('is true for the failure that reaches the threshold of a monitor not down', () => {
    const state = upState();
    expect(wouldCrossThreshold(state, thresholds)).toBe(false);
    const once = advanceState(state, down(2), thresholds, at(2)).state;
    expect(wouldCrossThreshold(once, thresholds)).toBe(true);
    expect(wouldCrossThreshold({ ...once, status: 'DOWN' }, thresholds)).toBe(false);
    expect(wouldCrossThreshold(initialState('new', at(0)), { failureThreshold: 1 })).toBe(true);
  });
});

describe('confirmStep', () => {
  const once = () => advanceState(upState(), down(2), thresholds, at(2)).state;

  it('leaves a step that declares no outage as it is', () => {
    const step = advanceState(upState(), down(2), thresholds, at(2));
    expect(confirmStep(upState(), step, undefined, { alertOnRegional: false })).toBe(step);
  });

  it('keeps a quorum outage, with the vantage points on its transition and in the state', () => {
    const current = once();
    const step = advanceState(current, down(3), thresholds, at(3));
    const confirmed = confirmation(down(3), [failed('eu-west-1'), ok('ap-southeast-1')]);
    const result = confirmStep(current, step, confirmed, { alertOnRegional: false });
    expect(result.transition).toEqual({ ...step.transition, vantage: confirmed.vantage });
    expect(result.state).toMatchObject({ status: 'DOWN', confirmation: { verdict: 'outage', since: at(3), checkedAt: at(3), vantage: confirmed.vantage } });
  });

  it('holds a minority failure below the outage: status and since kept, the streak at its threshold, recorded as regional', () => {
    const current = once();
    const step = advanceState(current, down(3), thresholds, at(3));
    const result = confirmStep(current, step, confirmation(down(3), [ok('eu-west-1'), ok('ap-southeast-1')]), { alertOnRegional: false });
    expect(result.transition).toBeUndefined();
    expect(result.changed).toBe(true);
    expect(result.state).toMatchObject({ status: 'UP', since: current.since, sinceTick: current.sinceTick, failuresInRow: 2, version: current.version + 1, tick: at(3) });
    expect(result.state.confirmation).toMatchObject({ verdict: 'regional', since: at(3), checkedAt: at(3) });
    // The next failure is a suspect again; a regional verdict again keeps its first time.
    expect(wouldCrossThreshold(result.state, thresholds)).toBe(true);
    const next = advanceState(result.state, down(4), thresholds, at(4));
    const again = confirmStep(result.state, next, confirmation(down(4), [ok('eu-west-1'), ok('ap-southeast-1')]), { alertOnRegional: false });
    expect(again.state.confirmation).toMatchObject({ verdict: 'regional', since: at(3), checkedAt: at(4) });
  });

  it('starts an outage that was regional first at the check that reached the quorum, not at the streak', () => {
    const current = once();
    const regional = confirmStep(current, advanceState(current, down(3), thresholds, at(3)), confirmation(down(3), [ok('eu-west-1'), ok('ap-southeast-1')]), { alertOnRegional: false }).state;
    const step = advanceState(regional, down(4), thresholds, at(4));
    const result = confirmStep(regional, step, confirmation(down(4), [failed('eu-west-1'), ok('ap-southeast-1')]), { alertOnRegional: false });
    expect(result.transition).toMatchObject({ to: 'DOWN', startedAt: at(4), confirmedAt: at(4) });
    expect(result.state).toMatchObject({ status: 'DOWN', since: at(4), confirmation: { verdict: 'outage', since: at(4) } });
    // Straight to a quorum (never regional): from the streak's first failure, as without confirmation.
    const direct = confirmStep(current, advanceState(current, down(3), thresholds, at(3)), confirmation(down(3), [failed('eu-west-1'), ok('ap-southeast-1')]), { alertOnRegional: false });
    expect(direct.transition).toMatchObject({ startedAt: at(2) });
    expect(direct.state.since).toBe(at(2));
  });

  it('declares the minority failure an outage with alertOnRegional', () => {
    const current = once();
    const step = advanceState(current, down(3), thresholds, at(3));
    const result = confirmStep(current, step, confirmation(down(3), [ok('eu-west-1'), ok('ap-southeast-1')]), { alertOnRegional: true });
    expect(result.transition).toMatchObject({ to: 'DOWN', vantage: [{ ok: false }, { ok: true }, { ok: true }] });
    expect(result.state).toMatchObject({ status: 'DOWN', confirmation: { verdict: 'regional' } });
  });

  it('holds an outage nobody was asked about (its state changed after the run picked its suspects), unrecorded', () => {
    const current = once();
    const step = advanceState(current, down(3), thresholds, at(3));
    const result = confirmStep(current, step, undefined, { alertOnRegional: false });
    expect(result).toMatchObject({ unconfirmed: true, changed: true, state: { status: 'UP', failuresInRow: 2 } });
    expect(result.transition).toBeUndefined();
    expect(result.state.confirmation).toBeUndefined();
  });

  it('clears a regional failure at the next success (and inside a maintenance window), an outage confirmation at the recovery', () => {
    const current = once();
    const regional = confirmStep(current, advanceState(current, down(3), thresholds, at(3)), confirmation(down(3), [ok('eu-west-1'), ok('ap-southeast-1')]), { alertOnRegional: false }).state;
    const cleared = advanceState(regional, up(4), thresholds, at(4));
    expect(cleared.changed).toBe(true);
    expect(cleared.state.confirmation).toBeUndefined();
    expect(cleared.transition).toBeUndefined();
    expect(pauseForMaintenance(regional, undefined, at(4)).state.confirmation).toBeUndefined();

    const outage = confirmStep(current, advanceState(current, down(3), thresholds, at(3)), confirmation(down(3), [failed('eu-west-1'), failed('ap-southeast-1')]), { alertOnRegional: false }).state;
    const halfway = advanceState(outage, up(4), thresholds, at(4)).state;
    expect(halfway.confirmation).toMatchObject({ verdict: 'outage' });
    const recovered = advanceState(halfway, up(5), thresholds, at(5));
    expect(recovered.transition).toMatchObject({ from: 'DOWN', to: 'UP' });
    expect(recovered.state.confirmation).toBeUndefined();
  });
});

describe('the confirmed state machine (properties)', () => {
  type Vote = 'ok' | 'failed' | 'abstained';
  const voteArb = fc.constantFrom<Vote>('ok', 'failed', 'abstained');
  const checkArb = fc.record({ home: fc.boolean(), votes: fc.tuple(voteArb, voteArb) });
  const toResult = (region: string, vote: Vote): VantageResult =>
    vote === 'ok' ? ok(region) : vote === 'failed' ? failed(region) : abstained(region);

  /** Plays checks through advanceState and confirmStep, asking the confirmers only for suspects, as the probe does. */
  function play(checks: Array<{ home: boolean; votes: [Vote, Vote] }>, limits: Thresholds, alertOnRegional: boolean) {
    let state = initialState('api', at(0));
    const steps: Array<{ minute: number; asked: boolean; decision?: SuspectConfirmation['decision']; to?: string; status: string }> = [];
    checks.forEach((check, index) => {
      const minute = index + 1;
      const result = check.home ? up(minute) : down(minute);
      const asked = !result.ok && wouldCrossThreshold(state, limits);
      const confirmed = asked ? confirmation(result, check.votes.map((vote, k) => toResult(REGIONS[k] ?? 'x', vote))) : undefined;
      const step = confirmStep(state, advanceState(state, result, limits, at(minute)), confirmed, { alertOnRegional });
      steps.push({ minute, asked, ...(confirmed ? { decision: confirmed.decision } : {}), ...(step.transition ? { to: step.transition.to } : {}), status: step.state.status });
      state = step.state;
    });
    return { steps, state };
  }
  const limitsArb = fc.record({ failureThreshold: fc.integer({ min: 1, max: 4 }), successThreshold: fc.integer({ min: 1, max: 4 }) });

  it('declares an outage only on a quorum (or the home region alone when every confirmer abstained), never on a minority', () => {
    fc.assert(
      fc.property(fc.array(checkArb, { maxLength: 40 }), limitsArb, (checks, limits) => {
        for (const step of play(checks, limits, false).steps) {
          if (step.to === 'DOWN') expect(step.decision?.verdict).toBe('outage');
          if (step.decision?.verdict === 'regional') expect(step.status).not.toBe('DOWN');
        }
      }),
    );
  });

  it('asks only about failures that would declare an outage, never about a success or a monitor already down', () => {
    fc.assert(
      fc.property(fc.array(checkArb, { maxLength: 40 }), limitsArb, (checks, limits) => {
        const { steps } = play(checks, limits, false);
        steps.forEach((step, index) => {
          const previous = steps[index - 1]?.status ?? 'UNKNOWN';
          if (step.asked) {
            expect(checks[index]?.home).toBe(false);
            expect(previous).not.toBe('DOWN');
          }
        });
      }),
    );
  });

  it('recovers on the home region alone, and a recovery leaves no confirmation behind', () => {
    fc.assert(
      fc.property(fc.array(checkArb, { maxLength: 40 }), limitsArb, fc.boolean(), (checks, limits, alertOnRegional) => {
        const { state } = play([...checks, ...Array.from({ length: limits.successThreshold }, () => ({ home: true, votes: ['failed', 'failed'] as [Vote, Vote] }))], limits, alertOnRegional);
        expect(state.status).toBe('UP');
        expect(state.confirmation).toBeUndefined();
      }),
    );
  });

  it('with alertOnRegional, every failure streak that reaches its threshold declares an outage, as without confirmation', () => {
    fc.assert(
      fc.property(fc.array(checkArb, { maxLength: 40 }), limitsArb, (checks, limits) => {
        let plain = initialState('api', at(0));
        const plainTransitions: string[] = [];
        checks.forEach((check, index) => {
          const step = advanceState(plain, check.home ? up(index + 1) : down(index + 1), limits, at(index + 1));
          if (step.transition) plainTransitions.push(`${index + 1}:${step.transition.to}`);
          plain = step.state;
        });
        const confirmed = play(checks, limits, true).steps.filter((step) => step.to !== undefined).map((step) => `${step.minute}:${step.to}`);
        expect(confirmed).toEqual(plainTransitions);
      }),
    );
  });
});
