/**
 * The console page in Debian's Chromium: charts drawn with data, the alarm in ALARM, log search
 * by correlation id, the trace waterfall, the Slack message and the CPU profiles, all from the
 * synthetic sandbox (the profiles are real files in a temporary folder).
 */
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startConsole, type RunningConsole } from '../../../sandbox/console/server.js';
import {
  CORRELATION_FAILED,
  CORRELATION_OK,
  ERROR_ALARM,
  LATENCY_ALARM,
  syntheticConsole,
} from './support/synthetic-console.js';
import { profileFixture, SLOW_CORRELATION } from './support/profiles.js';
import { MARKUP_MESSAGE, SHIPPED_CORRELATION, shippedLogsFixture } from './support/shipped-logs.js';
import type { SearchStandIn } from '../../../sandbox/aws/search.js';

// The tests' tsconfig has no DOM library: these are the few browser shapes the page functions use.
interface PageNode {
  style: Record<string, string>;
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  querySelector(selector: string): PageNode | null;
  getBoundingClientRect(): { left: number; width: number };
}
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
declare const window: {
  lookout?: { state: { snapshots: number }; chartSummary(): ChartSummary[] };
  __shippedXss?: number;
  getComputedStyle(node: unknown): { backgroundColor: string };
};

interface ChartSummary {
  index: number;
  title: string | null;
  type: string;
  datasets: { label: string; points: number }[];
}

