import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { UnknownPingTokenError } from '../domain/errors';
import type { Ping, PingKind, PingRecorder } from '../domain/heartbeat';
import type { SecretResolver } from '../domain/ports';
import { describeSecretRef, isSecretRef, uniqueSecretRefs } from '../domain/secret-ref';
import type { MonitorConfig } from '../domain/types';

export interface PingDeps {
  /** The configured monitors; only the heartbeat monitors among them are pinged. */
  monitors: readonly MonitorConfig[];
  /** Resolves tokens given as secret references (cached: lib/adapters/aws-secret-resolver.ts). */
  secrets: SecretResolver;
  recorder: PingRecorder;
  now: () => Date;
  logger: Pick<Logger, 'info' | 'error'>;
}

/**
 * Records a ping of the heartbeat monitor whose token is `token`. Every configured token is compared
 * in constant time (digests of equal length, each compared whatever the others gave), so neither
 * the answer nor its timing tells which tokens exist. A token whose reference has no value matches
 * nothing (logged, never the value). Throws UnknownPingTokenError when none matches.
 */
export async function recordPing(token: string, kind: PingKind, deps: PingDeps): Promise<Ping> {
  const heartbeats = deps.monitors.filter((monitor) => monitor.type === 'heartbeat' && monitor.heartbeat);
  const tokens = await resolveTokens(heartbeats, deps);
  const digest = sha256(token);
  let found: string | undefined;
  for (const [monitorId, expected] of tokens) {
    if (timingSafeEqual(digest, sha256(expected)) && found === undefined) found = monitorId;
  }
  if (found === undefined) throw new UnknownPingTokenError();
  const ping: Ping = { monitorId: found, kind, at: deps.now().toISOString() };
  await deps.recorder.recordPing(ping);
  return ping;
}

async function resolveTokens(monitors: readonly MonitorConfig[], deps: PingDeps): Promise<Map<string, string>> {
  const refs = uniqueSecretRefs(monitors.flatMap((monitor) => (monitor.heartbeat && isSecretRef(monitor.heartbeat.token) ? [monitor.heartbeat.token] : [])));
  const { values, failures } = refs.length === 0 ? { values: new Map<string, string>(), failures: new Map<string, string>() } : await deps.secrets.resolve(refs);
  const tokens = new Map<string, string>();
  for (const monitor of monitors) {
    const token = monitor.heartbeat!.token;
    if (!isSecretRef(token)) {
      tokens.set(monitor.id, token);
      continue;
    }
    const reference = describeSecretRef(token);
    const value = values.get(reference);
    if (value === undefined || value === '') {
      deps.logger.error('heartbeat token not resolved: its pings are refused', { monitorId: monitor.id, reference, why: failures.get(reference) ?? 'not resolved' });
      continue;
    }
    tokens.set(monitor.id, value);
  }
  return tokens;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
