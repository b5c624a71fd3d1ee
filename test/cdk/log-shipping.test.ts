import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  LogDestination,
  LogShipping,
  ObservedFunction,
  ServiceMonitoring,
  SlackAlerts,
} from '../../lib/cdk/index.js';
import type { LogShippingProps } from '../../lib/cdk/index.js';
import { LOG_SHIPPER_API_KEY_PLACEHOLDER } from '../../lib/contract.js';
import type { Resource } from './support/template.js';
import {
  alarmsByName,
  FIXTURE_ENTRY,
  NO_BUNDLING,
  onlyResource,
  resourcesOfType,
} from './support/template.js';

const DOMAIN_ARN = 'arn:aws:es:eu-west-1:123456789012:domain/logs';

function build(props: Partial<LogShippingProps> = {}, options: { functionsAfter?: boolean } = {}) {
  const stack = new Stack(new App({ context: NO_BUNDLING }), 'Shop');
  const topic = new sns.Topic(stack, 'Alarms');
  const api = new ObservedFunction(stack, 'Api', { entry: FIXTURE_ENTRY, serviceName: 'orders' });
  const worker = new ObservedFunction(stack, 'Worker', { entry: FIXTURE_ENTRY, serviceName: 'orders' });
  const shipping = new LogShipping(stack, 'LogShipping', {
    destination: LogDestination.openSearchDomain(
      opensearch.Domain.fromDomainAttributes(stack, 'Logs', {
        domainArn: DOMAIN_ARN,
        domainEndpoint: 'search-logs-abc.eu-west-1.es.amazonaws.com',
      }),
    ),
    alarmTopic: topic,
    ...props,
  });
  const late = options.functionsAfter
    ? new ObservedFunction(stack, 'Late', { entry: FIXTURE_ENTRY, serviceName: 'late' })
    : undefined;
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, api, worker, late, shipping, template: () => Template.fromStack(stack), id };
}

const statementsOf = (policy: Resource) =>
  (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;

function shipperStatements(template: Template, shipperRoleId: string) {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(shipperRoleId))
    .flatMap(([, p]) => statementsOf(p));
}

describe('LogShipping', () => {
  const { shipping, template: synth, id, api, worker } = build();
  const template = synth();
  const shipperId = id(shipping.shipper);

  it("subscribes every observed function's log group to the shipper by default, and never the shipper's own", () => {
    const filters = resourcesOfType(template, 'AWS::Logs::SubscriptionFilter').map(([, f]) => f.Properties);
    expect(filters).toHaveLength(2);
    expect(filters.map((f) => f.LogGroupName)).toEqual([
      { Ref: id(api.observedLogGroup as never) },
      { Ref: id(worker.observedLogGroup as never) },
    ]);
    for (const filter of filters) {
      expect(filter.DestinationArn).toEqual({ 'Fn::GetAtt': [shipperId, 'Arn'] });
      expect(filter.FilterPattern).toBe('');
    }
    expect(shipping.functions).toEqual([api, worker]);
    // CloudWatch Logs may invoke the shipper, for these log groups only.
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'logs.amazonaws.com',
    );
    expect(permissions).toHaveLength(2);
  });

  it('deploys the prebuilt shipper with its destination, index prefix and dead-letter queue', () => {
    const queueId = id(shipping.deadLetterQueue);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Ships CloudWatch Logs to OpenSearch / Elasticsearch',
      Handler: 'index.handler',
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'log-shipper',
          LOOKOUT_LOGS_ENDPOINT: 'https://search-logs-abc.eu-west-1.es.amazonaws.com',
          LOOKOUT_LOGS_AUTH: 'aws-es',
          LOOKOUT_LOGS_INDEX_PREFIX: 'lookout-logs',
          LOOKOUT_LOGS_DEAD_LETTER_QUEUE_URL: { Ref: queueId },
        }),
      },
    });
    // Batches Lambda gives up on after its retries are parked in the same queue, whole.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: shipperId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
  });

  it('grants the shipper SigV4 writes to _bulk, its template and its indexes on the domain, and nothing wider', () => {
    const roleId = id(shipping.shipper.role! as never);
    const es = shipperStatements(template, roleId).filter((s) => JSON.stringify(s.Action).includes('es:'));
    expect(es).toEqual([
      {
        Effect: 'Allow',
        Action: ['es:ESHttpPost', 'es:ESHttpPut'],
        Resource: [
          `${DOMAIN_ARN}/_bulk`,
          `${DOMAIN_ARN}/_index_template/lookout-logs`,
          `${DOMAIN_ARN}/lookout-logs-*`,
        ],
      },
    ]);
  });

  it('adds warning alarms on failed log events, shipper errors and lost batches, named after the stack', () => {
    const alarms = alarmsByName(template);
    expect([...alarms.keys()].sort()).toEqual([
      'Shop-log-shipping-LostBatches',
      'Shop-log-shipping-ShipperErrors',
      'Shop-log-shipping-ShippingFailed',
    ]);
    const failed = alarms.get('Shop-log-shipping-ShippingFailed')!;
    expect(failed).toMatchObject({
      MetricName: 'LogsFailed',
      Namespace: 'Lookout',
      Dimensions: [{ Name: 'service', Value: 'log-shipper' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(String(failed.AlarmDescription)).toMatch(
      /^\[warning\] Log events could not be indexed over 1 minute/,
    );
    expect(shipping.alarms.map((a) => a.severity)).toEqual(['warning', 'warning', 'warning']);
  });

  it('puts its alarms on the service dashboard as an extra section', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'Dash');
    const fn = new ObservedFunction(stack, 'Api', { entry: FIXTURE_ENTRY, serviceName: 'orders' });
    const alerts = new SlackAlerts(stack, 'Alerts');
    const logsShipping = new LogShipping(stack, 'LogShipping', {
      destination: LogDestination.endpoint('https://logs.example.com:9243'),
      alarmTopic: alerts.topic,
    });
    new ServiceMonitoring(stack, 'Monitoring', {
      functions: [fn],
      alarmTopic: alerts.topic,
      extraSections: [logsShipping],
    });
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('Log events shipped, failed, skipped');
    // Its alarms are in the dashboard's alarm status widget.
    expect(body).toContain(stack.getLogicalId(logsShipping.alarms[0]!.alarm.node.defaultChild as never));
    // The notifier is an observed function too: its logs are shipped, the shipper's are not.
    expect(logsShipping.functions.map((f) => f.node.id)).toEqual(['Api', 'Notifier']);
  });
});

