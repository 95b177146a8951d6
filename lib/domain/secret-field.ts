/**
 * The value a Secrets Manager reference stands for: the whole secret string, or with `key` one
 * field of the JSON object it holds. `why` says what is wrong, without quoting the secret.
 */
export function pickSecretField(text: string, key: string | undefined): { value?: string; why?: string } {
  if (key === undefined) return { value: text };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { why: `the secret is not a JSON object, so it has no field '${key}'` };
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return { why: `the secret is not a JSON object, so it has no field '${key}'` };
  }
  const field = (document as Record<string, unknown>)[key];
  if (typeof field === 'string') return { value: field };
  if (typeof field === 'number' || typeof field === 'boolean') return { value: String(field) };
  return { why: field === undefined ? `the secret has no field '${key}'` : `the secret's field '${key}' is not a string` };
}
