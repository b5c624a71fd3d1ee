/**
 * A user's plain aws-cloudwatch alarms on the AWS service metrics the sandbox publishes: a REST
 * API's and an HTTP API's 5XX errors (as `metricServerError()` makes them), a function URL's
 * Url5xxCount and an EventBridge rule's FailedInvocations, on a stack synthesized here. Good traffic
 * leaves them OK; failing requests and an event its target refuses set them off. An alarm on a
 * metric the sandbox never produces (DynamoDB's ThrottledRequests) is named at start-up.
 */
import { expect, it } from '@jest/globals';
import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PRODUCED_AWS_METRICS } from '../../sandbox/metrics/index.js';
import { runApp } from './apps/support.js';
import { waitFor } from './lambda/support.js';

const COMPRESSION = 60;
const ALARMS = ['RestServerErrors', 'HttpServerErrors', 'UrlServerErrors', 'RelayFailures'];

const run = runApp(
  'ServiceMetrics',
  (stack) => {
    const front = new lambda.Function(stack, 'Front', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      timeout: Duration.seconds(15),
      code: lambda.Code.fromInline(`exports.handler = async (event) => {
      const headers = event.headers || {};
      if (Object.keys(headers).some((key) => key.toLowerCase() === 'x-fail')) throw new Error('asked to fail');
      return { statusCode: 200, body: 'ok' };
    };`),
    });
    const rest = new apigateway.RestApi(stack, 'Shop', { restApiName: 'shop-api' });
    rest.root
      .addResource('orders')
      .addResource('{id}')
      .addMethod('GET', new apigateway.LambdaIntegration(front));
    const http = new apigwv2.HttpApi(stack, 'ShopHttp');
    http.addRoutes({
      path: '/orders/{id}',
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('Front', front),
    });
    front.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    const topic = new sns.Topic(stack, 'Announcements');
    // The event goes to the topic twice over: a big enough event makes a message SNS refuses.
    const relay = new events.Rule(stack, 'Relay', {
      eventPattern: { source: ['test.shop'] },
      targets: [
        new targets.SnsTopic(topic, {
          message: events.RuleTargetInput.fromObject({
            first: events.EventField.fromPath('$.detail'),
            second: events.EventField.fromPath('$.detail'),
          }),
        }),
      ],
    });
    const table = new dynamodb.Table(stack, 'Orders', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });

    const period = Duration.minutes(1);
    const alarm = (id: string, metric: cloudwatch.IMetric) =>
      new cloudwatch.Alarm(stack, id, {
        alarmName: id,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    alarm('RestServerErrors', rest.metricServerError({ period }));
    alarm('HttpServerErrors', http.metricServerError({ period }));
    alarm('UrlServerErrors', front.metric('Url5xxCount', { period, statistic: 'Sum' }));
    alarm(
      'RelayFailures',
      new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensionsMap: { RuleName: relay.ruleName },
        statistic: 'Sum',
        period,
      }),
    );
    alarm('TableThrottles', table.metric('ThrottledRequests', { period, statistic: 'Sum' }));
  },
  { compression: COMPRESSION },
);

const urlOf = (kind: 'rest' | 'http' | 'url') => run.sandbox.apis.find((api) => api.kind === kind)!.url;

/** One request to each front door, and one event on the default bus. */
async function traffic(fail: boolean): Promise<number[]> {
  const headers: Record<string, string> = fail ? { 'x-fail': 'yes' } : {};
  const statuses = await Promise.all(
    [`${urlOf('rest')}/orders/7`, `${urlOf('http')}/orders/7`, `${urlOf('url')}/`].map(
      async (url) => (await fetch(url, { headers })).status,
    ),
  );
  const detail = JSON.stringify({ order: 7, note: fail ? 'x'.repeat(150_000) : 'small' });
  const put = await fetch(run.sandbox.endpoints.events, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
    body: JSON.stringify({ Entries: [{ Source: 'test.shop', DetailType: 'OrderPlaced', Detail: detail }] }),
  });
  expect(((await put.json()) as { FailedEntryCount: number }).FailedEntryCount).toBe(0);
  return statuses;
}

/** Traffic for `minutes` simulated minutes, a request round every quarter of one. */
async function playFor(minutes: number, fail: boolean): Promise<number[]> {
  const statuses: number[] = [];
  for (let round = 0; round < minutes * 4; round++) {
    statuses.push(...(await traffic(fail)));
    await new Promise((resolve) => setTimeout(resolve, 60_000 / COMPRESSION / 4));
  }
  return statuses;
}

const stateOf = (alarm: string) =>
  run.sandbox.alarmEvents.filter((event) => event.alarm === alarm).at(-1)?.to ?? 'INSUFFICIENT_DATA';

it('names at start-up the alarm on a metric the sandbox does not produce, and only that one', () => {
  const unproduced = run.startUp.filter((line) => line.includes('which the sandbox does not produce'));
  expect(unproduced).toEqual([
    'alarm TableThrottles watches AWS/DynamoDB ThrottledRequests, which the sandbox does not produce: it stays as its missing-data setting leaves it',
  ]);
});

it('good traffic keeps the alarms OK; failing requests and a refused event set each one off', async () => {
  const good = await playFor(3, false);
  expect(good.every((status) => status === 200)).toBe(true);
  await waitFor(() => ALARMS.every((alarm) => stateOf(alarm) === 'OK'), 60_000, 'the alarms to be OK').catch(
    () => undefined,
  );
  expect(Object.fromEntries(ALARMS.map((alarm) => [alarm, stateOf(alarm)]))).toEqual(
    Object.fromEntries(ALARMS.map((alarm) => [alarm, 'OK'])),
  );
  // The REST API is counted under the name CDK's metricServerError() reads, by request.
  const counted = run.sandbox.metrics.listMetrics({ namespace: 'AWS/ApiGateway', name: 'Count' });
  expect(counted).toEqual(
    expect.arrayContaining([
      { namespace: 'AWS/ApiGateway', name: 'Count', dimensions: { ApiName: 'shop-api' } },
    ]),
  );

  const bad = await playFor(2, true);
  expect(bad.every((status) => status >= 500)).toBe(true);
  await waitFor(
    () => ALARMS.every((alarm) => stateOf(alarm) === 'ALARM'),
    60_000,
    'the alarms to fire',
  ).catch(() => undefined);
  expect(Object.fromEntries(ALARMS.map((alarm) => [alarm, stateOf(alarm)]))).toEqual(
    Object.fromEntries(ALARMS.map((alarm) => [alarm, 'ALARM'])),
  );
  expect(stateOf('TableThrottles')).not.toBe('ALARM');

  // Whatever AWS metric the run put is one start-up counts as produced.
  const produced: Record<string, readonly string[]> = PRODUCED_AWS_METRICS;
  for (const metric of run.sandbox.metrics.listMetrics().filter((m) => m.namespace.startsWith('AWS/')))
    expect(produced[metric.namespace]).toContain(metric.name);
}, 180_000);
