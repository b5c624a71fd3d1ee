/**
 * The sandbox end to end, as a user runs it: `npm start -- --ci` synthesizes the stack, runs the
 * functions, drives the scenario and must exit 0 (the expected alarms fired, resolved and reached
 * Slack). While it runs, Debian's Chromium keeps the dashboard open and sees the error-rate alarm in
 * ALARM, charts with data, and a Slack message; then, once the latency spike
 * has made the orders API profile its slow requests, the console lists a CPU profile that
 * downloads as a V8 profile, and the page offers it for download.
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

/** A row of the console's `/api/profiles`. */
interface ListedProfile {
  key: string;
  reason: string;
  correlationId?: string;
  bytes: number;
  url: string;
}

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

/** Awaited later: a rejection before then is not reported as unhandled, and still throws when awaited. */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
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
    // Chromium starts while the sandbox boots, and the page is live before the scenario's error
    // burst: on a busy two-core machine a first page load can take tens of seconds, longer than
    // the error-rate alarm stays in ALARM.
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 2000 } });
    // What the page says about itself goes into the failure message, should it never get live.
    const pageLog: string[] = [];
    page.on('console', (message) => pageLog.push(`console.${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => pageLog.push(`pageerror: ${error.message}`));
    page.on('requestfailed', (request) =>
      pageLog.push(`requestfailed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
    );

    const consoleUrl = `http://127.0.0.1:${consolePort}`;
    await until(
      'the console to answer',
      async () => ((await fetch(`${consoleUrl}/api/alarms`)).ok ? true : undefined),
      200_000,
    );
    await page.goto(consoleUrl);
    await page
      .waitForFunction(() => (window.lookout?.state.snapshots ?? 0) > 0, undefined, { timeout: 90_000 })
      .catch(async (error: Error) => {
        const status = await page
          .locator('#connection')
          .textContent({ timeout: 5_000 })
          .catch((reason: Error) => reason.message);
        throw new Error(`${error.message}\nconnection: ${status}\n${pageLog.join('\n')}`);
      });

    // Profiles are watched from now on, on the API and on the page at once: the first slow one comes
    // early in the latency spike, and its download is checked the moment it is listed, while the
    // sandbox is surely up (it exits once the alarms have settled after the spike).
    const profiles = page.getByRole('region', { name: 'CPU profiles' });
    const listedProfile = settledLater(
      until(
        'a profile of a slow request, with the correlation id the profiler logged',
        async () => {
          const listed = (await (await fetch(`${consoleUrl}/api/profiles`)).json()) as ListedProfile[];
          const slow = listed.find((profile) => profile.reason === 'slow' && profile.correlationId);
          if (!slow) return undefined;
          const download = await fetch(`${consoleUrl}${slow.url}`);
          return {
            slow,
            status: download.status,
            type: download.headers.get('content-type'),
            disposition: download.headers.get('content-disposition'),
            body: await download.text(),
          };
        },
        240_000,
      ),
    );
    const offeredProfile = settledLater(
      until(
        'a slow profile offered for download on the page',
        async () => {
          const row = profiles
            .locator('[data-testid="profile-row"][data-reason="slow"]')
            .filter({ has: page.getByTestId('profile-correlation-link') })
            .first();
          if ((await row.count()) === 0) return undefined;
          const href = await row.getByTestId('profile-download').getAttribute('href');
          if (!href) return undefined;
          const download = await fetch(`${consoleUrl}${href}`);
          const correlation = await row.getByTestId('profile-correlation-link').textContent();
          return { href, status: download.status, correlation };
        },
        240_000,
      ),
    );

    // The error burst puts the error-rate alarm in ALARM, and the live page shows it.
    const alarms = page.getByRole('region', { name: 'Alarms' });
    await until(
      'the error-rate alarm in ALARM on the page',
      async () =>
        (await alarms.getByRole('listitem', { name: /-Http-ErrorRate: ALARM$/ }).count()) > 0
          ? true
          : undefined,
      150_000,
    );
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
    const slack = page.getByRole('region', { name: 'Slack messages' }).getByTestId('slack-message');
    await until(
      'a Slack message on the page',
      async () => ((await slack.count()) > 0 ? true : undefined),
      30_000,
    );
    expect(await slack.first().textContent()).toMatch(/ALARM|OK/);

    // The latency spike (1500 ms a request) runs past the orders API's profiling threshold.
    const { slow, status, type, disposition, body } = await listedProfile;
    expect(slow.correlationId).toMatch(/^traffic-/);
    expect(status).toBe(200);
    expect(type).toBe('application/json');
    expect(disposition).toMatch(/^attachment; filename=".+\.cpuprofile"$/);
    expect(body.length).toBe(slow.bytes);
    const profile = JSON.parse(body) as {
      nodes: unknown;
      samples: unknown;
      startTime: unknown;
      endTime: unknown;
    };
    expect({
      nodes: Array.isArray(profile.nodes) && profile.nodes.length > 0,
      samples: Array.isArray(profile.samples),
      startTime: typeof profile.startTime,
      endTime: typeof profile.endTime,
      ordered: Number(profile.endTime) > Number(profile.startTime),
    }).toEqual({ nodes: true, samples: true, startTime: 'number', endTime: 'number', ordered: true });

    // The page lists it too, with a working download link and the correlation id.
    const offered = await offeredProfile;
    expect(offered.href).toMatch(/^\/api\/profiles\/[^/]+\/[^/]+\.cpuprofile$/);
    expect(offered.status).toBe(200);
    expect(offered.correlation).toMatch(/^traffic-/);
    await browser.close();
    browser = undefined;

    const code = await exited;
    expect(output).toContain('result         OK');
    expect(code).toBe(0);
    // The summary says how many profiles were captured and where.
    const captured = /CPU profiles +(\d+) \((\d+) slow, \d+ sampled\) in (\S+);/.exec(output);
    expect(captured).not.toBeNull();
    expect(Number(captured![2])).toBeGreaterThanOrEqual(1);
    expect(captured![3]).toBe('.sandbox/profiles');
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    if (!output.includes('result         OK')) process.stderr.write(output.slice(-4000));
  }
}, 360_000);
