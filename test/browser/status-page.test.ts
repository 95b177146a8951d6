import type { AxeResults } from 'axe-core';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { renderStatusPage, type OverallStatus, type StatusPageDay, type StatusPageMonitor, type StatusPageView } from '../../lib/domain/status-page';
import { parseTestMonitors } from '../fixtures/monitors-yml';
import { startApiServer, type RunningApi } from '../support/api-server';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { scriptMonitor, seedHistory } from '../support/history';
import { checkHtml, describeNuMessage } from '../support/nu-html-checker';
import { MINUTE_MS, DAY_MS, HOUR_MS } from '../../lib/domain/time';

/**
 * The status page in a real browser: headless Chromium (Debian's `chromium` package) driven by
 * playwright-core, loading `GET /` from the API function served on 127.0.0.1 (test/support/api-server.ts)
 * over a DynamoDB Local table holding 90 days of 5-minute checks, seeded through the real state
 * machine and store (5 minutes rather than 1 keeps the seeding of the last day's run summaries within
 * a few seconds on DynamoDB Local). Saves docs/status-page.png (and the dark and phone views).
 *
 * Every overall state (operational, maintenance, partial and major outage, unknown) is also
 * rendered from a made-up view and served with the page's real headers, and each page is checked in
 * light and dark, 1280 and 390 pixels wide, with axe-core (no serious or critical violation) and
 * with the Nu Html Checker (no error, no warning).
 *
 * Without Chromium the test is skipped with the reason printed, unless UPTIME_REQUIRE_BROWSER=1
 * (set by .ci/run once it has installed Chromium), which makes a missing browser a failure.
 */

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DOCS = path.join(__dirname, '..', '..', 'docs');
const SCREENSHOT = path.join(DOCS, 'status-page.png');
const SCREENSHOT_DARK = path.join(DOCS, 'status-page-dark.png');
const SCREENSHOT_PHONE = path.join(DOCS, 'status-page-phone.png');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const required = process.env.UPTIME_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
if (!available && !required) {
  console.warn(`browser test skipped: ${CHROMIUM} not found (install Debian's chromium package: apt-get install -y chromium)`);
}
const describeWithBrowser = available || required ? describe : describe.skip;

const STEP_MS = 5 * MINUTE_MS;
const NOW_MS = Date.parse('2024-05-15T12:30:00Z');
const NOW = new Date(NOW_MS).toISOString();
const day = (daysAgo: number, hour: number, minute = 0) => Date.parse('2024-05-15T00:00:00Z') - daysAgo * DAY_MS + (hour * 60 + minute) * MINUTE_MS;

