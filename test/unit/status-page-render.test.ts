import type { DayUptime } from '../../lib/domain/uptime';
import {
  renderStatusPage,
  summarizeOverall,
  type StatusPageMonitor,
  type StatusPageView,
} from '../../lib/domain/status-page';

const NOW = '2024-05-15T12:30:00.000Z';

function buildDays(count: number, fill: (index: number) => Partial<DayUptime> = () => ({})): DayUptime[] {
  const last = Date.parse('2024-05-15T00:00:00.000Z');
  return Array.from({ length: count }, (_, index) => ({
    date: new Date(last - (count - 1 - index) * 86_400_000).toISOString().slice(0, 10),
    uptimePercent: 100,
    downtimeSeconds: 0,
    outages: 0,
    ...fill(index),
  }));
}

function buildMonitor(overrides: Partial<StatusPageMonitor> = {}): StatusPageMonitor {
  return {
    id: 'api',
    name: 'Payments API',
    type: 'http',
    status: 'UP',
    since: '2024-04-01T00:00:00.000Z',
    lastCheckedAt: '2024-05-15T12:29:00.150Z',
    uptime: { '24h': 100, '7d': 99.95, '30d': 99.5 },
    days: buildDays(90),
    responseTimes: [
      { from: '2024-05-14T12:30:00.000Z', averageMs: 100 },
      { from: '2024-05-14T13:00:00.000Z', averageMs: 200 },
      { from: '2024-05-14T14:00:00.000Z', averageMs: null },
      { from: '2024-05-14T15:00:00.000Z', averageMs: 150 },
    ],
    latency: { avg: 140, p50: 130, p95: 210 },
    ...overrides,
  };
}

function buildView(overrides: Partial<StatusPageView> = {}): StatusPageView {
  return { title: 'Service status', generatedAt: NOW, monitors: [buildMonitor()], incidents: [], ...overrides };
}

/** How often `needle` occurs in `text`. */
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('summarizeOverall', () => {
  it.each([
    [['UP', 'UP'], 'operational'],
    [['UP', 'UNKNOWN'], 'operational'],
    [['UP', 'DOWN'], 'partial-outage'],
    [['DOWN', 'DOWN'], 'major-outage'],
    [['DOWN', 'UNKNOWN'], 'major-outage'],
    [['UNKNOWN'], 'unknown'],
    [[], 'unknown'],
  ] as const)('%j is %s', (statuses, overall) => {
    expect(summarizeOverall(statuses)).toBe(overall);
  });
});

