/**
 * Secret references: where monitors.yml may hold a credential (a header value, a URL; later a
 * channel's URL or key, a heartbeat token), it may instead name where the value lives. Only the
 * function that uses the value resolves it, at run time; packages, templates and every other
 * function see the reference only.
 */

/** An SSM Parameter Store parameter (a SecureString is decrypted). */
export interface SsmSecretRef {
  ssm: string;
}

/** A Secrets Manager secret by name or ARN; `key` picks one field of a JSON secret. */
export interface SecretsManagerSecretRef {
  secretsManager: string;
  key?: string;
}

/** An environment variable of the function (deployed) or of `npm start` (local). */
export interface EnvSecretRef {
  env: string;
}

export type SecretRef = SsmSecretRef | SecretsManagerSecretRef | EnvSecretRef;

/** A configured value: the text itself, or a reference to where it lives. */
export type SecretValue = string | SecretRef;

/** A secret reference found in the configuration, with the field that holds it. */
export interface SecretRefUse {
  ref: SecretRef;
  /** The field, as config errors name it: `monitors[0] (api).headers.Authorization`. */
  field: string;
}

export function isSecretRef(value: SecretValue): value is SecretRef {
  return typeof value === 'object' && value !== null;
}

/**
 * The reference as one line of text, also the key of its resolved value: `ssm:/uptime/prod/key`,
 * `secretsManager:uptime/pagerduty#routingKey`, `env:API_TOKEN`. Never holds the value.
 */
export function describeSecretRef(ref: SecretRef): string {
  if ('ssm' in ref) return `ssm:${ref.ssm}`;
  if ('secretsManager' in ref) return `secretsManager:${ref.secretsManager}${ref.key === undefined ? '' : `#${ref.key}`}`;
  return `env:${ref.env}`;
}

/** The references, each once (by its description), in the order first met. */
export function uniqueSecretRefs(refs: readonly SecretRef[]): SecretRef[] {
  const seen = new Map<string, SecretRef>();
  for (const ref of refs) {
    const key = describeSecretRef(ref);
    if (!seen.has(key)) seen.set(key, ref);
  }
  return [...seen.values()];
}

/**
 * The value of `value`: the text itself, or the resolved value of its reference. Throws
 * `UnresolvedSecretError` when a reference was not resolved, so a check never runs with a hole
 * where its credential should be.
 */
export function secretText(value: SecretValue, resolved: ReadonlyMap<string, string>): string {
  if (!isSecretRef(value)) return value;
  const key = describeSecretRef(value);
  const text = resolved.get(key);
  if (text === undefined) throw new UnresolvedSecretError([key]);
  return text;
}

/** One or more references had no value. The message names them, never a value. */
export class UnresolvedSecretError extends Error {
  override readonly name = 'UnresolvedSecretError';

  constructor(
    readonly references: readonly string[],
    detail?: string,
    options?: ErrorOptions,
  ) {
    super(`secret reference${references.length === 1 ? '' : 's'} ${references.join(', ')} could not be resolved${detail ? `: ${detail}` : ''}`, options);
  }
}
