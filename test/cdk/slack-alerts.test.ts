import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SlackAlerts, WEBHOOK_PLACEHOLDER } from '../../lib/cdk/index.js';
import type { Resource } from './support/template.js';
import {
  alarmsByName,
  NO_BUNDLING,
  renderValue,
  onlyResource,
  resourcesOfType,
  summarizeAlarm,
} from './support/template.js';

function build(props: ConstructorParameters<typeof SlackAlerts>[2] = {}) {
  const stack = new Stack(new App({ context: NO_BUNDLING }), 'Alerting');
  const alerts = new SlackAlerts(stack, 'Alerts', props);
  const template = Template.fromStack(stack);
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, alerts, template, id };
}

function statementsOf(policy: Resource): Record<string, unknown>[] {
  return (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
}

describe('SlackAlerts', () => {
  const { alerts, template, id } = build({ newSecretName: 'shop/slack-webhook' });
  const topicId = id(alerts.topic);
  const alertPathTopicId = id(alerts.alertPathTopic);
  const queueId = id(alerts.undeliveredAlerts);
  const notifierId = id(alerts.notifier);
  const tableId = id(alerts.idempotencyTable);
  const secretId = id(alerts.webhookSecret as never);

  it('encrypts each topic with its own rotating key that CloudWatch may use', () => {
    const topics = resourcesOfType(template, 'AWS::SNS::Topic');
    expect(topics).toHaveLength(2);
    const keyIds = topics.map(
      ([, t]) => (t.Properties.KmsMasterKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
    );
    expect(new Set(keyIds).size).toBe(2);
    for (const [, key] of resourcesOfType(template, 'AWS::KMS::Key')) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(
        statementsOf({ ...key, Properties: { PolicyDocument: key.Properties.KeyPolicy } }),
      ).toContainEqual({
        Sid: 'CloudWatchAlarmsEncryptNotifications',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      });
    }
  });

  it("lets only this account's alarms publish, and only over TLS", () => {
    for (const topic of [topicId, alertPathTopicId]) {
      const [, policy] = resourcesOfType(template, 'AWS::SNS::TopicPolicy').find(([, p]) =>
        JSON.stringify(p.Properties.Topics).includes(topic),
      )!;
      const statements = statementsOf(policy);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      const publish = statements.find((s) => s.Sid === 'CloudWatchAlarmsPublish')!;
      expect(publish).toMatchObject({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic },
      });
      expect(
        renderValue((publish.Condition as { ArnLike: Record<string, unknown> }).ArnLike['aws:SourceArn']),
      ).toBe('arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*');
      expect(publish.Condition).toMatchObject({
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      });
    }
  });

  it('subscribes the notifier to the alarm topic, parking undeliverable messages in the queue', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topicId },
      Endpoint: { 'Fn::GetAtt': [notifierId, 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: topicId },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('keeps the undelivered-alerts queue encrypted, TLS-only and open to SNS from the alarm topic only', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    const [, policy] = onlyResource(template, 'AWS::SQS::QueuePolicy');
    const statements = statementsOf(policy);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: { Service: 'sns.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topicId } } },
      }),
    );
  });

  it('creates the webhook secret with a placeholder and the given name', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'shop/slack-webhook',
      SecretString: WEBHOOK_PLACEHOLDER,
    });
    expect(alerts.webhookSecretName).toBe('shop/slack-webhook');
  });

  it('creates the idempotency table Powertools expects', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('configures the notifier through the contract environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 30,
      Environment: {
        Variables: Match.objectLike({
          SLACK_WEBHOOK_SECRET_ARN: { Ref: secretId },
          IDEMPOTENCY_TABLE_NAME: { Ref: tableId },
          POWERTOOLS_SERVICE_NAME: 'slack-notifier',
          POWERTOOLS_METRICS_NAMESPACE: 'Lookout',
        }),
      },
    });
  });

  it('grants the notifier exactly its log group, traces, the queue, the secret and four table actions', () => {
    const [, policy] = onlyResource(template, 'AWS::IAM::Policy');
    const logGroupId = resourcesOfType(template, 'AWS::Logs::LogGroup')[0]![0];
    expect(statementsOf(policy)).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
      },
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
      {
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      },
      {
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Effect: 'Allow',
        Resource: { Ref: secretId },
      },
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Effect: 'Allow',
        Resource: [{ 'Fn::GetAtt': [tableId, 'Arn'] }],
      },
    ]);
  });

  it('watches the alert path with alarms that go to the second topic, never the alarm topic', () => {
    const alarms = alarmsByName(template);
    const toAlertPath = [`\${${alertPathTopicId}}`];
    const count = (metric: string) => ({
      metric,
      period: 60,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      severity: 'critical',
      actions: toAlertPath,
    });
    expect(Object.fromEntries([...alarms].map(([name, p]) => [name, summarizeAlarm(p)]))).toEqual({
      'Alerting-alert-path-NotifierErrors': count(`AWS/Lambda/Errors Sum {FunctionName=\${${notifierId}}}`),
      'Alerting-alert-path-AlertsFailed': count('Lookout/AlertsFailed Sum {service=slack-notifier}'),
      'Alerting-alert-path-NotifierLostEvents': {
        ...count('FILL(dlq, 0) + FILL(destination, 0) + FILL(dropped, 0)'),
        inputs: {
          dlq: `AWS/Lambda/DeadLetterErrors Sum {FunctionName=\${${notifierId}}}`,
          destination: `AWS/Lambda/DestinationDeliveryFailures Sum {FunctionName=\${${notifierId}}}`,
          dropped: `AWS/Lambda/AsyncEventsDropped Sum {FunctionName=\${${notifierId}}}`,
        },
      },
      'Alerting-alert-path-UndeliveredAlerts': count(
        `AWS/SQS/ApproximateNumberOfMessagesVisible Maximum {QueueName=\${${queueId}.QueueName}}`,
      ),
      'Alerting-alert-path-AlarmTopicDeliveryFailures': count(
        `AWS/SNS/NumberOfNotificationsFailed Sum {TopicName=\${${topicId}.TopicName}}`,
      ),
    });
    expect(alerts.alertPath.alarms).toHaveLength(5);
    expect(alerts.alertPath.widgetRows().flat().length).toBeGreaterThan(0);
  });

  it('subscribes nobody to the alert-path topic unless an address is given', () => {
    expect(resourcesOfType(template, 'AWS::SNS::Subscription')).toHaveLength(1);
  });
});

