import { MetricStore } from '../../../sandbox/metrics/store.js';
import { recordLambdaMetrics } from '../../../sandbox/metrics/lambda.js';
import { AlarmEvaluator } from '../../../sandbox/alarms/evaluator.js';
import { buildAlarmSnsMessage } from '../../../sandbox/alarms/sns-message.js';
import { readAlarmsFromTemplate } from '../../../sandbox/alarms/template.js';
import {
  generatedName,
  IntrinsicResolver,
  TemplateError,
  type CloudFormationTemplate,
} from '../../../sandbox/template/index.js';
import { at, T0 } from './helpers.js';

/** A small template shaped like what CDK synthesizes for a function, a topic and its alarms. */
const template: CloudFormationTemplate = {
  Parameters: {
    BootstrapVersion: { Default: '/cdk-bootstrap/hnb659fds/version' },
    Threshold: { Default: '1' },
  },
  Resources: {
    OrdersApi1A2B3C4D: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs24.x' } },
    AlertsTopic5E6F7A8B: { Type: 'AWS::SNS::Topic', Properties: {} },
    ErrorsAlarm0F1E2D3C: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: 'orders-api reports errors',
        AlarmActions: [{ Ref: 'AlertsTopic5E6F7A8B' }],
        OKActions: [{ Ref: 'AlertsTopic5E6F7A8B' }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'OrdersApi1A2B3C4D' } }],
        EvaluationPeriods: 1,
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Period: 60,
        Statistic: 'Sum',
        Threshold: { Ref: 'Threshold' },
        TreatMissingData: 'notBreaching',
      },
    },
    LatencyAlarm9A8B7C6D: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '-p95-latency']] },
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: [{ Name: 'service', Value: 'orders' }],
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        ExtendedStatistic: 'p95',
        MetricName: 'Latency',
        Namespace: 'Lookout',
        Period: 60,
        Threshold: 500,
        Unit: { Ref: 'AWS::NoValue' },
      },
    },
    ErrorRateAlarm11223344: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        Threshold: 5,
        Metrics: [
          {
            Expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
            Id: 'expr_1',
            Label: 'Error rate',
            ReturnData: true,
          },
          {
            Id: 'errors',
            MetricStat: {
              Metric: {
                Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'OrdersApi1A2B3C4D' } }],
                MetricName: 'Errors',
                Namespace: 'AWS/Lambda',
              },
              Period: 60,
              Stat: 'Sum',
            },
            ReturnData: false,
          },
          {
            Id: 'invocations',
            MetricStat: {
              Metric: {
                Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'OrdersApi1A2B3C4D' } }],
                MetricName: 'Invocations',
                Namespace: 'AWS/Lambda',
              },
              Period: 60,
              Stat: 'Sum',
            },
            ReturnData: false,
          },
        ],
      },
    },
    ServiceHealth55667788: {
      Type: 'AWS::CloudWatch::CompositeAlarm',
      Properties: {
        AlarmName: 'orders-health',
        AlarmRule: {
          'Fn::Join': [
            '',
            [
              '(ALARM("',
              { 'Fn::GetAtt': ['ErrorsAlarm0F1E2D3C', 'Arn'] },
              '") OR ALARM("',
              { 'Fn::GetAtt': ['LatencyAlarm9A8B7C6D', 'Arn'] },
              '"))',
            ],
          ],
        },
        AlarmActions: [{ Ref: 'AlertsTopic5E6F7A8B' }],
      },
    },
    ImportedAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { AlarmName: { 'Fn::ImportValue': 'elsewhere' } },
    },
    AnomalyAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold',
        EvaluationPeriods: 1,
        ThresholdMetricId: 'ad1',
        Metrics: [{ Id: 'ad1', Expression: 'ANOMALY_DETECTION_BAND(m1)' }],
      },
    },
  },
};

