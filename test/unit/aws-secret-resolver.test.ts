import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsSecretResolver } from '../../lib/adapters/aws-secret-resolver';
import type { SecretRef } from '../../lib/domain/secret-ref';

/**
 * SSM and Secrets Manager have no local implementation, so their clients are mocked at the SDK's
 * `send` (aws-sdk-client-mock); everything above it (Powertools Parameters' batching, decryption
 * flag and cache, and the resolver) is the real code.
 */
const ssm = mockClient(SSMClient);
const secretsManager = mockClient(SecretsManagerClient);

function resolverAt(options: { env?: NodeJS.ProcessEnv; maxAgeSeconds?: number } = {}) {
  const warnings: unknown[] = [];
  const resolver = new AwsSecretResolver({
    ssm: new SSMProvider({ awsSdkV3Client: new SSMClient({ region: 'eu-west-1' }) }),
    secrets: new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({ region: 'eu-west-1' }) }),
    env: options.env ?? {},
    maxAgeSeconds: options.maxAgeSeconds ?? 300,
    logger: { warn: (...args: unknown[]) => warnings.push(args) },
  });
  return { resolver, warnings };
}

/** Answers GetParameters with `/name -> value:/name` for every name, as SSM does for parameters that exist. */
function ssmKnowsEveryName(): void {
  ssm.on(GetParametersCommand).callsFake((input: { Names: string[] }) => ({
    Parameters: input.Names.map((name) => ({ Name: name, Value: `value:${name}`, Type: 'SecureString' })),
    InvalidParameters: [],
  }));
}

beforeEach(() => {
  ssm.reset();
  secretsManager.reset();
  jest.useRealTimers();
});

describe('AwsSecretResolver', () => {
  it('reads SSM parameters decrypted, in batches of at most ten, each once', async () => {
    ssmKnowsEveryName();
    const refs: SecretRef[] = Array.from({ length: 12 }, (_, index) => ({ ssm: `/uptime/p${index}` }));
    const { values, failures } = await resolverAt().resolver.resolve(refs);

    expect(failures.size).toBe(0);
    expect(values.get('ssm:/uptime/p11')).toBe('value:/uptime/p11');
    const calls = ssm.commandCalls(GetParametersCommand);
    expect(calls.map((call) => call.args[0].input.Names?.length).sort()).toEqual([10, 2]);
    expect(calls.every((call) => call.args[0].input.WithDecryption === true)).toBe(true);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  });

  it('uses the cached values until they are older than maxAge', async () => {
    ssmKnowsEveryName();
    const { resolver } = resolverAt({ maxAgeSeconds: 60 });
    await resolver.resolve([{ ssm: '/a' }]);
    await resolver.resolve([{ ssm: '/a' }]);
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);

    jest.useFakeTimers({ now: Date.now() + 61_000, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'queueMicrotask'] });
    await resolver.resolve([{ ssm: '/a' }]);
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(2);
  });

  it('keeps the last value when a refresh fails, and says so', async () => {
    ssmKnowsEveryName();
    const { resolver, warnings } = resolverAt({ maxAgeSeconds: 1 });
    await resolver.resolve([{ ssm: '/a' }]);
    ssm.on(GetParametersCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    jest.useFakeTimers({ now: Date.now() + 2_000, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'queueMicrotask'] });

    const { values, failures } = await resolver.resolve([{ ssm: '/a' }]);
    expect(values.get('ssm:/a')).toBe('value:/a');
    expect(failures.size).toBe(0);
    expect(JSON.stringify(warnings)).toContain('ssm:/a');
    expect(JSON.stringify(warnings)).not.toContain('value:/a');
  });

  it('names a parameter that does not exist, and one it may not read, without any value', async () => {
    ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/a', Value: 'A', Type: 'SecureString' }], InvalidParameters: ['/missing'] });
    const first = await resolverAt().resolver.resolve([{ ssm: '/a' }, { ssm: '/missing' }]);
    expect(first.values.get('ssm:/a')).toBe('A');
    expect(first.failures.get('ssm:/missing')).toBe('SSM has no such parameter (or it is not readable)');

    ssm.reset();
    ssm.on(GetParametersCommand).rejects(Object.assign(new Error('User is not authorized to perform ssm:GetParameters'), { name: 'AccessDeniedException' }));
    const denied = await resolverAt().resolver.resolve([{ ssm: '/b' }]);
    expect(denied.failures.get('ssm:/b')).toMatch(/^SSM: .*AccessDeniedException/);
  });

  it('picks a field of a JSON secret, and names a missing field', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'uptime/api' }).resolves({ SecretString: '{"apiKey":"k1"}' });
    secretsManager.on(GetSecretValueCommand, { SecretId: 'uptime/plain' }).resolves({ SecretString: 'p1' });
    const { values, failures } = await resolverAt().resolver.resolve([
      { secretsManager: 'uptime/api', key: 'apiKey' },
      { secretsManager: 'uptime/api', key: 'other' },
      { secretsManager: 'uptime/plain' },
    ]);
    expect(values.get('secretsManager:uptime/api#apiKey')).toBe('k1');
    expect(values.get('secretsManager:uptime/plain')).toBe('p1');
    expect(failures.get('secretsManager:uptime/api#other')).toBe("the secret has no field 'other'");
  });

  it('names a secret that does not exist', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException' }));
    const { failures } = await resolverAt().resolver.resolve([{ secretsManager: 'uptime/gone' }]);
    expect(failures.get('secretsManager:uptime/gone')).toMatch(/^Secrets Manager: .*ResourceNotFoundException/);
  });

  it('reads env references from the environment it was given, and names an unset one', async () => {
    const { values, failures } = await resolverAt({ env: { API_TOKEN: 't1', EMPTY: '' } }).resolver.resolve([{ env: 'API_TOKEN' }, { env: 'EMPTY' }, { env: 'UNSET' }]);
    expect(values.get('env:API_TOKEN')).toBe('t1');
    expect(failures.get('env:EMPTY')).toBe('the environment variable EMPTY is not set');
    expect(failures.get('env:UNSET')).toBe('the environment variable UNSET is not set');
    expect(ssm.calls()).toHaveLength(0);
    expect(secretsManager.calls()).toHaveLength(0);
  });
});
