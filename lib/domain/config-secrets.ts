import { isSecretRef, type SecretRefUse, type SecretValue } from './secret-ref';
import type { ChannelConfig } from './alert';
import type { MonitorConfig, MonitorsConfig } from './types';

/** The secret references of one monitor: its URL's and its header values', with their fields. */
export function monitorSecretRefs(monitor: MonitorConfig, index: number): SecretRefUse[] {
  const at = `monitors[${index}] (${monitor.id})`;
  const uses: SecretRefUse[] = [];
  const add = (value: SecretValue, field: string) => {
    if (isSecretRef(value)) uses.push({ ref: value, field: `${at}.${field}` });
  };
  add(monitor.url, 'url');
  for (const [name, value] of Object.entries(monitor.headers)) add(value, `headers.${name}`);
  return uses;
}

/** Every secret reference of the monitors (the probe's to resolve), in the file's order. */
export function configSecretRefs(config: MonitorsConfig): SecretRefUse[] {
  return config.monitors.flatMap((monitor, index) => monitorSecretRefs(monitor, index));
}

/** The secret-holding fields of a channel, by name: its URL, a webhook's secret, a routing key. */
export function channelSecretValues(channel: ChannelConfig): Array<[field: string, value: SecretValue]> {
  switch (channel.type) {
    case 'slack':
    case 'discord':
    case 'teams':
      return [['url', channel.url]];
    case 'webhook':
      return [
        ['url', channel.url],
        ['secret', channel.secret],
      ];
    case 'pagerduty':
      return [['routingKey', channel.routingKey]];
    default:
      return [];
  }
}

/** Every secret reference of the channels (the notifier's to resolve). */
export function channelSecretRefs(config: MonitorsConfig): SecretRefUse[] {
  return config.channels.flatMap((channel) =>
    channelSecretValues(channel).flatMap(([field, value]) => (isSecretRef(value) ? [{ ref: value, field: `channels.${channel.name}.${field}` }] : [])),
  );
}

/**
 * Channel fields holding a literal where a credential belongs, refused outside the local stage: a
 * Slack, Discord or Teams webhook URL (whoever has it can post), a webhook's signing secret, a
 * PagerDuty routing key. A plain webhook's URL is not one (its requests are signed), so it may be written out.
 */
export function literalChannelSecrets(config: MonitorsConfig): string[] {
  return config.channels.flatMap((channel) =>
    channelSecretValues(channel).flatMap(([field, value]) =>
      isSecretRef(value) || (channel.type === 'webhook' && field === 'url') ? [] : [`channels.${channel.name}.${field}`],
    ),
  );
}

/**
 * Header names whose value is a credential: Authorization, Cookie, Proxy-Authorization, and any
 * name containing token, key or secret (X-Api-Key, X-Auth-Token, Client-Secret).
 */
export function isCredentialHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return ['authorization', 'cookie', 'proxy-authorization'].includes(lower) || /token|key|secret/.test(lower);
}

/** The literal (not referenced) values of credential headers, by field: refused outside the local stage. */
export function literalCredentialHeaders(config: MonitorsConfig): string[] {
  return config.monitors.flatMap((monitor, index) =>
    Object.entries(monitor.headers)
      .filter(([name, value]) => isCredentialHeader(name) && !isSecretRef(value))
      .map(([name]) => `monitors[${index}] (${monitor.id}).headers.${name}`),
  );
}
