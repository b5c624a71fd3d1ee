/**
 * The Lookout demo: the orders service (HTTP API, table, queue and worker), its scheduled health
 * check, a bucket for the API's CPU profiles, Slack alerts and the monitoring around them.
 * Composition only: every piece comes from lookout/cdk or aws-cdk-lib.
 */
import { fileURLToPath } from 'node:url';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { BusinessWidget } from 'lookout/cdk';
import {
  ALARM_DEFAULTS,
  LogDestination,
  LogShipping,
  ObservedFunction,
  ServiceMonitoring,
  SlackAlerts,
} from 'lookout/cdk';

/** The orders API's routes; API Gateway, the metrics and the dashboard all use these templates. */
export const ORDERS_ROUTES = [
  'GET /',
  'GET /health',
  'POST /users',
  'GET /users/{id}',
  'POST /login',
  'POST /orders',
  'GET /orders/{id}',
  'GET /stats/hourly',
] as const;

const PROFILE_RETENTION_DAYS = 14;
const ORDER_CATEGORIES = ['electronics', 'books', 'clothing', 'home', 'other'];
const SEGMENTS = ['new', 'returning', 'vip'];

const ORDERS_BUSINESS_WIDGETS: BusinessWidget[] = [
  {
    title: 'Orders created by category',
    metrics: [{ metricName: 'Orders', dimensions: { status: 'created' } }],
    splitBy: { dimension: 'category', values: ORDER_CATEGORIES },
    stacked: true,
  },
  {
    title: 'Revenue by category',
    metrics: [{ metricName: 'OrderAmount', statistic: 'Sum' }],
    splitBy: { dimension: 'category', values: ORDER_CATEGORIES },
    stacked: true,
  },
  {
    title: 'Orders failed by category',
    metrics: [{ metricName: 'Orders', dimensions: { status: 'failed' } }],
    splitBy: { dimension: 'category', values: ORDER_CATEGORIES },
  },
  {
    title: 'Order processing time (ms)',
    metrics: [
      { metricName: 'OrderProcessingTime', statistic: 'p50', label: 'p50' },
      { metricName: 'OrderProcessingTime', statistic: 'p95', label: 'p95' },
    ],
  },
  {
    title: 'Registrations and logins',
    metrics: [
      { metricName: 'UserRegistrations', label: 'registrations' },
      { metricName: 'Logins', dimensions: { status: 'success' }, label: 'logins ok' },
      { metricName: 'Logins', dimensions: { status: 'failure' }, label: 'logins failed' },
    ],
  },
  {
    title: 'User cache hits and misses',
    metrics: [
      { metricName: 'CacheHits', dimensions: { cache: 'users' }, label: 'hits' },
      { metricName: 'CacheMisses', dimensions: { cache: 'users' }, label: 'misses' },
    ],
  },
  {
    title: 'Active users by segment',
    metrics: [{ metricName: 'ActiveUsers', statistic: 'Maximum' }],
    splitBy: { dimension: 'segment', values: SEGMENTS },
  },
  {
    title: 'Conversion rate by segment (%)',
    metrics: [{ metricName: 'ConversionRate', statistic: 'Average' }],
    splitBy: { dimension: 'segment', values: SEGMENTS },
  },
];

/** A handler file by its path from the repository root, wherever the CDK is run from. */
function handlerEntry(pathFromRoot: string): string {
  return fileURLToPath(new URL(`../${pathFromRoot}`, import.meta.url));
}

export interface LookoutDemoStackProps extends StackProps {
  /** An existing Secrets Manager secret with the Slack webhook; otherwise one is created to fill in. */
  readonly webhookSecretName?: string;
  /** Where alarms about the alert path itself are e-mailed. */
  readonly alertEmail?: string;
  /**
   * Lets requests to the orders API ask for injected latency and failures (`x-demo-latency-ms`,
   * `x-demo-failure-rate`), which is how the sandbox makes alarms fire. Off by default: anyone who
   * can reach the API could otherwise fire its critical alarms.
   * @default false
   */
  readonly demoFaults?: boolean;
  /**
   * The Elasticsearch / OpenSearch endpoint the functions' logs are shipped to; its API key goes in
   * the secret LogShipping creates. Until the key is there the shipper ships nothing and says why.
   */
  readonly logsEndpoint?: string;
}

