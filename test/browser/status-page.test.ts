import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { parseTestMonitors } from '../fixtures/monitors-yml';
import { startApiServer, type RunningApi } from '../support/api-server';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { scriptMonitor, seedHistory } from '../support/history';
import { MINUTE_MS, DAY_MS } from '../../lib/domain/time';

/**
 * The status page in a real browser: headless Chromium (Debian's `chromium` package) driven by
 * playwright-core, loading `GET /` from the API function served on 127.0.0.1 (test/support/api-server.ts)
 * over a DynamoDB Local table holding 90 days of 5-minute checks, seeded through the real state
 * machine and store (5 minutes rather than 1 keeps the seeding of the last day's run summaries within
 * a few seconds on DynamoDB Local). Saves docs/status-page.png.
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
const SCREENSHOT = path.join(__dirname, '..', '..', 'docs', 'status-page.png');

const required = process.env.UPTIME_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
if (!available && !required) {
  console.warn(`browser test skipped: ${CHROMIUM} not found (install Debian's chromium package: apt-get install -y chromium)`);
}
const describeWithBrowser = available || required ? describe : describe.skip;

const STEP_MS = 5 * MINUTE_MS;
const NOW_MS = Date.parse('2024-05-15T12:30:00Z');
const day = (daysAgo: number, hour: number, minute = 0) => Date.parse('2024-05-15T00:00:00Z') - daysAgo * DAY_MS + (hour * 60 + minute) * MINUTE_MS;

const { config, monitor } = parseTestMonitors(
  `notify: { from: monitor@example.com, to: [oncall@example.com] }
defaults: { interval: 5m }
monitors:
  - { id: payments-api, name: Payments API, url: "https://api.example.com/health" }
  - { id: website, name: Website, url: "https://www.example.com/" }
  - { id: xss, name: "<b>x</b>", url: "https://x.example.com/" }
  - { id: search, name: Search, url: "https://search.example.com/health" }
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

  it('shows every monitor, its 90-day bar and the incidents, with the monitor named <b>x</b> as text', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    const response = await page.goto(`${api.url}/`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['cache-control']).toBe('public, max-age=60');

    await expect(page.locator('h1').textContent()).resolves.toBe('Partial outage');
    const names = await page.locator('h3.monitor-name').allTextContents();
    expect(names).toEqual(['Payments API', 'Website', '<b>x</b>', 'Search']);
    // Shown as text: no <b> element made it into the page.
    expect(await page.locator('h3.monitor-name b, .incident b').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(0);

    for (const monitorId of ['payments-api', 'website', 'xss', 'search']) {
      const bar = page.locator(`li[data-monitor-id="${monitorId}"] li.day`);
      expect([monitorId, await bar.count()]).toEqual([monitorId, 90]);
      const box = await bar.last().boundingBox();
      expect(box && box.width > 2 && box.height > 20).toBe(true);
    }
    // Search was added 20 days ago: the 69 days before (21 to 89 days ago) have no data.
    expect(await page.locator('li[data-monitor-id="search"] li.day.u-none').count()).toBe(69);
    // The day of the 2.5-hour outage, 80 days ago: coloured, with its downtime on hover and for screen readers.
    const outageDay = page.locator('li[data-monitor-id="payments-api"] li.day[data-date="2024-02-25"]');
    await expect(outageDay.getAttribute('title')).resolves.toBe('2024-02-25: 89.58% up, down 2 h 30 min');
    await expect(outageDay.locator('.visually-hidden').textContent()).resolves.toBe('2024-02-25: 89.58% up, down 2 h 30 min');
    await expect(backgroundOf(page, 'li[data-monitor-id="payments-api"] li.day[data-date="2024-02-25"]')).resolves.toBe('rgb(207, 34, 46)');
    // The inline style sheet was allowed by the Content-Security-Policy: a full day is green.
    await expect(backgroundOf(page, 'li.day.u-full')).resolves.toBe('rgb(45, 164, 78)');

    const incidents = page.locator('li.incident');
    expect(await incidents.count()).toBe(6);
    await expect(incidents.first().textContent()).resolves.toContain('<b>x</b>');
    await expect(incidents.first().locator('.ongoing').textContent()).resolves.toBe('Ongoing');
    // Of a reason, the page shows the category only: the target's text stays in logs and alerts.
    await expect(incidents.first().locator('.reason').textContent()).resolves.toBe('body-mismatch');
    expect(await page.locator('svg.sparkline polyline').count()).toBeGreaterThanOrEqual(4);
    expect(problems).toEqual([]);

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    await context.close();
  }, 60_000);

  it('fits a phone screen: no sideways scrolling, the last 30 days shown', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${api.url}/`, { waitUntil: 'load' });
    const widths = await page.evaluate<{ scroll: number; view: number }>(
      '({ scroll: document.documentElement.scrollWidth, view: window.innerWidth })',
    );
    expect(widths.scroll).toBeLessThanOrEqual(widths.view);
    expect(await countShown(page, 'li[data-monitor-id="payments-api"] li.day')).toBe(30);
    expect(await page.locator('li[data-monitor-id="payments-api"] li.day').count()).toBe(90);
    await context.close();
  }, 60_000);
});
