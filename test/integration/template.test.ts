/**
 * `sls package` is our proof that `sls deploy` would work: we cannot deploy from here, so this test
 * packages the stack (no AWS credentials anywhere) and asserts on the CloudFormation template and
 * the function packages it produces. Each scenario packages once, in beforeAll, in a scratch copy
 * of the project (so the test can place monitors files inside the service directory and never
 * races another `sls` run for .esbuild/).
 */
import AdmZip from 'adm-zip';
import { execFile } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { EmfMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { HEARTBEAT_PK, LOCK_PK, monitorPk, runPk, STATE_PK, TICK_PK } from '../../lib/adapters/dynamodb-items';
import { rollupBucketPk, rollupMarkerPk } from '../../lib/adapters/dynamodb-run-rollup-store';
import { OUTBOX_PK } from '../../lib/adapters/dynamodb-alert-outbox';
import { LEDGER_PK } from '../../lib/adapters/dynamodb-notification-ledger';
import { ROSTER_PK } from '../../lib/adapters/dynamodb-rosters';
import { PERMANENT_FAILURE_MESSAGE } from '../../lib/app/notify';
import { STILL_UNDELIVERED_MESSAGE } from '../../lib/app/outbox';
import { UNCHECKED_MONITOR_MESSAGE } from '../../lib/app/probe-run';
import { PUBLIC_MAX_AGE_SECONDS, STATUS_PAGE_MAX_AGE_SECONDS } from '../../lib/http/responses';
import { ROUTE_KEYS } from '../../lib/http/route-keys';
import { loadMonitorsConfig, parseMonitorsConfig } from '../../lib/config/monitors';
import { ConfigError } from '../../lib/domain/errors';
import { duplicatePackages } from '../support/bundle-packages';
import { CloudFormationSpec, type CloudFormationResource } from '../support/cloudformation-spec';
import { createHttpApiEvent } from '../fixtures/http-api-event';
import { ScratchService, type PackagedTemplate, type SlsRun } from '../support/sls-package';

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = ['probe', 'notify', 'api', 'ping'] as const;
type FunctionName = (typeof FUNCTIONS)[number];
const MAX_PACKAGE_BYTES = 1_000_000;
const SLS_TIMEOUT_MS = 180_000;

type PackagedStack = PackagedTemplate;

interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The scratch copy of the project every scenario packages in (test/support/sls-package.ts). */
const service = new ScratchService();
const scratch = service.scratch;
const serviceDir = service.dir;
const writeServiceFile = (relative: string, text: string) => service.writeFile(relative, text);
const runSls = (scenario: string, args: string[], env: Record<string, string> = {}) => service.run(scenario, args, env);

const packageStack = (scenario: string, args: string[], env: Record<string, string> = {}) => service.package(scenario, args, env);

/** The message the monitors loader (and so `npm start` and the functions) gives for a file. */
function loaderMessage(relative: string): string {
  try {
    loadMonitorsConfig(path.join(serviceDir, relative));
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`${relative} is valid; the scenario needs an invalid file`);
}

const FIVE_MINUTE_MONITORS = [
  'notify:',
  '  from: uptime@example.com',
  '  to: [team@example.com]',
  'defaults:',
  '  interval: 5m',
  'monitors:',
  '  - id: shop',
  '    url: https://shop.example.com/health',
  '  - id: blog',
  '    url: https://blog.example.com/',
  '    interval: 15m',
  '    headers:',
  '      Authorization: { ssm: /uptime/prod/blog-auth }',
  '      X-Api-Key: { secretsManager: uptime/prod/blog, key: apiKey }',
  '  - id: backup',
  '    type: heartbeat',
  '    interval: 24h',
  '    token: { ssm: /uptime/prod/backup-token }',
].join('\n');

/** A literal credential header: refused for a deployed stage unless accepted knowingly. */
const LITERAL_CREDENTIAL_MONITORS = [
  'notify:',
  '  from: uptime@example.com',
  '  to: [team@example.com]',
  'monitors:',
  '  - id: shop',
  '    url: https://shop.example.com/health',
  '    headers: { X-Api-Key: literal-key-value }',
].join('\n');

const INVALID_MONITORS = [
  'notify:',
  '  from: uptime@example.com',
  '  to: [team@example.com]',
  'monitors:',
  '  - id: shop',
  '    url: https://shop.example.com/health',
  '    expect:',
  '      status: [200, 999]',
].join('\n');

const LOOPBACK_MONITORS = [
  'notify:',
  '  from: uptime@example.com',
  '  to: [team@example.com]',
  'monitors:',
  '  - id: api',
  '    url: http://127.0.0.1:4010/health',
  '  - id: shop',
  '    url: https://shop.example.com/health',
  '    interval: 30s',
].join('\n');

const PROD_PARAMS = {
  sesIdentity: 'example.com',
  sesSandbox: 'false',
  alarmEmail: 'ops@example.org',
  scheduleRate: '5m',
  transitionRetentionDays: '100',
  runRetentionDays: '10',
  logRetentionDays: '90',
  metricsNamespace: 'Acme/Uptime',
  probeConcurrency: '8',
  probeShardSize: '250',
  apiThrottleRate: '5',
  apiThrottleBurst: '7',
  statusPageThrottleRate: '30',
  statusPageThrottleBurst: '60',
  badgeThrottleRate: '40.5',
  badgeThrottleBurst: '80',
  accessLogRetentionDays: '7',
  probeReservedConcurrency: '3',
  tableDeletionProtection: 'true',
  cdn: 'true',
  prometheus: 'false',
};

let spec: CloudFormationSpec;
let dev: PackagedStack;
let prod: PackagedStack;
let local: PackagedStack;
let invalidPackage: SlsRun;
let invalidDeploy: SlsRun;
let loopbackPackage: SlsRun;
let literalPackage: SlsRun;
let halfCdnDomainPackage: SlsRun;

beforeAll(async () => {
  writeServiceFile('config/five-minutes.yml', FIVE_MINUTE_MONITORS);
  writeServiceFile('invalid/monitors.yml', INVALID_MONITORS);
  writeServiceFile('loopback/monitors.yml', LOOPBACK_MONITORS);
  writeServiceFile('literal/monitors.yml', LITERAL_CREDENTIAL_MONITORS);
  // What `npm start` leaves in the service directory: its data, monitors.local.yml, its build;
  // and what an older npm start or an interrupted package left in serverless-esbuild's folder.
  writeServiceFile('.local/monitors.local.yml', LOOPBACK_MONITORS);
  writeServiceFile('.local/stream-checkpoint.json', '{}');
  writeServiceFile('.esbuild-local/3000/.build/.local/monitors.local.yml', LOOPBACK_MONITORS);
  writeServiceFile('.esbuild/.build/.local/monitors.local.yml', LOOPBACK_MONITORS);
  spec = await CloudFormationSpec.load();
  // One `sls` at a time: serverless-esbuild builds in the service directory's .esbuild/.
  dev = await packageStack('dev', ['--stage', 'dev']);
  prod = await packageStack(
    'prod',
    ['--stage', 'prod', ...Object.entries(PROD_PARAMS).flatMap(([name, value]) => ['--param', `${name}=${value}`])],
    { MONITORS_FILE: 'config/five-minutes.yml' },
  );
  local = await packageStack('local', ['--stage', 'local'], { MONITORS_FILE: 'loopback/monitors.yml' });
  invalidPackage = await runSls('invalid', ['package', '--stage', 'dev'], { MONITORS_FILE: 'invalid/monitors.yml' });
  invalidDeploy = await runSls('invalid-deploy', ['deploy', '--stage', 'dev'], { MONITORS_FILE: 'invalid/monitors.yml' });
  loopbackPackage = await runSls('loopback', ['package', '--stage', 'staging'], { MONITORS_FILE: 'loopback/monitors.yml' });
  literalPackage = await runSls('literal', ['package', '--stage', 'dev'], { MONITORS_FILE: 'literal/monitors.yml' });
  halfCdnDomainPackage = await runSls('half-cdn-domain', ['package', '--stage', 'dev', '--param', 'cdn=true', '--param', 'cdnDomain=status.example.com']);
}, 7 * SLS_TIMEOUT_MS);

afterAll(() => {
  service.remove();
});

// ---------------------------------------------------------------------------------------------
// Helpers over a template

function resource(stack: PackagedStack, logicalId: string): CloudFormationResource {
  const found = stack.template.Resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId}; the template has ${Object.keys(stack.template.Resources).join(', ')}`);
  return found;
}

function props(stack: PackagedStack, logicalId: string): Record<string, unknown> {
  return resource(stack, logicalId).Properties ?? {};
}

function resourcesOfType(stack: PackagedStack, type: string): Array<[string, CloudFormationResource]> {
  return Object.entries(stack.template.Resources).filter(([, candidate]) => candidate.Type === type);
}

/** The ARN of a stack's notify function, as the probe's role names it (an outbox sweep). */
const notifyArn = (stackName: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${stackName}-notify`,
});

