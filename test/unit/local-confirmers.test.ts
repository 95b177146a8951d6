import { ConfigError } from '../../lib/domain/errors';
import { confirmEndpoints, confirmerSourceAddress, localConfirmerRegions, type LocalConfirmer } from '../../tools/local/local-confirmers';

const confirm = (...regions: string[]) => ({ regions, quorum: 2, alertOnRegional: false });

describe('localConfirmerRegions', () => {
  it('runs the first two configured regions by default', () => {
    expect(localConfirmerRegions(confirm('eu-west-1', 'ap-southeast-1', 'us-west-2'), undefined, 'monitors.yml')).toEqual(['eu-west-1', 'ap-southeast-1']);
    expect(localConfirmerRegions(confirm('eu-west-1'), undefined, 'monitors.yml')).toEqual(['eu-west-1']);
  });

  it('runs none without confirm, or with LOCAL_CONFIRMERS=0', () => {
    expect(localConfirmerRegions(undefined, undefined, 'monitors.yml')).toEqual([]);
    expect(localConfirmerRegions(confirm('eu-west-1'), 0, 'monitors.yml')).toEqual([]);
  });

  it('runs as many as LOCAL_CONFIRMERS asks, in the configured order', () => {
    expect(localConfirmerRegions(confirm('eu-west-1', 'ap-southeast-1', 'us-west-2'), 3, 'monitors.yml')).toEqual(['eu-west-1', 'ap-southeast-1', 'us-west-2']);
  });

  it('refuses more than the monitors file lists, naming it', () => {
    expect(() => localConfirmerRegions(confirm('eu-west-1'), 2, 'm.yml')).toThrow(
      new ConfigError('environment variable LOCAL_CONFIRMERS: 2 confirmers asked for, but m.yml lists 1 confirm region'),
    );
    expect(() => localConfirmerRegions(undefined, 1, 'm.yml')).toThrow('but m.yml has no `confirm`');
  });
});

describe('local confirmer addresses', () => {
  it('gives the confirmers 127.0.0.2, 127.0.0.3 and so on', () => {
    expect([0, 1, 2].map(confirmerSourceAddress)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  });

  it('hands the home probe each region and its Lambda endpoint as JSON', () => {
    const confirmers = [
      { region: 'eu-west-1', endpoint: 'http://127.0.0.1:3102' },
      { region: 'ap-southeast-1', endpoint: 'http://127.0.0.1:3103' },
    ] as LocalConfirmer[];
    expect(JSON.parse(confirmEndpoints(confirmers))).toEqual({ 'eu-west-1': 'http://127.0.0.1:3102', 'ap-southeast-1': 'http://127.0.0.1:3103' });
  });
});
