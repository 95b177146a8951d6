import { rmSync } from 'node:fs';
import path from 'node:path';
import {
  DEPLOY_PARAMETER_NAMES,
  LOCAL_STAGE,
  resolveDeploySettings,
  type DeployParameters,
  type DeploySettings,
} from './deploy-settings';
import { writePublicMonitorsFile } from './public-monitors-file';
import { resolveSecretSettings, type SecretSettings } from './secret-settings';
import { loadMonitorsConfig } from '../lib/config/monitors';
import { ConfigError } from '../lib/domain/errors';

/** Commands that deploy nothing and must work whatever monitors.yml says (removing a stack, say). */
const NON_DEPLOYING_COMMANDS = new Set(['remove', 'info', 'logs', 'metrics', 'print']);

/** Folders serverless.yml's package patterns leave out: npm start's data and the build folders. */
const UNPACKAGED_FOLDERS = ['.local', '.esbuild', '.esbuild-local', '.serverless'];

/** The small part of the osls `serverless` object this plugin uses. */
interface Serverless {
  serviceDir: string;
  classes: { Error: new (message: string) => Error };
  processedInput: { commands: string[] };
  service: {
    getAllFunctions(): string[];
    provider: { compiledCloudFormationTemplate: { Resources: Record<string, unknown> } };
    custom?: { esbuild?: { outputWorkFolder?: unknown } };
    functions?: Record<string, { environment?: Record<string, unknown>; iamRoleStatements?: unknown[] }>;
  };
  providers: {
    aws: { naming: { getLambdaLogicalId(functionName: string): string; getRoleLogicalId(): string } };
  };
}

/** What `${uptime:settings}` resolves to: the deploy settings and where the api and notify functions' copy of monitors.yml is. */
export interface PluginSettings extends DeploySettings {
  /** The api's copy of monitors.yml: no headers, channels or query values (deploy/public-monitors-file.ts), relative to the service. */
  publicMonitorsFile: string;
  /** The notifier's copy: no headers or query values, but the channels (as references outside the local stage). */
  notifyMonitorsFile: string;
  /** The ping function's copy: the api's, with the heartbeat tokens as written (references outside the local stage). */
  pingMonitorsFile: string;
}

interface VariableSourceContext {
  address?: string;
  resolveVariable(variable: string): Promise<unknown>;
}

/**
 * Package-time glue between serverless.yml and lib/config.
 *
 * - `${uptime:settings}` resolves to the validated {@link DeploySettings}: monitors.yml (picked by
 *   MONITORS_FILE, default monitors.yml) is loaded with the same loader the functions use, and the
 *   parameters are checked against it. A bad file or parameter stops every command with the
 *   loader's message; for a deployed stage, targets Lambda cannot reach are refused too.
 * - Before the template is written, the shared role that serverless-iam-roles-per-function
 *   leaves behind is removed, after checking that every function has a role of its own.
 */
export class UptimeMonitorPlugin {
  readonly configurationVariablesSources = {
    uptime: { resolve: (context: VariableSourceContext) => this.resolveSource(context) },
  };

  readonly hooks = {
    // Runs for every command, once the configuration (and so `${uptime:settings}`) is resolved:
    // `sls package` and serverless-offline both see the probe with its secrets' role and environment.
    initialize: () => this.grantProbeSecrets(),
    'package:initialize': () => this.removeBuildLeftovers(),
    'before:package:finalize': () => this.removeSharedRole(),
  };

  private settings: Promise<PluginSettings> | undefined;
  private secrets: SecretSettings | undefined;

  constructor(private readonly serverless: Serverless) {}

  private async resolveSource({ address, resolveVariable }: VariableSourceContext): Promise<{ value: PluginSettings }> {
    if (address !== 'settings') {
      throw new this.serverless.classes.Error(`\${uptime:${address ?? ''}} is unknown; use \${uptime:settings}`);
    }
    this.settings ??= this.loadSettings(resolveVariable);
    return { value: await this.settings };
  }

