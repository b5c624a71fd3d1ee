/**
 * The --ci scenario's error burst, minute by minute on the compressed clock's simulated time,
 * against the burn-rate alarms ServiceMonitoring synthesizes for the demo's availability SLO: the
 * fast-burn page fires during the burst and resolves after it, and its notification becomes a Slack
 * message with an Error budget section.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ObservedFunction, ServiceMonitoring } from '../../../lib/cdk/index.js';
import { buildAlarmMessage } from '../../../lib/handlers/slack-notifier/slack-message.js';
import { parseAlert, splitEvent } from '../../../lib/handlers/slack-notifier/parse-notification.js';
import { AlarmEvaluator } from '../../../sandbox/alarms/evaluator.js';
import { buildAlarmSnsMessage } from '../../../sandbox/alarms/sns-message.js';
import { readAlarmsFromTemplate } from '../../../sandbox/alarms/template.js';
import type { CloudFormationTemplate } from '../../../sandbox/template/index.js';
import type { AlarmTransition } from '../../../sandbox/alarms/types.js';
import { MetricStore } from '../../../sandbox/metrics/store.js';
import { snsEvent, snsRecord } from '../../lib/handlers/slack-notifier/support/alerts.js';
import { messageText } from '../../lib/handlers/slack-notifier/support/block-kit-rules.js';
import { FIXTURE_ENTRY, NO_BUNDLING } from '../../cdk/support/template.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1, 10, 17); // not on an hour: the windows slide

function synthesize(): CloudFormationTemplate {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'LookoutDemo');
  const api = new ObservedFunction(stack, 'OrdersApi', { entry: FIXTURE_ENTRY, serviceName: 'orders' });
  new ServiceMonitoring(stack, 'Monitoring', {
    functions: [api],
    alarmTopic: new sns.Topic(stack, 'Topic'),
    slos: [{ kind: 'availability', name: 'availability', target: 99.9, windowDays: 30 }],
  });
  return Template.fromStack(stack).toJSON() as CloudFormationTemplate;
}

test('the error burst pages on fast burn, the page resolves after it, and Slack hears both', () => {
  const { alarms, problems } = readAlarmsFromTemplate(synthesize(), { stackName: 'LookoutDemo' });
  expect(problems).toEqual([]);
  const store = new MetricStore();
  const evaluator = new AlarmEvaluator({ store, alarms });
  const page = alarms.find((a) => a.name.endsWith('-Slo-Availability-FastBurn'))!;

  // The scenario in simulated minutes: 5 normal, 12 at 50% 5xx, 12 of recovery. 60 requests a minute.
  const burst = { from: 5, to: 17 };
  const changes: AlarmTransition[] = [];
  for (let minute = 0; minute < 29; minute++) {
    const failing = minute >= burst.from && minute < burst.to;
    const timestamp = T0 + minute * MINUTE + 20_000;
    store.put({
      namespace: 'Lookout',
      name: 'Requests',
      dimensions: { service: 'orders' },
      values: [60],
      timestamp,
    });
    store.put({
      namespace: 'Lookout',
      name: 'Errors',
      dimensions: { service: 'orders' },
      values: [failing ? 30 : 0],
      timestamp,
    });
    changes.push(...evaluator.evaluate(T0 + (minute + 1) * MINUTE + 1000));
  }
  const pageChanges = changes.filter((c) => c.alarm.name === page.name && c.oldState !== 'INSUFFICIENT_DATA');
  expect(pageChanges.map((c) => [c.newState, (c.timestamp - T0 - 1000) / MINUTE])).toEqual([
    // After the burst's first minute: 30 of 60 in the short window is 500×, 30 of 360 in the long one 83×.
    ['ALARM', burst.from + 1],
    // The short window is clean five minutes after the burst; the long one still burns.
    ['OK', burst.to + 5],
  ]);
  expect(evaluator.status(`${page.name}-Long`)!.state).toBe('ALARM');

  const slackText = (transition: AlarmTransition) => {
    const record = snsRecord(buildAlarmSnsMessage(transition), { messageId: 'm1' });
    const parsed = parseAlert(splitEvent(snsEvent(record))[0]!);
    if (!parsed.ok) throw new Error(parsed.problem);
    return messageText(buildAlarmMessage(parsed.alarm, { severity: 'critical' }));
  };
  const fired = slackText(pageChanges[0]!);
  expect(fired).toContain('*Error budget*\nSLO: availability\nBurn rate: over 14.4× for 1 hour');
  expect(fired).toContain('at this rate a full budget is gone in 2.1 days');
});
