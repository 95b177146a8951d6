import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTargetServer, type TargetServer } from '../support/target-server';
import { NpmStart, freeStackPorts, type LocalStackPorts } from './local-stack-harness';

/**
 * Maintenance windows and dependencies through the real local stack (`npm start`, one start for
 * the file), watched only through the public interfaces: the HTTP API and the SES emulator.
 *
 * - `web` has a one-off window that opens once it is established; its target fails from the
 *   window's start on. Inside the window: no email, the API shows the window. After it: one
 *   outage email, and the window's time is left out of its uptime.
 * - `batch` has a recurring window (a cron in Asia/Kolkata, +05:30) open from the start; its
 *   target fails throughout. Nothing inside the window; one outage email after it.
 * - `db` and `api` (which depends on db) fail together: one email, db's, naming the API. db
 *   recovers, the API does not: db's recovery, then the API's own outage email. Then the API
 *   recovers: its recovery email.
 */
jest.setTimeout(240_000);

const INTERVAL_S = 2;
const MINUTE = 60_000;

interface StoredEmail {
  subject: string;
  body: { text?: string; html?: string };
}

let targets: Record<'web' | 'batch' | 'db' | 'api', TargetServer>;
let dataDir: string;
let ports: LocalStackPorts;
let stack: NpmStart | undefined;
/** When web's window opens and when it closes; when batch's window closes. */
let webWindow: { start: number; end: number };
let batchWindowEnd: number;

const api = (route: string) => `http://127.0.0.1:${ports.api}${route}`;
const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url, { signal: AbortSignal.timeout(5000) })).json()) as T;
const emails = async () => (await getJson<{ emails: StoredEmail[] }>(`http://127.0.0.1:${ports.ses}/store`)).emails;
const subjects = async () => (await emails()).map((email) => email.subject);
/** The subjects about db and the API only (the windows' emails come when they come). */
const dependencySubjects = async () => (await subjects()).filter((subject) => subject.includes('Database') || subject.includes('Payments API'));
const monitorView = (id: string) => getJson<{ status: string; maintenance: { name: string; until: string } | null; heldBy: string | null }>(api(`/monitors/${id}`));
const statusPage = async () => (await fetch(api('/'), { signal: AbortSignal.timeout(5000) })).text();
/**
 * Keeps a copy of what a person would have seen (the status page's HTML) in UPTIME_E2E_SAVE, when
 * set: a run's pages, to look at or screenshot afterwards.
 */
const savePage = (name: string, html: string) => {
  if (process.env.UPTIME_E2E_SAVE) writeFileSync(path.join(process.env.UPTIME_E2E_SAVE, `${name}.html`), html);
};
const sleepUntil = (epochMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));

function running(): NpmStart {
  if (!stack) throw new Error('npm start is not running');
  return stack;
}
const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> => running().waitFor(what, probe, timeoutMs);
const waitForSubject = (subject: string, timeoutMs?: number) =>
  waitFor(`the email '${subject}'`, async () => ((await subjects()).includes(subject) ? true : undefined), timeoutMs);

/** The local hour and minute of an instant in a time zone. */
function wallClock(epochMs: number, timeZone: string): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(epochMs));
  const part = (type: string) => Number(parts.find((candidate) => candidate.type === type)?.value);
  return { hour: part('hour'), minute: part('minute') };
}

