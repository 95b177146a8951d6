import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NpmStart, freeStackPorts, type LocalStackPorts } from './local-stack-harness';

/**
 * Heartbeats as a job sends them, through the HTTP API under `npm start` (one start for the whole
 * file): `backup` (a literal token, 10 s interval, no grace) pinged on time, then left to go
 * silent; `nightly` (its token `{ env: NIGHTLY_TOKEN }`) and `etl` (an `ssm` reference, from
 * secrets.local.yml) pinged with GET and POST, and `etl` told of a failure (`/fail`).
 */
jest.setTimeout(180_000);

const INTERVAL_S = 2;
const TOKENS = { backup: 'backup-token-0123456789', nightly: 'nightly-token-0123456789', etl: 'etl-token-0123456789ab' };

let dataDir: string;
let ports: LocalStackPorts;
let stack: NpmStart | undefined;

function running(): NpmStart {
  if (!stack) throw new Error('npm start is not running');
  return stack;
}

const api = (route: string) => `http://127.0.0.1:${ports.api}${route}`;
const ping = (token: string, options: { fail?: boolean; method?: 'GET' | 'POST' } = {}) =>
  fetch(api(`/ping/${token}${options.fail ? '/fail' : ''}`), { method: options.method ?? 'GET', signal: AbortSignal.timeout(10_000) });
const statusOf = async (id: string) => ((await (await fetch(api(`/monitors/${id}`), { signal: AbortSignal.timeout(5000) })).json()) as { status: string }).status;
/** The handlers' JSON log lines npm start printed (it prints them whole when its output is not a terminal). */
const logged = (message: string, fields: Record<string, string>) =>
  running()
    .output.split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line.trim()) as Record<string, unknown>];
      } catch {
        return [];
      }
    })
    .filter((line) => line.message === message && Object.entries(fields).every(([name, value]) => line[name] === value));
const waitForStatus = (id: string, status: string, timeoutMs = 40_000) =>
  running().waitFor(`${id} to be ${status}`, async () => ((await statusOf(id)) === status ? true : undefined), timeoutMs);

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'uptime-heartbeats-'));
  ports = await freeStackPorts();
  const monitorsFile = path.join(dataDir, 'monitors.yml');
  writeFileSync(
    monitorsFile,
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
defaults: { failureThreshold: 1, successThreshold: 1 }
monitors:
  - { id: backup, type: heartbeat, interval: 10s, grace: 0s, token: ${TOKENS.backup} }
  - { id: nightly, type: heartbeat, interval: 1h, token: { env: NIGHTLY_TOKEN } }
  - { id: etl, type: heartbeat, interval: 1h, token: { ssm: /uptime/local/etl-token } }
`,
  );
  const secretsFile = path.join(dataDir, 'secrets.local.yml');
  writeFileSync(secretsFile, `ssm:\n  /uptime/local/etl-token: ${TOKENS.etl}\n`);
  stack = await NpmStart.start({
    monitorsFile,
    ports,
    dataDir,
    intervalSeconds: INTERVAL_S,
    env: { SECRETS_FILE: secretsFile, NIGHTLY_TOKEN: TOKENS.nightly },
  });
});

afterAll(async () => {
  if (stack) {
    stack.process.kill('SIGINT');
    await stack.exited(20_000).catch(() => undefined);
    stack.killGroup();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('heartbeats through the HTTP API under npm start', () => {
  it('takes pings on time (GET and POST), a token from the environment and one from secrets.local.yml', async () => {
    const answers = await Promise.all([ping(TOKENS.backup), ping(TOKENS.nightly, { method: 'POST' }), ping(TOKENS.etl)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    for (const answer of answers) expect(await answer.text()).not.toMatch(/token/);
    await Promise.all(['backup', 'nightly', 'etl'].map((id) => waitForStatus(id, 'UP')));
    expect(logged('ping recorded', { monitorId: 'nightly', kind: 'ok' }).length).toBeGreaterThan(0);
  });

  it('answers an unknown token with a 404 that says nothing of it', async () => {
    const [unknown, near] = await Promise.all([ping('no-such-token-000000000'), ping(`${TOKENS.backup}x`, { method: 'POST' })]);
    expect([unknown.status, near.status]).toEqual([404, 404]);
    const [unknownBody, nearBody] = [await unknown.text(), await near.text()];
    expect(unknownBody).toBe(nearBody);
    expect(unknownBody).not.toMatch(/no-such|backup/);
  });

  it('takes a fail ping: DOWN (fail-signal) until the next ping', async () => {
    expect((await ping(TOKENS.etl, { fail: true, method: 'POST' })).status).toBe(200);
    await waitForStatus('etl', 'DOWN');
    expect(logged('check failed', { monitorId: 'etl', reason: 'fail-signal' }).length).toBeGreaterThan(0);
    expect((await ping(TOKENS.etl)).status).toBe(200);
    await waitForStatus('etl', 'UP');
  });

  it('goes DOWN (no-ping) when the pings stop for longer than the interval and grace, and recovers with a late one', async () => {
    // Pinged again now: whatever time the tests before took, it is UP, then silent for good.
    expect((await ping(TOKENS.backup, { method: 'POST' })).status).toBe(200);
    await waitForStatus('backup', 'UP');
    await waitForStatus('backup', 'DOWN', 30_000);
    expect(logged('check failed', { monitorId: 'backup', reason: 'no-ping' }).length).toBeGreaterThan(0);
    expect((await ping(TOKENS.backup)).status).toBe(200);
    await waitForStatus('backup', 'UP');
    // No token was printed: pings are logged by monitor.
    for (const token of Object.values(TOKENS)) expect(running().output).not.toContain(token);
  });
});
