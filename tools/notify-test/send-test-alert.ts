import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SNSClient } from '@aws-sdk/client-sns';
import path from 'node:path';
import { createAlertChannel } from '../../lib/adapters/alert-channels';
import { AwsSecretResolver } from '../../lib/adapters/aws-secret-resolver';
import { LocalSecretsFileResolver } from '../../lib/adapters/local-secrets-file';
import { SesMailer, createSesClient } from '../../lib/adapters/ses-mailer';
import { resolveChannels } from '../../lib/app/channel-secrets';
import { loadMonitorsConfig } from '../../lib/config/monitors';
import { PermanentDeliveryError, TransientDeliveryError, type AlertChannel, type ChannelConfig, type ResolvedChannelConfig } from '../../lib/domain/alert';
import { channelSecretValues } from '../../lib/domain/config-secrets';
import { ConfigError } from '../../lib/domain/errors';
import type { SecretResolver } from '../../lib/domain/ports';
import { LOCAL_STAGE, type NotifyTestOptions } from './options';
import { TestEmailChannel, buildTestAlert } from './test-alert';

/** The longest a delivery may take here, an SDK's retries included (each HTTP channel also has its own 10 s). */
const SEND_TIMEOUT_MS = 30_000;
const LOCAL_REGION = 'us-east-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface NotifyTestDeps {
  /** Where `env` references are read from: this process's environment. */
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** A fresh id per run: the delivery's id (a webhook's `webhook-id`). */
  newDeliveryId: () => string;
}

/** What to print, and whether the channel took the alert. `line` holds no secret value and no chat URL. */
export interface NotifyTestResult {
  ok: boolean;
  line: string;
}

/**
 * Sends one test alert through the channel `options.channel` of the monitors file, resolving its
 * secret references as the chosen stage's notifier would, and describes what the channel answered.
 * Never throws: every failure is a result with `ok: false`.
 */
export async function sendTestAlert(options: NotifyTestOptions, deps: NotifyTestDeps): Promise<NotifyTestResult> {
  const secretValues: string[] = [];
  const closers: Array<() => void> = [];
  try {
    const result = await send(options, deps, secretValues, closers);
    return { ...result, line: redact(result.line, secretValues) };
  } catch (error) {
    // A bad monitors or secrets file names itself; anything else is named by its class.
    const text = error instanceof ConfigError ? error.message.split('\n').join('; ') : describeError(error);
    return { ok: false, line: redact(text, secretValues) };
  } finally {
    for (const close of closers) close();
  }
}

