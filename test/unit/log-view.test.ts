import { Logger } from '@aws-lambda-powertools/logger';
import { notifyReminder, notifyTransition, type NotifyTransitionDeps } from '../../lib/app/notify';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { PermanentDeliveryError, TransientDeliveryError, type AlertChannel, type ChannelType, type DeliveryReceipt } from '../../lib/domain/alert';
import type { LedgerEntry, NotificationLedger } from '../../lib/domain/ports';
import type { Transition } from '../../lib/domain/types';
import { formatLogLine, isShown, parseLogLine, type LogLine } from '../../tools/local/log-view';

/**
 * What `npm start` prints for each delivery (one alert to one channel). The table gives the fields
 * as lib/app/notify.ts logs them; the last cases run the real notifier with a real Powertools
 * logger and read its JSON output as npm start does, so a renamed field or message shows up here.
 */

const at = '2026-01-01T10:01:01.000Z';
const transition = { monitorId: 'demo', from: 'UP', to: 'DOWN', tick: '2026-01-01T10:01:00.000Z', key: 'demo#2026-01-01T10:00:40.000Z#2026-01-01T10:01:00.000Z' };
const reminder = { monitorId: 'demo', reminder: 3, since: '2026-01-01T10:00:40.000Z', key: 'demo#2026-01-01T10:00:40.000Z#reminder-3' };

