import path from 'node:path';
import { LocalSecretsFileResolver } from '../../lib/adapters/local-secrets-file';
import { channelSecretRefs, configSecretRefs } from '../../lib/domain/config-secrets';
import { ConfigError } from '../../lib/domain/errors';
import { heartbeatTokenRefs } from '../../lib/domain/heartbeat';
import { describeSecretRef } from '../../lib/domain/secret-ref';
import type { MonitorsConfig } from '../../lib/domain/types';

/**
 * Resolves every secret reference of the monitors file as the local probe will (`ssm` and
 * `secretsManager` from the local secrets file, `env` from this environment), so a missing one
 * stops `npm start` before anything starts, with a message naming the field and the reference.
 */
export async function assertLocalSecretsResolve(config: MonitorsConfig, monitorsFile: string, secretsFile: string, env: NodeJS.ProcessEnv): Promise<void> {
  // The probe's (monitor URLs and headers), the notifier's (channel URLs, secrets, keys) and the
  // ping function's (heartbeat tokens).
  const uses = [...configSecretRefs(config), ...channelSecretRefs(config), ...heartbeatTokenRefs(config)];
  if (uses.length === 0) return;
  const { failures } = await new LocalSecretsFileResolver(secretsFile, env).resolve(uses.map((use) => use.ref));
  const problems = uses
    .filter(({ ref }) => failures.has(describeSecretRef(ref)))
    .map(({ ref, field }) => `${path.basename(monitorsFile)}: ${field}: ${describeSecretRef(ref)}: ${failures.get(describeSecretRef(ref))}`);
  if (problems.length > 0) {
    throw new ConfigError(
      `${problems.join('\n')}\nnpm start reads ssm and secretsManager references from ${secretsFile} ` +
        '(git-ignored; see README, Secrets) and env references from its own environment',
    );
  }
}
