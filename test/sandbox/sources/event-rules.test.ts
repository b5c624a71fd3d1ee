/** EventBridge rules: target input (Input, InputPath, InputTransformer) and schedules on the compressed clock. */
import { describe, expect, it } from '@jest/globals';
import { CompressedClock } from '../../../sandbox/alarms/index.js';
import type { BusEvent, EventRuleSpec, RuleTargetSpec } from '../../../sandbox/sources/event-rules.js';
import { startRuleSchedules, targetInput } from '../../../sandbox/sources/event-rules.js';

const event: BusEvent = {
  version: '0',
  id: 'e-1',
  'detail-type': 'OrderPlaced',
  source: 'com.example.orders',
  account: '123456789012',
  time: '2026-12-06T12:00:00Z',
  region: 'eu-west-2',
  resources: ['arn:aws:s3:::a', 'arn:aws:s3:::b'],
  detail: { orderId: 'o-1', amount: 42, items: [{ sku: 'X' }], note: 'say "hi"' },
};
const rule = { name: 'orders', arn: 'arn:aws:events:eu-west-2:123456789012:rule/orders' };
const target = (extra: Partial<RuleTargetSpec>): RuleTargetSpec => ({ id: 'T', arn: 'arn', ...extra });

describe('target input', () => {
  it('is the whole event by default, the constant Input, or the part InputPath selects', () => {
    expect(JSON.parse(targetInput(target({}), event, rule))).toEqual(event);
    expect(targetInput(target({ input: '{"fixed":true}' }), event, rule)).toBe('{"fixed":true}');
    expect(JSON.parse(targetInput(target({ inputPath: '$.detail' }), event, rule))).toEqual(event.detail);
    expect(JSON.parse(targetInput(target({ inputPath: '$.resources[1]' }), event, rule))).toBe(
      'arn:aws:s3:::b',
    );
  });

  it('fills an InputTransformer template: text inside quotes, JSON outside', () => {
    const transformer = {
      inputPathsMap: {
        id: '$.detail.orderId',
        amount: '$.detail.amount',
        items: '$.detail.items',
        note: '$.detail.note',
      },
      inputTemplate:
        '{"order": <id>, "amount": <amount>, "items": <items>, "line": "order <id> for <amount> on <aws.events.rule-name>", "note": "<note>"}',
    };
    expect(JSON.parse(targetInput(target({ inputTransformer: transformer }), event, rule))).toEqual({
      order: 'o-1',
      amount: 42,
      items: [{ sku: 'X' }],
      line: 'order o-1 for 42 on orders',
      note: 'say "hi"',
    });
    const text = { inputPathsMap: { id: '$.detail.orderId' }, inputTemplate: 'Order <id> was placed' };
    expect(targetInput(target({ inputTransformer: text }), event, rule)).toBe('Order o-1 was placed');
    // CDK's RuleTargetInput.fromText writes a JSON string
    const cdkText = { inputPathsMap: { id: '$.detail.orderId' }, inputTemplate: '"Order <id> was placed"' };
    expect(targetInput(target({ inputTransformer: cdkText }), event, rule)).toBe('"Order o-1 was placed"');
  });
});

describe('schedule rules', () => {
  const scheduleRule = (scheduleExpression: string): EventRuleSpec => ({
    logicalId: 'R',
    name: 'r',
    arn: 'arn:aws:events:eu-west-2:123456789012:rule/r',
    busName: 'default',
    scheduleExpression,
    targets: [target({ functionName: 'f' })],
  });

  it('fires cron rules at their times on the compressed clock, and not otherwise', async () => {
    // 6000× faster: a simulated minute takes 10 ms, five of them 50 ms.
    const clock = new CompressedClock({ compression: 6000 });
    const fired: { rule: string; time: string }[] = [];
    const running = startRuleSchedules({
      rules: [scheduleRule('cron(0/5 * * * ? *)'), scheduleRule('cron(0 0 1 1 ? *)')],
      clock,
      region: 'eu-west-2',
      accountId: '123456789012',
      deliver: (_target, input, firing) => {
        const scheduled = JSON.parse(input) as BusEvent;
        fired.push({ rule: firing.scheduleExpression!, time: scheduled.time });
      },
    });
    const startedAt = clock.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await running.stop();
    const elapsedMinutes = (clock.now() - startedAt) / 60_000;
    // ~100 simulated minutes passed: about 20 five-minute marks, and no new year
    expect(fired.every((f) => f.rule === 'cron(0/5 * * * ? *)')).toBe(true);
    expect(fired.length).toBeGreaterThanOrEqual(Math.floor(elapsedMinutes / 5) - 4);
    expect(fired.length).toBeLessThanOrEqual(Math.ceil(elapsedMinutes / 5) + 1);
    for (const { time } of fired) expect(new Date(time).getUTCMinutes() % 5).toBe(0);
    const times = fired.map((f) => Date.parse(f.time));
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(Array(times.length - 1).fill(5 * 60_000));
  });

  it('fires rate rules at once and then every period', async () => {
    const clock = new CompressedClock({ compression: 6000 });
    let fired = 0;
    const running = startRuleSchedules({
      rules: [scheduleRule('rate(10 minutes)')],
      clock,
      region: 'eu-west-2',
      accountId: '123456789012',
      deliver: () => fired++,
    });
    await new Promise((resolve) => setTimeout(resolve, 450));
    await running.stop();
    expect(fired).toBeGreaterThanOrEqual(3);
    expect(fired).toBeLessThanOrEqual(5);
  });
});