describe('log view: deliveries', () => {
  it.each<[string, LogLine, string]>([
    [
      'an outage delivered to a webhook',
      { level: 'INFO', message: 'alert delivered', timestamp: at, ...transition, channel: 'ops-hook', deliveryKey: `${transition.key}#ops-hook`, receipt: 'HTTP 204' },
      '10:01:01  ✉ ops-hook sent for demo (UP -> DOWN): HTTP 204',
    ],
    [
      'a recovery email, with its message id',
      { level: 'INFO', message: 'transition email sent', timestamp: at, ...transition, from: 'DOWN', to: 'UP', channel: 'email', deliveryKey: transition.key, receipt: '0100-abc' },
      '10:01:01  ✉ email sent for demo (DOWN -> UP): 0100-abc',
    ],
    [
      'a reminder delivered to PagerDuty',
      { level: 'INFO', message: 'alert delivered', timestamp: at, ...reminder, channel: 'pager', deliveryKey: `${reminder.key}#pager`, receipt: 'HTTP 202: Event processed (dedup_key demo#x)' },
      '10:01:01  ✉ pager sent for demo (reminder 3, DOWN since 10:00:40): HTTP 202: Event processed (dedup_key demo#x)',
    ],
    [
      'a reminder known only by its delivery key',
      { level: 'INFO', message: 'alert delivered', timestamp: at, monitorId: 'demo', channel: 'team-chat', deliveryKey: 'demo#2026-01-01T10:00:40.000Z#reminder-12#team-chat', receipt: 'HTTP 200' },
      '10:01:01  ✉ team-chat sent for demo (reminder 12): HTTP 200',
    ],
    [
      'a reminder email, known by its alert key',
      { level: 'INFO', message: 'transition email sent', timestamp: at, monitorId: 'demo', key: 'demo#2026-01-01T10:00:40.000Z#reminder-1', channel: 'email', receipt: 'm-1' },
      '10:01:01  ✉ email sent for demo (reminder 1): m-1',
    ],
    [
      'a certificate warning delivered to Slack',
      { level: 'INFO', message: 'alert delivered', timestamp: at, monitorId: 'shop', fingerprint: 'ab'.repeat(32), thresholdMs: 259_200_000, key: `shop#certificate-${'ab'.repeat(32)}#259200000`, channel: 'team-chat', receipt: 'HTTP 200' },
      '10:01:01  ✉ team-chat sent for shop (certificate expiring): HTTP 200',
    ],
    [
      'the probe writing a certificate warning',
      { level: 'INFO', message: 'certificate warning written: the certificate expires soon', timestamp: at, monitorId: 'shop', expiresAt: '2026-01-04T10:00:00.000Z', thresholdMs: 259_200_000 },
      '10:01:01  ⚠ shop certificate expires 2026-01-04 10:00 UTC: warning due',
    ],
    [
      'a delivery refused for good',
      { level: 'ERROR', message: 'alert delivery failed permanently', timestamp: at, ...transition, channel: 'ops-hook', deliveryKey: `${transition.key}#ops-hook`, error: "webhook channel 'ops-hook': HTTP 404: no such hook" },
      "10:01:01  ⊘ ops-hook refused the alert for demo (UP -> DOWN), not retried: webhook channel 'ops-hook': HTTP 404: no such hook",
    ],
    [
      'a delivery to be retried',
      { level: 'WARN', message: 'alert delivery failed; it will be retried', timestamp: at, ...reminder, channel: 'team-chat', error: "TransientDeliveryError: slack channel 'team-chat': HTTP 503" },
      "10:01:01  ↻ team-chat failed for demo (reminder 3, DOWN since 10:00:40), will be retried: TransientDeliveryError: slack channel 'team-chat': HTTP 503",
    ],
    [
      'the stream record behind a failed delivery, its error without the stack',
      {
        level: 'ERROR',
        message: 'alert failed; the record will be retried',
        timestamp: at,
        eventName: 'INSERT',
        pk: 'MON#demo',
        sk: 'TR#2026-01-01T10:00:40.000Z#2026-01-01T10:01:00.000Z',
        error: { name: 'TransientDeliveryError', message: "webhook channel 'ops-hook': HTTP 503", stack: 'TransientDeliveryError: …\n    at deliver (…)', retryAfterMs: 30000 },
      },
      "10:01:01  ↻ demo: the stream record will be retried (TransientDeliveryError: webhook channel 'ops-hook': HTTP 503)",
    ],
    [
      'a reminder written by the probe',
      { level: 'INFO', message: 'reminder written: the monitor is still down', timestamp: at, monitorId: 'demo', number: 2, since: '2026-01-01T10:00:40.000Z', tick: '2026-01-01T10:01:00.000Z' },
      '10:01:01  ▼ demo is still DOWN (since 10:00:40): reminder 2 due',
    ],
    [
      'a failure confirmed by a quorum of vantage points',
      {
        level: 'INFO',
        message: 'confirmation: a quorum of vantage points failed; the outage is declared',
        timestamp: at,
        monitorId: 'api',
        failing: 2,
        voting: 3,
        quorum: 2,
        vantage: [
          { region: 'us-east-1', ok: false, reason: 'http-status', latencyMs: 12 },
          { region: 'eu-west-1', ok: false, reason: 'timeout', latencyMs: 1000 },
          { region: 'ap-southeast-1', ok: true, latencyMs: 41.6 },
        ],
      },
      '10:01:01  ✓ api fails from 2 of 3 vantage points (quorum 2): us-east-1 ✗ http-status, eu-west-1 ✗ timeout, ap-southeast-1 ✓ 42 ms',
    ],
    [
      'a regional failure',
      {
        level: 'INFO',
        message: 'confirmation: only a minority of vantage points failed; recorded as regional',
        timestamp: at,
        monitorId: 'api',
        failing: 1,
        voting: 3,
        quorum: 2,
        alerted: false,
        vantage: [
          { region: 'us-east-1', ok: false, reason: 'http-status', latencyMs: 12 },
          { region: 'eu-west-1', ok: true, latencyMs: 40 },
          { region: 'ap-southeast-1', ok: null, reason: 'abstained: deadline' },
        ],
      },
      '10:01:01  ◐ api fails from 1 of 3 vantage points only (quorum 2): regional, no alert: us-east-1 ✗ http-status, eu-west-1 ✓ 40 ms, ap-southeast-1 – abstained: deadline',
    ],
    [
      'the home region deciding alone',
      {
        level: 'WARN',
        message: 'confirmation: every confirmer abstained; the home region decides alone',
        timestamp: at,
        monitorId: 'api',
        failing: 1,
        voting: 1,
        quorum: 1,
        vantage: [
          { region: 'us-east-1', ok: false, reason: 'timeout', latencyMs: 1000 },
          { region: 'eu-west-1', ok: null, reason: 'abstained: error' },
        ],
      },
      '10:01:01  ⚠ api: no confirmer answered, the home region decides alone: us-east-1 ✗ timeout, eu-west-1 – abstained: error',
    ],
    [
      'an outage held back',
      { level: 'INFO', message: 'outage held back: a monitor it depends on is down', timestamp: at, monitorId: 'api', heldBy: 'db', tick: '2026-01-01T10:01:00.000Z' },
      "10:01:01  ⏸ api's outage alert held back: db, which it depends on, is down",
    ],
    [
      'a held outage released',
      {
        level: 'INFO',
        message: 'held outage released: what it depends on is up again and it is still down; its alert goes out now',
        timestamp: at,
        monitorId: 'api',
        since: '2026-01-01T10:00:40.000Z',
        tick: '2026-01-01T10:01:00.000Z',
      },
      '10:01:01  ▼ api is still DOWN (since 10:00:40) now that what it depends on is up: its outage alert is due',
    ],
    [
      'a ping',
      { level: 'INFO', message: 'ping recorded', timestamp: at, monitorId: 'backup', kind: 'ok', at: '2026-01-01T10:01:01.000Z' },
      '10:01:01  ♥ backup pinged',
    ],
    [
      'a fail ping',
      { level: 'INFO', message: 'ping recorded', timestamp: at, monitorId: 'backup', kind: 'fail', at: '2026-01-01T10:01:01.000Z' },
      '10:01:01  ♥ backup pinged: the job failed (/fail)',
    ],
  ])('%s', (_case, line, text) => {
    expect(isShown(line)).toBe(true);
    expect(formatLogLine(line)).toBe(text);
  });

  it('a key that only mentions a reminder before its end is a transition, not a reminder', () => {
    const line: LogLine = { level: 'INFO', message: 'alert delivered', timestamp: at, monitorId: 'demo', from: 'UP', to: 'DOWN', key: 'demo#reminder-1x#t', channel: 'c', receipt: 'HTTP 200' };
    expect(formatLogLine(line)).toBe('10:01:01  ✉ c sent for demo (UP -> DOWN): HTTP 200');
  });
});

