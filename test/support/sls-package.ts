import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import type { CloudFormationTemplate } from './cloudformation-spec';

const ROOT = path.join(__dirname, '..', '..');
const SLS = path.join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
const SLS_TIMEOUT_MS = 180_000;

export interface SlsRun {
  code: number;
  output: string;
  packageDir: string;
}

/** A `sls package` that succeeded, with the CloudFormation template it wrote. */
export interface PackagedTemplate extends SlsRun {
  template: CloudFormationTemplate;
}

/**
 * A copy of the project (without node_modules, history, tests or local data) in a scratch folder,
 * where `sls` runs offline: no AWS credentials, no ~/.aws, no instance metadata.
 */
export class ScratchService {
  readonly scratch = mkdtempSync(path.join(tmpdir(), 'uptime-sls-'));
  readonly dir = path.join(this.scratch, 'service');
  private readonly home = path.join(this.scratch, 'home');
  private readonly temp = path.join(this.scratch, 'tmp');

  constructor() {
    const skipped = new Set(['node_modules', '.git', '.serverless', '.esbuild', '.esbuild-local', '.local', '.uptime-build', 'coverage', 'test']);
    cpSync(ROOT, this.dir, { recursive: true, filter: (source) => !skipped.has(path.relative(ROOT, source).split(path.sep)[0] ?? '') });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(this.dir, 'node_modules'), 'dir');
    mkdirSync(this.home, { recursive: true });
    mkdirSync(this.temp, { recursive: true });
  }

  writeFile(relative: string, text: string): void {
    mkdirSync(path.dirname(path.join(this.dir, relative)), { recursive: true });
    writeFileSync(path.join(this.dir, relative), text);
  }

  /** Runs `sls <args> --package <scenario folder>` in the copy. */
  run(scenario: string, args: string[], env: Record<string, string> = {}): Promise<SlsRun> {
    const packageDir = path.join(this.scratch, `package-${scenario}`);
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && name !== 'MONITORS_FILE' && name !== 'NODE_OPTIONS'),
    );
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [SLS, ...args, '--package', packageDir],
        {
          cwd: this.dir,
          timeout: SLS_TIMEOUT_MS,
          maxBuffer: 16 * 1024 * 1024,
          env: {
            ...base,
            HOME: this.home,
            TMPDIR: this.temp,
            SLS_TELEMETRY_DISABLED: '1',
            SLS_NOTIFICATIONS_MODE: 'off',
            AWS_SHARED_CREDENTIALS_FILE: path.join(this.home, 'no-credentials'),
            AWS_CONFIG_FILE: path.join(this.home, 'no-config'),
            AWS_EC2_METADATA_DISABLED: 'true',
            ...env,
          },
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, output: `${stdout}${stderr}`, packageDir });
        },
      );
    });
  }

  /**
   * Runs `sls package <args>` in the copy and reads the template it wrote; throws with sls's
   * output when the package fails.
   */
  async package(scenario: string, args: string[], env: Record<string, string> = {}): Promise<PackagedTemplate> {
    const run = await this.run(scenario, ['package', ...args], env);
    if (run.code !== 0) throw new Error(`sls package ${args.join(' ')} failed (${run.code}):\n${run.output}`);
    const template = JSON.parse(readFileSync(path.join(run.packageDir, 'cloudformation-template-update-stack.json'), 'utf8')) as CloudFormationTemplate;
    return { ...run, template };
  }

  remove(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** Every file of a function's zip, by path, as text. */
export function readZipFiles(packageDir: string, functionName: string): Map<string, string> {
  const zip = new AdmZip(path.join(packageDir, `${functionName}.zip`));
  return new Map(zip.getEntries().filter((entry) => !entry.isDirectory).map((entry) => [entry.entryName, entry.getData().toString('utf8')]));
}

/** The template `sls package` wrote, as JSON text and parsed. */
export function readTemplate(packageDir: string): { text: string; json: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> } } {
  const text = readFileSync(path.join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8');
  return { text, json: JSON.parse(text) as never };
}

export function listZips(packageDir: string): string[] {
  return readdirSync(packageDir).filter((name) => name.endsWith('.zip'));
}
