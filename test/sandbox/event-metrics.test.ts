/**
 * The AWS/Events metrics a rule's work adds, under the dimension sets EventBridge uses: RuleName
 * for a rule on the default bus, EventBusName and RuleName on a custom bus; MatchedEvents for the
 * account and per custom bus; Invocations also without dimensions; FailedInvocations only for a
 * target that refused the event, never for a function's own errors.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { CompressedClock } from '../../sandbox/alarms/index.js';
import { MetricStore } from '../../sandbox/metrics/index.js';
import type { ServiceContext } from '../../sandbox/services/index.js';
import { EventBridgeService, SchedulesService } from '../../sandbox/services/index.js';
import { waitFor } from './lambda/support.js';
import type { EventRuleSpec } from '../../sandbox/template/index.js';

const rule = (name: string, busName: string, functionName: string): EventRuleSpec => ({
  logicalId: name,
  name,
  arn: `arn:aws:events:eu-west-2:000000000000:rule/${name}`,
  busName,
  eventPattern: { source: ['test.shop'] },
  targets: [
    { id: 'Target0', arn: `arn:aws:lambda:eu-west-2:000000000000:function:${functionName}`, functionName },
  ],
});

let service: EventBridgeService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

async function run(rules: EventRuleSpec[], running: string[], entries: { EventBusName?: string }[]) {
  const metrics = new MetricStore();
  const clock = new CompressedClock({ compression: 60 });
  const context = {
    stack: { rules, eventBuses: ['orders'] },
    metrics,
    clock,
    log: () => {},
    functions: {
      get: (name: string) => (running.includes(name) ? {} : undefined),
      invokeAsync: () => Promise.resolve(false),
    },
  } as unknown as ServiceContext;
  service = new EventBridgeService();
  await service.start(context);
  const response = await fetch(service.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
    body: JSON.stringify({
      Entries: entries.map((entry) => ({ Source: 'test.shop', DetailType: 'T', Detail: '{}', ...entry })),
    }),
  });
  expect(response.status).toBe(200);
  const sum = (name: string, dimensions: Record<string, string>) =>
    metrics
      .query({ namespace: 'AWS/Events', name, dimensions, start: 0, end: Number.MAX_SAFE_INTEGER })
      .reduce((total, sample) => total + sample.value, 0);
  return { sum, metrics };
}

describe('AWS/Events', () => {
  it('a rule on the default bus: RuleName; on a custom bus: EventBusName and RuleName', async () => {
    const { sum } = await run(
      [rule('OnDefault', 'default', 'worker'), rule('OnOrders', 'orders', 'worker')],
      ['worker'],
      [{}, {}, { EventBusName: 'orders' }],
    );
    expect(sum('MatchedEvents', {})).toBe(3);
    expect(sum('MatchedEvents', { EventBusName: 'orders' })).toBe(1);
    expect(sum('TriggeredRules', { RuleName: 'OnDefault' })).toBe(2);
    expect(sum('TriggeredRules', { EventBusName: 'orders', RuleName: 'OnOrders' })).toBe(1);
    expect(sum('TriggeredRules', { RuleName: 'OnOrders' })).toBe(0);
    expect(sum('Invocations', {})).toBe(3);
    expect(sum('Invocations', { RuleName: 'OnDefault' })).toBe(2);
    expect(sum('Invocations', { EventBusName: 'orders', RuleName: 'OnOrders' })).toBe(1);
    // The function fails every retry (invokeAsync resolves false): Lambda's business, not the rule's.
    expect(sum('FailedInvocations', { RuleName: 'OnDefault' })).toBe(0);
  });

  it('a target that cannot take the event counts as FailedInvocations; no match counts nothing', async () => {
    const { sum, metrics } = await run([rule('Orphan', 'default', 'gone')], [], [{}]);
    expect(sum('FailedInvocations', { RuleName: 'Orphan' })).toBe(1);
    expect(sum('Invocations', { RuleName: 'Orphan' })).toBe(1);
    await service!.stop();

    const unmatched = await run([rule('Elsewhere', 'orders', 'worker')], ['worker'], [{}]);
    expect(unmatched.metrics.listMetrics({ namespace: 'AWS/Events' })).toEqual([]);
    expect(metrics.listMetrics({ namespace: 'AWS/Events', name: 'MatchedEvents' })).toHaveLength(1);
  });

  it('a schedule rule firing counts TriggeredRules and Invocations, not MatchedEvents', async () => {
    const metrics = new MetricStore();
    const schedules = new SchedulesService();
    const nightly = { ...rule('Nightly', 'default', 'worker'), scheduleExpression: 'rate(5 minutes)' };
    delete nightly.eventPattern;
    await schedules.start({
      stack: { rules: [nightly] },
      metrics,
      clock: new CompressedClock({ compression: 60 }),
      log: () => {},
      functions: { get: () => ({}), invokeAsync: () => Promise.resolve(true) },
    } as unknown as ServiceContext);
    try {
      const names = () => metrics.listMetrics({ namespace: 'AWS/Events' }).map((m) => m.name);
      await waitFor(() => names().includes('Invocations'), 5_000, 'the schedule to fire');
      expect(new Set(names())).toEqual(new Set(['TriggeredRules', 'Invocations']));
      expect(metrics.listMetrics({ namespace: 'AWS/Events', name: 'TriggeredRules' })[0]!.dimensions).toEqual(
        {
          RuleName: 'Nightly',
        },
      );
    } finally {
      await schedules.stop();
    }
  });
});
