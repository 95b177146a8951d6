import { channelSecretValues } from '../domain/config-secrets';
import type { ChannelConfig, ResolvedChannelConfig } from '../domain/alert';
import { PAGERDUTY_EVENTS_URL } from '../domain/alert';
import type { SecretResolver } from '../domain/ports';
import { describeSecretRef, isSecretRef, secretText, uniqueSecretRefs } from '../domain/secret-ref';

/** A channel the notifier cannot use: a secret reference of it has no value. */
export interface UnresolvedChannel {
  channel: string;
  /** One per reference: which (`ssm:/name`) and why; never a value. */
  problems: { reference: string; why: string }[];
}

/**
 * The channels with their secret references resolved (all at once, through the resolver's cache),
 * ready for their adapters; a channel with a reference that has no value is left out and listed.
 */
export async function resolveChannels(
  channels: readonly ChannelConfig[],
  secrets: SecretResolver,
): Promise<{ resolved: ResolvedChannelConfig[]; unresolved: UnresolvedChannel[] }> {
  const refs = uniqueSecretRefs(channels.flatMap((channel) => channelSecretValues(channel).flatMap(([, value]) => (isSecretRef(value) ? [value] : []))));
  const { values, failures } = refs.length === 0 ? { values: new Map<string, string>(), failures: new Map<string, string>() } : await secrets.resolve(refs);
  const resolved: ResolvedChannelConfig[] = [];
  const unresolved: UnresolvedChannel[] = [];
  for (const channel of channels) {
    const problems = channelSecretValues(channel)
      .flatMap(([, value]) => (isSecretRef(value) ? [describeSecretRef(value)] : []))
      .filter((reference) => !values.has(reference))
      .map((reference) => ({ reference, why: failures.get(reference) ?? 'not resolved' }));
    if (problems.length > 0) {
      unresolved.push({ channel: channel.name, problems });
      continue;
    }
    switch (channel.type) {
      case 'email':
      case 'sns':
        resolved.push(channel);
        break;
      case 'slack':
      case 'discord':
      case 'teams':
        resolved.push({ name: channel.name, type: channel.type, url: secretText(channel.url, values) });
        break;
      case 'webhook':
        resolved.push({ name: channel.name, type: 'webhook', url: secretText(channel.url, values), secret: secretText(channel.secret, values) });
        break;
      case 'pagerduty':
        resolved.push({ name: channel.name, type: 'pagerduty', routingKey: secretText(channel.routingKey, values), url: channel.url ?? PAGERDUTY_EVENTS_URL });
        break;
    }
  }
  return { resolved, unresolved };
}