/** Retries an assertion until it passes or the time is up (the page updates asynchronously). */
async function eventually(check: () => Promise<unknown>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const count = (locator: Locator, n: number) => eventually(async () => expect(await locator.count()).toBe(n));
const text = async (locator: Locator) => (await locator.textContent()) ?? '';
const containsText = (locator: Locator, expected: string) =>
  eventually(async () => expect(await text(locator)).toContain(expected));
const attribute = (locator: Locator, name: string, expected: string) =>
  eventually(async () => expect(await locator.getAttribute(name)).toBe(expected));
const background = (locator: Locator) =>
  locator.evaluate((node) => window.getComputedStyle(node).backgroundColor);

let browser: Browser;
let running: RunningConsole;
let page: Page;
let shipped: SearchStandIn;
const pageErrors: string[] = [];
const profiles = profileFixture();

beforeAll(async () => {
  shipped = await shippedLogsFixture();
  running = await startConsole({
    port: 0,
    data: { ...syntheticConsole().data, profiles: profiles.folder, shippedLogs: shipped },
    refreshMs: 200,
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(running.url);
  await page.waitForFunction(() => (window.lookout?.state.snapshots ?? 0) > 0);
});

afterAll(async () => {
  await browser?.close();
  await running?.close();
  await shipped?.close();
  profiles.remove();
});

const chartSummary = () => page.evaluate(() => window.lookout!.chartSummary());

test('the page is titled and shows the headline counters', async () => {
  expect(await page.title()).toBe('Lookout sandbox');
  expect(await text(page.getByRole('heading', { level: 1 }))).toBe('Lookout sandbox');
  expect(await text(page.getByTestId('counter-invocations'))).toBe('280');
  expect(await text(page.getByTestId('counter-coldStarts'))).toBe('3');
  expect(await text(page.getByTestId('counter-errors'))).toBe('24');
  expect(await text(page.getByTestId('counter-timeouts'))).toBe('1');
});

test('the dashboard widgets sit on the 24-column grid and the charts have data', async () => {
  const dashboard = page.getByRole('region', { name: 'Dashboard' });
  await count(dashboard.getByTestId('widget'), 6);
  const requests = dashboard.locator('[data-widget-index="2"]');
  expect(await requests.evaluate((node) => (node as unknown as PageNode).style.gridColumn)).toBe(
    '1 / span 12',
  );
  const latency = dashboard.locator('[data-widget-index="3"]');
  expect(await latency.evaluate((node) => (node as unknown as PageNode).style.gridColumn)).toBe(
    '13 / span 12',
  );

  expect(await requests.locator('canvas').isVisible()).toBe(true);
  const charts = await chartSummary();
  const byTitle = new Map(charts.map((chart) => [chart.title, chart]));
  expect(byTitle.get('Requests and errors')?.datasets).toEqual([
    { label: 'Requests', points: 14 },
    { label: 'Errors', points: 14 },
    { label: 'error rate %', points: 14 },
  ]);
  expect(byTitle.get('Latency')?.datasets).toEqual([
    { label: 'Latency p50', points: 14 },
    { label: 'Latency p99', points: 14 },
  ]);
  // The canvas was really painted: many pixels are not blank.
  const painted = await requests.locator('canvas').evaluate((canvas) => {
    const c = canvas as unknown as PageCanvas;
    const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let coloured = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) coloured++;
    return coloured;
  });
  expect(painted).toBeGreaterThan(500);

  await containsText(dashboard.getByTestId('single-value'), 'books');
  const logWidget = dashboard.getByTestId('log-widget-table');
  await containsText(logWidget, 'payment provider timed out');
  expect(await logWidget.locator('tbody tr').count()).toBe(1);
  expect(await dashboard.getByRole('heading', { name: 'orders', exact: true }).isVisible()).toBe(true);
});

test('the alarms panel and the alarm status widget show the alarm in ALARM, in the notifier colours', async () => {
  const alarms = page.getByRole('region', { name: 'Alarms' });
  const firing = alarms.getByRole('listitem', { name: `${ERROR_ALARM}: ALARM` });
  await containsText(firing, 'Threshold Crossed');
  expect(await text(firing)).toContain('critical');
  expect(await background(firing.locator('.state-badge'))).toBe('rgb(224, 30, 90)');
  const ok = alarms.getByRole('listitem', { name: `${LATENCY_ALARM}: OK` });
  expect(await background(ok.locator('.state-badge'))).toBe('rgb(46, 182, 125)');
  // ALARM is listed first.
  expect(await alarms.getByTestId('alarm').first().getAttribute('data-state')).toBe('ALARM');

  const tiles = page.getByRole('region', { name: 'Dashboard' }).getByTestId('alarm-tile');
  await count(tiles, 2);
  expect(await tiles.first().getAttribute('data-state')).toBe('ALARM');
  expect(await text(tiles.first())).toContain(ERROR_ALARM);
});

test('log search filters by correlation id, by clicking one, and by level', async () => {
  const logs = page.getByRole('region', { name: 'Logs', exact: true });
  const rows = logs.getByTestId('log-row');
  // Four log lines; the EMF document is not one.
  await count(rows, 4);

  await logs.getByLabel('Correlation id').fill(CORRELATION_OK);
  await logs.getByRole('button', { name: 'Search' }).click();
  await count(rows, 1);
  expect(await text(rows.first())).toContain('order created');

  await logs.getByRole('button', { name: 'Clear' }).click();
  await count(rows, 4);
  await rows.filter({ hasText: 'payment provider timed out' }).getByTestId('correlation-link').click();
  expect(await logs.getByLabel('Correlation id').inputValue()).toBe(CORRELATION_FAILED);
  await count(rows, 2);
  expect(await text(rows.nth(0))).toContain('retrying order');
  expect(await text(rows.nth(1))).toContain('payment provider timed out');

  await logs.getByLabel('Level').selectOption('ERROR');
  await logs.getByRole('button', { name: 'Search' }).click();
  await count(rows, 1);
  await attribute(rows.first(), 'data-level', 'ERROR');
});

test('the trace waterfall shows every segment, nested and positioned by time', async () => {
  const traces = page.getByRole('region', { name: 'Traces' });
  await count(traces.getByTestId('trace-item'), 1);
  const rows = traces.getByTestId('waterfall-row');
  await count(rows, 5);
  const layout = await rows.evaluateAll((nodes) =>
    (nodes as unknown as PageNode[]).map((node) => {
      const bar = node.querySelector('.wf-bar')!.getBoundingClientRect();
      return {
        name: node.querySelector('.wf-label')!.textContent,
        depth: Number(node.dataset.depth),
        left: bar.left,
        width: bar.width,
      };
    }),
  );
  expect(layout.map(({ name, depth }) => [name, depth])).toEqual([
    ['orders-api', 0],
    ['DynamoDB PutItem', 1],
    ['payment provider', 1],
    ['SQS SendMessage', 1],
    ['order-worker', 2],
  ]);
  const [api, dynamo, payment, , worker] = layout;
  expect(dynamo!.left).toBeGreaterThan(api!.left);
  expect(payment!.width).toBeGreaterThan(dynamo!.width);
  expect(worker!.left).toBeGreaterThan(api!.left + api!.width - 1);
});

test('the Slack message is rendered with its header, fields and colour bar', async () => {
  const slack = page.getByRole('region', { name: 'Slack messages' });
  const message = slack.getByTestId('slack-message');
  await count(message, 1);
  expect(await message.getByRole('heading', { name: `🔴 ALARM: ${ERROR_ALARM}` }).isVisible()).toBe(true);
  expect(await text(message)).toContain('INSUFFICIENT_DATA → ALARM');
  expect(await text(message)).toContain('Severity');
  expect(await background(message.locator('.slack-bar'))).toBe('rgb(224, 30, 90)');
  expect(await message.locator('.slack-field').count()).toBeGreaterThanOrEqual(4);
  // mrkdwn is rendered, not shown raw.
  expect(await text(message)).not.toContain('*Reason*');
});

test('the CPU profiles section lists each profile with a download that is the file', async () => {
  const section = page.getByRole('region', { name: 'CPU profiles' });
  const rows = section.getByTestId('profile-row');
  await count(rows, 3);
  expect(await text(section)).toContain('opens in Chrome DevTools');
  await attribute(rows.first(), 'data-reason', 'slow');
  expect(await text(rows.first())).toContain(profiles.profiles[0]!.parts.requestId);
  expect(await text(rows.first().getByTestId('profile-correlation-link'))).toBe(SLOW_CORRELATION);
  expect(await rows.nth(2).getByTestId('profile-correlation-link').count()).toBe(0);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    rows.first().getByRole('link', { name: 'download' }).click(),
  ]);
  const { key, text: written } = profiles.profiles[0]!;
  expect(download.suggestedFilename()).toBe(key.replace('/', '_'));
  expect(readFileSync(await download.path(), 'utf8')).toBe(written);

  // The correlation id leads to the request's log lines.
  await rows.first().getByTestId('profile-correlation-link').click();
  expect(
    await page.getByRole('region', { name: 'Logs', exact: true }).getByLabel('Correlation id').inputValue(),
  ).toBe(SLOW_CORRELATION);
});

