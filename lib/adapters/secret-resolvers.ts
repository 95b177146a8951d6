import type { Logger } from '@aws-lambda-powertools/logger';
import type { SecretResolver } from '../domain/ports';
import { AwsSecretResolver } from './aws-secret-resolver';
import { LocalSecretsFileResolver } from './local-secrets-file';

/** What a function's environment says about where its secret references are read (lib/config/environment.ts). */
export interface SecretsEnvironment {
  LOCAL_SECRETS_FILE?: string | undefined;
  SECRETS_MAX_AGE_SECONDS: number;
}

/**
 * The resolver of a function that uses secret references: the local secrets file under `npm start`
 * (LOCAL_SECRETS_FILE), else SSM, Secrets Manager and the environment, each value kept
 * SECRETS_MAX_AGE_SECONDS.
 */
export function createSecretResolver(env: SecretsEnvironment, logger: Pick<Logger, 'warn'>, processEnv: NodeJS.ProcessEnv = process.env): SecretResolver {
  return env.LOCAL_SECRETS_FILE
    ? new LocalSecretsFileResolver(env.LOCAL_SECRETS_FILE, processEnv)
    : new AwsSecretResolver({ env: processEnv, maxAgeSeconds: env.SECRETS_MAX_AGE_SECONDS, logger });
}
