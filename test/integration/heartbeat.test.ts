import { Logger } from '@aws-lambda-powertools/logger';
import { DisabledMetricsSink } from '../../lib/adapters/cloudwatch-metrics-sink';
import { DynamoDbHeartbeatStore } from '../../lib/adapters/dynamodb-heartbeat-store';
import { createDynamoDbStores, type DynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import type { PingDeps } from '../../lib/app/ping';
import { probeRun } from '../../lib/app/probe-run';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import type { Prober, SecretResolver } from '../../lib/domain/ports';
import { describeSecretRef } from '../../lib/domain/secret-ref';
import { MINUTE_MS } from '../../lib/domain/time';
import type { MonitorsConfig } from '../../lib/domain/types';
import { mapErrorToResponse } from '../../lib/http/errors';
import { handlePing } from '../../functions/ping';
import { createHttpApiEvent } from '../fixtures/http-api-event';
import { createScheduledEvent } from '../fixtures/scheduled-event';
import { createTestTable, type TestTable } from '../support/dynamodb';

/**
 * Heartbeats end to end below the HTTP API: pings through the ping function's handler into
 * DynamoDB Local, then the probe's runs weighing them. `backup` (a literal token) is pinged every
 * hour with 5 minutes' grace; `nightly`'s token is an SSM reference, resolved by a stub resolver.
 */

const T0 = Date.parse('2026-06-01T10:00:00Z');
const BACKUP_TOKEN = 'backup-token-0123456789';
const NIGHTLY_TOKEN = 'nightly-token-abcdefghij';
const logger = new Logger({ serviceName: 'uptime-monitor-test', logLevel: 'SILENT' });
const noProber: Prober = {
  probe: async () => {
    throw new Error('a heartbeat monitor never reaches the prober');
  },
};

let table: TestTable;
let stores: DynamoDbStores;
let heartbeats: DynamoDbHeartbeatStore;
let config: MonitorsConfig;
const resolved: string[] = [];

beforeAll(async () => {
  table = await createTestTable('heartbeat');
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  heartbeats = new DynamoDbHeartbeatStore({ client: table.client, tableName: table.tableName });
  config = parseMonitorsConfig(
    `
notify: { from: uptime@example.com, to: [ops@example.com] }
defaults: { failureThreshold: 1, successThreshold: 1 }
monitors:
  - { id: backup, type: heartbeat, interval: 1h, grace: 5m, token: ${BACKUP_TOKEN} }
  - { id: nightly, type: heartbeat, interval: 1h, grace: 5m, token: { ssm: /uptime/test/nightly-token } }
  - { id: orphan, type: heartbeat, interval: 1h, token: { ssm: /uptime/test/missing-token } }
`,
    'monitors.yml',
  );
});

afterAll(() => table.drop());

const secrets: SecretResolver = {
  resolve: async (refs) => {
    const values = new Map<string, string>();
    const failures = new Map<string, string>();
    for (const ref of refs) {
      const key = describeSecretRef(ref);
      resolved.push(key);
      if (key === 'ssm:/uptime/test/nightly-token') values.set(key, NIGHTLY_TOKEN);
      else failures.set(key, 'ParameterNotFound');
    }
    return { values, failures };
  },
};

const pingDeps = (atMs: number): PingDeps => ({ monitors: config.monitors, secrets, recorder: heartbeats, now: () => new Date(atMs), logger });

function ping(token: string, atMs: number, options: { fail?: boolean; method?: string } = {}) {
  const route = options.fail ? '/ping/{token}/fail' : '/ping/{token}';
  const path = `/ping/${token}${options.fail ? '/fail' : ''}`;
  return handlePing(createHttpApiEvent(path, { route, method: options.method ?? 'GET' }), pingDeps(atMs));
}

const runAt = (minute: number) =>
  probeRun(createScheduledEvent(T0 + minute * MINUTE_MS), {
    config,
    stores,
    prober: noProber,
    heartbeats,
    metrics: new DisabledMetricsSink(),
    logger,
    now: () => new Date(T0 + minute * MINUTE_MS + 1000),
    concurrency: 2,
    periodMs: MINUTE_MS,
  });

async function rejectionOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const statusOf = async (id: string) => (await stores.states.loadState(id))?.status ?? 'UNKNOWN';
const at = (minute: number) => T0 + minute * MINUTE_MS;

describe('heartbeat monitors', () => {
  it('are unchecked (UNKNOWN) until first pinged, then UP', async () => {
    const first = await runAt(0);
    expect(first.checks).toBe(0);
    expect(await statusOf('backup')).toBe('UNKNOWN');
    const answer = await ping(BACKUP_TOKEN, at(10));
    expect(answer.statusCode).toBe(200);
    expect(answer.body).not.toContain(BACKUP_TOKEN);
    const run = await runAt(11);
    expect(run.checks).toBe(1);
    expect(await statusOf('backup')).toBe('UP');
  });

  it('take a POST as a ping, and a token in a secret reference, resolved through the resolver', async () => {
    expect((await ping(NIGHTLY_TOKEN, at(12), { method: 'POST' })).statusCode).toBe(200);
    await runAt(13);
    expect(await statusOf('nightly')).toBe('UP');
    expect(resolved).toContain('ssm:/uptime/test/nightly-token');
    // Never pinged, first seen at minute 0: still within its interval and grace.
    expect(await statusOf('orphan')).toBe('UNKNOWN');
  });

  it('stay UP while each ping comes within interval + grace, and go DOWN (no-ping) once it is late', async () => {
    await ping(BACKUP_TOKEN, at(70));
    await ping(NIGHTLY_TOKEN, at(70));
    await runAt(134); // 64 minutes after the last pings (runs check a second past their tick): on time
    expect(await statusOf('backup')).toBe('UP');
    const late = await runAt(135); // 65 minutes and a second: late
    expect(await statusOf('backup')).toBe('DOWN');
    expect(late.transitions.map((transition) => [transition.monitorId, transition.to, transition.reason])).toEqual(
      expect.arrayContaining([['backup', 'DOWN', expect.stringContaining('no-ping')]]),
    );
    const summary = await stores.runs.latestRunSummary(new Date(at(135)).toISOString());
    expect(summary?.results.backup).toMatchObject({ ok: false, reason: 'no-ping' });
  });

  it('recover with a late ping, and go DOWN (fail-signal) on a fail ping until the next ping', async () => {
    await ping(BACKUP_TOKEN, at(140));
    await runAt(141);
    expect(await statusOf('backup')).toBe('UP');
    expect((await ping(BACKUP_TOKEN, at(150), { fail: true, method: 'POST' })).statusCode).toBe(200);
    await runAt(151);
    expect(await statusOf('backup')).toBe('DOWN');
    expect((await stores.states.loadState('backup'))?.lastFailureReason).toContain('fail-signal');
    await ping(BACKUP_TOKEN, at(160));
    await runAt(161);
    expect(await statusOf('backup')).toBe('UP');
  });

  it('keep the later of two pings that arrive out of order', async () => {
    await ping(BACKUP_TOKEN, at(170), { fail: true });
    await ping(BACKUP_TOKEN, at(169));
    expect((await heartbeats.readHeartbeats(['backup'])).get('backup')?.lastPing).toEqual({ kind: 'fail', at: new Date(at(170)).toISOString() });
  });

  it('answer any unknown token with the same 404, whatever the reason, and record nothing', async () => {
    const before = await heartbeats.readHeartbeats(['backup', 'nightly', 'orphan']);
    const answers = await Promise.all(
      [
        'no-such-token-at-all-0000', // no monitor has it
        BACKUP_TOKEN.slice(0, -1), // a prefix of a real one
        `${BACKUP_TOKEN}x`, // a real one and more
        encodeURIComponent('ssm:/uptime/test/missing-token'), // the reference itself
        encodeURIComponent(`${BACKUP_TOKEN}/`), // a real one and an escaped slash (API Gateway decodes path parameters once)
        `${BACKUP_TOKEN.slice(0, 6)}%2D${BACKUP_TOKEN.slice(7)}`.replace('%2D', encodeURIComponent('%2D')), // an escape decoded twice would match
      ].map(async (token) => mapErrorToResponse(await rejectionOf(() => ping(token, at(180))))),
    );
    for (const answer of answers) {
      expect(answer).toEqual(answers[0]);
      expect(answer.statusCode).toBe(404);
    }
    expect(answers[0]?.body).toBe('{"error":{"code":"not_found","message":"not found"}}');
    expect(await heartbeats.readHeartbeats(['backup', 'nightly', 'orphan'])).toEqual(before);
  });

  it('never pinged: DOWN (no-ping) once interval + grace have passed since the monitor was first seen', async () => {
    // orphan (grace: a tenth of 1h, at least 1m: 6m) was first seen at minute 0; its token never resolves.
    expect((await heartbeats.readHeartbeats(['orphan'])).get('orphan')).toEqual({ monitorId: 'orphan', firstSeenAt: new Date(at(0) + 1000).toISOString() });
    const down = await stores.states.loadState('orphan');
    expect(down?.status).toBe('DOWN');
    // The first run past 66 minutes (1h and 6m of grace) found it: the run of minute 134.
    expect(down?.since).toBe(new Date(at(134) + 1000).toISOString());
    expect((await stores.states.loadState('orphan'))?.lastFailureReason).toContain('no-ping');
  });
});
