/**
 * A dashboard synthesized by aws-cdk-lib itself, so the reader is held to what CDK really writes
 * (an Fn::Join of JSON text with Refs and GetAtts, expression rows without ids, hidden rows for
 * the metrics an expression uses, AlarmWidget as a metric widget with alarm annotations).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { CloudFormationTemplate } from '../../../../sandbox/template/index.js';

export const CDK_ERROR_ALARM = 'orders-error-rate';

export function synthesizeDashboardStack(): CloudFormationTemplate {
  const app = new App();
  const stack = new Stack(app, 'ConsoleFixture');
  const metric = (metricName: string, statistic = 'Sum') =>
    new cw.Metric({
      namespace: 'Lookout',
      metricName,
      dimensionsMap: { service: 'orders' },
      statistic,
      period: Duration.minutes(1),
    });
  const errorRate = new cw.MathExpression({
    expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
    usingMetrics: { requests: metric('Requests'), errors: metric('Errors') },
    label: 'error rate %',
    period: Duration.minutes(1),
  });
  const alarm = errorRate.createAlarm(stack, 'ErrorRate', {
    alarmName: CDK_ERROR_ALARM,
    threshold: 5,
    evaluationPeriods: 3,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  });
  const dashboard = new cw.Dashboard(stack, 'Dashboard', {
    dashboardName: 'orders',
    defaultInterval: Duration.hours(1),
  });
  dashboard.addWidgets(new cw.TextWidget({ markdown: '# orders', width: 24, height: 1 }));
  dashboard.addWidgets(
    new cw.AlarmStatusWidget({ title: 'Alarm status', alarms: [alarm], width: 24, height: 2 }),
  );
  dashboard.addWidgets(
    new cw.GraphWidget({
      title: 'Requests and errors',
      left: [metric('Requests'), metric('Errors')],
      right: [errorRate],
      leftYAxis: { min: 0, showUnits: false },
      leftAnnotations: [{ value: 100, label: 'capacity' }],
      width: 12,
    }),
    new cw.GraphWidget({
      title: 'Latency',
      left: [metric('Latency', 'p50'), metric('Latency', 'p99')],
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new cw.SingleValueWidget({ title: 'Requests', metrics: [metric('Requests')], width: 6, height: 3 }),
    new cw.AlarmWidget({ title: 'Error rate alarm', alarm, width: 9 }),
    new cw.LogQueryWidget({
      title: 'Recent errors',
      logGroupNames: ['/aws/lambda/orders-api'],
      queryString: 'fields @timestamp, message | filter level = "ERROR"',
      width: 9,
    }),
  );
  return app.synth().getStackByName('ConsoleFixture').template as CloudFormationTemplate;
}
