import { MetricStore } from '../../../sandbox/metrics/store.js';
import { parseCompositeAlarm, parseMetricAlarm } from '../../../sandbox/alarms/definitions.js';
import { AlarmEvaluator } from '../../../sandbox/alarms/evaluator.js';
import { buildAlarmSnsMessage, buildAlarmSnsSubject } from '../../../sandbox/alarms/sns-message.js';
import type { AlarmDefinition, AlarmTransition } from '../../../sandbox/alarms/types.js';
import { alarmProperties, at, putMinute } from './helpers.js';

const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:alerts';
const identity = { region: 'eu-west-1', accountId: '111111111111' };

function fire(...alarms: AlarmDefinition[]): AlarmTransition[] {
  const store = new MetricStore();
  const evaluator = new AlarmEvaluator({ store, alarms });
  evaluator.evaluate(at(0));
  putMinute(store, 0, [3, 4, 8]);
  return evaluator.evaluate(at(1));
}

describe('buildAlarmSnsMessage', () => {
  it('builds the CloudWatch notification for a single-metric alarm', () => {
    const alarm = parseMetricAlarm(
      alarmProperties({
        AlarmDescription: 'Too many errors',
        AlarmActions: [TOPIC],
        OKActions: [TOPIC],
        TreatMissingData: 'notBreaching',
      }),
      identity,
    );
    const [transition] = fire(alarm);
    const message = buildAlarmSnsMessage(transition!);
    expect(message).toEqual({
      AlarmName: 'HighErrors',
      AlarmDescription: 'Too many errors',
      AWSAccountId: '111111111111',
      AlarmConfigurationUpdatedTimestamp: '2024-01-01T00:00:01.000+0000',
      NewStateValue: 'ALARM',
      NewStateReason: transition!.reason,
      StateChangeTime: '2024-01-01T00:01:01.000+0000',
      Region: 'EU (Ireland)',
      AlarmArn: 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:HighErrors',
      OldStateValue: 'OK',
      OKActions: [TOPIC],
      AlarmActions: [TOPIC],
      InsufficientDataActions: [],
      Trigger: {
        MetricName: 'Errors',
        Namespace: 'Lookout',
        StatisticType: 'Statistic',
        Statistic: 'SUM',
        Unit: null,
        Dimensions: [{ value: 'orders', name: 'service' }],
        Period: 60,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 5,
        TreatMissingData: 'notBreaching',
        EvaluateLowSampleCountPercentile: '',
      },
    });
    expect(JSON.parse(JSON.stringify(message))).toEqual(message);
    expect(transition!.reason).toMatch(/^Threshold Crossed: 1 out of the last 1 datapoints \[15\.0 /);
  });

  it('uses ExtendedStatistic for percentiles', () => {
    const alarm = parseMetricAlarm(
      alarmProperties({ Statistic: undefined, ExtendedStatistic: 'p99', Threshold: 1 }),
    );
    const [transition] = fire(alarm).filter((t) => t.newState === 'ALARM');
    expect(buildAlarmSnsMessage(transition!).Trigger).toMatchObject({
      StatisticType: 'ExtendedStatistic',
      ExtendedStatistic: 'p99',
    });
    expect(buildAlarmSnsMessage(transition!).Trigger).not.toHaveProperty('Statistic');
  });

  it('lists the Metrics of a metric math alarm', () => {
    const alarm = parseMetricAlarm({
      AlarmName: 'Math',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      Metrics: [
        { Id: 'e1', Expression: 'FILL(m1, 0) * 2', Label: 'Doubled', ReturnData: true },
        {
          Id: 'm1',
          MetricStat: {
            Metric: {
              Namespace: 'Lookout',
              MetricName: 'Errors',
              Dimensions: [{ Name: 'service', Value: 'orders' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
      ],
    });
    const [transition] = fire(alarm).filter((t) => t.newState === 'ALARM');
    expect(buildAlarmSnsMessage(transition!).Trigger).toEqual({
      Metrics: [
        { Expression: 'FILL(m1, 0) * 2', Id: 'e1', Label: 'Doubled', ReturnData: true },
        {
          Id: 'm1',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Dimensions: [{ value: 'orders', name: 'service' }],
              MetricName: 'Errors',
              Namespace: 'Lookout',
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1,
      TreatMissingData: 'missing',
      EvaluateLowSampleCountPercentile: '',
    });
  });

  it('gives composite alarms their rule and triggering children instead of a Trigger', () => {
    const child = parseMetricAlarm(alarmProperties(), identity);
    const composite = parseCompositeAlarm(
      { AlarmName: 'Health', AlarmRule: 'ALARM(HighErrors)', AlarmActions: [TOPIC] },
      identity,
    );
    const transitions = fire(child, composite);
    const message = buildAlarmSnsMessage(
      transitions.find((t) => t.alarm.name === 'Health' && t.newState === 'ALARM')!,
    );
    expect(message).toMatchObject({
      AlarmName: 'Health',
      AlarmDescription: null,
      AlarmRule: 'ALARM(HighErrors)',
      TriggeringChildren: [
        {
          Arn: 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:HighErrors',
          State: { Value: 'ALARM', Timestamp: '2024-01-01T00:01:01.000+0000' },
        },
      ],
      AlarmActions: [TOPIC],
    });
    expect(message).not.toHaveProperty('Trigger');
  });

  it('builds the SNS subject CloudWatch uses, within the SNS limit', () => {
    const [transition] = fire(
      parseMetricAlarm(alarmProperties({ TreatMissingData: 'notBreaching' }), identity),
    );
    expect(buildAlarmSnsSubject(transition!)).toBe('ALARM: "HighErrors" in EU (Ireland)');
    const long = { ...transition!, alarm: { ...transition!.alarm, name: 'x'.repeat(200) } };
    expect(buildAlarmSnsSubject(long)).toHaveLength(100);
  });
});
