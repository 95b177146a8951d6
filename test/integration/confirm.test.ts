import { Logger } from '@aws-lambda-powertools/logger';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { LambdaConfirmer } from '../../lib/adapters/lambda-confirmer';
import { MonitorProber } from '../../lib/adapters/monitor-prober';
import { confirmChecks, InvalidConfirmRequestError, type ConfirmDeps } from '../../lib/app/confirm';
import { askConfirmers } from '../../lib/app/confirmation-round';
import { deadlineIn } from '../../lib/app/deadline';
import type { VantageResult } from '../../lib/domain/confirmation';
import type { ConfirmRequest } from '../../lib/domain/ports';
import type { Expectations, ProbeTarget } from '../../lib/domain/types';
import { createLambdaContext } from '../fixtures/lambda-context';
import { startTargetServer, type TargetServer } from '../support/target-server';

/**
 * The confirmer (confirmChecks) against real HTTP and TCP targets on 127.0.0.1, and the home side
 * (askConfirmers through the real LambdaConfirmer) against a stand-in for Lambda's Invoke API on
 * 127.0.0.1 that runs the real confirmChecks, hangs, throttles or fails, by region.
 */

const logger = new Logger({ serviceName: 'confirm-test', logLevel: 'SILENT' });
const prober = MonitorProber.create({ blockPrivateAddresses: false });
const confirmDeps = (region: string): ConfirmDeps => ({ prober, region, now: () => new Date(), concurrency: 16, logger, replyMarginMs: 200 });

const healthy: Expectations = { status: [200], json: { status: 'OK' } };
const httpTarget = (url: string, timeoutMs = 2_000): ProbeTarget => ({ type: 'http', url, method: 'GET', headers: {}, timeoutMs });
const tcpTarget = (port: number): ProbeTarget => ({ type: 'tcp', url: `tcp://127.0.0.1:${port}`, method: 'GET', headers: {}, timeoutMs: 2_000 });

let ok: TargetServer;
let unavailable: TargetServer;
let degraded: TargetServer;
let hanging: TargetServer;
let listener: net.Server;
let listenerPort: number;
let closedPort: number;

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  [ok, unavailable, degraded, hanging] = await Promise.all([startTargetServer('ok'), startTargetServer('error'), startTargetServer('degraded'), startTargetServer('hang')]);
  listener = net.createServer((socket) => socket.destroy());
  listenerPort = await listen(listener);
  const closed = net.createServer();
  closedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  await Promise.all([ok.close(), unavailable.close(), degraded.close(), hanging.close(), new Promise((resolve) => listener.close(resolve))]);
});

describe('confirmChecks', () => {
  it('checks every suspect once, as the home region does, and answers with its region', async () => {
    const answer = await confirmChecks(
      {
        deadlineMs: Date.now() + 5_000,
        suspects: {
          api: { target: httpTarget(ok.url), expect: healthy },
          db: { target: tcpTarget(listenerPort), expect: { status: [200] } },
          down: { target: httpTarget(unavailable.url), expect: healthy },
          degraded: { target: httpTarget(degraded.url), expect: healthy },
          refused: { target: tcpTarget(closedPort), expect: { status: [200] } },
        },
      } satisfies ConfirmRequest,
      confirmDeps('eu-west-1'),
    );
    expect(answer).toEqual({
      region: 'eu-west-1',
      results: {
        api: { ok: true, latencyMs: expect.any(Number), statusCode: 200 },
        db: { ok: true, latencyMs: expect.any(Number) },
        down: { ok: false, latencyMs: expect.any(Number), reason: 'http-status', statusCode: 503 },
        degraded: { ok: false, latencyMs: expect.any(Number), reason: 'body-mismatch', statusCode: 200 },
        refused: { ok: false, latencyMs: expect.any(Number), reason: 'connection-refused' },
      },
      cutShort: [],
    });
  });

  it('fails a target slower than its own timeout, and cuts one slower than the deadline short without failing it', async () => {
    const started = performance.now();
    const answer = await confirmChecks(
      {
        deadlineMs: Date.now() + 1_000,
        suspects: {
          // The monitor's own timeout ends first: a failure, as at home.
          slow: { target: httpTarget(hanging.url, 300), expect: healthy },
          // The deadline (less the reply margin) ends first: the confirmer ran out of time.
          slower: { target: httpTarget(hanging.url, 10_000), expect: healthy },
          api: { target: httpTarget(ok.url, 10_000), expect: healthy },
        },
      },
      confirmDeps('eu-west-1'),
    );
    const elapsedMs = performance.now() - started;
    expect(answer.results).toEqual({
      slow: { ok: false, latencyMs: expect.any(Number), reason: 'timeout' },
      api: { ok: true, latencyMs: expect.any(Number), statusCode: 200 },
    });
    expect(answer.cutShort).toEqual(['slower']);
    // Back before the deadline less the reply margin (200 ms), give or take the event loop.
    expect(elapsedMs).toBeGreaterThanOrEqual(700);
    expect(elapsedMs).toBeLessThan(950);
  });

  it('answers at once, every suspect cut short, when the deadline has passed', async () => {
    const answer = await confirmChecks({ deadlineMs: Date.now() - 1, suspects: { api: { target: httpTarget(ok.url), expect: healthy } } }, confirmDeps('eu-west-1'));
    expect(answer).toEqual({ region: 'eu-west-1', results: {}, cutShort: ['api'] });
  });

  it.each<[string, unknown, string]>([
    ['no deadline', { suspects: {} }, 'deadlineMs: must be a number of milliseconds'],
    ['a timeout that is no number', { deadlineMs: 1, suspects: { api: { target: { ...httpTarget('http://127.0.0.1/'), timeoutMs: '5s' }, expect: healthy } } }, 'suspects.api.target.timeoutMs'],
    ['no expected status', { deadlineMs: 1, suspects: { api: { target: httpTarget('http://127.0.0.1/'), expect: { status: [] } } } }, 'suspects.api.expect.status: must list a status code'],
    ['a heartbeat', { deadlineMs: 1, suspects: { job: { target: { ...httpTarget(''), type: 'heartbeat' }, expect: healthy } } }, 'suspects.job.target.type: must be http, tcp or dns'],
    ['no object at all', 'check please', '(the request)'],
  ])('refuses a request with %s, naming the field', async (_case, request, message) => {
    const refused = confirmChecks(request, confirmDeps('eu-west-1'));
    await expect(refused).rejects.toThrow(InvalidConfirmRequestError);
    await expect(refused).rejects.toThrow(message);
  });
});

