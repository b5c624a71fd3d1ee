import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { ResolvedTuning } from '../../lib/cdk/index.js';
import { AlarmFactory, ALARM_DEFAULTS, describeWindow, percentOf, tune } from '../../lib/cdk/index.js';
import { onlyResource, resourcesOfType } from './support/template.js';

const defaults: ResolvedTuning = {
  threshold: 10,
  period: Duration.minutes(1),
  evaluationPeriods: 5,
  datapointsToAlarm: 5,
  severity: 'warning',
};

describe('tune', () => {
  it('keeps the defaults when nothing is given', () => {
    expect(tune(defaults, undefined)).toEqual(defaults);
  });

  it('overrides field by field', () => {
    expect(tune(defaults, { threshold: 3, severity: 'critical' })).toEqual({
      ...defaults,
      threshold: 3,
      severity: 'critical',
    });
  });

  it('shrinks the default datapoints to fit fewer evaluation periods', () => {
    expect(tune(defaults, { evaluationPeriods: 2 })).toMatchObject({
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
  });

  it('returns undefined for a disabled alarm', () => {
    expect(tune(defaults, { enabled: false })).toBeUndefined();
  });

  it.each([
    ['a NaN threshold', { threshold: Number.NaN }, /threshold must be a finite number/],
    ['zero evaluation periods', { evaluationPeriods: 0 }, /evaluationPeriods must be a whole number/],
    [
      'more datapoints than periods',
      { evaluationPeriods: 3, datapointsToAlarm: 4 },
      /datapointsToAlarm must be between 1 and evaluationPeriods \(3\)/,
    ],
    [
      'a 45-second period',
      { period: Duration.seconds(45) },
      /period must be 10, 20, 30 seconds or a multiple of 60/,
    ],
    ['an unknown severity', { severity: 'page-me' as never }, /severity must be one of critical, warning/],
  ])('rejects %s with a clear error', (_name, tuning, message) => {
    expect(() => tune(defaults, tuning)).toThrow(message);
  });
});

describe('describeWindow', () => {
  it('words the three shapes of evaluation window', () => {
    expect(describeWindow(ALARM_DEFAULTS.httpErrorRate)).toBe('over 5 minutes');
    expect(describeWindow(ALARM_DEFAULTS.httpLatencyP95)).toBe(
      'for 5 minutes (5 periods of 1 minute in a row)',
    );
    expect(describeWindow(ALARM_DEFAULTS.serviceDown)).toBe('in 2 of 3 periods of 1 minute');
  });
});

describe('AlarmFactory', () => {
  let template: Template;

  beforeAll(() => {
    const stack = new Stack(new App(), 'Alarms');
    const topic = new sns.Topic(stack, 'Topic');
    const factory = new AlarmFactory({
      actionTopic: topic,
      namePrefix: 'Shop-orders',
      tags: { team: 'payments' },
    });
    const plain = new cw.Metric({
      namespace: 'Lookout',
      metricName: 'Latency',
      dimensionsMap: { service: 'orders' },
      statistic: 'p95',
      label: 'a label that must not force the Metrics form',
    });
    const latency = factory.child('Http').create(stack, {
      id: 'LatencyP95',
      metric: plain,
      comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      tuning: ALARM_DEFAULTS.httpLatencyP95,
      meaning: 'Slow.',
      firstStep: 'look.',
    });
    const rate = factory.create(stack, {
      id: 'ErrorRate',
      metric: percentOf(
        new cw.Metric({
          namespace: 'Lookout',
          metricName: 'Errors',
          dimensionsMap: { service: 'orders' },
          statistic: 'Sum',
        }),
        new cw.Metric({
          namespace: 'Lookout',
          metricName: 'Requests',
          dimensionsMap: { service: 'orders' },
          statistic: 'Sum',
        }),
        'rate',
      ),
      comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      tuning: ALARM_DEFAULTS.httpErrorRate,
      meaning: 'Failing.',
      firstStep: 'read the errors query.',
    });
    factory.createAnyOf(stack, 'ServiceUnhealthy', [latency.alarm, rate.alarm], {
      severity: 'critical',
      meaning: 'Unhealthy.',
      firstStep: 'check the status widget.',
    });
    template = Template.fromStack(stack);
  });

  it('writes a plain metric alarm with the tuning, missing-data rule and both actions', () => {
    const topicId = resourcesOfType(template, 'AWS::SNS::Topic')[0]![0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Shop-orders-Http-LatencyP95',
      AlarmDescription: '[warning] Slow. First: look.',
      Namespace: 'Lookout',
      MetricName: 'Latency',
      Dimensions: [{ Name: 'service', Value: 'orders' }],
      ExtendedStatistic: 'p95',
      Period: 60,
      Threshold: 1000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'notBreaching',
      ActionsEnabled: true,
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
  });

  it('tags every alarm with its severity and the extra tags', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Shop-orders-ErrorRate',
      Tags: [
        { Key: 'severity', Value: 'critical' },
        { Key: 'team', Value: 'payments' },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      Tags: [
        { Key: 'severity', Value: 'critical' },
        { Key: 'team', Value: 'payments' },
      ],
    });
  });

  it('gives every metric of an expression alarm the tuned period', () => {
    const alarm = resourcesOfType(template, 'AWS::CloudWatch::Alarm').find(
      ([, r]) => r.Properties.AlarmName === 'Shop-orders-ErrorRate',
    )![1];
    const metrics = alarm.Properties.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Period: number; Stat: string };
    }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      'IF(total > 0, 100 * FILL(failed, 0) / total, 0)',
    );
    expect(
      metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!.Period, m.MetricStat!.Stat]),
    ).toEqual([
      ['failed', 300, 'Sum'],
      ['total', 300, 'Sum'],
    ]);
    expect(alarm.Properties.Threshold).toBe(10);
  });

  it('builds the composite from the alarms it watches, with the severity first in the description', () => {
    const [, composite] = onlyResource(template, 'AWS::CloudWatch::CompositeAlarm');
    expect(composite.Properties.AlarmName).toBe('Shop-orders-ServiceUnhealthy');
    expect(composite.Properties.AlarmDescription).toBe(
      '[critical] Unhealthy. First: check the status widget.',
    );
    const rule = JSON.stringify(composite.Properties.AlarmRule);
    const alarmIds = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    for (const id of alarmIds) expect(rule).toContain(id);
    expect(rule).toContain(' OR ');
  });

  it('refuses a composite with nothing to watch and names that CloudWatch would reject', () => {
    const stack = new Stack(new App(), 'Bad');
    const topic = new sns.Topic(stack, 'Topic');
    expect(() =>
      new AlarmFactory({ actionTopic: topic, namePrefix: 'x' }).createAnyOf(stack, 'Empty', [], {
        severity: 'critical',
        meaning: 'm',
        firstStep: 'f',
      }),
    ).toThrow(/needs at least one alarm/);
    const factory = new AlarmFactory({ actionTopic: topic, namePrefix: 'x'.repeat(260) });
    expect(() =>
      factory.create(stack, {
        id: 'Long',
        metric: new cw.Metric({ namespace: 'N', metricName: 'M' }),
        comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        tuning: defaults,
        meaning: 'm',
        firstStep: 'f',
      }),
    ).toThrow(/longer than CloudWatch's 255 characters/);
  });
});
