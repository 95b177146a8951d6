/**
 * `npm run maintenance` as a user runs it: the real CLI in a child process, against DynamoDB Local.
 * The local stage finds npm start's table (uptime-monitor-local) at DYNAMODB_PORT, as it would on
 * a developer's machine; a deployed stage finds uptime-monitor-<stage> through the SDK's own
 * endpoint setting (AWS_ENDPOINT_URL_DYNAMODB), with credentials from the environment.
 */
import { CreateTableCommand, DeleteItemCommand, DeleteTableCommand, QueryCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDbMaintenanceStore } from '../../lib/adapters/dynamodb-maintenance-store';
import { MAINTENANCE_PK } from '../../lib/adapters/dynamodb-items';
import { loadMaintenanceSchedule } from '../../lib/app/maintenance';
import { loadMonitorsConfig } from '../../lib/config/monitors';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lib/domain/time';
import type { MonitorsConfig } from '../../lib/domain/types';
import { freePort } from '../../tools/local/free-port';
import { readMaintenanceOptions, UsageError } from '../../tools/maintenance/options';
import { runMaintenanceCli } from '../../tools/maintenance/run';
import { tableDefinition } from '../../tools/local/table-definition';
import { createTestTable, testDynamoDbClient, testDynamoDbClientConfig, type TestTable } from '../support/dynamodb';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'tools', 'maintenance', 'run.ts');
/** npm start's table: the CLI's local stage always uses this name. */
const LOCAL_TABLE = 'uptime-monitor-local';
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface StoredWindow {
  pk: string;
  sk: string;
  entity: string;
  id: string;
  name: string;
  monitors?: string[];
  startAt: string;
  endAt: string;
  expiresAt: number;
}

let dir: string;
let monitorsFile: string;
let config: MonitorsConfig;
let client: DynamoDBClient;
let deployed: TestTable;
let stage: string;
let dynamoDbPort: string;
/** When the configured window of db began: ten minutes before the tests, lasting a day. */
const backupStart = new Date(Date.now() - 10 * MINUTE_MS);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'maintenance-cli-'));
  monitorsFile = path.join(dir, 'monitors.yml');
  writeFileSync(
    monitorsFile,
    [
      'notify:',
      '  from: monitor@example.com',
      '  to: [oncall@example.com]',
      'monitors:',
      '  - id: api',
      '    url: https://api.example.com/health',
      '  - id: web',
      '    url: https://www.example.com/',
      '  - id: db',
      '    type: tcp',
      '    url: tcp://db.example.com:5432',
      'maintenance:',
      '  - name: Nightly backup',
      '    monitors: [db]',
      `    start: ${backupStart.toISOString()}`,
      '    duration: 1d',
      '',
    ].join('\n'),
  );
  config = loadMonitorsConfig(monitorsFile);
  client = testDynamoDbClient();
  dynamoDbPort = new URL(testDynamoDbClientConfig().endpoint).port;
  // This jest run's DynamoDB Local is its own: a table left by an interrupted run of this file is the only other one of this name.
  await client.send(new DeleteTableCommand({ TableName: LOCAL_TABLE })).catch((error: unknown) => {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  });
  await client.send(new CreateTableCommand(tableDefinition(LOCAL_TABLE)));
  // A deployed stage's table is uptime-monitor-<stage>: the test table's name is one.
  deployed = await createTestTable('uptime-monitor');
  stage = deployed.tableName.slice('uptime-monitor-'.length);
});

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: LOCAL_TABLE }));
  client.destroy();
  await deployed.drop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await clearWindows(LOCAL_TABLE);
  await clearWindows(deployed.tableName);
});

/** The environment the CLI runs with: the temp monitors file, npm start's DynamoDB Local at the test's port, and no AWS credentials of this machine. */
function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    MONITORS_FILE: monitorsFile,
    DYNAMODB_PORT: dynamoDbPort,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...env,
  };
}

/**
 * Runs the CLI's whole command in this process (a process each would cost about 2 s of start-up):
 * its environment in place of this one's while it runs, since the AWS SDK reads credentials and
 * endpoints from there. The entry point itself is run as a process below (`--help`, one start).
 */
