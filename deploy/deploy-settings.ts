import { parseDuration } from '../lib/domain/duration';
import { ConfigError } from '../lib/domain/errors';
import { DAILY_ROLLUP_RETENTION_DAYS, HOURLY_ROLLUP_RETENTION_DAYS, RUN_RETENTION_DAYS, TRANSITION_RETENTION_DAYS } from '../lib/domain/retention';
import { checkIntervalMs } from '../lib/domain/schedule';
import { planShards } from '../lib/domain/shards';
import type { MonitorsConfig } from '../lib/domain/types';
import { assertReachableFromLambda } from './reachability';
import { MINUTE_MS } from '../lib/domain/time';

/** The stage that runs on this machine (serverless-offline); every other stage deploys to AWS. */
export const LOCAL_STAGE = 'local';

/** The deploy parameters (`--param name=value`, or `params:` in serverless.yml), as given. */
export type DeployParameters = Partial<Record<DeployParameterName, string | number | boolean | null | undefined>>;

export const DEPLOY_PARAMETER_NAMES = [
  'sesIdentity',
  'sesSandbox',
  'alarmEmail',
  'scheduleRate',
  'transitionRetentionDays',
  'runRetentionDays',
  'hourlyRollupRetentionDays',
  'dailyRollupRetentionDays',
  'logRetentionDays',
  'metricsNamespace',
  'probeConcurrency',
  'probeShardSize',
  'apiThrottleRate',
  'apiThrottleBurst',
  'statusPageThrottleRate',
  'statusPageThrottleBurst',
  'badgeThrottleRate',
  'badgeThrottleBurst',
  'accessLogRetentionDays',
  'probeReservedConcurrency',
  'tableDeletionProtection',
  'cdn',
  'cdnDomain',
  'cdnCertificateArn',
  'prometheus',
  'confirmRegions',
] as const;

export type DeployParameterName = (typeof DEPLOY_PARAMETER_NAMES)[number];

/** A CloudFormation `Fn::Sub` expression. */
export interface SubExpression {
  'Fn::Sub': string;
}

