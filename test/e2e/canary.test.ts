import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listenOnLoopback } from '../support/http-answers';
import { readTemplate, readZipFiles, ScratchService } from '../support/sls-package';
import { NpmStart, freeStackPorts, type LocalStackPorts } from './local-stack-harness';

/**
 * The canary test: a monitors file whose credentials are all secret references, with literal
 * canaries in a URL's query string, in a target's answer and in error text. The stack is packaged
 * (the zips unzipped and read) and run locally (`npm start --verbose`: every log line), and then
 * every public answer (each API route for each monitor, the status page, every badge) and every
 * email is read. Secret values appear nowhere; the query value only in the probe's monitors.yml;
 * the target's text only in logs and alerts, which keep the detail.
 */
jest.setTimeout(240_000);

const INTERVAL_S = 2;
const canary = (name: string) => `${name}${randomBytes(6).toString('hex')}`;

/** Values kept in SSM, Secrets Manager and the environment: they must appear nowhere. */
const SECRETS = {
  ssmAuthorization: canary('SSMCANARY'),
  secretsManagerKey: canary('SMCANARY'),
  envToken: canary('ENVCANARY'),
  urlSignature: canary('URLSECRETCANARY'),
  /** A heartbeat's token, in SSM: only the ping function resolves it. */
  heartbeatToken: canary('HBCANARY'),
};
/** A token in a literal URL's query string: only in the probe's package. */
const QUERY_CANARY = canary('QUERYCANARY');
/** Text from a target's answer and error text: in logs and alerts, never in a public answer. */
const BODY_CANARY = canary('BODYCANARY');
const ERROR_CANARY = canary('errcanary');

let dataDir: string;
let ports: LocalStackPorts;
let stack: NpmStart | undefined;
let closeTarget: () => Promise<void>;
let service: ScratchService;
let targetBase: string;
let heartbeatPing: number | undefined;
const seenByTarget = { authorized: 0, refused: 0 };

/** One server, three endpoints: one that demands every credential, one whose JSON is wrong, one that is not JSON. */
async function startTarget(): Promise<void> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/secured') {
      const authorized =
        request.headers.authorization === `Bearer ${SECRETS.ssmAuthorization}` &&
        request.headers['x-api-key'] === SECRETS.secretsManagerKey &&
        request.headers['x-env-token'] === SECRETS.envToken &&
        (url.searchParams.get('token') === QUERY_CANARY || url.searchParams.get('sig') === SECRETS.urlSignature);
      seenByTarget[authorized ? 'authorized' : 'refused'] += 1;
      response.writeHead(authorized ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ status: authorized ? 'OK' : 'DENIED' }));
    } else if (url.pathname === '/leaky') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: BODY_CANARY, internal: `10.0.0.5:5432 ${BODY_CANARY}` }));
    } else {
      response.writeHead(200, { 'content-type': `text/x-${ERROR_CANARY}` }).end('not json');
    }
  });
  targetBase = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  closeTarget = () => new Promise((resolve) => server.close(() => resolve()));
}

function monitorsFile(base: string): string {
  const credentials = `
    headers:
      Authorization: { ssm: /uptime/test/authorization }
      X-Api-Key: { secretsManager: uptime/test/api, key: apiKey }
      X-Env-Token: { env: CANARY_ENV_TOKEN }`;
  return `notify: { from: monitor@example.com, to: [oncall@example.com] }
defaults: { timeout: 1s }
monitors:
  - id: secured
    name: Secured API
    url: ${base}/secured?token=${QUERY_CANARY}${credentials}
  - id: hidden
    name: Hidden API
    public: false
    url: { ssm: /uptime/test/hidden-url }${credentials}
  - id: leaky
    name: Leaky API
    url: ${base}/leaky?token=${QUERY_CANARY}
    expect: { json: { status: OK } }
  - id: errors
    name: Error text
    url: ${base}/errors
    expect: { json: { status: OK } }
  - id: beat
    name: Nightly job
    type: heartbeat
    interval: 1h
    token: { ssm: /uptime/test/beat-token }
`;
}

const secretsFile = (base: string) => `ssm:
  /uptime/test/authorization: Bearer ${SECRETS.ssmAuthorization}
  /uptime/test/hidden-url: ${base}/secured?sig=${SECRETS.urlSignature}
  /uptime/test/beat-token: ${SECRETS.heartbeatToken}
secretsManager:
  uptime/test/api: { apiKey: ${SECRETS.secretsManagerKey}, unused: x }
`;

