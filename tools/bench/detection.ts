import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../local/free-port';
import { parseLogLine } from '../local/log-view';

const ROOT = path.join(__dirname, '..', '..');
const MONITOR_ID = 'bench-detect';
const POLL_MS = 50;

export interface DetectionOptions {
  /** LOCAL_PROBE_INTERVAL in seconds (one that divides a minute). */
  intervalS: number;
  /** How many outages to time. */
  rounds: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface DetectionRound {
  /** From the first failing check to the outage email being in the SES emulator, ms. */
  outageMs: number;
  /** Where the outage time went, ms after the first failing check: the probe logged the transition, the notifier the email. */
  outageSteps: { transitionLoggedMs?: number; emailLoggedMs?: number };
  /** From the first good check after the outage to the recovery email, ms. */
  recoveryMs: number;
}

export interface DetectionResult {
  intervalMs: number;
  rounds: DetectionRound[];
  /** The slowest outage email, in intervals. */
  worstIntervals: number;
  medianIntervals: number;
  startupMs: number;
}

interface SwitchableTarget {
  url: string;
  failing: boolean;
  /** When the last switch happened and when the first request after it arrived (epoch ms). */
  firstRequestSinceSwitch?: number;
  switchTo(failing: boolean): void;
  close(): Promise<void>;
}

async function startSwitchableTarget(): Promise<SwitchableTarget> {
  const target = { failing: false } as SwitchableTarget;
  const server: Server = createServer((request, response) => {
    request.resume();
    target.firstRequestSinceSwitch ??= Date.now();
    if (target.failing) response.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
    else response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"OK"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  target.switchTo = (failing) => {
    target.failing = failing;
    target.firstRequestSinceSwitch = undefined;
  };
  target.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return target;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, output: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; npm start printed:\n${output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/**
 * Detection latency as a user sees it: `npm start` with LOCAL_PROBE_INTERVAL at `intervalS`
 * seconds, watching one target of the bench's own (on 127.0.0.1). Each round switches the target
 * to failing and times the first failing check (the first request it answers with a 503) to the
 * moment the outage email shows up in the SES emulator's /store (polled every 50 ms); then
 * switches it back and times the recovery email the same way. Stops the stack (and every process
 * it started) before returning, also on failure.
 */
export async function measureDetection(options: DetectionOptions): Promise<DetectionResult> {
  const log = options.log ?? (() => undefined);
  const intervalMs = options.intervalS * 1000;
  const target = await startSwitchableTarget();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'uptime-bench-detect-'));
  const ports = { api: await freePort(), ses: await freePort(), dynamoDb: await freePort(), demo: await freePort() };
  const monitorsFile = path.join(dataDir, 'monitors.yml');
  writeFileSync(
    monitorsFile,
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - id: ${MONITOR_ID}
    name: Bench detection target
    url: ${target.url}
    timeout: 1s
`,
  );
  let output = '';
  let stack: ChildProcess | undefined;
  const startedAt = Date.now();
  try {
    stack = spawn('npm', ['start', '--silent', '--', '--no-demo'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        MONITORS_FILE: monitorsFile,
        LOCAL_PROBE_INTERVAL: `${options.intervalS}s`,
        API_PORT: String(ports.api),
        SES_PORT: String(ports.ses),
        DYNAMODB_PORT: String(ports.dynamoDb),
        DEMO_PORT: String(ports.demo),
        LOCAL_DATA_DIR: path.join(dataDir, 'data'),
      },
    });
    stack.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    stack.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const logs = () => output;
    await waitFor('the start-up banner', async () => (output.includes('is running locally') ? true : undefined), 120_000, logs);
    const startupMs = Date.now() - startedAt;
    const monitorStatus = async () => (await getJson<{ status: string }>(`http://127.0.0.1:${ports.api}/monitors/${MONITOR_ID}`)).status;
    await waitFor('the monitor to be UP', async () => ((await monitorStatus()) === 'UP' ? true : undefined), 20 * intervalMs, logs);
    log(`detection: npm start up in ${startupMs} ms, monitor UP; timing ${options.rounds} outages at a ${options.intervalS} s interval`);

    const emailCount = async (prefix: string) =>
      (await getJson<{ emails: { subject: string }[] }>(`http://127.0.0.1:${ports.ses}/store`)).emails.filter((email) => email.subject.startsWith(prefix)).length;
    const timeSwitch = async (failing: boolean, prefix: string) => {
      const before = await emailCount(prefix);
      const outputBefore = output.length;
      target.switchTo(failing);
      const seenAt = await waitFor(`the ${prefix} email`, async () => ((await emailCount(prefix)) > before ? Date.now() : undefined), 6 * intervalMs, logs);
      const firstCheck = target.firstRequestSinceSwitch;
      if (firstCheck === undefined) throw new Error(`an ${prefix} email arrived without any check of the switched target`);
      // Read later: the notifier logs the send after the email is in the emulator.
      const steps = () => {
        const logged = (message: string) => {
          const line = output.slice(outputBefore).split('\n').map(parseLogLine).find((entry) => entry?.message === message);
          return typeof line?.timestamp === 'string' ? Date.parse(line.timestamp) - firstCheck : undefined;
        };
        return { transitionLoggedMs: logged(failing ? 'monitor down' : 'monitor recovered'), emailLoggedMs: logged('transition email sent') };
      };
      return { ms: seenAt - firstCheck, steps };
    };
    const rounds: DetectionRound[] = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      // Start each round at a different point of the interval: detection is counted from the first failing check.
      await new Promise((resolve) => setTimeout(resolve, (round * intervalMs) / (options.rounds + 1)));
      const outage = await timeSwitch(true, '[DOWN]');
      const recovery = await timeSwitch(false, '[UP]');
      const outageSteps = outage.steps();
      rounds.push({ outageMs: outage.ms, outageSteps, recoveryMs: recovery.ms });
      log(
        `detection: round ${round}: outage email ${outage.ms} ms (${(outage.ms / intervalMs).toFixed(2)} intervals) after the first failing check ` +
          `(transition logged at ${outageSteps.transitionLoggedMs ?? '?'} ms, email sent at ${outageSteps.emailLoggedMs ?? '?'} ms); ` +
          `recovery email ${recovery.ms} ms after the first good check`,
      );
    }
    const inIntervals = rounds.map((round) => round.outageMs / intervalMs).sort((a, b) => a - b);
    return {
      intervalMs,
      rounds,
      worstIntervals: inIntervals.at(-1) ?? Number.NaN,
      medianIntervals: inIntervals[Math.floor(inIntervals.length / 2)] ?? Number.NaN,
      startupMs,
    };
  } finally {
    if (stack) await stopGroup(stack);
    await target.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Ctrl-C to the stack's process group, as a terminal sends it; SIGKILL if it is not gone in 15 s. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), name);
    } catch {
      // already gone
    }
  };
  signal('SIGINT');
  const timer = setTimeout(() => signal('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
