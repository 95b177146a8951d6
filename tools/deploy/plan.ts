/**
 * What `npm run deploy` runs, worked out from its arguments and monitors.yml without running
 * anything: `sls deploy` of the home stack with the arguments as given, then, with multi-region
 * confirmation, `sls deploy` of a confirmer stack (serverless.confirm.yml) in each region of
 * monitors.yml `confirm.regions`. Kept pure so the plan is unit-tested; tools/deploy/run.ts runs it.
 */
import { DEFAULT_HOME_REGION, readConfirmRegions, type DeployParameters } from '../../deploy/deploy-settings';
import type { MonitorsConfig } from '../../lib/domain/types';

/** The confirmer stacks' serverless file. */
export const CONFIRM_CONFIG_FILE = 'serverless.confirm.yml';

/** serverless.yml's stage when --stage is not given. */
const DEFAULT_STAGE = 'dev';

/** One `sls` run: what it deploys (for messages) and its arguments. */
export interface SlsCommand {
  /** `the home stack` or `the confirmer stack in <region>`. */
  label: string;
  args: string[];
}

/** An argument the runner cannot honour (another serverless file): exit code 2. */
export class DeployUsageError extends Error {
  override readonly name = 'DeployUsageError';
}

/** The flags of `sls deploy` the runner reads or sets itself for the confirmer stacks, by every name they go by. */
const STAGE_FLAGS = ['--stage', '-s'];
const REGION_FLAGS = ['--region', '-r'];
const PARAM_FLAGS = ['--param'];
/** A prebuilt package folder is the home stack's: a confirmer deploy would take it for its own. */
const PACKAGE_FLAGS = ['--package', '-p'];
const CONFIG_FLAGS = ['--config', '-c'];
/** Flags after which `sls` deploys nothing, or only the home stack's parts. */
const HOME_ONLY_FLAGS = ['--help', '-h', '--function', '-f'];

/** Parameters the confirmer stack reads (serverless.confirm.yml), passed on as given to the home stack. */
const CONFIRMER_PARAMETERS = ['logRetentionDays'] as const;

/**
 * The `sls` commands `npm run deploy -- <argv>` runs, in order: the home stack first, since each
 * confirmer's resource policy names the home probe's role, which must exist. Without confirmer
 * regions (no `confirm` in monitors.yml), or for a run that deploys no whole stack (a subcommand
 * such as `function`, `--function`, `--help`), only `sls deploy <argv>`, as before the runner;
 * so too when monitors.yml did not load (`config` undefined), which that deploy then reports with
 * the loader's message. Throws the ConfigError of a confirmRegions parameter at odds with
 * monitors.yml, and DeployUsageError for --config.
 */
export function planDeploy(argv: readonly string[], config: MonitorsConfig | undefined, fileName: string): SlsCommand[] {
  const flags = readFlags(argv);
  const home: SlsCommand = { label: 'the home stack', args: ['deploy', ...argv] };
  if (flags.has(CONFIG_FLAGS)) {
    throw new DeployUsageError(`${flags.name(CONFIG_FLAGS)} is not for the deploy runner, which deploys serverless.yml and then ${CONFIRM_CONFIG_FILE}; run npx sls deploy with it instead`);
  }
  if (config === undefined || flags.positional.length > 0 || flags.has(HOME_ONLY_FLAGS)) return [home];
  const stage = flags.value(STAGE_FLAGS) ?? DEFAULT_STAGE;
  const homeRegion = flags.value(REGION_FLAGS) ?? DEFAULT_HOME_REGION;
  const params = flags.params();
  const regions = readConfirmRegions(params, config, fileName, homeRegion);
  const passed = flags.rest.concat(
    CONFIRMER_PARAMETERS.flatMap((name) => (params[name] === undefined ? [] : ['--param', `${name}=${String(params[name])}`])),
  );
  return [
    home,
    ...regions.map((region) => ({
      label: `the confirmer stack in ${region}`,
      args: ['deploy', '--config', CONFIRM_CONFIG_FILE, '--stage', stage, '--region', region, '--param', `homeRegion=${homeRegion}`, ...passed],
    })),
  ];
}

interface Flags {
  /** Arguments before the first flag that are not a flag's value: `sls deploy function ...`. */
  positional: string[];
  /** Every argument but stage, region, parameters, package and config (with their values): what a confirmer deploy gets too. */
  rest: string[];
  has(names: readonly string[]): boolean;
  /** The name a flag was given by, for messages. */
  name(names: readonly string[]): string;
  /** A flag's value, `--name value` or `--name=value`; the last one given wins, as in sls. */
  value(names: readonly string[]): string | undefined;
  /** Every `--param name=value`. */
  params(): DeployParameters;
}

/**
 * Reads the few flags the plan needs out of an `sls deploy` command line. Flags it does not know
 * pass through untouched, with whatever follows them: it never has to know which take a value.
 */
function readFlags(argv: readonly string[]): Flags {
  const valued = [...STAGE_FLAGS, ...REGION_FLAGS, ...PARAM_FLAGS, ...PACKAGE_FLAGS, ...CONFIG_FLAGS];
  const found: Array<{ name: string; value: string | undefined }> = [];
  const positional: string[] = [];
  const rest: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    const [name = '', inline] = splitInline(argument);
    if (valued.includes(name)) {
      const value = inline ?? argv[(index += 1)];
      found.push({ name, value });
    } else if (argument.startsWith('-')) {
      found.push({ name, value: inline });
      rest.push(argument);
    } else {
      if (found.length === 0) positional.push(argument);
      rest.push(argument);
    }
  }
  const of = (names: readonly string[]) => found.filter((flag) => names.includes(flag.name));
  return {
    positional,
    rest,
    has: (names) => of(names).length > 0,
    name: (names) => of(names)[0]?.name ?? names[0] ?? '',
    value: (names) => of(names).at(-1)?.value,
    params: () => {
      const params: Record<string, string> = {};
      for (const { value } of of(PARAM_FLAGS)) {
        const separator = value?.indexOf('=') ?? -1;
        if (value !== undefined && separator > 0) params[value.slice(0, separator)] = value.slice(separator + 1);
      }
      return params as DeployParameters;
    },
  };
}

/** `--stage=prod` as ['--stage', 'prod']; `--param=a=b` as ['--param', 'a=b']; anything else as itself. */
function splitInline(argument: string): [string, string | undefined] {
  if (!argument.startsWith('--')) return [argument, undefined];
  const separator = argument.indexOf('=');
  return separator < 0 ? [argument, undefined] : [argument.slice(0, separator), argument.slice(separator + 1)];
}