describe('LogShipping choices', () => {
  it('ships only the functions given, and more added later', () => {
    const { shipping, api, late, template } = build({}, { functionsAfter: true });
    expect(shipping.functions).not.toContain(late);
    shipping.addFunction(late!);
    shipping.addFunction(late!);
    expect(shipping.functions).toHaveLength(3);
    expect(resourcesOfType(template(), 'AWS::Logs::SubscriptionFilter')).toHaveLength(3);

    const chosen = build({ functions: [] });
    chosen.shipping.addFunction(api === chosen.api ? api : chosen.api);
    expect(resourcesOfType(chosen.template(), 'AWS::Logs::SubscriptionFilter')).toHaveLength(1);
  });

  it('refuses to ship its own logs, and an index prefix the engines would refuse', () => {
    const { shipping } = build();
    expect(() => shipping.addFunction(shipping.shipper)).toThrow(/a log shipper’s own logs/);
    expect(() => build({ indexPrefix: 'Logs' })).toThrow(/indexPrefix must be lowercase/);
    expect(() => LogDestination.endpoint('http://logs.example.com')).toThrow(/https:\/\//);
  });

  it('reads an API key from the secret given, or creates one holding a placeholder', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'Keys');
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Key', 'shop/logs-api-key');
    const withSecret = new LogShipping(stack, 'LogShipping', {
      destination: LogDestination.endpoint('https://logs.example.com:9243', secret),
      alarmTopic: new sns.Topic(stack, 'Alarms'),
      functions: [],
    });
    expect(withSecret.apiKeySecret).toBe(secret);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SecretsManager::Secret', 0);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          LOOKOUT_LOGS_AUTH: 'api-key',
          LOOKOUT_LOGS_API_KEY_SECRET_ARN: Match.anyValue(),
        }),
      },
    });

    const created = build({ destination: LogDestination.endpoint('https://logs.example.com') });
    const ct = created.template();
    ct.hasResourceProperties('AWS::SecretsManager::Secret', {
      SecretString: LOG_SHIPPER_API_KEY_PLACEHOLDER,
    });
    const roleId = created.id(created.shipping.shipper.role! as never);
    expect(JSON.stringify(shipperStatements(ct, roleId))).toContain('secretsmanager:GetSecretValue');
  });

  it('gives a Serverless collection API access and a data access policy for the shipper role alone', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'Aoss');
    const collection = new aoss.CfnCollection(stack, 'Collection', { name: 'shop-logs', type: 'SEARCH' });
    const shipping = new LogShipping(stack, 'LogShipping', {
      destination: LogDestination.openSearchServerless(collection),
      alarmTopic: new sns.Topic(stack, 'Alarms'),
      functions: [],
    });
    const t = Template.fromStack(stack);
    const [, policy] = onlyResource(t, 'AWS::OpenSearchServerless::AccessPolicy');
    expect(policy.Properties.Type).toBe('data');
    expect(String(policy.Properties.Name)).toMatch(/^lookout-logs-[0-9a-f]{16}$/);
    const text = JSON.stringify(policy.Properties.Policy);
    expect(text).toContain('index/shop-logs/lookout-logs-*');
    expect(text).toContain('aoss:WriteDocument');
    expect(text).toContain(stack.getLogicalId(shipping.shipper.role!.node.defaultChild as never));
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LOOKOUT_LOGS_AUTH: 'aws-aoss' }) },
    });
  });
});
