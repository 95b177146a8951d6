import net from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { MonitorProber } from '../../lib/adapters/monitor-prober';
import { probeRun, type ProbeDeps } from '../../lib/app/probe-run';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { mxData, QTYPE_MX, startDnsServer, type RunningDnsServer } from '../support/dns-server';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { createScheduledEvent } from '../fixtures/scheduled-event';

/**
 * A tcp and a dns monitor through the real probe run (MonitorProber, DynamoDB Local): a real
 * listener on 127.0.0.1 that is closed and opened again, and a real DNS server whose MX answer
 * changes. Each goes DOWN after two failed checks and UP again after two good ones.
 */
const T0 = Date.parse('2026-05-04T10:00:00Z');

let table: TestTable;
let dns: RunningDnsServer;
let listener: net.Server | undefined;
let port: number;
let exchange = 'mail.example.test';
let deps: ProbeDeps & { stores: DynamoDbStores };
let clockMinute = 0;

function listen(onPort: number): Promise<net.Server> {
  const server = net.createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(onPort, '127.0.0.1', () => resolve(server));
  });
}

async function closeListener(): Promise<void> {
  const server = listener;
  listener = undefined;
  if (server !== undefined) await new Promise((resolve) => server.close(resolve));
}

beforeAll(async () => {
  table = await createTestTable('tcpdns');
  dns = await startDnsServer(({ name, type }) => (name === 'example.test' && type === QTYPE_MX ? { rdata: [mxData(10, exchange)] } : { rcode: 'NXDOMAIN' }));
  listener = await listen(0);
  port = (listener.address() as net.AddressInfo).port;
  const config = parseMonitorsConfig(
    `notify: { from: monitor@example.com, to: [oncall@example.com] }
monitors:
  - { id: db, name: Database, type: tcp, url: "tcp://127.0.0.1:${port}", timeout: 1s }
  - { id: mx, name: Mail exchange, type: dns, url: "dns://example.test", timeout: 1s, dns: { type: MX, expect: [mail.example.test], server: "${dns.address}" } }
`,
    'monitors.yml',
  );
  deps = {
    config,
    stores: createDynamoDbStores({ client: table.client, tableName: table.tableName }),
    prober: MonitorProber.create(),
    metrics: new DisabledMetricsSink(),
    logger: new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'SILENT' }),
    now: () => new Date(T0 + clockMinute * 60_000 + 1000),
    concurrency: 2,
    periodMs: 60_000,
  };
});

afterAll(async () => {
  await Promise.all([closeListener(), dns.close(), table.drop()]);
});

const runAt = (minute: number) => {
  clockMinute = minute;
  return probeRun(createScheduledEvent(T0 + minute * 60_000), deps);
};

const transitionsOf = (report: Awaited<ReturnType<typeof runAt>>) => report.transitions.map((t) => `${t.monitorId}:${t.from}->${t.to}`).sort();

it('takes a tcp and a dns monitor UP, DOWN after two failed checks, and UP again', async () => {
  expect(await runAt(0)).toMatchObject({ checks: 2, failures: 0, transitions: [] });
  expect(transitionsOf(await runAt(1))).toEqual(['db:UNKNOWN->UP', 'mx:UNKNOWN->UP']);

  await closeListener();
  exchange = 'other.example.test';
  expect(await runAt(2)).toMatchObject({ checks: 2, failures: 2, transitions: [] });
  const outage = await runAt(3);
  expect(transitionsOf(outage)).toEqual(['db:UP->DOWN', 'mx:UP->DOWN']);
  expect(outage.transitions.find((t) => t.monitorId === 'db')?.reason).toBe(`connection-refused: connection refused: connect ECONNREFUSED 127.0.0.1:${port}`);
  expect(outage.transitions.find((t) => t.monitorId === 'mx')?.reason).toBe('dns-mismatch: MX example.test: expected mail.example.test; got other.example.test');
  const summary = await deps.stores.runs.latestRunSummary(new Date(T0 + 4 * 60_000).toISOString());
  expect(summary?.results).toEqual({
    db: { ok: false, latencyMs: expect.any(Number) as number, reason: 'connection-refused' },
    mx: { ok: false, latencyMs: expect.any(Number) as number, reason: 'dns-mismatch' },
  });

  listener = await listen(port);
  exchange = 'MAIL.example.test.';
  expect(await runAt(4)).toMatchObject({ checks: 2, failures: 0, transitions: [] });
  expect(transitionsOf(await runAt(5))).toEqual(['db:DOWN->UP', 'mx:DOWN->UP']);
  expect((await deps.stores.states.loadState('db'))?.status).toBe('UP');
  expect((await deps.stores.states.loadState('mx'))?.status).toBe('UP');
});
