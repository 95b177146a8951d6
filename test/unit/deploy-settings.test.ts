import {
  identityCovers,
  resolveDeploySettings,
  scheduleExpression,
  type DeployParameters,
  type DeploySettingsInput,
} from '../../deploy/deploy-settings';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { ConfigError } from '../../lib/domain/errors';

const FILE = [
  'notify:',
  '  from: monitor@example.com',
  '  to: [oncall@example.com, boss@example.org]',
  'monitors:',
  '  - id: api',
  '    url: https://api.example.com/health',
  '  - id: shop',
  '    url: https://shop.example.com/',
  '    interval: 10m',
  '    notify: { to: [shop@example.net, oncall@example.com] }',
].join('\n');

function input(overrides: Partial<DeploySettingsInput> = {}, text = FILE): DeploySettingsInput {
  return {
    config: parseMonitorsConfig(text, 'monitors.yml'),
    fileName: 'monitors.yml',
    monitorsFile: 'monitors.yml',
    stackName: 'uptime-monitor-dev',
    stage: 'dev',
    params: {},
    checkDeployability: true,
    ...overrides,
  };
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const arn = (identity: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/${identity}`,
});

/** The probe function of the dev stage, as the template names it for the shards' Invoke. */
const DEV_PROBE_ARN = { 'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:uptime-monitor-dev-probe` };
const DEV_NOTIFY_ARN = { 'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:uptime-monitor-dev-notify` };

/** An ACM certificate in us-east-1, the only region CloudFront takes one from. */
const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

describe('resolveDeploySettings', () => {
  it('derives the documented defaults from monitors.yml', () => {
    expect(resolveDeploySettings(input())).toEqual({
      monitorsFile: 'monitors.yml', tableName: { Ref: 'MonitorTable' },
      scheduleEnabled: true, probePeriod: '1m', schedule: 'rate(1 minute)', runPeriodSeconds: 60,
      sesIdentity: 'monitor@example.com',
      // sesSandbox defaults to true: SES then also checks the permission against every recipient
      sesIdentityArns: [
        arn('monitor@example.com'),
        arn('oncall@example.com'),
        arn('boss@example.org'),
        arn('shop@example.net'),
      ],
      alarmEmail: 'oncall@example.com', logRetentionDays: 30, metricsNamespace: 'UptimeMonitor', metricsEnabled: 'true',
      probeConcurrency: '64', probeShardSize: '1000', probeTimeoutSeconds: 55, probeInvokeArns: [DEV_PROBE_ARN, DEV_NOTIFY_ARN], confirmRegions: [], confirmFunctionName: '', confirmEnabled: 'false',
      transitionRetentionDays: '400', runRetentionDays: '35', hourlyRollupRetentionDays: '100', dailyRollupRetentionDays: '400',
      apiThrottleRate: 10, apiThrottleBurst: 20,
      statusPageThrottleRate: 50, statusPageThrottleBurst: 100, badgeThrottleRate: 50, badgeThrottleBurst: 100,
      accessLogRetentionDays: 14, probeReservedConcurrency: { Ref: 'AWS::NoValue' },
      blockPrivateAddresses: 'true', notifyFrom: 'monitor@example.com', tableDeletionProtection: false,
      cdn: 'false', cdnAliases: { Ref: 'AWS::NoValue' }, cdnViewerCertificate: { CloudFrontDefaultCertificate: true },
      prometheusEnabled: 'true',
    });
  });

  it('takes every parameter as given, from the command line (strings) or serverless.yml (numbers, booleans)', () => {
    const params: DeployParameters = {
      sesIdentity: 'example.com',
      sesSandbox: false,
      alarmEmail: 'ops@example.org',
      scheduleRate: '5m',
      transitionRetentionDays: 90,
      runRetentionDays: '7',
      hourlyRollupRetentionDays: 30,
      dailyRollupRetentionDays: '730',
      logRetentionDays: '90',
      metricsNamespace: 'Acme/Uptime',
      probeConcurrency: 8,
      probeShardSize: '250',
      apiThrottleRate: '2.5',
      apiThrottleBurst: 5,
      statusPageThrottleRate: 30,
      statusPageThrottleBurst: '60',
      badgeThrottleRate: '0.5',
      badgeThrottleBurst: 1,
      accessLogRetentionDays: 7,
      probeReservedConcurrency: '4',
      tableDeletionProtection: true,
      cdn: 'true',
      cdnDomain: 'Status.Example.com',
      cdnCertificateArn: CERTIFICATE_ARN,
      prometheus: false,
    };
    const text = FILE.replace('    url: https://api.example.com/health', '    url: https://api.example.com/health\n    interval: 5m');
    expect(resolveDeploySettings(input({ params, stage: 'prod' }, text))).toEqual({
      monitorsFile: 'monitors.yml', tableName: { Ref: 'MonitorTable' },
      scheduleEnabled: true, probePeriod: '1m', schedule: 'cron(0/5 * * * ? *)', runPeriodSeconds: 300,
      sesIdentity: 'example.com',
      sesIdentityArns: [arn('example.com')],
      alarmEmail: 'ops@example.org', logRetentionDays: 90, metricsNamespace: 'Acme/Uptime', metricsEnabled: 'true',
      probeConcurrency: '8', probeShardSize: '250', probeTimeoutSeconds: 55, probeInvokeArns: [DEV_PROBE_ARN, DEV_NOTIFY_ARN], confirmRegions: [], confirmFunctionName: '', confirmEnabled: 'false',
      transitionRetentionDays: '90', runRetentionDays: '7', hourlyRollupRetentionDays: '30', dailyRollupRetentionDays: '730',
      apiThrottleRate: 2.5, apiThrottleBurst: 5,
      statusPageThrottleRate: 30, statusPageThrottleBurst: 60, badgeThrottleRate: 0.5, badgeThrottleBurst: 1,
      accessLogRetentionDays: 7, probeReservedConcurrency: 4,
      blockPrivateAddresses: 'true', notifyFrom: 'monitor@example.com', tableDeletionProtection: true,
      cdn: 'true', cdnAliases: ['status.example.com'],
      cdnViewerCertificate: { AcmCertificateArn: CERTIFICATE_ARN, SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' },
      prometheusEnabled: 'false',
    });
  });

  it('refuses a loopback target for a deployed stage, naming the file, monitor and field', () => {
    const text = FILE.replace('https://api.example.com/health', 'http://127.0.0.1:4010/health');
    expect(errorOf(() => resolveDeploySettings(input({}, text))).message).toBe(
      'monitors.yml: monitors[0] (api).url: 127.0.0.1 is a loopback address, which Lambda cannot reach; use --stage local to run it on this machine',
    );
  });

  it('accepts unreachable targets, any sender and no metrics for the local stage', () => {
    const text = FILE.replace('https://api.example.com/health', 'http://127.0.0.1:4010/health');
    const settings = resolveDeploySettings(input({ stage: 'local', params: { sesIdentity: 'not an identity', scheduleRate: '5m' } }, text));
    expect(settings.metricsEnabled).toBe('false');
    expect(settings.sesIdentity).toBe('not an identity');
    // The local stage's targets are on 127.0.0.1: the probe must not refuse them.
    expect(settings.blockPrivateAddresses).toBe('false');
  });

  it.each(['dev', 'staging', 'prod', 'LOCAL', 'local-2'])('blocks private addresses for the deployed stage %s', (stage) => {
    expect(resolveDeploySettings(input({ stage })).blockPrivateAddresses).toBe('true');
  });

  it('refuses a reserved concurrency below the shards a run fans out into, counted as the probe plans them', () => {
    const monitors = Array.from({ length: 5 }, (_, i) => `  - { id: m${i}, url: "https://m${i}.example.com/" }`);
    const fast = ['  - { id: fast, url: "https://fast.example.com/", interval: 30s }'];
    const text = ['notify: { from: monitor@example.com, to: [oncall@example.com] }', 'monitors:', ...monitors, ...fast].join('\n');
    // 5 monitors of 1 minute in shards of 2 make 3 shards; the sub-minute one a shard of its own.
    expect(errorOf(() => resolveDeploySettings(input({ params: { probeShardSize: 2, probeReservedConcurrency: 3 } }, text))).message).toContain(
      'parameter probeReservedConcurrency: 3 is fewer than the 4 shards a run of these monitors fans out into (probeShardSize), which run at once',
    );
    expect(resolveDeploySettings(input({ params: { probeShardSize: 2, probeReservedConcurrency: 4 } }, text)).probeReservedConcurrency).toBe(4);
    expect(resolveDeploySettings(input({ params: { probeReservedConcurrency: 1 } }, text)).probeReservedConcurrency).toBe(1);
  });

  it.each([undefined, null, '', '  '])('reserves no concurrency for probeReservedConcurrency %j', (value) => {
    expect(resolveDeploySettings(input({ params: { probeReservedConcurrency: value } })).probeReservedConcurrency).toEqual({ Ref: 'AWS::NoValue' });
  });

  it('gives the local stage a plain table name, no EventBridge schedule and the local tick', () => {
    const local = resolveDeploySettings(input({ stage: 'local', stackName: 'uptime-monitor-local', localProbePeriod: '2s' }));
    expect(local).toMatchObject({ tableName: 'uptime-monitor-local', scheduleEnabled: false, probePeriod: '2s' });
    const deployed = resolveDeploySettings(input({ localProbePeriod: '2s' }));
    expect(deployed).toMatchObject({ tableName: { Ref: 'MonitorTable' }, scheduleEnabled: true, probePeriod: '1m' });
  });

  it('refuses a local tick the probe cannot use', () => {
    expect(errorOf(() => resolveDeploySettings(input({ stage: 'local', localProbePeriod: '5m' }))).message).toBe(
      "UPTIME_LOCAL_PROBE_PERIOD: '5m' must be a duration from 1s to 1m",
    );
  });

  it('skips the deployability checks for commands that deploy nothing', () => {
    const text = FILE.replace('https://api.example.com/health', 'http://10.0.0.8/health');
    expect(() => resolveDeploySettings(input({ checkDeployability: false }, text))).not.toThrow();
    expect(() => resolveDeploySettings(input({ checkDeployability: true }, text))).toThrow(ConfigError);
  });

  it('refuses an interval that is not a multiple of the schedule rate', () => {
    expect(errorOf(() => resolveDeploySettings(input({ params: { scheduleRate: '5m' } }))).message).toBe(
      'monitors.yml: monitors[0] (api).interval: 1m is not a multiple of the schedule rate 5m (parameter scheduleRate); ' +
        'set interval (or defaults.interval) to a multiple of it',
    );
  });

  it('puts the CloudFront distribution in front of the API on its own domain with cdn=true alone', () => {
    expect(resolveDeploySettings(input({ params: { cdn: true } }))).toMatchObject({
      cdn: 'true',
      cdnAliases: { Ref: 'AWS::NoValue' },
      cdnViewerCertificate: { CloudFrontDefaultCertificate: true },
    });
  });

  it('refuses a sender the SES identity does not cover', () => {
    expect(errorOf(() => resolveDeploySettings(input({ params: { sesIdentity: 'example.org' } }))).message).toBe(
      "monitors.yml: notify.from: monitor@example.com is not covered by the SES identity 'example.org' (parameter sesIdentity), " +
        'so the notifier could not send from it; send from an address at that domain, or set sesIdentity to the verified identity of this address',
    );
  });

  it.each<[DeployParameters, string]>([
    [{ scheduleRate: '7m' }, "parameter scheduleRate: '7m' must be a whole number of minutes that divides an hour: 1m, 2m, 3m, 4m, 5m, 6m, 10m, 12m, 15m, 20m, 30m, 60m"],
    [{ scheduleRate: '30s' }, "parameter scheduleRate: '30s' must be a whole number of minutes"],
    [{ sesIdentity: 'monitor at example' }, "parameter sesIdentity: 'monitor at example' must be an email address or a domain verified in SES"],
    [{ sesSandbox: 'yes' }, "parameter sesSandbox: 'yes' must be true or false"],
    [{ alarmEmail: 'ops' }, "parameter alarmEmail: 'ops' must be an email address"],
    [{ logRetentionDays: 31 }, 'parameter logRetentionDays: 31 is not a retention CloudWatch Logs accepts'],
    [{ transitionRetentionDays: '0' }, "parameter transitionRetentionDays: '0' must be a whole number from 1 to 36500"],
    [{ runRetentionDays: '1.5' }, "parameter runRetentionDays: '1.5' must be a whole number"],
    [{ hourlyRollupRetentionDays: '2' }, "parameter hourlyRollupRetentionDays: '2' must be a whole number from 3 to 36500"],
    [
      { hourlyRollupRetentionDays: '120', dailyRollupRetentionDays: '90' },
      'parameter dailyRollupRetentionDays: 90 is shorter than hourlyRollupRetentionDays (120): daily rollups are made from the hourly ones and must outlive them',
    ],
    [{ probeConcurrency: 'many' }, "parameter probeConcurrency: 'many' must be a whole number from 1 to 1000"],
    [{ probeShardSize: '0' }, "parameter probeShardSize: '0' must be a whole number from 1 to 10000"],
    [{ metricsNamespace: 'AWS/Lambda' }, "parameter metricsNamespace: 'AWS/Lambda' must be 1 to 255 letters"],
    [{ apiThrottleRate: '-1' }, "parameter apiThrottleRate: '-1' must be a number from 0.01 to 10000"],
    [{ apiThrottleBurst: '0' }, "parameter apiThrottleBurst: '0' must be a whole number from 1 to 5000"],
    [{ statusPageThrottleRate: '0' }, "parameter statusPageThrottleRate: '0' must be a number from 0.01 to 10000"],
    [{ statusPageThrottleBurst: '1.5' }, "parameter statusPageThrottleBurst: '1.5' must be a whole number from 1 to 5000"],
    [{ badgeThrottleRate: 'fast' }, "parameter badgeThrottleRate: 'fast' must be a number from 0.01 to 10000"],
    [{ badgeThrottleBurst: 5001 }, "parameter badgeThrottleBurst: '5001' must be a whole number from 1 to 5000"],
    [{ accessLogRetentionDays: 10 }, 'parameter accessLogRetentionDays: 10 is not a retention CloudWatch Logs accepts'],
    [{ accessLogRetentionDays: 'forever' }, "parameter accessLogRetentionDays: 'forever' must be a whole number from 1 to 3653"],
    [{ probeReservedConcurrency: '0' }, "parameter probeReservedConcurrency: '0' must be a whole number from 1 to 10000, or left out for no reservation"],
    [{ probeReservedConcurrency: '-1' }, "parameter probeReservedConcurrency: '-1' must be a whole number"],
    [{ tableDeletionProtection: 'yes' }, "parameter tableDeletionProtection: 'yes' must be true or false"],
    [{ cdn: 'on' }, "parameter cdn: 'on' must be true or false"],
    [{ prometheus: 'off' }, "parameter prometheus: 'off' must be true or false"],
    [{ cdn: 'true', cdnDomain: 'status.example.com' }, "parameter cdnCertificateArn: cdnDomain 'status.example.com' needs the ARN of an ACM certificate in us-east-1 that covers it"],
    [{ cdn: 'true', cdnCertificateArn: CERTIFICATE_ARN }, 'parameter cdnDomain: cdnCertificateArn is given without the domain it is for; give both, or neither'],
    [{ cdnDomain: 'status.example.com', cdnCertificateArn: CERTIFICATE_ARN }, 'parameter cdnDomain: a custom domain is for the CloudFront distribution, which only --param cdn=true creates'],
    [{ cdn: 'false', cdnCertificateArn: CERTIFICATE_ARN }, 'parameter cdnCertificateArn: a custom domain is for the CloudFront distribution'],
    [{ cdn: 'true', cdnDomain: 'status page', cdnCertificateArn: CERTIFICATE_ARN }, "parameter cdnDomain: 'status page' must be a domain name, such as status.example.com"],
    [
      { cdn: 'true', cdnDomain: 'status.example.com', cdnCertificateArn: CERTIFICATE_ARN.replace('us-east-1', 'eu-west-1') },
      "parameter cdnCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b' must be an ACM certificate ARN in us-east-1",
    ],
  ])('refuses %j, naming the parameter', (params, message) => {
    const error = errorOf(() => resolveDeploySettings(input({ params })));
    expect(error.message).toContain(message);
    expect(error.message).toMatch(/\(set it with --param \w+=\.\.\. or under params in serverless\.yml\)$/);
  });
});

describe('scheduleExpression', () => {
  it.each([
    [1, 'rate(1 minute)'], [2, 'cron(0/2 * * * ? *)'], [15, 'cron(0/15 * * * ? *)'], [60, 'cron(0 * * * ? *)'],
  ])('%i minutes -> %s', (minutes, expression) => {
    expect(scheduleExpression(minutes)).toBe(expression);
  });
});

describe('identityCovers', () => {
  it.each([
    ['monitor@example.com', 'monitor@example.com', true], ['Monitor@Example.com', 'monitor@example.com', true],
    ['example.com', 'monitor@example.com', true], ['EXAMPLE.com', 'monitor@example.com', true],
    ['example.com', 'monitor@mail.example.com', false], ['mail.example.com', 'monitor@example.com', false],
    ['other@example.com', 'monitor@example.com', false], ['example.org', 'monitor@example.com', false],
  ])('%s covers %s: %s', (identity, address, covers) => {
    expect(identityCovers(identity, address)).toBe(covers);
  });
});

describe('sub-minute checks', () => {
  const withInterval = (interval: string) => FILE.replace('    url: https://api.example.com/health', `    url: https://api.example.com/health\n    interval: ${interval}`);

  it('give the probe the time to finish the cycle 50 s into the minute', () => {
    expect(resolveDeploySettings(input({}, withInterval('10s'))).probeTimeoutSeconds).toBe(70);
    expect(resolveDeploySettings(input({}, withInterval('2m'))).probeTimeoutSeconds).toBe(55);
  });

  it('need the 1-minute schedule', () => {
    expect(errorOf(() => resolveDeploySettings(input({ params: { scheduleRate: '5m' } }, withInterval('30s')))).message).toBe(
      'monitors.yml: monitors[0] (api).interval: 30s needs the schedule rate 1m (parameter scheduleRate is 5m): sub-minute checks run inside each minute\'s invocation',
    );
  });
});

describe('multi-region confirmation', () => {
  const CONFIRMING = FILE.replace('monitors:', 'confirm:\n  regions: [eu-west-1, ap-southeast-1]\n  quorum: 2\nmonitors:');
  const confirmArn = (region: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:lambda:${region}:\${AWS::AccountId}:function:uptime-monitor-dev-confirm` });

  it('lets the probe invoke exactly the confirm function of each region of confirm.regions, and names it', () => {
    const settings = resolveDeploySettings(input({ region: 'us-east-1' }, CONFIRMING));
    expect(settings).toMatchObject({
      confirmRegions: ['eu-west-1', 'ap-southeast-1'],
      confirmFunctionName: 'uptime-monitor-dev-confirm',
      confirmEnabled: 'true',
    });
    expect(settings.probeInvokeArns).toEqual([DEV_PROBE_ARN, DEV_NOTIFY_ARN, confirmArn('eu-west-1'), confirmArn('ap-southeast-1')]);
  });

  it('takes confirmRegions that list the same regions as monitors.yml, in any order, once or twice', () => {
    for (const confirmRegions of ['ap-southeast-1,eu-west-1', ' eu-west-1 , ap-southeast-1', 'eu-west-1,ap-southeast-1,eu-west-1']) {
      expect(resolveDeploySettings(input({ params: { confirmRegions } }, CONFIRMING)).confirmRegions).toEqual(['eu-west-1', 'ap-southeast-1']);
    }
    // Empty is not given, as for every parameter.
    expect(resolveDeploySettings(input({ params: { confirmRegions: '' } })).confirmRegions).toEqual([]);
  });

  it('refuses confirmRegions that differ from monitors.yml, naming both', () => {
    expect(errorOf(() => resolveDeploySettings(input({ params: { confirmRegions: 'eu-west-1' } }, CONFIRMING))).message).toBe(
      "parameter confirmRegions: 'eu-west-1' differs from confirm.regions in monitors.yml (eu-west-1, ap-southeast-1); the two must list the same regions " +
        '(set it with --param confirmRegions=... or under params in serverless.yml)',
    );
    expect(errorOf(() => resolveDeploySettings(input({ params: { confirmRegions: 'eu-west-1,,ap-southeast-1' } }, CONFIRMING))).message).toContain(
      "parameter confirmRegions: 'eu-west-1,,ap-southeast-1' must be a comma-separated list of regions",
    );
  });

  it('refuses confirmRegions when monitors.yml has no confirm block, naming both', () => {
    expect(errorOf(() => resolveDeploySettings(input({ params: { confirmRegions: 'eu-west-1,ap-southeast-1' } }))).message).toBe(
      "parameter confirmRegions: 'eu-west-1,ap-southeast-1' is given, but monitors.yml has no confirm block; " +
        'add confirm.regions: [eu-west-1, ap-southeast-1] to monitors.yml, or leave the parameter out ' +
        '(set it with --param confirmRegions=... or under params in serverless.yml)',
    );
  });

  it('refuses a confirmer in the home region, which is a vantage point already', () => {
    expect(errorOf(() => resolveDeploySettings(input({ region: 'ap-southeast-1' }, CONFIRMING))).message).toBe(
      'monitors.yml: confirm.regions[1]: ap-southeast-1 is the home region this stack deploys to (--region), already a vantage point; list only other regions',
    );
  });

  it('sets nothing without a confirm block: no confirm function, no extra ARN, no alarm', () => {
    expect(resolveDeploySettings(input({ region: 'eu-west-1' }))).toMatchObject({
      confirmRegions: [], confirmFunctionName: '', confirmEnabled: 'false', probeInvokeArns: [DEV_PROBE_ARN, DEV_NOTIFY_ARN],
    });
  });

  it('refuses a stage whose probe role name serverless-iam-roles-per-function would shorten, which the confirmers name in full', () => {
    const stage = 'integration-europe-1';
    const stackName = `uptime-monitor-${stage}`;
    expect(() => resolveDeploySettings(input({ stage, stackName, region: 'eu-central-1' }))).not.toThrow();
    expect(errorOf(() => resolveDeploySettings(input({ stage, stackName, region: 'eu-central-1' }, CONFIRMING))).message).toBe(
      "the probe's role name uptime-monitor-integration-europe-1-probe-eu-central-1-lambdaRole is 65 characters, more than IAM's 64, " +
        'and the confirmer stacks name it in full (monitors.yml confirm); use a shorter --stage',
    );
  });
});