async function maintenance(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const saved = process.env;
  const out: string[] = [];
  const err: string[] = [];
  process.env = cliEnv(env);
  try {
    const code = await runMaintenanceCli(args, process.env, ROOT, { log: (text) => out.push(`${text}\n`), error: (text) => err.push(`${text}\n`) });
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.env = saved;
  }
}

/** Runs the CLI as `npm run maintenance` does: its own process. */
function spawned(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    // node --import tsx: the CLI in one process (the tsx command would start a second one).
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, timeout: 25_000, env: cliEnv(env) }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A deployed stage's settings: the SDK's endpoint variable aims it at DynamoDB Local; credentials from the environment. */
function awsEnv(): Record<string, string> {
  return { AWS_ENDPOINT_URL_DYNAMODB: testDynamoDbClientConfig().endpoint, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-real-key' };
}

/** Runs the CLI and returns its one printed line (stdout on success, stderr otherwise), checking the exit code and that nothing else was printed. */
async function line(args: string[], code: number, env: Record<string, string> = {}, runner = maintenance): Promise<string> {
  const run = await runner(args, env);
  const [printed, other] = code === 0 ? [run.stdout, run.stderr] : [run.stderr, run.stdout];
  expect({ code: run.code, other }).toEqual({ code, other: '' });
  const lines = printed.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

/** The stored ad-hoc windows of a table, read consistently, oldest start first. */
async function storedWindows(tableName: string): Promise<StoredWindow[]> {
  const { Items } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: MAINTENANCE_PK } },
      ConsistentRead: true,
    }),
  );
  return (Items ?? []).map((item) => unmarshall(item) as StoredWindow);
}

async function clearWindows(tableName: string): Promise<void> {
  for (const window of await storedWindows(tableName)) {
    await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: window.pk }, sk: { S: window.sk } } }));
  }
}

/** The maintenance calendar as the probe and the API build it: monitors.yml's windows and the table's. */
function schedule(tableName: string) {
  return loadMaintenanceSchedule(config, new DynamoDbMaintenanceStore({ client, tableName }));
}

/** Runs `start`, and checks the one window it stored began between the call and its end. */
async function started(args: string[], env: Record<string, string> = {}, tableName = LOCAL_TABLE, runner = maintenance): Promise<{ text: string; window: StoredWindow }> {
  const before = await storedWindows(tableName);
  const beforeMs = Date.now();
  const text = await line(args, 0, env, runner);
  const afterMs = Date.now();
  const added = (await storedWindows(tableName)).filter((window) => !before.some((old) => old.sk === window.sk));
  expect(added).toHaveLength(1);
  const window = added[0] as StoredWindow;
  expect(Date.parse(window.startAt)).toBeGreaterThanOrEqual(beforeMs);
  expect(Date.parse(window.startAt)).toBeLessThanOrEqual(afterMs);
  return { text, window };
}

