import { channelSecretRefs, configSecretRefs, literalChannelSecrets, literalCredentialHeaders } from '../lib/domain/config-secrets';
import { ConfigError } from '../lib/domain/errors';
import { heartbeatTokenRefs, literalHeartbeatTokens } from '../lib/domain/heartbeat';
import { describeSecretRef, type SecretRefUse } from '../lib/domain/secret-ref';
import type { MonitorsConfig } from '../lib/domain/types';
import type { SubExpression } from './deploy-settings';

/** One statement of an IAM policy, as CloudFormation takes it. */
export interface IamStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: (string | SubExpression)[] | string;
  Condition?: Record<string, Record<string, (string | SubExpression)[]>>;
}

/** What the probe and the notifier need to resolve the references monitors.yml makes. */
export interface SecretSettings {
  /** Statements added to the probe's role: read exactly the monitors' referenced names, decrypt only through SSM or Secrets Manager. */
  probeStatements: IamStatement[];
  /**
   * `{ env: NAME }` references of the monitors, copied from the environment of `sls package`/`sls
   * deploy` (or of `npm start`) into the probe's, and for the local stage LOCAL_SECRETS_FILE.
   */
  probeEnvironment: Record<string, string>;
  /** The same for the channels' references, for the notifier; and sns:Publish on the channels' topics. */
  notifyStatements: IamStatement[];
  notifyEnvironment: Record<string, string>;
  /** The same for the heartbeat tokens' references, for the ping function. */
  pingStatements: IamStatement[];
  pingEnvironment: Record<string, string>;
}

export interface SecretSettingsInput {
  config: MonitorsConfig;
  fileName: string;
  stage: string;
  /** Accept literal credentials in headers and channels for a deployed stage (parameter allowLiteralSecrets). */
  allowLiteralSecrets: boolean;
  /** The environment `sls` runs in, where `{ env: NAME }` references are read for a deployed stage. */
  env: NodeJS.ProcessEnv;
  /** Whether the command deploys (package, deploy): the checks are skipped for remove, info and the like. */
  checkDeployability: boolean;
}

const LOCAL_STAGE = 'local';

/**
 * Checks the references and credentials of monitors.yml for a stage and derives the IAM and
 * environment of the functions that resolve them: the probe (monitor URLs and headers) and the
 * notifier (channel URLs, secrets and keys). Resolves nothing: `sls package` and `sls deploy` never
 * call SSM or Secrets Manager. Throws a ConfigError naming the file, the monitor or channel, and the field.
 */
export function resolveSecretSettings(input: SecretSettingsInput): SecretSettings {
  const { config, fileName, stage } = input;
  const deployed = stage !== LOCAL_STAGE;
  if (deployed && input.checkDeployability && !input.allowLiteralSecrets) {
    const literals = [
      ...literalCredentialHeaders(config).map((field) => ({ field, where: "the probe's package", example: 'api-token' })),
      ...literalChannelSecrets(config).map((field) => ({ field, where: "the notifier's package", example: field.split('.')[1] ?? 'channel' })),
      ...literalHeartbeatTokens(config).map((field) => ({ field, where: "the ping function's package", example: `${/\((.*)\)/.exec(field)?.[1] ?? 'heartbeat'}-token` })),
    ];
    if (literals.length > 0) {
      throw new ConfigError(
        literals
          .map(
            ({ field, where, example }) =>
              `${fileName}: ${field}: a literal credential would ship in ${where}; keep it in SSM or Secrets Manager ` +
              `and write a reference instead, such as { ssm: /uptime/${stage}/${example} }, { secretsManager: uptime/${stage}/${example}, key: token } ` +
              'or { env: API_TOKEN } (README, Secrets); or deploy with --param allowLiteralSecrets=true to accept it knowingly',
          )
          .join('\n'),
      );
    }
  }
  const environmentOf = (uses: readonly SecretRefUse[], functionName: string): Record<string, string> => {
    const environment: Record<string, string> = {};
    // The local stack learns where the local secrets file is (npm start sets it).
    const localSecretsFile = input.env.UPTIME_LOCAL_SECRETS_FILE;
    if (!deployed && localSecretsFile) environment.LOCAL_SECRETS_FILE = localSecretsFile;
    for (const { ref, field } of uses) {
      if (!('env' in ref)) continue;
      const value = input.env[ref.env];
      if (value === undefined || value === '') {
        // npm start checks its own environment before it starts (tools/local/local-secrets.ts).
        if (!deployed || !input.checkDeployability) continue;
        throw new ConfigError(
          `${fileName}: ${field}: ${describeSecretRef(ref)} is not set in the environment of this command; ` +
            `set ${ref.env} where you run sls package or sls deploy (it is copied into the ${functionName} function's environment)`,
        );
      }
      environment[ref.env] = value;
    }
    return environment;
  };
  const monitorUses = configSecretRefs(config);
  const channelUses = channelSecretRefs(config);
  const tokenUses = heartbeatTokenRefs(config);
  const topics = config.channels.flatMap((channel) => (channel.type === 'sns' ? [channel.topicArn] : []));
  return {
    probeStatements: buildStatements(monitorUses),
    probeEnvironment: environmentOf(monitorUses, 'probe'),
    notifyStatements: [
      ...buildStatements(channelUses),
      ...(topics.length > 0 ? [{ Effect: 'Allow' as const, Action: ['sns:Publish'], Resource: unique(topics) }] : []),
    ],
    notifyEnvironment: environmentOf(channelUses, 'notify'),
    pingStatements: buildStatements(tokenUses),
    pingEnvironment: environmentOf(tokenUses, 'ping'),
  };
}

function buildStatements(uses: readonly SecretRefUse[]): IamStatement[] {
  const refs = uses.map((use) => use.ref);
  const parameters = unique(refs.flatMap((ref) => ('ssm' in ref ? [parameterArn(ref.ssm)] : [])));
  const secrets = unique(refs.flatMap((ref) => ('secretsManager' in ref ? [secretArn(ref.secretsManager)] : [])));
  const statements: IamStatement[] = [];
  const services: string[] = [];
  if (parameters.length > 0) {
    // getParametersByName reads in batches (GetParameters), or one by one (GetParameter).
    statements.push({ Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: parameters.map(sub) });
    services.push('ssm.${AWS::Region}.amazonaws.com');
  }
  if (secrets.length > 0) {
    statements.push({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: secrets.map(sub) });
    services.push('secretsmanager.${AWS::Region}.amazonaws.com');
  }
  if (services.length > 0) {
    // A SecureString or a secret under a customer managed key: decrypt only on behalf of SSM or
    // Secrets Manager, never a direct kms:Decrypt of something else under the same key.
    statements.push({
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': services.map(sub) } },
    });
  }
  return statements;
}

/** `/uptime/prod/key` or `key` as an ARN; an ARN (a parameter shared from another account) as given. */
function parameterArn(name: string): string {
  if (name.startsWith('arn:')) return name;
  return `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

/**
 * A secret by name as an ARN: Secrets Manager adds six random characters to the name (`-AbCdEf`),
 * so the ARN ends in `-??????`, which matches them and no longer name. A full ARN as given.
 */
function secretArn(nameOrArn: string): string {
  if (nameOrArn.startsWith('arn:')) return nameOrArn;
  return `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${nameOrArn}-??????`;
}

function sub(text: string): SubExpression | string {
  return text.includes('${') ? { 'Fn::Sub': text } : text;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