/** Where each canary was found: `place -> count`. */
function occurrences(texts: ReadonlyMap<string, string>, needle: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const [place, text] of texts) {
    const count = text.split(needle).length - 1;
    if (count > 0) found[place] = count;
  }
  return found;
}

const packaged = new Map<string, string>();
let template: ReturnType<typeof readTemplate>;
const publicAnswers = new Map<string, string>();
const logsAndEmails = new Map<string, string>();

beforeAll(async () => {
  await startTarget();
  dataDir = mkdtempSync(path.join(tmpdir(), 'uptime-canary-'));

  // Both at once: 1. package a deployable stage, the same file with a public host (Lambda cannot
  // reach 127.0.0.1); 2. run the local file locally.
  service = new ScratchService();
  service.writeFile('canary/monitors.yml', monitorsFile('https://api.example.com'));
  writeFileSync(path.join(dataDir, 'monitors.yml'), monitorsFile(targetBase));
  writeFileSync(path.join(dataDir, 'secrets.local.yml'), secretsFile(targetBase));
  ports = await freeStackPorts();
  const packaging = service.run('canary', ['package', '--stage', 'dev'], { MONITORS_FILE: 'canary/monitors.yml', CANARY_ENV_TOKEN: SECRETS.envToken });
  stack = await NpmStart.start({
    monitorsFile: path.join(dataDir, 'monitors.yml'),
    ports,
    dataDir,
    intervalSeconds: INTERVAL_S,
    args: ['--verbose'],
    env: { SECRETS_FILE: path.join(dataDir, 'secrets.local.yml'), CANARY_ENV_TOKEN: SECRETS.envToken },
  });
  const run = await packaging;
  if (run.code !== 0) throw new Error(`sls package failed:\n${run.output}`);
  for (const name of ['probe', 'notify', 'api', 'ping']) {
    for (const [file, text] of readZipFiles(run.packageDir, name)) packaged.set(`${name}.zip:${file}`, text);
  }
  template = readTemplate(run.packageDir);
  const api = `http://127.0.0.1:${ports.api}`;
  const get = async (route: string) => {
    const response = await fetch(`${api}${route}`, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, text: await response.text() };
  };
  const emails = async () => ((await (await fetch(`http://127.0.0.1:${ports.ses}/store`)).json()) as { emails: { subject: string; body: { text?: string; html?: string } }[] }).emails;
  await stack.waitFor(
    'the secured monitors UP and two outage emails',
    async () => {
      const states = await Promise.all(['secured', 'hidden'].map(async (id) => JSON.parse((await get(`/monitors/${id}`)).text) as { status: string }));
      const mails = await emails();
      return states.every((state) => state.status === 'UP') && mails.length >= 2 ? true : undefined;
    },
    60_000,
  );

  // The job pings with its token (resolved from secrets.local.yml by the ping function alone).
  heartbeatPing = (await fetch(`${api}/ping/${SECRETS.heartbeatToken}`, { method: 'POST', signal: AbortSignal.timeout(10_000) })).status;
  await stack.waitFor('the heartbeat UP', async () => ((JSON.parse((await get('/monitors/beat')).text) as { status: string }).status === 'UP' ? true : undefined));
  const routes = ['/health', '/monitors', '/report', '/report?format=csv', '/openapi.json', '/'];
  for (const id of ['secured', 'hidden', 'leaky', 'errors']) {
    routes.push(`/monitors/${id}`, `/monitors/${id}/uptime?window=24h`, `/monitors/${id}/incidents`, `/monitors/${id}/daily?days=2`);
    routes.push(`/badges/${id}/status.svg`, `/badges/${id}/uptime.svg`, `/badges/${id}/response-time.svg`, `/badges/${id}/uptime.json`, `/badges/${id}/certificate.svg`);
  }
  for (const route of routes) publicAnswers.set(route, JSON.stringify(await get(route)));
  for (const [index, email] of (await emails()).entries()) logsAndEmails.set(`email ${index}`, JSON.stringify(email));
  logsAndEmails.set('logs', stack.output);
});