/** The ARN of a stack's probe function, as its role names it. */
const probeArn = (stackName: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${stackName}-probe`,
});
const functionId = (name: FunctionName) => `${name[0]?.toUpperCase()}${name.slice(1)}LambdaFunction`;

/** The environment every function gets, whatever its kind. */
function everyFunctionsEnvironment(monitorsFile: string): Record<string, unknown> {
  return { TABLE_NAME: { Ref: 'MonitorTable' }, MONITORS_FILE: monitorsFile, POWERTOOLS_SERVICE_NAME: 'uptime-monitor', NODE_OPTIONS: '--enable-source-maps' };
}

function environmentOf(stack: PackagedStack, name: FunctionName): Record<string, unknown> {
  return (props(stack, functionId(name)).Environment as { Variables: Record<string, unknown> }).Variables;
}

/**
 * The monitors file a function's package carries and its MONITORS_FILE names: the probe's is the
 * file as written; api and notify get a copy without headers or query values
 * (deploy/public-monitors-file.ts), named by a hash of its content.
 */
function monitorsFileOf(stack: PackagedStack, name: FunctionName): string {
  return String(environmentOf(stack, name).MONITORS_FILE);
}
const PUBLIC_MONITORS_FILE = /^\.uptime-build\/monitors\.public\.[0-9a-f]{12}\.yml$/;

/** The role a function runs with (the logical id of an AWS::IAM::Role). */
function roleOf(stack: PackagedStack, name: FunctionName): string {
  const role = props(stack, functionId(name)).Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

function statementsOf(stack: PackagedStack, roleId: string): PolicyStatement[] {
  const policies = (props(stack, roleId).Policies ?? []) as Array<{ PolicyDocument: { Statement: PolicyStatement[] } }>;
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

const actionsOfStatement = (statement: PolicyStatement) => [statement.Action].flat();

function actionsOf(stack: PackagedStack, name: FunctionName): string[] {
  const actions = statementsOf(stack, roleOf(stack, name))
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap(actionsOfStatement);
  return [...new Set(actions)].sort();
}

function statementsWith(stack: PackagedStack, name: FunctionName, action: string): PolicyStatement[] {
  return statementsOf(stack, roleOf(stack, name)).filter((statement) => actionsOfStatement(statement).includes(action));
}

/** Every IAM policy statement anywhere in the template (roles, resource policies). */
function allStatements(value: unknown): PolicyStatement[] {
  if (Array.isArray(value)) return value.flatMap(allStatements);
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const own = Array.isArray(record.Statement) ? (record.Statement as PolicyStatement[]) : [];
  return [...own, ...Object.values(record).flatMap(allStatements)];
}

function alarmFor(stack: PackagedStack, namespace: string, metricName: string): Record<string, unknown> {
  const matches = resourcesOfType(stack, 'AWS::CloudWatch::Alarm')
    .map(([, alarm]) => alarm.Properties ?? {})
    .filter((alarm) => alarm.Namespace === namespace && alarm.MetricName === metricName);
  if (matches.length !== 1) throw new Error(`expected one alarm on ${namespace} ${metricName}, found ${matches.length}`);
  return matches[0] as Record<string, unknown>;
}

/** Every log group's retention in days, by logical id. */
function logRetentions(stack: PackagedStack): Record<string, unknown> {
  return Object.fromEntries(resourcesOfType(stack, 'AWS::Logs::LogGroup').map(([id, group]) => [id, group.Properties?.RetentionInDays]));
}

/** The functions' log groups, each with `days` of retention. */
const functionLogRetentions = (days: number) => Object.fromEntries(FUNCTIONS.map((name) => [`${name[0]?.toUpperCase()}${name.slice(1)}LogGroup`, days]));

const STATUS_PAGE_ROUTES = ['GET /', 'GET /health'];
const BADGE_ROUTES = [
  'GET /badges/{id}/status.svg',
  'GET /badges/{id}/uptime.svg',
  'GET /badges/{id}/response-time.svg',
  'GET /badges/{id}/certificate.svg',
  'GET /badges/{id}/uptime.json',
];

/** The stage's RouteSettings: a budget of its own for each status page and badge route. */
function routeSettings(statusPage: { rate: number; burst: number }, badge: { rate: number; burst: number }): Record<string, unknown> {
  const budget = ({ rate, burst }: { rate: number; burst: number }) => ({ ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst });
  return Object.fromEntries([
    ...STATUS_PAGE_ROUTES.map((routeKey) => [routeKey, budget(statusPage)]),
    ...BADGE_ROUTES.map((routeKey) => [routeKey, budget(badge)]),
  ]);
}

const TABLE_ARN = { 'Fn::GetAtt': ['MonitorTable', 'Arn'] };

/** IAM's StringLike: case-sensitive, `*` any run of characters, `?` any one character. */
function matchesStringLike(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${source}$`).test(value);
}

