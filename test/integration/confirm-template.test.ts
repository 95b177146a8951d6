/**
 * Multi-region confirmation, as deployed: the confirmer stack (serverless.confirm.yml) and what a
 * confirm block in monitors.yml adds to the home stack (serverless.yml). As in template.test.ts,
 * `sls package` is the proof, in a scratch copy of the project; each stack is packaged once.
 */
import AdmZip from 'adm-zip';
import path from 'node:path';
import { CONFIRM_ROUND_MAX_MS } from '../../lib/app/confirmation-round';
import { CloudFormationSpec, type CloudFormationResource } from '../support/cloudformation-spec';
import { PAYMENTS_API_YML } from '../fixtures/monitors-yml';
import { ScratchService, type PackagedTemplate } from '../support/sls-package';

const SLS_TIMEOUT_MS = 180_000;
/** What the confirm function's timeout keeps beyond the home probe's round: a cold start and the reply. */
const CONFIRM_START_MARGIN_MS = 3_000;
const CONFIRM_REGIONS = ['eu-west-1', 'ap-southeast-1'];
const CONFIRMING_YML = PAYMENTS_API_YML.replace('monitors:', `confirm:\n  regions: [${CONFIRM_REGIONS.join(', ')}]\n  quorum: 2\nmonitors:`);

interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
}

const service = new ScratchService();
let spec: CloudFormationSpec;
/** The prod stage's home stack in us-east-1, monitors.yml with a confirm block. */
let home: PackagedTemplate;
/** The dev stage's home stack, the project's monitors.yml: no confirm block. */
let alone: PackagedTemplate;
/** The prod stage's confirmer stack in eu-west-1. */
let confirmer: PackagedTemplate;

beforeAll(async () => {
  service.writeFile('confirming/monitors.yml', CONFIRMING_YML);
  spec = await CloudFormationSpec.load();
  // One `sls` at a time: serverless-esbuild builds in the service directory's .esbuild/.
  home = await service.package('home', ['--stage', 'prod', '--param', `confirmRegions=${CONFIRM_REGIONS.join(',')}`], { MONITORS_FILE: 'confirming/monitors.yml' });
  alone = await service.package('alone', ['--stage', 'dev']);
  confirmer = await service.package('confirmer', ['--config', 'serverless.confirm.yml', '--stage', 'prod', '--region', 'eu-west-1', '--param', 'homeRegion=us-east-1']);
}, 3 * SLS_TIMEOUT_MS);

afterAll(() => service.remove());

function props(stack: PackagedTemplate, logicalId: string): Record<string, unknown> {
  const found = stack.template.Resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId}; the template has ${Object.keys(stack.template.Resources).join(', ')}`);
  return found.Properties ?? {};
}

function resourcesOfType(stack: PackagedTemplate, type: string): Array<[string, CloudFormationResource]> {
  return Object.entries(stack.template.Resources).filter(([, candidate]) => candidate.Type === type);
}

function statementsOf(stack: PackagedTemplate, roleId: string): PolicyStatement[] {
  const policies = (props(stack, roleId).Policies ?? []) as Array<{ PolicyDocument: { Statement: PolicyStatement[] } }>;
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

/** The Resource lists of the probe role's statements that allow lambda:InvokeFunction. */
function probeInvokeResources(stack: PackagedTemplate): unknown[] {
  return statementsOf(stack, 'ProbeIamRoleLambdaExecution')
    .filter((statement) => [statement.Action].flat().includes('lambda:InvokeFunction'))
    .map((statement) => statement.Resource);
}

function probeEnvironment(stack: PackagedTemplate): Record<string, unknown> {
  return (props(stack, 'ProbeLambdaFunction').Environment as { Variables: Record<string, unknown> }).Variables;
}

/** Whether a condition of the template is `Fn::Equals` of two equal strings (the only form serverless.yml uses). */
function conditionHolds(stack: PackagedTemplate, name: string): boolean {
  const condition = stack.template.Conditions?.[name] as { 'Fn::Equals': [unknown, unknown] } | undefined;
  if (!condition) throw new Error(`no condition ${name}`);
  const [left, right] = condition['Fn::Equals'];
  return left === right;
}

/**
 * The home probe role's name as deployed in `region`: serverless-iam-roles-per-function writes it
 * as an Fn::Join of strings and the region (so the template names no region itself).
 */
function roleNameIn(roleName: unknown, region: string): string {
  const [separator, parts] = (roleName as { 'Fn::Join': [string, Array<string | { Ref: string }>] })['Fn::Join'];
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part.Ref === 'AWS::Region') return region;
      throw new Error(`unexpected part of the role name: ${JSON.stringify(part)}`);
    })
    .join(separator);
}

const lambdaArn = (region: string, name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:lambda:${region}:\${AWS::AccountId}:function:${name}` });