describe('npm run maintenance start, local stage (npm start\'s DynamoDB Local)', () => {
  it('start ID DURATION --name: one window for that monitor, from now for the duration; the calendar puts that monitor alone in maintenance until then', async () => {
    // As npm runs it: a process of its own.
    const { text, window } = await started(['start', 'api', '30m', '--name', 'Deploy 42'], {}, LOCAL_TABLE, spawned);
    expect(window).toEqual({
      pk: 'MAINTENANCE',
      sk: `${window.startAt}#${window.id}`,
      entity: 'MAINTENANCE',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Deploy 42',
      monitors: ['api'],
      startAt: expect.stringMatching(ISO),
      endAt: new Date(Date.parse(window.startAt) + 30 * MINUTE_MS).toISOString(),
      expiresAt: expect.any(Number),
    });
    // Kept as long as a transition (400 days by default) after its end.
    expect(window.expiresAt).toBe(Math.floor((Date.parse(window.endAt) + 400 * DAY_MS) / 1000));
    expect(text).toBe(
      `maintenance: opened "Deploy 42" for api until ${window.endAt} (30m), local (DynamoDB Local at http://127.0.0.1:${dynamoDbPort}, table ${LOCAL_TABLE}): its checks go on, no alert goes out`,
    );

    const calendar = await schedule(LOCAL_TABLE);
    const startMs = Date.parse(window.startAt);
    const endMs = Date.parse(window.endAt);
    expect(calendar.activeAt('api', startMs)).toEqual({ name: 'Deploy 42', until: window.endAt });
    expect(calendar.activeAt('api', endMs - 1)).toEqual({ name: 'Deploy 42', until: window.endAt });
    expect(calendar.activeAt('api', endMs)).toBeUndefined();
    expect(calendar.activeAt('api', startMs - 1)).toBeUndefined();
    expect(calendar.activeAt('web', startMs)).toBeUndefined();
    // The deployed table is not touched by the local stage.
    expect(await storedWindows(deployed.tableName)).toEqual([]);
  });

  it('start all: one window with no monitor list (every monitor, added ones too), 1h and "Ad-hoc maintenance" by default', async () => {
    const { text, window } = await started(['start', 'all']);
    expect(window).not.toHaveProperty('monitors');
    expect(window).toMatchObject({ name: 'Ad-hoc maintenance', endAt: new Date(Date.parse(window.startAt) + HOUR_MS).toISOString() });
    expect(text).toBe(
      `maintenance: opened "Ad-hoc maintenance" for every monitor (3 in monitors.yml, and any added later) until ${window.endAt} (1h), ` +
        `local (DynamoDB Local at http://127.0.0.1:${dynamoDbPort}, table ${LOCAL_TABLE}): its checks go on, no alert goes out`,
    );
    const calendar = await schedule(LOCAL_TABLE);
    const atMs = Date.parse(window.startAt) + MINUTE_MS;
    for (const id of ['api', 'web', 'a-monitor-added-later']) expect(calendar.activeAt(id, atMs)).toEqual({ name: 'Ad-hoc maintenance', until: window.endAt });
    // db's configured window (a day from 10 minutes ago) ends later: the calendar reports the one that ends last.
    expect(calendar.activeAt('db', atMs)).toEqual({ name: 'Nightly backup', until: new Date(backupStart.getTime() + DAY_MS).toISOString() });
  });

  it('the demo monitor npm start adds may be put in maintenance locally; it is no monitor of a deployed stage', async () => {
    const { window } = await started(['start', 'demo', '5m']);
    expect(window.monitors).toEqual(['demo']);
    expect(await line(['start', 'demo', '--stage', stage], 2, awsEnv())).toBe('maintenance: unknown monitor "demo" in monitors.yml; the monitors are api, web, db (or all)');
  });
});

