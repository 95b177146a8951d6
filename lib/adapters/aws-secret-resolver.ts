import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SecretResolution, SecretResolver } from '../domain/ports';
import { describeSecretRef, type SecretRef, type SecretsManagerSecretRef } from '../domain/secret-ref';
import { pickSecretField } from '../domain/secret-field';

/** How long a resolved value is used before it is fetched again: a rotated secret is picked up within it. */
export const DEFAULT_SECRET_MAX_AGE_SECONDS = 300;

export interface AwsSecretResolverOptions {
  ssm?: SSMProvider;
  secrets?: SecretsProvider;
  /** Where `{ env: NAME }` references are read: the function's environment. */
  env: NodeJS.ProcessEnv;
  maxAgeSeconds?: number;
  logger?: Pick<Logger, 'warn'>;
}

/**
 * Resolves secret references with Powertools Parameters: every SSM parameter of a call in batches
 * of ten (`getParametersByName`, GetParameters with decryption), Secrets Manager secrets each once,
 * all cached for `maxAgeSeconds`. A refresh that fails keeps the last value it had (logged), so a
 * throttled or briefly unreachable SSM does not stop the checks; a value never fetched is a failure
 * that names the reference and why, never the value.
 */
export class AwsSecretResolver implements SecretResolver {
  private readonly ssm: SSMProvider;
  private readonly secrets: SecretsProvider;
  private readonly maxAge: number;
  private readonly lastGood = new Map<string, string>();

  constructor(private readonly options: AwsSecretResolverOptions) {
    this.ssm = options.ssm ?? new SSMProvider();
    this.secrets = options.secrets ?? new SecretsProvider();
    this.maxAge = options.maxAgeSeconds ?? DEFAULT_SECRET_MAX_AGE_SECONDS;
  }

  async resolve(refs: readonly SecretRef[]): Promise<SecretResolution> {
    const values = new Map<string, string>();
    const failures = new Map<string, string>();
    const settle = (ref: SecretRef, value: string | undefined, why: string) => {
      const key = describeSecretRef(ref);
      if (value !== undefined) {
        values.set(key, value);
        this.lastGood.set(key, value);
        return;
      }
      const stale = this.lastGood.get(key);
      if (stale !== undefined) {
        this.options.logger?.warn('secret reference not refreshed; using the value fetched before', { reference: key, why });
        values.set(key, stale);
      } else {
        failures.set(key, why);
      }
    };

    const ssmRefs = refs.filter((ref): ref is { ssm: string } => 'ssm' in ref);
    const secretRefs = refs.filter((ref): ref is SecretsManagerSecretRef => 'secretsManager' in ref);
    for (const ref of refs) {
      if ('env' in ref) {
        const value = this.options.env[ref.env];
        settle(ref, value === '' ? undefined : value, `the environment variable ${ref.env} is not set`);
      }
    }
    await Promise.all([this.resolveSsm(ssmRefs, settle), ...secretRefs.map((ref) => this.resolveSecret(ref, settle))]);
    return { values, failures };
  }

  private async resolveSsm(refs: { ssm: string }[], settle: (ref: SecretRef, value: string | undefined, why: string) => void): Promise<void> {
    if (refs.length === 0) return;
    const names = Object.fromEntries(refs.map((ref) => [ref.ssm, {}]));
    try {
      const result = await this.ssm.getParametersByName<string>(names, { decrypt: true, maxAge: this.maxAge, throwOnError: false });
      const missing = new Set(result._errors ?? []);
      for (const ref of refs) {
        const value = missing.has(ref.ssm) ? undefined : result[ref.ssm];
        settle(ref, typeof value === 'string' ? value : undefined, 'SSM has no such parameter (or it is not readable)');
      }
    } catch (error) {
      for (const ref of refs) settle(ref, undefined, `SSM: ${describeError(error)}`);
    }
  }

  private async resolveSecret(ref: SecretsManagerSecretRef, settle: (ref: SecretRef, value: string | undefined, why: string) => void): Promise<void> {
    try {
      const raw = await this.secrets.get(ref.secretsManager, { maxAge: this.maxAge });
      const text = typeof raw === 'string' ? raw : raw === undefined ? undefined : new TextDecoder().decode(raw);
      if (text === undefined) {
        settle(ref, undefined, 'Secrets Manager returned no value');
        return;
      }
      const picked = pickSecretField(text, ref.key);
      settle(ref, picked.value, picked.why ?? '');
    } catch (error) {
      settle(ref, undefined, `Secrets Manager: ${describeError(error)}`);
    }
  }
}

/** The error's name and first line: an SDK error names the cause (AccessDeniedException, ResourceNotFoundException). */
function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.name}: ${error.cause.message.split('\n')[0]})` : '';
    return `${error.name}: ${error.message.split('\n')[0]}${cause}`;
  }
  return String(error);
}
