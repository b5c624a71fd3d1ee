import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, CfnResource, CloudFormationValidatePlugin, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { demoPropsFromContext } from '../../../infra/context.js';
import { LookoutDemoStack, ORDERS_ROUTES } from '../../../infra/demo-stack.js';
import { ESM_REQUIRE_BANNER } from '../../../lib/cdk/index.js';
import type { Resource } from '../support/template.js';
import {
  alarmsByName,
  dashboardBody,
  maskAssets,
  onlyResource,
  renderValue,
  resourcesOfType,
  summarizeAlarm,
  widgetTitled,
} from '../support/template.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

// One synthesis with real bundling for the whole file, with the context the CLI gets from cdk.json,
// cdk-nag, and CloudFormation's resource schemas checked strictly: a finding fails the synth.
const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};
const STRICT_CFN_VALIDATION = { '@aws-cdk/core:strictCfnValidateErrors': true };
const outdir = mkdtempSync(join(tmpdir(), 'lookout-demo-'));
const app = new App({ outdir, context: { ...cdkJson.context, ...STRICT_CFN_VALIDATION } });
Validations.of(app).addPlugins(new CloudFormationValidatePlugin(), new AwsSolutionsChecks(app));
const stack = new LookoutDemoStack(app, 'LookoutDemo');
const assembly = app.synth();
const template = Template.fromJSON(assembly.getStackByName('LookoutDemo').template);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const idOf = (path: string) => {
  const construct = path.split('/').reduce<IConstruct>((parent, id) => parent.node.findChild(id), stack);
  return stack.getLogicalId(construct.node.defaultChild as never);
};
// The profile bucket's auto-delete handler is CDK's own code, run by CloudFormation when the stack goes.
const autoDeleteHandler = (
  onlyResource(template, 'Custom::S3AutoDeleteObjects')[1].Properties.ServiceToken as {
    'Fn::GetAtt': string[];
  }
)['Fn::GetAtt'][0];
/** The stack's own functions, each with its bundle. */
const appFunctions = () =>
  resourcesOfType(template, 'AWS::Lambda::Function').filter(([id]) => id !== autoDeleteHandler);
const bundleDirOf = (fn: Resource) =>
  join(outdir, `asset.${String((fn.Properties.Code as { S3Key: string }).S3Key).replace('.zip', '')}`);