describe('npm run maintenance stop, local stage', () => {
  it('stop ID ends only the windows opened for that monitor alone, at the time of the stop; stop all ends the rest', async () => {
    const first = await started(['start', 'api', '2h', '--name', 'Migration']);
    const second = await started(['start', 'api', '30m']);
    const everyone = await started(['start', 'all', '3h', '--name=Cut-over']);
    const web = await started(['start', 'web', '1d']);

    const beforeMs = Date.now();
    const stopped = await line(['stop', 'api'], 0);
    const afterMs = Date.now();
    const windows = await storedWindows(LOCAL_TABLE);
    const byId = (id: string) => windows.find((window) => window.id === id) as StoredWindow;
    const endAt = byId(first.window.id).endAt;
    expect(Date.parse(endAt)).toBeGreaterThanOrEqual(beforeMs);
    expect(Date.parse(endAt)).toBeLessThanOrEqual(afterMs);
    // Both of api's windows end at the same instant, and keep their start; the others are untouched.
    expect(byId(first.window.id)).toMatchObject({ startAt: first.window.startAt, endAt });
    expect(byId(second.window.id)).toMatchObject({ startAt: second.window.startAt, endAt });
    expect(byId(everyone.window.id)).toEqual(everyone.window);
    expect(byId(web.window.id)).toEqual(web.window);
    expect(stopped).toBe(
      `maintenance: ended 2 ad-hoc windows at ${endAt}, local (DynamoDB Local at http://127.0.0.1:${dynamoDbPort}, table ${LOCAL_TABLE}): ` +
        `"Migration" for api, which was to end ${first.window.endAt}; "Ad-hoc maintenance" for api, which was to end ${second.window.endAt}`,
    );

    // api is still in maintenance, now only through the window for every monitor.
    let calendar = await schedule(LOCAL_TABLE);
    const endMs = Date.parse(endAt);
    expect(calendar.activeAt('api', endMs)).toEqual({ name: 'Cut-over', until: everyone.window.endAt });
    expect(calendar.occurrences('api', 0, Date.parse(everyone.window.endAt) + DAY_MS).map(({ name, startMs, endMs: end }) => ({ name, startMs, end }))).toEqual([
      { name: 'Migration', startMs: Date.parse(first.window.startAt), end: endMs },
      { name: 'Ad-hoc maintenance', startMs: Date.parse(second.window.startAt), end: endMs },
      { name: 'Cut-over', startMs: Date.parse(everyone.window.startAt), end: Date.parse(everyone.window.endAt) },
    ]);
    expect(calendar.activeAt('web', endMs)).toEqual({ name: 'Ad-hoc maintenance', until: web.window.endAt });

    // Nothing of api's own is open now: exit 1, and the line says what else covers it.
    expect(await line(['stop', 'api'], 1)).toBe(
      `maintenance: no ad-hoc window is open for api, local (DynamoDB Local at http://127.0.0.1:${dynamoDbPort}, table ${LOCAL_TABLE}); ` +
        `the ad-hoc window "Cut-over" for every monitor is open until ${everyone.window.endAt}: stop all ends it`,
    );

    const all = await line(['stop', 'all'], 0);
    const after = await storedWindows(LOCAL_TABLE);
    const allEnd = (after.find((window) => window.id === everyone.window.id) as StoredWindow).endAt;
    expect(Date.parse(allEnd)).toBeGreaterThan(endMs - 1);
    expect(after.find((window) => window.id === web.window.id)?.endAt).toBe(allEnd);
    // Windows already ended are left as they are.
    expect(after.find((window) => window.id === first.window.id)?.endAt).toBe(endAt);
    // Oldest start first, as they are stored (sort key <startAt>#<id>).
    expect(all).toBe(
      `maintenance: ended 2 ad-hoc windows at ${allEnd}, local (DynamoDB Local at http://127.0.0.1:${dynamoDbPort}, table ${LOCAL_TABLE}): ` +
        `"Cut-over" for every monitor, which was to end ${everyone.window.endAt}; "Ad-hoc maintenance" for web, which was to end ${web.window.endAt}`,
    );
    calendar = await schedule(LOCAL_TABLE);
    const allEndMs = Date.parse(allEnd);
    for (const id of ['api', 'web']) {
      expect(calendar.activeAt(id, allEndMs)).toBeUndefined();
      expect(calendar.activeAt(id, allEndMs + MINUTE_MS)).toBeUndefined();
    }
    // Of two windows ending together, the calendar names the first.
    expect(calendar.activeAt('web', allEndMs - 1)).toEqual({ name: 'Cut-over', until: allEnd });
  });

  it('stop all with nothing open: exit 1, and the configured window still open is named, as changed only in monitors.yml', async () => {
    const until = new Date(backupStart.getTime() + DAY_MS).toISOString();
    expect(await line(['stop', 'all'], 1)).toBe(
      `maintenance: no ad-hoc window is open, local (DynamoDB Local at http://127.0.0.1:${dynamoDbPort}, table ${LOCAL_TABLE}); ` +
        `the window "Nightly backup" of monitors.yml is open for db until ${until}: it can only be changed in monitors.yml`,
    );
  });

  it('stop ID of a monitor in a configured window: exit 1, that window can only be changed in monitors.yml; nothing is written', async () => {
    const until = new Date(backupStart.getTime() + DAY_MS).toISOString();
    expect(await line(['stop', 'db'], 1)).toBe(
      `maintenance: no ad-hoc window is open for db, local (DynamoDB Local at http://127.0.0.1:${dynamoDbPort}, table ${LOCAL_TABLE}); ` +
        `the window "Nightly backup" of monitors.yml is open until ${until}: it can only be changed in monitors.yml`,
    );
    expect(await line(['stop', 'web'], 1)).toBe(`maintenance: no ad-hoc window is open for web, local (DynamoDB Local at http://127.0.0.1:${dynamoDbPort}, table ${LOCAL_TABLE})`);
    expect(await storedWindows(LOCAL_TABLE)).toEqual([]);
  });
});