afterAll(async () => {
  stack?.killGroup();
  await closeTarget?.();
  service?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the canary scan', () => {
  it('ran for real: the probe sent every resolved credential, and the public answers and alerts were read', () => {
    expect(seenByTarget.authorized).toBeGreaterThanOrEqual(4);
    expect(seenByTarget.refused).toBe(0);
    expect(heartbeatPing).toBe(200);
    expect(publicAnswers.size).toBe(6 + 4 * 9);
    expect(JSON.parse(publicAnswers.get('/badges/hidden/status.svg') ?? '{}').status).toBe(404);
    expect(publicAnswers.get('/')).not.toContain('Hidden API');
    expect(packaged.size).toBeGreaterThanOrEqual(6);
    const emails = [...logsAndEmails.keys()].filter((place) => place.startsWith('email')).length;
    console.log(
      `canary scan: ${packaged.size} files of the packages, the template, ${publicAnswers.size} public answers, ${emails} emails, ` +
        `${logsAndEmails.get('logs')?.length ?? 0} characters of logs`,
    );
  });

  it.each(Object.entries(SECRETS).filter(([name]) => name !== 'heartbeatToken'))('finds the secret value %s in no package, log, API answer, status page, badge or email', (_, value) => {
    const everywhere = new Map([...packaged, ...publicAnswers, ...logsAndEmails]);
    expect(occurrences(everywhere, value)).toEqual({});
  });

  it("finds the heartbeat token in no package, API answer, status page, badge or email, and in the logs only in serverless-offline's request line", () => {
    const everywhere = new Map([...packaged, ['template', template.text], ...publicAnswers, ...logsAndEmails]);
    // A ping's path holds its token: serverless-offline prints it (--verbose, on the developer's own
    // machine); the deployed HTTP API's access log leaves the path out (serverless.yml, logs), and
    // the handlers log the monitor, never the token.
    expect(occurrences(everywhere, SECRETS.heartbeatToken)).toEqual({ logs: 1 });
    const lines = (logsAndEmails.get('logs') ?? '').split('\n').filter((line) => line.includes(SECRETS.heartbeatToken));
    expect(lines).toEqual([expect.stringMatching(new RegExp(`POST /ping/${SECRETS.heartbeatToken} \\(λ: ping\\)\\s*$`))]);
    // Only the ping package holds the token's reference; the api and notify copies withhold it.
    expect([...packaged].filter(([, text]) => text.includes('/uptime/test/beat-token')).map(([place]) => place.split(':')[0]).sort()).toEqual(['ping.zip', 'probe.zip']);
  });

  it('keeps SSM and Secrets Manager values out of the template; an env reference is copied into the probe environment alone', () => {
    for (const value of [SECRETS.ssmAuthorization, SECRETS.secretsManagerKey, SECRETS.urlSignature]) expect(template.text).not.toContain(value);
    // Documented (README, Secrets): `{ env: NAME }` takes its value from where sls deploy runs.
    expect(template.text.split(SECRETS.envToken)).toHaveLength(2);
    const probeEnvironment = (template.json.Resources.ProbeLambdaFunction?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(probeEnvironment.CANARY_ENV_TOKEN).toBe(SECRETS.envToken);
  });

  it('finds the query-string token only in the monitors file of the probe package', () => {
    const everywhere = new Map([...packaged, ['template', template.text], ...publicAnswers, ...logsAndEmails]);
    // Twice: the secured monitor (checked and UP) and the leaky one (failing: logged and alerted).
    expect(occurrences(everywhere, QUERY_CANARY)).toEqual({ 'probe.zip:canary/monitors.yml': 2 });
    // The failing one's URL did reach the logs and the alert, redacted.
    expect(logsAndEmails.get('logs')).toContain('/leaky?token=REDACTED');
    expect([...logsAndEmails].some(([place, text]) => place.startsWith('email') && text.includes('/leaky?token=REDACTED'))).toBe(true);
  });

  it.each([
    ['a target answer', BODY_CANARY],
    ['error text', ERROR_CANARY],
  ])('finds %s in no public answer, but keeps it in the logs and alerts', (_, value) => {
    expect(occurrences(publicAnswers, value)).toEqual({});
    expect(occurrences(packaged, value)).toEqual({});
    expect(Object.keys(occurrences(logsAndEmails, value))).toEqual(expect.arrayContaining(['logs', expect.stringMatching(/^email /)]));
  });

  it('shows the failure categories publicly, with the status code', () => {
    const leaky = JSON.parse(JSON.parse(publicAnswers.get('/monitors/leaky') ?? '{}').text) as { lastFailureReason: string; url: string };
    expect(leaky.lastFailureReason).toBe('body-mismatch');
    const secured = JSON.parse(JSON.parse(publicAnswers.get('/monitors/secured') ?? '{}').text) as { url: string };
    expect(secured.url).toBe(`${targetBase}/secured`);
    const hidden = JSON.parse(JSON.parse(publicAnswers.get('/monitors/hidden') ?? '{}').text) as { url: string | null };
    expect(hidden.url).toBeNull();
  });
});