async function send(options: NotifyTestOptions, deps: NotifyTestDeps, secretValues: string[], closers: Array<() => void>): Promise<NotifyTestResult> {
  const config = loadMonitorsConfig(options.monitorsFile);
  const file = path.basename(options.monitorsFile);
  const channelConfig = config.channels.find((channel) => channel.name === options.channel);
  if (!channelConfig) {
    return { ok: false, line: `unknown channel '${options.channel}' in ${file}; the channels are ${config.channels.map((channel) => channel.name).join(', ')}` };
  }
  const label = `channel '${channelConfig.name}' (${channelConfig.type}, stage ${options.stage})`;

  const { resolved, unresolved } = await resolveChannels([channelConfig], secretResolver(options, deps.env));
  const problems = unresolved.flatMap((entry) => entry.problems);
  if (problems.length > 0) {
    const described = problems.map(({ reference, why }) => `secret reference ${reference} has no value (${why})`).join('; ');
    return { ok: false, line: `${label}: not sent: ${described}` };
  }
  const resolvedConfig = resolved[0] as ResolvedChannelConfig;
  secretValues.push(...resolvedSecretValues(resolvedConfig));

  let channel: AlertChannel;
  try {
    channel = buildChannel(resolvedConfig, channelConfig, options, config.notify, closers);
  } catch (error) {
    return { ok: false, line: `${label}: cannot be built: ${describeError(error)}` };
  }

  const deliveryId = deps.newDeliveryId();
  const alert = buildTestAlert(deps.now(), deliveryId);
  try {
    const { receipt } = await channel.deliver(alert, { deliveryId, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
    return { ok: true, line: `${label} took the test alert: ${receipt} (delivery id ${deliveryId})` };
  } catch (error) {
    return { ok: false, line: `${label} did not take the test alert: ${describeDeliveryError(error, options, channelConfig)}` };
  }
}

/** The local stage reads the local secrets file and this environment; a deployed one AWS, with the caller's credentials. */
function secretResolver(options: NotifyTestOptions, env: NodeJS.ProcessEnv): SecretResolver {
  if (options.stage === LOCAL_STAGE) return new LocalSecretsFileResolver(options.secretsFile, env);
  const clientConfig = { region: options.region };
  return new AwsSecretResolver({ env, ssm: new SSMProvider({ clientConfig }), secrets: new SecretsProvider({ clientConfig }) });
}

function buildChannel(
  resolved: ResolvedChannelConfig,
  configured: ChannelConfig,
  options: NotifyTestOptions,
  notify: { from: string; to: string[] },
  closers: Array<() => void>,
): AlertChannel {
  switch (resolved.type) {
    case 'email': {
      // Locally the emulator: it neither throttles nor needs credentials, and a refused connection should fail at once.
      const ses =
        options.stage === LOCAL_STAGE
          ? createSesClient({ endpoint: options.localSesEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 })
          : createSesClient({ region: options.region });
      closers.push(() => ses.destroy());
      return new TestEmailChannel(configured.name, new SesMailer({ client: ses }), notify);
    }
    case 'sns': {
      // A topic lives in the region its ARN names (arn:aws:sns:<region>:<account>:<name>).
      const sns = new SNSClient({ region: resolved.topicArn.split(':')[3] ?? options.region });
      closers.push(() => sns.destroy());
      return createAlertChannel(resolved, { sns });
    }
    default:
      return createAlertChannel(resolved, {});
  }
}

/**
 * The text a printed line must never hold: every secret-holding field (a chat URL, a signing
 * secret, a routing key) and, for a Slack, Discord or Teams URL, its path and query too, which hold
 * the credential and which a receiver's error page may echo (an answer is quoted in the error).
 */
function resolvedSecretValues(config: ResolvedChannelConfig): string[] {
  const values = channelSecretValues(config).flatMap(([, value]) => (typeof value === 'string' && value.length >= 4 ? [value] : []));
  if ((config.type === 'slack' || config.type === 'discord' || config.type === 'teams') && URL.canParse(config.url)) {
    const { pathname, search } = new URL(config.url);
    const credential = `${pathname}${search}`;
    if (credential.length >= 4) values.push(credential);
  }
  // Longest first, so a value that contains another is replaced whole.
  return values.sort((a, b) => b.length - a.length);
}

function describeDeliveryError(error: unknown, options: NotifyTestOptions, channel: ChannelConfig): string {
  if (error instanceof PermanentDeliveryError) {
    return `${describeError(error)} (permanent: the notifier would record the delivery as failed and not retry it)`;
  }
  if (error instanceof TransientDeliveryError) {
    const after = error.retryAfterMs === undefined ? '' : `, not before ${Math.ceil(error.retryAfterMs / 1000)} s as the receiver asked`;
    return `${describeError(error)} (transient: the notifier would retry it${after})`;
  }
  const hint =
    channel.type === 'email' && options.stage === LOCAL_STAGE && isConnectionRefused(error)
      ? `; is npm start running? Its SES emulator was expected at ${options.localSesEndpoint}`
      : '';
  return `${describeError(error)} (the notifier would retry it)${hint}`;
}

/** `Name: first line of the message`, with the cause's when it says more (an SDK's network error). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const first = (text: string) => text.split('\n')[0] ?? '';
  const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? ` (${error.cause.name}: ${first(error.cause.message)})` : '';
  return `${error.name}: ${first(error.message)}${cause}`;
}

function isConnectionRefused(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth += 1) {
    if ((current as NodeJS.ErrnoException).code === 'ECONNREFUSED' || current.message.includes('ECONNREFUSED')) return true;
  }
  return false;
}

/** Every secret value replaced by `***`: no message should hold one, and none can reach the terminal here. */
function redact(line: string, values: readonly string[]): string {
  return values.reduce((text, value) => text.split(value).join('***'), line);
}