describe('npm run maintenance, a deployed stage', () => {
  it('--stage S --region R: the windows go to table uptime-monitor-S, not to the local one', async () => {
    const { text, window } = await started(['start', 'web', '2h', '--stage', stage, '--region', 'eu-west-1'], awsEnv(), deployed.tableName);
    expect(window).toMatchObject({ monitors: ['web'], endAt: new Date(Date.parse(window.startAt) + 2 * HOUR_MS).toISOString() });
    expect(text).toBe(
      `maintenance: opened "Ad-hoc maintenance" for web until ${window.endAt} (2h), stage ${stage} (table ${deployed.tableName} in eu-west-1): its checks go on, no alert goes out`,
    );
    expect(await storedWindows(LOCAL_TABLE)).toEqual([]);
    expect((await schedule(deployed.tableName)).activeAt('web', Date.parse(window.startAt))).toEqual({ name: 'Ad-hoc maintenance', until: window.endAt });

    // The region comes from AWS_REGION too.
    const stopped = await line(['stop', 'web', '--stage', stage], 0, { ...awsEnv(), AWS_REGION: 'ap-southeast-2' });
    expect(stopped).toMatch(new RegExp(`^maintenance: ended the ad-hoc window at \\S+, stage ${stage} \\(table ${deployed.tableName} in ap-southeast-2\\): "Ad-hoc maintenance" for web`));
    const [closed] = await storedWindows(deployed.tableName);
    expect(Date.parse(closed?.endAt ?? '')).toBeLessThan(Date.parse(window.endAt));
    expect((await schedule(deployed.tableName)).activeAt('web', Date.now())).toBeUndefined();
  });

  it('a stage with no table in that region: exit 1, and the line asks whether the stage is deployed there', async () => {
    expect(await line(['start', 'all', '--stage', 'not-deployed', '--region', 'eu-west-1'], 1, awsEnv())).toBe(
      'maintenance: no table uptime-monitor-not-deployed in eu-west-1: is stage not-deployed deployed there? (--region)',
    );
  });

  it('no AWS credentials: exit 1, and the line says so', async () => {
    const { AWS_ENDPOINT_URL_DYNAMODB } = awsEnv();
    const text = await line(['stop', 'all', '--stage', stage], 1, { AWS_ENDPOINT_URL_DYNAMODB: AWS_ENDPOINT_URL_DYNAMODB as string });
    expect(text).toMatch(/^maintenance: CredentialsProviderError: .*: no valid AWS credentials for stage \S+; set AWS_PROFILE, or sign in/);
  });
});

