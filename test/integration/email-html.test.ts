/**
 * The HTML part of the alert email is a valid document: the Nu Html Checker (the `vnu-jar`
 * package, run on Java) reports no error, no warning and no info message about it. One JVM start
 * checks every document (it costs about 4 s; each document adds milliseconds).
 */
import { renderTransitionEmail, type TransitionEmailInput } from '../../lib/domain/email';
import { renderReminderEmail } from '../../lib/domain/reminder-email';
import { renderCertificateEmail } from '../../lib/domain/certificate-email';
import type { MonitorConfig, Transition } from '../../lib/domain/types';
import { defaultMonitor } from '../fixtures/monitor-config';
import { checkHtml, describeNuMessage, type NuReport } from '../support/nu-html-checker';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// The render inputs of test/unit/email.test.ts.
function monitor(overrides: Partial<MonitorConfig> = {}): MonitorConfig {
  return defaultMonitor('payments-api', 'https://api.example.com/health', { name: 'Payments API', intervalMs: MINUTE, notify: { to: ['team@example.com'] }, ...overrides });
}

const outage: Transition = {
  monitorId: 'payments-api',
  from: 'UP',
  to: 'DOWN',
  startedAt: '2024-05-04T16:00:00.000Z',
  confirmedAt: '2024-05-04T16:01:00.000Z',
  previousSince: '2024-05-01T12:00:00.000Z',
  reason: 'http-status: expected 200, got 503',
  tick: '2024-05-04T16:01:00.000Z',
};

const recovery: Transition = {
  monitorId: 'payments-api',
  from: 'DOWN',
  to: 'UP',
  startedAt: '2024-05-04T16:04:10.000Z',
  confirmedAt: '2024-05-04T16:05:10.000Z',
  previousSince: outage.startedAt,
  tick: '2024-05-04T16:05:00.000Z',
};

function render(overrides: Partial<TransitionEmailInput>) {
  return renderTransitionEmail({
    transition: outage,
    monitor: monitor(),
    previousStateMs: 3 * DAY + 4 * HOUR,
    from: 'monitor@example.com',
    to: ['team@example.com'],
    ...overrides,
  });
}

const HOSTILE_MARKUP = `</title></head><body><script>alert("1")</script><img src=x onerror='alert(2)'> & &amp; <!-- -->`;

/** The emails whose HTML part must pass, by what each shows. */
const EMAILS: Record<string, string> = {
  'an outage': render({}).html,
  'a recovery': render({ transition: recovery, previousStateMs: 4 * MINUTE + 10_000 }).html,
  'a recovery whose outage length is unknown': render({ transition: recovery, previousStateMs: null }).html,
  'the first outage ever': render({ transition: { ...outage, from: 'UNKNOWN' }, previousStateMs: null }).html,
  'an outage with a hostile name and a 10 KB hostile reason': render({
    monitor: monitor({ name: `Payments ${HOSTILE_MARKUP} "API" 'x'\r\n${'n'.repeat(300)}` }),
    transition: { ...outage, reason: `body-mismatch: ${HOSTILE_MARKUP} ${'y'.repeat(10 * 1024)}` },
  }).html,
  'a recovery with a hostile name': render({ monitor: monitor({ name: `${HOSTILE_MARKUP} "API"` }), transition: recovery, previousStateMs: MINUTE }).html,
  'code points HTML forbids in the name and the reason': render({
    monitor: monitor({ name: 'Payments\u0080\u009f\ufdd0\u{1fffe}\ud800 API' }),
    transition: { ...outage, reason: 'body-mismatch: data: expected "ok", got "\u0080\ufdef\u{10ffff}\udfff"' },
  }).html,
  'a URL held in a secret reference': render({ monitor: monitor({ url: { secretsManager: 'uptime/prod/api', key: 'url' } }) }).html,
  'a URL with a query and user info': render({ monitor: monitor({ url: 'https://user:pw@example.com/a b?token=abc&x="1"#frag' }) }).html,
  'a URL that is not http': render({ monitor: monitor({ url: 'javascript:alert(1)' }) }).html,
  'an outage seen from a minority of vantage points, with a hostile region and reason and an abstention': render({
    vantage: {
      points: [
        { region: 'us-east-1', ok: false, reason: `http-status ${HOSTILE_MARKUP}`, latencyMs: 40 },
        { region: `eu-west-1 ${HOSTILE_MARKUP}\u0080\ufdd0`, ok: true, latencyMs: 90 },
        { region: 'sa-east-1', ok: null, reason: 'abstained: deadline' },
      ],
      quorumMet: false,
    },
  }).html,
  'an outage naming the dependents also affected, with the status page': render({
    affected: [
      { id: 'checkout', name: 'Checkout' },
      { id: 'hostile', name: `${HOSTILE_MARKUP} "API"\r\n` },
    ],
    statusPageUrl: 'https://status.example.com/?team=a&view="b"',
  }).html,
  'a recovery with the status page': render({ transition: recovery, previousStateMs: MINUTE, statusPageUrl: 'https://status.example.com/' }).html,
  'a reminder with a hostile name and reason': renderReminderEmail({
    reminder: { monitorId: 'payments-api', outageStartedAt: '2024-05-04T16:00:00.000Z', number: 2, tick: '2024-05-04T18:01:00.000Z', reason: `body-mismatch: ${HOSTILE_MARKUP}` },
    monitor: monitor({ name: `${HOSTILE_MARKUP} "API"`, remindEveryMs: HOUR }),
    from: 'monitor@example.com',
    to: ['oncall@example.com'],
    statusPageUrl: 'https://status.example.com/?a=1&b=2',
  }).html,
  'a certificate warning with a hostile name, issuer and subject': renderCertificateEmail({
    warning: {
      monitorId: 'payments-api',
      certificate: { fingerprint: 'ab'.repeat(32), expiresAt: '2024-05-07T12:00:00.000Z', issuer: `CN=${HOSTILE_MARKUP}`, subject: `CN=\u0080${HOSTILE_MARKUP}` },
      thresholdMs: 3 * DAY,
      tick: '2024-05-04T16:01:00.000Z',
    },
    monitor: monitor({ name: `${HOSTILE_MARKUP} "API"` }),
    from: 'monitor@example.com',
    to: ['oncall@example.com'],
    statusPageUrl: 'http://127.0.0.1:3000/',
  }).html,
};

/** The outage email without its title: proves in the same run that the checker reports what it finds. */
const BROKEN = render({}).html.replace(/<title>.*<\/title>\n/, '');

describe('the HTML part of the alert email, checked by the Nu Html Checker', () => {
  let report: NuReport;

  beforeAll(async () => {
    report = await checkHtml({ ...EMAILS, broken: BROKEN });
  }, 60_000);

  it('reports a document that has no title (the check can fail)', () => {
    expect(BROKEN).not.toContain('<title>');
    expect(report.broken?.map(describeNuMessage)).toEqual([expect.stringMatching(/^error .*“head” is missing a required instance of child element “title”/)]);
  });

  it.each(Object.keys(EMAILS))('passes %s: no error, no warning, no info', (name) => {
    expect(report[name]?.map(describeNuMessage)).toEqual([]);
  });
});
