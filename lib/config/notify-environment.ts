import { z } from 'zod';
import { ConfigError } from '../domain/errors';

const notifyEnvironmentSchema = z.object({
  TABLE_NAME: z.string({ error: 'is required: the DynamoDB table name' }).trim().min(1, { error: 'must not be empty' }),
  MONITORS_FILE: z.string().trim().min(1, { error: 'must not be empty' }).default('monitors.yml'),
});

/** What the notify function reads from its environment. */
export interface NotifyEnvironment {
  /** The monitor table: transitions are read from it, idempotency records written to it. */
  tableName: string;
  /** The monitors file, relative to the working directory. */
  monitorsFile: string;
}

/** Reads and validates the notify function's environment; throws a ConfigError naming the variable. */
export function readNotifyEnvironment(env: NodeJS.ProcessEnv = process.env): NotifyEnvironment {
  const parsed = notifyEnvironmentSchema.safeParse({ TABLE_NAME: env.TABLE_NAME, MONITORS_FILE: env.MONITORS_FILE });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `environment variable ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems.join('; '), { cause: parsed.error });
  }
  return { tableName: parsed.data.TABLE_NAME, monitorsFile: parsed.data.MONITORS_FILE };
}
