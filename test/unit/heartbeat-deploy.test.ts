import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WITHHELD_TOKEN, writePublicMonitorsFile } from '../../deploy/public-monitors-file';
import { resolveSecretSettings } from '../../deploy/secret-settings';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { ConfigError } from '../../lib/domain/errors';
import { heartbeatTokenRefs } from '../../lib/domain/heartbeat';

/** Where the heartbeat tokens go at package time: the ping function's role, environment and copy of monitors.yml only. */

const HEARTBEATS = `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: api, url: "https://api.example.com/health", headers: { Authorization: { ssm: /uptime/prod/api-auth } } }
  - { id: backup, type: heartbeat, interval: 24h, token: { ssm: /uptime/prod/backup-token } }
  - { id: etl, type: heartbeat, interval: 1h, token: { secretsManager: uptime/prod/etl, key: token } }
  - { id: cron, type: heartbeat, interval: 1h, token: { env: CRON_TOKEN } }
`;
const LITERAL = `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: backup, type: heartbeat, interval: 24h, token: literal-token-0123456789 }
`;
const parse = (text: string) => parseMonitorsConfig(text, 'monitors.yml');
const settingsOf = (text: string, overrides: Partial<Parameters<typeof resolveSecretSettings>[0]> = {}) =>
  resolveSecretSettings({ config: parse(text), fileName: 'monitors.yml', stage: 'prod', allowLiteralSecrets: false, env: { CRON_TOKEN: 'cron-token-0123456789' }, checkDeployability: true, ...overrides });

describe('heartbeat tokens at package time', () => {
  it('lets the ping function alone read the referenced tokens, each by name, and copies { env } tokens into its environment', () => {
    const settings = settingsOf(HEARTBEATS);
    expect(heartbeatTokenRefs(parse(HEARTBEATS)).map((use) => use.field)).toEqual(['monitors[1] (backup).token', 'monitors[2] (etl).token', 'monitors[3] (cron).token']);
    expect(settings.pingStatements.slice(0, 2)).toEqual([
      {
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/uptime/prod/backup-token' }],
      },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:uptime/prod/etl-??????' }],
      },
    ]);
    expect(settings.pingEnvironment).toEqual({ CRON_TOKEN: 'cron-token-0123456789' });
    // The probe's secrets are the headers' alone; the notifier's none.
    expect(JSON.stringify(settings.probeStatements)).not.toMatch(/token|etl/);
    expect(settings.probeEnvironment).toEqual({});
    expect(settings.notifyStatements).toEqual([]);
  });

  it('refuses an { env } token not set where sls runs, naming the field and the ping function', () => {
    expect(() => settingsOf(HEARTBEATS, { env: {} })).toThrow(new ConfigError(
      "monitors.yml: monitors[3] (cron).token: env:CRON_TOKEN is not set in the environment of this command; set CRON_TOKEN where you run sls package or sls deploy (it is copied into the ping function's environment)",
    ));
  });

  it('refuses a literal token for a deployed stage, without showing it; the local stage and allowLiteralSecrets take it', () => {
    let message = '';
    try {
      settingsOf(LITERAL);
    } catch (error) {
      message = error instanceof ConfigError ? error.message : String(error);
    }
    expect(message).toContain("monitors.yml: monitors[0] (backup).token: a literal credential would ship in the ping function's package");
    expect(message).toContain('{ ssm: /uptime/prod/backup-token }');
    expect(message).not.toContain('literal-token-0123456789');
    expect(() => settingsOf(LITERAL, { stage: 'local' })).not.toThrow();
    expect(() => settingsOf(LITERAL, { allowLiteralSecrets: true })).not.toThrow();
  });

  it('withholds the tokens from the api and notify copies of monitors.yml, and keeps them in the ping copy', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'heartbeat-copy-'));
    try {
      const file = path.join(dir, 'monitors.yml');
      writeFileSync(file, LITERAL);
      const copyOf = (options: { channels: boolean; tokens?: boolean }) => readFileSync(path.join(dir, writePublicMonitorsFile(file, dir, options)), 'utf8');
      for (const copy of [copyOf({ channels: false }), copyOf({ channels: true })]) {
        expect(copy).not.toContain('literal-token-0123456789');
        expect(parse(copy).monitors[0]?.heartbeat?.token).toEqual(WITHHELD_TOKEN);
      }
      expect(parse(copyOf({ channels: false, tokens: true })).monitors[0]?.heartbeat?.token).toBe('literal-token-0123456789');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
