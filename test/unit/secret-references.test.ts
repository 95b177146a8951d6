import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveSecretSettings } from '../../deploy/secret-settings';
import { LocalSecretsFileResolver } from '../../lib/adapters/local-secrets-file';
import { resolveProbeTargets } from '../../lib/app/probe-targets';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { configSecretRefs, isCredentialHeader, literalCredentialHeaders } from '../../lib/domain/config-secrets';
import { ConfigError } from '../../lib/domain/errors';
import type { SecretResolver } from '../../lib/domain/ports';
import { publicReason, publicUrl, redactedUrl } from '../../lib/domain/public-view';
import { pickSecretField } from '../../lib/domain/secret-field';
import { describeSecretRef, type SecretRef } from '../../lib/domain/secret-ref';
import { thrownBy } from '../support/thrown';

/** The ConfigError `action` throws. */
function thrown(action: () => unknown, type: typeof ConfigError): Error {
  const error = thrownBy(action);
  expect(error).toBeInstanceOf(type);
  return error as Error;
}

const HEADER = 'notify: { from: monitor@example.com, to: [oncall@example.com] }\n';
const withMonitors = (...monitors: string[]) => `${HEADER}monitors:\n${monitors.map((monitor) => `  - ${monitor}\n`).join('')}`;
const parse = (text: string) => parseMonitorsConfig(text, 'monitors.yml');

const REFERENCES_FILE = withMonitors(
  `{ id: api, url: "https://api.example.com/health?token=abc", headers: { Authorization: { ssm: /uptime/prod/auth }, X-Api-Key: { secretsManager: uptime/prod/api, key: apiKey }, X-Trace: on } }`,
  `{ id: hidden, public: false, url: { secretsManager: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hidden-AbCdEf" }, headers: { X-Token: { env: HIDDEN_TOKEN } } }`,
  `{ id: shared, url: { ssm: uptime-url }, headers: { Authorization: { ssm: /uptime/prod/auth } } }`,
);