/** Everything serverless.yml derives from monitors.yml and the parameters, validated. */
export interface DeploySettings {
  /** The monitors file as the functions open it: relative to the service directory when inside it. */
  monitorsFile: string;
  /**
   * The table name the functions get: a Ref to the table when deployed; the plain name locally,
   * where serverless-offline cannot resolve a Ref.
   */
  tableName: { Ref: 'MonitorTable' } | string;
  /** Whether EventBridge runs the probe; `npm start` plays the schedule itself, in seconds. */
  scheduleEnabled: boolean;
  /** The probe's period, the time between ticks (PROBE_PERIOD): 1m when deployed, the local interval under npm start. */
  probePeriod: string;
  /** The EventBridge schedule expression of the probe: `rate(1 minute)` or an aligned `cron(...)`. */
  schedule: string;
  /** Seconds between scheduled runs; the missed-run alarm's period. */
  runPeriodSeconds: number;
  /** The SES identity (address or domain) the notifier sends from. */
  sesIdentity: string;
  /** The SES identities the notifier may send as: the sender's, plus the recipients' in the sandbox. */
  sesIdentityArns: SubExpression[];
  /** Who receives the stack's own alarms (an SNS email subscription). */
  alarmEmail: string;
  logRetentionDays: number;
  metricsNamespace: string;
  /** Probe environment values, as the strings Lambda passes on. */
  metricsEnabled: 'true' | 'false';
  probeConcurrency: string;
  /** The most monitors one probe invocation checks; above it a run fans out into shards. */
  probeShardSize: string;
  /**
   * The probe function's timeout in seconds: 55, so a run ends before the next minute's starts;
   * 70 when a monitor is checked more often than once a minute, as one invocation then runs the
   * extra cycles of its minute (the last one starts 50 s in) and must still finish that cycle.
   */
  probeTimeoutSeconds: number;
  /**
   * Every function the probe's role may invoke, and no other: itself (it hands shards to itself),
   * the notifier (to sweep the outbox) and, with multi-region confirmation, each confirmer
   * region's confirm function. Built from the names serverless gives them: a GetAtt would make
   * the role depend on the function that depends on the role, and the confirmers are in other
   * stacks. Never empty, as CloudFormation wants of a Resource list.
   */
  probeInvokeArns: SubExpression[];
  /** The confirmer regions of monitors.yml `confirm.regions` (the deploy parameter confirmRegions must agree); none without `confirm`. */
  confirmRegions: string[];
  /** CONFIRM_FUNCTION_NAME for the probe: `<stack>-confirm`, the same in every confirmer region; '' (unset) without `confirm`. */
  confirmFunctionName: string;
  /** 'true' with multi-region confirmation (the ConfirmEnabled condition in serverless.yml: the home-alone alarm). */
  confirmEnabled: 'true' | 'false';
  transitionRetentionDays: string;
  runRetentionDays: string;
  /** How long hourly rollups are kept; at least 3 days, so a missed day can still be rolled up from them. */
  hourlyRollupRetentionDays: string;
  /** How long daily rollups are kept; at least as long as the hourly ones. */
  dailyRollupRetentionDays: string;
  /** The stage's default budget: every route without one of its own gets this rate and burst, each route its own. */
  apiThrottleRate: number;
  apiThrottleBurst: number;
  /** The budget of `GET /` and of `GET /health`, each its own. */
  statusPageThrottleRate: number;
  statusPageThrottleBurst: number;
  /** The budget of each badge route. */
  badgeThrottleRate: number;
  badgeThrottleBurst: number;
  /** Retention of the HTTP API's access log group. */
  accessLogRetentionDays: number;
  /**
   * The probe's reserved concurrency (ReservedConcurrentExecutions), or `{ Ref: 'AWS::NoValue' }`
   * when not asked for, which leaves the property out: an account whose concurrency limit is 10
   * cannot reserve any.
   */
  probeReservedConcurrency: number | { Ref: 'AWS::NoValue' };
  /** BLOCK_PRIVATE_ADDRESSES for the probe: 'true' for every deployed stage, 'false' for local (whose targets are on 127.0.0.1). */
  blockPrivateAddresses: 'true' | 'false';
  /** The address the notifier sends from (notify.from): the only one its SES permission allows (ses:FromAddress). */
  notifyFrom: string;
  /** Whether the table is created with DynamoDB deletion protection (see serverless.yml at MonitorTable). */
  tableDeletionProtection: boolean;
  /** 'true' puts a CloudFront distribution in front of the HTTP API (the CdnEnabled condition in serverless.yml). */
  cdn: 'true' | 'false';
  /** The distribution's alternate domain (cdnDomain), or AWS::NoValue: the distribution's own domain only. */
  cdnAliases: string[] | { Ref: 'AWS::NoValue' };
  /** The distribution's certificate: the ACM one of cdnCertificateArn with cdnDomain, else CloudFront's own. */
  cdnViewerCertificate: CdnViewerCertificate;
  /** PROMETHEUS_ENABLED for the api: 'false' turns GET /metrics off (it answers 404). */
  prometheusEnabled: 'true' | 'false';
}

/** AWS::CloudFront::Distribution ViewerCertificate, either form. */
export type CdnViewerCertificate =
  | { CloudFrontDefaultCertificate: true }
  | { AcmCertificateArn: string; SslSupportMethod: 'sni-only'; MinimumProtocolVersion: 'TLSv1.2_2021' };

export interface DeploySettingsInput {
  config: MonitorsConfig;
  /** The monitors file's name for messages, e.g. `monitors.yml`. */
  fileName: string;
  /** The monitors file as the functions should open it. */
  monitorsFile: string;
  /** `${service}-${stage}`: the table's name. */
  stackName: string;
  stage: string;
  /**
   * The home region, the one this stack deploys to (`--region`): it is a vantage point already,
   * so no confirmer may be in it. Left out (the validate command), that check is skipped and the
   * probe role's name is checked for serverless.yml's default region.
   */
  region?: string;
  /** The local stage's period (UPTIME_LOCAL_PROBE_PERIOD, set by npm start); default 10s. */
  localProbePeriod?: string;
  params: DeployParameters;
  /**
   * Whether to refuse what a deployed stack could not run: unreachable targets, a sender the SES
   * identity does not cover, intervals that are not a multiple of the schedule rate. Never for the
   * local stage.
   */
  checkDeployability: boolean;
}

