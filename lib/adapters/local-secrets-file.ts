import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../domain/errors';
import type { SecretResolution, SecretResolver } from '../domain/ports';
import { describeSecretRef, type SecretRef } from '../domain/secret-ref';
import { pickSecretField } from '../domain/secret-field';

/** The file `npm start` reads `ssm` and `secretsManager` references from (git-ignored). */
export const LOCAL_SECRETS_FILE = 'secrets.local.yml';

const secretText = z.union([z.string(), z.number().transform(String)], { error: 'must be a string' });

const fileSchema = z.strictObject(
  {
    ssm: z.record(z.string(), secretText, { error: 'must map parameter names to values' }).optional(),
    secretsManager: z
      .record(
        z.string(),
        z.union([secretText, z.record(z.string(), z.unknown()).transform((fields) => JSON.stringify(fields))], {
          error: 'must map secret names to a string, or to a mapping for a JSON secret',
        }),
        { error: 'must map secret names to values' },
      )
      .optional(),
  },
  { error: 'must be a mapping with ssm and secretsManager' },
);

export interface LocalSecrets {
  ssm: Record<string, string>;
  secretsManager: Record<string, string>;
}

/**
 * Reads the local secrets file: `ssm:` maps parameter names to values, `secretsManager:` secret
 * names to a string or to a mapping (a JSON secret, whose fields `key:` picks). A missing file is
 * an empty one; a broken one is a ConfigError naming the file and the field.
 */
export function readLocalSecretsFile(file: string): LocalSecrets {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ssm: {}, secretsManager: {} };
    throw new ConfigError(`${path.basename(file)}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  const document = parseDocument(text, { uniqueKeys: true });
  const yamlError = document.errors[0];
  if (yamlError) throw new ConfigError(`${path.basename(file)}: not valid YAML: ${yamlError.message.split('\n')[0]}`, { cause: yamlError });
  const parsed = fileSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join('.') || '(top level)';
    throw new ConfigError(`${path.basename(file)}: ${where}: ${issue?.message ?? 'invalid'}`, { cause: parsed.error });
  }
  return { ssm: parsed.data.ssm ?? {}, secretsManager: parsed.data.secretsManager ?? {} };
}

/**
 * The local stack's secrets: `ssm` and `secretsManager` references from the local secrets file,
 * `env` references from the environment `npm start` runs in. Reads the file on every call, so an
 * edit is picked up at the next tick.
 */
export class LocalSecretsFileResolver implements SecretResolver {
  constructor(
    private readonly file: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async resolve(refs: readonly SecretRef[]): Promise<SecretResolution> {
    const secrets = readLocalSecretsFile(this.file);
    const values = new Map<string, string>();
    const failures = new Map<string, string>();
    const name = path.basename(this.file);
    for (const ref of refs) {
      const key = describeSecretRef(ref);
      let found: { value?: string; why?: string };
      if ('ssm' in ref) {
        const value = secrets.ssm[ref.ssm];
        found = value === undefined ? { why: `${name} has no ssm entry '${ref.ssm}'` } : { value };
      } else if ('secretsManager' in ref) {
        const text = secrets.secretsManager[ref.secretsManager];
        found = text === undefined ? { why: `${name} has no secretsManager entry '${ref.secretsManager}'` } : pickSecretField(text, ref.key);
      } else {
        const value = this.env[ref.env];
        found = value === undefined || value === '' ? { why: `the environment variable ${ref.env} is not set` } : { value };
      }
      if (found.value !== undefined) values.set(key, found.value);
      else failures.set(key, found.why ?? 'no value');
    }
    return { values, failures };
  }
}
