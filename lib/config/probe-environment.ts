import { z } from 'zod';
import { ConfigError } from '../domain/errors';

const positiveInt = (fallback: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be 1 or more' }).default(fallback);

const probeEnvironmentSchema = z.object({
  TABLE_NAME: z.string({ error: 'is required: the DynamoDB table name' }).min(3, { error: 'must be a DynamoDB table name' }),
  MONITORS_FILE: z.string().min(1).default('monitors.yml'),
  METRICS_NAMESPACE: z.string().min(1).default('UptimeMonitor'),
  METRICS_ENABLED: z.enum(['true', 'false'], { error: "must be 'true' or 'false'" }).default('true'),
  STACK_NAME: z.string().min(1).default('uptime-monitor'),
  PROBE_CONCURRENCY: positiveInt(32),
  TRANSITION_RETENTION_DAYS: positiveInt(400),
  RUN_RETENTION_DAYS: positiveInt(35),
});

export type ProbeEnvironment = z.output<typeof probeEnvironmentSchema>;

/** The probe function's environment, validated once; a bad value names the variable. */
export function readProbeEnvironment(env: NodeJS.ProcessEnv = process.env): ProbeEnvironment {
  const parsed = probeEnvironmentSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`environment variable ${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
