/**
 * `npm run notify:test` as a user runs it: the real CLI in a child process, against a monitors file
 * whose channels point at real receivers on 127.0.0.1 and whose secrets come from a temporary
 * secrets.local.yml (the local stage), the SES emulator (email), or an SSM endpoint on 127.0.0.1
 * speaking SSM's JSON protocol (a deployed stage, which has no local implementation to run).
 */
import { execFile } from 'node:child_process';
import { readNotifyTestOptions, UsageError } from '../../tools/notify-test/options';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { DISCORD_ACCEPTS, WEBHOOK_ACCEPTS, startAlertReceiver, type AlertReceiver, type ReceivedRequest } from '../support/alert-receivers';
import { startOnLoopback, type LoopbackServer } from '../support/http-answers';
import { useSesEmulator } from '../support/ses-emulator';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'tools', 'notify-test', 'run.ts');

const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
/** The credential in a Discord webhook URL: whoever has it can post. */
const DISCORD_TOKEN = `tok-${randomBytes(16).toString('hex')}`;
const DISCORD_PATH = `/api/webhooks/1234567890/${DISCORD_TOKEN}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

let receiver: AlertReceiver;
let dir: string;
const ses = useSesEmulator({ clearBeforeEach: true });

beforeAll(async () => {
  receiver = await startAlertReceiver(WEBHOOK_ACCEPTS);
  dir = mkdtempSync(path.join(tmpdir(), 'notify-test-cli-'));
  writeFileSync(
    path.join(dir, 'monitors.yml'),
    [
      'notify:',
      '  from: monitor@example.com',
      '  to: [oncall@example.com]',
      'channels:',
      '  ops-hook:',
      '    type: webhook',
      `    url: ${receiver.baseUrl}/hooks/ops`,
      '    secret: { ssm: /uptime/test/hook-secret }',
      '  team-discord:',
      '    type: discord',
      '    url: { secretsManager: uptime/test/chat, key: discordUrl }',
      '  lost-hook:',
      '    type: webhook',
      `    url: ${receiver.baseUrl}/hooks/lost`,
      '    secret: { ssm: /uptime/test/missing-secret }',
      'monitors:',
      '  - id: api',
      '    url: https://api.example.com/health',
      '    alerts: [email, ops-hook, team-discord]',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'secrets.local.yml'),
    [
      'ssm:',
      `  /uptime/test/hook-secret: ${WEBHOOK_SECRET}`,
      'secretsManager:',
      `  uptime/test/chat: { discordUrl: "${receiver.baseUrl}${DISCORD_PATH}" }`,
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => receiver.reset(WEBHOOK_ACCEPTS));

/** Runs the CLI with the temp monitors and secrets files, no AWS credentials of this machine, and an SES port. */
function notifyTest(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    // node --import tsx: the CLI in one process (the tsx command would start a second one).
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      {
        cwd: ROOT,
        timeout: 25_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          MONITORS_FILE: path.join(dir, 'monitors.yml'),
          SECRETS_FILE: path.join(dir, 'secrets.local.yml'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function signatureHeaders(request: ReceivedRequest): Record<string, string> {
  return {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
}

/** Everything the CLI printed must be free of every secret value and of the chat URL's credential. */
function expectNoSecret(run: CliRun): void {
  const printed = run.stdout + run.stderr;
  for (const secret of [WEBHOOK_SECRET, WEBHOOK_SECRET.slice('whsec_'.length), DISCORD_TOKEN, DISCORD_PATH]) expect(printed).not.toContain(secret);
}

describe('npm run notify:test, local stage', () => {
  it('sends one signed test alert through a webhook whose secret is in secrets.local.yml, and prints what it answered', async () => {
    const run = await notifyTest(['--channel', 'ops-hook']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^notify:test: channel 'ops-hook' \(webhook, stage local\) took the test alert: HTTP 204 \(delivery id [0-9a-f-]{36}\)$/);

    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0] as ReceivedRequest;
    expect({ method: request.method, path: request.path }).toEqual({ method: 'POST', path: '/hooks/ops' });
    // The receiver's library checks the signature with the secret the CLI read from secrets.local.yml.
    const body = new Webhook(WEBHOOK_SECRET).verify(request.body, signatureHeaders(request));
    expect(body).toEqual({
      type: 'monitor.down',
      timestamp: expect.any(String),
      data: {
        monitor: { id: 'notify-test', name: 'Test alert from uptime-monitor', url: null },
        state: 'DOWN',
        previousState: 'UP',
        startedAt: expect.any(String),
        confirmedAt: expect.any(String),
        reason: 'a test alert sent with npm run notify:test',
        previousStateSeconds: null,
      },
    });
    // The delivery id printed is the webhook-id the receiver got: a UUID.
    expect(request.headers['webhook-id']).toMatch(UUID);
    expect(lines[0]).toContain(`(delivery id ${String(request.headers['webhook-id'])})`);
    expectNoSecret(run);
  });

  it('gives every run a fresh delivery id, so a receiver never drops a second test as a duplicate', async () => {
    const runs = [await notifyTest(['--channel', 'ops-hook']), await notifyTest(['--channel=ops-hook', '--stage=local'])];
    expect(runs.map((run) => run.code)).toEqual([0, 0]);
    const ids = receiver.requests.map((request) => request.headers['webhook-id']);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('a receiver answering 404: exit 1, and the line says the refusal is permanent', async () => {
    receiver.reset({ status: 404, body: 'no such hook' });
    const run = await notifyTest(['--channel', 'ops-hook']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr.trim().split('\n')).toEqual([
      "notify:test: channel 'ops-hook' (webhook, stage local) did not take the test alert: PermanentDeliveryError: webhook channel 'ops-hook': HTTP 404: no such hook " +
        '(permanent: the notifier would record the delivery as failed and not retry it)',
    ]);
    expect(receiver.requests).toHaveLength(1);
  });

  it('a receiver answering 503 with Retry-After: exit 1, and the line says a retry would come', async () => {
    receiver.reset({ status: 503, headers: { 'retry-after': '120' } });
    const run = await notifyTest(['--channel', 'ops-hook']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('TransientDeliveryError: webhook channel \'ops-hook\': HTTP 503 (transient: the notifier would retry it, not before 120 s as the receiver asked)');
  });

  it('a Discord channel whose URL is a JSON secret field: delivered, and neither the URL nor its token is printed, even when the receiver echoes it', async () => {
    receiver.reset(DISCORD_ACCEPTS);
    const sent = await notifyTest(['--channel', 'team-discord']);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^notify:test: channel 'team-discord' \(discord, stage local\) took the test alert: HTTP 204 /);
    expect(receiver.requests.map((request) => request.path)).toEqual([DISCORD_PATH]);
    expectNoSecret(sent);

    // An error page that quotes the request line: the channel quotes the answer, the CLI blanks the token.
    receiver.reset((request) => ({ status: 401, body: `Unknown Webhook ${request.path}` }));
    const refused = await notifyTest(['--channel', 'team-discord']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("PermanentDeliveryError: discord channel 'team-discord': HTTP 401: Unknown Webhook ***");
    expectNoSecret(refused);
  });

  it('an unknown channel: exit 1 and one line naming the channels there are; nothing is sent', async () => {
    const run = await notifyTest(['--channel', 'ops-hock']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr.trim().split('\n')).toEqual(["notify:test: unknown channel 'ops-hock' in monitors.yml; the channels are email, ops-hook, team-discord, lost-hook"]);
    expect(receiver.requests).toHaveLength(0);
  });

  it('a secret reference without a value: exit 1 naming the reference and why; nothing is sent', async () => {
    const run = await notifyTest(['--channel', 'lost-hook']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr.trim().split('\n')).toEqual([
      "notify:test: channel 'lost-hook' (webhook, stage local): not sent: secret reference ssm:/uptime/test/missing-secret has no value " +
        "(secrets.local.yml has no ssm entry '/uptime/test/missing-secret')",
    ]);
    expect(receiver.requests).toHaveLength(0);
  });

  it('email: the outage email of the test monitor goes to the SES emulator at SES_PORT, to notify.to', async () => {
    const port = new URL(ses.endpoint).port;
    const run = await notifyTest(['--channel', 'email'], { SES_PORT: port });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^notify:test: channel 'email' \(email, stage local\) took the test alert: message id \S+ \(to oncall@example\.com\) \(delivery id /);
    const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as {
      emails: Array<{ messageId: string; subject: string; destination: { to: string[] }; from: string; body: { text?: string } }>;
    };
    expect(store.emails).toHaveLength(1);
    const email = store.emails[0]!;
    expect({ subject: email.subject, to: email.destination.to, from: email.from }).toEqual({
      subject: expect.stringContaining('[DOWN] Test alert from uptime-monitor'),
      to: ['oncall@example.com'],
      from: 'monitor@example.com',
    });
    expect(email.body.text).toContain('a test alert sent with npm run notify:test');
    expect(run.stdout).toContain(`message id ${email.messageId} `);
  });

  it('email with no SES emulator listening: exit 1, and the line asks whether npm start is running', async () => {
    const run = await notifyTest(['--channel', 'email'], { AWS_ENDPOINT_URL_SES: `${receiver.baseUrl.replace(/:\d+$/, '')}:1` });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^notify:test: channel 'email' \(email, stage local\) did not take the test alert: .*ECONNREFUSED.*; is npm start running\?/);
  });
});

describe('npm run notify:test, a deployed stage', () => {
  let ssm: LoopbackServer;
  const ssmRequests: Array<{ target: string; authorization: string; body: { Names?: string[]; WithDecryption?: boolean } }> = [];

  beforeAll(async () => {
    // What SSM's GetParameters answers (JSON 1.1 protocol): the parameters it has, and the names it has not.
    const server = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Names?: string[]; WithDecryption?: boolean };
        ssmRequests.push({ target: String(request.headers['x-amz-target']), authorization: String(request.headers.authorization), body });
        const known: Record<string, string> = { '/uptime/test/hook-secret': WEBHOOK_SECRET };
        const names = body.Names ?? [];
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
          JSON.stringify({
            Parameters: names.filter((name) => name in known).map((name) => ({ Name: name, Type: 'SecureString', Value: known[name], Version: 1 })),
            InvalidParameters: names.filter((name) => !(name in known)),
          }),
        );
      });
    });
    ssm = await startOnLoopback(server);
  });

  afterAll(() => ssm.close());
  beforeEach(() => {
    ssmRequests.length = 0;
  });

  const aws = () => ({ AWS_ENDPOINT_URL_SSM: ssm.baseUrl, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-real-key' });

  it('reads the webhook secret from SSM in --region with the caller\'s credentials (decrypted), not from secrets.local.yml', async () => {
    const run = await notifyTest(['--channel', 'ops-hook', '--stage', 'prod', '--region', 'eu-west-1'], { ...aws(), SECRETS_FILE: path.join(dir, 'absent.yml') });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^notify:test: channel 'ops-hook' \(webhook, stage prod\) took the test alert: HTTP 204 /);
    expect(ssmRequests).toHaveLength(1);
    expect(ssmRequests[0]).toMatchObject({ target: 'AmazonSSM.GetParameters', body: { Names: ['/uptime/test/hook-secret'], WithDecryption: true } });
    expect(ssmRequests[0]?.authorization).toContain('Credential=AKIDEXAMPLE/');
    expect(ssmRequests[0]?.authorization).toContain('/eu-west-1/ssm/aws4_request');
    const request = receiver.requests[0] as ReceivedRequest;
    expect(() => new Webhook(WEBHOOK_SECRET).verify(request.body, signatureHeaders(request))).not.toThrow();
    expectNoSecret(run);
  });

  it('a parameter SSM does not have: exit 1 naming the reference; nothing is sent', async () => {
    const run = await notifyTest(['--channel', 'lost-hook', '--stage', 'prod', '--region', 'eu-west-1'], aws());
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr.trim()).toBe(
      "notify:test: channel 'lost-hook' (webhook, stage prod): not sent: secret reference ssm:/uptime/test/missing-secret has no value (SSM has no such parameter (or it is not readable))",
    );
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('npm run notify:test, its options', () => {
  it('--help prints the usage and exits 0', async () => {
    const run = await notifyTest(['--help']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage: npm run notify:test -- --channel NAME/);
  });

  it('a bad flag: one line and exit 2, nothing sent', async () => {
    const run = await notifyTest(['--chanel', 'ops-hook']);
    expect(run).toEqual({ code: 2, stdout: '', stderr: "notify:test: unknown option '--chanel'; see --help\n" });
    expect(receiver.requests).toHaveLength(0);
  });

  // The other usage errors take the same path (a UsageError, printed as one line with exit 2):
  // checked on the options reader itself, without a process each.
  it.each([
    [[], '--channel NAME is required; see --help'],
    [['--channel'], '--channel needs a value; see --help'],
    [['--channel', 'a', '--channel', 'b'], '--channel is given twice'],
    [['--channel', 'ops-hook', '--region', 'Europe'], "--region 'Europe' is not an AWS region such as eu-west-1"],
  ])('%j is a usage error: %s', (args, message) => {
    expect(() => readNotifyTestOptions(args, {}, ROOT)).toThrow(new UsageError(message));
  });
});
