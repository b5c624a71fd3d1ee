import {
  AlarmDefinitionError,
  parseCompositeAlarm,
  parseMetricAlarm,
} from '../../../sandbox/alarms/definitions.js';
import { alarmProperties } from './helpers.js';

const math = (metrics: unknown[], overrides: Record<string, unknown> = {}) => ({
  AlarmName: 'Math',
  ComparisonOperator: 'GreaterThanThreshold',
  Threshold: 1,
  EvaluationPeriods: 1,
  Metrics: metrics,
  ...overrides,
});
const stat = (id: string, period = 60) => ({
  Id: id,
  MetricStat: { Metric: { Namespace: 'N', MetricName: id }, Period: period, Stat: 'Sum' },
  ReturnData: false,
});

describe('parseMetricAlarm', () => {
  it('reads a single-metric alarm with defaults (missing data as missing, M = N, actions enabled)', () => {
    const alarm = parseMetricAlarm(alarmProperties({ EvaluationPeriods: 3 }));
    expect(alarm).toMatchObject({
      kind: 'metric',
      name: 'HighErrors',
      arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:HighErrors',
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'missing',
      actionsEnabled: true,
      periodSeconds: 60,
      returnId: 'm1',
      usesMetricsArray: false,
    });
    expect(alarm.queries[0]).toMatchObject({
      namespace: 'Lookout',
      metricName: 'Errors',
      dimensions: { service: 'orders' },
    });
  });

  it('accepts numbers and booleans written as strings, as CloudFormation does', () => {
    const alarm = parseMetricAlarm(
      alarmProperties({ Period: '300', EvaluationPeriods: '2', Threshold: '0.5', ActionsEnabled: 'false' }),
    );
    expect(alarm).toMatchObject({
      periodSeconds: 300,
      evaluationPeriods: 2,
      threshold: 0.5,
      actionsEnabled: false,
    });
  });

  it('uses the fallback name and region/account for the ARN when AlarmName is absent', () => {
    const alarm = parseMetricAlarm(alarmProperties({ AlarmName: undefined }), {
      fallbackName: 'Stack-Alarm-ABC',
      region: 'eu-west-1',
      accountId: '111111111111',
    });
    expect(alarm.arn).toBe('arn:aws:cloudwatch:eu-west-1:111111111111:alarm:Stack-Alarm-ABC');
  });

  it.each([
    ['no Threshold', alarmProperties({ Threshold: undefined }), /Threshold is required/],
    [
      'an anomaly band operator',
      alarmProperties({ ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' }),
      /not supported/,
    ],
    ['ThresholdMetricId', alarmProperties({ ThresholdMetricId: 'ad1' }), /ThresholdMetricId/],
    [
      'both Statistic and ExtendedStatistic',
      alarmProperties({ ExtendedStatistic: 'p99' }),
      /exactly one of Statistic/,
    ],
    ['a percentile as Statistic', alarmProperties({ Statistic: 'p99' }), /use ExtendedStatistic/],
    ['an unknown statistic', alarmProperties({ Statistic: 'Median' }), /unsupported statistic "Median"/],
    ['a 45-second period', alarmProperties({ Period: 45 }), /Period must be 10, 20, 30 or a multiple of 60/],
    ['DatapointsToAlarm above EvaluationPeriods', alarmProperties({ DatapointsToAlarm: 2 }), /cannot exceed/],
    ['no metric at all', alarmProperties({ MetricName: undefined }), /Namespace and MetricName are required/],
    ['an unknown TreatMissingData', alarmProperties({ TreatMissingData: 'sometimes' }), /TreatMissingData/],
    [
      'two queries returning data',
      math([
        { ...stat('a'), ReturnData: true },
        { Id: 'e', Expression: 'a * 2' },
      ]),
      /exactly one entry of Metrics must have ReturnData true \(found 2\)/,
    ],
    [
      'an unknown id in an expression',
      math([stat('a'), { Id: 'e', Expression: 'a / b', ReturnData: true }]),
      /unknown id b/,
    ],
    [
      'expressions in a cycle',
      math([
        stat('a'),
        { Id: 'e1', Expression: 'e2 + a', ReturnData: true },
        { Id: 'e2', Expression: 'e1', ReturnData: false },
      ]),
      /cycle: e1 → e2 → e1/,
    ],
    [
      'metrics with different periods',
      math([stat('a'), stat('b', 300), { Id: 'e', Expression: 'a + b' }]),
      /same Period/,
    ],
    ['an invalid expression', math([stat('a'), { Id: 'e', Expression: 'a +* 2' }]), /expression "a \+\* 2"/],
    ['an Id starting with a capital', math([{ ...stat('A'), ReturnData: true }]), /lowercase/],
    [
      'MetricStat and Expression together',
      math([{ ...stat('a'), Expression: 'a', ReturnData: true }]),
      /exactly one of Expression and MetricStat/,
    ],
  ])('rejects %s', (_label, properties, message) => {
    expect(() => parseMetricAlarm(properties)).toThrow(AlarmDefinitionError);
    expect(() => parseMetricAlarm(properties)).toThrow(message);
  });

  it('names the alarm in its errors', () => {
    expect(() => parseMetricAlarm(alarmProperties({ Threshold: undefined }))).toThrow(/^alarm HighErrors: /);
  });
});

describe('parseCompositeAlarm', () => {
  it('reads the rule and actions', () => {
    const alarm = parseCompositeAlarm({
      AlarmName: 'Composite',
      AlarmRule: 'ALARM(a) OR ALARM(b)',
      AlarmActions: ['arn:aws:sns:us-east-1:123456789012:t'],
    });
    expect(alarm).toMatchObject({
      kind: 'composite',
      rule: 'ALARM(a) OR ALARM(b)',
      alarmActions: ['arn:aws:sns:us-east-1:123456789012:t'],
    });
  });

  it('rejects a rule it cannot parse, naming the alarm', () => {
    expect(() => parseCompositeAlarm({ AlarmName: 'C', AlarmRule: 'ALARM(a) NAND ALARM(b)' })).toThrow(
      /^alarm C: .*NAND/,
    );
    expect(() => parseCompositeAlarm({ AlarmName: 'C' })).toThrow(/AlarmRule/);
  });
});
