/**
 * `npx lookout sandbox` as a user runs it: both tarballs (lookout and lookout-sandbox) installed into
 * a CDK app made from scratch, outside this repository; the app's own alarm fires and resolves
 * under a YAML scenario, its Slack messages are shown, and the console's JSON endpoints for scripts
 * say so while it runs.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FIXTURES,
  lockedVersion,
  npmInstall,
  pack,
  project,
  run,
  SANDBOX_PACKAGE,
  succeeded,
} from './support/consumer.js';

const MINUTES = 60_000;
let work: string;
let app: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lookout-sandbox-consumer-'));
  const [lookout, sandbox] = [await pack(work), await pack(work, SANDBOX_PACKAGE)];
  app = project(join(work, 'shop'), { name: 'shop', private: true, type: 'module' });
  for (const file of ['bin', 'src', 'cdk.json', 'scenario.yaml'])
    cpSync(join(FIXTURES, 'sandbox-app', file), join(app, file), { recursive: true });
  const tools = ['aws-cdk-lib', 'constructs', 'aws-cdk', 'esbuild', 'tsx', 'typescript', '@types/aws-lambda'];
  const installed = await npmInstall(app, [
    lookout,
    sandbox,
    ...tools.map((name) => `${name}@${lockedVersion(name)}`),
  ]);
  if (installed.status !== 0) throw new Error(`npm install: ${succeeded(installed)}`);
}, 5 * MINUTES);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Polls a console endpoint until `accept` finds what it waits for, or the command ends. */
async function watch<T>(url: () => string | undefined, accept: (body: T) => boolean, done: () => boolean) {
  while (!done()) {
    const at = url();
    if (at) {
      const body = (await fetch(at)
        .then((response) => response.json())
        .catch(() => undefined)) as T | undefined;
      if (body !== undefined && accept(body)) return body;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
}

it(
  'runs the app with its scenario: the error-rate alarm fires, reaches Slack and resolves; exit 0',
  async () => {
    let consoleUrl: string | undefined;
    let finished = false;
    const running = run('npx', ['lookout', 'sandbox', '--ci', '--scenario', 'scenario.yaml'], {
      cwd: app,
      timeoutMs: 6 * MINUTES,
      onStdout: (chunk) => {
        consoleUrl ??= /dashboard +(http:\/\/127\.0\.0\.1:\d+)/.exec(chunk)?.[1];
      },
    });
    void running.finally(() => (finished = true));
    // While it runs, a script sees the alarm in ALARM and Slack's message about it.
    const alarmName = /^Shop-.*-Http-ErrorRate$/;
    const alarming = watch<{ name: string; state: string }[]>(
      () => consoleUrl && `${consoleUrl}/api/alarms`,
      (alarms) => alarms.some((alarm) => alarmName.test(alarm.name) && alarm.state === 'ALARM'),
      () => finished,
    );
    const posted = watch<{ payload: unknown; route?: string }[]>(
      () => consoleUrl && `${consoleUrl}/api/slack`,
      (messages) =>
        messages.some((message) => /Shop-.*-Http-ErrorRate/.test(JSON.stringify(message.payload))),
      () => finished,
    );
    const [result, alarms, slack] = await Promise.all([running, alarming, posted]);

    expect(succeeded(result)).toBe('ok');
    expect(result.stdout).toMatch(/stack +Shop: 2 functions, \d+ alarms, 1 dashboard\b/);
    expect(result.stdout).toMatch(
      /API +http:\/\/127\.0\.0\.1:\d+ +ShopApi\w* \(HTTP\): GET \/items, POST \/items/,
    );
    expect(result.stdout).toMatch(/held +Shop-shop-Http-ErrorRate reaches ALARM/);
    expect(result.stdout).toMatch(/held +Shop-shop-Http-ErrorRate is back to OK/);
    expect(result.stdout).toMatch(/held +2 Slack messages name Shop-shop-Http-ErrorRate/);
    expect(result.stdout).toContain('result         OK: all 3 expectations held');
    expect(alarms).toBeDefined();
    expect(slack?.find((message) => /Http-ErrorRate/.test(JSON.stringify(message.payload)))?.route).toMatch(
      /^alerts-(critical|warning)$/,
    );
  },
  8 * MINUTES,
);

it('says what is wrong with its options, and exits 2', async () => {
  const result = await run('npx', ['lookout', 'sandbox', '--ci'], { cwd: app });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/^--ci plays a scenario: pass --scenario FILE\n\nUsage: lookout sandbox/);
});
