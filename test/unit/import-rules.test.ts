/**
 * The layout's import rules in eslint.config.mjs fire: each case is one import placed, as text, in
 * a file of the given folder and linted with the project's own config (only no-restricted-imports
 * runs, and without type information, since the file is not on disk). ESLint loads its .mjs config
 * with a dynamic import, which jest's module sandbox refuses: it runs in a child process.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

interface LintCase {
  file: string;
  source: string;
}

const LINT_SCRIPT = `
const { ESLint } = require('eslint');
const cases = JSON.parse(process.env.LINT_CASES);
const eslint = new ESLint({
  overrideConfig: [{ languageOptions: { parserOptions: { projectService: false } } }],
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});
Promise.all(cases.map(async ({ file, source }) => {
  const [result] = await eslint.lintText(source + '\\n', { filePath: file });
  return result.messages.map((message) => message.ruleId ?? message.message);
})).then((results) => process.stdout.write(JSON.stringify(results)));
`;

function lintImports(cases: readonly LintCase[]): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', LINT_SCRIPT],
      { cwd: ROOT, timeout: 60_000, env: { ...process.env, LINT_CASES: JSON.stringify(cases) } },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as string[][])),
    );
  });
}

const REFUSED: Array<[string, string]> = [
  ['lib/domain/x.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';"],
  ['lib/domain/x.ts', "import type { AttributeValue } from '@aws-sdk/client-dynamodb';"],
  ['lib/domain/x.ts', "import { readFileSync } from 'node:fs';"],
  ['lib/domain/x.ts', "import { readFile } from 'fs/promises';"],
  ['lib/domain/x.ts', "import { request } from 'node:https';"],
  ['lib/domain/x.ts', "import http from 'http';"],
  ['lib/domain/x.ts', "import { connect } from 'node:net';"],
  ['lib/domain/x.ts', "import { connect } from 'node:tls';"],
  ['lib/domain/x.ts', "import { lookup } from 'node:dns';"],
  ['lib/domain/x.ts', "import { createSocket } from 'node:dgram';"],
  ['lib/domain/x.ts', "import { spawn } from 'node:child_process';"],
  ['lib/domain/x.ts', "import type { Thing } from '../adapters/thing';"],
  ['lib/domain/x.ts', "import { thing } from '../app/thing';"],
  ['lib/domain/x.ts', "export { thing } from '../http/thing';"],
  ['lib/domain/x.ts', "import { freePort } from '../../tools/local/free-port';"],
  ['lib/app/x.ts', "import { freePort } from '../../tools/local/free-port';"],
  ['lib/adapters/x.ts', "import { settings } from '../../deploy/deploy-settings';"],
  ['lib/http/x.ts', "import { handler } from '../../functions/api';"],
  ['lib/x.ts', "export * from '../functions/probe';"],
];

const ALLOWED: Array<[string, string]> = [
  ['lib/domain/x.ts', "import { parseDuration } from './duration';"],
  ['lib/domain/x.ts', "import { z } from 'zod';"],
  ['lib/app/x.ts', "import type { Logger } from '@aws-lambda-powertools/logger';"],
  ['lib/app/x.ts', "import { evaluateResult } from '../domain/evaluate';"],
  ['lib/adapters/x.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';"],
  ['lib/adapters/x.ts', "import { request } from 'node:https';"],
  ['functions/x.ts', "import { thing } from '../lib/app/thing';"],
  ['tools/local/x.ts', "import { loadMonitorsConfig } from '../../lib/config/monitors';"],
];

describe('the layout import rules', () => {
  let refused: string[][];
  let allowed: string[][];
  beforeAll(async () => {
    const results = await lintImports([...REFUSED, ...ALLOWED].map(([file, source]) => ({ file, source })));
    refused = results.slice(0, REFUSED.length);
    allowed = results.slice(REFUSED.length);
  }, 60_000);

  it.each(REFUSED.map((entry, index) => [...entry, index] as const))('refuses in %s: %s', (_file, _source, index) => {
    expect(refused[index]).toEqual(['no-restricted-imports']);
  });

  it.each(ALLOWED.map((entry, index) => [...entry, index] as const))('allows in %s: %s', (_file, _source, index) => {
    expect(allowed[index]).toEqual([]);
  });
});
