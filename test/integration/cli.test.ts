/**
 * `uptime-monitor`, the CLI: each command called in this process through runCli, as the bin calls
 * it, against real files, the real API handler on 127.0.0.1 (DynamoDB Local behind it) and a real
 * webhook receiver; CloudFormation alone is mocked (aws-sdk-client-mock), as no local one exists.
 * The bin itself runs twice in a child process.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { loadMonitorsConfig, parseMonitorsConfig } from '../../lib/config/monitors';
import { ConfigError } from '../../lib/domain/errors';
import { HOUR_MS, MINUTE_MS } from '../../lib/domain/time';
import type { MonitorConfig, MonitorsConfig } from '../../lib/domain/types';
import { IMPORT_TOOLS } from '../../tools/cli/import';
import { runCli } from '../../tools/cli/main';
import { startAlertReceiver, refusingUrl, WEBHOOK_ACCEPTS, type AlertReceiver, type ReceivedRequest } from '../support/alert-receivers';
import { startApiServer, type RunningApi } from '../support/api-server';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { scriptMonitor, seedHistory } from '../support/history';
import { thrownBy } from '../support/thrown';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'uptime-monitor.cjs');
const IMPORT_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'import');
const HOOK_SECRET = `whsec_${Buffer.from('a test secret of thirty-two bytes').toString('base64')}`;

interface CliRun {
  code: number;
  stdout: string[];
  stderr: string[];
}

let dir: string;

/** runCli with the output collected; `env` is all the environment the command sees. */
async function cli(argv: string[], env: NodeJS.ProcessEnv = {}, cwd: string = dir): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, env, cwd, { log: (line) => stdout.push(...line.split('\n')), error: (line) => stderr.push(...line.split('\n')) });
  return { code, stdout, stderr };
}

/** A file in the test's folder. */
function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const VALID = [
  'notify:',
  '  from: monitor@example.com',
  '  to: [oncall@example.com]',
  'channels:',
  '  ops-hook:',
  '    type: webhook',
  '    url: https://hooks.example.com/uptime',
  '    secret: { ssm: /uptime/prod/hook-secret }',
  'monitors:',
  '  - id: api',
  '    url: https://api.example.com/health',
  '    alerts: [email, ops-hook]',
  '  - id: web',
  '    url: https://www.example.com/',
  '',
].join('\n');

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'uptime-cli-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('uptime-monitor', () => {
  it('--help lists every command and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run).toMatchObject({ code: 0, stderr: [] });
    expect(run.stdout[0]).toBe('Usage: uptime-monitor <command> [options]');
    for (const command of ['validate [FILE]', 'import gatus|upptime|kuma FILE', 'status [--stage STAGE]', 'notify:test --channel NAME', 'maintenance start|stop', 'deploy [SLS DEPLOY OPTIONS]']) {
      expect(run.stdout.some((line) => line.startsWith(`  ${command}`))).toBe(true);
    }
  });

  it.each([
    [['nope'], 'uptime-monitor: unknown command "nope": validate, import, status, notify:test, maintenance, deploy; see uptime-monitor --help'],
    [['--stage', 'prod'], 'uptime-monitor: unknown command "--stage": validate, import, status, notify:test, maintenance, deploy; see uptime-monitor --help'],
    [['constructor'], 'uptime-monitor: unknown command "constructor": validate, import, status, notify:test, maintenance, deploy; see uptime-monitor --help'],
    [[], 'uptime-monitor: a command is required; see uptime-monitor --help'],
  ])('%j is bad usage: one line, exit 2', async (argv, line) => {
    expect(await cli(argv)).toEqual({ code: 2, stdout: [], stderr: [line] });
  });

  it.each(['validate', 'import', 'status', 'notify:test', 'maintenance'])('%s --help prints its usage under the CLI\'s name and exits 0', async (command) => {
    const run = await cli([command, '--help']);
    expect(run).toMatchObject({ code: 0, stderr: [] });
    expect(run.stdout[0]).toMatch(new RegExp(`^Usage: uptime-monitor ${command} `));
    expect(run.stdout.join('\n')).toMatch(/Exit codes: 0 .*/);
    expect(run.stdout.join('\n')).not.toContain('npm run');
  });
});

