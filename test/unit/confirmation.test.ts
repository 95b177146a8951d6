import { parseMonitorsConfig } from '../../lib/config/monitors';
import { decideQuorum, defaultQuorum, type VantageResult } from '../../lib/domain/confirmation';
import { ConfigError } from '../../lib/domain/errors';

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
