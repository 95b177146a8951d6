import { z } from 'zod';
import { parseDuration } from '../domain/duration';
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
  /** The schedule's period: ticks are the scheduled time truncated to it. 1m when deployed. */
  PROBE_TICK: z
    .string()
    .default('1m')
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms < 1000 || ms > 60_000) {
        ctx.addIssue({ code: 'custom', message: `'${text}' must be a duration from 1s to 1m` });
        return z.NEVER;
      }
      return ms;
    }),
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