describe('uptime-monitor validate', () => {
  it('passes a valid file with one line naming it and counting its monitors and channels', async () => {
    const file = write('valid.yml', VALID);
    expect(await cli(['validate', file])).toEqual({ code: 0, stdout: ['validate: valid.yml: 2 monitors, 2 channels, OK'], stderr: [] });
  });

  it('reads MONITORS_FILE, then monitors.yml of the working directory, when no file is given', async () => {
    write('from-env.yml', VALID.replace('  - id: web\n    url: https://www.example.com/\n', ''));
    expect(await cli(['validate'], { MONITORS_FILE: 'from-env.yml' })).toMatchObject({ code: 0, stdout: ['validate: from-env.yml: 1 monitor, 2 channels, OK'] });
    const cwd = mkdtempSync(path.join(dir, 'cwd-'));
    writeFileSync(path.join(cwd, 'monitors.yml'), VALID);
    expect(await cli(['validate'], {}, cwd)).toMatchObject({ code: 0, stdout: ['validate: monitors.yml: 2 monitors, 2 channels, OK'] });
    expect(await cli(['validate'], { MONITORS_FILE: '' }, cwd)).toMatchObject({ code: 0 });
  });

  it.each([
    ['an unknown field', VALID.replace('    url: https://www.example.com/\n', '    url: https://www.example.com/\n    retries: 3\n')],
    ['an unknown channel', VALID.replace('[email, ops-hook]', '[email, pager]')],
    ['not YAML', 'notify: [unclosed\n'],
    ['an empty file', ''],
    ['a duplicate id', VALID.replace('id: web', 'id: api')],
  ])('refuses %s with the loader\'s message, as sls package gives it, and exit 1', async (_what, text) => {
    const file = write('bad.yml', text);
    // deploy/serverless-plugin.ts hands the loader's ConfigError message to sls as it is.
    const message = (thrownBy(() => loadMonitorsConfig(file)) as ConfigError).message;
    expect(message).toMatch(/^bad\.yml: /);
    expect(await cli(['validate', file])).toEqual({ code: 1, stdout: [], stderr: [`validate: ${message}`] });
  });

  it('says a file it cannot read is not there, exit 1', async () => {
    const missing = path.join(dir, 'missing.yml');
    expect(await cli(['validate', missing])).toEqual({ code: 1, stdout: [], stderr: [`validate: missing.yml: cannot read ${missing} (ENOENT)`] });
  });

  it('with --stage, makes the checks sls package makes for a deployed stage: a literal credential is refused there, not locally', async () => {
    const file = write('literal.yml', VALID.replace('secret: { ssm: /uptime/prod/hook-secret }', `secret: ${HOOK_SECRET}`));
    expect(await cli(['validate', file])).toMatchObject({ code: 0 });
    expect(await cli(['validate', file, '--stage', 'local'])).toMatchObject({ code: 0, stdout: ['validate: literal.yml: 2 monitors, 2 channels, OK'] });
    const run = await cli(['validate', file, '--stage', 'prod']);
    expect(run.code).toBe(1);
    expect(run.stderr).toEqual([expect.stringMatching(/^validate: literal\.yml: channels\.ops-hook\.secret: a literal credential would ship in the notifier's package; .*allowLiteralSecrets=true/)]);
    expect(await cli(['validate', write('good.yml', VALID), '--stage=prod'])).toMatchObject({ code: 0, stdout: ['validate: good.yml: 2 monitors, 2 channels, OK for stage prod'] });
  });

  it('refuses a target Lambda cannot reach for a deployed stage only', async () => {
    const file = write('loopback.yml', VALID.replace('https://www.example.com/', 'http://127.0.0.1:4010/health'));
    expect(await cli(['validate', file])).toMatchObject({ code: 0 });
    const run = await cli(['validate', file, '--stage', 'prod']);
    expect(run).toMatchObject({ code: 1, stdout: [] });
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(/^validate: loopback\.yml: monitors\[1\] \(web\)\.url: /);
  });

  it.each([
    [['validate', 'a.yml', 'b.yml'], 'validate: unexpected argument "b.yml": validate takes one file; see --help'],
    [['validate', '--strict'], 'validate: unknown option "--strict"; see --help'],
    [['validate', '--stage'], 'validate: --stage needs a value; see --help'],
    [['validate', '--stage', 'no_such stage'], 'validate: --stage "no_such stage" is not a stage name (letters, digits and -)'],
  ])('%j is bad usage: one line, exit 2', async (argv, line) => {
    expect(await cli(argv)).toEqual({ code: 2, stdout: [], stderr: [line] });
  });
});

describe('uptime-monitor import', () => {
  const GATUS = ['endpoints:', '  - name: api', '    url: https://api.example.com/health', '    interval: 1m', '    conditions:', '      - "[STATUS] == 200"', ''].join('\n');

  it('prints the monitors file on stdout and the report on stderr when no -o is given', async () => {
    const source = write('config.yaml', GATUS);
    const run = await cli(['import', 'gatus', source]);
    expect(run.code).toBe(0);
    const config = parseMonitorsConfig(run.stdout.join('\n'), 'monitors.yml');
    expect(config.monitors.map((monitor) => monitor.url)).toEqual(['https://api.example.com/health']);
    expect(run.stderr[0]).toMatch(/^imported 1 monitor from Gatus/);
  });

  it('writes -o OUT, which validate then passes; an existing OUT is kept unless --force', async () => {
    const source = write('gatus.yaml', GATUS);
    const out = path.join(dir, 'imported.yml');
    const run = await cli(['import', 'gatus', source, '-o', out]);
    expect(run).toMatchObject({ code: 0, stdout: [] });
    expect(run.stderr[0]).toMatch(/^imported 1 monitor from Gatus/);
    expect(run.stderr.at(-1)).toBe(`import: wrote ${out}; check it with: uptime-monitor validate imported.yml`);
    expect(await cli(['validate', out])).toEqual({ code: 0, stdout: ['validate: imported.yml: 1 monitor, 1 channel, OK'], stderr: [] });

    writeFileSync(out, 'keep me\n');
    expect(await cli(['import', 'gatus', source, '--output', out])).toEqual({
      code: 1,
      stdout: [],
      stderr: [`import: ${out} exists; choose another file with -o, or add --force to overwrite it`],
    });
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    expect(await cli(['import', 'gatus', source, `--output=${out}`, '--force'])).toMatchObject({ code: 0 });
    expect(await cli(['validate', out])).toMatchObject({ code: 0 });
  });

  // The importers' own fixtures, written from each tool's documented format, when they are there.
  const toolOf = (name: string) => IMPORT_TOOLS.find((tool) => name.startsWith(tool));
  const fixtures = existsSync(IMPORT_FIXTURES) ? readdirSync(IMPORT_FIXTURES).filter((name) => toolOf(name) !== undefined) : [];
  it('has a fixture of each tool to round-trip', () => {
    expect(new Set(fixtures.map(toolOf))).toEqual(new Set(IMPORT_TOOLS));
  });

  it.each(fixtures)('round trip: import %s, write it, validate it, exit 0', async (name) => {
    const tool = toolOf(name) as string;
    const out = path.join(dir, `round-trip-${name}.yml`);
    const run = await cli(['import', tool, path.join(IMPORT_FIXTURES, name), '-o', out]);
    expect(run).toMatchObject({ code: 0, stdout: [] });
    expect(run.stderr[0]).toMatch(/^imported \d+ monitors? from /);
    const validated = await cli(['validate', out]);
    expect(validated).toMatchObject({ code: 0, stderr: [] });
    expect(validated.stdout[0]).toMatch(/^validate: round-trip-.*: \d+ monitors?, \d+ channels?, OK$/);
  });

  it('refuses input that is not the tool\'s format with one line, exit 1', async () => {
    const source = write('not-gatus.yaml', 'endpoints: [unclosed\n');
    const run = await cli(['import', 'gatus', source]);
    expect(run).toMatchObject({ code: 1, stdout: [] });
    expect(run.stderr[0]).toMatch(/^import: .*not-gatus\.yaml/);
  });

  it('says a file it cannot read is not there, exit 1', async () => {
    const missing = path.join(dir, 'no-such.json');
    expect(await cli(['import', 'kuma', missing])).toEqual({ code: 1, stdout: [], stderr: [`import: cannot read ${missing} (ENOENT)`] });
  });

  it.each([
    [['import'], 'import: which tool to import from is required: gatus, upptime, kuma; see --help'],
    [['import', 'nagios', 'x.cfg'], 'import: unknown tool "nagios": gatus, upptime, kuma; see --help'],
    [['import', 'gatus'], 'import: import gatus needs the file to import: import gatus FILE; see --help'],
    [['import', 'gatus', 'a.yaml', 'b.yaml'], 'import: unexpected argument "b.yaml": import gatus FILE [-o OUT]; see --help'],
    [['import', 'gatus', 'a.yaml', '-o'], 'import: --output needs a value; see --help'],
    [['import', 'gatus', 'a.yaml', '--force'], 'import: --force applies to an output file only (-o OUT)'],
    [['import', 'gatus', 'a.yaml', '-o', 'a.yaml'], 'import: -o names the file being imported; write the monitors file elsewhere'],
  ])('%j is bad usage: one line, exit 2', async (argv, line) => {
    expect(await cli(argv)).toEqual({ code: 2, stdout: [], stderr: [line] });
  });
});

describe('uptime-monitor status', () => {
  const NOW = Date.now();
  const STEP_MS = 5 * MINUTE_MS;
  const cloudFormation = mockClient(CloudFormationClient);
  let table: TestTable;
  let api: RunningApi;
  let config: MonitorsConfig;

  beforeAll(async () => {
    config = parseMonitorsConfig(
      [
        'notify:',
        '  from: monitor@example.com',
        '  to: [oncall@example.com]',
        'monitors:',
        '  - id: api',
        '    name: Payments API',
        '    url: https://api.example.com/health',
        '  - id: web',
        '    name: Website',
        '    url: https://www.example.com/',
        '  - id: db',
        '    name: "Database \\e[31mred\\e[0m"',
        '    type: tcp',
        '    url: tcp://db.example.com:5432',
        'maintenance:',
        '  - name: Upgrade',
        '    monitors: [api]',
        `    start: ${new Date(NOW - HOUR_MS).toISOString()}`,
        '    duration: 2h',
        '',
      ].join('\n'),
      'monitors.yml',
    );
    const monitor = (id: string) => config.monitors.find((entry) => entry.id === id) as MonitorConfig;
    table = await createTestTable('cli');
    const { rollups, ...stores } = createDynamoDbStores({ client: table.client, tableName: table.tableName });
    await seedHistory(
      stores,
      rollups,
      [
        scriptMonitor(monitor('api'), { outages: [{ fromMs: NOW - 10 * HOUR_MS, toMs: NOW - 9 * HOUR_MS, reason: 'timeout' }], latencyMs: () => 120 }),
        scriptMonitor(monitor('web'), { outages: [{ fromMs: NOW - 3 * HOUR_MS, reason: 'http-status' }], latencyMs: () => 80 }),
        // Added to the file after the last run: never checked.
        scriptMonitor(monitor('db'), { addedAtMs: NOW + HOUR_MS, latencyMs: () => 5 }),
      ],
      { fromMs: NOW - 26 * HOUR_MS, toMs: NOW, stepMs: STEP_MS, summariesFromMs: NOW - HOUR_MS },
    );
    api = await startApiServer({ ...stores, rollups, config, now: () => new Date(NOW) });
  }, 60_000);

  afterAll(async () => {
    cloudFormation.restore();
    await api?.close();
    await table?.drop();
  });

  beforeEach(() => cloudFormation.reset());

  /**
   * The table the seeded history makes. api: its outage 10 to 9 hours ago is its last failure
   * (timeout), UP since it ended, in the Upgrade window for the last hour, which counts neither
   * way: 22 h UP over 23 h, 95.65 %. web: DOWN for the last 3 of 24 hours, 87.50 %. db: never
   * checked; the escape sequences in its name do not reach the terminal.
   */
  function expectTable(run: CliRun, where: string): void {
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(run).toEqual({
      code: 0,
      stdout: [
        'ID   NAME                   STATE                                           SINCE                              UPTIME 24H  LAST REASON',
        `api  Payments API           UP, maintenance until ${iso(NOW + HOUR_MS)}  9h ago (${iso(NOW - 9 * HOUR_MS)})  95.65%      timeout`,
        `web  Website                DOWN                                            3h ago (${iso(NOW - 3 * HOUR_MS)})  87.50%      http-status`,
        'db   Database ?[31mred?[0m  UNKNOWN                                         never checked                      -           -',
        `3 monitors: 1 UP, 1 DOWN, 1 UNKNOWN, 1 in maintenance; ${where}`,
      ],
      stderr: [],
    });
  }

  it('reads npm start\'s API at API_PORT by default (stage local)', async () => {
    const port = new URL(api.url).port;
    expectTable(await cli(['status'], { API_PORT: port }), `local (npm start, http://127.0.0.1:${port})`);
    expectTable(await cli(['status', '--stage', 'local'], { API_PORT: port }), `local (npm start, http://127.0.0.1:${port})`);
  });

  it('reads the API at --url', async () => {
    expectTable(await cli(['status', '--url', `${api.url}/`]), `the API at ${api.url}`);
  });

  it('reads a deployed stage\'s API URL from its stack\'s HttpApiUrl output', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'uptime-monitor-prod' }).resolves({
      Stacks: [
        {
          StackName: 'uptime-monitor-prod',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(NOW - 86_400_000),
          Outputs: [
            { OutputKey: 'MonitorTableName', OutputValue: 'uptime-monitor-prod-MonitorTable-1ABC' },
            { OutputKey: 'HttpApiUrl', OutputValue: api.url },
          ],
        },
      ],
    });
    expectTable(await cli(['status', '--stage', 'prod', '--region', 'eu-west-1']), `stage prod in eu-west-1 (${api.url})`);
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    expect(await cloudFormation.commandCalls(DescribeStacksCommand)[0]?.thisValue.config.region()).toBe('eu-west-1');
  });

  it('takes the deployed stage\'s region from AWS_REGION when --region is not given', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'uptime-monitor-qa', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'HttpApiUrl', OutputValue: api.url }] }] });
    expect(await cli(['status', '--stage', 'qa'], { AWS_REGION: 'ap-southeast-2' })).toMatchObject({ code: 0 });
    expect(await cloudFormation.commandCalls(DescribeStacksCommand)[0]?.thisValue.config.region()).toBe('ap-southeast-2');
  });

  it('says a stage with no stack is not deployed there, exit 1', async () => {
    const error = Object.assign(new Error('Stack with id uptime-monitor-nope does not exist'), { name: 'ValidationError' });
    cloudFormation.on(DescribeStacksCommand).rejects(error);
    expect(await cli(['status', '--stage', 'nope', '--region', 'eu-west-1'])).toEqual({
      code: 1,
      stdout: [],
      stderr: ['status: no stack uptime-monitor-nope in eu-west-1: is stage nope deployed there? (--region)'],
    });
  });

  it('says a stack without the API\'s output is not finished, exit 1', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'uptime-monitor-new', StackStatus: 'CREATE_IN_PROGRESS', CreationTime: new Date(), Outputs: [] }] });
    expect(await cli(['status', '--stage', 'new', '--region', 'eu-west-1'])).toEqual({
      code: 1,
      stdout: [],
      stderr: ['status: stack uptime-monitor-new in eu-west-1 has no output HttpApiUrl: is its deployment finished? (npx sls info --stage new --region eu-west-1)'],
    });
  });

  it('names the URL when nothing answers there, exit 1', async () => {
    const url = (await refusingUrl('')).replace(/\/$/, '');
    const port = new URL(url).port;
    expect(await cli(['status'], { API_PORT: port })).toEqual({
      code: 1,
      stdout: [],
      stderr: [`status: cannot reach the API at http://127.0.0.1:${port} (ECONNREFUSED): is npm start running? (API_PORT is its port)`],
    });
    expect(await cli(['status', '--url', url])).toMatchObject({ code: 1, stderr: [`status: cannot reach the API at ${url} (ECONNREFUSED): is it the uptime monitor's API, and up?`] });
  });

  describe('against a server that is not answering as the API does', () => {
    let receiver: AlertReceiver;
    beforeAll(async () => {
      receiver = await startAlertReceiver({ status: 200 });
    });
    afterAll(() => receiver.close());

    it.each([
      [{ status: 500, headers: { 'content-type': 'application/json' }, body: '{"error":{"code":"internal","message":"internal error"}}' }, 'answered HTTP 500: internal error'],
      [{ status: 404, headers: { 'content-type': 'application/json' }, body: '{"message":"Not Found"}' }, 'answered HTTP 404: Not Found'],
      [{ status: 200, headers: { 'content-type': 'text/html' }, body: '<html></html>' }, "did not answer JSON: is URL the uptime monitor's API?"],
      [{ status: 200, headers: { 'content-type': 'application/json' }, body: '{"monitors":[{"id":"a"}]}' }, "did not answer as the uptime monitor's API does (monitors.0.name: "],
    ])('%j: one line naming the request, exit 1', async (reply, said) => {
      receiver.reset(reply);
      const run = await cli(['status', '--url', receiver.baseUrl]);
      expect(run).toMatchObject({ code: 1, stdout: [] });
      expect(run.stderr).toHaveLength(1);
      expect(run.stderr[0]).toContain(`status: GET ${receiver.baseUrl}/monitors ${said.replace('URL', receiver.baseUrl)}`);
    });
  });

  it('waits out a 429 (API Gateway\'s throttling) and asks again', async () => {
    const throttled = new Set<string>();
    const proxy = createServer((request, response) => {
      const route = request.url ?? '/';
      if (!throttled.has(route)) {
        throttled.add(route);
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
        response.end('{"message":"Too Many Requests"}');
        return;
      }
      const upstream = httpRequest(`${api.url}${route}`, { method: request.method }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      upstream.end();
    });
    const url = await listen(proxy);
    try {
      expectTable(await cli(['status', '--url', url]), `the API at ${url}`);
      expect(throttled.size).toBe(7);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it.each([
    [['status', 'now'], {}, 'status: unexpected argument "now"; see --help'],
    [['status', '--region', 'eu-west-1'], {}, 'status: --region applies to a deployed stage only (--stage NAME)'],
    [['status', '--url', 'http://x', '--stage', 'prod'], {}, 'status: --url names the API itself: give it without --stage or --region'],
    [['status', '--url', 'ftp://example.com'], {}, 'status: --url "ftp://example.com" is not an http(s) URL'],
    [['status', '--stage', 'prod', '--region', 'Europe'], {}, 'status: --region "Europe" is not an AWS region such as eu-west-1'],
    [['status', '--stage', 'a/b'], {}, 'status: --stage "a/b" is not a stage name (letters, digits and -)'],
    [['status'], { API_PORT: '99999' }, 'status: environment variable API_PORT: "99999" is not a TCP port'],
    [['status', '--stage', 'prod', '--stage', 'qa'], {}, 'status: --stage is given twice'],
  ])('%j is bad usage: one line, exit 2', async (argv, env, line) => {
    expect(await cli(argv, env)).toEqual({ code: 2, stdout: [], stderr: [line] });
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });
});

describe('uptime-monitor notify:test', () => {
  let receiver: AlertReceiver;
  let monitorsFile: string;

  beforeAll(async () => {
    receiver = await startAlertReceiver(WEBHOOK_ACCEPTS);
    monitorsFile = write(
      'notify.yml',
      VALID.replace('https://hooks.example.com/uptime', `${receiver.baseUrl}/hooks/ops`).replace('{ ssm: /uptime/prod/hook-secret }', '{ env: HOOK_SECRET }'),
    );
  });
  afterAll(() => receiver.close());

  it('sends a signed test alert through a channel, its secret read from the environment it is given, exit 0', async () => {
    const run = await cli(['notify:test', '--channel', 'ops-hook'], { MONITORS_FILE: monitorsFile, HOOK_SECRET });
    expect(run).toMatchObject({ code: 0, stderr: [] });
    expect(run.stdout).toEqual([expect.stringMatching(/^notify:test: channel 'ops-hook' \(webhook, stage local\) took the test alert: HTTP 204 \(delivery id [0-9a-f-]{36}\)$/)]);
    const request = receiver.requests[0] as ReceivedRequest;
    const headers = { 'webhook-id': String(request.headers['webhook-id']), 'webhook-timestamp': String(request.headers['webhook-timestamp']), 'webhook-signature': String(request.headers['webhook-signature']) };
    expect(new Webhook(HOOK_SECRET).verify(request.body, headers)).toMatchObject({ type: 'monitor.down', data: { monitor: { id: 'notify-test' } } });
  });

  it('names the channels there are when asked for another, exit 1', async () => {
    expect(await cli(['notify:test', '--channel', 'pager'], { MONITORS_FILE: monitorsFile, HOOK_SECRET })).toEqual({
      code: 1,
      stdout: [],
      stderr: ["notify:test: unknown channel 'pager' in notify.yml; the channels are email, ops-hook"],
    });
  });

  it.each([
    [['notify:test'], 'notify:test: --channel NAME is required; see --help'],
    [['notify:test', '--channel', 'Ops Hook'], "notify:test: --channel 'Ops Hook' is not a channel name (a-z, 0-9 and -)"],
    [['notify:test', '--to', 'me'], "notify:test: unknown option '--to'; see --help"],
  ])('%j is bad usage: one line, exit 2', async (argv, line) => {
    expect(await cli(argv, { MONITORS_FILE: monitorsFile })).toEqual({ code: 2, stdout: [], stderr: [line] });
  });
});

describe('uptime-monitor maintenance', () => {
  it('refuses a monitor the file does not have before touching any table, exit 2', async () => {
    const file = write('maintenance.yml', VALID);
    expect(await cli(['maintenance', 'start', 'nope', '30m'], { MONITORS_FILE: file })).toEqual({
      code: 2,
      stdout: [],
      stderr: ['maintenance: unknown monitor "nope" in maintenance.yml; the monitors are api, web, demo (or all)'],
    });
  });

  it('says DynamoDB Local is not running, exit 1', async () => {
    const file = write('maintenance.yml', VALID);
    const port = new URL(await refusingUrl()).port;
    const run = await cli(['maintenance', 'start', 'api', '30m'], { MONITORS_FILE: file, DYNAMODB_PORT: port });
    expect(run).toMatchObject({ code: 1, stdout: [] });
    expect(run.stderr).toEqual([expect.stringMatching(new RegExp(`^maintenance: cannot reach DynamoDB Local at http://127\\.0\\.0\\.1:${port} .*is npm start running\\?`))]);
  });

  it.each([
    [['maintenance'], 'maintenance: a command is required: start or stop; see --help'],
    [['maintenance', 'pause', 'api'], 'maintenance: unknown command "pause": start or stop; see --help'],
    [['maintenance', 'start', 'api', 'forever'], 'maintenance: "forever" is not a duration such as 30m, 2h or 1d'],
  ])('%j is bad usage: one line, exit 2', async (argv, line) => {
    expect(await cli(argv)).toEqual({ code: 2, stdout: [], stderr: [line] });
  });
});

describe('bin/uptime-monitor.cjs', () => {
  function bin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { cwd: dir, timeout: 20_000, env: { PATH: process.env.PATH ?? '', HOME: dir } }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      });
    });
  }

  it('runs --help and validate of a bad file as a user would, with their exit codes', async () => {
    const [help, bad] = await Promise.all([bin(['--help']), bin(['validate', write('bin-bad.yml', VALID.replace('id: web', 'id: Web!'))])]);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: uptime-monitor <command> \[options\]\n/);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    const message = (thrownBy(() => loadMonitorsConfig(path.join(dir, 'bin-bad.yml'))) as ConfigError).message;
    expect(bad.stderr).toBe(`validate: ${message}\n`);
  });
});

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}
