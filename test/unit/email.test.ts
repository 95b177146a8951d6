import {
  MAX_REASON_LENGTH,
  MAX_SUBJECT_LENGTH,
  UnnotifiableTransitionError,
  describeTime,
  renderTransitionEmail,
  shouldNotify,
  type TransitionEmailInput,
} from '../../lib/domain/email';
import { renderCertificateEmail } from '../../lib/domain/certificate-email';
import { renderReminderEmail } from '../../lib/domain/reminder-email';
import type { AlertVantage } from '../../lib/domain/alert-vantage';
import type { MonitorConfig, Transition, Vantage } from '../../lib/domain/types';
import { defaultMonitor } from '../fixtures/monitor-config';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

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

const firstOutage: Transition = {
  monitorId: 'payments-api',
  from: 'UNKNOWN',
  to: 'DOWN',
  startedAt: '2024-05-01T12:00:00.000Z',
  confirmedAt: '2024-05-01T12:01:00.000Z',
  previousSince: '2024-05-01T12:00:00.000Z',
  reason: 'connection-refused: connect ECONNREFUSED',
  tick: '2024-05-01T12:01:00.000Z',
};

const establishment: Transition = {
  monitorId: 'payments-api',
  from: 'UNKNOWN',
  to: 'UP',
  startedAt: '2024-05-01T12:00:00.000Z',
  confirmedAt: '2024-05-01T12:01:00.000Z',
  previousSince: '2024-05-01T12:00:00.000Z',
  tick: '2024-05-01T12:01:00.000Z',
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

describe('shouldNotify', () => {
  it.each([
    ['UNKNOWN', 'UP', false], ['UNKNOWN', 'DOWN', true], ['UP', 'DOWN', true], ['DOWN', 'UP', true],
  ] as const)('%s -> %s: %s', (from, to, expected) => {
    expect(shouldNotify({ from, to })).toBe(expected);
  });

  it.each([
    ['an outage held back by a monitor it depends on', { ...outage, heldBy: 'database' }],
    ['the recovery of an outage never released', { ...recovery, heldBy: 'database' }],
    ['a first outage held back', { ...firstOutage, heldBy: 'database' }],
  ])('%s: false, and rendering it is refused', (_label, transition) => {
    expect(shouldNotify(transition)).toBe(false);
    expect(() => render({ transition })).toThrow(UnnotifiableTransitionError);
  });
});

describe('the dependents also affected and the status page link', () => {
  const AFFECTED = [
    { id: 'checkout', name: 'Checkout' },
    { id: 'cart', name: 'Cart' },
  ];

  it('an outage names its dependents also down, in text and HTML', () => {
    const email = render({ affected: AFFECTED });
    expect(email.text.split('\n')).toContain('Also affected: Checkout, Cart');
    expect(email.html).toContain('<p><strong>Also affected:</strong> Checkout, Cart</p>');
    expect(email.text).not.toContain('Status page');
    expect(email.html).not.toContain('Status page');
  });

  it('names none for an outage without dependents down, nor for a recovery', () => {
    for (const email of [render({}), render({ affected: [] }), render({ transition: recovery, previousStateMs: MINUTE, affected: AFFECTED })]) {
      expect(email.text).not.toContain('Also affected');
      expect(email.html).not.toContain('Also affected');
    }
  });

  it('keeps each dependent name on the line, escaped in HTML: a name cannot forge a line or markup', () => {
    const email = render({ affected: [{ id: 'evil', name: 'Evil\r\nState:     UP <b>x</b> & co' }, { id: 'cart', name: 'Cart' }] });
    expect(email.text.split('\n').filter((line) => line.startsWith('State:'))).toEqual(['State:     DOWN (was UP)']);
    expect(email.text).toContain('Also affected: Evil State: UP <b>x</b> & co, Cart');
    expect(email.html).toContain('Also affected:</strong> Evil State: UP &lt;b&gt;x&lt;/b&gt; &amp; co, Cart</p>');
  });

  it.each([
    ['an outage', () => render({ statusPageUrl: 'https://status.example.com/?a=1&b=2' })],
    ['a recovery', () => render({ transition: recovery, previousStateMs: MINUTE, statusPageUrl: 'https://status.example.com/?a=1&b=2' })],
    [
      'a reminder',
      () =>
        renderReminderEmail({
          reminder: { monitorId: 'payments-api', outageStartedAt: outage.startedAt, number: 1, tick: '2024-05-04T17:01:00.000Z', reason: 'timeout' },
          monitor: monitor({ remindEveryMs: HOUR }),
          from: 'monitor@example.com',
          to: ['team@example.com'],
          statusPageUrl: 'https://status.example.com/?a=1&b=2',
        }),
    ],
    [
      'a certificate warning',
      () =>
        renderCertificateEmail({
          warning: {
            monitorId: 'payments-api',
            certificate: { fingerprint: 'ab'.repeat(32), expiresAt: '2024-05-07T12:00:00.000Z', issuer: 'CN=R11', subject: 'CN=api.example.com' },
            thresholdMs: 3 * DAY,
            tick: '2024-05-04T16:01:00.000Z',
          },
          monitor: monitor(),
          from: 'monitor@example.com',
          to: ['team@example.com'],
          statusPageUrl: 'https://status.example.com/?a=1&b=2',
        }),
    ],
  ])('%s links to the status page when its URL is known, in text and HTML', (_kind, renderEmail) => {
    const email = renderEmail();
    expect(email.text.split('\n')).toContain('Status page: https://status.example.com/?a=1&b=2');
    expect(email.html).toContain('<p>Status page: <a href="https://status.example.com/?a=1&amp;b=2">https://status.example.com/?a=1&amp;b=2</a></p>');
  });

  it('shows a status page URL that is not http(s) as text, never as a link', () => {
    const email = render({ statusPageUrl: 'javascript:alert(1)' });
    expect(email.html).toContain('<p>Status page: javascript:alert(1)</p>');
    expect(email.html).not.toContain('href="javascript');
  });
});

describe('where an outage was seen from (multi-region confirmation)', () => {
  const HOME: Vantage = { region: 'us-east-1', ok: false, reason: 'http-status', latencyMs: 120 };
  const EU_FAILED: Vantage = { region: 'eu-west-1', ok: false, reason: 'timeout', latencyMs: 10_000 };
  const EU_OK: Vantage = { region: 'eu-west-1', ok: true, latencyMs: 90 };
  const AP_OK: Vantage = { region: 'ap-southeast-1', ok: true, latencyMs: 240 };
  const SA_ABSTAINED: Vantage = { region: 'sa-east-1', ok: null, reason: 'abstained: deadline' };
  const confirmed: AlertVantage = { points: [HOME, EU_FAILED, AP_OK], quorumMet: true };

  it('a confirmed outage says how many vantage points failed, which, and which reached it, in text and HTML', () => {
    const email = render({ transition: { ...outage, vantage: confirmed.points }, vantage: confirmed });
    const line = 'Confirmed from 2 of 3 vantage points: us-east-1 (http-status), eu-west-1 (timeout) failing; ap-southeast-1 reachable';
    expect(email.text.split('\n')).toContain(line);
    expect(email.html).toContain(
      '<p><strong>Confirmed from 2 of 3 vantage points:</strong> us-east-1 (http-status), eu-west-1 (timeout) failing; ap-southeast-1 reachable</p>',
    );
  });

  it('an outage on a minority (alertOnRegional) says it is seen from those only; an abstention is no answer', () => {
    const email = render({ vantage: { points: [HOME, EU_OK, AP_OK, SA_ABSTAINED], quorumMet: false } });
    expect(email.text.split('\n')).toContain('Seen from 1 of 4 vantage points only: us-east-1 (http-status) failing; eu-west-1, ap-southeast-1 reachable; sa-east-1 (no answer)');
    expect(email.html).toContain('<p><strong>Seen from 1 of 4 vantage points only:</strong> us-east-1 (http-status) failing; eu-west-1, ap-southeast-1 reachable; sa-east-1 (no answer)</p>');
  });

  it('goes with the dependents also affected, before them', () => {
    const email = render({ vantage: confirmed, affected: [{ id: 'checkout', name: 'Checkout' }] });
    const lines = email.text.split('\n');
    expect(lines.findIndex((line) => line.startsWith('Confirmed from'))).toBeLessThan(lines.indexOf('Also affected: Checkout'));
  });

  it('says nothing of it without vantage points, nor for a recovery', () => {
    const without = render({});
    for (const email of [render({ vantage: { points: [], quorumMet: true } }), render({ transition: recovery, previousStateMs: MINUTE, vantage: confirmed })]) {
      expect(email.text).not.toMatch(/vantage point/);
      expect(email.html).not.toMatch(/vantage point/);
    }
    expect(without.text).not.toMatch(/vantage point/);
    expect(render({ vantage: { points: [], quorumMet: true } })).toEqual(without);
  });

  it('keeps stored text on the line, escaped in HTML: a region or reason cannot forge a line or markup', () => {
    const email = render({ vantage: { points: [{ region: 'us-east-1\r\nState:     UP', ok: false, reason: '<b>x</b> & co' }, EU_OK], quorumMet: false } });
    expect(email.text.split('\n').filter((line) => line.startsWith('State:'))).toEqual(['State:     DOWN (was UP)']);
    expect(email.text).toContain('Seen from 1 of 2 vantage points only: us-east-1 State: UP (<b>x</b> & co) failing; eu-west-1 reachable');
    expect(email.html).toContain('us-east-1 State: UP (&lt;b&gt;x&lt;/b&gt; &amp; co) failing');
    expect(email.html).not.toContain('<b>x</b>');
  });
});

describe('renderTransitionEmail', () => {
  it('renders an outage', () => {
    const email = render({});

    expect(email.subject).toBe('[DOWN] Payments API');
    expect(email.from).toBe('monitor@example.com');
    expect(email.to).toEqual(['team@example.com']);
    for (const body of [email.text, email.html]) {
      expect(body).toContain('Payments API');
      expect(body).toContain('https://api.example.com/health');
      expect(body).toContain('DOWN');
      expect(body).toContain('2024-05-04T16:00:00.000Z (Sat, 04 May 2024 16:00:00 UTC)');
      expect(body).toContain('2024-05-04T16:01:00.000Z (Sat, 04 May 2024 16:01:00 UTC)');
      expect(body).toContain('http-status: expected 200, got 503');
      expect(body).toContain('It was up for 3d 4h before this.');
    }
    expect(email.text).toContain('State:     DOWN (was UP)');
    expect(email.html).toContain('<a href="https://api.example.com/health">');
  });

  it('renders a recovery with the length of the outage in the subject', () => {
    const email = render({ transition: recovery, previousStateMs: 4 * MINUTE + 10_000 });

    expect(email.subject).toBe('[UP] Payments API recovered after 4m 10s');
    for (const body of [email.text, email.html]) {
      expect(body).toContain('Payments API is UP again');
      expect(body).toContain('https://api.example.com/health');
      expect(body).toContain('2024-05-04T16:04:10.000Z (Sat, 04 May 2024 16:04:10 UTC)');
      expect(body).toContain('2024-05-04T16:05:10.000Z (Sat, 04 May 2024 16:05:10 UTC)');
      expect(body).toContain('The outage lasted 4m 10s.');
      expect(body).not.toContain('Reason');
    }
    expect(email.text).toContain('State:     UP (was DOWN)');
  });

  it('says so when the length of the outage is unknown', () => {
    const email = render({ transition: recovery, previousStateMs: null });

    expect(email.subject).toBe('[UP] Payments API recovered');
    expect(email.text).toContain('How long the outage lasted is unknown');
  });

  it('renders the first outage ever, whose previous state is unknown', () => {
    const email = render({ transition: firstOutage, previousStateMs: null });

    expect(email.subject).toBe('[DOWN] Payments API');
    for (const body of [email.text, email.html]) {
      expect(body).toContain('connection-refused: connect ECONNREFUSED');
      expect(body).toContain('had not been confirmed up since monitoring began');
      expect(body).toContain('unknown');
      expect(body).not.toContain('was up for');
    }
    expect(email.text).toContain('State:     DOWN (was UNKNOWN)');
  });

  it('says so when an UP monitor went down but no earlier transition is recorded', () => {
    const email = render({ previousStateMs: null });

    expect(email.text).toContain('How long it was up before this is unknown');
  });

  it('refuses to render an establishment', () => {
    expect(() => render({ transition: establishment, previousStateMs: null })).toThrow(UnnotifiableTransitionError);
  });

  it('escapes everything from config and targets in the HTML body', () => {
    const email = render({
      monitor: monitor({ name: '<b>x</b>', url: 'https://example.com/?a=1&b="2"' }),
      transition: { ...outage, reason: 'body-mismatch: <script>alert(1)</script>' },
    });

    expect(email.html).not.toContain('<b>x</b>');
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Query values are redacted in alerts (they may be tokens); what is left is still escaped.
    expect(email.html).toContain('href="https://example.com/?a=REDACTED&amp;b=REDACTED"');
    expect(email.html).not.toContain('&quot;2&quot;');
    // The text body is plain text: nothing to escape there.
    expect(email.text).toContain('<b>x</b>');
    expect(email.subject).toBe('[DOWN] <b>x</b>');
  });

  it.each([
    ['an outage', outage, '[DOWN] Payments API'],
    ['a recovery', recovery, '[UP] Payments API recovered after 3d 4h'],
  ])('makes the HTML body of %s a whole document titled with the subject', (_label, transition, subject) => {
    const email = render({ transition });

    expect(email.subject).toBe(subject);
    expect(email.html).toMatch(/^<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>[^<]*<\/title>\n<\/head>\n<body[ >]/);
    expect(email.html).toContain(`<title>${subject}</title>`);
    expect(email.html).toMatch(/<\/body>\n<\/html>\n$/);
  });

  it('escapes the subject in the title, so a name cannot end the title or the head', () => {
    const email = render({ monitor: monitor({ name: `</title></head><body onload="x()">'a' & b` }) });

    expect(email.subject).toBe(`[DOWN] </title></head><body onload="x()">'a' & b`);
    expect(email.html).toContain('<title>[DOWN] &lt;/title&gt;&lt;/head&gt;&lt;body onload=&quot;x()&quot;&gt;&#39;a&#39; &amp; b</title>');
    expect(email.html.match(/<\/title>/g)).toHaveLength(1);
    expect(email.html.match(/<body/g)).toHaveLength(1);
  });

  it('drops from the HTML body the code points HTML forbids (C1 controls, noncharacters, lone surrogates)', () => {
    const email = render({
      monitor: monitor({ name: 'Pay\u0080ments\u009f \ufdd0API\u{1fffe}\ud800' }),
      transition: { ...outage, reason: 'body-mismatch: got "\u0080\ufdef\u{10ffff}\udfff\u{1f600}"' },
    });

    expect(email.html).not.toMatch(/[\u007f-\u009f]|\p{Noncharacter_Code_Point}|\p{Surrogate}/u);
    expect(email.html).toContain('<title>[DOWN] Payments API</title>');
    expect(email.html).toContain('Payments API is DOWN');
    expect(email.html).toContain('got &quot;\u{1f600}&quot;');
    // The SES client percent-encodes the message with encodeURIComponent, which throws on a lone surrogate.
    expect(() => encodeURIComponent(email.html)).not.toThrow();
  });

  it('keeps the details a data table: a header cell per row, no obsolete attributes', () => {
    const email = render({});

    const rows = email.html.match(/<tr>.*?<\/tr>/g) ?? [];
    expect(rows.map((row) => /<th scope="row"[^>]*>([^<]*)<\/th><td>/.exec(row)?.[1])).toEqual(['Monitor', 'URL', 'State', 'Started', 'Confirmed', 'Reason']);
    expect(email.html).not.toMatch(/\salign=/);
  });

  it('does not make a link of a URL that is not http(s)', () => {
    const email = render({ monitor: monitor({ url: 'javascript:alert(1)' }) });

    expect(email.html).not.toContain('href=');
    expect(email.html).not.toContain('alert(1)');
    expect(email.html).toContain('(not an http URL)');
  });

  it.each([
    ['CR LF', 'Payments API\r\nBcc: victim@example.com'],
    ['LF', 'Payments API\nBcc: victim@example.com'],
    ['CR', 'Payments API\rBcc: victim@example.com'],
    ['line separator', 'Payments API\u2028Bcc: victim@example.com'],
  ])('keeps %s in the monitor name out of the subject', (_label, name) => {
    for (const transition of [outage, recovery]) {
      const email = render({ monitor: monitor({ name }), transition, previousStateMs: MINUTE });

      expect(email.subject).not.toMatch(/[\r\n\u2028]/);
      expect(email.subject).toContain('Payments API Bcc: victim@example.com');
    }
  });

  it('caps a long name in the subject', () => {
    const email = render({ monitor: monitor({ name: 'x'.repeat(5000) }), transition: recovery, previousStateMs: MINUTE });

    expect(email.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(email.subject).toMatch(/^\[UP\] x+… recovered after 1m$/);
  });

  it('caps a 10 KB reason', () => {
    const reason = `body-mismatch: ${'y'.repeat(10 * 1024)}`;
    const email = render({ transition: { ...outage, reason } });

    expect(email.subject).toBe('[DOWN] Payments API');
    expect(email.text).toContain(`${reason.slice(0, MAX_REASON_LENGTH - 1)}…`);
    expect(email.text).not.toContain(reason.slice(0, MAX_REASON_LENGTH));
    expect(email.text.length).toBeLessThan(MAX_REASON_LENGTH + 1000);
    expect(email.html.length).toBeLessThan(MAX_REASON_LENGTH + 2000);
  });

  it('copies the recipients instead of sharing the array', () => {
    const to = ['a@example.com', 'b@example.com'];
    const email = render({ to });

    expect(email.to).toEqual(to);
    expect(email.to).not.toBe(to);
  });
});

describe('describeTime', () => {
  it.each([
    ['2024-05-01T12:00:00Z', '2024-05-01T12:00:00.000Z (Wed, 01 May 2024 12:00:00 UTC)'],
    ['2024-05-01T14:00:00+02:00', '2024-05-01T12:00:00.000Z (Wed, 01 May 2024 12:00:00 UTC)'],
    ['not a time', 'not a time'],
  ])('%s -> %s', (input, expected) => {
    expect(describeTime(input)).toBe(expected);
  });
});

describe('an email about a monitor without a URL', () => {
  it('leaves the URL line out of the text and the table (a heartbeat, a test alert)', () => {
    const email = renderTransitionEmail({
      transition: { monitorId: 'backup', from: 'UP', to: 'DOWN', startedAt: '2026-12-01T21:23:38.034Z', confirmedAt: '2026-12-01T21:23:40.025Z', tick: '2026-12-01T21:23:40.000Z', reason: 'no-ping: late', previousSince: '2026-12-01T20:00:00.000Z' },
      monitor: defaultMonitor('backup', '', { type: 'heartbeat', name: 'Nightly backup' }),
      previousStateMs: null,
      from: 'monitor@example.com',
      to: ['oncall@example.com'],
    });
    expect(email.text).toContain('Reason:    no-ping: late');
    expect(email.text).not.toMatch(/^URL:/m);
    expect(email.html).not.toContain('>URL<');
  });
});