describe('the confirmer stack', () => {
  it('passes the CloudFormation specification check', () => {
    expect(spec.validate(confirmer.template)).toEqual([]);
  });

  it('holds one function, confirm, named after the home stack, as the home probe invokes it', () => {
    const functions = resourcesOfType(confirmer, 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id)).toEqual(['ConfirmLambdaFunction']);
    expect(props(confirmer, 'ConfirmLambdaFunction')).toEqual(expect.objectContaining({ FunctionName: 'uptime-monitor-prod-confirm', Handler: 'functions/confirm.handler' }));
    expect(probeEnvironment(home).CONFIRM_FUNCTION_NAME).toBe(props(confirmer, 'ConfirmLambdaFunction').FunctionName);
    const zip = new AdmZip(path.join(confirmer.packageDir, 'confirm.zip'));
    expect(zip.getEntries().map((entry) => entry.entryName).sort()).toEqual(['functions/confirm.js', 'functions/confirm.js.map']);
  });

  it('outlasts the home probe\'s round, so Lambda never cuts off an answer the probe still waits for', () => {
    const timeoutMs = (props(confirmer, 'ConfirmLambdaFunction').Timeout as number) * 1000;
    expect(timeoutMs).toBeGreaterThanOrEqual(CONFIRM_ROUND_MAX_MS + CONFIRM_START_MARGIN_MS);
  });

  it('lets only the home probe\'s role invoke it: one permission, whose principal is exactly that role', () => {
    const permissions = resourcesOfType(confirmer, 'AWS::Lambda::Permission');
    expect(permissions.map(([id]) => id)).toEqual(['ConfirmInvokePermission']);
    const role = props(home, 'ProbeIamRoleLambdaExecution');
    expect(props(confirmer, 'ConfirmInvokePermission')).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': ['ConfirmLambdaFunction', 'Arn'] },
      Principal: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role${String(role.Path)}${roleNameIn(role.RoleName, 'us-east-1')}` },
    });
    // Nothing else reaches it: no event source, schedule, API or function URL.
    const types = new Set(Object.values(confirmer.template.Resources).map((candidate) => candidate.Type));
    for (const type of types) expect(type).not.toMatch(/^AWS::(Events|Scheduler|ApiGateway|ApiGatewayV2|SNS|SQS)::|EventSourceMapping|Url$/);
  });

  it('keeps no state, blocks private addresses and may only write its logs', () => {
    expect(Object.values(confirmer.template.Resources).filter((candidate) => candidate.Type.startsWith('AWS::DynamoDB::'))).toEqual([]);
    expect(JSON.stringify(confirmer.template)).not.toMatch(/dynamodb|TABLE_NAME|MonitorTable/i);
    const environment = (props(confirmer, 'ConfirmLambdaFunction').Environment as { Variables: Record<string, unknown> }).Variables;
    expect(environment.BLOCK_PRIVATE_ADDRESSES).toBe('true');
    const roles = resourcesOfType(confirmer, 'AWS::IAM::Role').map(([id]) => id);
    expect(roles).toHaveLength(1);
    const actions = roles.flatMap((id) => statementsOf(confirmer, id)).flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => !action.startsWith('logs:'))).toEqual([]);
  });
});

describe('the home stack with a confirm block', () => {
  it('passes the CloudFormation specification check', () => {
    expect(spec.validate(home.template)).toEqual([]);
  });

  it('names the probe role in full, as each confirmer\'s resource policy does', () => {
    expect(roleNameIn(props(home, 'ProbeIamRoleLambdaExecution').RoleName, 'us-east-1')).toBe('uptime-monitor-prod-probe-us-east-1-lambdaRole');
  });

  it('tells the probe the confirm function\'s name and lets it invoke exactly each region\'s, besides itself and the notifier', () => {
    expect(probeEnvironment(home).CONFIRM_FUNCTION_NAME).toBe('uptime-monitor-prod-confirm');
    expect(probeInvokeResources(home)).toEqual([
      [
        lambdaArn('${AWS::Region}', 'uptime-monitor-prod-probe'),
        lambdaArn('${AWS::Region}', 'uptime-monitor-prod-notify'),
        ...CONFIRM_REGIONS.map((region) => lambdaArn(region, 'uptime-monitor-prod-confirm')),
      ],
    ]);
  });

  it('alarms when the home region decided an outage alone', () => {
    const alarm = home.template.Resources.ConfirmHomeAloneAlarm;
    expect(alarm?.Condition).toBe('ConfirmEnabled');
    expect(conditionHolds(home, 'ConfirmEnabled')).toBe(true);
    expect(alarm?.Properties).toEqual({
      AlarmName: 'uptime-monitor-prod-confirm-home-alone',
      AlarmDescription: expect.stringMatching(/^Every confirmer region abstained, so the home region decided an outage alone/),
      Namespace: 'UptimeMonitor',
      MetricName: 'ConfirmHomeAlone',
      Dimensions: [{ Name: 'Stack', Value: 'uptime-monitor-prod' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
      OKActions: [{ Ref: 'AlarmTopic' }],
    });
  });
});

describe('the home stack without a confirm block', () => {
  it('has none of it: an empty CONFIRM_FUNCTION_NAME, no confirmer ARN, no alarm', () => {
    expect(probeEnvironment(alone).CONFIRM_FUNCTION_NAME).toBe('');
    expect(probeInvokeResources(alone)).toEqual([[lambdaArn('${AWS::Region}', 'uptime-monitor-dev-probe'), lambdaArn('${AWS::Region}', 'uptime-monitor-dev-notify')]]);
    expect(JSON.stringify(probeInvokeResources(alone))).not.toContain('confirm');
    // The alarm's condition is false, so CloudFormation creates no alarm.
    expect(alone.template.Resources.ConfirmHomeAloneAlarm?.Condition).toBe('ConfirmEnabled');
    expect(conditionHolds(alone, 'ConfirmEnabled')).toBe(false);
  });

});
