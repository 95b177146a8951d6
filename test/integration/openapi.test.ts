import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROUTE_KEYS } from '../../lib/http/route-keys';
import { loadOpenApiDocument, OpenApiResponseValidator } from '../support/openapi';

const ROOT = path.join(__dirname, '..', '..');
/** The document as served, generated from lib/http's zod schemas. */
const OPENAPI_DOCUMENT = loadOpenApiDocument();

/**
 * Runs an ES module script in its own node process with the document as JSON on its standard input,
 * and reads back the JSON it writes. The checkers below are ES modules only, which this CommonJS
 * test run cannot load. `body` has the document's text in `text`.
 */
function runOnDocument(what: string, imports: string, body: string, document: unknown): unknown {
  const script = `${imports}\nlet text = '';\nfor await (const chunk of process.stdin) text += chunk;\n${body}`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    input: JSON.stringify(document),
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (run.status !== 0) throw new Error(`the ${what} failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Validates a document with @seriousme/openapi-schema-validator. */
function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown } {
  const imports = "import { Validator } from '@seriousme/openapi-schema-validator';";
  const body = 'process.stdout.write(JSON.stringify(await new Validator().validate(JSON.parse(text))));';
  return runOnDocument('validator', imports, body, document) as { valid: boolean; errors?: unknown };
}

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  pointer?: string;
}

/** Lints a document with Redocly's `recommended` ruleset (@redocly/openapi-core's lint API, as `redocly lint` runs it). */
function lintOpenApi(document: unknown): LintProblem[] {
  const imports = "import { createConfig, lintFromString } from '@redocly/openapi-core';";
  const body = `
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: text, absoluteRef: 'openapi.json', config });
    process.stdout.write(JSON.stringify(problems.map((problem) => ({
      ruleId: problem.ruleId, severity: problem.severity, message: problem.message, pointer: problem.location[0]?.pointer,
    }))));
  `;
  return runOnDocument('linter', imports, body, document) as LintProblem[];
}

/** `GET /path` for each httpApi event of the api function in serverless.yml. */
function deployedRoutes(): string[] {
  const document = parse(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')) as {
    functions: { api: { events: Array<{ httpApi?: unknown }> } };
  };
  return document.functions.api.events.map((event) => {
    if (typeof event.httpApi !== 'string') throw new Error(`serverless.yml: api event ${JSON.stringify(event)} is not in the 'GET /path' form`);
    return event.httpApi;
  });
}

const documentedRoutes = () =>
  Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([route, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${route}`));

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', () => {
    const result = validateOpenApi(OPENAPI_DOCUMENT);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('is refused by the validator when broken (the check can fail)', () => {
    // OpenAPI 3.1 wants info.version, and has no `in: body` parameter.
    const { version: _version, ...info } = OPENAPI_DOCUMENT.info;
    expect(validateOpenApi({ ...OPENAPI_DOCUMENT, info }).valid).toBe(false);
    const bodyParameter = { get: { ...OPENAPI_DOCUMENT.paths['/health']?.get, parameters: [{ name: 'x', in: 'body', schema: {} }] } };
    expect(validateOpenApi({ ...OPENAPI_DOCUMENT, paths: { ...OPENAPI_DOCUMENT.paths, '/health': bodyParameter } }).valid).toBe(false);
  });

  it("passes Redocly's recommended lint with no error, and names its servers and security", () => {
    expect(OPENAPI_DOCUMENT.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(OPENAPI_DOCUMENT.security).toEqual([]);
    const problems = lintOpenApi(OPENAPI_DOCUMENT);
    expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    // The only warnings: operations whose one error answer is 500 (no parameter, no monitor id).
    expect(new Set(problems.map((problem) => problem.ruleId))).toEqual(new Set(['operation-4xx-response']));
  }, 60_000);

  it('is refused by the lint when broken (the lint can fail)', () => {
    const { servers: _servers, ...withoutServers } = OPENAPI_DOCUMENT;
    const health = OPENAPI_DOCUMENT.paths['/health']?.get;
    const withoutSummary = { ...withoutServers, paths: { ...OPENAPI_DOCUMENT.paths, '/health': { get: { ...health, summary: undefined } } } };
    const errors = lintOpenApi(JSON.parse(JSON.stringify(withoutSummary))).filter((problem) => problem.severity === 'error');
    expect(errors.map((problem) => problem.ruleId).sort()).toEqual(['no-empty-servers', 'operation-summary']);
  }, 60_000);

  it('documents exactly the routes the handler serves', () => {
    expect(documentedRoutes().sort()).toEqual([...ROUTE_KEYS].sort());
  });

  it('documents exactly the routes serverless.yml deploys', () => {
    expect(documentedRoutes().sort()).toEqual(deployedRoutes().sort());
  });

  it('has unique operation ids, a 500 answer everywhere and a 404 on every monitor route', () => {
    const operations = Object.entries(OPENAPI_DOCUMENT.paths).map(([route, { get }]) => ({ route, get }));
    const ids = operations.map(({ get }) => get.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { route, get } of operations) {
      expect([route, Object.keys(get.responses).includes('500')]).toEqual([route, true]);
      if (route.includes('{id}')) expect([route, Object.keys(get.responses).includes('404')]).toEqual([route, true]);
    }
  });

  it('refuses an answer that does not match it (the response checks can fail)', () => {
    const validator = new OpenApiResponseValidator(OPENAPI_DOCUMENT);
    const json = { 'content-type': 'application/json; charset=utf-8' };
    expect(validator.check('GET', '/health', { statusCode: 200, headers: json, body: '{"status":"UP"}' })).toEqual([]);
    expect(validator.check('GET', '/health', { statusCode: 200, headers: json, body: '{"status":"DOWN"}' })).not.toEqual([]);
    expect(validator.check('GET', '/monitors/x/uptime', { statusCode: 200, headers: json, body: '{"monitorId":"x"}' })).not.toEqual([]);
    expect(validator.check('GET', '/health', { statusCode: 418, headers: json, body: '{}' })).toEqual(['GET /health does not document status 418']);
    expect(validator.check('GET', '/', { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'hi' })).toEqual([
      "GET / 200 does not document content type 'text/plain'",
    ]);
    expect(validator.check('GET', '/nope', { statusCode: 404, headers: json, body: '{}' })).toEqual(['/nope is not documented']);
  });
});
