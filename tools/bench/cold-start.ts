import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');

export interface ColdStart {
  name: string;
  /** Size of the bundle. */
  bytes: number;
  /** Median time to load the bundle in a fresh node process (module initialisation), ms. */
  medianMs: number;
  /** Every measurement, ms. */
  samplesMs: number[];
}

interface ServerlessFile {
  provider?: { environment?: Record<string, unknown> };
  custom?: { esbuild?: Record<string, unknown> };
  functions?: Record<string, { handler?: string }>;
}

/** The esbuild options serverless.yml gives serverless-esbuild (bundle, minify, source maps, targets). */
function esbuildOptions(file: ServerlessFile): BuildOptions {
  const options = file.custom?.esbuild ?? {};
  return {
    bundle: options.bundle !== false,
    minify: options.minify === true,
    sourcemap: options.sourcemap === true,
    sourcesContent: options.sourcesContent !== false,
    mainFields: Array.isArray(options.mainFields) ? options.mainFields.map(String) : undefined,
    target: typeof options.target === 'string' ? options.target : 'node20',
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  };
}

/**
 * Module initialisation of each function as deployed: bundles `functions/<name>.ts` with the
 * options serverless.yml gives serverless-esbuild, then times `require()` of the bundle in fresh
 * node processes (with the NODE_OPTIONS the functions get), `samples` times each. The functions
 * build their adapters on the first invocation, so this is what every cold start pays before it.
 */
export async function measureColdStarts(samples = 5): Promise<ColdStart[]> {
  const file = parse(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')) as ServerlessFile;
  const nodeOptions = String(file.provider?.environment?.NODE_OPTIONS ?? '');
  const dir = mkdtempSync(path.join(tmpdir(), 'uptime-bench-bundles-'));
  try {
    const results: ColdStart[] = [];
    for (const [name, definition] of Object.entries(file.functions ?? {})) {
      const entry = path.join(ROOT, `${(definition.handler ?? '').replace(/\.[^.]+$/, '')}.ts`);
      const outfile = path.join(dir, `${name}.js`);
      await build({ ...esbuildOptions(file), entryPoints: [entry], outfile, absWorkingDir: ROOT });
      const script = `const t=performance.now();require(${JSON.stringify(outfile)});process.stdout.write(String(performance.now()-t))`;
      const samplesMs: number[] = [];
      for (let i = 0; i < samples; i += 1) {
        const output = execFileSync(process.execPath, [...nodeOptions.split(' ').filter(Boolean), '-e', script], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', TABLE_NAME: 'bench', MONITORS_FILE: 'monitors.yml' },
          encoding: 'utf8',
          timeout: 30_000,
        });
        samplesMs.push(Number(output));
      }
      const sorted = [...samplesMs].sort((a, b) => a - b);
      results.push({ name, bytes: statSync(outfile).size, medianMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, samplesMs });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
