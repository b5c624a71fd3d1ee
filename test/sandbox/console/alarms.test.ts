import { AlarmEvaluator, parseCompositeAlarm, parseMetricAlarm } from '../../../sandbox/alarms/index.js';
import { consoleAlarmsFromStatuses, severityOfDefinition } from '../../../sandbox/console/alarms.js';
import { MetricStore } from '../../../sandbox/metrics/index.js';
import { alarmProperties } from '../alarms/helpers.js';

const T = Date.UTC(2025, 0, 15, 12, 0, 0);
const alarm = (extra: Record<string, unknown>) =>
  parseMetricAlarm(alarmProperties({ AlarmName: 'errors', Threshold: 0, ...extra }));

describe('severity, as the Slack notifier routes it', () => {
  test.each([
    [{ Tags: [{ Key: 'severity', Value: 'Critical' }] }, 'critical'],
    [{ Tags: [{ Key: 'team', Value: 'x' }], AlarmDescription: 'Errors. severity: warn' }, 'warning'],
    [{ AlarmDescription: '[crit] orders are failing' }, 'critical'],
    [{ AlarmDescription: 'no hint' }, undefined],
    [{}, undefined],
  ])('%j → %s', (extra, severity) => {
    expect(severityOfDefinition(alarm(extra))).toBe(severity);
  });

  test('composite alarms read it from the description', () => {
    const composite = parseCompositeAlarm({
      AlarmName: 'c',
      AlarmRule: 'ALARM(errors)',
      AlarmDescription: 'severity=critical',
    });
    expect(severityOfDefinition(composite)).toBe('critical');
  });
});

test("the evaluator's statuses become the alarms panel's rows", () => {
  const store = new MetricStore();
  store.put({
    namespace: 'Lookout',
    name: 'Errors',
    dimensions: { service: 'orders' },
    values: [3],
    timestamp: T - 30_000,
  });
  const definition = alarm({ AlarmDescription: 'Any error. severity: critical' });
  const evaluator = new AlarmEvaluator({ store, alarms: [definition], createdAt: T - 120_000 });
  evaluator.evaluate(T);
  expect(consoleAlarmsFromStatuses(evaluator.statuses())).toEqual([
    {
      name: 'errors',
      arn: definition.arn,
      state: 'ALARM',
      reason: expect.stringMatching(/^Threshold Crossed/),
      updatedAt: T,
      severity: 'critical',
      description: 'Any error. severity: critical',
      kind: 'metric',
    },
  ]);
});
