import { z } from 'zod';
import { ConfigError } from '../domain/errors';

/** The API function's settings, read once from its environment. */
export interface ApiEnvironment {
  /** The DynamoDB table holding states, transitions and run summaries. */
  tableName: string;
  /** The monitors file, relative to the working directory (the package root on Lambda). */
  monitorsFile: string;
}

function variable(name: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${name} is required` : `${name} must be a string`) })
    .trim()
    .min(1, { error: `${name} must not be empty` });
}

const apiEnvironmentSchema = z.object({
  TABLE_NAME: variable('TABLE_NAME'),
  MONITORS_FILE: variable('MONITORS_FILE').default('monitors.yml'),
});

/**
 * Reads and validates the API function's environment. Throws ConfigError naming every variable
 * that is missing or wrong.
 */
export function readApiEnvironment(env: NodeJS.ProcessEnv = process.env): ApiEnvironment {
  const parsed = apiEnvironmentSchema.safeParse({ TABLE_NAME: env.TABLE_NAME, MONITORS_FILE: env.MONITORS_FILE });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message).join('; ');
    throw new ConfigError(`environment: ${problems}`, { cause: parsed.error });
  }
  return { tableName: parsed.data.TABLE_NAME, monitorsFile: parsed.data.MONITORS_FILE };
}
