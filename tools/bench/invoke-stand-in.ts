import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MonitorProber } from '../../lib/adapters/monitor-prober';
import { confirmChecks } from '../../lib/app/confirm';
import { countingLogger } from './log-counter';

/** One invocation of a region's confirm function, as the stand-in ran it. */
export interface ConfirmInvocation {
  region: string;
  /** Wall time of the handler (confirmChecks), what Lambda bills, ms. */
  durationMs: number;
  /**
   * CPU time this process spent while the handler ran, ms. The regions run at once in this process
   * and the home probe waits in it meanwhile: an upper bound of the handler's own.
   */
  cpuMs: number;
  /** The Invoke's payload (the confirm request) and the answer, bytes. */
  requestBytes: number;
  answerBytes: number;
  /** Bytes the handler's log lines take in CloudWatch Logs (without Lambda's own START/END/REPORT). */
  logBytes: number;
  suspects: number;
}

/** Lambda's Invoke API of each confirmer region on 127.0.0.1, one port per region. */
export interface InvokeStandIn {
  /** By region: its endpoint, for LambdaConfirmer's `endpoints`. */
  endpoints: Record<string, string>;
  /** The invocations since the last take (every region), and starts counting afresh. */
  take(): ConfirmInvocation[];
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * Starts a stand-in for Lambda's Invoke API per confirmer region, each on its own port of
 * 127.0.0.1, that runs the real confirm handler logic (lib/app/confirm.ts confirmChecks) with the
 * prober the confirm function uses (MonitorProber; private addresses allowed, the targets being on
 * 127.0.0.1) and answers as Lambda does: the answer as the payload, or a FunctionError. A request
 * signed for another region than the port's is refused, so every region's client is seen to go
 * where it should. Times each invocation and sizes its payloads.
 */
export async function startInvokeStandIn(options: { regions: readonly string[]; functionName: string; concurrency: number }): Promise<InvokeStandIn> {
  let invocations: ConfirmInvocation[] = [];
  const servers: Server[] = [];
  const endpoints: Record<string, string> = {};
  for (const region of options.regions) {
    // One warm container per region: its prober (and its connection settings) kept between invocations.
    const prober = MonitorProber.create({ blockPrivateAddresses: false });
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const json = { 'content-type': 'application/json' };
        const signedFor = /Credential=[^/]+\/\d{8}\/([^/]+)\/lambda\//.exec(request.headers.authorization ?? '')?.[1];
        const functionName = INVOKE_PATH.exec(request.url ?? '')?.[1];
        if (signedFor !== region || functionName !== options.functionName || request.headers['x-amz-invocation-type'] !== 'RequestResponse') {
          response
            .writeHead(403, { ...json, 'x-amzn-errortype': 'AccessDeniedException' })
            .end(JSON.stringify({ message: `the ${region} stand-in got ${request.url} signed for ${signedFor}` }));
          return;
        }
        const logger = countingLogger();
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        const done = (status: number, headers: Record<string, string>, answer: string, suspects: number) => {
          const cpu = process.cpuUsage(cpuBefore);
          invocations.push({
            region,
            durationMs: performance.now() - started,
            cpuMs: (cpu.user + cpu.system) / 1000,
            requestBytes: body.byteLength,
            answerBytes: Buffer.byteLength(answer, 'utf8'),
            logBytes: logger.take().bytes,
            suspects,
          });
          response.writeHead(status, { ...json, ...headers }).end(answer);
        };
        let input: unknown;
        try {
          input = JSON.parse(body.toString('utf8'));
        } catch {
          done(200, { 'x-amz-function-error': 'Unhandled' }, JSON.stringify({ errorType: 'SyntaxError', errorMessage: 'the payload is no JSON' }), 0);
          return;
        }
        const suspects = Object.keys((input as { suspects?: object }).suspects ?? {}).length;
        confirmChecks(input, { prober, region, now: () => new Date(), concurrency: options.concurrency, logger }).then(
          (answer) => done(200, {}, JSON.stringify(answer), suspects),
          (error: unknown) => {
            const { name, message } = error instanceof Error ? error : new Error(String(error));
            done(200, { 'x-amz-function-error': 'Unhandled' }, JSON.stringify({ errorType: name, errorMessage: message, trace: [] }), suspects);
          },
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    endpoints[region] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  return {
    endpoints,
    take: () => {
      const taken = invocations;
      invocations = [];
      return taken;
    },
    close: async () => {
      await Promise.all(
        servers.map((server) => {
          server.closeAllConnections();
          return new Promise<void>((resolve) => server.close(() => resolve()));
        }),
      );
    },
  };
}