/** Values used when a parameter is not given. sesIdentity and alarmEmail come from monitors.yml. */
export const DEPLOY_PARAMETER_DEFAULTS = {
  sesSandbox: 'true',
  scheduleRate: '1m',
  transitionRetentionDays: String(TRANSITION_RETENTION_DAYS),
  runRetentionDays: String(RUN_RETENTION_DAYS),
  hourlyRollupRetentionDays: String(HOURLY_ROLLUP_RETENTION_DAYS),
  dailyRollupRetentionDays: String(DAILY_ROLLUP_RETENTION_DAYS),
  logRetentionDays: '30',
  metricsNamespace: 'UptimeMonitor',
  probeConcurrency: '64',
  probeShardSize: '1000',
  apiThrottleRate: '10',
  apiThrottleBurst: '20',
  statusPageThrottleRate: '50',
  statusPageThrottleBurst: '100',
  badgeThrottleRate: '50',
  badgeThrottleBurst: '100',
  accessLogRetentionDays: '14',
  tableDeletionProtection: 'false',
  cdn: 'false',
  prometheus: 'true',
} as const satisfies Partial<Record<DeployParameterName, string>>;

/** The probe's timeout: a run ends before the next minute's begins. */
const PROBE_TIMEOUT_S = 55;
/** With sub-minute monitors: the cycle 50 s into the minute still gets its 10 s, plus the start-up delay. */
const SUB_MINUTE_PROBE_TIMEOUT_S = 70;
/** Schedule rates that divide an hour, so an aligned cron expression can express them. */
const SCHEDULE_MINUTES = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60] as const;
/** The retention values CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
/** CloudFront takes ACM certificates from us-east-1 only, whatever the stack's region. */
const CDN_CERTIFICATE_ARN = /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;
/** serverless.yml's region when --region is not given. */
export const DEFAULT_HOME_REGION = 'us-east-1';
/** IAM's longest role name. */
const MAX_ROLE_NAME_LENGTH = 64;

/**
 * Validates the parameters against monitors.yml and derives what serverless.yml needs. Throws a
 * ConfigError naming the parameter, or the file, monitor and field.
 */