const { config, monitor } = parseTestMonitors(
  `notify: { from: monitor@example.com, to: [oncall@example.com] }
defaults: { interval: 5m }
monitors:
  - { id: payments-api, name: Payments API, url: "https://api.example.com/health" }
  - { id: website, name: Website, url: "https://www.example.com/" }
  - { id: xss, name: "<b>x</b>", url: "https://x.example.com/" }
  - { id: search, name: Search, url: "https://search.example.com/health" }
  - { id: ledger, name: Internal ledger, url: "https://ledger.example.com/health", public: false }
maintenance:
  - { name: Search index rebuild, monitors: [search], start: "2024-05-15T12:00:00Z", duration: 2h }
  - { name: Card network upgrade, monitors: [payments-api], start: "2024-05-17T02:00:00Z", duration: 90m }
  - { name: CDN migration, monitors: [website], start: "2024-05-12T01:00:00Z", duration: 3h }
statusPage:
  title: Acme status
  description: "Live status of Acme's public services. <Questions?> Write to support."
  groups:
    - { name: Payments, monitors: [payments-api, xss, ledger] }
    - { name: Web, monitors: [website] }
  announcements:
    - { text: "Card payments may be slow for <b>some</b> banks", severity: warning, from: "2024-05-15T08:00:00Z" }
    - { text: "An old note", severity: critical, until: "2024-05-01T00:00:00Z" }
    - { text: "A note for tomorrow", severity: info, from: "2024-05-16T00:00:00Z" }
`,
  'browser-monitors.yml',
);
// Expressions run in the page, as strings: this project compiles without the DOM's types.
const backgroundOf = (page: Page, selector: string) =>
  page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).backgroundColor`);
const countShown = (page: Page, selector: string) =>
  page.evaluate<number>(
    `[...document.querySelectorAll(${JSON.stringify(selector)})].filter((element) => getComputedStyle(element).display !== 'none').length`,
  );

/** A latency that wanders through the day, with a little noise: a believable line. */
const wander = (base: number) => (tickEpochMs: number) =>
  Math.round(base + 0.4 * base * Math.sin((tickEpochMs / DAY_MS) * 2 * Math.PI) + ((tickEpochMs / MINUTE_MS) % 13) * 3);

// --- Made-up views, one per overall state -----------------------------------------------------

function buildDays(fill: (daysAgo: number) => Partial<StatusPageDay>): StatusPageDay[] {
  return Array.from({ length: 90 }, (_, index) => ({
    date: new Date(day(89 - index, 0)).toISOString().slice(0, 10),
    uptimePercent: 100,
    downtimeSeconds: 0,
    maintenanceSeconds: 0,
    ...fill(89 - index),
  }));
}

/** Days of every shade, one with maintenance, the oldest without data. */
const SHADED_DAYS = buildDays((daysAgo) => {
  const shades: Record<number, Partial<StatusPageDay>> = {
    1: { uptimePercent: 99.5, downtimeSeconds: 432 },
    2: { uptimePercent: 97, downtimeSeconds: 2592 },
    3: { maintenanceSeconds: 7200 },
    4: { uptimePercent: 92, downtimeSeconds: 6912 },
    5: { uptimePercent: 80, downtimeSeconds: 17_280 },
    6: { uptimePercent: 56, downtimeSeconds: 38_016 },
    7: { uptimePercent: 30, downtimeSeconds: 60_480 },
    8: { uptimePercent: 0, downtimeSeconds: 86_400 },
  };
  return daysAgo > 80 ? { uptimePercent: null } : (shades[daysAgo] ?? {});
});

function madeUpMonitor(id: string, name: string, overrides: Partial<StatusPageMonitor>): StatusPageMonitor {
  return {
    id,
    name,
    type: 'http',
    status: 'UP',
    since: '2024-04-01T00:00:00.000Z',
    lastCheckedAt: '2024-05-15T12:29:00.000Z',
    uptime: { '24h': 100, '7d': 99.95, '30d': 99.5 },
    days: SHADED_DAYS,
    // Little data: the two hours since the monitor's answers were first timed.
    responseTimes: [
      { from: new Date(NOW_MS - HOUR_MS).toISOString(), averageMs: 120 },
      { from: new Date(Math.floor(NOW_MS / HOUR_MS) * HOUR_MS).toISOString(), averageMs: 95 },
    ],
    latency: { avg: 110, p50: 100, p95: 180 },
    ...overrides,
  };
}

const DOWN = { status: 'DOWN' as const, since: '2024-05-15T11:50:00.000Z' };
const IN_MAINTENANCE = { maintenance: { name: 'Database <upgrade>', until: '2024-05-15T14:00:00.000Z' } };
const PLANNED = { plannedMaintenance: { name: 'Kernel update', startAt: '2024-05-18T02:00:00.000Z', until: '2024-05-18T03:00:00.000Z' } };
const NEVER_CHECKED = { status: 'UNKNOWN' as const, since: null, lastCheckedAt: null, latency: null, responseTimes: [], days: buildDays(() => ({ uptimePercent: null })) };

function madeUpView(a: Partial<StatusPageMonitor>, b: Partial<StatusPageMonitor>, c: Partial<StatusPageMonitor>): StatusPageView {
  return {
    title: 'Acme status',
    description: 'Live status of Acme services.',
    generatedAt: NOW,
    monitors: [
      madeUpMonitor('api', 'Payments API', { ...a, certificate: { expiresAt: '2024-05-20T00:00:00.000Z', daysLeft: 4 } }),
      madeUpMonitor('web', 'Website', b),
      madeUpMonitor('mail', 'Mail relay', { type: 'tcp', ...c }),
    ],
    groups: [
      { name: 'Payments', monitorIds: ['api'] },
      { name: 'Web', monitorIds: ['web'] },
    ],
    announcements: [
      { text: 'New data centre in Frankfurt', severity: 'info' },
      { text: 'Card payments may be slow', severity: 'warning' },
      { text: 'Refunds are paused', severity: 'critical', until: '2024-05-16T00:00:00.000Z' },
    ],
    incidents: [
      { monitorName: 'Payments API', startedAt: '2024-05-15T11:50:00.000Z', endedAt: null, durationSeconds: 2400, reason: 'timeout' },
      { monitorName: 'Website', startedAt: '2024-05-01T00:00:00.000Z', endedAt: '2024-05-01T01:05:00.000Z', durationSeconds: 3900, reason: 'http-status' },
    ],
    freshnessSeconds: 30,
  };
}

const STATE_VIEWS: Readonly<Record<OverallStatus, StatusPageView>> = {
  operational: madeUpView({}, PLANNED, {}),
  maintenance: madeUpView(IN_MAINTENANCE, PLANNED, {}),
  'partial-outage': madeUpView(DOWN, {}, IN_MAINTENANCE),
  'major-outage': madeUpView(DOWN, DOWN, DOWN),
  unknown: madeUpView(NEVER_CHECKED, NEVER_CHECKED, NEVER_CHECKED),
};

/**
 * axe-core's serious and critical findings on the page as it is, one line each. axe is injected
 * once per page (see the tests): a document written over with setContent keeps it, where a
 * navigation would cost a second of injecting it again for each of the 25 pages.
 */
async function findAccessibilityProblems(page: Page): Promise<string[]> {
  const results = await page.evaluate<AxeResults>('axe.run(document, { resultTypes: ["violations"] })');
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) =>
      violation.nodes.map((node) => `${violation.impact} ${violation.id}: ${node.target.join(' ')}: ${node.failureSummary ?? violation.help}`),
    );
}

describeWithBrowser('the status page in Chromium', () => {
  let table: TestTable;
  let api: RunningApi;
  let browser: Browser;

  beforeAll(async () => {
    if (!available) throw new Error(`UPTIME_REQUIRE_BROWSER=1 but ${CHROMIUM} is not installed`);
    table = await createTestTable('browser');
    const { rollups, ...stores } = createDynamoDbStores({ client: table.client, tableName: table.tableName });
    await seedHistory(
      stores,
      rollups,
      [
        scriptMonitor(monitor('payments-api'), {
          outages: [
            { fromMs: day(80, 3, 10), toMs: day(80, 5, 40), reason: 'connection-refused', message: 'connect ECONNREFUSED' },
            { fromMs: day(41, 23, 30), toMs: day(40, 0, 30) },
            { fromMs: day(33, 2, 0), toMs: day(33, 12, 30) },
            { fromMs: day(12, 14, 0), toMs: day(12, 14, 10), reason: 'http-status', message: 'status 502' },
            { fromMs: day(0, 9, 15), toMs: day(0, 9, 45), reason: 'too-slow', message: 'answered in 3200 ms, more than 2000 ms' },
          ],
          latencyMs: wander(140),
        }),
        scriptMonitor(monitor('website'), {
          outages: [{ fromMs: day(25, 2, 0), toMs: day(25, 2, 20), reason: 'dns', message: 'getaddrinfo ENOTFOUND www.example.com' }],
          latencyMs: wander(320),
        }),
        scriptMonitor(monitor('xss'), {
          outages: [{ fromMs: day(0, 11, 50), reason: 'body-mismatch', message: 'body did not contain "<script>alert(1)</script>"' }],
          latencyMs: wander(90),
        }),
        scriptMonitor(monitor('search'), { addedAtMs: day(20, 0), latencyMs: wander(600) }),
        // Down, but private: were it shown, the page would say so.
        scriptMonitor(monitor('ledger'), { outages: [{ fromMs: day(1, 0) }], latencyMs: wander(50) }),
      ],
      {
        fromMs: NOW_MS - 90 * DAY_MS,
        toMs: NOW_MS,
        stepMs: STEP_MS,
        summariesFromMs: NOW_MS - 25 * 3600_000,
        rollUpUntilMs: NOW_MS - 20 * MINUTE_MS,
      },
    );
    api = await startApiServer({ ...stores, rollups, config, now: () => new Date(NOW_MS) });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await table?.drop();
  });

  it('shows the title, the groups, the announcement, the maintenance and every public monitor, with the monitor named <b>x</b> as text', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, colorScheme: 'light' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    const response = await page.goto(`${api.url}/`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    // Kept 10 s in the function and 20 s by the browser: never more than 30 s behind the API.
    expect(response?.headers()['cache-control']).toBe('public, max-age=20');
    await expect(page.locator('footer .freshness').textContent()).resolves.toBe("This page is at most 30 seconds older than the API's answers.");

    await expect(page.title()).resolves.toBe('Acme status: Partial outage');
    await expect(page.locator('.page-title').textContent()).resolves.toBe('Acme status');
    await expect(page.locator('.description').textContent()).resolves.toBe("Live status of Acme's public services. <Questions?> Write to support.");
    await expect(page.locator('h1').textContent()).resolves.toBe('Partial outage');

    // The announcement active now, escaped, its severity in words; the past and future ones are not shown.
    const announcements = page.locator('li.announcement');
    expect(await announcements.count()).toBe(1);
    await expect(announcements.first().textContent()).resolves.toBe('Warning: Card payments may be slow for <b>some</b> banks');
    expect(await page.locator('.announcement b').count()).toBe(0);

    // Groups with their status lines, then the monitors in no group; the private monitor nowhere.
    const groups = await page.locator('.group-head').allTextContents();
    expect(groups).toEqual(['Payments: partial outage', 'Web: operational', 'Other monitors']);
    const names = await page.locator('.monitor-name').allTextContents();
    expect(names).toEqual(['Payments API', '<b>x</b>', 'Website', 'Search']);
    expect(await page.locator('[data-monitor-id="ledger"]').count()).toBe(0);
    expect(await page.content()).not.toContain('Internal ledger');

    // Search is in its window now; Payments API has one planned in two days.
    await expect(page.locator('li[data-monitor-id="search"] .state').textContent()).resolves.toBe('Maintenance');
    await expect(page.locator('li[data-monitor-id="search"] .in-maintenance').textContent()).resolves.toBe(
      'In maintenance: Search index rebuild, until 2024-05-15 14:00 UTC',
    );
    await expect(page.locator('.windows-now li').allTextContents()).resolves.toEqual(['Under way: Search index rebuild, until 2024-05-15 14:00 UTC · Search']);
    await expect(page.locator('.windows-planned li').allTextContents()).resolves.toEqual([
      'Planned: Card network upgrade, 2024-05-17 02:00 UTC to 2024-05-17 03:30 UTC · Payments API',
    ]);
    // Shown as text: no <b> element made it into the page.
    expect(await page.locator('.monitor-name b, .incident b').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(0);

    for (const monitorId of ['payments-api', 'website', 'xss', 'search']) {
      const bar = page.locator(`li[data-monitor-id="${monitorId}"] li.day`);
      expect([monitorId, await bar.count()]).toEqual([monitorId, 90]);
      const box = await bar.last().boundingBox();
      expect(box && box.width > 2 && box.height > 20).toBe(true);
    }
    // Search was added 20 days ago: the 69 days before (21 to 89 days ago) have no data.
    expect(await page.locator('li[data-monitor-id="search"] li.day.u-none').count()).toBe(69);
    // The day of the 2.5-hour outage, 80 days ago: shaded by its uptime, with its downtime on hover and for screen readers.
    const outageDay = page.locator('li[data-monitor-id="payments-api"] li.day[data-date="2024-02-25"]');
    await expect(outageDay.getAttribute('title')).resolves.toBe('2024-02-25: 89.58% up, down 2 h 30 min');
    await expect(outageDay.locator('.visually-hidden').textContent()).resolves.toBe('2024-02-25: 89.58% up, down 2 h 30 min');
    await expect(backgroundOf(page, 'li[data-monitor-id="payments-api"] li.day[data-date="2024-02-25"]')).resolves.toBe('rgb(219, 76, 44)');
    // A day at 56% (10.5 hours down) is not the colour of a day at 89.58%, nor that of a full day.
    const worseDay = 'li[data-monitor-id="payments-api"] li.day[data-date="2024-04-12"]';
    await expect(page.locator(worseDay).getAttribute('title')).resolves.toBe('2024-04-12: 56.25% up, down 10 h 30 min');
    await expect(backgroundOf(page, worseDay)).resolves.toBe('rgb(207, 34, 46)');
    // The inline style sheet was allowed by the Content-Security-Policy: a full day is green.
    await expect(backgroundOf(page, 'li.day.u-full')).resolves.toBe('rgb(45, 164, 78)');
    // The website's 3-hour maintenance 3 days ago: striped, and said in words; up time unchanged.
    const maintenanceDay = page.locator('li[data-monitor-id="website"] li.day[data-date="2024-05-12"]');
    await expect(maintenanceDay.getAttribute('class')).resolves.toBe('day u-full maint');
    await expect(maintenanceDay.getAttribute('title')).resolves.toBe('2024-05-12: 100% up, no downtime, maintenance 3 h');
    // Search's window began 30 minutes ago: today's bar says so.
    await expect(page.locator('li[data-monitor-id="search"] li.day[data-date="2024-05-15"]').getAttribute('title')).resolves.toBe(
      '2024-05-15: 100% up, no downtime, maintenance 30 min',
    );

    const incidents = page.locator('li.incident');
    expect(await incidents.count()).toBe(7);
    await expect(incidents.first().textContent()).resolves.toContain('<b>x</b>');
    await expect(incidents.first().locator('.ongoing').textContent()).resolves.toBe('Ongoing');
    // Of a reason, the page shows the category only: the target's text stays in logs and alerts.
    await expect(incidents.first().locator('.reason').textContent()).resolves.toBe('body-mismatch');

    // The response-time chart: a scale, a point per hour with its value as hover text, the values in a table.
    const chart = page.locator('li[data-monitor-id="website"] svg.response-chart');
    expect(await chart.locator('polyline').count()).toBeGreaterThanOrEqual(1);
    expect(await chart.locator('circle').count()).toBeGreaterThanOrEqual(24);
    expect(await chart.locator('text').allTextContents()).toEqual(expect.arrayContaining(['0 ms', '24 h ago', 'now']));
    await expect(chart.locator('circle title').first().textContent()).resolves.toMatch(/^\d\d:\d\d–\d\d:\d\d UTC: \d+ ms$/);
    const chartBox = await chart.boundingBox();
    expect(chartBox && chartBox.width > 300 && chartBox.height > 90).toBe(true);
    await page.locator('li[data-monitor-id="website"] .response-table summary').click();
    expect(await page.locator('li[data-monitor-id="website"] .response-table tbody tr').count()).toBeGreaterThanOrEqual(24);
    await page.locator('li[data-monitor-id="website"] .response-table summary').click();
    expect(problems).toEqual([]);

    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    await context.close();

    const dark = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, colorScheme: 'dark' });
    const darkPage = await dark.newPage();
    await darkPage.goto(`${api.url}/`, { waitUntil: 'load' });
    await expect(backgroundOf(darkPage, 'body')).resolves.toBe('rgb(13, 17, 23)');
    await darkPage.screenshot({ path: SCREENSHOT_DARK, fullPage: true });
    await dark.close();
  }, 90_000);

  it('fits a phone screen: no sideways scrolling, the last 30 days shown, no time broken across lines', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${api.url}/`, { waitUntil: 'load' });
    const widths = await page.evaluate<{ scroll: number; view: number }>(
      '({ scroll: document.documentElement.scrollWidth, view: window.innerWidth })',
    );
    expect(widths.scroll).toBeLessThanOrEqual(widths.view);
    expect(await countShown(page, 'li[data-monitor-id="payments-api"] li.day')).toBe(30);
    expect(await page.locator('li[data-monitor-id="payments-api"] li.day').count()).toBe(90);
    // "2024-05-15 12:30 UTC" is one box: "UTC" never wraps onto a line of its own.
    const broken = await page.evaluate<string[]>('[...document.querySelectorAll("time")].filter((time) => time.getClientRects().length > 1).map((time) => time.textContent)');
    expect(broken).toEqual([]);
    await page.screenshot({ path: SCREENSHOT_PHONE, fullPage: false });
    await context.close();
  }, 60_000);

  describe('no serious or critical axe-core violation, and pages that fit', () => {
    const pages = ['seeded', ...(Object.keys(STATE_VIEWS) as OverallStatus[])];
    const cases = pages.flatMap((name) =>
      (['light', 'dark'] as const).flatMap((scheme) => ([1280, 390] as const).map((width) => [name, scheme, width] as const)),
    );

    /** One page for all of them, axe injected once: each case writes its document over the last, then sets the scheme and width. */
    let page: Page;
    let context: BrowserContext;
    const documents: Partial<Record<string, string>> = {};
    beforeAll(async () => {
      context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
      page = await context.newPage();
      await page.goto(`${api.url}/`, { waitUntil: 'load' });
      documents.seeded = await page.content();
      for (const [name, view] of Object.entries(STATE_VIEWS)) documents[name] = renderStatusPage(view);
      // Through the DevTools protocol: the page's Content-Security-Policy (no script) does not apply.
      await page.evaluate(AXE_SOURCE);
    }, 60_000);
    afterAll(() => context?.close());

    const show = async (name: string, scheme: 'light' | 'dark', width: number) => {
      await page.setContent(documents[name] ?? '', { waitUntil: 'load' });
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 900 });
      expect(await page.evaluate<string>('typeof axe')).toBe('object');
      expect(await page.evaluate<boolean>('matchMedia("(prefers-color-scheme: dark)").matches')).toBe(scheme === 'dark');
      expect(await page.evaluate<number>('window.innerWidth')).toBe(width);
    };

    it('would catch a banner of poor contrast (the former dark "operational" one, white on #3fb950)', async () => {
      await show('operational', 'dark', 1280);
      // Through the CSSOM, which the page's Content-Security-Policy does not govern.
      await page.evaluate('document.querySelector("#overall").style.background = "#3fb950"');
      expect(await findAccessibilityProblems(page)).toEqual(expect.arrayContaining([expect.stringMatching(/^serious color-contrast: h1: [^]*contrast of 2\.54/)]));
    }, 60_000);

    it.each(cases)('%s, %s, %d px', async (name, scheme, width) => {
      await show(name, scheme, width);
      if (name !== 'seeded') await expect(page.locator('#overall').getAttribute('data-status')).resolves.toBe(name);
      expect(await findAccessibilityProblems(page)).toEqual([]);
      const widths = await page.evaluate<{ scroll: number; view: number }>('({ scroll: document.documentElement.scrollWidth, view: window.innerWidth })');
      expect(widths.scroll).toBeLessThanOrEqual(widths.view);
      const broken = await page.evaluate<number>('[...document.querySelectorAll("time")].filter((time) => time.getClientRects().length > 1).length');
      expect(broken).toBe(0);
    }, 60_000);
  });

  it('passes the Nu Html Checker: the served page and every state', async () => {
    const served = await fetch(`${api.url}/`);
    const documents: Record<string, string> = { seeded: await served.text() };
    for (const [name, view] of Object.entries(STATE_VIEWS)) documents[name] = renderStatusPage(view);
    const report = await checkHtml(documents);
    const findings = Object.entries(report).flatMap(([name, messages]) =>
      messages.filter((message) => message.type === 'error' || message.subType === 'warning').map((message) => `${name}: ${describeNuMessage(message)}`),
    );
    expect(findings).toEqual([]);
  }, 120_000);
});
