import { ConfigError } from '../../lib/domain/errors';
import { readNotifyEnvironment } from '../../lib/config/notify-environment';

describe('readNotifyEnvironment', () => {
  it('reads the table and defaults the monitors file', () => {
    expect(readNotifyEnvironment({ TABLE_NAME: 'uptime-monitor-dev' })).toEqual({
      tableName: 'uptime-monitor-dev',
      monitorsFile: 'monitors.yml',
    });
  });

  it('reads the monitors file', () => {
    expect(readNotifyEnvironment({ TABLE_NAME: 't', MONITORS_FILE: 'other.yml' }).monitorsFile).toBe('other.yml');
  });

  it.each([
    ['missing', {}, 'environment variable TABLE_NAME: is required'],
    ['empty', { TABLE_NAME: ' ' }, 'environment variable TABLE_NAME: must not be empty'],
    ['an empty MONITORS_FILE', { TABLE_NAME: 't', MONITORS_FILE: '' }, 'environment variable MONITORS_FILE: must not be empty'],
  ])('refuses %s', (_label, env, message) => {
    expect(() => readNotifyEnvironment(env)).toThrow(ConfigError);
    expect(() => readNotifyEnvironment(env)).toThrow(message);
  });
});
