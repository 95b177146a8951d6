import { buildAlert, buildCertificateAlert, buildReminderAlert, statusPageUrlOf, type AlertContext } from '../../lib/app/notify';
import type { Transition } from '../../lib/domain/types';
import { NO_PAGE_SETTINGS, defaultMonitor } from '../fixtures/monitor-config';

// What the notifier builds each alert from besides its item: the configuration's names and status page, and the API's URL.

const database = defaultMonitor('database', 'https://db.example.com/health', { name: 'Database' });
const payments = defaultMonitor('payments-api', 'https://api.example.com/health', { name: 'Payments API', dependsOn: ['database'] });
const checkout = defaultMonitor('checkout', 'https://shop.example.com/health', { name: 'Checkout', dependsOn: ['database'] });
const MONITORS = [database, payments, checkout];

function context(statusPageUrl?: string, apiUrl?: string): AlertContext {
  return {
    config: { monitors: MONITORS, statusPage: { ...NO_PAGE_SETTINGS.statusPage, ...(statusPageUrl === undefined ? {} : { url: statusPageUrl }) } },
    ...(apiUrl === undefined ? {} : { apiUrl }),
  };
}

const outage: Transition = {
  monitorId: 'database',
  from: 'UP',
  to: 'DOWN',
  startedAt: '2024-05-04T16:00:00.000Z',
  confirmedAt: '2024-05-04T16:01:00.000Z',
  previousSince: '2024-05-01T12:00:00.000Z',
  reason: 'connection-refused: connect ECONNREFUSED',
  tick: '2024-05-04T16:01:00.000Z',
};
const recovery: Transition = { ...outage, from: 'DOWN', to: 'UP', startedAt: '2024-05-04T16:10:00.000Z', confirmedAt: '2024-05-04T16:11:00.000Z', previousSince: outage.startedAt, tick: '2024-05-04T16:11:00.000Z' };

describe('statusPageUrlOf', () => {
  it.each([
    ['statusPage.url, when set, over the API', 'https://status.example.com/uptime', 'https://abc.execute-api.eu-west-1.amazonaws.com', 'https://status.example.com/uptime'],
    ['statusPage.url, as the URL standard writes it', 'https://Status.Example.com', undefined, 'https://status.example.com/'],
    ["the API's / when only its URL is known", undefined, 'https://abc.execute-api.eu-west-1.amazonaws.com', 'https://abc.execute-api.eu-west-1.amazonaws.com/'],
    ["the API's / with a trailing slash given", undefined, 'http://127.0.0.1:3000/', 'http://127.0.0.1:3000/'],
    ["the API's / below its base path", undefined, 'https://api.example.com/uptime', 'https://api.example.com/uptime/'],
    ['none when neither is known', undefined, undefined, undefined],
  ])('%s', (_label, pageUrl, apiUrl, expected) => {
    expect(statusPageUrlOf(context(pageUrl, apiUrl))).toBe(expected);
  });
});

describe('buildAlert', () => {
  it('names an outage’s dependents by their configured names, in the given order; an id no longer configured by itself', () => {
    const alert = buildAlert({ ...outage, affected: ['checkout', 'retired', 'payments-api'] }, database, null, context());
    expect(alert.affected).toEqual([
      { id: 'checkout', name: 'Checkout' },
      { id: 'retired', name: 'retired' },
      { id: 'payments-api', name: 'Payments API' },
    ]);
    expect('statusPageUrl' in alert).toBe(false);
  });

  it.each([
    ['an outage without dependents down', outage],
    ['an outage with an empty list', { ...outage, affected: [] }],
    ['a recovery that carries some', { ...recovery, affected: ['checkout'] }],
  ])('names none for %s', (_label, transition) => {
    expect('affected' in buildAlert(transition, database, null, context())).toBe(false);
  });

  it('links the status page on an outage and a recovery', () => {
    for (const transition of [outage, recovery]) {
      expect(buildAlert(transition, database, 60_000, context(undefined, 'https://abc.example.com')).statusPageUrl).toBe('https://abc.example.com/');
    }
  });
});

describe('reminders and certificate warnings', () => {
  it('link the status page too, and name no dependents', () => {
    const reminder = buildReminderAlert(
      { monitorId: 'database', outageStartedAt: outage.startedAt, number: 1, tick: '2024-05-04T17:01:00.000Z', reason: 'timeout' },
      database,
      context('https://status.example.com/'),
    );
    expect(reminder.statusPageUrl).toBe('https://status.example.com/');
    expect('affected' in reminder).toBe(false);
    const warning = buildCertificateAlert(
      {
        monitorId: 'database',
        certificate: { fingerprint: 'ab'.repeat(32), expiresAt: '2024-05-07T12:00:00.000Z', issuer: 'CN=R11', subject: 'CN=db.example.com' },
        thresholdMs: 3 * 86_400_000,
        tick: '2024-05-04T16:01:00.000Z',
      },
      database,
      context(undefined, 'https://abc.example.com'),
    );
    expect(warning.statusPageUrl).toBe('https://abc.example.com/');
  });

  it('link nothing without a context (as before)', () => {
    expect('statusPageUrl' in buildReminderAlert({ monitorId: 'database', outageStartedAt: outage.startedAt, number: 1, tick: '2024-05-04T17:01:00.000Z' }, database)).toBe(false);
  });
});
