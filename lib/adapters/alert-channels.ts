import type { SNSClient } from '@aws-sdk/client-sns';
import type { AlertChannel, ResolvedChannelConfig } from '../domain/alert';
import {
  ChannelConfigError,
  createDiscordChannel,
  createPagerDutyChannel,
  createSlackChannel,
  createTeamsChannel,
  createWebhookChannel,
  type HttpAlertChannelOptions,
} from './http-alert-channels';
import { SnsAlertChannel } from './sns-alert-channel';

export { ChannelConfigError } from './http-alert-channels';

/**
 * Builds the adapter of each configured channel, once, at module scope of the function that
 * delivers alerts. Email is not built here: its channel (SES, the email renderer) is made by the
 * email step and handed in as `deps.email`, which the `email` channel resolves to; without it an
 * `email` channel is a ChannelConfigError, as is an `sns` channel without `deps.sns`.
 */
export interface AlertChannelDeps {
  /** The email channel, built elsewhere; returned for a channel of type `email`. */
  email?: AlertChannel;
  /** The SNS client sns channels publish with; needed only when one is configured. */
  sns?: SNSClient;
  /** Per-delivery timeout of every channel but email (default 10 s), and the clock of the webhook's signature. */
  timeoutMs?: number;
  now?: HttpAlertChannelOptions['now'];
}

/** The adapter for one channel. Throws ChannelConfigError when it cannot be built (see AlertChannelDeps). */
export function createAlertChannel(config: ResolvedChannelConfig, deps: AlertChannelDeps): AlertChannel {
  const options: HttpAlertChannelOptions = {
    ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }),
    ...(deps.now === undefined ? {} : { now: deps.now }),
  };
  switch (config.type) {
    case 'email':
      if (deps.email === undefined) throw new ChannelConfigError(`email channel '${config.name}': pass the email channel as deps.email; it is not built here`);
      return deps.email;
    case 'slack':
      return createSlackChannel(config, options);
    case 'discord':
      return createDiscordChannel(config, options);
    case 'teams':
      return createTeamsChannel(config, options);
    case 'webhook':
      return createWebhookChannel(config, options);
    case 'pagerduty':
      return createPagerDutyChannel(config, options);
    case 'sns':
      if (deps.sns === undefined) throw new ChannelConfigError(`sns channel '${config.name}': pass an SNS client as deps.sns`);
      return new SnsAlertChannel(config, { client: deps.sns, ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }) });
    default:
      return assertNever(config);
  }
}

/** Every channel's adapter by its name. Throws ChannelConfigError on a name used twice. */
export function createAlertChannels(configs: readonly ResolvedChannelConfig[], deps: AlertChannelDeps): ReadonlyMap<string, AlertChannel> {
  const channels = new Map<string, AlertChannel>();
  for (const config of configs) {
    if (channels.has(config.name)) throw new ChannelConfigError(`channel '${config.name}' is configured twice`);
    channels.set(config.name, createAlertChannel(config, deps));
  }
  return channels;
}

function assertNever(config: never): never {
  throw new ChannelConfigError(`unknown channel type in ${JSON.stringify((config as { type?: unknown }).type)}`);
}
