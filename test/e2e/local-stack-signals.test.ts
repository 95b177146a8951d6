/**
 * `npm start` stopped the way scripts, IDEs and process managers stop it: a signal to the npm
 * process alone (not to its process group, as a terminal's Ctrl-C does), or npm killed outright.
 * And `sls package` run beside it leaves it running, and packages nothing of it.
 */
import AdmZip from 'adm-zip';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTargetServer, type TargetServer } from '../support/target-server';
import { NpmStart, ROOT, descendantsOf, freeStackPorts, isAlive, portIsFree, type LocalStackPorts } from './local-stack-harness';

jest.setTimeout(240_000);

const INTERVAL_S = 2;
const SLS = path.join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');

let target: TargetServer;
let dataDir: string;
let monitorsFile: string;
let ports: LocalStackPorts;
const started: NpmStart[] = [];

beforeAll(async () => {
  target = await startTargetServer('ok');
  dataDir = mkdtempSync(path.join(tmpdir(), 'uptime-e2e-signals-'));
  monitorsFile = path.join(dataDir, 'monitors.yml');
  writeFileSync(
    monitorsFile,
    `notify: { from: monitor@example.com, to: [oncall@example.com] }\nmonitors:\n  - { id: shop, url: '${target.url}', timeout: 1s }\n`,
  );
});

afterAll(async () => {
  for (const stack of started) stack.killGroup();
  await target.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startStack(): Promise<NpmStart> {
  ports = await freeStackPorts();
  const stack = await NpmStart.start({ monitorsFile, ports, dataDir, intervalSeconds: INTERVAL_S });
  started.push(stack);
  return stack;
}

const workFolder = () => path.join(ROOT, '.esbuild-local', String(ports.api));
const stackPorts = () => [ports.api, ports.ses, ports.dynamoDb];

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Stops the stack with `stop`, then checks that every process npm had started and every port is gone. */
async function expectStopsEverything(stack: NpmStart, stop: () => void): Promise<void> {
  const processes = descendantsOf(stack.pid);
  // node (the script), Java (DynamoDB Local) and serverless-offline at least, each found by what it runs.
  expect(processes.some((candidate) => candidate.args.includes('tools/local/start.ts'))).toBe(true);
  expect(processes.some((candidate) => candidate.args.includes('DynamoDBLocal.jar'))).toBe(true);
  expect(processes.some((candidate) => candidate.args.includes(`--httpPort ${ports.api}`))).toBe(true);
  expect(existsSync(workFolder())).toBe(true);

  stop();
  await stack.exited(15_000);
  const left = await stack.waitFor(
    'every process npm start started to exit and every port to close',
    async () => {
      const running = processes.filter((candidate) => isAlive(candidate.pid));
      const busy = (await Promise.all(stackPorts().map(portIsFree))).some((free) => !free);
      return running.length === 0 && !busy ? running : undefined;
    },
    15_000,
  );
  expect(left).toEqual([]);
  for (const port of stackPorts()) expect(await portIsFree(port)).toBe(true);
  expect(existsSync(workFolder())).toBe(false);
}

// SIGTERM to npm alone stops local-stack.test.ts's stack mid-outage; SIGINT to npm alone ends the
// package stack below: each start of the stack costs the suite seconds of both cores.
describe('npm start stopped through the npm process alone', () => {
  it('stops everything when npm itself is killed (SIGKILL), within a few seconds', async () => {
    const stack = await startStack();
    await expectStopsEverything(stack, () => process.kill(stack.pid, 'SIGKILL'));
    expect(stack.output).toContain('the process that started it has gone; stopping the stack');
  });
});

describe('sls package while npm start runs', () => {
  let stack: NpmStart;
  let packageDir: string;
  let packaged: { code: number; output: string };

  beforeAll(async () => {
    stack = await startStack();
    await stack.waitFor('the monitor to be UP', async () =>
      (await getJson<{ status: string }>(`http://127.0.0.1:${ports.api}/monitors/shop`)).status === 'UP' ? true : undefined,
    );
    packageDir = path.join(dataDir, 'package');
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && name !== 'MONITORS_FILE'));
    packaged = await new Promise((resolve) => {
      execFile(
        process.execPath,
        [SLS, 'package', '--stage', 'dev', '--package', packageDir],
        { cwd: ROOT, timeout: 180_000, maxBuffer: 16 * 1024 * 1024, env: { ...env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', AWS_EC2_METADATA_DISABLED: 'true' } },
        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
  }, 240_000);

  it('packages', () => {
    expect(packaged).toEqual({ code: 0, output: expect.any(String) as string });
  });

  it('leaves the running stack its build, and it goes on checking and answering', async () => {
    expect(readdirSync(path.join(workFolder(), '.build', 'functions')).sort()).toEqual(
      ['api.js', 'api.js.map', 'notify.js', 'notify.js.map', 'ping.js', 'ping.js.map', 'probe.js', 'probe.js.map'],
    );
    const requests = target.requests;
    await stack.waitFor('two more checks after the package', async () => (target.requests >= requests + 2 ? true : undefined));
    target.behaviour = 'error';
    await stack.waitFor('the outage, seen through the API', async () =>
      (await getJson<{ status: string }>(`http://127.0.0.1:${ports.api}/monitors/shop`)).status === 'DOWN' ? true : undefined,
    );
    target.behaviour = 'ok';
  });

  it('packages nothing of the local stack: each zip holds its bundle, its map and its monitors file', () => {
    for (const name of ['probe', 'notify', 'api', 'ping']) {
      const entries = new AdmZip(path.join(packageDir, `${name}.zip`)).getEntries().map((entry) => entry.entryName).sort();
      // The probe ships monitors.yml; api and notify its copy without headers (deploy/public-monitors-file.ts).
      const monitorsFile = name === 'probe' ? 'monitors.yml' : expect.stringMatching(/^\.uptime-build\/monitors\.public\.[0-9a-f]{12}\.yml$/);
      expect(entries).toHaveLength(3);
      expect(entries).toEqual(expect.arrayContaining([`functions/${name}.js`, `functions/${name}.js.map`, monitorsFile]));
    }
  });

  it('then SIGINT to npm stops every process it started and frees every port', async () => {
    await expectStopsEverything(stack, () => process.kill(stack.pid, 'SIGINT'));
    expect(stack.exitCode).toBe(0);
  });
});