beforeAll(async () => {
  targets = {
    web: await startTargetServer('ok'),
    batch: await startTargetServer('error'),
    db: await startTargetServer('ok'),
    api: await startTargetServer('ok'),
  };
  dataDir = mkdtempSync(path.join(tmpdir(), 'uptime-calm-'));
  ports = await freeStackPorts();
  const now = Date.now();
  // batch's window: daily at the current minute in Kolkata, long enough to outlast npm start's start-up.
  const minuteStart = Math.floor(now / MINUTE) * MINUTE;
  const batchMinutes = Math.ceil((now + 70_000 - minuteStart) / MINUTE);
  batchWindowEnd = minuteStart + batchMinutes * MINUTE;
  const { hour, minute } = wallClock(minuteStart, 'Asia/Kolkata');
  // web's window: a minute, from when web has surely been established.
  webWindow = { start: now + 55_000, end: now + 55_000 + MINUTE };
  const monitorsFile = path.join(dataDir, 'monitors.yml');
  writeFileSync(
    monitorsFile,
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
maintenance:
  - { name: Database upgrade, monitors: [web], start: "${new Date(webWindow.start).toISOString()}", duration: 1m }
  - { name: Nightly batch, monitors: [batch], cron: "${minute} ${hour} * * *", timezone: Asia/Kolkata, duration: ${batchMinutes}m }
monitors:
  - { id: web, name: Web shop, url: "${targets.web.url}", timeout: 1s }
  - { id: batch, name: Batch API, url: "${targets.batch.url}", timeout: 1s }
  - { id: db, name: Database, url: "${targets.db.url}", timeout: 1s }
  - { id: api, name: Payments API, url: "${targets.api.url}", timeout: 1s, dependsOn: [db] }
`,
  );
  stack = await NpmStart.start({ monitorsFile, ports, dataDir, intervalSeconds: INTERVAL_S });
});

afterAll(async () => {
  stack?.killGroup();
  await Promise.all(Object.values(targets).map((target) => target.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start with maintenance windows and dependencies', () => {
  it('sends nothing for a monitor failing inside its recurring window, and shows the window', async () => {
    await waitFor('db, api and web to be UP', async () =>
      (await Promise.all(['db', 'api', 'web'].map(monitorView))).every((view) => view.status === 'UP') ? true : undefined,
    );
    const batch = await monitorView('batch');
    expect(batch.maintenance).toEqual({ name: 'Nightly batch', until: new Date(batchWindowEnd).toISOString() });
    expect(batch.status).toBe('UNKNOWN');
    expect(await emails()).toEqual([]);
  });

  it('sends one alert for a parent and its dependent failing together, then the dependent\'s own once the parent is back', async () => {
    targets.db.behaviour = 'error';
    targets.api.behaviour = 'error';
    await waitForSubject('[DOWN] Database');
    await waitFor('the API to be DOWN, held by db', async () => ((await monitorView('api')).heldBy === 'db' ? true : undefined));
    const [outage] = (await emails()).filter((email) => email.subject === '[DOWN] Database');
    expect(outage?.body.text).toContain('Also affected: Payments API');
    expect(await dependencySubjects()).toEqual(['[DOWN] Database']);
    // The page's first request: nothing cached yet, so it shows the hold.
    const page = await statusPage();
    expect(page).toContain('<p class="held">Down with Database, which it depends on</p>');
    savePage('dependency-held', page);

    targets.db.behaviour = 'ok';
    await waitForSubject('[DOWN] Payments API');
    const sent = await dependencySubjects();
    expect(sent.filter((subject) => subject.includes('Database'))).toEqual(['[DOWN] Database', expect.stringMatching(/^\[UP\] Database/)]);
    expect(sent.indexOf('[DOWN] Payments API')).toBeGreaterThan(sent.findIndex((subject) => subject.startsWith('[UP] Database')));
    expect((await monitorView('api')).heldBy).toBeNull();

    targets.api.behaviour = 'ok';
    await waitFor('the API recovery email', async () => ((await subjects()).some((subject) => subject.startsWith('[UP] Payments API')) ? true : undefined));
  });

  it('keeps quiet while a one-off window is open, and sends one outage email after it', async () => {
    await sleepUntil(webWindow.start + 1000);
    expect((await monitorView('web')).maintenance).toEqual({ name: 'Database upgrade', until: new Date(webWindow.end).toISOString() });
    targets.web.behaviour = 'error';
    const before = targets.web.requests;
    await waitFor('three failed checks of web inside its window', async () => (targets.web.requests >= before + 3 ? true : undefined));
    expect(await monitorView('web')).toMatchObject({ status: 'UP', maintenance: { name: 'Database upgrade' } });
    expect((await subjects()).filter((subject) => subject.includes('Web shop'))).toEqual([]);
    const page = await statusPage();
    expect(page).toContain('Database upgrade');
    savePage('maintenance-open', page);

    await sleepUntil(webWindow.end);
    await waitForSubject('[DOWN] Web shop');
    const uptime = await getJson<{ maintenanceSeconds: number; uptimePercent: number | null }>(api('/monitors/web/uptime?window=1h'));
    // The minute of maintenance is left out of the uptime: neither up nor down.
    expect(uptime.maintenanceSeconds).toBeGreaterThan(55);
    expect(uptime.maintenanceSeconds).toBeLessThanOrEqual(60);
  });

  it('sends one outage email for the monitor that failed through its recurring window, once the window is over', async () => {
    await sleepUntil(batchWindowEnd);
    await waitForSubject('[DOWN] Batch API');
    expect((await monitorView('batch')).maintenance).toBeNull();
    const requests = targets.batch.requests;
    await waitFor('three more failed checks of batch', async () => (targets.batch.requests >= requests + 3 ? true : undefined));
    expect((await subjects()).filter((subject) => subject.includes('Batch API') || subject.includes('Web shop'))).toEqual(
      expect.arrayContaining(['[DOWN] Batch API', '[DOWN] Web shop']),
    );
    expect((await subjects()).filter((subject) => subject.includes('Batch API') || subject.includes('Web shop'))).toHaveLength(2);
    // What was received, in order, for the log.
    console.log((await emails()).map((email) => `${email.subject}\n${email.body.text ?? ''}`).join('\n---\n'));
  });
});