const functionsByService = () =>
  new Map(
    appFunctions().map(([id, r]) => [
      id,
      (r.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    ]),
  );
const withoutMetadata = (resources: Record<string, Record<string, unknown>>) =>
  maskAssets(
    Object.fromEntries(Object.entries(resources).map(([id, { Metadata: _, ...rest }]) => [id, rest])),
  );
const statementsOf = (policy: Resource) =>
  (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
    .Statement;

describe('demo stack: the orders service', () => {
  const tableId = idOf('OrdersTable');
  const queueId = idOf('OrdersQueue');
  const dlqId = idOf('OrdersDeadLetterQueue');
  const apiFnId = idOf('OrdersApi');
  const workerId = idOf('OrderWorker');
  const checkId = idOf('HealthCheck');
  const httpApiId = idOf('OrdersHttpApi');

  it('is valid against CloudFormation’s resource schemas: the same strict check refuses a wrong property', () => {
    const wrongOut = mkdtempSync(join(tmpdir(), 'lookout-wrong-'));
    try {
      const wrong = new App({ outdir: wrongOut, context: STRICT_CFN_VALIDATION });
      Validations.of(wrong).addPlugins(new CloudFormationValidatePlugin());
      new CfnResource(new Stack(wrong, 'Wrong'), 'Queue', {
        type: 'AWS::SQS::Queue',
        properties: { VisibilityTimeout: 'soon' },
      });
      expect(() => wrong.synth()).toThrow(/VisibilityTimeout: 'soon' is not of type 'integer'/);
    } finally {
      rmSync(wrongOut, { recursive: true, force: true });
    }
  });

  it('has one on-demand table keyed pk/sk and no indexes', () => {
    const tables = resourcesOfType(template, 'AWS::DynamoDB::Table').filter(([id]) => id === tableId);
    expect(tables[0]![1].Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect(tables[0]![1].Properties.GlobalSecondaryIndexes).toBeUndefined();
    expect(tables[0]![1].Properties.LocalSecondaryIndexes).toBeUndefined();
  });

  it('routes exactly the API routes the handler serves to the orders-api function', async () => {
    const routeKeys = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(
      ([, r]) => r.Properties.RouteKey,
    );
    expect(routeKeys.sort()).toEqual([...ORDERS_ROUTES].sort());
    const routesSource = readFileSync(join(ROOT, 'functions/orders-api/routes.ts'), 'utf8');
    const served = [...routesSource.matchAll(/method: '([A-Z]+)', path: '([^']+)'/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(served.sort()).toEqual([...ORDERS_ROUTES].sort());
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [apiFnId, 'Arn'] },
    });
  });

  it('logs API access as JSON and throttles the stage', () => {
    const [, stage] = onlyResource(template, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const format = JSON.parse(String((stage.Properties.AccessLogSettings as { Format: string }).Format));
    expect(format).toMatchObject({
      request_id: '$context.requestId',
      route_key: '$context.routeKey',
      status: '$context.status',
    });
  });

  it('gives each function the environment of the cross-team contract, demo faults off by default', () => {
    const env = functionsByService();
    expect(env.get(apiFnId)).toMatchObject({
      TABLE_NAME: { Ref: tableId },
      ORDERS_QUEUE_URL: { Ref: queueId },
      POWERTOOLS_SERVICE_NAME: 'orders',
    });
    expect(env.get(workerId)).toMatchObject({
      TABLE_NAME: { Ref: tableId },
      POWERTOOLS_SERVICE_NAME: 'orders',
    });
    expect(env.get(checkId)).toMatchObject({
      HEALTH_CHECK_TARGET: 'orders',
      POWERTOOLS_SERVICE_NAME: 'health-check',
    });
    expect(renderValue(env.get(checkId)!.HEALTH_CHECK_URL)).toBe(`\${${httpApiId}.ApiEndpoint}/health`);
    for (const variables of env.values()) {
      expect(Object.keys(variables).filter((name) => /DEMO/.test(name))).toEqual([]);
    }
  });

  it('switches demo faults on for the orders API alone when asked', () => {
    // Bundling skipped: only the environment matters here.
    const faultsApp = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    const faultsStack = new LookoutDemoStack(faultsApp, 'LookoutDemoFaults', { demoFaults: true });
    const synthesized = Template.fromStack(faultsStack);
    const withFaults = Object.entries(synthesized.findResources('AWS::Lambda::Function')).filter(
      ([, fn]) =>
        (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.DEMO_FAULTS_ENABLED !== undefined,
    );
    expect(withFaults.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['OrdersApi']);
    expect(withFaults[0]![1].Properties.Environment.Variables.DEMO_FAULTS_ENABLED).toBe('true');
  });

  it.each([
    [{}, false],
    [{ demoFaults: 'true' }, true],
    [{ demoFaults: true }, true],
    [{ demoFaults: 'false' }, false],
    [{ demoFaults: false }, false],
  ])('reads the demoFaults context %j as %s', (context, expected) => {
    expect(demoPropsFromContext(new App({ context })).demoFaults).toBe(expected);
  });

  it.each(['yes', '1', 'TRUE ', 'on'])('refuses a demoFaults context of %j', (value) => {
    expect(() => demoPropsFromContext(new App({ context: { demoFaults: value } }))).toThrow(
      /demoFaults must be true or false/,
    );
  });

  it('passes the optional strings through, and refuses other types', () => {
    expect(
      demoPropsFromContext(new App({ context: { alertEmail: 'ops@example.com', webhookSecretName: '' } })),
    ).toEqual({ alertEmail: 'ops@example.com', demoFaults: false });
    expect(() => demoPropsFromContext(new App({ context: { alertEmail: 42 } }))).toThrow(
      /alertEmail must be a string/,
    );
  });

  it('feeds the worker from the orders queue with partial batch failures, poison messages to the DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: workerId },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 60,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 3 },
    });
  });

  it('runs the health check every minute without retries', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        { Arn: { 'Fn::GetAtt': [checkId, 'Arn'] }, Id: 'Target0', RetryPolicy: { MaximumRetryAttempts: 0 } },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  it('scopes every IAM statement to its resources (X-Ray being the one service without resource ARNs)', () => {
    for (const [id, policy] of resourcesOfType(template, 'AWS::IAM::Policy')) {
      for (const statement of statementsOf(policy)) {
        const actions = [statement.Action].flat();
        if (statement.Resource === '*')
          expect({ id, actions }).toEqual({
            id,
            actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
          });
        expect(actions.some((a) => a.endsWith(':*') || a === '*')).toBe(false);
      }
    }
    const tableActions = (fnId: string) => {
      const role = (
        resourcesOfType(template, 'AWS::Lambda::Function').find(([id]) => id === fnId)![1].Properties
          .Role as {
          'Fn::GetAtt': string[];
        }
      )['Fn::GetAtt'][0];
      const policy = resourcesOfType(template, 'AWS::IAM::Policy').find(([, p]) =>
        (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role),
      )![1];
      return statementsOf(policy)
        .filter((s) => JSON.stringify(s.Resource).includes(tableId))
        .flatMap((s) => [s.Action].flat());
    };
    expect(tableActions(apiFnId).sort()).toEqual(
      [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ].sort(),
    );
    expect(tableActions(workerId).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(tableActions(checkId)).toEqual([]);
  });

  it('outputs the API URL, dashboard URL, alarm topic ARN and secret names', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual([
      'AlarmTopicArn',
      'ApiUrl',
      'DashboardUrl',
      'LogsApiKeySecretArn',
      'WebhookSecretName',
    ]);
    expect(outputs.LogsApiKeySecretArn!.Value).toEqual({ Ref: idOf('LogShipping/ApiKeySecret') });
    expect(renderValue(outputs.ApiUrl!.Value)).toBe(
      `https://\${${httpApiId}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/`,
    );
    expect(renderValue(outputs.DashboardUrl!.Value)).toMatch(
      /^https:\/\/\$\{AWS::Region\}\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=\$\{AWS::Region\}#dashboards\/dashboard\/\$\{\w+\}$/,
    );
    expect(outputs.WebhookSecretName!.Value).toBe('LookoutDemo/slack-webhook');
  });
});