export function resolveDeploySettings(input: DeploySettingsInput): DeploySettings {
  const { config, fileName, params } = input;
  const deployed = input.stage !== LOCAL_STAGE;
  const check = deployed && input.checkDeployability;

  if (check) assertReachableFromLambda(config, fileName);
  const scheduleMinutes = readScheduleMinutes(params);
  if (check) assertIntervalsFitSchedule(config, fileName, scheduleMinutes);

  // The local stage sends through an SES emulator and has no alarms: any sender and address will do.
  const sesIdentity = readText(params, 'sesIdentity') ?? config.notify.from;
  if (deployed && !EMAIL.test(sesIdentity) && !DOMAIN.test(sesIdentity)) {
    throw parameterError('sesIdentity', `'${sesIdentity}' must be an email address or a domain verified in SES`);
  }
  if (check && !identityCovers(sesIdentity, config.notify.from)) {
    throw new ConfigError(
      `${fileName}: notify.from: ${config.notify.from} is not covered by the SES identity '${sesIdentity}' ` +
        '(parameter sesIdentity), so the notifier could not send from it; send from an address at that domain, ' +
        'or set sesIdentity to the verified identity of this address',
    );
  }
  const sandbox = readBoolean(params, 'sesSandbox');
  const identities = sandbox ? [sesIdentity, ...recipients(config)] : [sesIdentity];
  const alarmEmail = readText(params, 'alarmEmail') ?? config.notify.to[0] ?? '';
  if (deployed && !EMAIL.test(alarmEmail)) throw parameterError('alarmEmail', `'${alarmEmail}' must be an email address`);

  const logRetentionDays = readLogRetention(params, 'logRetentionDays');
  const accessLogRetentionDays = readLogRetention(params, 'accessLogRetentionDays');
  const metricsNamespace = readText(params, 'metricsNamespace') ?? DEPLOY_PARAMETER_DEFAULTS.metricsNamespace;
  if (!/^[A-Za-z0-9._/#:-][A-Za-z0-9._/#: -]{0,254}$/.test(metricsNamespace) || metricsNamespace.startsWith('AWS/')) {
    throw parameterError('metricsNamespace', `'${metricsNamespace}' must be 1 to 255 letters, digits or . _ / # : - and must not start with AWS/`);
  }
  const confirmRegions = readConfirmRegions(params, config, fileName, input.region);
  const confirmFunctionName = confirmRegions.length > 0 ? confirmFunctionNameOf(input.stackName) : '';
  if (confirmRegions.length > 0) assertProbeRoleNameFits(input.stackName, input.region ?? DEFAULT_HOME_REGION);
  const probeShardSize = readInteger(params, 'probeShardSize', 1, 10_000);
  // As the probe plans them: its period (PROBE_PERIOD) is 1m when deployed.
  const shards = planShards(config.monitors, probeShardSize, MINUTE_MS).length;
  const probeReservedConcurrency = readReservedConcurrency(params, shards);

  const localProbePeriod = input.localProbePeriod ?? '10s';
  const periodMs = parseDuration(localProbePeriod);
  if (!deployed && (periodMs === undefined || periodMs < 1000 || periodMs > MINUTE_MS)) {
    throw new ConfigError(`UPTIME_LOCAL_PROBE_PERIOD: '${localProbePeriod}' must be a duration from 1s to 1m`);
  }

  return {
    monitorsFile: input.monitorsFile,
    tableName: deployed ? { Ref: 'MonitorTable' } : input.stackName,
    scheduleEnabled: deployed,
    probePeriod: deployed ? '1m' : localProbePeriod,
    schedule: scheduleExpression(scheduleMinutes),
    runPeriodSeconds: scheduleMinutes * 60,
    sesIdentity,
    sesIdentityArns: unique(identities).map((identity) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/${identity}`,
    })),
    alarmEmail,
    logRetentionDays,
    metricsNamespace,
    metricsEnabled: deployed ? 'true' : 'false',
    probeConcurrency: String(readInteger(params, 'probeConcurrency', 1, 1000)),
    probeShardSize: String(probeShardSize),
    probeTimeoutSeconds: config.monitors.some((monitor) => checkIntervalMs(monitor) < MINUTE_MS) ? SUB_MINUTE_PROBE_TIMEOUT_S : PROBE_TIMEOUT_S,
    probeInvokeArns: [
      functionArn('${AWS::Region}', `${input.stackName}-probe`),
      functionArn('${AWS::Region}', `${input.stackName}-notify`),
      ...confirmRegions.map((region) => functionArn(region, confirmFunctionName)),
    ],
    confirmRegions,
    confirmFunctionName,
    confirmEnabled: confirmRegions.length > 0 ? 'true' : 'false',
    transitionRetentionDays: String(readInteger(params, 'transitionRetentionDays', 1, 36_500)),
    runRetentionDays: String(readInteger(params, 'runRetentionDays', 1, 36_500)),
    ...readRollupRetention(params),
    apiThrottleRate: readThrottleRate(params, 'apiThrottleRate'),
    apiThrottleBurst: readThrottleBurst(params, 'apiThrottleBurst'),
    statusPageThrottleRate: readThrottleRate(params, 'statusPageThrottleRate'),
    statusPageThrottleBurst: readThrottleBurst(params, 'statusPageThrottleBurst'),
    badgeThrottleRate: readThrottleRate(params, 'badgeThrottleRate'),
    badgeThrottleBurst: readThrottleBurst(params, 'badgeThrottleBurst'),
    accessLogRetentionDays,
    probeReservedConcurrency: probeReservedConcurrency ?? { Ref: 'AWS::NoValue' },
    blockPrivateAddresses: deployed ? 'true' : 'false',
    notifyFrom: config.notify.from,
    tableDeletionProtection: readBoolean(params, 'tableDeletionProtection'),
    ...readCdn(params),
    prometheusEnabled: readBoolean(params, 'prometheus') ? 'true' : 'false',
  };
}

/** `rate(1 minute)`, or for longer rates a cron aligned to the hour, so ticks fall on multiples of the rate. */
export function scheduleExpression(minutes: number): string {
  if (minutes === 1) return 'rate(1 minute)';
  if (minutes === 60) return 'cron(0 * * * ? *)';
  return `cron(0/${minutes} * * * ? *)`;
}

/** Whether sending from `address` is covered by the SES identity (that address, or its domain). */
export function identityCovers(identity: string, address: string): boolean {
  const wanted = identity.toLowerCase();
  const from = address.toLowerCase();
  return wanted === from || (!wanted.includes('@') && from.slice(from.lastIndexOf('@') + 1) === wanted);
}

function readScheduleMinutes(params: DeployParameters): number {
  const text = readText(params, 'scheduleRate') ?? DEPLOY_PARAMETER_DEFAULTS.scheduleRate;
  const ms = parseDuration(text);
  const minutes = ms === undefined ? Number.NaN : ms / MINUTE_MS;
  if (!(SCHEDULE_MINUTES as readonly number[]).includes(minutes)) {
    throw parameterError(
      'scheduleRate',
      `'${text}' must be a whole number of minutes that divides an hour: ${SCHEDULE_MINUTES.map((m) => `${m}m`).join(', ')}`,
    );
  }
  return minutes;
}

function assertIntervalsFitSchedule(config: MonitorsConfig, fileName: string, scheduleMinutes: number): void {
  config.monitors.forEach((monitor, index) => {
    // A heartbeat's interval is its job's: it is weighed at every run, whatever the schedule.
    if (monitor.type === 'heartbeat') return;
    if (monitor.intervalMs < MINUTE_MS && scheduleMinutes !== 1) {
      throw new ConfigError(
        `${fileName}: monitors[${index}] (${monitor.id}).interval: ${monitor.intervalMs / 1000}s needs the schedule rate 1m ` +
          `(parameter scheduleRate is ${scheduleMinutes}m): sub-minute checks run inside each minute's invocation`,
      );
    }
    if (monitor.intervalMs >= MINUTE_MS && monitor.intervalMs % (scheduleMinutes * MINUTE_MS) !== 0) {
      throw new ConfigError(
        `${fileName}: monitors[${index}] (${monitor.id}).interval: ${monitor.intervalMs / MINUTE_MS}m is not a multiple of ` +
          `the schedule rate ${scheduleMinutes}m (parameter scheduleRate); set interval (or defaults.interval) to a multiple of it`,
      );
    }
  });
}

