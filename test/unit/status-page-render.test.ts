import {
  describeDay,
  niceCeiling,
  renderStatusPage,
  selectActiveAnnouncements,
  summarizeOverall,
  uptimeClass,
  type StatusPageDay,
  type StatusPageMonitor,
  type StatusPageView,
} from '../../lib/domain/status-page';

const NOW = '2024-05-15T12:30:00.000Z';

function buildDays(count: number, fill: (index: number) => Partial<StatusPageDay> = () => ({})): StatusPageDay[] {
  const last = Date.parse('2024-05-15T00:00:00.000Z');
  return Array.from({ length: count }, (_, index) => ({
    date: new Date(last - (count - 1 - index) * 86_400_000).toISOString().slice(0, 10),
    uptimePercent: 100,
    downtimeSeconds: 0,
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
    expect(count(html, '<li class="day u-none')).toBe(10);
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

  it('draws the response times on a scale, a line broken where an hour had no successful check, each point with its value', () => {
    const html = renderStatusPage(buildView());
    const svg = /<svg class="response-chart"[^]*?<\/svg>/.exec(html)?.[0] ?? '';
    // Four hours, one without a successful check: a line of two points, then a point alone.
    expect(count(svg, '<polyline')).toBe(1);
    expect(count(svg, '<circle')).toBe(3);
    // The scale: 0 to 200 ms (a round number at or above the highest, 200), with its middle.
    expect(svg).toMatch(/>0 ms<\/text>/);
    expect(svg).toMatch(/>100 ms<\/text>/);
    expect(svg).toMatch(/>200 ms<\/text>/);
    expect(svg).toContain('>24 h ago</text>');
    expect(svg).toContain('>now</text>');
    expect(svg).toContain('<title>13:00–14:00 UTC: 200 ms</title>');
    expect(svg).toContain('<title>15:00–16:00 UTC: 150 ms</title>');
    expect(html).toContain('average 140 ms, median 130 ms, 95th percentile 210 ms');
    // The same values in a table, for keyboards and screen readers.
    expect(html).toContain('<summary>Hourly response times (3 hours)</summary>');
    // The first hour is cut by the window's edge (12:30).
    expect(html).toContain('<tr><td>12:30–13:00 UTC</td><td>100 ms</td></tr>');
  });

  it('draws one hour of data as one visible point inside the chart, with its value', () => {
    const html = renderStatusPage(buildView({ monitors: [buildMonitor({ responseTimes: [{ from: '2024-05-15T12:00:00.000Z', averageMs: 87.4 }] })] }));
    const svg = /<svg class="response-chart"[^]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(count(svg, '<polyline')).toBe(0);
    const circle = /<circle cx="([\d.]+)" cy="([\d.]+)" r="3"><title>12:00–13:00 UTC: 87 ms<\/title><\/circle>/.exec(svg);
    expect(circle).not.toBeNull();
    // The hour in progress sits at the right end ("now"), its value at the top of a 0-100 ms scale, within the box.
    const [cx, cy] = [Number(circle?.[1]), Number(circle?.[2])];
    expect(cx).toBe(320);
    expect(cy).toBeGreaterThan(3);
    expect(cy).toBeLessThan(104 - 3);
    expect(svg).toMatch(/>100 ms<\/text>/);
  });

  it('draws no chart without a successful check', () => {
    const html = renderStatusPage(buildView({ monitors: [buildMonitor({ latency: null, responseTimes: [{ from: NOW, averageMs: null }] })] }));
    expect(html).not.toContain('<svg');
    expect(html).toContain('Response time, last 24 hours: no successful check');
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

describe('niceCeiling', () => {
  it.each([
    [0, 1],
    [1, 1],
    [87, 100],
    [140, 200],
    [200, 200],
    [201, 250],
    [260, 500],
    [3200, 5000],
  ])('%d: %d', (value, ceiling) => {
    expect(niceCeiling(value)).toBe(ceiling);
  });
});

describe('summarizeOverall with maintenance', () => {
  it.each([
    [['UP', 'MAINTENANCE'], 'maintenance'],
    [['MAINTENANCE'], 'maintenance'],
    [['UNKNOWN', 'MAINTENANCE'], 'maintenance'],
    // A monitor in maintenance never makes an outage, nor hides one elsewhere.
    [['UP', 'DOWN', 'MAINTENANCE'], 'partial-outage'],
    [['DOWN', 'MAINTENANCE'], 'major-outage'],
  ] as const)('%j is %s', (statuses, overall) => {
    expect(summarizeOverall(statuses)).toBe(overall);
  });
});

describe('selectActiveAnnouncements', () => {
  const nowMs = Date.parse(NOW);
  it.each([
    [{}, true],
    [{ from: '2024-05-15T12:30:00.000Z' }, true],
    [{ from: '2024-05-15T12:30:00.001Z' }, false],
    [{ until: '2024-05-15T12:30:00.001Z' }, true],
    [{ until: '2024-05-15T12:30:00.000Z' }, false],
    [{ from: '2024-05-01T00:00:00.000Z', until: '2024-06-01T00:00:00.000Z' }, true],
    [{ from: '2024-04-01T00:00:00.000Z', until: '2024-05-01T00:00:00.000Z' }, false],
  ])('%j shown: %s', (bounds, shown) => {
    expect(selectActiveAnnouncements([{ text: 'x', severity: 'info', ...bounds }], nowMs)).toHaveLength(shown ? 1 : 0);
  });
});

describe('the page settings: title, description, announcements', () => {
  it('shows the title and the description, escaped', () => {
    const html = renderStatusPage(buildView({ title: 'Acme & <Co>', description: 'Our <i>services</i>' }));
    expect(html).toContain('<p class="page-title">Acme &amp; &lt;Co&gt;</p>');
    expect(html).toContain('<p class="description">Our &lt;i&gt;services&lt;/i&gt;</p>');
    expect(html).toContain('<title>Acme &amp; &lt;Co&gt;: All systems operational</title>');
  });

  it('shows each announcement escaped, its severity in words', () => {
    const html = renderStatusPage(
      buildView({
        announcements: [
          { text: 'Card payments <script>alert(1)</script> may be slow', severity: 'warning', until: '2024-05-16T00:00:00.000Z' },
          { text: 'New region & more', severity: 'info' },
          { text: 'Data loss "incident"', severity: 'critical' },
        ],
      }),
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain(
      '<li class="announcement announcement-warning" data-severity="warning"><p><strong class="severity severity-warning">Warning:</strong> Card payments &lt;script&gt;alert(1)&lt;/script&gt; may be slow <span class="until">(until <time datetime="2024-05-16T00:00:00.000Z">2024-05-16 00:00 UTC</time>)</span></p></li>',
    );
    expect(html).toContain('<strong class="severity severity-info">Information:</strong> New region &amp; more</p>');
    expect(html).toContain('<strong class="severity severity-critical">Critical:</strong> Data loss &quot;incident&quot;</p>');
  });

  it('has no announcement section without announcements', () => {
    expect(renderStatusPage(buildView())).not.toContain('class="announcements"');
  });
});

describe('groups', () => {
  const monitors = [
    buildMonitor({ id: 'pay-api', name: 'Payments API', status: 'UP' }),
    buildMonitor({ id: 'pay-web', name: 'Checkout', status: 'DOWN' }),
    buildMonitor({ id: 'site', name: 'Website', status: 'UP' }),
    buildMonitor({ id: 'blog', name: 'Blog', status: 'UP' }),
  ];

  it('lists each group with its status line, then the monitors in no group', () => {
    const html = renderStatusPage(
      buildView({
        monitors,
        groups: [
          { name: 'Payments <EU>', monitorIds: ['pay-api', 'pay-web'] },
          { name: 'Web', monitorIds: ['site'] },
          { name: 'Hidden', monitorIds: [] },
        ],
      }),
    );
    expect(html).toContain(
      '<h3 class="group-head" id="group-0">Payments &lt;EU&gt;: <span class="group-status status-partial-outage">partial outage</span></h3>',
    );
    expect(html).toContain('<h3 class="group-head" id="group-1">Web: <span class="group-status status-operational">operational</span></h3>');
    expect(html).not.toContain('Hidden');
    expect(html).toContain('<h3 class="group-head" id="group-other">Other monitors</h3>');
    const order = ['pay-api', 'pay-web', 'site', 'blog'].map((id) => html.indexOf(`data-monitor-id="${id}"`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[3]).toBeGreaterThan(html.indexOf('id="group-other"'));
    // Monitor names are headings under their group's.
    expect(count(html, '<h4 class="monitor-name">')).toBe(4);
    expect(html).toContain('<h1>Partial outage</h1>');
  });

  it('names a group of monitors all in maintenance, or all down', () => {
    const html = renderStatusPage(
      buildView({
        monitors: [
          buildMonitor({ id: 'a', status: 'DOWN', maintenance: { name: 'Upgrade', until: '2024-05-15T14:00:00.000Z' } }),
          buildMonitor({ id: 'b', status: 'DOWN' }),
        ],
        groups: [
          { name: 'A', monitorIds: ['a'] },
          { name: 'B', monitorIds: ['b'] },
        ],
      }),
    );
    expect(html).toContain('A: <span class="group-status status-maintenance">under maintenance</span>');
    expect(html).toContain('B: <span class="group-status status-major-outage">major outage</span>');
    expect(html).not.toContain('id="group-other"');
  });

  it('is one plain list without groups', () => {
    const html = renderStatusPage(buildView({ monitors }));
    expect(html).not.toContain('class="group');
    expect(count(html, '<h3 class="monitor-name">')).toBe(4);
  });
});

describe('dependencies', () => {
  it('says which monitor a held monitor is down with, and names no private one', () => {
    const html = renderStatusPage(
      buildView({
        monitors: [
          buildMonitor({ id: 'api', name: 'Payments API', status: 'DOWN', heldBy: 'Data<base>' }),
          buildMonitor({ id: 'web', name: 'Web', status: 'DOWN', heldBy: null }),
        ],
      }),
    );
    expect(html).toContain('<p class="held">Down with Data&lt;base&gt;, which it depends on</p>');
    expect(html).toContain('<p class="held">Down with a service it depends on</p>');
  });
});

describe('multi-region confirmation', () => {
  it('says where a regional failure is seen from, and where the service is reachable from; the status stays up', () => {
    const html = renderStatusPage(
      buildView({
        monitors: [
          buildMonitor({ id: 'api', name: 'Payments API', status: 'UP', regional: { since: '2024-05-15T11:58:00.000Z', failingFrom: ['us-east-1'], reachableFrom: ['eu-west-1', 'ap-southeast-1'] } }),
          buildMonitor({ id: 'web', name: 'Web', status: 'UP', regional: { since: '2024-05-15T11:59:00.000Z', failingFrom: ['us-east-1', 'sa-east-1'], reachableFrom: [] } }),
        ],
      }),
    );
    expect(html).toContain(
      '<p class="regional" data-since="2024-05-15T11:58:00.000Z">Failing from us-east-1 only since <time datetime="2024-05-15T11:58:00.000Z">2024-05-15 11:58 UTC</time>; reachable from eu-west-1 and ap-southeast-1</p>',
    );
    expect(html).toContain('Failing from us-east-1 and sa-east-1 only since <time datetime="2024-05-15T11:59:00.000Z">2024-05-15 11:59 UTC</time></p>');
    expect(count(html, '<span class="state state-UP">')).toBe(2);
  });
});

describe('maintenance', () => {
  const inWindow = { name: 'Database <upgrade>', until: '2024-05-15T14:00:00.000Z' };
  const planned = { name: 'Kernel update', startAt: '2024-05-18T02:00:00.000Z', until: '2024-05-18T03:00:00.000Z' };

  it('shows a monitor in maintenance as such, and the page under maintenance, not in an outage', () => {
    const html = renderStatusPage(
      buildView({ monitors: [buildMonitor({ id: 'a', name: 'A', status: 'DOWN', maintenance: inWindow }), buildMonitor({ id: 'b', name: 'B' })] }),
    );
    expect(html).toContain('<h1>Under maintenance</h1>');
    expect(html).toContain('1 monitor in planned maintenance');
    expect(html).toContain('<span class="state state-MAINTENANCE">Maintenance</span>');
    expect(html).toContain(
      '<p class="in-maintenance">In maintenance: Database &lt;upgrade&gt;, until <time datetime="2024-05-15T14:00:00.000Z">2024-05-15 14:00 UTC</time></p>',
    );
    expect(html).toContain('<strong>Under way: Database &lt;upgrade&gt;</strong>, until <time datetime="2024-05-15T14:00:00.000Z">2024-05-15 14:00 UTC</time> · A</li>');
  });

  it('lists the next planned window once with every monitor it covers', () => {
    const html = renderStatusPage(
      buildView({
        monitors: [
          buildMonitor({ id: 'a', name: 'A', plannedMaintenance: planned }),
          buildMonitor({ id: 'b', name: 'B <b>', plannedMaintenance: planned }),
          buildMonitor({ id: 'c', name: 'C' }),
        ],
      }),
    );
    expect(html).toContain('<h1>All systems operational</h1>');
    expect(count(html, 'Planned: Kernel update')).toBe(1);
    expect(html).toContain(
      '<strong>Planned: Kernel update</strong>, <time datetime="2024-05-18T02:00:00.000Z">2024-05-18 02:00 UTC</time> to <time datetime="2024-05-18T03:00:00.000Z">2024-05-18 03:00 UTC</time> · A, B &lt;b&gt;</li>',
    );
    expect(count(html, '<p class="planned">Planned maintenance: Kernel update, ')).toBe(2);
  });

  it('has no maintenance section without windows', () => {
    expect(renderStatusPage(buildView())).not.toContain('maintenance-heading');
  });
});

describe('daily bars', () => {
  it.each([
    [100, 'u-full'],
    [99.5, 'u-high'],
    [97.5, 'u-mid'],
    [92, 'u-low'],
    [80, 'u-75'],
    [56, 'u-50'],
    [30, 'u-25'],
    [0, 'u-0'],
    [null, 'u-none'],
  ])('a day at %s%% is %s', (percent, className) => {
    expect(uptimeClass(percent)).toBe(className);
  });

  it('shades a day at 56% apart from a day at 0%', () => {
    expect(uptimeClass(56)).not.toBe(uptimeClass(0));
  });

  it.each([
    [{ date: '2024-05-14', uptimePercent: 97.5, downtimeSeconds: 2160, maintenanceSeconds: 7200 }, '2024-05-14: 97.50% up, down 36 min, maintenance 2 h'],
    [{ date: '2024-05-14', uptimePercent: null, downtimeSeconds: 0, maintenanceSeconds: 86_400 }, '2024-05-14: maintenance 1 d'],
    [{ date: '2024-05-14', uptimePercent: 100, downtimeSeconds: 0, maintenanceSeconds: 0 }, '2024-05-14: 100% up, no downtime'],
    [{ date: '2024-05-14', uptimePercent: null, downtimeSeconds: 0 }, '2024-05-14: no data'],
  ])('describes %j as %s', (day, text) => {
    expect(describeDay(day)).toBe(text);
  });

  it('stripes a day with maintenance and says so in its title and screen-reader text', () => {
    const days = buildDays(3, (index) => (index === 1 ? { uptimePercent: 100, maintenanceSeconds: 3600 } : {}));
    const html = renderStatusPage(buildView({ monitors: [buildMonitor({ days })] }));
    expect(html).toContain(
      '<li class="day u-full maint" title="2024-05-14: 100% up, no downtime, maintenance 1 h" data-date="2024-05-14"><span class="visually-hidden">2024-05-14: 100% up, no downtime, maintenance 1 h</span></li>',
    );
    expect(count(html, '<li class="day u-full maint"')).toBe(1);
    // The key to the shades, maintenance included, once.
    expect(count(html, '<ul class="scale"')).toBe(1);
    expect(html).toContain('<li><span class="swatch u-none maint"></span>planned maintenance (striped)</li>');
  });
});

describe('freshness', () => {
  it('says in the footer how old the page can be', () => {
    expect(renderStatusPage(buildView({ freshnessSeconds: 30 }))).toContain('This page is at most 30 seconds older than the API');
  });
});
