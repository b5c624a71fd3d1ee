/**
 * The sandbox end to end, as a user runs it: `npm start -- --ci` synthesizes the stack, runs the
 * functions, drives the scenario and must exit 0 (the expected alarms fired, resolved and reached
 * Slack). While it runs, Debian's Chromium loads the dashboard once the error-rate alarm is in
 * ALARM and sees charts with data, that alarm, and a Slack message.
 */
import { afterAll, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** What the console page exposes for tests (see sandbox/console/public/app.js). */
declare const window: {
  lookout?: { state: { snapshots: number }; chartSummary(): { datasets: { points: number }[] }[] };
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
});

test('npm start -- --ci: alarms fire and resolve, Slack gets them, and the dashboard shows it all', async () => {
  const [consolePort, apiPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'sandbox/start.ts',
      '--ci',
      '--port',
      String(consolePort),
      '--api-port',
      String(apiPort),
    ],
    { cwd: root, env: { ...process.env, SLACK_WEBHOOK_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

  try {
    const consoleUrl = `http://127.0.0.1:${consolePort}`;
    const errorRateAlarm = await until(
      'the error-rate alarm to fire',
      async () => {
        const response = await fetch(`${consoleUrl}/api/alarms`);
        const body = (await response.json()) as
          { alarms?: { name: string; state: string }[] } | { name: string; state: string }[];
        const alarms = Array.isArray(body) ? body : (body.alarms ?? []);
        return alarms.find((alarm) => alarm.name.endsWith('-Http-ErrorRate') && alarm.state === 'ALARM')
          ?.name;
      },
      150_000,
    );

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 2000 } });
    await page.goto(consoleUrl);
    await page.waitForFunction(() => (window.lookout?.state.snapshots ?? 0) > 0);

    // Charts drawn from the collected metrics: several with points.
    await until(
      'charts with data',
      async () => {
        const charts = await page.evaluate(() => window.lookout!.chartSummary());
        const withData = charts.filter((chart) => chart.datasets.some((dataset) => dataset.points > 0));
        return withData.length >= 5 ? withData : undefined;
      },
      20_000,
    );
    const alarms = page.getByRole('region', { name: 'Alarms' });
    await until(
      'the alarm in ALARM on the page',
      async () =>
        (await alarms.getByRole('listitem', { name: `${errorRateAlarm}: ALARM` }).count()) > 0
          ? true
          : undefined,
      20_000,
    );
    const slack = page.getByRole('region', { name: 'Slack messages' }).getByTestId('slack-message');
    await until(
      'a Slack message on the page',
      async () => ((await slack.count()) > 0 ? true : undefined),
      30_000,
    );
    expect(await slack.first().textContent()).toMatch(/ALARM|OK/);
    await page.screenshot({ path: '/tmp/lookout-sandbox-e2e.png', fullPage: false });
    await browser.close();
    browser = undefined;

    const code = await exited;
    expect(output).toContain('result         OK');
    expect(code).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    if (!output.includes('result         OK')) process.stderr.write(output.slice(-4000));
  }
}, 360_000);
