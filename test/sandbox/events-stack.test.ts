/** The sandbox reads a stack's event plumbing: EventBridge rules and buses, SNS topics and subscriptions. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { SandboxStack } from '../../sandbox/template/index.js';
import { readStack, SANDBOX_ACCOUNT, SANDBOX_REGION } from '../../sandbox/template/index.js';

let outdir: string;
let stack: SandboxStack;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'lookout-events-stack-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const cdk = new Stack(app, 'Events');
  const fn = (id: string) =>
    new lambda.Function(cdk, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(join(process.cwd(), 'test/sandbox/sources/fixtures')),
    });
  const nightly = fn('Nightly');
  const consumer = fn('Consumer');
  const notifier = fn('Notifier');
  const queue = new sqs.Queue(cdk, 'Audit', { visibilityTimeout: Duration.seconds(30) });
  const topic = new sns.Topic(cdk, 'Orders');
  new events.Rule(cdk, 'NightlyRule', {
    schedule: events.Schedule.expression('cron(0 2 ? * MON-FRI *)'),
    targets: [new targets.LambdaFunction(nightly)],
  });
  const bus = new events.EventBus(cdk, 'OrdersBus', { eventBusName: 'orders' });
  new events.Rule(cdk, 'OrderPlaced', {
    eventBus: bus,
    eventPattern: { source: ['com.example.orders'], detail: { amount: [{ numeric: ['>', 10] }] } as never },
    targets: [
      new targets.LambdaFunction(consumer, {
        event: events.RuleTargetInput.fromObject({ order: events.EventField.fromPath('$.detail.orderId') }),
      }),
      new targets.SqsQueue(queue),
      new targets.SnsTopic(topic),
    ],
  });
  new events.Rule(cdk, 'Disabled', {
    enabled: false,
    schedule: events.Schedule.rate(Duration.minutes(5)),
    targets: [new targets.LambdaFunction(nightly)],
  });
  topic.addSubscription(new subscriptions.LambdaSubscription(notifier));
  topic.addSubscription(
    new subscriptions.SqsSubscription(queue, {
      rawMessageDelivery: true,
      filterPolicy: { region: sns.SubscriptionFilter.stringFilter({ allowlist: ['eu-west-2'] }) },
    }),
  );
  topic.addSubscription(new subscriptions.EmailSubscription('ops@example.com'));
  app.synth();
  stack = readStack(outdir);
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('readStack: events and notifications', () => {
  const nameOf = (logicalIdStart: string) =>
    stack.functions.find((f) => f.logicalId.startsWith(logicalIdStart))!.name;

  it('reads schedule rules with their cron expressions, and leaves out disabled rules', () => {
    const schedules = stack.rules.filter((rule) => rule.scheduleExpression);
    expect(schedules).toEqual([
      expect.objectContaining({
        scheduleExpression: 'cron(0 2 ? * MON-FRI *)',
        busName: 'default',
        targets: [expect.objectContaining({ functionName: nameOf('Nightly') })],
      }),
    ]);
  });

  it('reads pattern rules on a custom bus with their Lambda and SQS targets and input', () => {
    expect(stack.eventBuses).toEqual(['orders']);
    const rule = stack.rules.find((r) => r.eventPattern)!;
    expect(rule.busName).toBe('orders');
    expect(rule.arn).toBe(`arn:aws:events:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:rule/orders/${rule.name}`);
    expect(rule.eventPattern).toEqual({
      source: ['com.example.orders'],
      detail: { amount: [{ numeric: ['>', 10] }] },
    });
    const queue = stack.queues.find((q) => q.logicalId.startsWith('Audit'))!;
    expect(rule.targets).toEqual([
      expect.objectContaining({
        functionName: nameOf('Consumer'),
        inputTransformer: {
          inputPathsMap: { 'detail-orderId': '$.detail.orderId' },
          inputTemplate: '{"order":<detail-orderId>}',
        },
      }),
      expect.objectContaining({ queueName: queue.name, arn: queue.arn }),
      expect.objectContaining({ topicArn: stack.topics[0] }),
    ]);
  });

  it('reads topics and their lambda and sqs subscriptions, raw delivery and filter policies', () => {
    const topic = stack.topics[0]!;
    expect(topic).toMatch(new RegExp(`^arn:aws:sns:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:`));
    const queue = stack.queues.find((q) => q.logicalId.startsWith('Audit'))!;
    expect(stack.snsSubscriptions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          topicArn: topic,
          protocol: 'lambda',
          endpoint: nameOf('Notifier'),
          rawMessageDelivery: false,
        }),
        expect.objectContaining({
          topicArn: topic,
          protocol: 'sqs',
          endpoint: queue.name,
          rawMessageDelivery: true,
          filterPolicy: { region: ['eu-west-2'] },
        }),
        expect.objectContaining({ protocol: 'email', endpoint: 'ops@example.com' }),
      ]),
    );
    expect(stack.eventProblems).toEqual([
      expect.objectContaining({ message: 'email subscriptions are not emulated: only lambda and sqs are' }),
    ]);
  });
});
