import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTargetServer, type TargetServer } from '../support/target-server';
import { NpmStart, descendantsOf, freeStackPorts, isAlive, portIsFree, spawnNpmStart, type LocalStackPorts, type NpmStartOptions } from './local-stack-harness';

/**
 * What a user does: `npm start` with a 2 s interval against a target of the test's own, then flip
 * the target and watch only the public interfaces (the HTTP API and the SES emulator's /store).
 */
jest.setTimeout(180_000);

const INTERVAL_S = 2;

interface StoredEmail {
  subject: string;
  body: { text?: string; html?: string };
  destination: { to: string[] };
}

let target: TargetServer;
let dataDir: string;
let ports: LocalStackPorts;
let stack: NpmStart | undefined;

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return (await response.json()) as T;
}

const emails = async () => (await getJson<{ emails: StoredEmail[] }>(`http://127.0.0.1:${ports.ses}/store`)).emails;
const monitor = async () =>
  getJson<{ status: string; failuresInRow?: number; counters?: unknown }>(`http://127.0.0.1:${ports.api}/monitors/shop`);

function running(): NpmStart {
  if (!stack) throw new Error('npm start is not running');
  return stack;
}

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> =>
  running().waitFor(what, probe, timeoutMs);

beforeAll(async () => {
  target = await startTargetServer('ok');
  dataDir = mkdtempSync(path.join(tmpdir(), 'uptime-e2e-'));
  ports = await freeStackPorts();
  const monitorsFile = path.join(dataDir, 'monitors.yml');
  writeFileSync(
    monitorsFile,
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - id: shop
    name: Shop API
    url: ${target.url}
    timeout: 1s
    expect: { json: { status: OK } }
`,
  );
  monitorsPath = monitorsFile;
  await startStack();
});

let monitorsPath: string;

const npmStartOptions = (monitorsFile: string): NpmStartOptions => ({ monitorsFile, ports, dataDir, intervalSeconds: INTERVAL_S });

/** Runs `npm start` to completion and returns its exit code and output. */
function runNpmStart(monitorsFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawnNpmStart(npmStartOptions(monitorsFile));
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output: text }));
  });
}

async function startStack(): Promise<number> {
  const startedAt = Date.now();
  stack = await NpmStart.start(npmStartOptions(monitorsPath));
  return Date.now() - startedAt;
}

/**
 * Ctrl-C: SIGINT to the whole process group, as a terminal sends it. Resolves with the time until
 * npm exited and every port the stack listened on was closed.
 */
async function interruptStack(): Promise<number> {
  const stoppedAt = Date.now();
  process.kill(-running().pid, 'SIGINT');
  await running().exited();
  await waitFor(
    'every port to close',
    async () => ((await Promise.all([ports.api, ports.ses, ports.dynamoDb].map(portIsFree))).every(Boolean) ? true : undefined),
    10_000,
  );
  return Date.now() - stoppedAt;
}

afterAll(async () => {
  stack?.killGroup();
  await target.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('establishes the monitor and answers the API', async () => {
    expect(await getJson<{ status: string }>(`http://127.0.0.1:${ports.api}/health`)).toEqual({ status: 'UP' });
    await waitFor('the monitor to be UP', async () => ((await monitor()).status === 'UP' ? true : undefined));
    expect(await emails()).toEqual([]);
  });

  it('sends no email after a single failed check', async () => {
    const before = target.requests;
    target.failNext = 1;
    await waitFor('the failed check and two more good ones', async () =>
      target.failNext === 0 && target.requests >= before + 3 ? true : undefined,
    );
    expect(await emails()).toEqual([]);
    expect((await monitor()).status).toBe('UP');
  });

  it('sends exactly one outage email after two failed checks', async () => {
    const failingFrom = Date.now();
    target.behaviour = 'error';
    const [outage] = await waitFor('the outage email', async () => {
      const sent = await emails();
      return sent.length > 0 ? sent : undefined;
    });
    console.log(`detection: target failing to outage email in ${Date.now() - failingFrom} ms at a ${INTERVAL_S} s interval`);
    expect(outage?.subject).toBe('[DOWN] Shop API');
    expect(outage?.destination.to).toEqual(['oncall@example.com']);
    const requests = target.requests;
    await waitFor('three more failed checks', async () => (target.requests >= requests + 3 ? true : undefined));
    expect((await emails()).map((email) => email.subject)).toEqual(['[DOWN] Shop API']);
    expect((await monitor()).status).toBe('DOWN');
  });

  // Stopped as scripts and process managers stop it: SIGTERM to the npm process alone, not to its
  // group (Ctrl-C, to the whole group, ends this stack's second life below).
  it('stops on SIGTERM to npm alone during the outage within 10 seconds: every process it started exits and every port closes', async () => {
    const processes = descendantsOf(running().pid);
    expect(processes.some((candidate) => candidate.args.includes('DynamoDBLocal.jar'))).toBe(true);
    expect(processes.some((candidate) => candidate.args.includes(`--httpPort ${ports.api}`))).toBe(true);
    const stoppedAt = Date.now();
    process.kill(running().pid, 'SIGTERM');
    await running().exited();
    const left = await waitFor(
      'every process npm start started to exit and every port to close',
      async () => {
        const alive = processes.filter((candidate) => isAlive(candidate.pid));
        const busy = (await Promise.all([ports.api, ports.ses, ports.dynamoDb].map(portIsFree))).some((free) => !free);
        return alive.length === 0 && !busy ? alive : undefined;
      },
      10_000,
    );
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(left).toEqual([]);
    expect(running().exitCode).toBe(0);
  });

  it('keeps the outage across a restart and sends no second outage email', async () => {
    const startupMs = await startStack();
    console.log(`start-up: ${startupMs} ms to the banner (restart, warm)`);
    expect((await monitor()).status).toBe('DOWN');
    const requests = target.requests;
    await waitFor('three failed checks after the restart', async () => (target.requests >= requests + 3 ? true : undefined));
    expect((await monitor()).status).toBe('DOWN');
    // The SES emulator starts empty with each npm start: any email now would be a second one.
    expect(await emails()).toEqual([]);
  });

  it('refuses a second copy at once, naming the busy port', async () => {
    const second = await runNpmStart(monitorsPath);
    expect(second.code).not.toBe(0);
    expect(second.output).toContain(`port ${ports.api} (API_PORT) is already in use`);
  });

  it('sends exactly one recovery email naming the outage length', async () => {
    target.behaviour = 'ok';
    const [recovery] = await waitFor('the recovery email', async () => {
      const all = await emails();
      return all.length > 0 ? all : undefined;
    });
    expect(recovery?.subject).toMatch(/^\[UP\] Shop API recovered after (\d+m )?\d+s$/);
    const requests = target.requests;
    await waitFor('two more good checks', async () => (target.requests >= requests + 2 ? true : undefined));
    expect(await emails()).toHaveLength(1);
    expect((await monitor()).status).toBe('UP');
  });

  it('reports uptime strictly between 0 and 100 and one closed incident', async () => {
    const uptime = await getJson<{ uptimePercent: number; outages: number }>(
      `http://127.0.0.1:${ports.api}/monitors/shop/uptime?window=1h`,
    );
    expect(uptime.uptimePercent).toBeGreaterThan(0);
    expect(uptime.uptimePercent).toBeLessThan(100);
    expect(uptime.outages).toBe(1);
    const { incidents } = await getJson<{ incidents: { endedAt: string | null; durationSeconds: number }[] }>(
      `http://127.0.0.1:${ports.api}/monitors/shop/incidents`,
    );
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.endedAt).not.toBeNull();
    expect(incidents[0]?.durationSeconds).toBeGreaterThan(0);
  });

  it('serves the status page and a badge', async () => {
    const page = await fetch(`http://127.0.0.1:${ports.api}/`, { signal: AbortSignal.timeout(5000) });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('Shop API');
    const badge = await fetch(`http://127.0.0.1:${ports.api}/badges/shop/status.svg`, { signal: AbortSignal.timeout(5000) });
    expect(badge.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await badge.text()).toMatch(/\bup\b/);
  });

  it('stops everything on Ctrl-C within 10 seconds and leaves no port listening and no process behind', async () => {
    expect(await interruptStack()).toBeLessThan(10_000);
    for (const port of [ports.api, ports.ses, ports.dynamoDb]) expect(await portIsFree(port)).toBe(true);
    // DynamoDB Local is started with its data directory and serverless-offline with the API port.
    const leftovers = await waitFor('the stack processes to exit', async () => {
      const running = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes(dataDir) || line.includes(`--httpPort ${ports.api}`));
      return running.length === 0 ? running : undefined;
    }, 10_000);
    expect(leftovers).toEqual([]);
  });
});