describe('npm run maintenance, failures', () => {
  it('DynamoDB Local not listening: exit 1, one line asking whether npm start is running; the same for stop', async () => {
    const port = await freePort();
    for (const args of [['start', 'api'], ['stop', 'all']]) {
      expect(await line(args, 1, { DYNAMODB_PORT: String(port) })).toBe(
        `maintenance: cannot reach DynamoDB Local at http://127.0.0.1:${port} (Error: connect ECONNREFUSED 127.0.0.1:${port}): is npm start running? (DYNAMODB_PORT is its port)`,
      );
    }
  });

  it('DynamoDB Local without npm start\'s table: exit 1, npm start creates it (AWS_ENDPOINT_URL_DYNAMODB before DYNAMODB_PORT)', async () => {
    await client.send(new DeleteTableCommand({ TableName: LOCAL_TABLE }));
    try {
      expect(await line(['start', 'api', '--stage', 'local'], 1, { AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dynamoDbPort}`, DYNAMODB_PORT: '1' })).toBe(
        `maintenance: DynamoDB Local at http://127.0.0.1:${dynamoDbPort} has no table uptime-monitor-local: npm start creates it; run it once`,
      );
    } finally {
      await client.send(new CreateTableCommand(tableDefinition(LOCAL_TABLE)));
    }
  });

  it('a monitors file that is not valid: exit 1, its error on one line', async () => {
    const bad = path.join(dir, 'bad.yml');
    writeFileSync(bad, 'notify:\n  from: monitor@example.com\n  to: [oncall@example.com]\nmonitors: []\n');
    expect(await line(['start', 'all', '--config', bad], 1)).toBe('maintenance: bad.yml: monitors: must list at least one monitor');
  });
});

describe('npm run maintenance, bad input: one line, exit 2, nothing written', () => {
  afterEach(async () => {
    expect(await storedWindows(LOCAL_TABLE)).toEqual([]);
  });

  it('--help prints the usage and exits 0, from its own process as npm runs it', async () => {
    const run = await spawned(['--help']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage: npm run maintenance -- start ID\|all \[DURATION\]/);
    expect(run.stdout).toContain('no outage, recovery or reminder alert goes out');
  });

  // What a user mistypes most, through the CLI (a process each, so a few): the exit code and the line.
  it.each([
    [['start', 'apx'], 'unknown monitor "apx" in monitors.yml; the monitors are api, web, db, demo (or all)'],
    [['stop', 'apx'], 'unknown monitor "apx" in monitors.yml; the monitors are api, web, db, demo (or all)'],
    [['start', 'api', 'soon'], '"soon" is not a duration such as 30m, 2h or 1d'],
  ])('%j: %s', async (args, message) => {
    expect(await line(args, 2)).toBe(`maintenance: ${message}`);
  });

  // The other usage errors take the same path (a UsageError, printed as one line with exit 2):
  // checked on the options reader itself, without a process each.
  it.each([
    [[], 'a command is required: start or stop; see --help'],
    [['open', 'api'], 'unknown command "open": start or stop; see --help'],
    [['start'], 'start needs a monitor id or all: start ID|all; see --help'],
    [['start', 'api', '1h', 'now'], 'unexpected argument "now": start ID|all [DURATION]; see --help'],
    [['start', 'api', '--durtion', '1h'], 'unknown option "--durtion"; see --help'],
    [['stop'], 'stop needs a monitor id or all: stop ID|all; see --help'],
    [['start', 'api', '30s'], 'duration "30s" must be between 1m and 31d'],
    [['start', 'api', '32d'], 'duration "32d" must be between 1m and 31d'],
    [['start', 'api', '-5m'], 'unknown option "-5m"; see --help'],
    [['stop', 'api', '1h'], 'stop takes no duration ("1h"): stop ID|all ends the window now'],
    [['stop', 'all', '--name', 'x'], '--name applies to start only'],
    [['start', 'api', '--name', '  '], '--name must not be blank'],
    [['start', 'api', '--name', 'two\nlines'], '--name must be one line, without control characters'],
    [['start', 'api', '--name', 'x'.repeat(201)], '--name must be at most 200 characters'],
    [['start', 'api', '--name'], '--name needs a value; see --help'],
    [['start', 'api', '--stage', 'a', '--stage', 'b'], '--stage is given twice'],
    [['start', 'api', '--stage', 'prod_1'], '--stage "prod_1" is not a stage name (letters, digits and -)'],
    [['start', 'api', '--region', 'eu-west-1'], '--region applies to a deployed stage only (--stage NAME)'],
    [['start', 'api', '--stage', 'prod', '--region', 'Europe'], '--region "Europe" is not an AWS region such as eu-west-1'],
  ])('%j is a usage error: %s', (args, message) => {
    expect(() => readMaintenanceOptions(args, {}, ROOT)).toThrow(new UsageError(message));
  });

  it('the options reader: start api 90m --name=Deploy --stage prod, region from AWS_DEFAULT_REGION, the monitors file from --config', () => {
    expect(readMaintenanceOptions(['start', 'api', '90m', '--name=Deploy', '--stage', 'prod', '--config', 'x.yml'], { AWS_DEFAULT_REGION: 'eu-central-1', MONITORS_FILE: 'y.yml' }, '/w')).toEqual({
      help: false,
      options: {
        action: { command: 'start', target: { all: false, monitorId: 'api' }, durationMs: 90 * MINUTE_MS, name: 'Deploy' },
        table: { stage: 'prod', tableName: 'uptime-monitor-prod', region: 'eu-central-1' },
        monitorsFile: path.resolve('/w', 'x.yml'),
      },
    });
    expect(readMaintenanceOptions(['stop', 'all'], {}, '/w')).toEqual({
      help: false,
      options: { action: { command: 'stop', target: { all: true } }, table: { stage: 'local', tableName: 'uptime-monitor-local', endpoint: 'http://127.0.0.1:8000' }, monitorsFile: path.resolve('/w', 'monitors.yml') },
    });
  });

  it('a bad DYNAMODB_PORT is a usage error too', async () => {
    expect(await line(['start', 'api'], 2, { DYNAMODB_PORT: '70000' })).toBe('maintenance: environment variable DYNAMODB_PORT: "70000" is not a TCP port');
  });
});
