/** The schedule rule: a test function invoked with EventBridge "Scheduled Event"s on a wall-clock timer. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FunctionManager } from '../../../sandbox/lambda/index.js';
import { createFunctionManager } from '../../../sandbox/lambda/index.js';
import type { ScheduleFiring } from '../../../sandbox/sources/index.js';
import { parseRateExpression, startSchedule } from '../../../sandbox/sources/index.js';
import type { TestBundles } from '../lambda/support.js';
import { testBundles, waitFor } from '../lambda/support.js';

let bundles: TestBundles;
let target: FunctionManager;

beforeAll(async () => {
  bundles = await testBundles();
  const bundle = await bundles.bundle('scheduled', 'test/sandbox/lambda/fixtures/behaviours.ts');
  target = await createFunctionManager({ name: 'scheduled', bundle });
});

afterAll(async () => {
  await target?.close();
  await bundles?.cleanup();
});

describe('schedule', () => {
  it('invokes the function with a Scheduled Event every N seconds until stopped', async () => {
    const schedule = startSchedule({
      target,
      everySeconds: 0.2,
      ruleName: 'health-check-every-minute',
      region: 'eu-west-1',
    });
    const firings: ScheduleFiring[] = [];
    schedule.onFire((firing) => firings.push(firing));
    const startedAt = Date.now();
    try {
      await waitFor(() => firings.length >= 3, 5000, 'three firings');
    } finally {
      await schedule.stop();
    }
    // Three ticks of 200 ms cannot take less than 600 ms.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(590);
    const fired = schedule.fired();
    expect(fired).toBe(firings.length);
    for (const firing of firings) {
      expect(firing.invocation?.status).toBe('success');
      const event = (firing.invocation!.result as { event: unknown }).event;
      expect(event).toEqual(firing.event);
      expect(event).toEqual({
        version: '0',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '123456789012',
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        region: 'eu-west-1',
        resources: ['arn:aws:events:eu-west-1:123456789012:rule/health-check-every-minute'],
        detail: {},
      });
    }
    expect(new Set(firings.map((firing) => firing.event.id)).size).toBe(firings.length);
    // The first firing started a container, and later ones found one warm. (A firing that comes
    // while the previous one still runs gets a container of its own, as in Lambda, so a busy
    // machine may start a second: not every later firing is warm.)
    const coldStarts = firings.map((firing) => (firing.invocation as { coldStart?: boolean }).coldStart);
    expect(coldStarts[0]).toBe(true);
    expect(coldStarts.slice(1)).toContain(false);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(schedule.fired()).toBe(fired);
  });

  it('fires on demand too, and reports a failed invocation without throwing', async () => {
    const failing = {
      name: 'refusing',
      invoke: () => Promise.reject(new Error('the function is gone')),
    };
    const schedule = startSchedule({ target: failing, everySeconds: 3600 });
    try {
      const firing = await schedule.fireNow();
      expect(firing.error?.message).toBe('the function is gone');
      expect(firing.invocation).toBeUndefined();
      const real = startSchedule({ target, everySeconds: 3600 });
      const ok = await real.fireNow();
      await real.stop();
      expect(ok.invocation?.status).toBe('success');
    } finally {
      await schedule.stop();
    }
  });

  it('reads rate expressions and refuses what it cannot run', () => {
    expect(parseRateExpression('rate(1 minute)')).toBe(60);
    expect(parseRateExpression('rate(5 minutes)')).toBe(300);
    expect(parseRateExpression('rate(2 hours)')).toBe(7200);
    expect(parseRateExpression('rate(1 day)')).toBe(86_400);
    for (const expression of ['rate(1 minutes)', 'rate(2 minute)', 'rate(0 minutes)', 'cron(0 12 * * ? *)']) {
      expect(() => parseRateExpression(expression)).toThrow(
        `Schedule expression "${expression}" is not supported`,
      );
    }
    expect(() => startSchedule({ target, everySeconds: 0 })).toThrow(
      'Schedule everySeconds must be a positive number',
    );
  });
});