function recipients(config: MonitorsConfig): string[] {
  return [...config.notify.to, ...config.monitors.flatMap((monitor) => monitor.notify.to)];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function readText(params: DeployParameters, name: DeployParameterName): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

function readRequired(params: DeployParameters, name: keyof typeof DEPLOY_PARAMETER_DEFAULTS): string {
  return readText(params, name) ?? DEPLOY_PARAMETER_DEFAULTS[name];
}

function readBoolean(params: DeployParameters, name: 'sesSandbox' | 'tableDeletionProtection' | 'cdn' | 'prometheus'): boolean {
  const text = readRequired(params, name).toLowerCase();
  if (text !== 'true' && text !== 'false') throw parameterError(name, `'${text}' must be true or false`);
  return text === 'true';
}

function readNumber(params: DeployParameters, name: keyof typeof DEPLOY_PARAMETER_DEFAULTS, min: number, max: number): number {
  const text = readRequired(params, name);
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value < min || value > max) {
    throw parameterError(name, `'${text}' must be a number from ${min} to ${max}`);
  }
  return value;
}

function readInteger(params: DeployParameters, name: keyof typeof DEPLOY_PARAMETER_DEFAULTS, min: number, max: number): number {
  const text = readRequired(params, name);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw parameterError(name, `'${text}' must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** The hourly and daily rollups' retention: days outlive hours, and hours last long enough to make days of. */
function readRollupRetention(params: DeployParameters): Pick<DeploySettings, 'hourlyRollupRetentionDays' | 'dailyRollupRetentionDays'> {
  const hourly = readInteger(params, 'hourlyRollupRetentionDays', 3, 36_500);
  const daily = readInteger(params, 'dailyRollupRetentionDays', 1, 36_500);
  if (daily < hourly) {
    throw parameterError('dailyRollupRetentionDays', `${daily} is shorter than hourlyRollupRetentionDays (${hourly}): daily rollups are made from the hourly ones and must outlive them`);
  }
  return { hourlyRollupRetentionDays: String(hourly), dailyRollupRetentionDays: String(daily) };
}

function readLogRetention(params: DeployParameters, name: 'logRetentionDays' | 'accessLogRetentionDays'): number {
  const days = readInteger(params, name, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(days)) {
    throw parameterError(name, `${days} is not a retention CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(', ')})`);
  }
  return days;
}

/** A stage's or route's steady rate, in requests a second (API Gateway takes a fraction too). */
function readThrottleRate(params: DeployParameters, name: 'apiThrottleRate' | 'statusPageThrottleRate' | 'badgeThrottleRate'): number {
  return readNumber(params, name, 0.01, 10_000);
}

/** A stage's or route's burst, in whole requests. */
function readThrottleBurst(params: DeployParameters, name: 'apiThrottleBurst' | 'statusPageThrottleBurst' | 'badgeThrottleBurst'): number {
  return readInteger(params, name, 1, 5_000);
}

/**
 * probeReservedConcurrency: unset by default (no reservation). When given, at least the number of
 * shards a run of these monitors fans out into (lib/domain/shards.ts), which run at once; 0 would
 * stop the probe altogether.
 */
function readReservedConcurrency(params: DeployParameters, shards: number): number | undefined {
  const text = readText(params, 'probeReservedConcurrency');
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 10_000) {
    throw parameterError('probeReservedConcurrency', `'${text}' must be a whole number from 1 to 10000, or left out for no reservation`);
  }
  if (value < shards) {
    throw parameterError(
      'probeReservedConcurrency',
      `${value} is fewer than the ${shards} shards a run of these monitors fans out into (probeShardSize), which run at once`,
    );
  }
  return value;
}

/**
 * cdn, cdnDomain and cdnCertificateArn: a custom domain needs both its name and its certificate
 * (a CNAME without a certificate, or a certificate for no name, is refused here rather than by
 * CloudFront halfway through a deploy), and both need the distribution.
 */
function readCdn(params: DeployParameters): Pick<DeploySettings, 'cdn' | 'cdnAliases' | 'cdnViewerCertificate'> {
  const cdn = readBoolean(params, 'cdn');
  const domain = readText(params, 'cdnDomain')?.toLowerCase();
  const certificateArn = readText(params, 'cdnCertificateArn');
  if ((domain !== undefined || certificateArn !== undefined) && !cdn) {
    const name = domain === undefined ? 'cdnCertificateArn' : 'cdnDomain';
    throw parameterError(name, 'a custom domain is for the CloudFront distribution, which only --param cdn=true creates');
  }
  if (domain !== undefined && certificateArn === undefined) {
    throw parameterError('cdnCertificateArn', `cdnDomain '${domain}' needs the ARN of an ACM certificate in us-east-1 that covers it`);
  }
  if (certificateArn !== undefined && domain === undefined) {
    throw parameterError('cdnDomain', 'cdnCertificateArn is given without the domain it is for; give both, or neither');
  }
  if (domain !== undefined && !DOMAIN.test(domain)) throw parameterError('cdnDomain', `'${domain}' must be a domain name, such as status.example.com`);
  if (certificateArn !== undefined && !CDN_CERTIFICATE_ARN.test(certificateArn)) {
    throw parameterError(
      'cdnCertificateArn',
      `'${certificateArn}' must be an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>), the only region CloudFront takes certificates from`,
    );
  }
  if (domain === undefined || certificateArn === undefined) {
    return { cdn: cdn ? 'true' : 'false', cdnAliases: { Ref: 'AWS::NoValue' }, cdnViewerCertificate: { CloudFrontDefaultCertificate: true } };
  }
  return {
    cdn: 'true',
    cdnAliases: [domain],
    cdnViewerCertificate: { AcmCertificateArn: certificateArn, SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' },
  };
}

/** A Lambda function's ARN in this account: `region` is a region name, or `${AWS::Region}` for the stack's own. */
function functionArn(region: string, functionName: string): SubExpression {
  return { 'Fn::Sub': `arn:\${AWS::Partition}:lambda:${region}:\${AWS::AccountId}:function:${functionName}` };
}

/** The confirm function's name in every confirmer region (serverless.confirm.yml names it the same way). */
export function confirmFunctionNameOf(stackName: string): string {
  return `${stackName}-confirm`;
}

/**
 * With confirmer regions, refuses a home probe role name that serverless-iam-roles-per-function
 * would shorten: it names the role `<stack>-probe-<region>-lambdaRole`, but drops the suffix from a
 * name past IAM's 64 characters, and each confirmer stack names the role in full in its resource
 * policy (serverless.confirm.yml), which would then let no one invoke it.
 */
function assertProbeRoleNameFits(stackName: string, region: string): void {
  const name = `${stackName}-probe-${region}-lambdaRole`;
  if (name.length > MAX_ROLE_NAME_LENGTH) {
    throw new ConfigError(
      `the probe's role name ${name} is ${name.length} characters, more than IAM's ${MAX_ROLE_NAME_LENGTH}, ` +
        'and the confirmer stacks name it in full (monitors.yml confirm); use a shorter --stage',
    );
  }
}

/**
 * The confirmer regions: monitors.yml's `confirm.regions`, none without a `confirm` block. The
 * parameter confirmRegions (comma-separated) is a check on the file, never a second source: given,
 * it must list the same regions, so a deploy cannot leave the home probe asking confirmers other
 * than the ones the runner deploys (tools/deploy). No region may be the home region, which is a
 * vantage point already.
 */
export function readConfirmRegions(params: DeployParameters, config: MonitorsConfig, fileName: string, homeRegion: string | undefined): string[] {
  const text = readText(params, 'confirmRegions');
  const fromFile = config.confirm?.regions ?? [];
  if (text !== undefined) {
    const given = text.split(',').map((region) => region.trim());
    if (given.some((region) => region === '')) throw parameterError('confirmRegions', `'${text}' must be a comma-separated list of regions, such as eu-west-1,ap-southeast-1`);
    if (!config.confirm) {
      throw parameterError('confirmRegions', `'${given.join(',')}' is given, but ${fileName} has no confirm block; add confirm.regions: [${given.join(', ')}] to ${fileName}, or leave the parameter out`);
    }
    if (!sameSet(given, fromFile)) {
      throw parameterError('confirmRegions', `'${given.join(',')}' differs from confirm.regions in ${fileName} (${fromFile.join(', ')}); the two must list the same regions`);
    }
  }
  const home = fromFile.findIndex((region) => region === homeRegion);
  if (home >= 0) {
    throw new ConfigError(
      `${fileName}: confirm.regions[${home}]: ${fromFile[home]} is the home region this stack deploys to (--region), already a vantage point; list only other regions`,
    );
  }
  return [...fromFile];
}

function sameSet(left: readonly string[], right: readonly string[]): boolean {
  const a = new Set(left);
  const b = new Set(right);
  return a.size === b.size && [...a].every((value) => b.has(value));
}

function parameterError(name: DeployParameterName, message: string): ConfigError {
  return new ConfigError(`parameter ${name}: ${message} (set it with --param ${name}=... or under params in serverless.yml)`);
}
