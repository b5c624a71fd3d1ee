import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MetricStore } from '../../../sandbox/metrics/store.js';
import { recordLambdaMetrics } from '../../../sandbox/metrics/lambda.js';
import { AlarmEvaluator } from '../../../sandbox/alarms/evaluator.js';
import { buildAlarmSnsMessage } from '../../../sandbox/alarms/sns-message.js';
import { readAlarmsFromTemplate } from '../../../sandbox/alarms/template.js';
import type { CloudFormationTemplate } from '../../../sandbox/template/index.js';
import { at, MINUTE, putMinute, T0 } from './helpers.js';

/** A fixture stack of this test's own, to hold the reader to what CDK really renders. */
function synthesize(): CloudFormationTemplate {
  const app = new App();
  const stack = new Stack(app, 'AlarmFixture');
  const fn = new lambda.Function(stack, 'Api', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 })'),
  });
  const topic = new sns.Topic(stack, 'Alerts');
  const minute = Duration.minutes(1);

  const errors = new cloudwatch.Alarm(stack, 'Errors', {
    alarmName: 'fixture-errors',
    metric: fn.metricErrors({ period: minute, statistic: 'Sum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  errors.addAlarmAction(new SnsAction(topic));
  errors.addOkAction(new SnsAction(topic));

  const errorRate = new cloudwatch.MathExpression({
    expression: 'IF(inv > 0, 100 * FILL(err, 0) / inv, 0)',
    usingMetrics: { err: fn.metricErrors(), inv: fn.metricInvocations() },
    period: minute,
    label: 'Error rate (%)',
  }).createAlarm(stack, 'ErrorRate', { threshold: 10, evaluationPeriods: 3, datapointsToAlarm: 2 });

  const latency = new cloudwatch.Alarm(stack, 'Latency', {
    metric: new cloudwatch.Metric({
      namespace: 'Lookout',
      metricName: 'Latency',
      dimensionsMap: { service: 'orders' },
      statistic: 'p95',
      period: minute,
      label: 'p95 latency',
    }),
    threshold: 500,
    evaluationPeriods: 1,
  });

  const health = new cloudwatch.CompositeAlarm(stack, 'Health', {
    alarmRule: cloudwatch.AlarmRule.anyOf(
      errorRate,
      cloudwatch.AlarmRule.allOf(
        latency,
        cloudwatch.AlarmRule.not(cloudwatch.AlarmRule.fromAlarm(errors, cloudwatch.AlarmState.OK)),
      ),
    ),
  });
  health.addAlarmAction(new SnsAction(topic));
  return Template.fromStack(stack).toJSON() as CloudFormationTemplate;
}

describe('alarms synthesized by CDK', () => {
  const template = synthesize();
  const functionId = Object.entries(template.Resources!).find(
    ([, r]) => r?.Type === 'AWS::Lambda::Function',
  )![0];
  const { alarms, problems } = readAlarmsFromTemplate(template, {
    stackName: 'AlarmFixture',
    physicalNames: { [functionId]: 'orders-api' },
  });

  it('are all read, with CDK’s own rendering of metric math, labelled metrics and composite rules', () => {
    expect(problems).toEqual([]);
    expect(alarms.map((a) => a.kind).sort()).toEqual(['composite', 'metric', 'metric', 'metric']);
    const composite = alarms.find((a) => a.kind === 'composite')!;
    expect(composite.kind === 'composite' && composite.rule).toMatch(
      /^\(ALARM\("arn:aws:cloudwatch:us-east-1:123456789012:alarm:AlarmFixture-ErrorRate.*"\) OR \(ALARM\(".*Latency.*"\) AND \(NOT \(OK\("arn:aws:cloudwatch:us-east-1:123456789012:alarm:fixture-errors"\)\)\)\)\)$/,
    );
  });

  it('fire and resolve as the metrics say', () => {
    const store = new MetricStore();
    const evaluator = new AlarmEvaluator({ store, alarms });
    const invoke = (minute: number, count: number, failures: number) => {
      for (let i = 0; i < count; i++) {
        recordLambdaMetrics(store, 'orders-api', T0 + minute * MINUTE + i, {
          Invocations: 1,
          Errors: i < failures ? 1 : 0,
        });
      }
    };
    const stateOf = (pattern: RegExp) => evaluator.statuses().find((s) => pattern.test(s.name))!.state;

    invoke(0, 10, 0);
    putMinute(store, 0, [100, 120, 130], { name: 'Latency' });
    evaluator.evaluate(at(1));
    expect([stateOf(/fixture-errors/), stateOf(/ErrorRate/), stateOf(/Latency/), stateOf(/Health/)]).toEqual([
      'OK',
      'OK',
      'OK',
      'OK',
    ]);

    invoke(1, 10, 3);
    invoke(2, 10, 4);
    const fired = evaluator.evaluate(at(3));
    expect(fired.filter((t) => t.newState === 'ALARM').map((t) => t.alarm.name)).toEqual([
      'fixture-errors',
      expect.stringMatching(/ErrorRate/),
      expect.stringMatching(/Health/),
    ]);
    const message = buildAlarmSnsMessage(fired.find((t) => t.alarm.name === 'fixture-errors')!);
    expect(message.AlarmActions).toEqual([
      expect.stringMatching(/^arn:aws:sns:us-east-1:123456789012:AlarmFixture-Alerts/),
    ]);
    expect(message.Trigger).toMatchObject({
      Namespace: 'AWS/Lambda',
      Dimensions: [{ name: 'FunctionName', value: 'orders-api' }],
    });

    invoke(3, 10, 0);
    invoke(4, 10, 0);
    const resolved = evaluator.evaluate(at(5));
    expect(resolved.filter((t) => t.newState === 'OK').map((t) => t.alarm.name)).toEqual([
      'fixture-errors',
      expect.stringMatching(/ErrorRate/),
      expect.stringMatching(/Health/),
    ]);
  });
});
