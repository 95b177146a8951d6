import { LambdaClient } from '@aws-sdk/client-lambda';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaShardDispatcher } from '../../lib/adapters/lambda-shard-dispatcher';
import { SHARD_EVENT_SOURCE } from '../../lib/domain/shards';

/** Lambda's Invoke API on 127.0.0.1, as far as an asynchronous invoke uses it: it records each request and answers `status`. */
interface FakeLambda {
  endpoint: string;
  requests: { method: string; path: string; invocationType: string | undefined; body: string }[];
  status: number;
  close(): Promise<void>;
}

async function startFakeLambda(): Promise<FakeLambda> {
  const requests: FakeLambda['requests'] = [];
  const state = { status: 202 };
  const server: Server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const invocationType = request.headers['x-amz-invocation-type'];
      requests.push({ method: request.method ?? '', path: request.url ?? '', invocationType: typeof invocationType === 'string' ? invocationType : undefined, body });
      response.writeHead(state.status, { 'content-type': 'application/json' }).end('');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let lambda: FakeLambda;
let client: LambdaClient;

beforeAll(async () => {
  lambda = await startFakeLambda();
  client = new LambdaClient({ endpoint: lambda.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await lambda.close();
});

describe('LambdaShardDispatcher', () => {
  it('invokes the probe function asynchronously with the tick and the shard', async () => {
    lambda.status = 202;
    const dispatcher = new LambdaShardDispatcher({ client, functionName: 'uptime-monitor-dev-probe' });
    await dispatcher.dispatch({ tick: '2026-05-04T10:00:00.000Z', shard: { index: 2, count: 10 } });
    expect(lambda.requests.at(-1)).toEqual({
      method: 'POST',
      path: '/2015-03-31/functions/uptime-monitor-dev-probe/invocations',
      invocationType: 'Event',
      body: JSON.stringify({ source: SHARD_EVENT_SOURCE, tick: '2026-05-04T10:00:00.000Z', shard: { index: 2, count: 10 } }),
    });
  });

  it('fails when Lambda did not queue the event', async () => {
    lambda.status = 200;
    const dispatcher = new LambdaShardDispatcher({ client, functionName: 'uptime-monitor-dev-probe' });
    await expect(dispatcher.dispatch({ tick: '2026-05-04T10:00:00.000Z', shard: { index: 1, count: 2 } })).rejects.toThrow(
      'Lambda did not queue shard 2/2 of 2026-05-04T10:00:00.000Z (status 200)',
    );
  });
});
