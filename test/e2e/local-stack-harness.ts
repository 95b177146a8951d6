/**
 * Runs `npm start` as a user does, for the e2e tests: npm in a process group of its own, its output
 * kept, its exit recorded. Helpers see only what a user can: ports, processes, the HTTP API.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { freePort } from '../../tools/local/free-port';

export const ROOT = path.join(__dirname, '..', '..');

export interface LocalStackPorts {
  api: number;
  ses: number;
  dynamoDb: number;
  demo: number;
}

export interface NpmStartOptions {
  monitorsFile: string;
  ports: LocalStackPorts;
  dataDir: string;
  intervalSeconds: number;
  /** More flags for npm start (`--verbose`). */
  args?: string[];
  /** More environment for npm start (SECRETS_FILE, variables that `env` references read). */
  env?: Record<string, string>;
}

export async function freeStackPorts(): Promise<LocalStackPorts> {
  return { api: await freePort(), ses: await freePort(), dynamoDb: await freePort(), demo: await freePort() };
}

/** `npm start -- --no-demo` in its own process group (so a test can signal npm alone, or the group). */
export function spawnNpmStart(options: NpmStartOptions): ChildProcess {
  return spawn('npm', ['start', '--silent', '--', '--no-demo', ...(options.args ?? [])], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      MONITORS_FILE: options.monitorsFile,
      LOCAL_PROBE_INTERVAL: `${options.intervalSeconds}s`,
      API_PORT: String(options.ports.api),
      SES_PORT: String(options.ports.ses),
      DYNAMODB_PORT: String(options.ports.dynamoDb),
      DEMO_PORT: String(options.ports.demo),
      LOCAL_DATA_DIR: path.join(options.dataDir, 'data'),
      ...options.env,
    },
  });
}

/** Polls `probe` until it gives a value; the error names what was awaited and ends with `context()`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, context: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; npm start printed:\n${context().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A running `npm start`: its process, everything it printed, and its exit code once it exited. */
export class NpmStart {
  output = '';
  exitCode: number | null | undefined;
  readonly process: ChildProcess;

  private constructor(options: NpmStartOptions) {
    this.process = spawnNpmStart(options);
    this.process.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.process.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.process.once('exit', (code) => (this.exitCode = code));
  }

  /** Starts `npm start` and resolves once it printed its banner. */
  static async start(options: NpmStartOptions): Promise<NpmStart> {
    const running = new NpmStart(options);
    await running.waitFor('the start-up banner', async () => (running.output.includes('is running locally') ? true : undefined), 90_000);
    return running;
  }

  get pid(): number {
    if (this.process.pid === undefined) throw new Error('npm start did not start');
    return this.process.pid;
  }

  waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
    return waitFor(what, probe, timeoutMs, () => this.output);
  }

  /** Resolves once npm has exited; rejects after `timeoutMs`. */
  exited(timeoutMs = 10_000): Promise<true> {
    return this.waitFor('npm start to exit', async () => (this.exitCode !== undefined ? true : undefined), timeoutMs);
  }

  /**
   * Ctrl-C and wait: SIGINT to npm's process group, as a terminal sends it, then whatever is left
   * is killed. For clean-up: npm start stops the serverless-offline processes it started (each in
   * a process group of its own, which killing npm's group would leave running).
   */
  async stop(): Promise<void> {
    if (this.exitCode === undefined) {
      try {
        process.kill(-this.pid, 'SIGINT');
        await this.exited(15_000);
      } catch {
        // gone already, or slow to stop: killed below
      }
    }
    this.killGroup();
  }

  /** Test clean-up: kills whatever of npm's process group is left. */
  killGroup(): void {
    if (this.exitCode !== undefined && !isAlive(this.pid)) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Every process below `pid` (children, grandchildren …), read from `ps`. */
export function descendantsOf(pid: number): Array<{ pid: number; args: string }> {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((match): match is RegExpMatchArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), args: match[3] ?? '' }));
  const found: Array<{ pid: number; args: string }> = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const row of rows.filter((candidate) => candidate.ppid === parent)) {
      found.push({ pid: row.pid, args: row.args });
      queue.push(row.pid);
    }
  }
  return found;
}

/** Whether a process with this id exists (and is not a zombie waiting for its parent). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim().startsWith('Z');
  } catch {
    return false;
  }
}