const sesArn = (identity: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/${identity}`,
});

function zipOf(stack: PackagedStack, name: FunctionName): AdmZip {
  return new AdmZip(path.join(stack.packageDir, `${name}.zip`));
}

/** The dashboard body with its Fn::Sub placeholders left in, parsed. */
function dashboardOf(stack: PackagedStack): { widgets: Array<{ properties: { metrics?: unknown[][]; period?: number } }> } {
  const body = (props(stack, 'Dashboard').DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
  return JSON.parse(body) as { widgets: Array<{ properties: { metrics?: unknown[][]; period?: number } }> };
}

function dashboardMetrics(stack: PackagedStack): string[] {
  return dashboardOf(stack).widgets.flatMap((widget) =>
    (widget.properties.metrics ?? []).map((metric) => metric.filter((part) => typeof part === 'string').join(' ')),
  );
}

/** What notify's API_URL holds in the template: the HTTP API's endpoint, a GetAtt inside a Sub (serverless.yml says why). */
const NOTIFY_API_URL = { 'Fn::Sub': ['${HttpApi.ApiEndpoint}', {}] };

/** The logical ids a value refers to: Ref, Fn::GetAtt, and the `${Id}` / `${Id.Attribute}` of an Fn::Sub. */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => {
    if (key === 'Ref' && typeof inner === 'string') return [inner];
    if (key === 'Fn::GetAtt') return [Array.isArray(inner) ? String(inner[0]) : String(inner).split('.')[0] ?? ''];
    if (key === 'Fn::Sub') {
      const [text, variables] = Array.isArray(inner) ? [String(inner[0]), inner[1]] : [String(inner), {}];
      const named = [...text.matchAll(/\$\{([^!}][^}]*)\}/g)].map((match) => (match[1] ?? '').split('.')[0] ?? '');
      return [...named.filter((id) => !(id in (variables as object))), ...referencedIds(variables)];
    }
    return referencedIds(inner);
  });
}

/** A cycle among the template's resources (by Ref, GetAtt, Sub and DependsOn), as its logical ids; undefined when there is none. */
function dependencyCycle(stack: PackagedStack): string[] | undefined {
  const resources = stack.template.Resources;
  const edges = new Map(
    Object.entries(resources).map(([id, candidate]) => [
      id,
      [...new Set([...referencedIds(candidate.Properties ?? {}), ...[candidate.DependsOn ?? []].flat()])].filter((target) => target in resources),
    ]),
  );
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return path.slice(path.indexOf(id));
    state.set(id, 'visiting');
    path.push(id);
    for (const target of edges.get(id) ?? []) {
      const cycle = visit(target);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

describe('the CloudFormation specification check', () => {
  it('finds no problem in the packaged templates', () => {
    expect(spec.validate(dev.template)).toEqual([]);
    expect(spec.validate(prod.template)).toEqual([]);
    expect(spec.validate(local.template)).toEqual([]);
  });

  it('fails on a misspelt property, an unknown type, a wrong value type and a dangling reference', () => {
    const broken = structuredClone(dev.template);
    const table = broken.Resources.MonitorTable as CloudFormationResource & { Properties: Record<string, unknown> };
    table.Properties.PointInTimeRecoverySpecification = { PointInTimeRecoveryEnable: true };
    (broken.Resources.MissedRunsAlarm?.Properties as Record<string, unknown>).Period = 'a minute';
    (broken.Resources.NotifyErrorsAlarm?.Properties as Record<string, unknown>).Dimensions = [
      { Name: 'FunctionName', Value: { Ref: 'NotifyLambdaFunctoin' } },
    ];
    broken.Resources.Extra = { Type: 'AWS::Lambda::Functoin', Properties: {} };
    expect(spec.validate(broken)).toEqual([
      'Resources.MonitorTable.Properties.PointInTimeRecoverySpecification: unknown property PointInTimeRecoveryEnable',
      'Resources.NotifyErrorsAlarm.Properties.Dimensions[0].Value: Ref to NotifyLambdaFunctoin, which is neither a resource nor a pseudo parameter',
      'Resources.MissedRunsAlarm.Properties.Period: expected a number, got "a minute"',
      'Resources.Extra: unknown resource type AWS::Lambda::Functoin',
    ]);
  });
});

describe('stages and parameters', () => {
  it('names every named resource from service and stage', () => {
    const names = (stack: PackagedStack) =>
      Object.values(stack.template.Resources).flatMap((candidate) =>
        ['TableName', 'QueueName', 'TopicName', 'AlarmName', 'DashboardName', 'FunctionName', 'Name']
          .map((key) => candidate.Properties?.[key])
          .filter((value): value is string => typeof value === 'string'),
      );
    expect(names(dev).length).toBeGreaterThanOrEqual(13);
    for (const name of names(dev)) expect(name).toMatch(/^uptime-monitor-dev(-|$)/);
    for (const name of names(prod)) expect(name).toMatch(/^uptime-monitor-prod(-|$)/);
    expect(props(dev, 'MonitorTable').TableName).toBe('uptime-monitor-dev');
    expect(props(dev, 'HttpApi').Name).toBe('uptime-monitor-dev');
  });

  it('hard-codes no account, region or partition', () => {
    for (const stack of [dev, prod]) {
      const text = JSON.stringify(stack.template);
      expect(text).not.toMatch(/\b\d{12}\b/);
      expect(text).not.toMatch(/\b(us|eu|ap|sa|ca|me|af|il|mx)-(gov-)?(east|west|north|south|central|northeast|southeast|northwest|southwest)-\d\b/);
      expect(text).not.toMatch(/arn:aws[:-]/);
    }
  });

  it('derives the defaults from monitors.yml and the documented values', () => {
    const config = loadMonitorsConfig(path.join(ROOT, 'monitors.yml'));
    expect(props(dev, 'ProbeEventsRuleSchedule1').ScheduleExpression).toBe('rate(1 minute)');
    expect(props(dev, 'ProbeEventsRuleSchedule1').State).toBe('ENABLED');
    expect(props(dev, 'AlarmEmailSubscription')).toEqual({
      TopicArn: { Ref: 'AlarmTopic' },
      Protocol: 'email',
      Endpoint: config.notify.to[0],
    });
    expect(statementsWith(dev, 'notify', 'ses:SendEmail')[0]?.Resource).toEqual(
      [...new Set([config.notify.from, ...config.notify.to, ...config.monitors.flatMap((monitor) => monitor.notify.to)])].map(sesArn),
    );
    expect(logRetentions(dev)).toEqual({ ...functionLogRetentions(30), HttpApiLogGroup: 14 });
    expect(environmentOf(dev, 'probe')).toEqual({
      ...everyFunctionsEnvironment('monitors.yml'),
      METRICS_ENABLED: 'true', METRICS_NAMESPACE: 'UptimeMonitor', STACK_NAME: 'uptime-monitor-dev',
      PROBE_CONCURRENCY: '64', PROBE_SHARD_SIZE: '1000', PROBE_PERIOD: '1m',
      TRANSITION_RETENTION_DAYS: '400', RUN_RETENTION_DAYS: '35', HOURLY_ROLLUP_RETENTION_DAYS: '100', DAILY_ROLLUP_RETENTION_DAYS: '400', BLOCK_PRIVATE_ADDRESSES: 'true', NOTIFY_FUNCTION_NAME: 'uptime-monitor-dev-notify',
      // npm start's confirmers only; no confirm block in monitors.yml (test/integration/confirm-template.test.ts has one).
      CONFIRM_ENDPOINTS: '', PROBE_SOURCE_ADDRESS: '', CONFIRM_FUNCTION_NAME: '',
    });
    expect(props(dev, functionId('probe')).ReservedConcurrentExecutions).toEqual({ Ref: 'AWS::NoValue' });
    expect(props(dev, 'MonitorTable').DeletionProtectionEnabled).toBe(false);
    expect(props(dev, 'HttpApiStage').RouteSettings).toEqual(routeSettings({ rate: 50, burst: 100 }, { rate: 50, burst: 100 }));
    for (const name of ['notify', 'api'] as const) {
      expect(monitorsFileOf(dev, name)).toMatch(PUBLIC_MONITORS_FILE);
    }
    expect(environmentOf(dev, 'api')).toEqual({ ...everyFunctionsEnvironment(monitorsFileOf(dev, 'api')), PROMETHEUS_ENABLED: 'true' });
    expect(environmentOf(dev, 'notify')).toEqual({ ...everyFunctionsEnvironment(monitorsFileOf(dev, 'notify')), API_URL: NOTIFY_API_URL });
  });

  it('gives notify the HTTP API\'s endpoint (API_URL, the status page alerts link to) without making a dependency cycle', () => {
    for (const stack of [dev, prod, local]) {
      expect(environmentOf(stack, 'notify').API_URL).toEqual(NOTIFY_API_URL);
      expect(resource(stack, 'HttpApi').Type).toBe('AWS::ApiGatewayV2::Api');
      expect(dependencyCycle(stack)).toBeUndefined();
    }
    // The check can fail: the API made to depend on the notify function closes a cycle through API_URL.
    const looped: PackagedStack = structuredClone(dev);
    looped.template.Resources.HttpApi!.DependsOn = functionId('notify');
    expect(dependencyCycle(looped)).toEqual(expect.arrayContaining(['HttpApi', functionId('notify')]));
  });

  it('wires every parameter into the template', () => {
    expect(props(prod, 'ProbeEventsRuleSchedule1').ScheduleExpression).toBe('cron(0/5 * * * ? *)');
    expect(environmentOf(prod, 'probe')).toEqual({
      ...everyFunctionsEnvironment('config/five-minutes.yml'),
      METRICS_ENABLED: 'true', METRICS_NAMESPACE: 'Acme/Uptime', STACK_NAME: 'uptime-monitor-prod',
      PROBE_CONCURRENCY: '8', PROBE_SHARD_SIZE: '250', PROBE_PERIOD: '1m',
      TRANSITION_RETENTION_DAYS: '100', RUN_RETENTION_DAYS: '10', HOURLY_ROLLUP_RETENTION_DAYS: '100', DAILY_ROLLUP_RETENTION_DAYS: '400', BLOCK_PRIVATE_ADDRESSES: 'true', NOTIFY_FUNCTION_NAME: 'uptime-monitor-prod-notify',
      CONFIRM_ENDPOINTS: '', PROBE_SOURCE_ADDRESS: '', CONFIRM_FUNCTION_NAME: '',
    });
    // api and notify read the public copy of config/five-minutes.yml, not the dev stage's copy.
    for (const name of ['api', 'notify'] as const) {
      expect(monitorsFileOf(prod, name)).toMatch(PUBLIC_MONITORS_FILE);
      expect(monitorsFileOf(prod, name)).not.toBe(monitorsFileOf(dev, name));
    }
    expect(statementsWith(prod, 'notify', 'ses:SendEmail')[0]?.Resource).toEqual([sesArn('example.com')]);
    expect(props(prod, 'AlarmEmailSubscription').Endpoint).toBe('ops@example.org');
    expect(logRetentions(prod)).toEqual({ ...functionLogRetentions(90), HttpApiLogGroup: 7 });
    expect(props(prod, functionId('probe')).ReservedConcurrentExecutions).toBe(3);
    expect(props(prod, 'MonitorTable').DeletionProtectionEnabled).toBe(true);
    expect(props(prod, 'HttpApiStage').RouteSettings).toEqual(routeSettings({ rate: 30, burst: 60 }, { rate: 40.5, burst: 80 }));
    expect(statementsWith(prod, 'probe', 'lambda:InvokeFunction')[0]?.Resource).toEqual([probeArn('uptime-monitor-prod'), notifyArn('uptime-monitor-prod')]);
    const missedRuns = alarmFor(prod, 'Acme/Uptime', 'RunDuration');
    expect(missedRuns.Period).toBe(300);
    expect(missedRuns.Dimensions).toEqual([{ Name: 'Stack', Value: 'uptime-monitor-prod' }]);
    expect(props(prod, 'HttpApiStage').DefaultRouteSettings).toEqual({
      DetailedMetricsEnabled: false,
      ThrottlingRateLimit: 5,
      ThrottlingBurstLimit: 7,
    });
    expect(dashboardMetrics(prod)).toContain('Acme/Uptime Checks Stack uptime-monitor-prod');
    // prometheus=false turns GET /metrics off in the function (a 404); the route stays declared, under the stage's default throttle.
    expect(environmentOf(prod, 'api').PROMETHEUS_ENABLED).toBe('false');
    expect(resourcesOfType(prod, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties?.RouteKey)).toContain('GET /metrics');
    expect(Object.keys(props(prod, 'HttpApiStage').RouteSettings as object)).not.toContain('GET /metrics');
  });

  it('gives the probe 55 s, and 70 s when a monitor is checked within the minute', () => {
    expect(props(dev, functionId('probe')).Timeout).toBe(55);
    expect(props(prod, functionId('probe')).Timeout).toBe(55);
    expect(props(local, functionId('probe')).Timeout).toBe(70);
  });

  it('packages the local stage without SES, alarm email or metrics, and with a loopback target', () => {
    expect(environmentOf(local, 'probe').METRICS_ENABLED).toBe('false');
    expect(environmentOf(local, 'probe').BLOCK_PRIVATE_ADDRESSES).toBe('false');
    expect(environmentOf(local, 'probe').MONITORS_FILE).toBe('loopback/monitors.yml');
    expect(local.output).not.toMatch(/loopback address/);
  });
});

describe('least privilege: one role per function', () => {
  const LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

  it('lets only the probe read the secrets monitors.yml references, each by name, and decrypt only through SSM or Secrets Manager', () => {
    const secretActions = (stack: PackagedStack, name: FunctionName) => actionsOf(stack, name).filter((action) => /^(ssm|secretsmanager|kms):/.test(action));
    expect(secretActions(prod, 'probe')).toEqual(['kms:Decrypt', 'secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters']);
    expect(statementsWith(prod, 'probe', 'ssm:GetParameters')[0]?.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/uptime/prod/blog-auth' },
    ]);
    expect(statementsWith(prod, 'probe', 'secretsmanager:GetSecretValue')[0]?.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:uptime/prod/blog-??????' },
    ]);
    const decrypt = statementsWith(prod, 'probe', 'kms:Decrypt')[0];
    expect(decrypt?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': [{ 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' }, { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' }] },
    });
    for (const name of ['api', 'notify'] as const) expect(secretActions(prod, name)).toEqual([]);
    // A file without references grants nothing of the kind.
    expect(secretActions(dev, 'probe')).toEqual([]);
  });

  it('lets only the ping function read the heartbeat tokens monitors.yml references, each by name', () => {
    const secretActions = (stack: PackagedStack, name: FunctionName) => actionsOf(stack, name).filter((action) => /^(ssm|secretsmanager|kms):/.test(action));
    expect(secretActions(prod, 'ping')).toEqual(['kms:Decrypt', 'ssm:GetParameter', 'ssm:GetParameters']);
    expect(statementsWith(prod, 'ping', 'ssm:GetParameters')[0]?.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/uptime/prod/backup-token' },
    ]);
    expect(statementsWith(prod, 'ping', 'kms:Decrypt')[0]?.Condition).toEqual({ StringEquals: { 'kms:ViaService': [{ 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' }] } });
    // The probe weighs pings, it never needs a token: its secrets stay the headers' alone.
    expect(JSON.stringify(statementsOf(prod, roleOf(prod, 'probe')))).not.toContain('backup-token');
    expect(secretActions(dev, 'ping')).toEqual([]);
  });

  it('lets ping write only heartbeat items, with no read of any item and nothing returned', () => {
    for (const stack of [dev, prod]) {
      expect(actionsOf(stack, 'ping').filter((action) => action.startsWith('dynamodb:'))).toEqual(['dynamodb:UpdateItem']);
      expect(statementsWith(stack, 'ping', 'dynamodb:UpdateItem')).toEqual([
        {
          Effect: 'Allow',
          Action: ['dynamodb:UpdateItem'],
          Resource: [TABLE_ARN],
          Condition: {
            // The partition the adapter writes (lib/adapters/dynamodb-heartbeat-store.ts), exactly: no pattern.
            'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [HEARTBEAT_PK] },
            'StringEqualsIfExists': { 'dynamodb:ReturnValues': ['NONE'] },
          },
        },
      ]);
    }
    expect(actionsOf(dev, 'ping').filter((action) => /^(lambda|ses|sqs|sns|cloudwatch):/.test(action))).toEqual([]);
  });

  it('gives each function a role of its own and leaves no shared role behind', () => {
    const roles = resourcesOfType(dev, 'AWS::IAM::Role').map(([id]) => id).sort();
    expect(roles).toEqual(['ApiIamRoleLambdaExecution', 'NotifyIamRoleLambdaExecution', 'PingIamRoleLambdaExecution', 'ProbeIamRoleLambdaExecution']);
    expect(FUNCTIONS.map((name) => roleOf(dev, name))).toEqual([
      'ProbeIamRoleLambdaExecution',
      'NotifyIamRoleLambdaExecution',
      'ApiIamRoleLambdaExecution',
      'PingIamRoleLambdaExecution',
    ]);
    expect(JSON.stringify(dev.template)).not.toContain('"IamRoleLambdaExecution"');
    for (const role of roles) {
      expect(props(dev, role).ManagedPolicyArns ?? []).toEqual([]);
      expect(props(dev, role).AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
      });
    }
  });

  it('lets probe read the table, write only its own partitions and hand shards to itself, and to no other function', () => {
    expect(actionsOf(dev, 'probe')).toEqual([
      'dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem',
      'lambda:InvokeFunction',
      ...LOGS,
    ]);
    expect(statementsWith(dev, 'probe', 'dynamodb:Query')).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], Resource: [TABLE_ARN] },
    ]);
    const writes = statementsWith(dev, 'probe', 'dynamodb:PutItem');
    expect(statementsWith(dev, 'probe', 'dynamodb:UpdateItem')).toEqual(writes);
    expect(writes).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: [TABLE_ARN],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expect.any(Array) } },
      },
    ]);
    const patterns = writes[0]?.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[];
    // Every partition the probe writes (docs/architecture.md), built by the adapters' own key
    // functions, the rollup store's hourly and daily ones included.
    const tick = '2024-05-01T12:00:00.000Z';
    const rollups = (['hour', 'day'] as const).flatMap((period) => [rollupMarkerPk(period), rollupBucketPk(period, 1, 0), rollupBucketPk(period, 63, 17)]);
    const written = [STATE_PK, monitorPk('payments-api'), runPk(tick), TICK_PK, LOCK_PK, ROSTER_PK, ...rollups, OUTBOX_PK, HEARTBEAT_PK];
    expect(written.filter((pk) => !patterns.some((pattern) => matchesStringLike(pattern, pk)))).toEqual([]);
    // ... and never the notifier's ledger.
    expect(patterns.filter((pattern) => matchesStringLike(pattern, LEDGER_PK))).toEqual([]);
    // Itself (shards) and the notifier (an outbox sweep), nothing else.
    expect(statementsWith(dev, 'probe', 'lambda:InvokeFunction')).toEqual([
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [probeArn('uptime-monitor-dev'), notifyArn('uptime-monitor-dev')] },
    ]);
    // The ARNs name the functions as packaged: the ones the Invokes reach.
    expect(props(dev, functionId('probe')).FunctionName).toBe('uptime-monitor-dev-probe');
    expect(props(dev, functionId('notify')).FunctionName).toBe('uptime-monitor-dev-notify');
    // Its metrics are embedded-metric-format log lines: no CloudWatch permission at all.
    expect(actionsOf(dev, 'probe').filter((action) => action.startsWith('cloudwatch:'))).toEqual([]);
  });

  it('lets no other function invoke a function', () => {
    for (const name of ['notify', 'api', 'ping'] as const) expect(actionsOf(dev, name).filter((action) => action.startsWith('lambda:'))).toEqual([]);
  });

  it('keeps the probe role from sending email', () => {
    expect(actionsOf(dev, 'probe').filter((action) => action.startsWith('ses:'))).toEqual([]);
  });

  it('lets notify read the table, write only its ledger items, send as the SES identity and dead-letter', () => {
    expect(actionsOf(dev, 'notify')).toEqual([
      'dynamodb:DeleteItem', 'dynamodb:DescribeStream', 'dynamodb:GetItem', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator',
      'dynamodb:ListStreams', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem',
      ...LOGS,
      // SendEmail only: lib/adapters/ses-mailer.ts calls nothing else.
      'ses:SendEmail', 'sqs:SendMessage',
    ]);
    const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'].flatMap((action) =>
      statementsWith(dev, 'notify', action),
    );
    expect(writes.length).toBe(3);
    for (const statement of writes) {
      expect(statement.Resource).toEqual([TABLE_ARN]);
      // Its ledger, and the outbox entries it clears once every channel has an alert.
      expect(statement.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [LEDGER_PK, OUTBOX_PK] } });
    }
    expect(statementsWith(dev, 'notify', 'dynamodb:GetRecords')[0]?.Resource).toEqual([
      { 'Fn::GetAtt': ['MonitorTable', 'StreamArn'] },
    ]);
    expect(statementsWith(dev, 'notify', 'sqs:SendMessage')[0]?.Resource).toEqual([
      { 'Fn::GetAtt': ['NotifyDeadLetterQueue', 'Arn'] },
    ]);
    const sends = statementsWith(dev, 'notify', 'ses:SendEmail');
    expect(sends).toHaveLength(1);
    for (const statement of sends) {
      for (const arn of [statement.Resource].flat()) expect(JSON.stringify(arn)).toMatch(/:identity\/[^*"]+"/);
    }
  });

  it('lets notify send only from notify.from of the packaged monitors file', () => {
    const config = loadMonitorsConfig(path.join(ROOT, 'monitors.yml'));
    expect(statementsWith(dev, 'notify', 'ses:SendEmail')[0]?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': config.notify.from } });
    // The prod stage packages config/five-minutes.yml and sends as the domain: still one address.
    expect(statementsWith(prod, 'notify', 'ses:SendEmail')[0]?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'uptime@example.com' } });
  });

  it('lets api only read the table', () => {
    expect(actionsOf(dev, 'api')).toEqual(['dynamodb:GetItem', 'dynamodb:Query', ...LOGS]);
    expect(actionsOf(dev, 'api').filter((action) => /^dynamodb:(Put|Update|Delete|Batch|Transact|Partiql)/.test(action))).toEqual([]);
  });

  it('scopes log permissions to the function’s own log group', () => {
    for (const name of FUNCTIONS) {
      const [statement] = statementsWith(dev, name, 'logs:PutLogEvents');
      expect(JSON.stringify(statement?.Resource)).toContain(`:log-group:/aws/lambda/uptime-monitor-dev-${name}:*:*`);
    }
  });

  it('allows no wildcard action or resource anywhere', () => {
    const statements = allStatements(dev.template.Resources);
    expect(statements.length).toBeGreaterThan(10);
    for (const statement of statements.filter((candidate) => candidate.Effect === 'Allow')) {
      for (const action of actionsOfStatement(statement)) expect(action).not.toContain('*');
      expect(JSON.stringify(statement.Resource ?? null)).not.toContain('"*"');
    }
    // The one wildcard is the deployment bucket's refusal of plain HTTP: a Deny, which only narrows.
    const wildcards = statements.filter((statement) => actionsOfStatement(statement).some((action) => action.includes('*')));
    expect(wildcards).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': false } } }),
    ]);
  });
});

describe('the stream mapping', () => {
  it('passes only transition inserts, reports partial failures, bisects, retries a bounded number of times and dead-letters', () => {
    const [[id, mapping]] = resourcesOfType(dev, 'AWS::Lambda::EventSourceMapping') as [[string, CloudFormationResource]];
    const properties = mapping.Properties ?? {};
    expect(id).toBe('NotifyEventSourceMappingDynamodbMonitorTable');
    expect(properties.EventSourceArn).toEqual({ 'Fn::GetAtt': ['MonitorTable', 'StreamArn'] });
    expect(properties.FunctionName).toEqual({ 'Fn::GetAtt': ['NotifyLambdaFunction', 'Arn'] });
    const filters = (properties.FilterCriteria as { Filters: Array<{ Pattern: string }> }).Filters;
    expect(filters.map((filter) => JSON.parse(filter.Pattern) as unknown)).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['TRANSITION'] }, to: { S: ['UP', 'DOWN'] }, heldBy: [{ exists: false }] } } },
      { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['REMINDER', 'CERTIFICATE_WARNING', 'RELEASED_OUTAGE'] } } } },
    ]);
    expect(properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(properties.BisectBatchOnFunctionError).toBe(true);
    expect(properties.MaximumRetryAttempts).toBeGreaterThanOrEqual(0);
    expect(properties.MaximumRetryAttempts).toBeLessThanOrEqual(10);
    expect(properties.MaximumRecordAgeInSeconds).toBeGreaterThanOrEqual(60);
    expect(properties.MaximumRecordAgeInSeconds).toBeLessThanOrEqual(6 * 3600);
    expect(properties.DestinationConfig).toEqual({
      OnFailure: { Destination: { 'Fn::GetAtt': ['NotifyDeadLetterQueue', 'Arn'] } },
    });
    expect(mapping.DependsOn).toBe('NotifyIamRoleLambdaExecution');
  });
});

describe('the monitor watches itself', () => {
  const ACTIONS = { AlarmActions: [{ Ref: 'AlarmTopic' }], OKActions: [{ Ref: 'AlarmTopic' }] };

  it('mails every alarm, and its clearing, to an SNS topic with an email subscription', () => {
    const alarms = resourcesOfType(dev, 'AWS::CloudWatch::Alarm');
    expect(alarms.map(([id]) => id).sort()).toEqual([
      // Created only with monitors.yml confirm (its condition; test/integration/confirm-template.test.ts).
      'ConfirmHomeAloneAlarm',
      'FailedDeliveriesAlarm', 'MissedRunsAlarm', 'NotifyDeadLetterAlarm', 'NotifyErrorsAlarm', 'NotifyIteratorAgeAlarm', 'ProbeErrorsAlarm', 'UncheckedMonitorsAlarm',
      'UndeliveredAlertsAlarm',
    ]);
    for (const [, alarm] of alarms) expect(alarm.Properties).toEqual(expect.objectContaining(ACTIONS));
    expect(resource(dev, 'AlarmTopic').Type).toBe('AWS::SNS::Topic');
    expect(props(dev, 'AlarmEmailSubscription').Protocol).toBe('email');
  });

  it('alarms on probe and notify errors', () => {
    for (const name of ['probe', 'notify'] as const) {
      const alarm = resourcesOfType(dev, 'AWS::CloudWatch::Alarm')
        .map(([, candidate]) => candidate.Properties ?? {})
        .find((candidate) => JSON.stringify(candidate.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: functionId(name) } }]) && candidate.MetricName === 'Errors');
      expect(alarm).toEqual(
        expect.objectContaining({
          Namespace: 'AWS/Lambda',
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        }),
      );
    }
  });

  it('counts the log lines of unchecked monitors and of deliveries refused for good, and alarms on each', () => {
    for (const [filterId, logGroup, message, metric, functionName] of [
      // The very lines the code logs: renaming one in the code breaks this, not the alarm silently.
      ['UncheckedMonitorsMetricFilter', 'ProbeLogGroup', UNCHECKED_MONITOR_MESSAGE, 'UncheckedMonitors', 'probe'],
      ['FailedDeliveriesMetricFilter', 'NotifyLogGroup', PERMANENT_FAILURE_MESSAGE, 'FailedDeliveries', 'notify'],
      ['UndeliveredAlertsMetricFilter', 'NotifyLogGroup', STILL_UNDELIVERED_MESSAGE, 'UndeliveredAlerts', 'notify'],
    ] as const) {
      expect(props(dev, filterId)).toEqual({
        LogGroupName: { Ref: logGroup },
        FilterPattern: `{ $.message = "${message}" }`,
        MetricTransformations: [{ MetricNamespace: 'UptimeMonitor', MetricName: metric, MetricValue: '1', Dimensions: [{ Key: 'Function', Value: '$.function_name' }] }],
      });
      expect(alarmFor(dev, 'UptimeMonitor', metric)).toEqual(
        expect.objectContaining({ Dimensions: [{ Name: 'Function', Value: `uptime-monitor-dev-${functionName}` }], Statistic: 'Sum', Threshold: 1 }),
      );
    }
  });

  it('alarms on any message in the dead-letter queue', () => {
    expect(alarmFor(dev, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible')).toEqual(
      expect.objectContaining({
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['NotifyDeadLetterQueue', 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  });

  it('alarms when no run has reported for 3 minutes, treating missing data as breaching', () => {
    const probeEnvironment = environmentOf(dev, 'probe');
    const alarm = alarmFor(dev, String(probeEnvironment.METRICS_NAMESPACE), 'RunDuration');
    expect(alarm).toEqual(
      expect.objectContaining({
        Dimensions: [{ Name: 'Stack', Value: probeEnvironment.STACK_NAME }],
        Statistic: 'SampleCount',
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      }),
    );
    expect(probeEnvironment.METRICS_ENABLED).toBe('true');
  });

  it('alarms on the stream mapping’s iterator age', () => {
    expect(alarmFor(dev, 'AWS/Lambda', 'IteratorAge')).toEqual(
      expect.objectContaining({
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'NotifyLambdaFunction' } }],
        Statistic: 'Maximum',
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  });

  it('has a dashboard of checks, failures, monitors down, run duration and Lambda errors', () => {
    const metrics = dashboardMetrics(dev);
    for (const name of ['Checks', 'FailedChecks', 'MonitorsDown', 'RunDuration']) {
      expect(metrics).toContain(`UptimeMonitor ${name} Stack uptime-monitor-dev`);
    }
    for (const name of FUNCTIONS) {
      expect(metrics).toContain(`AWS/Lambda Errors FunctionName \${${functionId(name)}}`);
    }
    expect(props(dev, 'Dashboard').DashboardName).toBe('uptime-monitor-dev');
  });

  it('reads the metrics the probe writes: the same namespace, names and Stack dimension, nothing more', async () => {
    const probeEnvironment = environmentOf(dev, 'probe');
    const namespace = String(probeEnvironment.METRICS_NAMESPACE);
    const lines: string[] = [];
    const sink = new EmfMetricsSink({ namespace, stack: String(probeEnvironment.STACK_NAME), write: (line) => lines.push(line) });
    await sink.publishRun({ checks: 3, failures: 1, monitorsDown: 1, durationMs: 250 }, new Date());
    const record = JSON.parse(lines[0] ?? '{}') as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } } & Record<string, unknown>;
    const [directive] = record._aws.CloudWatchMetrics;
    expect(directive?.Dimensions).toEqual([['Stack']]);
    const emitted = (directive?.Metrics ?? []).map((metric) => `${directive?.Namespace} ${metric.Name} Stack ${String(record.Stack)}`);
    const read = dashboardMetrics(dev).filter((metric) => metric.startsWith(`${namespace} `));
    expect(new Set(read)).toEqual(new Set(emitted));
    const alarm = alarmFor(dev, namespace, 'RunDuration') as { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: unknown }> };
    expect(emitted).toContain(`${alarm.Namespace} ${alarm.MetricName} ${alarm.Dimensions.map((dimension) => `${dimension.Name} ${String(dimension.Value)}`).join(' ')}`);
  });
});

describe('history survives mistakes', () => {
  it('retains the table on delete and replace, with point-in-time recovery, TTL and its stream', () => {
    for (const stack of [dev, prod]) {
      const table = resource(stack, 'MonitorTable');
      // Retained by every stack operation but the one that created it: a failed first deploy's
      // rollback deletes the new table, so the retry does not find its name taken.
      expect(table.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties).toEqual(
        expect.objectContaining({
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        }),
      );
    }
  });

  it('creates the table without deletion protection unless tableDeletionProtection asks for it', () => {
    // A rollback cannot delete a protected table: protection on a first deploy would undo RetainExceptOnCreate.
    expect(props(dev, 'MonitorTable').DeletionProtectionEnabled).toBe(false);
    expect(props(prod, 'MonitorTable').DeletionProtectionEnabled).toBe(true);
  });

  it('keeps dead letters for 14 days', () => {
    expect(props(dev, 'NotifyDeadLetterQueue').MessageRetentionPeriod).toBe(1_209_600);
  });
});

describe('the HTTP API', () => {
  it('throttles the stage, has no CORS and serves the documented routes', () => {
    expect(props(dev, 'HttpApiStage').DefaultRouteSettings).toEqual({
      DetailedMetricsEnabled: false,
      ThrottlingRateLimit: 10,
      ThrottlingBurstLimit: 20,
    });
    expect(props(dev, 'HttpApi').CorsConfiguration).toBeUndefined();
    const routeResources = resourcesOfType(dev, 'AWS::ApiGatewayV2::Route');
    // Public by default; README.md ("Deploy") shows how to put IAM or a JWT authorizer in front.
    for (const [, route] of routeResources) expect(route.Properties?.AuthorizationType).toBeUndefined();
    const routes = routeResources.map(([, route]) => route.Properties?.RouteKey);
    // Exactly the routes the api handler dispatches: none missing, none it would answer 404.
    const isPing = (routeKey: unknown) => String(routeKey).includes(' /ping/');
    expect(routes.filter((routeKey) => !isPing(routeKey)).sort()).toEqual([...ROUTE_KEYS].sort());
    // ... and the ping function's, on the same API.
    expect(routes.filter(isPing).sort()).toEqual(['GET /ping/{token}', 'GET /ping/{token}/fail', 'POST /ping/{token}', 'POST /ping/{token}/fail']);
    const integrations = resourcesOfType(dev, 'AWS::ApiGatewayV2::Route')
      .filter(([, route]) => isPing(route.Properties?.RouteKey))
      .map(([, route]) => JSON.stringify(route.Properties?.Target));
    for (const target of integrations) expect(target).toContain('HttpApiIntegrationPing');
    expect(routes).toEqual(expect.arrayContaining(['GET /health', 'GET /monitors', 'GET /monitors/{id}/uptime', 'GET /']));
  });

  it('gives the status page, /health and each badge route a budget of its own, keyed by real routes', () => {
    for (const stack of [dev, prod]) {
      const settings = props(stack, 'HttpApiStage').RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
      const routes = resourcesOfType(stack, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties?.RouteKey);
      // A key that names no route of the API would throttle nothing (a typo, a renamed route).
      expect(Object.keys(settings).filter((routeKey) => !routes.includes(routeKey))).toEqual([]);
      expect(Object.keys(settings).sort()).toEqual([...STATUS_PAGE_ROUTES, ...BADGE_ROUTES].sort());
      for (const budget of Object.values(settings)) {
        expect(budget.ThrottlingRateLimit).toBeGreaterThan(0);
        expect(Number.isInteger(budget.ThrottlingBurstLimit)).toBe(true);
      }
    }
  });

  it('writes a JSON access log line per request, without the query string or the path (a ping holds its token), kept accessLogRetentionDays', () => {
    const stage = resource(dev, 'HttpApiStage');
    const { DestinationArn, Format } = stage.Properties?.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(DestinationArn).toEqual({ 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
    expect(stage.DependsOn).toBe('HttpApiLogGroup');
    expect(props(dev, 'HttpApiLogGroup').LogGroupName).toBe('/aws/http-api/uptime-monitor-dev');
    expect(JSON.parse(Format)).toEqual({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      requestTime: '$context.requestTime',
      httpMethod: '$context.httpMethod',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLength: '$context.responseLength',
      responseLatency: '$context.responseLatency',
      integrationLatency: '$context.integrationLatency',
    });
    // Nothing that carries the query string or a request header.
    expect(Format).not.toMatch(/querystring|\$request\.|\$context\.(path|requestOverride|authorizer|identity\.userAgent)/i);
    expect(props(dev, 'HttpApiLogGroup').RetentionInDays).toBe(14);
    expect(props(prod, 'HttpApiLogGroup').RetentionInDays).toBe(7);
  });
});

describe('the status page under a crowd (cdn=true)', () => {
  const CDN_RESOURCES = ['CdnStatusPageCachePolicy', 'CdnBadgeCachePolicy', 'CdnPassThroughOriginRequestPolicy', 'CdnDistribution'];
  /** CloudFront's managed policy Managed-CachingDisabled. */
  const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
  const distribution = (stack: PackagedStack) => props(stack, 'CdnDistribution').DistributionConfig as Record<string, unknown>;
  const cachePolicy = (stack: PackagedStack, logicalId: string) => props(stack, logicalId).CachePolicyConfig as Record<string, unknown>;

  it('creates the distribution and its policies only when cdn=true, and nothing else depends on them', () => {
    expect(dev.template.Conditions?.CdnEnabled).toEqual({ 'Fn::Equals': ['false', 'true'] });
    expect(prod.template.Conditions?.CdnEnabled).toEqual({ 'Fn::Equals': ['true', 'true'] });
    for (const stack of [dev, prod]) {
      const conditioned = Object.entries(stack.template.Resources).filter(([, candidate]) => candidate.Condition !== undefined);
      expect(conditioned.map(([id, candidate]) => [id, candidate.Condition])).toEqual([
        // monitors.yml confirm's alarm (test/integration/confirm-template.test.ts).
        ['ConfirmHomeAloneAlarm', 'ConfirmEnabled'],
        ...CDN_RESOURCES.map((id) => [id, 'CdnEnabled']),
      ]);
      // CloudFormation refuses a resource or output that refers to one its condition may leave out.
      for (const [id, candidate] of Object.entries(stack.template.Resources)) {
        if (candidate.Condition === undefined) expect([id, referencedIds(candidate)].flat().filter((ref) => CDN_RESOURCES.includes(ref))).toEqual([]);
      }
      for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
        if (output.Condition === undefined) expect([name, referencedIds(output.Value)].flat().filter((ref) => CDN_RESOURCES.includes(ref))).toEqual([]);
      }
      expect(Object.values(stack.template.Outputs ?? {}).map((output) => output.Condition).filter(Boolean)).toEqual(['CdnEnabled']);
    }
    expect(prod.template.Outputs?.CdnDomainName).toEqual(expect.objectContaining({ Condition: 'CdnEnabled', Value: { 'Fn::GetAtt': ['CdnDistribution', 'DomainName'] } }));
  });

  it('fronts the HTTP API over HTTPS on the distribution\'s own domain, with the certificate CloudFront gives it', () => {
    const config = distribution(prod);
    expect(config).toEqual(expect.objectContaining({ Enabled: true, PriceClass: 'PriceClass_100', Aliases: { Ref: 'AWS::NoValue' } }));
    expect(config.ViewerCertificate).toEqual({ CloudFrontDefaultCertificate: true });
    expect(config.Origins).toEqual([
      {
        Id: 'HttpApi',
        DomainName: { 'Fn::Sub': '${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}' },
        CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
      },
    ]);
    const behaviors = [config.DefaultCacheBehavior, ...(config.CacheBehaviors as unknown[])] as Array<Record<string, unknown>>;
    for (const behavior of behaviors) expect(behavior).toEqual(expect.objectContaining({ TargetOriginId: 'HttpApi', ViewerProtocolPolicy: 'redirect-to-https' }));
  });

  it('caches / and /badges/* at most 60 s, as long as their max-age says, and passes everything else through uncached', () => {
    const config = distribution(prod);
    expect((config.CacheBehaviors as Array<Record<string, unknown>>).map((behavior) => [behavior.PathPattern, behavior.CachePolicyId, behavior.AllowedMethods])).toEqual([
      ['/', { Ref: 'CdnStatusPageCachePolicy' }, ['GET', 'HEAD']],
      ['/badges/*', { Ref: 'CdnBadgeCachePolicy' }, ['GET', 'HEAD']],
    ]);
    expect(config.DefaultCacheBehavior).toEqual(expect.objectContaining({
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: { Ref: 'CdnPassThroughOriginRequestPolicy' },
      // A ping is a POST too.
      AllowedMethods: expect.arrayContaining(['GET', 'HEAD', 'POST']),
    }));
    for (const id of ['CdnStatusPageCachePolicy', 'CdnBadgeCachePolicy']) {
      const policy = cachePolicy(prod, id);
      expect([policy.MinTTL, policy.DefaultTTL, policy.MaxTTL]).toEqual([0, 60, 60]);
      expect(String(policy.Name)).toMatch(/^uptime-monitor-prod-/);
    }
    // Within MaxTTL, CloudFront keeps an answer for its max-age, and browsers count its Age header
    // against that max-age: the page stays within 30 s of the API (10 s in memory, 20 s max-age),
    // the CDN or not; a badge within its 60 s.
    expect(STATUS_PAGE_MAX_AGE_SECONDS).toBeLessThanOrEqual(cachePolicy(prod, 'CdnStatusPageCachePolicy').MaxTTL as number);
    expect(PUBLIC_MAX_AGE_SECONDS).toBeLessThanOrEqual(cachePolicy(prod, 'CdnBadgeCachePolicy').MaxTTL as number);
  });

  it('keys and forwards the badges\' ?window= alone, the status page nothing, and the rest its query strings and Accept', () => {
    const keyOf = (id: string) => cachePolicy(prod, id).ParametersInCacheKeyAndForwardedToOrigin;
    const nothing = { HeadersConfig: { HeaderBehavior: 'none' }, CookiesConfig: { CookieBehavior: 'none' } };
    expect(keyOf('CdnStatusPageCachePolicy')).toEqual({
      EnableAcceptEncodingGzip: true, EnableAcceptEncodingBrotli: true, QueryStringsConfig: { QueryStringBehavior: 'none' }, ...nothing,
    });
    expect(keyOf('CdnBadgeCachePolicy')).toEqual({
      EnableAcceptEncodingGzip: true, EnableAcceptEncodingBrotli: true, QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['window'] }, ...nothing,
    });
    const passThrough = props(prod, 'CdnPassThroughOriginRequestPolicy').OriginRequestPolicyConfig as Record<string, unknown>;
    expect(passThrough).toEqual(expect.objectContaining({
      QueryStringsConfig: { QueryStringBehavior: 'all' },
      HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Accept'] },
      CookiesConfig: { CookieBehavior: 'none' },
    }));
  });

  it('refuses a custom domain without its certificate at package time, saying what is missing', () => {
    expect(halfCdnDomainPackage.code).not.toBe(0);
    expect(halfCdnDomainPackage.output).toContain(
      "parameter cdnCertificateArn: cdnDomain 'status.example.com' needs the ARN of an ACM certificate in us-east-1 that covers it",
    );
    expect(existsSync(path.join(halfCdnDomainPackage.packageDir, 'cloudformation-template-update-stack.json'))).toBe(false);
  });
});

describe('the function packages', () => {
  it.each(FUNCTIONS)('%s is under 1 MB, minified with a source map, with its monitors file', (name) => {
    const size = statSync(path.join(dev.packageDir, `${name}.zip`)).size;
    expect(size).toBeLessThan(MAX_PACKAGE_BYTES);
    const zip = zipOf(dev, name);
    const entries = zip.getEntries().map((entry) => entry.entryName).sort();
    expect(entries).toEqual(['functions/' + name + '.js', 'functions/' + name + '.js.map', monitorsFileOf(dev, name)].sort());
    expect(props(dev, functionId(name)).Handler).toBe(`functions/${name}.handler`);
    if (name === 'probe') {
      expect(zip.readFile('monitors.yml')?.equals(readFileSync(path.join(ROOT, 'monitors.yml')))).toBe(true);
    } else {
      // The public copy: the same monitors, loadable by the same loader.
      const ids = (config: { monitors: Array<{ id: string }> }) => config.monitors.map((monitor) => monitor.id);
      const copy = parseMonitorsConfig(zip.readAsText(monitorsFileOf(dev, name)), 'monitors.yml');
      expect(ids(copy)).toEqual(ids(loadMonitorsConfig(path.join(ROOT, 'monitors.yml'))));
    }
    const code = zip.readAsText(`functions/${name}.js`);
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000); // minified: few, very long lines
    expect(code.slice(-200).match(/\/\/# sourceMappingURL=([\w.]+\.js\.map)\s*$/)?.[1]).toBe(`${name}.js.map`);
    const map = JSON.parse(zip.readAsText(`functions/${name}.js.map`)) as { sources: string[]; sourcesContent?: unknown };
    expect(map.sources.some((source) => source.endsWith(`functions/${name}.ts`))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
  });

  it.each(FUNCTIONS)('%s bundles the AWS SDK version package-lock.json pins', (name) => {
    const code = zipOf(dev, name).readAsText(`functions/${name}.js`);
    // Whatever the bundle still require()s at run time must be a Node built-in or an optional
    // package that is not installed (esbuild leaves such requires in try/catch alone): nothing
    // installed, the AWS SDK above all, is left to the Lambda runtime's copy.
    const required = [...new Set([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1] ?? ''))];
    const external = required.filter((id) => !builtinModules.includes(id.replace(/^node:/, '')));
    const installed = external.filter((id) => {
      try {
        require.resolve(id, { paths: [ROOT] });
        return true;
      } catch {
        return false;
      }
    });
    expect(installed).toEqual([]);
    expect(required).not.toContain('@aws-sdk/client-dynamodb');
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@aws-sdk/client-dynamodb/package.json'), 'utf8')) as { version: string };
    expect(code.includes(`"${version}"`)).toBe(true);
  });

  it.each(FUNCTIONS)('%s bundles one copy of each package (read from its source map)', (name) => {
    const { sources } = JSON.parse(zipOf(dev, name).readAsText(`functions/${name}.js.map`)) as { sources: string[] };
    expect(sources.filter((source) => source.includes('node_modules/')).length).toBeGreaterThan(0);
    expect(duplicatePackages(sources)).toEqual({});
  });

  it('carries nothing local in any stage: each zip is its bundle, its map and the monitors file', () => {
    const expected = (name: FunctionName, monitorsFile: string) => [`functions/${name}.js`, `functions/${name}.js.map`, monitorsFile].sort();
    for (const name of FUNCTIONS) {
      for (const stack of [dev, prod, local]) {
        expect(zipOf(stack, name).getEntries().map((entry) => entry.entryName).sort()).toEqual(expected(name, monitorsFileOf(stack, name)));
      }
    }
    expect([dev, prod, local].map((stack) => monitorsFileOf(stack, 'probe'))).toEqual(['monitors.yml', 'config/five-minutes.yml', 'loopback/monitors.yml']);
  });

  it('gives the api and notify a copy of the monitors without any header or heartbeat token, even a reference', () => {
    for (const name of ['api', 'notify', 'ping'] as const) {
      const copy = zipOf(prod, name).readAsText(monitorsFileOf(prod, name));
      expect(copy).toContain('id: blog');
      expect(copy).not.toMatch(/^\s*headers:|Authorization|X-Api-Key|blog-auth|uptime\/prod\/blog/m);
      // Only the ping function's copy holds the token's reference.
      if (name === 'ping') expect(copy).toContain('/uptime/prod/backup-token');
      else expect(copy).not.toContain('backup-token');
    }
  });

  it('packages the monitors file MONITORS_FILE names', () => {
    expect(zipOf(prod, 'probe').readAsText('config/five-minutes.yml')).toBe(FIVE_MINUTE_MONITORS);
    for (const name of FUNCTIONS) {
      const zip = zipOf(prod, name);
      expect(zip.getEntry(monitorsFileOf(prod, name))).not.toBeNull();
      expect(zip.getEntry('monitors.yml')).toBeNull();
    }
  });

  it('serves /health from the packaged api bundle, reading its packaged monitors file', async () => {
    const extracted = path.join(scratch, 'api-bundle');
    zipOf(dev, 'api').extractAllTo(extracted, true);
    const event = createHttpApiEvent('/health', { route: '/health' });
    const script = [
      "const { handler } = require('./functions/api.js');",
      'const context = { functionName: "uptime-monitor-dev-api", awsRequestId: "test", getRemainingTimeInMillis: () => 10000 };',
      'handler(JSON.parse(process.env.EVENT), context).then(',
      "  (response) => process.stdout.write('\\nRESPONSE ' + JSON.stringify(response) + '\\n'),",
      '  (error) => { console.error(error); process.exit(1); },',
      ');',
    ].join('\n');
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['-e', script],
        {
          cwd: extracted,
          timeout: 30_000,
          env: { PATH: process.env.PATH ?? '', EVENT: JSON.stringify(event), AWS_REGION: 'us-east-1', TABLE_NAME: 'uptime-monitor-dev', MONITORS_FILE: monitorsFileOf(dev, 'api'), AWS_EC2_METADATA_DISABLED: 'true' },
        },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
    const line = output.split('\n').find((candidate) => candidate.startsWith('RESPONSE '));
    const response = JSON.parse(line?.slice('RESPONSE '.length) ?? 'null') as { statusCode: number; body: string };
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'UP' });
  });

  it.each(['probe', 'notify'] as const)('%s bundle loads and exports its handler', async (name) => {
    const extracted = path.join(scratch, `${name}-bundle`);
    zipOf(dev, name).extractAllTo(extracted, true);
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['-e', `process.stdout.write(typeof require('./functions/${name}.js').handler)`],
        { cwd: extracted, timeout: 30_000, env: { PATH: process.env.PATH ?? '' } },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
    expect(output).toBe('function');
  });
});

describe('package-time validation of monitors.yml', () => {
  it('refuses an invalid file with the message npm start gives, for sls package and sls deploy', () => {
    const message = loaderMessage('invalid/monitors.yml');
    expect(message).toBe('monitors.yml: monitors[0] (shop).expect.status[1]: must be an HTTP status between 100 and 599');
    for (const run of [invalidPackage, invalidDeploy]) {
      expect(run.code).not.toBe(0);
      expect(run.output).toContain(message);
      expect(existsSync(path.join(run.packageDir, 'cloudformation-template-update-stack.json'))).toBe(false);
    }
  });

  it('refuses a literal credential header for a deployed stage, showing the reference forms and never the value', () => {
    expect(literalPackage.code).not.toBe(0);
    expect(literalPackage.output).toContain(
      "monitors.yml: monitors[0] (shop).headers.X-Api-Key: a literal credential would ship in the probe's package; keep it in SSM or Secrets Manager",
    );
    expect(literalPackage.output).toContain('--param allowLiteralSecrets=true');
    expect(literalPackage.output).not.toContain('literal-key-value');
    expect(existsSync(path.join(literalPackage.packageDir, 'cloudformation-template-update-stack.json'))).toBe(false);
  });

  it('refuses a loopback target for a deployed stage, saying why', () => {
    expect(loopbackPackage.code).not.toBe(0);
    expect(loopbackPackage.output).toContain(
      'monitors.yml: monitors[0] (api).url: 127.0.0.1 is a loopback address, which Lambda cannot reach; use --stage local to run it on this machine',
    );
    expect(existsSync(path.join(loopbackPackage.packageDir, 'cloudformation-template-update-stack.json'))).toBe(false);
  });
});
