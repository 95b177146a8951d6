import { readFunctionEnvironment, readNotifyEnvironment, readProbeEnvironment } from '../../lib/config/environment';
import { ConfigError } from '../../lib/domain/errors';

describe('readFunctionEnvironment', () => {
  it('reads the table and defaults the monitors file', () => {
    expect(readFunctionEnvironment({ TABLE_NAME: 'uptime-monitor-dev' })).toEqual({
      tableName: 'uptime-monitor-dev',
      monitorsFile: 'monitors.yml',
    });
    expect(readFunctionEnvironment({ TABLE_NAME: 't', MONITORS_FILE: 'config/prod.yml' }).monitorsFile).toBe('config/prod.yml');
  });

  it.each([
    ['a missing TABLE_NAME', {}, 'environment variable TABLE_NAME: is required'],
    ['an empty TABLE_NAME', { TABLE_NAME: ' ' }, 'environment variable TABLE_NAME: must not be empty'],
    ['an empty MONITORS_FILE', { TABLE_NAME: 't', MONITORS_FILE: '' }, 'environment variable MONITORS_FILE: must not be empty'],
  ])('refuses %s', (_label, env, message) => {
    expect(() => readFunctionEnvironment(env)).toThrow(ConfigError);
    expect(() => readFunctionEnvironment(env)).toThrow(message);
  });
});

describe('readNotifyEnvironment', () => {
  it('reads the API URL alerts link to, and leaves it unknown when unset or empty', () => {
    expect(readNotifyEnvironment({ TABLE_NAME: 't', API_URL: 'https://abc.execute-api.eu-west-1.amazonaws.com' }).API_URL).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com',
    );
    expect(readNotifyEnvironment({ TABLE_NAME: 't' }).API_URL).toBeUndefined();
    expect(readNotifyEnvironment({ TABLE_NAME: 't', API_URL: ' ' }).API_URL).toBeUndefined();
  });

  it.each([['${HttpApi.ApiEndpoint}'], ['ftp://example.com'], ['example.com']])('refuses API_URL %s, naming it', (value) => {
    expect(() => readNotifyEnvironment({ TABLE_NAME: 't', API_URL: value })).toThrow('environment variable API_URL: must be an http:// or https:// URL');
  });
});

describe('readProbeEnvironment', () => {
  it('has documented defaults', () => {
    expect(readProbeEnvironment({ TABLE_NAME: 't' })).toEqual({
      TABLE_NAME: 't',
      MONITORS_FILE: 'monitors.yml',
      METRICS_NAMESPACE: 'UptimeMonitor',
      METRICS_ENABLED: 'true',
      STACK_NAME: 'uptime-monitor',
      PROBE_CONCURRENCY: 64,
      PROBE_SHARD_SIZE: 1000,
      TRANSITION_RETENTION_DAYS: 400,
      RUN_RETENTION_DAYS: 35,
      HOURLY_ROLLUP_RETENTION_DAYS: 100,
      DAILY_ROLLUP_RETENTION_DAYS: 400,
      SECRETS_MAX_AGE_SECONDS: 300,
      BLOCK_PRIVATE_ADDRESSES: 'false',
      PROBE_PERIOD: 60_000,
    });
  });

  it('reads a local tick', () => {
    expect(readProbeEnvironment({ TABLE_NAME: 't', PROBE_PERIOD: '2s' }).PROBE_PERIOD).toBe(2000);
  });

  it.each([
    [{ TABLE_NAME: 't', PROBE_CONCURRENCY: '0' }, 'environment variable PROBE_CONCURRENCY: must be 1 or more'],
    [{ TABLE_NAME: 't', PROBE_CONCURRENCY: 'many' }, 'environment variable PROBE_CONCURRENCY: must be a whole number'],
    [{ TABLE_NAME: 't', PROBE_SHARD_SIZE: '0' }, 'environment variable PROBE_SHARD_SIZE: must be 1 or more'],
    [{ TABLE_NAME: 't', METRICS_ENABLED: 'yes' }, "environment variable METRICS_ENABLED: must be 'true' or 'false'"],
    [{ TABLE_NAME: 't', PROBE_PERIOD: '5m' }, "environment variable PROBE_PERIOD: '5m' must be a duration from 1s to 1m"],
    [{}, 'environment variable TABLE_NAME: is required'],
  ])('refuses %j', (env, message) => {
    expect(() => readProbeEnvironment(env)).toThrow(message);
  });
});
