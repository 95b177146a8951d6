import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { answerOk, answerUnavailable, listenOnLoopback } from '../support/http-answers';
import { NpmStart, freeStackPorts, type LocalStackPorts } from './local-stack-harness';

/**
 * Multi-region confirmation through the real local stack, as a user runs it: `npm start` with
 * `confirm: {regions: [eu-west-1, ap-southeast-1]}` runs a confirmer for each region, and every
 * vantage point probes from a loopback address of its own (home 127.0.0.1, eu-west-1 127.0.0.2,
 * ap-southeast-1 127.0.0.3). The target on 127.0.0.1 fails only for the source addresses the test
 * picks, and only the public interfaces are watched: the HTTP API and the SES emulator.
 *
 * - Failing for the home region alone: a regional failure (no quorum of the 3 vantage points):
 *   the API shows it with each vantage point's view, the monitor stays UP, no email.
 * - Failing for the home region and eu-west-1: 2 of 3, the quorum: one outage email.
 * - Healthy again: one recovery email.
 */
jest.setTimeout(300_000);

const INTERVAL_S = 2;
const HOME = { region: 'us-east-1', address: '127.0.0.1' };
const EU = { region: 'eu-west-1', address: '127.0.0.2' };
const ASIA = { region: 'ap-southeast-1', address: '127.0.0.3' };

interface StoredEmail {
  subject: string;
}

interface MonitorView {
  status: string;
  regional: { since: string; checkedAt: string } | null;
  vantage: Array<{ region: string; ok: boolean | null; reason?: string | null; latencyMs?: number | null }>;
}

/** A health endpoint on 127.0.0.1 that answers 503 to requests from the addresses in `failingFor`, and counts requests by address. */
interface SplitTarget {
  url: string;
  failingFor: Set<string>;
  requestsFrom: Map<string, number>;
  close(): Promise<void>;
}

async function startSplitTarget(): Promise<SplitTarget> {
  const failingFor = new Set<string>();
  const requestsFrom = new Map<string, number>();
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const from = request.socket.remoteAddress ?? '';
    requestsFrom.set(from, (requestsFrom.get(from) ?? 0) + 1);
    request.resume();
    if (failingFor.has(from)) answerUnavailable(response);
    else answerOk(response);
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/health`,
    failingFor,
    requestsFrom,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let target: SplitTarget;
let dataDir: string;
let ports: LocalStackPorts;
let stack: NpmStart | undefined;

const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url, { signal: AbortSignal.timeout(5000) })).json()) as T;
const subjects = async () => (await getJson<{ emails: StoredEmail[] }>(`http://127.0.0.1:${ports.ses}/store`)).emails.map((email) => email.subject);
const monitor = () => getJson<MonitorView>(`http://127.0.0.1:${ports.api}/monitors/shop`);

function running(): NpmStart {
  if (!stack) throw new Error('npm start is not running');
  return stack;
}
const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => running().waitFor(what, probe, timeoutMs);

/** Fails the target for exactly these vantage points (none: healthy for all). */
function failFor(...vantagePoints: Array<{ address: string }>): void {
  target.failingFor.clear();
  for (const { address } of vantagePoints) target.failingFor.add(address);
}

/** Waits until the home region has checked the target `count` more times. */
async function homeChecks(count: number): Promise<void> {
  const seen = target.requestsFrom.get(HOME.address) ?? 0;
  await waitFor(`${count} more home checks`, async () => ((target.requestsFrom.get(HOME.address) ?? 0) >= seen + count ? true : undefined));
}

beforeAll(async () => {
  target = await startSplitTarget();
  dataDir = mkdtempSync(path.join(tmpdir(), 'uptime-confirm-'));
  ports = await freeStackPorts();
  const monitorsFile = path.join(dataDir, 'monitors.yml');
  writeFileSync(
    monitorsFile,
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
confirm: { regions: [${EU.region}, ${ASIA.region}] }
defaults: { failureThreshold: 2, successThreshold: 2 }
monitors:
  - id: shop
    name: Shop API
    url: ${target.url}
    timeout: 1s
    expect: { json: { status: OK } }
`,
  );
  stack = await NpmStart.start({ monitorsFile, ports, dataDir, intervalSeconds: INTERVAL_S });
});

afterAll(async () => {
  await stack?.stop();
  await target.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start with confirm', () => {
  it('runs a confirmer for each configured region and names them in the banner', async () => {
    expect(running().output).toMatch(/eu-west-1 probes from 127\.0\.0\.2/);
    expect(running().output).toMatch(/ap-southeast-1 probes from 127\.0\.0\.3/);
    await waitFor('the monitor to be UP', async () => ((await monitor()).status === 'UP' ? true : undefined));
    expect(await monitor()).toMatchObject({ regional: null, vantage: [] });
  });

  it('records a failure seen from the home region alone as regional: UP, no email', async () => {
    failFor(HOME);
    const view = await waitFor('a regional failure', async () => {
      const current = await monitor();
      return current.regional !== null ? current : undefined;
    });
    expect(view.status).toBe('UP');
    expect(view.regional).toEqual({ since: expect.any(String), checkedAt: expect.any(String) });
    expect(view.vantage).toEqual([
      expect.objectContaining({ region: HOME.region, ok: false }),
      expect.objectContaining({ region: EU.region, ok: true }),
      expect.objectContaining({ region: ASIA.region, ok: true }),
    ]);
    expect(view.vantage[0]?.reason).toEqual(expect.any(String));
    // Each confirmer checked from its own address, and the target answered it.
    expect(target.requestsFrom.get(EU.address)).toBeGreaterThan(0);
    expect(target.requestsFrom.get(ASIA.address)).toBeGreaterThan(0);
    await homeChecks(3);
    expect((await monitor()).status).toBe('UP');
    expect(await subjects()).toEqual([]);
  });

  it('clears the regional failure when the home region succeeds again', async () => {
    failFor();
    await waitFor('the regional failure to clear', async () => ((await monitor()).regional === null ? true : undefined));
    expect((await monitor()).status).toBe('UP');
  });

  it('sends exactly one outage email when a quorum (home and eu-west-1) fails', async () => {
    failFor(HOME, EU);
    await waitFor('the outage email', async () => ((await subjects()).length > 0 ? true : undefined));
    await homeChecks(3);
    expect(await subjects()).toEqual(['[DOWN] Shop API']);
    const view = await monitor();
    expect(view.status).toBe('DOWN');
    expect(view.regional).toBeNull();
    expect(view.vantage).toEqual([
      expect.objectContaining({ region: HOME.region, ok: false }),
      expect.objectContaining({ region: EU.region, ok: false }),
      expect.objectContaining({ region: ASIA.region, ok: true }),
    ]);
  });

  it('sends exactly one recovery email when the target is healthy again', async () => {
    failFor();
    await waitFor('the recovery email', async () => ((await subjects()).length > 1 ? true : undefined));
    await homeChecks(3);
    const sent = await subjects();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatch(/^\[UP\] Shop API recovered after (\d+m )?\d+s$/);
    expect((await monitor()).status).toBe('UP');
  });
});
