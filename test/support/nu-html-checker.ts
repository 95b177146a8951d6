import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The checker's jar as the `vnu-jar` package ships it (the package's main export is this path too). */
const VNU_JAR = require.resolve('vnu-jar/build/dist/vnu.jar');

/** One message of the Nu Html Checker's JSON output (https://github.com/validator/validator/wiki/Output-»-JSON). */
export interface NuMessage {
  /** `error`; `info` (with `subType: 'warning'` for a warning); `non-document-error` (the checker's own trouble). */
  type: 'error' | 'info' | 'non-document-error';
  subType?: string;
  message: string;
  url?: string;
  firstLine?: number;
  lastLine?: number;
  firstColumn?: number;
  lastColumn?: number;
  extract?: string;
}

/** Every message the checker gave about each document, by the name it was given under. */
export type NuReport = Record<string, NuMessage[]>;

/** A batch of documents shares one JVM start, so the timeout is for the batch. */
const CHECK_TIMEOUT_MS = 60_000;

/**
 * JVM options for a short run. C1 alone (TieredStopAtLevel=1) starts the checker in about half the
 * time (3.7 s against 7 s, median of 5 runs each on a loaded 2-core machine), but its frames are
 * larger: at the default 1 MB thread stack the schema load overflows (the checker prints
 * "StackOverflowError while evaluating HTML schema" and exits 1), so the stack is raised to 4 MB.
 */
const JVM_OPTIONS = ['-Xss4m', '-XX:TieredStopAtLevel=1'];

/**
 * Checks HTML documents with the Nu Html Checker of the `vnu-jar` package, all in one `java -jar`
 * run: each is written to a file of a fresh temporary directory, and the checker's JSON messages
 * (errors, warnings and info alike) are handed back by document. A document without messages has
 * an empty list. The checker failing to run, or reporting a `non-document-error`, throws.
 * Needs Java 17+ on PATH (or under JAVA_HOME).
 */
export async function checkHtml(documents: Readonly<Record<string, string>>): Promise<NuReport> {
  const names = Object.keys(documents);
  if (names.length === 0) return {};
  const directory = await mkdtemp(path.join(tmpdir(), 'nu-html-checker-'));
  try {
    // Files by position, so a document's name can be any text.
    const files = names.map((_name, index) => path.join(directory, `document-${index}.html`));
    await Promise.all(names.map((name, index) => writeFile(files[index] as string, documents[name] as string, 'utf8')));
    const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
    // --exit-zero-always: findings come back as JSON; a non-zero exit is then the checker's own failure.
    const { stdout, stderr } = await run(java, [...JVM_OPTIONS, '-jar', VNU_JAR, '--format', 'json', '--stdout', '--exit-zero-always', ...files], {
      timeout: CHECK_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    const { messages } = parseOutput(stdout, stderr);
    const report: NuReport = Object.fromEntries(names.map((name) => [name, [] as NuMessage[]]));
    const nameByUrl = new Map(files.map((file, index) => [pathToFileURL(file).href, names[index] as string]));
    for (const message of messages) {
      const name = message.url === undefined ? undefined : nameByUrl.get(normalizeFileUrl(message.url));
      if (message.type === 'non-document-error' || name === undefined) {
        throw new Error(`the Nu Html Checker failed: ${JSON.stringify(message)}`);
      }
      report[name]?.push(message);
    }
    return report;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

function parseOutput(stdout: string, stderr: string): { messages: NuMessage[] } {
  try {
    const output = JSON.parse(stdout) as { messages?: unknown };
    if (Array.isArray(output.messages)) return output as { messages: NuMessage[] };
  } catch {
    // Reported below with what the checker said.
  }
  throw new Error(`the Nu Html Checker gave no JSON report: ${stdout.slice(0, 500)} ${stderr.slice(0, 500)}`);
}

/** The checker writes `file:/tmp/x.html`; Node writes `file:///tmp/x.html`. */
function normalizeFileUrl(url: string): string {
  return url.replace(/^file:\/(?!\/)/, 'file:///');
}

/** A message as one line for a failure: `error 7:12 Element “head” is missing ... [extract]`. */
export function describeNuMessage(message: NuMessage): string {
  const kind = message.subType === undefined ? message.type : `${message.type}/${message.subType}`;
  const where = message.lastLine === undefined ? '' : ` ${message.lastLine}:${message.firstColumn ?? '?'}`;
  return `${kind}${where} ${message.message}${message.extract === undefined ? '' : ` [${message.extract.replace(/\n/g, '⏎')}]`}`;
}