type Behaviour = 'confirm' | 'drop-one' | 'garbage' | 'hang' | 'throttle' | 'throttle-ec2' | 'too-many' | 'crash';

/** Lambda's Invoke API on 127.0.0.1: behaves per region, which it reads from the request's SigV4 credential scope. */
interface InvokeStandIn {
  endpoint: string;
  requests: { region: string; path: string; invocationType: string | undefined }[];
  close(): Promise<void>;
}

async function startInvokeStandIn(behaviours: Record<string, Behaviour>): Promise<InvokeStandIn> {
  const requests: InvokeStandIn['requests'] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/lambda\//.exec(request.headers.authorization ?? '')?.[1] ?? 'none';
      const invocationType = request.headers['x-amz-invocation-type'];
      requests.push({ region, path: request.url ?? '', invocationType: typeof invocationType === 'string' ? invocationType : undefined });
      const json = { 'content-type': 'application/json' };
      const fail = (error: Error) =>
        response.writeHead(200, { ...json, 'x-amz-function-error': 'Unhandled' }).end(JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: [] }));
      switch (behaviours[region]) {
        case 'confirm':
        case 'drop-one':
          confirmChecks(JSON.parse(body) as unknown, confirmDeps(region)).then((answer) => {
            if (behaviours[region] === 'drop-one') delete answer.results.api;
            response.writeHead(200, json).end(JSON.stringify(answer));
          }, fail);
          return;
        case 'garbage':
          response.writeHead(200, json).end(JSON.stringify({ region, results: { api: { ok: 'yes' } } }));
          return;
        case 'hang':
          return;
        case 'throttle':
          response
            .writeHead(429, { ...json, 'x-amzn-errortype': 'TooManyRequestsException' })
            .end(JSON.stringify({ Reason: 'ConcurrentInvocationLimitExceeded', Type: 'User', message: 'Rate Exceeded.' }));
          return;
        case 'throttle-ec2':
          response.writeHead(502, { ...json, 'x-amzn-errortype': 'EC2ThrottledException' }).end(JSON.stringify({ Type: 'Server', message: 'EC2 throttled.' }));
          return;
        case 'too-many':
          response.writeHead(429, { 'content-type': 'text/plain' }).end('slow down');
          return;
        default:
          fail(new Error('the confirmer crashed'));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('askConfirmers through LambdaConfirmer', () => {
  const behaviours: Record<string, Behaviour> = {
    'eu-west-1': 'confirm',
    'ap-southeast-1': 'hang',
    'sa-east-1': 'throttle',
    'ap-south-1': 'throttle-ec2',
    'ca-central-1': 'too-many',
    'us-west-2': 'crash',
    'eu-north-1': 'drop-one',
    'me-south-1': 'garbage',
  };
  let lambda: InvokeStandIn;
  let confirmer: LambdaConfirmer;
  const warnings: { message: string; region: unknown }[] = [];
  const roundLogger = {
    warn: (message: unknown, ...extra: unknown[]) => {
      const fields = extra[0];
      warnings.push({ message: String(message), region: typeof fields === 'object' && fields !== null && 'region' in fields ? fields.region : undefined });
    },
  };

  beforeAll(async () => {
    lambda = await startInvokeStandIn(behaviours);
    confirmer = new LambdaConfirmer({
      functionName: 'uptime-monitor-dev-confirm',
      clientConfig: { endpoint: lambda.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
    });
  });

  afterAll(async () => {
    confirmer.destroy();
    await lambda.close();
  });

  it('turns each region into vantage results: a check, or an abstention for what went wrong, by the deadline and without throwing', async () => {
    const deadlineMs = 1_500;
    const request: ConfirmRequest = {
      deadlineMs: Date.now() + deadlineMs,
      suspects: { api: { target: httpTarget(ok.url), expect: healthy }, down: { target: httpTarget(unavailable.url), expect: healthy } },
    };
    const regions = Object.keys(behaviours);
    const started = performance.now();
    const results = await askConfirmers(regions, request, { confirmer, logger: roundLogger }, deadlineIn(deadlineMs));
    const elapsedMs = performance.now() - started;

    const abstained = (region: string, why: 'error' | 'throttled' | 'deadline'): VantageResult => ({ region, outcome: 'abstained', why });
    expect(results.get('api')).toEqual([
      { region: 'eu-west-1', outcome: 'ok', latencyMs: expect.any(Number) },
      abstained('ap-southeast-1', 'deadline'),
      abstained('sa-east-1', 'throttled'),
      abstained('ap-south-1', 'throttled'),
      abstained('ca-central-1', 'throttled'),
      abstained('us-west-2', 'error'),
      abstained('eu-north-1', 'error'),
      abstained('me-south-1', 'error'),
    ]);
    expect(results.get('down')).toEqual([
      { region: 'eu-west-1', outcome: 'failed', latencyMs: expect.any(Number), reason: 'http-status' },
      abstained('ap-southeast-1', 'deadline'),
      abstained('sa-east-1', 'throttled'),
      abstained('ap-south-1', 'throttled'),
      abstained('ca-central-1', 'throttled'),
      abstained('us-west-2', 'error'),
      { region: 'eu-north-1', outcome: 'failed', latencyMs: expect.any(Number), reason: 'http-status' },
      abstained('me-south-1', 'error'),
    ]);
    // Cut at the deadline, not held by the region that hangs.
    expect(elapsedMs).toBeGreaterThanOrEqual(deadlineMs - 50);
    expect(elapsedMs).toBeLessThan(deadlineMs + 400);
    // One synchronous Invoke of the confirm function per region, each signed for its own region (one client each).
    expect(lambda.requests.map(({ region }) => region).sort()).toEqual([...regions].sort());
    for (const invoke of lambda.requests) {
      expect(invoke).toMatchObject({ path: '/2015-03-31/functions/uptime-monitor-dev-confirm/invocations', invocationType: 'RequestResponse' });
    }
    expect(warnings.filter(({ message }) => message === 'confirmer abstained').map(({ region }) => region)).toHaveLength(6);
    expect(warnings).toContainEqual({ message: 'confirmer answered without some suspects; they abstain', region: 'eu-north-1' });
  });

  it('abstains a region whose confirmer refuses the request (a FunctionError), and one the deadline has already passed for', async () => {
    const bad = { deadlineMs: Date.now() + 2_000, suspects: { api: { target: httpTarget(ok.url, 0), expect: healthy } } } as ConfirmRequest;
    await expect(confirmer.confirm('eu-west-1', bad, AbortSignal.timeout(2_000))).rejects.toThrow(
      'the confirmer in eu-west-1 failed (Unhandled): InvalidConfirmRequestError: confirm request refused: suspects.api.target.timeoutMs: must be 1 or more',
    );
    const refused = await askConfirmers(['eu-west-1'], bad, { confirmer, logger: roundLogger }, deadlineIn(2_000));
    expect(refused.get('api')).toEqual([{ region: 'eu-west-1', outcome: 'abstained', why: 'error' }]);

    const asked = lambda.requests.length;
    const late = await askConfirmers(['eu-west-1'], bad, { confirmer, logger: roundLogger }, deadlineIn(-1));
    expect(late.get('api')).toEqual([{ region: 'eu-west-1', outcome: 'abstained', why: 'deadline' }]);
    expect(lambda.requests).toHaveLength(asked);
  });

  it('answers every monitor with no region to ask', async () => {
    const results = await askConfirmers([], { deadlineMs: Date.now() + 1_000, suspects: { api: { target: httpTarget(ok.url), expect: healthy } } }, { confirmer, logger: roundLogger }, deadlineIn(1_000));
    expect(results).toEqual(new Map([['api', []]]));
  });
});

describe('the confirm handler', () => {
  const saved = { AWS_REGION: process.env.AWS_REGION, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL };
  beforeAll(() => Object.assign(process.env, { AWS_REGION: 'ap-southeast-1', POWERTOOLS_LOG_LEVEL: 'SILENT' }));
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('answers as the region it runs in, and throws on a bad request', async () => {
    const { handler } = await import('../../functions/confirm');
    const context = createLambdaContext({ functionName: 'uptime-monitor-test-confirm' });
    const request: ConfirmRequest = { deadlineMs: Date.now() + 3_000, suspects: { down: { target: httpTarget(unavailable.url), expect: healthy } } };
    await expect(handler(request, context)).resolves.toEqual({
      region: 'ap-southeast-1',
      results: { down: { ok: false, latencyMs: expect.any(Number), reason: 'http-status', statusCode: 503 } },
      cutShort: [],
    });
    await expect(handler({ suspects: {} }, context)).rejects.toThrow(InvalidConfirmRequestError);
  });
});