  private async loadSettings(resolveVariable: VariableSourceContext['resolveVariable']): Promise<PluginSettings> {
    const stage = String(await resolveVariable('sls:stage'));
    const file = String(await resolveVariable("env:MONITORS_FILE, 'monitors.yml'"));
    const service = String(await resolveVariable('self:service'));
    const region = String(await resolveVariable('self:provider.region'));
    const localProbePeriod = String(await resolveVariable("env:UPTIME_LOCAL_PROBE_PERIOD, '10s'"));
    const params: DeployParameters = {};
    for (const name of DEPLOY_PARAMETER_NAMES) {
      params[name] = (await resolveVariable(`param:${name}, null`)) as DeployParameters[typeof name];
    }
    const allowLiteralSecrets = String((await resolveVariable('param:allowLiteralSecrets, null')) ?? 'false').trim().toLowerCase();
    try {
      const serviceDir = this.serverless.serviceDir;
      const absolute = path.resolve(serviceDir, file);
      const relative = path.relative(serviceDir, absolute);
      const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
      const config = loadMonitorsConfig(absolute);
      const checkDeployability = !NON_DEPLOYING_COMMANDS.has(this.serverless.processedInput.commands[0] ?? '');
      if (allowLiteralSecrets !== 'true' && allowLiteralSecrets !== 'false' && allowLiteralSecrets !== 'null') {
        throw new ConfigError(
          `parameter allowLiteralSecrets: '${allowLiteralSecrets}' must be true or false (set it with --param allowLiteralSecrets=... or under params in serverless.yml)`,
        );
      }
      this.secrets = resolveSecretSettings({
        config,
        fileName: path.basename(absolute),
        stage,
        allowLiteralSecrets: allowLiteralSecrets === 'true',
        env: process.env,
        checkDeployability,
      });
      const settings = resolveDeploySettings({
        config,
        fileName: path.basename(absolute),
        monitorsFile: inside ? relative.split(path.sep).join('/') : absolute,
        stackName: `${service}-${stage}`,
        stage,
        region,
        localProbePeriod,
        params,
        checkDeployability,
      });
      if (!inside && stage !== LOCAL_STAGE) {
        throw new ConfigError(
          `MONITORS_FILE: ${file} is outside the service directory ${serviceDir}; only files inside it are packaged with the functions`,
        );
      }
      const folder = relative.split(path.sep)[0] ?? '';
      if (inside && stage !== LOCAL_STAGE && UNPACKAGED_FOLDERS.includes(folder)) {
        throw new ConfigError(`MONITORS_FILE: ${file} is in ${folder}/, which no package carries; keep the monitors file elsewhere`);
      }
      return {
        ...settings,
        publicMonitorsFile: writePublicMonitorsFile(absolute, serviceDir, { channels: false }),
        notifyMonitorsFile: writePublicMonitorsFile(absolute, serviceDir, { channels: true }),
        pingMonitorsFile: writePublicMonitorsFile(absolute, serviceDir, { channels: false, tokens: true }),
      };
    } catch (error) {
      if (error instanceof ConfigError) throw new this.serverless.classes.Error(error.message);
      throw error;
    }
  }

  /**
   * serverless-esbuild zips everything in its work folder's build folder, and removes the folder
   * only after a package that finished: what an interrupted package, or an `npm start` from before
   * it had its own folder, left there (monitors.local.yml, say) went into every zip. Each package
   * starts from an empty work folder.
   */
  private removeBuildLeftovers(): void {
    const serviceDir = this.serverless.serviceDir;
    const workFolder = path.resolve(serviceDir, String(this.serverless.service.custom?.esbuild?.outputWorkFolder ?? '.esbuild'));
    const relative = path.relative(serviceDir, workFolder);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new this.serverless.classes.Error(`custom.esbuild.outputWorkFolder must be a folder inside ${serviceDir}, not ${workFolder}`);
    }
    rmSync(workFolder, { recursive: true, force: true });
  }

  /**
   * The probe alone resolves secret references: its role gets read access to exactly the names
   * monitors.yml references (and kms:Decrypt through those services only), and `{ env: NAME }`
   * references their values from the environment sls runs in; under `npm start` it also learns
   * where the local secrets file is. The notifier gets the same for the channels' references and
   * the ping function for the heartbeat tokens'; the api gets none of it.
   */
  private async grantProbeSecrets(): Promise<void> {
    if (!this.settings) return;
    await this.settings;
    const secrets = this.secrets;
    const { probe, notify, ping } = this.serverless.service.functions ?? {};
    if (!secrets) return;
    if (probe) {
      probe.iamRoleStatements = [...(probe.iamRoleStatements ?? []), ...secrets.probeStatements];
      probe.environment = { ...probe.environment, ...secrets.probeEnvironment };
    }
    if (notify) {
      notify.iamRoleStatements = [...(notify.iamRoleStatements ?? []), ...secrets.notifyStatements];
      notify.environment = { ...notify.environment, ...secrets.notifyEnvironment };
    }
    if (ping) {
      ping.iamRoleStatements = [...(ping.iamRoleStatements ?? []), ...secrets.pingStatements];
      ping.environment = { ...ping.environment, ...secrets.pingEnvironment };
    }
  }

  private removeSharedRole(): void {
    const { naming } = this.serverless.providers.aws;
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    const shared = naming.getRoleLogicalId();
    const sharing = this.serverless.service
      .getAllFunctions()
      .filter((name) => JSON.stringify(resources[naming.getLambdaLogicalId(name)] ?? {}).includes(`"${shared}"`));
    if (sharing.length > 0) {
      throw new this.serverless.classes.Error(
        `functions ${sharing.join(', ')} use the shared role ${shared}: give each function its own iamRoleStatements`,
      );
    }
    delete resources[shared];
    const referrers = Object.entries(resources)
      .filter(([, resource]) => JSON.stringify(resource).includes(`"${shared}"`))
      .map(([name]) => name);
    if (referrers.length > 0) {
      throw new this.serverless.classes.Error(`${referrers.join(', ')} still refer to the removed role ${shared}`);
    }
  }
}
