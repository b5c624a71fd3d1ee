/**
 * The SLO rows of a dashboard ServiceMonitoring synthesizes, in the console page in Debian's
 * Chromium: the budget left and the burn over each alert window show as numbers, computed from
 * the TC(:1000) counts of real latency samples, and the SLI and 5-minute burn charts have data.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ObservedFunction, ServiceMonitoring } from '../../../lib/cdk/index.js';
import { readDashboardsFromTemplate } from '../../../sandbox/console/dashboard.js';
import { startConsole, type RunningConsole } from '../../../sandbox/console/server.js';
import { MetricStore } from '../../../sandbox/metrics/store.js';
import type { CloudFormationTemplate } from '../../../sandbox/template/index.js';
import { FIXTURE_ENTRY, NO_BUNDLING } from '../../cdk/support/template.js';
import { syntheticConsole } from './support/synthetic-console.js';

declare const window: { lookout?: { state: { snapshots: number } } };

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const MINUTE = 60_000;

function dashboard() {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'Shop');
  const api = new ObservedFunction(stack, 'Api', { entry: FIXTURE_ENTRY, serviceName: 'orders' });
  new ServiceMonitoring(stack, 'Monitoring', {
    functions: [api],
    alarmTopic: new sns.Topic(stack, 'Topic'),
    slos: [{ kind: 'latency', name: 'order latency', target: 99, thresholdMs: 1000, route: 'POST /orders' }],
  });
  const template = Template.fromStack(stack).toJSON() as CloudFormationTemplate;
  const { dashboards, problems } = readDashboardsFromTemplate(template, { stackName: 'Shop' });
  expect(problems).toEqual([]);
  return dashboards[0]!.dashboard;
}

let browser: Browser;
let running: RunningConsole;
let page: Page;

beforeAll(async () => {
  const store = new MetricStore();
  // 40 minutes of POST /orders, 50 requests a minute; the last 5 minutes 1 in 10 over 1000 ms.
  for (let minute = 40; minute >= 1; minute--) {
    const slow = minute <= 5 ? 5 : 0;
    store.put({
      namespace: 'Lookout',
      name: 'Latency',
      dimensions: { service: 'orders', route: 'POST /orders' },
      values: [...Array(50 - slow).fill(180), ...Array(slow).fill(1800)],
      timestamp: NOW - minute * MINUTE + 1000,
    });
  }
  running = await startConsole({
    port: 0,
    data: { ...syntheticConsole().data, dashboard: dashboard(), metrics: store, now: () => NOW },
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  await page.goto(running.url);
  await page.waitForFunction(() => (window.lookout?.state.snapshots ?? 0) > 0, undefined, {
    timeout: 30_000,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await running?.close();
});

const valueOf = async (title: string) => {
  const widget = page.getByTestId('widget').filter({ hasText: title }).first();
  await widget.getByTestId('single-value').first().waitFor({ timeout: 10_000 });
  return (await widget.locator('.sv-number').first().textContent())?.trim();
};

test('shows the budget left over the SLO window and the burn over each alert window', async () => {
  // 25 slow of 2000 requests: 1.25% bad against a 1% budget, so 125% of it spent: -25% left.
  expect(await valueOf('order latency: error budget left, last 30 days (%)')).toBe('-25');
  // The last hour holds all 2000: 1.25 / 1 = 1.25×; the last 5 minutes 25 of 250: 10×.
  expect(await valueOf('Burn, last 1 hour (alert at 14.4×)')).toBe('1.25');
  expect(await valueOf('Burn, last 5 minutes (alert at 14.4×)')).toBe('10');
  // The last 30 minutes: 25 of 1500 = 1.667×.
  expect(await valueOf('Burn, last 30 minutes (alert at 6×)')).toBe('1.667');
  const charts = await page
    .getByTestId('widget')
    .filter({ hasText: 'SLI: order latency' })
    .locator('canvas')
    .count();
  expect(charts).toBe(1);
}, 60_000);