describe('readAlarmsFromTemplate', () => {
  const { alarms, problems } = readAlarmsFromTemplate(template, { stackName: 'LookoutDemo' });
  const byLogicalId = (id: string) => alarms.find((a) => a.logicalId === id)!;
  const functionName = generatedName('LookoutDemo', 'OrdersApi1A2B3C4D');
  const topicArn = `arn:aws:sns:us-east-1:123456789012:${generatedName('LookoutDemo', 'AlertsTopic5E6F7A8B')}`;

  it('finds every alarm and composite alarm it can read', () => {
    expect(alarms.map((a) => a.logicalId)).toEqual([
      'ErrorsAlarm0F1E2D3C',
      'LatencyAlarm9A8B7C6D',
      'ErrorRateAlarm11223344',
      'ServiceHealth55667788',
    ]);
  });

  it('lists the ones it cannot read with the reason, without dropping the others', () => {
    expect(problems).toEqual([
      { logicalId: 'ImportedAlarm', message: expect.stringMatching(/Fn::ImportValue is not supported/) },
      { logicalId: 'AnomalyAlarm', message: expect.stringMatching(/not supported/) },
    ]);
  });

  it('resolves Ref to a function name, a topic ARN and a parameter default', () => {
    const errors = byLogicalId('ErrorsAlarm0F1E2D3C');
    expect(errors.kind === 'metric' && errors.queries[0]).toMatchObject({
      dimensions: { FunctionName: functionName },
    });
    expect(errors.alarmActions).toEqual([topicArn]);
    expect(errors.kind === 'metric' && errors.threshold).toBe(1);
    expect(functionName).toMatch(/^LookoutDemo-OrdersApi1A2B3C4D-[0-9A-F]{12}$/);
  });

  it('names alarms from AlarmName (after Fn::Join) or a stable generated name', () => {
    expect(byLogicalId('LatencyAlarm9A8B7C6D').name).toBe('LookoutDemo-p95-latency');
    expect(byLogicalId('ErrorsAlarm0F1E2D3C').name).toBe(generatedName('LookoutDemo', 'ErrorsAlarm0F1E2D3C'));
    expect(readAlarmsFromTemplate(template, { stackName: 'LookoutDemo' }).alarms[0]!.name).toBe(
      byLogicalId('ErrorsAlarm0F1E2D3C').name,
    );
  });

  it('drops AWS::NoValue properties', () => {
    const latency = byLogicalId('LatencyAlarm9A8B7C6D');
    expect(latency.kind === 'metric' && latency.properties).not.toHaveProperty('Unit');
  });

  it('renders the composite rule with the child alarm ARNs', () => {
    const composite = byLogicalId('ServiceHealth55667788');
    expect(composite.kind === 'composite' && composite.rule).toBe(
      `(ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:${generatedName('LookoutDemo', 'ErrorsAlarm0F1E2D3C')}") OR ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:LookoutDemo-p95-latency"))`,
    );
  });

  it('evaluates the template alarms end to end: Lambda errors fire the alarm and the composite', () => {
    const store = new MetricStore();
    const evaluator = new AlarmEvaluator({ store, alarms });
    recordLambdaMetrics(store, functionName, T0 + 1000, { Invocations: 1, Errors: 1 });
    recordLambdaMetrics(store, functionName, T0 + 2000, { Invocations: 1, Errors: 0 });
    const transitions = evaluator.evaluate(at(1));
    const fired = transitions.filter((t) => t.newState === 'ALARM').map((t) => t.alarm.logicalId);
    expect(fired).toEqual(['ErrorsAlarm0F1E2D3C', 'ErrorRateAlarm11223344', 'ServiceHealth55667788']);
    const composite = transitions.find((t) => t.alarm.logicalId === 'ServiceHealth55667788')!;
    expect(composite.actions).toEqual([topicArn]);
    expect(buildAlarmSnsMessage(composite).AlarmRule).toContain('alarm:LookoutDemo-p95-latency');
  });

  it('uses physical names supplied by the caller', () => {
    const result = readAlarmsFromTemplate(template, { physicalNames: { OrdersApi1A2B3C4D: 'orders-api' } });
    const errors = result.alarms.find((a) => a.logicalId === 'ErrorsAlarm0F1E2D3C')!;
    expect(errors.kind === 'metric' && errors.queries[0]).toMatchObject({
      dimensions: { FunctionName: 'orders-api' },
    });
  });
});

describe('IntrinsicResolver', () => {
  const resolver = new IntrinsicResolver(template, {
    stackName: 'S',
    region: 'eu-west-1',
    accountId: '111111111111',
  });

  it('resolves Fn::Sub with pseudo parameters and resource references', () => {
    expect(
      resolver.resolve({
        'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${OrdersApi1A2B3C4D}',
      }),
    ).toBe(`arn:aws:x:eu-west-1:111111111111:${generatedName('S', 'OrdersApi1A2B3C4D')}`);
  });

  it('resolves Fn::Sub variables, Fn::GetAtt strings, Fn::Select and Fn::Split', () => {
    expect(resolver.resolve({ 'Fn::Sub': ['${A}-${OrdersApi1A2B3C4D.Arn}', { A: 'x' }] })).toBe(
      `x-arn:aws:lambda:eu-west-1:111111111111:function:${generatedName('S', 'OrdersApi1A2B3C4D')}`,
    );
    expect(resolver.resolve({ 'Fn::GetAtt': 'AlertsTopic5E6F7A8B.TopicName' })).toBe(
      generatedName('S', 'AlertsTopic5E6F7A8B'),
    );
    expect(resolver.resolve({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] })).toBe('b');
    expect(resolver.resolve({ 'Fn::Sub': '${!Literal}' })).toBe('${Literal}');
  });

  it('fails clearly on what it cannot resolve', () => {
    expect(() => resolver.resolve({ Ref: 'Nowhere' })).toThrow(/unknown resource Nowhere/);
    expect(() => resolver.resolve({ 'Fn::GetAtt': ['OrdersApi1A2B3C4D', 'SnapStartResponse'] })).toThrow(
      /cannot resolve Fn::GetAtt OrdersApi1A2B3C4D.SnapStartResponse/,
    );
    expect(() => resolver.resolve({ 'Fn::Join': ['-', 'notalist'] })).toThrow(TemplateError);
  });

  it('takes attribute overrides', () => {
    const withOverride = new IntrinsicResolver(template, {
      attributes: { 'OrdersApi1A2B3C4D.SnapStartResponse': 'On' },
    });
    expect(withOverride.resolve({ 'Fn::GetAtt': ['OrdersApi1A2B3C4D', 'SnapStartResponse'] })).toBe('On');
  });
});
