import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';
import AdmZip from 'adm-zip';

const PACKAGE_DIR = path.dirname(require.resolve('local-dynamo/package.json'));
const LOG4J_JAR = path.join('DynamoDBLocal_lib', 'log4j-core-2.8.jar');
const JNDI_LOOKUP = 'org/apache/logging/log4j/core/lookup/JndiLookup.class';

export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
  constructor() {
    super(
      'DynamoDB Local needs Java 11 or newer and `java` was not found on PATH. ' +
        'Install it with `sudo apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu) or `brew install openjdk`.',
    );
  }
}

/** Whether `java` can be run. */
export function hasJava(): boolean {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/**
 * A copy of the DynamoDB Local shipped in the `local-dynamo` package, with the JNDI lookup class
 * (CVE-2021-44228) removed from its bundled log4j. Made once per cache directory.
 */
export function preparedDynamoDbLocal(cacheDir: string): string {
  const target = path.join(cacheDir, 'dynamodb-local');
  const marker = path.join(target, '.jndi-stripped');
  if (existsSync(marker)) return target;
  mkdirSync(cacheDir, { recursive: true });
  cpSync(path.join(PACKAGE_DIR, 'aws_dynamodb_local'), target, { recursive: true });
  const jarPath = path.join(target, LOG4J_JAR);
  const jar = new AdmZip(readFileSync(jarPath));
  if (jar.getEntry(JNDI_LOOKUP)) jar.deleteFile(JNDI_LOOKUP);
  writeFileSync(jarPath, jar.toBuffer());
  writeFileSync(marker, `${JNDI_LOOKUP} removed\n`);
  return target;
}

export interface DynamoDbLocalOptions {
  port: number;
  /** Where the database file lives; in memory when omitted. */
  dataDir?: string;
  /** Where the prepared copy of DynamoDB Local is kept. */
  cacheDir: string;
  host?: string;
}

export interface RunningDynamoDbLocal {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local on 127.0.0.1 and resolves once it accepts connections. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<RunningDynamoDbLocal> {
  if (!hasJava()) throw new JavaMissingError();
  const host = options.host ?? '127.0.0.1';
  const dir = preparedDynamoDbLocal(options.cacheDir);
  const args = [
    `-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`,
    '-Xmx512m',
    '-jar',
    path.join(dir, 'DynamoDBLocal.jar'),
    '-port',
    String(options.port),
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('-sharedDb', '-dbPath', options.dataDir);
  } else {
    args.push('-inMemory', '-sharedDb');
  }
  const child = spawn('java', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited with code ${code}: ${output.trim()}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([waitForPort(host, options.port, 30_000), exited]);
  return {
    endpoint: `http://${host}:${options.port}`,
    process: child,
    stop: () => stopProcess(child),
  };
}

/** Resolves when a TCP connection to host:port succeeds; rejects after `timeoutMs`. */
export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await canConnect(host, port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Sends SIGTERM, then SIGKILL after `graceMs`, and resolves when the process has exited. */
export function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