describe('demo stack: CPU profiles', () => {
  const bucketId = idOf('ProfilesBucket');
  const apiFnId = idOf('OrdersApi');
  const bundleOf = (fn: Resource) => readFileSync(join(bundleDirOf(fn), 'index.mjs'), 'utf8');
  // A string literal the profiler keeps in a minified bundle (as in tracing-bundles.test.ts).
  const PROFILER_MARKER = 'Profiler.start';

  it('profiles the orders API into the stack’s bucket: slow requests past the p95 alarm threshold, and 1 in 1000', () => {
    const env = functionsByService();
    expect(env.get(apiFnId)).toMatchObject({
      LOOKOUT_PROFILE_BUCKET: { Ref: bucketId },
      LOOKOUT_PROFILE_PREFIX: 'profiles/',
      LOOKOUT_PROFILE_SLOWER_THAN_MS: '1000',
      LOOKOUT_PROFILE_SAMPLE_RATE: '0.001',
    });
    // The scenario's latency spike (x-demo-latency-ms: 1500) runs past the threshold.
    expect(Number(env.get(apiFnId)!.LOOKOUT_PROFILE_SLOWER_THAN_MS)).toBeLessThan(1500);
    expect(summarizeAlarm(alarmsByName(template).get('LookoutDemo-orders-Http-LatencyP95')!).threshold).toBe(
      1000,
    );
    for (const [id, variables] of env) {
      if (id === apiFnId) continue;
      expect({
        id,
        profiling: Object.keys(variables).filter((key) => key.startsWith('LOOKOUT_PROFILE')),
      }).toEqual({ id, profiling: [] });
    }
  });

  it('bundles the profiler into the orders API and into no other function', () => {
    const withProfiler = appFunctions().map(([id, fn]) => [id, bundleOf(fn).includes(PROFILER_MARKER)]);
    expect(withProfiler).toHaveLength(5);
    expect(withProfiler.filter(([, has]) => has)).toEqual([[apiFnId, true]]);
  });

  it('keeps profiles private, encrypted, behind TLS, for two weeks, and removes them with the stack', () => {
    const [, bucket] = resourcesOfType(template, 'AWS::S3::Bucket').find(([id]) => id === bucketId)!;
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 14, Status: 'Enabled' }] },
    });
    expect(bucket.DeletionPolicy).toBe('Delete');
    template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: bucketId } });
    const [, policy] = onlyResource(template, 'AWS::S3::BucketPolicy');
    expect(statementsOf(policy)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]),
    );
  });

  it('lets the orders API put objects under the profile prefix and nothing more', () => {
    const s3Statements = resourcesOfType(template, 'AWS::IAM::Policy')
      .flatMap(([, policy]) => statementsOf(policy))
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('s3:')));
    expect(s3Statements).toEqual([
      expect.objectContaining({
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/profiles/*']] },
      }),
    ]);
  });

  it('acknowledges the missing access logs of the profile bucket, with the reason', () => {
    const acknowledged = stack.node
      .findChild('ProfilesBucket')
      .node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledged).toEqual([
      [expect.stringMatching(/AwsSolutions-S1$/), expect.stringContaining('expire after 14 days')],
    ]);
  });
});

describe('demo stack: alarms and dashboard', () => {
  const alarms = alarmsByName(template);
  const alarmTopic = `\${${idOf('Alerts/AlarmTopic/Topic')}}`;
  const alertPathTopic = `\${${idOf('Alerts/AlertPathTopic/Topic')}}`;

  const sloWindowAlarms = ['Availability', 'OrderLatency'].flatMap((slo) =>
    ['FastBurn', 'Burn6x', 'Burn3x', 'SlowBurn'].flatMap((burn) =>
      ['Long', 'Short'].map((window) => `LookoutDemo-orders-Slo-${slo}-${burn}-${window}`),
    ),
  );
  const isSloWindow = (name: string) => sloWindowAlarms.includes(name);

  it('alarms on every function, the HTTP surface, the database, the health check, the queue and the alert path', () => {
    const fnAlarms = (fn: string) =>
      ['ErrorRate', 'DurationP99', 'MemoryUtilization', 'Throttles'].map(
        (a) => `LookoutDemo-orders-${fn}-${a}`,
      );
    expect([...alarms.keys()].sort()).toEqual(
      [
        'LookoutDemo-orders-ServiceDown',
        'LookoutDemo-orders-Http-ErrorRate',
        'LookoutDemo-orders-Http-LatencyP95',
        ...fnAlarms('OrdersApi'),
        ...fnAlarms('OrderWorker'),
        ...fnAlarms('HealthCheck'),
        'LookoutDemo-orders-HealthCheck-AsyncDeliveryFailures',
        'LookoutDemo-orders-Db-ErrorRate',
        'LookoutDemo-orders-Db-LatencyP95',
        'LookoutDemo-orders-OrdersQueue-OldestMessageAge',
        'LookoutDemo-orders-OrdersQueue-DeadLetterMessages',
        'LookoutDemo-alert-path-NotifierErrors',
        'LookoutDemo-alert-path-AlertsFailed',
        'LookoutDemo-alert-path-NotifierLostEvents',
        'LookoutDemo-alert-path-UndeliveredAlerts',
        'LookoutDemo-alert-path-AlarmTopicDeliveryFailures',
        ...sloWindowAlarms,
        'LookoutDemo-log-shipping-ShippingFailed',
        'LookoutDemo-log-shipping-ShipperErrors',
        'LookoutDemo-log-shipping-LostBatches',
      ].sort(),
    );
  });

  it("ships every function's logs, the notifier's included, to the log shipper and never its own", () => {
    const shipper = idOf('LogShipping/Shipper');
    const filters = resourcesOfType(template, 'AWS::Logs::SubscriptionFilter').map(([, f]) => f.Properties);
    expect(filters.map((f) => renderValue(f.LogGroupName)).sort()).toEqual(
      ['OrdersApi', 'OrderWorker', 'HealthCheck', 'Alerts/Notifier']
        .map((fn) => `\${${idOf(`${fn}LogGroup`)}}`)
        .sort(),
    );
    for (const filter of filters) expect(filter.DestinationArn).toEqual({ 'Fn::GetAtt': [shipper, 'Arn'] });
  });

  it('sends service alarms to the alarm topic and alert-path alarms to the independent topic', () => {
    for (const [name, props] of alarms) {
      // An SLO window alarm only feeds its burn-rate composite, which is the one that notifies.
      if (isSloWindow(name)) {
        expect({ name, actions: props.AlarmActions, ok: props.OKActions }).toEqual({ name });
        continue;
      }
      const expected = name.startsWith('LookoutDemo-alert-path-') ? alertPathTopic : alarmTopic;
      expect({ name, actions: summarizeAlarm(props).actions }).toEqual({ name, actions: [expected] });
    }
  });

  it('watches the age of the oldest order message', () => {
    expect(summarizeAlarm(alarms.get('LookoutDemo-orders-OrdersQueue-OldestMessageAge')!)).toEqual({
      metric: `AWS/SQS/ApproximateAgeOfOldestMessage Maximum {QueueName=\${${idOf('OrdersQueue')}.QueueName}}`,
      period: 60,
      threshold: 300,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: 'notBreaching',
      severity: 'warning',
      actions: [alarmTopic],
    });
  });

  it('treats a broken health checker as a warning and the missing health signal as an outage', () => {
    expect(summarizeAlarm(alarms.get('LookoutDemo-orders-HealthCheck-ErrorRate')!).severity).toBe('warning');
    expect(summarizeAlarm(alarms.get('LookoutDemo-orders-ServiceDown')!)).toMatchObject({
      metric: 'Lookout/HealthCheckSuccess Minimum {service=health-check,target=orders}',
      treatMissingData: 'breaching',
      severity: 'critical',
    });
  });

  it('has a "service unhealthy" composite over the critical service alarms', () => {
    const [, composite] = resourcesOfType(template, 'AWS::CloudWatch::CompositeAlarm').find(
      ([, c]) => c.Properties.AlarmName === 'LookoutDemo-orders-ServiceUnhealthy',
    )!;
    const rule = renderValue(composite.Properties.AlarmRule);
    const critical = [...alarms.entries()]
      .filter(
        ([name, p]) =>
          !name.includes('alert-path') && !isSloWindow(name) && summarizeAlarm(p).severity === 'critical',
      )
      .map(([name]) => name);
    expect(critical.sort()).toEqual(
      [
        'LookoutDemo-orders-ServiceDown',
        'LookoutDemo-orders-Http-ErrorRate',
        'LookoutDemo-orders-OrdersApi-ErrorRate',
        'LookoutDemo-orders-OrderWorker-ErrorRate',
        'LookoutDemo-orders-Db-ErrorRate',
      ].sort(),
    );
    expect(rule.match(/ALARM\(/g)).toHaveLength(critical.length);
  });

  it('pages on fast error-budget burn of its availability and order-latency SLOs, to the alarm topic', () => {
    const composites = resourcesOfType(template, 'AWS::CloudWatch::CompositeAlarm')
      .map(([, c]) => c.Properties)
      .filter((p) => String(p.AlarmName).includes('-Slo-'));
    const bySeverity = (severity: string) =>
      composites
        .filter((p) => String(p.AlarmDescription).startsWith(`[${severity}]`))
        .map((p) => String(p.AlarmName))
        .sort();
    expect(bySeverity('critical')).toEqual([
      'LookoutDemo-orders-Slo-Availability-Burn6x',
      'LookoutDemo-orders-Slo-Availability-FastBurn',
      'LookoutDemo-orders-Slo-OrderLatency-Burn6x',
      'LookoutDemo-orders-Slo-OrderLatency-FastBurn',
    ]);
    expect(bySeverity('warning')).toHaveLength(4);
    for (const p of composites) {
      expect((p.AlarmActions as unknown[]).map(renderValue)).toEqual([alarmTopic]);
      expect(renderValue(p.AlarmRule)).toMatch(/^\(ALARM\("[^"]+"\) AND ALARM\("[^"]+"\)\)$/);
    }
  });

  it('renders a dashboard with the business figures and the alert path', () => {
    const body = dashboardBody(template);
    for (const title of [
      'Orders created by category',
      'Revenue by category',
      'Order processing time (ms)',
      'Active users by segment',
      'Conversion rate by segment (%)',
      'Alerts delivered, failed, malformed',
      'Latency p99 by route (ms)',
      'OrderWorker: sqs events',
    ]) {
      widgetTitled(body, title);
    }
    const revenue = widgetTitled(body, 'Revenue by category').properties.metrics as unknown[][];
    expect(revenue.map((m) => [m[1], m[3]])).toEqual(
      ['electronics', 'books', 'clothing', 'home', 'other'].map((category) => ['OrderAmount', category]),
    );
    const routes = widgetTitled(body, 'Latency p99 by route (ms)').properties.metrics as unknown[][];
    expect(routes.map((m) => m[3])).toEqual([...ORDERS_ROUTES]);
  });
});

describe('demo stack: checks and bundles', () => {
  it('passes cdk-nag AwsSolutions', () => {
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  const bundles = readdirSync(outdir)
    .filter((name) => name.startsWith('asset.') && existsSync(join(outdir, name, 'index.mjs')))
    .map((name) => join(outdir, name));

  it('builds one bundle per function', () => {
    expect(bundles).toHaveLength(5);
    const keys = appFunctions().map(([, r]) =>
      String((r.Properties.Code as { S3Key: string }).S3Key).replace('.zip', ''),
    );
    expect(keys.sort()).toEqual(bundles.map((dir) => dir.split('asset.')[1]).sort());
  });

  it.each(['index.mjs', 'index.mjs.map'])(
    'keeps aws-cdk-lib, constructs and lib/cdk out of every %s',
    (file) => {
      // The demo's three functions are bundled at synth, with maps; the notifier and the log shipper
      // ship prebuilt, without.
      const withFile = bundles.filter((dir) => existsSync(join(dir, file)));
      expect(withFile).toHaveLength(file.endsWith('.map') ? 3 : 5);
      for (const dir of withFile) {
        const text = readFileSync(join(dir, file), 'utf8');
        expect({
          dir,
          cdk: text.includes('aws-cdk-lib'),
          constructs: /node_modules\/constructs\//.test(text),
        }).toEqual({
          dir,
          cdk: false,
          constructs: false,
        });
        if (file.endsWith('.map')) {
          const sources = (JSON.parse(text) as { sources: string[] }).sources;
          expect(sources.some((s) => s.includes('lib/cdk/'))).toBe(false);
          expect(sources.some((s) => s.includes('lib/'))).toBe(true);
        } else {
          expect(text.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
        }
      }
    },
  );

  it('matches the snapshot (asset hashes masked)', () => {
    expect(maskAssets(template.toJSON())).toMatchSnapshot();
  });

  it('synthesizes through the CDK CLI and cdk.json, offline', async () => {
    const cliOut = mkdtempSync(join(tmpdir(), 'lookout-cli-'));
    try {
      await promisify(execFile)('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', cliOut], {
        cwd: ROOT,
        env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      });
      const fromCli = JSON.parse(readFileSync(join(cliOut, 'LookoutDemo.template.json'), 'utf8'));
      // The CLI adds its version-reporting resource and construct paths; the rest must be what was tested.
      delete fromCli.Resources.CDKMetadata;
      expect(withoutMetadata(fromCli.Resources)).toEqual(withoutMetadata(template.toJSON().Resources));
      expect(fromCli.Outputs).toEqual(template.toJSON().Outputs);
    } finally {
      rmSync(cliOut, { recursive: true, force: true });
    }
  }, 180_000);
});