describe('secret references in monitors.yml', () => {
  it('accepts the three forms in a URL and in header values, and public: false', () => {
    const [api, hidden, shared] = parse(REFERENCES_FILE).monitors;
    expect(api?.headers).toEqual({ Authorization: { ssm: '/uptime/prod/auth' }, 'X-Api-Key': { secretsManager: 'uptime/prod/api', key: 'apiKey' }, 'X-Trace': 'on' });
    expect(hidden?.url).toEqual({ secretsManager: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hidden-AbCdEf' });
    expect(hidden?.public).toBe(false);
    expect(api?.public).toBe(true);
    expect(shared?.url).toEqual({ ssm: 'uptime-url' });
  });

  it('lists every reference with the field that holds it', () => {
    expect(configSecretRefs(parse(REFERENCES_FILE)).map(({ ref, field }) => `${field} = ${describeSecretRef(ref)}`)).toEqual([
      'monitors[0] (api).headers.Authorization = ssm:/uptime/prod/auth',
      'monitors[0] (api).headers.X-Api-Key = secretsManager:uptime/prod/api#apiKey',
      'monitors[1] (hidden).url = secretsManager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:hidden-AbCdEf',
      'monitors[1] (hidden).headers.X-Token = env:HIDDEN_TOKEN',
      'monitors[2] (shared).url = ssm:uptime-url',
      'monitors[2] (shared).headers.Authorization = ssm:/uptime/prod/auth',
    ]);
  });

  it.each([
    ['an unknown form', '{ id: a, url: "https://a.example.com", headers: { X-Key: { vault: x } } }', 'monitors[0] (a).headers.X-Key: must be a secret reference: { ssm: /name }'],
    ['two forms at once', '{ id: a, url: "https://a.example.com", headers: { X-Key: { ssm: /a, env: B } } }', 'monitors[0] (a).headers.X-Key: must be a secret reference'],
    ['a bad environment name', '{ id: a, url: "https://a.example.com", headers: { X-Key: { env: "1-bad" } } }', 'monitors[0] (a).headers.X-Key.env: must be an environment variable name such as API_TOKEN'],
    ['a URL that is neither text nor a reference', '{ id: a, url: 42 }', 'monitors[0] (a).url: must be an http:// or https:// URL, or a secret reference'],
    ['a missing URL', '{ id: a }', 'monitors[0] (a).url: is required'],
    ['a public flag that is not a boolean', '{ id: a, url: "https://a.example.com", public: "no" }', 'monitors[0] (a).public: must be true or false'],
  ])('refuses %s, naming the field', (_, monitor, message) => {
    expect(thrown(() => parse(withMonitors(monitor)), ConfigError).message).toContain(message);
  });
});

describe('credential headers', () => {
  it.each([
    ['Authorization', true],
    ['cookie', true],
    ['Proxy-Authorization', true],
    ['X-Api-Key', true],
    ['X-Auth-Token', true],
    ['Client-Secret', true],
    ['Accept', false],
    ['X-Trace', false],
  ])('%s is a credential header: %s', (name, expected) => {
    expect(isCredentialHeader(name)).toBe(expected);
  });

  it('finds the literal ones only', () => {
    const config = parse(withMonitors('{ id: a, url: "https://a.example.com", headers: { Authorization: Bearer x, X-Key: { env: K }, Accept: json } }'));
    expect(literalCredentialHeaders(config)).toEqual(['monitors[0] (a).headers.Authorization']);
  });
});

describe('what the public sees of a URL and a failure', () => {
  it.each([
    ['https://user:pw@api.example.com:8443/v1/health?token=abc#frag', 'https://api.example.com:8443/v1/health'],
    ['http://api.example.com', 'http://api.example.com/'],
    [{ ssm: '/uptime/url' }, null],
  ] as const)('publicUrl(%j) is %j', (url, expected) => {
    expect(publicUrl(url)).toBe(expected);
  });

  it.each([
    ['https://api.example.com/health?token=abc&page=2&token=def#x', 'https://api.example.com/health?token=REDACTED&page=REDACTED'],
    ['https://api.example.com/health', 'https://api.example.com/health'],
    ['https://a.example.com/?a%20b=1', 'https://a.example.com/?a%20b=REDACTED'],
    [{ ssm: '/uptime/url' }, '(secret ssm:/uptime/url)'],
    [{ secretsManager: 'uptime/api', key: 'url' }, '(secret secretsManager:uptime/api#url)'],
  ] as const)('redactedUrl(%j) is %j', (url, expected) => {
    expect(redactedUrl(url)).toBe(expected);
  });

  it.each([
    ['http-status: expected 200, got 503', 'http-status 503'],
    ['body-mismatch: status: expected "OK", got "internal 10.0.0.5:5432"', 'body-mismatch'],
    ['timeout: no answer within 5000 ms', 'timeout'],
    ['dns: DNS lookup failed for db.internal (ENOTFOUND)', 'dns'],
    ['blocked-address: 10.0.0.5 is a private address', 'blocked-address'],
    ['network', 'network'],
    ['something: made up by a target', 'failed'],
    [undefined, null],
    ['', null],
  ])('publicReason(%j) is %j', (text, expected) => {
    expect(publicReason(text)).toBe(expected);
  });
});

describe('a field of a JSON secret', () => {
  it.each([
    ['the whole secret without a key', 'plain', undefined, { value: 'plain' }],
    ['a string field', '{"apiKey":"k1"}', 'apiKey', { value: 'k1' }],
    ['a number field', '{"port":5432}', 'port', { value: '5432' }],
    ['a missing field', '{"apiKey":"k1"}', 'other', { why: "the secret has no field 'other'" }],
    ['an object field', '{"nested":{"a":1}}', 'nested', { why: "the secret's field 'nested' is not a string" }],
    ['a secret that is not JSON', 'k1', 'apiKey', { why: "the secret is not a JSON object, so it has no field 'apiKey'" }],
  ])('%s', (_, text, key, expected) => {
    expect(pickSecretField(text, key)).toEqual(expected);
  });
});

describe('deploy settings of the secrets', () => {
  const config = parse(REFERENCES_FILE);
  const settings = (overrides: Partial<Parameters<typeof resolveSecretSettings>[0]> = {}) =>
    resolveSecretSettings({ config, fileName: 'monitors.yml', stage: 'prod', allowLiteralSecrets: false, env: { HIDDEN_TOKEN: 't0k3n' }, checkDeployability: true, ...overrides });

  it('lets the probe read exactly the referenced names, and decrypt only through SSM and Secrets Manager', () => {
    expect(settings().probeStatements).toEqual([
      {
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters'],
        Resource: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/uptime/prod/auth' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/uptime-url' },
        ],
      },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:uptime/prod/api-??????' },
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hidden-AbCdEf',
        ],
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:ViaService': [{ 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' }, { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' }] },
        },
      },
    ]);
  });

  it('grants nothing when the file references nothing', () => {
    expect(resolveSecretSettings({ config: parse(withMonitors('{ id: a, url: "https://a.example.com" }')), fileName: 'm.yml', stage: 'prod', allowLiteralSecrets: false, env: {}, checkDeployability: true })).toEqual({
      probeStatements: [],
      probeEnvironment: {},
      notifyStatements: [],
      notifyEnvironment: {},
      pingStatements: [],
      pingEnvironment: {},
    });
  });

  it("lets the notifier alone read the channels' secrets and publish to their topics; a literal channel secret is refused outside local", () => {
    const withChannels = parse(`${HEADER}channels:
  chat: { type: slack, url: { ssm: /uptime/prod/slack } }
  hooks: { type: webhook, url: "https://hooks.example.com/x", secret: { env: HOOK_SECRET } }
  sms: { type: sns, topicArn: "arn:aws:sns:eu-west-1:123456789012:oncall" }
monitors:
  - { id: a, url: "https://a.example.com", alerts: [email, chat, hooks, sms] }
`);
    const settings = resolveSecretSettings({ config: withChannels, fileName: 'm.yml', stage: 'prod', allowLiteralSecrets: false, env: { HOOK_SECRET: 'whsec_x' }, checkDeployability: true });
    expect(settings.probeStatements).toEqual([]);
    expect(settings.notifyStatements.flatMap((statement) => statement.Action)).toEqual(['ssm:GetParameter', 'ssm:GetParameters', 'kms:Decrypt', 'sns:Publish']);
    expect(settings.notifyStatements.at(-1)?.Resource).toEqual(['arn:aws:sns:eu-west-1:123456789012:oncall']);
    expect(settings.notifyEnvironment).toEqual({ HOOK_SECRET: 'whsec_x' });
    // A webhook's URL may be written out (its requests are signed); a Slack URL is the credential itself.
    const literalSlack = parse(`${HEADER}channels:
  chat: { type: slack, url: "https://hooks.slack.com/services/T0/B0/secret" }
monitors:
  - { id: a, url: "https://a.example.com", alerts: [chat] }
`);
    const input = { config: literalSlack, fileName: 'm.yml', stage: 'prod', allowLiteralSecrets: false, env: {}, checkDeployability: true };
    const message = thrown(() => resolveSecretSettings(input), ConfigError).message;
    expect(message).toContain("m.yml: channels.chat.url: a literal credential would ship in the notifier's package");
    expect(message).not.toContain('hooks.slack.com');
    expect(() => resolveSecretSettings({ ...input, stage: 'local' })).not.toThrow();
    expect(() => resolveSecretSettings({ ...input, allowLiteralSecrets: true })).not.toThrow();
  });

  it('copies env references into the probe environment, and names one that is not set', () => {
    expect(settings().probeEnvironment).toEqual({ HIDDEN_TOKEN: 't0k3n' });
    expect(thrown(() => settings({ env: {} }), ConfigError).message).toBe(
      'monitors.yml: monitors[1] (hidden).headers.X-Token: env:HIDDEN_TOKEN is not set in the environment of this command; ' +
        "set HIDDEN_TOKEN where you run sls package or sls deploy (it is copied into the probe function's environment)",
    );
    expect(settings({ env: {}, checkDeployability: false }).probeEnvironment).toEqual({});
  });

  it('gives the local probe the local secrets file', () => {
    expect(settings({ stage: 'local', env: { UPTIME_LOCAL_SECRETS_FILE: '/work/secrets.local.yml' } }).probeEnvironment).toEqual({ LOCAL_SECRETS_FILE: '/work/secrets.local.yml' });
  });

  it('refuses a literal credential header for a deployed stage, showing the reference form, unless accepted knowingly', () => {
    const literal = parse(withMonitors('{ id: a, url: "https://a.example.com", headers: { X-Api-Key: s3cr3t } }'));
    const input = { config: literal, fileName: 'monitors.yml', stage: 'prod', allowLiteralSecrets: false, env: {}, checkDeployability: true };
    const message = thrown(() => resolveSecretSettings(input), ConfigError).message;
    expect(message).toContain('monitors.yml: monitors[0] (a).headers.X-Api-Key: a literal credential would ship in the probe');
    expect(message).toContain('{ ssm: /uptime/prod/api-token }');
    expect(message).toContain('--param allowLiteralSecrets=true');
    expect(message).not.toContain('s3cr3t');
    expect(() => resolveSecretSettings({ ...input, allowLiteralSecrets: true })).not.toThrow();
    expect(() => resolveSecretSettings({ ...input, stage: 'local' })).not.toThrow();
  });
});