describe('renderStatusPage', () => {
  it('is one HTML document with its style inline and no script', () => {
    const html = renderStatusPage(buildView());
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(count(html, '<style>')).toBe(1);
    expect(html).not.toMatch(/<script|\sstyle="|\son\w+=/i);
    expect(html).toContain('<h1>All systems operational</h1>');
  });

  it('escapes every name and reason', () => {
    const html = renderStatusPage(
      buildView({
        title: 'Acme <Status>',
        monitors: [buildMonitor({ id: 'x', name: '<b>x</b>', status: 'DOWN' })],
        incidents: [
          {
            monitorName: '<b>x</b>',
            startedAt: '2024-05-15T12:00:00.000Z',
            endedAt: null,
            durationSeconds: 1800,
            reason: 'body-mismatch: got "<script>alert(1)</script>" & more',
          },
        ],
      }),
    );
    expect(html).not.toContain('<b>x</b>');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<Status>');
    expect(count(html, '&lt;b&gt;x&lt;/b&gt;')).toBeGreaterThanOrEqual(3);
    expect(html).toContain('got &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; more');
    expect(html).toContain('<h1>Major outage</h1>');
  });

  it('draws one block per day, coloured by uptime, with the downtime as hover and screen-reader text', () => {
    const days = buildDays(90, (index) =>
      index === 89 ? { uptimePercent: 97.5, downtimeSeconds: 2160 } : index < 10 ? { uptimePercent: null } : {},
    );
    const html = renderStatusPage(buildView({ monitors: [buildMonitor({ days })] }));
    expect(count(html, '<li class="day ')).toBe(90);
    expect(count(html, 'u-none')).toBe(10);
    // The 60 oldest are hidden on a narrow screen.
    expect(count(html, ' older"')).toBe(60);
    expect(html).toContain(
      '<li class="day u-mid" title="2024-05-15: 97.50% up, down 36 min" data-date="2024-05-15"><span class="visually-hidden">2024-05-15: 97.50% up, down 36 min</span></li>',
    );
    expect(html).toContain('title="2024-05-01: 100% up, no downtime"');
    expect(html).toContain('title="2024-02-16: no data"');
  });

  it('shows uptime for each window and the times in UTC', () => {
    const html = renderStatusPage(buildView());
    expect(html).toContain('<dd data-window="24h">100%</dd>');
    expect(html).toContain('<dd data-window="7d">99.95%</dd>');
    expect(html).toContain('<dd data-window="30d">99.50%</dd>');
    expect(html).toContain('Up since <time datetime="2024-04-01T00:00:00.000Z">2024-04-01 00:00 UTC</time>');
    expect(html).toContain('last checked <time datetime="2024-05-15T12:29:00.150Z">2024-05-15 12:29 UTC</time>');
  });

  it('draws the response times as a line broken where an hour had no successful check', () => {
    const html = renderStatusPage(buildView());
    const svg = /<svg class="sparkline"[^]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(count(svg, '<polyline')).toBe(1);
    expect(count(svg, '<circle')).toBe(1);
    // Height 36 with a 2 px margin: 100 of 200 ms sits at y 18, the highest at the top margin (y 2), 150 at y 10.
    expect(svg).toContain('<polyline points="0.0,18.0 80.0,2.0"/>');
    expect(svg).toContain('<circle cx="240.0" cy="10.0" r="1.5"/>');
    expect(html).toContain('average 140 ms, median 130 ms, 95th percentile 210 ms');
  });

  it('lists incidents, ongoing and resolved, or says there are none', () => {
    const html = renderStatusPage(
      buildView({
        incidents: [
          { monitorName: 'Payments API', startedAt: '2024-05-15T12:00:00.000Z', endedAt: null, durationSeconds: 1800, reason: 'timeout: no answer' },
          { monitorName: 'Payments API', startedAt: '2024-05-01T00:00:00.000Z', endedAt: '2024-05-01T01:05:00.000Z', durationSeconds: 3900, reason: null },
        ],
      }),
    );
    expect(count(html, '<li class="incident">')).toBe(2);
    expect(html).toContain('<span class="ongoing">Ongoing</span> for 30 min');
    expect(html).toContain('Resolved after 1 h 5 min, at <time datetime="2024-05-01T01:05:00.000Z">');
    expect(renderStatusPage(buildView())).toContain('No incidents recorded.');
  });

  it('handles a monitor never checked, and no monitors at all', () => {
    const html = renderStatusPage(
      buildView({ monitors: [buildMonitor({ status: 'UNKNOWN', since: null, lastCheckedAt: null, latency: null, responseTimes: [] })] }),
    );
    expect(html).toContain('<p class="meta"><span class="type" data-type="http">HTTP</span> · Not checked yet</p>');
    expect(html).toContain('Response time, last 24 hours: no successful check');
    expect(html).toContain('<h1>Status not known yet</h1>');
    expect(renderStatusPage(buildView({ monitors: [] }))).toContain('No monitors are configured.');
  });
});

describe('renderStatusPage monitor types', () => {
  it.each([
    ['http', 'HTTP'],
    ['tcp', 'TCP port'],
    ['dns', 'DNS record'],
    ['heartbeat', 'Heartbeat'],
  ] as const)('names a %s monitor as a %s check', (type, text) => {
    const html = renderStatusPage(buildView({ monitors: [buildMonitor({ type })] }));
    expect(html).toContain(`<span class="type" data-type="${type}">${text}</span>`);
  });
});

describe('the certificate mark', () => {
  it.each([
    [3, 'Certificate expires in 3 days'],
    [1, 'Certificate expires in 1 day'],
    [0, 'Certificate expires today'],
    [-1, 'Certificate expired'],
  ])('%d days left: %s', (daysLeft, text) => {
    const html = renderStatusPage(buildView({ monitors: [buildMonitor({ certificate: { expiresAt: '2024-05-18T12:00:00.000Z', daysLeft } })] }));
    expect(html).toContain(`<p class="certificate" data-expires-at="2024-05-18T12:00:00.000Z">${text} (<time datetime="2024-05-18T12:00:00.000Z">`);
  });

  it('is absent for a certificate not close to expiry (none given)', () => {
    expect(renderStatusPage(buildView())).not.toContain('class="certificate"');
  });
});