describe('npm start with a bad monitors file', () => {
  it('stops before anything starts, with the validation message and a non-zero exit code', async () => {
    const bad = path.join(dataDir, 'bad.yml');
    writeFileSync(bad, 'notify: { from: monitor@example.com, to: [oncall@example.com] }\nmonitors:\n  - { id: shop, url: "not a url" }\n');
    const result = await runNpmStart(bad);
    expect(result.code).toBe(1);
    expect(result.output).toContain('bad.yml: monitors[0] (shop).url: must be an http:// or https:// URL');
    expect(result.output).not.toContain('is running locally');
    for (const port of [ports.api, ports.ses, ports.dynamoDb]) expect(await portIsFree(port)).toBe(true);
  });

  it('stops before anything starts when a secret reference has no value, naming the field and the reference', async () => {
    const file = path.join(dataDir, 'secret.yml');
    writeFileSync(
      file,
      'notify: { from: monitor@example.com, to: [oncall@example.com] }\nmonitors:\n' +
        '  - { id: shop, url: "http://127.0.0.1:9/x", headers: { Authorization: { ssm: /uptime/local/missing }, X-Token: { env: UPTIME_TEST_UNSET_TOKEN } } }\n',
    );
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawnNpmStart({ ...npmStartOptions(file), env: { SECRETS_FILE: path.join(dataDir, 'no-secrets.yml') } });
      let text = '';
      child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.once('exit', (code) => resolve({ code, output: text }));
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain("secret.yml: monitors[0] (shop).headers.Authorization: ssm:/uptime/local/missing: no-secrets.yml has no ssm entry '/uptime/local/missing'");
    expect(result.output).toContain('secret.yml: monitors[0] (shop).headers.X-Token: env:UPTIME_TEST_UNSET_TOKEN: the environment variable UPTIME_TEST_UNSET_TOKEN is not set');
    expect(result.output).not.toContain('is running locally');
  });
});