test('the shipped logs section lists the indexed documents with their ECS fields, as text', async () => {
  const section = page.getByRole('region', { name: 'Shipped logs' });
  const rows = section.getByTestId('shipped-row');
  await count(rows, 3);
  await containsText(
    section,
    '3 documents in 2 indices: lookout-logs-health-check-2025.01.15 (1), lookout-logs-orders-2025.01.15 (2)',
  );
  const cells = rows.first().locator('td');
  expect(await text(cells.nth(0))).toBe('2025-01-15T11:59:00.000Z');
  expect(await text(cells.nth(1))).toBe('error');
  expect(await text(cells.nth(2))).toBe('orders');
  expect(await text(cells.nth(3))).toBe(SHIPPED_CORRELATION);
  // The message is data: shown as written, never parsed as markup.
  expect(await text(cells.nth(4).locator('summary'))).toBe(MARKUP_MESSAGE);
  expect(await section.locator('img, b').count()).toBe(0);
  expect(await page.evaluate(() => window.__shippedXss)).toBeUndefined();

  await section.getByLabel('Text').fill('health');
  await section.getByRole('button', { name: 'Search' }).click();
  await count(rows, 1);
  expect(await text(rows.first())).toContain('health check passed');

  await section.getByLabel('Text').fill('');
  await section.getByLabel('Index').selectOption('lookout-logs-orders-2025.01.15');
  await section.getByRole('button', { name: 'Search' }).click();
  await count(rows, 2);
  await section.getByLabel('Index').selectOption('');
  await rows.first().getByTestId('shipped-correlation-link').click();
  expect(await section.getByLabel('Correlation id').inputValue()).toBe(SHIPPED_CORRELATION);
  await count(rows, 2);
});

test('the page logged no errors', () => {
  expect(pageErrors).toEqual([]);
});
