/**
 * A stack shaped like the public CDK example apps the sandbox must run, written here: a REST API in
 * front of NodejsFunction handlers (CommonJS bundles that leave the AWS SDK to the runtime), a
 * DynamoDB table with a GSI, SQS → Lambda with batch item failures and a DLQ, an EventBridge rule
 * on events a function puts and a cron schedule, SNS → SQS → Lambda, and alarms made with plain
 * aws-cloudwatch, sent to Slack through Lookout's SlackAlerts.
 */
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SlackAlerts } from 'lookout/cdk';

const HANDLERS = join(process.cwd(), 'test', 'sandbox', 'apps', 'handlers');

/** Synthesizes the stack (a name long enough that generated function names must be cut) into `outdir`. */
export function synthesizeCatalog(outdir: string): void {
  // What the CDK CLI turns on when it synthesizes: asset paths and construct paths in the metadata.
  const app = new App({
    outdir,
    context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true },
  });
  const stack = new Stack(app, 'CatalogExampleWithALongName');

  const table = new dynamodb.Table(stack, 'Items', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  table.addGlobalSecondaryIndex({
    indexName: 'byCategory',
    partitionKey: { name: 'category', type: dynamodb.AttributeType.STRING },
  });
  const deadLetters = new sqs.Queue(stack, 'AuditDeadLetters');
  const auditQueue = new sqs.Queue(stack, 'AuditQueue', {
    visibilityTimeout: Duration.seconds(30),
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: 2 },
  });
  const topic = new sns.Topic(stack, 'Announcements');
  const archiveQueue = new sqs.Queue(stack, 'ArchiveQueue');

  const handler = (id: string, file: string, environment: Record<string, string> = {}) => {
    const fn = new NodejsFunction(stack, id, {
      entry: join(HANDLERS, file),
      runtime: Runtime.NODEJS_24_X,
      // Room for cold starts on a busy two-core machine running the whole test suite.
      timeout: Duration.seconds(15),
      environment: { TABLE_NAME: table.tableName, ...environment },
    });
    table.grantReadWriteData(fn);
    return fn;
  };
  const catalog = handler('CatalogFunction', 'catalog.ts', { QUEUE_URL: auditQueue.queueUrl });
  auditQueue.grantSendMessages(catalog);
  const api = new apigateway.RestApi(stack, 'CatalogApi');
  const items = api.root.addResource('items');
  const integration = new apigateway.LambdaIntegration(catalog);
  items.addMethod('GET', integration);
  items.addMethod('POST', integration);
  items.addResource('{id}').addMethod('GET', integration);

  const audit = handler('AuditFunction', 'audit.ts');
  audit.addEventSource(new SqsEventSource(auditQueue, { batchSize: 5, reportBatchItemFailures: true }));
  const announce = handler('AnnounceFunction', 'announce.ts', { TOPIC_ARN: topic.topicArn });
  topic.grantPublish(announce);
  new events.Rule(stack, 'ItemAudited', {
    eventPattern: { source: ['examples.catalog'], detailType: ['ItemAudited'] },
    targets: [new targets.LambdaFunction(announce)],
  });
  topic.addSubscription(new subscriptions.SqsSubscription(archiveQueue, { rawMessageDelivery: true }));
  handler('ArchiveFunction', 'archive.ts').addEventSource(new SqsEventSource(archiveQueue));
  new events.Rule(stack, 'EveryFiveMinutes', {
    schedule: events.Schedule.expression('cron(0/5 * * * ? *)'),
    targets: [new targets.LambdaFunction(handler('TickFunction', 'tick.ts'))],
  });

  const alerts = new SlackAlerts(stack, 'Alerts');
  const toSlack = (alarm: cloudwatch.Alarm) => {
    alarm.addAlarmAction(new actions.SnsAction(alerts.topic));
    alarm.addOkAction(new actions.SnsAction(alerts.topic));
  };
  toSlack(
    new cloudwatch.Alarm(stack, 'CatalogErrors', {
      metric: catalog.metricErrors({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  );
  toSlack(
    new cloudwatch.Alarm(stack, 'AuditDeadLettersWaiting', {
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  );
  app.synth();
}