/** Captures what a real Powertools logger writes, one JSON object a line, as npm start reads the handlers' output. */
function captureLoggerOutput(): { lines: () => string[]; restore: () => void } {
  const written: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }),
  );
  return {
    lines: () => written.join('').split('\n').filter((line) => line.trim() !== ''),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

/** The ledger's rules in memory: a key is claimed, then completed or released, once. */
function memoryLedger(): NotificationLedger {
  const entries = new Map<string, LedgerEntry>();
  return {
    read: async (key) => entries.get(key),
    claim: async (key, attemptId, leaseExpiresAtMs) => {
      const entry = entries.get(key);
      if (entry) return { claimed: false, entry };
      entries.set(key, { status: 'INPROGRESS', attemptId, leaseExpiresAtMs });
      return { claimed: true };
    },
    complete: async (key, outcome, messageId) => {
      entries.set(key, { status: 'COMPLETED', outcome, ...(messageId === undefined ? {} : { messageId }) });
    },
    recordSkip: async (key, outcome) => {
      if (!entries.has(key)) entries.set(key, { status: 'COMPLETED', outcome });
    },
    release: async (key) => {
      entries.delete(key);
    },
  };
}

function channel(name: string, type: ChannelType, deliver: () => Promise<DeliveryReceipt>): AlertChannel {
  return { name, type, deliver };
}

describe('log view: what the notifier really logs', () => {
  const config = parseMonitorsConfig(
    [
      'notify: { from: monitor@example.com, to: [oncall@example.com] }',
      'channels:',
      '  ops-hook: { type: webhook, url: "https://hooks.example.com/a", secret: { ssm: /x } }',
      '  pager: { type: pagerduty, routingKey: { ssm: /y } }',
      '  team-chat: { type: slack, url: { ssm: /z } }',
      'monitors:',
      '  - id: demo',
      '    url: https://demo.example.com/health',
      '    alerts: [email, ops-hook, pager, team-chat]',
      '    remindEvery: 10m',
    ].join('\n'),
    'monitors.yml',
  );
  const outage: Transition = {
    monitorId: 'demo',
    from: 'UP',
    to: 'DOWN',
    startedAt: '2026-01-01T10:00:40.000Z',
    confirmedAt: '2026-01-01T10:01:00.000Z',
    previousSince: '2026-01-01T09:00:00.000Z',
    reason: 'timeout',
    tick: '2026-01-01T10:01:00.000Z',
  };

  function deps(logger: Logger): NotifyTransitionDeps {
    return {
      transitions: { listTransitions: async () => [], listTransitionsSince: async () => [], previousTransition: async () => undefined },
      mailer: { send: async () => ({ messageId: 'ses-1' }) },
      channels: new Map([
        ['ops-hook', channel('ops-hook', 'webhook', async () => ({ receipt: 'HTTP 204' }))],
        ['pager', channel('pager', 'pagerduty', async () => Promise.reject(new PermanentDeliveryError("pagerduty channel 'pager': HTTP 400: Invalid routing key")))],
        ['team-chat', channel('team-chat', 'slack', async () => Promise.reject(new TransientDeliveryError("slack channel 'team-chat': HTTP 503")))],
      ]),
      ledger: memoryLedger(),
      config,
      logger,
    };
  }

  /** The notifier's output as npm start shows it: the delivery lines, formatted, in order. */
  async function shownDeliveries(send: (deps: NotifyTransitionDeps) => Promise<unknown>): Promise<string[]> {
    const output = captureLoggerOutput();
    try {
      await send(deps(new Logger({ serviceName: 'uptime-monitor', logLevel: 'INFO' }))).catch(() => undefined);
    } finally {
      output.restore();
    }
    return output
      .lines()
      .map(parseLogLine)
      .filter((line): line is LogLine => line !== undefined && isShown(line))
      .map((line) => formatLogLine(line).slice('hh:mm:ss  '.length));
  }

  it('an outage: one line per channel, with what it answered or why not', async () => {
    await expect(shownDeliveries((d) => notifyTransition(outage, d))).resolves.toEqual([
      '✉ email sent for demo (UP -> DOWN): ses-1',
      '✉ ops-hook sent for demo (UP -> DOWN): HTTP 204',
      "⊘ pager refused the alert for demo (UP -> DOWN), not retried: pagerduty channel 'pager': HTTP 400: Invalid routing key",
      "↻ team-chat failed for demo (UP -> DOWN), will be retried: TransientDeliveryError: slack channel 'team-chat': HTTP 503",
    ]);
  });

  it('a reminder: the same, named as the reminder it is', async () => {
    const lines = await shownDeliveries((d) =>
      notifyReminder({ monitorId: 'demo', outageStartedAt: outage.startedAt, number: 2, tick: '2026-01-01T10:21:00.000Z', reason: 'timeout' }, d),
    );
    expect(lines).toEqual([
      '✉ email sent for demo (reminder 2, DOWN since 10:00:40): ses-1',
      '✉ ops-hook sent for demo (reminder 2, DOWN since 10:00:40): HTTP 204',
      "⊘ pager refused the alert for demo (reminder 2, DOWN since 10:00:40), not retried: pagerduty channel 'pager': HTTP 400: Invalid routing key",
      "↻ team-chat failed for demo (reminder 2, DOWN since 10:00:40), will be retried: TransientDeliveryError: slack channel 'team-chat': HTTP 503",
    ]);
  });
});
