import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeployUsageError, planDeploy } from '../../tools/deploy/plan';
import { runDeploy } from '../../tools/deploy/run';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { ConfigError } from '../../lib/domain/errors';
import { PAYMENTS_API_YML } from '../fixtures/monitors-yml';

const CONFIRMING_YML = PAYMENTS_API_YML.replace('monitors:', 'confirm:\n  regions: [eu-west-1, ap-southeast-1]\n  quorum: 2\nmonitors:');
const confirming = parseMonitorsConfig(CONFIRMING_YML, 'monitors.yml');
const alone = parseMonitorsConfig(PAYMENTS_API_YML, 'monitors.yml');

const plan = (argv: string[], config = confirming) => planDeploy(argv, config, 'monitors.yml').map((command) => command.args);
const confirmer = (region: string, stage: string, homeRegion: string, ...rest: string[]) => [
  'deploy', '--config', 'serverless.confirm.yml', '--stage', stage, '--region', region, '--param', `homeRegion=${homeRegion}`, ...rest,
];

describe('planDeploy', () => {
  it('without confirm in monitors.yml is sls deploy with the arguments as given', () => {
    const argv = ['--stage', 'prod', '--region', 'eu-west-1', '--param', 'alarmEmail=ops@example.com', '--aws-profile', 'ops'];
    expect(plan(argv, alone)).toEqual([['deploy', ...argv]]);
    expect(plan([], alone)).toEqual([['deploy']]);
  });

  it('deploys the home stack first, then a confirmer stack in each confirm region, with the stage and the home region', () => {
    const argv = ['--stage', 'prod', '--param', 'confirmRegions=eu-west-1,ap-southeast-1'];
    expect(plan(argv)).toEqual([['deploy', ...argv], confirmer('eu-west-1', 'prod', 'us-east-1'), confirmer('ap-southeast-1', 'prod', 'us-east-1')]);
    expect(planDeploy(argv, confirming, 'monitors.yml').map((command) => command.label)).toEqual([
      'the home stack', 'the confirmer stack in eu-west-1', 'the confirmer stack in ap-southeast-1',
    ]);
  });

  it('defaults to the dev stage in us-east-1, as serverless.yml does, and reads every spelling of stage and region', () => {
    expect(plan([]).slice(1)).toEqual([confirmer('eu-west-1', 'dev', 'us-east-1'), confirmer('ap-southeast-1', 'dev', 'us-east-1')]);
    for (const argv of [['--stage=prod', '--region=us-west-2'], ['-s', 'prod', '-r', 'us-west-2'], ['--stage', 'dev', '--region', 'us-west-2', '--stage', 'prod']]) {
      expect(plan(argv)[1]).toEqual(confirmer('eu-west-1', 'prod', 'us-west-2'));
    }
  });

  it('passes the other options on to the confirmers, but not the home parameters, package folder or region', () => {
    const argv = ['--stage', 'prod', '--aws-profile', 'ops', '--param', 'alarmEmail=ops@example.com', '--param=logRetentionDays=90', '--verbose', '--package', 'out', '--force'];
    expect(plan(argv)[1]).toEqual(confirmer('eu-west-1', 'prod', 'us-east-1', '--aws-profile', 'ops', '--verbose', '--force', '--param', 'logRetentionDays=90'));
  });

  it('deploys only the home stack for a run that deploys no whole stack', () => {
    for (const argv of [['--help'], ['function', '--function', 'probe'], ['-f', 'probe', '--stage', 'prod'], ['list']]) {
      expect(plan(argv)).toEqual([['deploy', ...argv]]);
    }
  });

  it('leaves a monitors.yml that did not load to the home deploy, which says why', () => {
    expect(planDeploy(['--stage', 'prod'], undefined, 'monitors.yml').map((command) => command.args)).toEqual([['deploy', '--stage', 'prod']]);
  });

  it('refuses confirmRegions at odds with monitors.yml, and a confirmer in the home region, before deploying anything', () => {
    expect(() => plan(['--param', 'confirmRegions=eu-west-1'])).toThrow(
      new ConfigError(
        "parameter confirmRegions: 'eu-west-1' differs from confirm.regions in monitors.yml (eu-west-1, ap-southeast-1); the two must list the same regions " +
          '(set it with --param confirmRegions=... or under params in serverless.yml)',
      ),
    );
    expect(() => plan(['--param', 'confirmRegions=eu-west-1'], alone)).toThrow(/monitors\.yml has no confirm block/);
    expect(() => plan(['--region', 'eu-west-1'])).toThrow(
      new ConfigError('monitors.yml: confirm.regions[0]: eu-west-1 is the home region this stack deploys to (--region), already a vantage point; list only other regions'),
    );
  });

  it('refuses another serverless file', () => {
    expect(() => plan(['-c', 'other.yml'])).toThrow(DeployUsageError);
    expect(() => plan(['--config=other.yml'], alone)).toThrow('--config is not for the deploy runner');
  });
});

describe('runDeploy', () => {
  let dir: string;
  let lines: string[];
  const output = { log: (line: string) => lines.push(line), error: (line: string) => lines.push(`ERROR ${line}`) };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'deploy-plan-'));
    writeFileSync(path.join(dir, 'monitors.yml'), CONFIRMING_YML);
    lines = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the plan in order, with the environment, and stops at the first deploy that fails', async () => {
    const runs: string[] = [];
    const env = { MONITORS_FILE: path.join(dir, 'monitors.yml') };
    const sls = (args: readonly string[], given: NodeJS.ProcessEnv) => {
      expect(given).toBe(env);
      runs.push(args.join(' '));
      return Promise.resolve(args.includes('eu-west-1') ? 1 : 0);
    };
    expect(await runDeploy(['--stage', 'prod'], env, output, sls)).toBe(1);
    expect(runs).toEqual(['deploy --stage prod', confirmer('eu-west-1', 'prod', 'us-east-1').join(' ')]);
    expect(lines.at(-1)).toBe(
      'ERROR deploy: the confirmer stack in eu-west-1 failed (sls exited 1); deployed: the home stack; ' +
        'not attempted: the confirmer stack in ap-southeast-1; run the same command again to finish',
    );
  });

  it('deploys nothing when the options are at odds with monitors.yml', async () => {
    const sls = jest.fn(() => Promise.resolve(0));
    expect(await runDeploy(['--region', 'ap-southeast-1'], { MONITORS_FILE: path.join(dir, 'monitors.yml') }, output, sls)).toBe(1);
    expect(await runDeploy(['--config', 'x.yml'], { MONITORS_FILE: path.join(dir, 'monitors.yml') }, output, sls)).toBe(2);
    expect(sls).not.toHaveBeenCalled();
    expect(lines[0]).toMatch(/^ERROR deploy: monitors\.yml: confirm\.regions\[1\]: ap-southeast-1 is the home region/);
  });

  it('reports every stack deployed', async () => {
    const sls = jest.fn(() => Promise.resolve(0));
    expect(await runDeploy([], { MONITORS_FILE: path.join(dir, 'monitors.yml') }, output, sls)).toBe(0);
    expect(sls).toHaveBeenCalledTimes(3);
    expect(lines.at(-1)).toBe('deploy: the home stack, the confirmer stack in eu-west-1, the confirmer stack in ap-southeast-1: deployed');
  });
});