export class LookoutDemoStack extends Stack {
  constructor(scope: Construct, id: string, props: LookoutDemoStackProps = {}) {
    super(scope, id, props);
    // A demo: `cdk destroy` should leave nothing behind.
    const removalPolicy = RemovalPolicy.DESTROY;

    const table = new dynamodb.Table(this, 'OrdersTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy,
    });

    const deadLetterQueue = new sqs.Queue(this, 'OrdersDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    const ordersQueue = new sqs.Queue(this, 'OrdersQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the worker's timeout, as Lambda recommends for SQS event sources.
      visibilityTimeout: Duration.seconds(60),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 3 },
      removalPolicy,
    });

    // CPU profiles of the orders API (`.cpuprofile`, opens in Chrome DevTools): kept two weeks.
    const profiles = new s3.Bucket(this, 'ProfilesBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: [{ id: 'ExpireProfiles', expiration: Duration.days(PROFILE_RETENTION_DAYS) }],
      removalPolicy,
      autoDeleteObjects: true,
    });
    Validations.of(profiles).acknowledge({
      id: 'AwsSolutions-S1',
      reason: `The bucket holds only the demo's CPU profiles, which expire after ${PROFILE_RETENTION_DAYS} days; public access is blocked, TLS is enforced, and the one writer is the orders API role (s3:PutObject on the profile prefix). An access-log bucket would need this same acknowledgement for itself; CloudTrail data events audit object access where that is required.`,
    });

    const ordersApi = new ObservedFunction(this, 'OrdersApi', {
      entry: handlerEntry('functions/orders-api/handler.ts'),
      serviceName: 'orders',
      description: 'Lookout demo: the orders HTTP API',
      logRemovalPolicy: removalPolicy,
      profiling: {
        bucket: profiles,
        // A request still running at the HTTP p95 latency alarm's threshold is profiled from then
        // on, so a latency alarm comes with profiles of the slow requests behind it (the sandbox
        // scenario's latency spike, 1500 ms a request, makes some). One request in a thousand is
        // profiled whole, as normal requests to compare with: each costs some 10 ms to start the
        // profiler and one PutObject, and at 0.1% they are too few to move even the p99 latency.
        slowerThanMs: ALARM_DEFAULTS.httpLatencyP95.threshold,
        sampleRate: 0.001,
      },
      environment: {
        TABLE_NAME: table.tableName,
        ORDERS_QUEUE_URL: ordersQueue.queueUrl,
        ...(props.demoFaults === true && { DEMO_FAULTS_ENABLED: 'true' }),
      },
    });
    table.grant(
      ordersApi,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
    );
    ordersQueue.grantSendMessages(ordersApi);

    const httpApi = new apigwv2.HttpApi(this, 'OrdersHttpApi', {
      description: 'Lookout demo orders API',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'OrdersHttpApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    const stage = httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            request_id: '$context.requestId',
            route_key: '$context.routeKey',
            status: '$context.status',
            response_latency_ms: '$context.responseLatency',
            integration_latency_ms: '$context.integrationLatency',
            integration_error: '$context.integrationErrorMessage',
            source_ip: '$context.identity.sourceIp',
            user_agent: '$context.identity.userAgent',
            request_time: '$context.requestTime',
          }),
        ),
      },
    });
    const integration = new HttpLambdaIntegration('OrdersApiIntegration', ordersApi);
    for (const route of ORDERS_ROUTES) {
      const [method, path] = route.split(' ') as [keyof typeof apigwv2.HttpMethod, string];
      const routes = httpApi.addRoutes({ path, methods: [apigwv2.HttpMethod[method]], integration });
      for (const created of routes) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'The demo API is deliberately public so the load generator and the health check can call it; it stores only made-up demo data, and the stage is throttled.',
        });
      }
    }
    const healthUrl = `${httpApi.apiEndpoint}/health`;

    const orderWorker = new ObservedFunction(this, 'OrderWorker', {
      entry: handlerEntry('functions/order-worker/handler.ts'),
      serviceName: 'orders',
      description: 'Lookout demo: completes orders from the orders queue',
      logRemovalPolicy: removalPolicy,
      environment: { TABLE_NAME: table.tableName },
    });
    orderWorker.addEventSource(
      new SqsEventSource(ordersQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
      }),
    );
    table.grant(orderWorker, 'dynamodb:GetItem', 'dynamodb:UpdateItem');

    const healthCheck = new ObservedFunction(this, 'HealthCheck', {
      entry: handlerEntry('functions/health-check/handler.ts'),
      serviceName: 'health-check',
      description: 'Lookout demo: calls GET /health of the orders API every minute',
      logRemovalPolicy: removalPolicy,
      // It reports failures as metrics; a retry would only check again late.
      retryAttempts: 0,
      environment: { HEALTH_CHECK_URL: healthUrl, HEALTH_CHECK_TARGET: 'orders' },
    });
    new events.Rule(this, 'HealthCheckSchedule', {
      description: 'Runs the orders health check every minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(healthCheck, { retryAttempts: 0 })],
    });

    const alerts = new SlackAlerts(this, 'Alerts', {
      ...(props.webhookSecretName ? { webhookSecretName: props.webhookSecretName } : {}),
      newSecretName: `${this.stackName}/slack-webhook`,
      ...(props.alertEmail ? { alertPathEmail: props.alertEmail } : {}),
      removalPolicy,
    });

    // Every observed function above, the notifier included.
    const logShipping = new LogShipping(this, 'LogShipping', {
      destination: LogDestination.endpoint(props.logsEndpoint ?? 'https://search.example.invalid:9243'),
      alarmTopic: alerts.topic,
      removalPolicy,
    });

    const monitoring = new ServiceMonitoring(this, 'OrdersMonitoring', {
      serviceName: 'orders',
      alarmTopic: alerts.topic,
      functions: [
        { function: ordersApi },
        { function: orderWorker, eventSource: 'sqs' },
        {
          function: healthCheck,
          asynchronous: true,
          eventSource: 'schedule',
          // A broken checker is a monitoring problem, not an outage; ServiceDown covers the outage.
          alarms: { errorRate: { severity: 'warning' } },
        },
      ],
      http: { routes: ORDERS_ROUTES },
      database: {},
      healthCheck: { target: 'orders' },
      queues: [{ id: 'OrdersQueue', queue: ordersQueue, deadLetterQueue }],
      // Error budgets: 99.9% of requests without a 5xx, and 99% of orders placed within a second,
      // each over 30 days. The sandbox scenario's error burst burns the first fast enough to page.
      slos: [
        { kind: 'availability', name: 'availability', target: 99.9, windowDays: 30 },
        {
          kind: 'latency',
          name: 'order latency',
          target: 99,
          thresholdMs: 1000,
          route: 'POST /orders',
          windowDays: 30,
        },
      ],
      businessWidgets: ORDERS_BUSINESS_WIDGETS,
      extraSections: [alerts.alertPath, logShipping],
    });

    new CfnOutput(this, 'ApiUrl', { description: 'Orders API base URL', value: stage.url });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'CloudWatch dashboard of the orders service',
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${monitoring.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic every alarm notifies',
      value: alerts.topic.topicArn,
    });
    new CfnOutput(this, 'LogsApiKeySecretArn', {
      description: 'Secrets Manager secret to put the log search engine API key in',
      value: logShipping.apiKeySecret!.secretArn,
    });
    new CfnOutput(this, 'WebhookSecretName', {
      description: 'Secrets Manager secret to put the Slack webhook URL in',
      value: alerts.webhookSecretName,
    });
  }
}