describe('SlackAlerts with an existing secret and an alert-path e-mail', () => {
  const { alerts, template, id } = build({
    webhookSecretName: 'team/slack',
    alertPathEmail: 'oncall@example.com',
    alarms: { alertsFailed: { enabled: false }, notifierErrors: { threshold: 2 } },
  });

  it('reads the named secret instead of creating one, scoped to that name', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(alerts.webhookSecretName).toBe('team/slack');
    const [, policy] = onlyResource(template, 'AWS::IAM::Policy');
    const secretStatement = statementsOf(policy).find((s) => String(s.Action).includes('secretsmanager'))!;
    expect(renderValue(secretStatement.Resource)).toBe(
      'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:team/slack-??????',
    );
  });

  it('e-mails the alert-path topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: id(alerts.alertPathTopic) },
    });
  });

  it('applies the alert-path alarm tuning', () => {
    const alarms = alarmsByName(template);
    expect([...alarms.keys()]).not.toContain('Alerting-alert-path-AlertsFailed');
    expect(alarms.get('Alerting-alert-path-NotifierErrors')!.Threshold).toBe(2);
  });
});

describe('SlackAlerts with a secret object', () => {
  it('uses the given secret and grants read on it', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'Given');
    const secret = new secretsmanager.Secret(stack, 'Mine');
    const alerts = new SlackAlerts(stack, 'Alerts', { webhookSecret: secret });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const secretId = stack.getLogicalId(secret.node.defaultChild as never);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SLACK_WEBHOOK_SECRET_ARN: { Ref: secretId } }) },
    });
    expect(alerts.webhookSecret).toBe(secret);
  });
});

describe('SlackAlerts input checks', () => {
  it.each([
    [{ retryAttempts: 3 }, /retryAttempts must be 0, 1 or 2/],
    [{ alertPathEmail: 'not-an-address' }, /is not an e-mail address/],
  ])('rejects %j', (props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  it('rejects a secret object and a secret name together', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'Both');
    const secret = new secretsmanager.Secret(stack, 'Mine');
    expect(
      () =>
        new SlackAlerts(stack, 'Alerts', {
          webhookSecret: secret,
          webhookSecretName: 'x',
        }),
    ).toThrow(/either webhookSecret or webhookSecretName/);
  });

  it('deploys the notifier built into the package, bundling nothing at synth', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'lookout-notifier-asset-'));
    try {
      const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
      const stack = new Stack(app, 'Prebuilt');
      new SlackAlerts(stack, 'Alerts');
      const [, notifier] = onlyResource(Template.fromStack(stack), 'AWS::Lambda::Function');
      expect(notifier.Properties.Handler).toBe('index.handler');
      expect(notifier.Properties.Runtime).toBe('nodejs24.x');
      app.synth();
      const asset = join(outdir, (notifier.Metadata as Record<string, string>)['aws:asset:path']!);
      const bundle = readFileSync(join(asset, 'index.mjs'), 'utf8');
      const built = readFileSync(
        new URL('../../dist/assets/slack-notifier/index.mjs', import.meta.url),
        'utf8',
      );
      expect(bundle).toBe(built);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