describe('the local secrets file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'uptime-secrets-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (text: string) => {
    const file = path.join(dir, `secrets-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, text);
    return file;
  };
  const refs: SecretRef[] = [{ ssm: '/uptime/auth' }, { secretsManager: 'uptime/api', key: 'apiKey' }, { secretsManager: 'uptime/plain' }, { env: 'LOCAL_TOKEN' }];

  it('resolves ssm and secretsManager entries from the file and env from the environment', async () => {
    const file = write('ssm:\n  /uptime/auth: Bearer a\nsecretsManager:\n  uptime/api: { apiKey: k1 }\n  uptime/plain: p1\n');
    const { values, failures } = await new LocalSecretsFileResolver(file, { LOCAL_TOKEN: 'e1' }).resolve(refs);
    expect(Object.fromEntries(values)).toEqual({
      'ssm:/uptime/auth': 'Bearer a',
      'secretsManager:uptime/api#apiKey': 'k1',
      'secretsManager:uptime/plain': 'p1',
      'env:LOCAL_TOKEN': 'e1',
    });
    expect(failures.size).toBe(0);
  });

  it('says why each missing one failed, and a missing file is an empty one', async () => {
    const { values, failures } = await new LocalSecretsFileResolver(path.join(dir, 'absent.yml'), {}).resolve(refs);
    expect(values.size).toBe(0);
    expect(Object.fromEntries(failures)).toEqual({
      'ssm:/uptime/auth': "absent.yml has no ssm entry '/uptime/auth'",
      'secretsManager:uptime/api#apiKey': "absent.yml has no secretsManager entry 'uptime/api'",
      'secretsManager:uptime/plain': "absent.yml has no secretsManager entry 'uptime/plain'",
      'env:LOCAL_TOKEN': 'the environment variable LOCAL_TOKEN is not set',
    });
  });

  it('refuses a broken file, naming it and the field', async () => {
    const file = write('ssm:\n  /a: [1, 2]\n');
    await expect(new LocalSecretsFileResolver(file, {}).resolve(refs)).rejects.toThrow(`${path.basename(file)}: ssm./a: must be a string`);
  });
});

describe('probe targets', () => {
  /** A resolver that knows a fixed set of values, as the SSM and Secrets Manager adapters would return them. */
  const knowing = (known: Record<string, string>): SecretResolver & { calls: SecretRef[][] } => {
    const calls: SecretRef[][] = [];
    return {
      calls,
      resolve: async (refs) => {
        calls.push([...refs]);
        const values = new Map<string, string>();
        const failures = new Map<string, string>();
        for (const ref of refs) {
          const key = describeSecretRef(ref);
          if (known[key] !== undefined) values.set(key, known[key]);
          else failures.set(key, 'AccessDeniedException');
        }
        return { values, failures };
      },
    };
  };

  it('resolves every reference once, in one call, and leaves out the monitors missing one', async () => {
    const { monitors } = parse(REFERENCES_FILE);
    const secrets = knowing({ 'ssm:/uptime/prod/auth': 'Bearer a', 'secretsManager:uptime/prod/api#apiKey': 'k1', 'ssm:uptime-url': 'https://shared.example.com/x' });
    const { targets, unresolved } = await resolveProbeTargets(monitors, secrets);
    expect(secrets.calls).toHaveLength(1);
    expect(secrets.calls[0]).toHaveLength(5);
    expect(targets.get('api')).toEqual({
      type: 'http',
      url: 'https://api.example.com/health?token=abc',
      method: 'GET',
      headers: { Authorization: 'Bearer a', 'X-Api-Key': 'k1', 'X-Trace': 'on' },
      timeoutMs: 5000,
    });
    expect(targets.get('shared')?.url).toBe('https://shared.example.com/x');
    expect(targets.has('hidden')).toBe(false);
    expect(unresolved).toEqual([
      {
        monitorId: 'hidden',
        problems: [
          { reference: 'secretsManager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:hidden-AbCdEf', why: 'AccessDeniedException' },
          { reference: 'env:HIDDEN_TOKEN', why: 'AccessDeniedException' },
        ],
      },
    ]);
  });

  it('refuses a URL reference that does not hold an http(s) URL', async () => {
    const { monitors } = parse(withMonitors('{ id: a, url: { ssm: /url } }'));
    const { targets, unresolved } = await resolveProbeTargets(monitors, knowing({ 'ssm:/url': 'ftp://files.example.com' }));
    expect(targets.size).toBe(0);
    expect(unresolved).toEqual([{ monitorId: 'a', problems: [{ reference: 'ssm:/url', why: 'does not hold an http:// or https:// URL without user info' }] }]);
  });

  it.each([
    ['tcp', 'ftp://files.example.com', 'does not hold a tcp://host:port URL'],
    ['tcp', 'https://db.example.com', 'does not hold a tcp://host:port URL'],
    ['tcp', 'tcp://db.example.com', 'does not hold a tcp://host:port URL'],
    ['dns', 'https://example.com', 'does not hold a dns://name URL'],
    ['dns', 'dns://example.com:53', 'does not hold a dns://name URL'],
  ])('refuses a %s monitor\'s URL reference that holds %s', async (type, value, why) => {
    const { monitors } = parse(withMonitors(`{ id: a, type: ${type}, url: { ssm: /url } }`));
    const { targets, unresolved } = await resolveProbeTargets(monitors, knowing({ 'ssm:/url': value }));
    expect(targets.size).toBe(0);
    expect(unresolved).toEqual([{ monitorId: 'a', problems: [{ reference: 'ssm:/url', why }] }]);
  });

  it('resolves tcp and dns URL references into targets of their type, the dns query with them', async () => {
    const { monitors } = parse(
      withMonitors('{ id: db, type: tcp, url: { ssm: /db } }', '{ id: mx, type: dns, url: { ssm: /mx }, dns: { type: MX, expect: [mail.example.com], server: 1.1.1.1 } }'),
    );
    const { targets, unresolved } = await resolveProbeTargets(monitors, knowing({ 'ssm:/db': 'tcp://db.example.com:5432', 'ssm:/mx': 'dns://example.com' }));
    expect(unresolved).toEqual([]);
    expect(targets.get('db')).toMatchObject({ type: 'tcp', url: 'tcp://db.example.com:5432' });
    expect(targets.get('mx')).toMatchObject({ type: 'dns', url: 'dns://example.com', dns: { recordType: 'MX', expect: ['mail.example.com'], server: '1.1.1.1' } });
  });

  it('asks the resolver nothing for a file without references', async () => {
    const secrets = knowing({});
    const { targets } = await resolveProbeTargets(parse(withMonitors('{ id: a, url: "https://a.example.com" }')).monitors, secrets);
    expect(secrets.calls).toHaveLength(0);
    expect(targets.get('a')?.url).toBe('https://a.example.com');
  });
});
