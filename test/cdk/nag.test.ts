import { App, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import {
  LogDestination,
  LogShipping,
  ObservedFunction,
  ServiceMonitoring,
  SlackAlerts,
} from '../../lib/cdk/index.js';
import { FIXTURE_ENTRY, NO_BUNDLING } from './support/template.js';

/** Every acknowledgement in the tree: rule id (without the annotation:: prefix), where, why. */
function acknowledgements(root: IConstruct): { id: string; path: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          path: c.node.path,
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions on the lookout/cdk constructs', () => {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'Observed');
  const fn = new ObservedFunction(stack, 'Api', { entry: FIXTURE_ENTRY, serviceName: 'orders' });
  const alerts = new SlackAlerts(stack, 'Alerts', { alertPathEmail: 'ops@example.com' });
  new ServiceMonitoring(stack, 'Monitoring', {
    functions: [fn],
    alarmTopic: alerts.topic,
    http: { routes: ['GET /'] },
    database: {},
    healthCheck: {},
    extraSections: [alerts.alertPath],
  });

  it('reports no violation', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('passes as a validation plugin during synth', () => {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('acknowledges only what it justifies in code', () => {
    const acks = acknowledgements(app);
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual(
      [
        'Observed/Alerts/NotifierRole AwsSolutions-IAM5[Resource::*]',
        'Observed/ApiRole AwsSolutions-IAM5[Resource::*]',
        'Observed/Alerts/UndeliveredAlerts AwsSolutions-SQS3',
        'Observed/Alerts/IdempotencyTable AwsSolutions-DDB3',
        'Observed/Alerts/WebhookSecret AwsSolutions-SMG4',
      ].sort(),
    );
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(60);
  });

  it('still catches a resource that breaks a rule (the checks are live)', () => {
    const other = new App({ context: NO_BUNDLING });
    const bare = new Stack(other, 'Bare');
    new sqs.Queue(bare, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const rules = new AwsSolutionsChecks().validateScope(other).violations.map((v) => v.ruleName);
    expect(rules).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });
});

describe('cdk-nag AwsSolutions on a profiling ObservedFunction', () => {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'Profiled');
  new ObservedFunction(stack, 'Plain', {
    entry: FIXTURE_ENTRY,
    profiling: {
      bucket: s3.Bucket.fromBucketName(stack, 'Profiles', 'lookout-profiles'),
      sampleRate: 0.01,
      slowerThanMs: 1000,
    },
  });
  new ObservedFunction(stack, 'Encrypted', {
    entry: FIXTURE_ENTRY,
    profiling: {
      bucket: s3.Bucket.fromBucketAttributes(stack, 'EncryptedProfiles', {
        bucketName: 'lookout-encrypted-profiles',
        encryptionKey: kms.Key.fromKeyArn(
          stack,
          'ProfileKey',
          'arn:aws:kms:eu-west-2:123456789012:key/11111111-2222-3333-4444-555555555555',
        ),
      }),
      prefix: 'cpu',
    },
  });

  it('reports no violation', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('names a bucket of the same stack the way cdk-nag does, so the acknowledgement matches', () => {
    const other = new App({ context: NO_BUNDLING });
    const sameStack = new Stack(other, 'SameStack');
    const bucket = new s3.Bucket(sameStack, 'Profiles', { enforceSSL: true });
    new ObservedFunction(sameStack, 'Api', { entry: FIXTURE_ENTRY, profiling: { bucket, sampleRate: 0.5 } });
    const rules = new AwsSolutionsChecks().validateScope(other).violations.map((v) => v.ruleName);
    // The bucket's own findings (access logs) are the test's business; the role has none.
    expect(rules.filter((rule) => rule.startsWith('AwsSolutions-IAM'))).toEqual([]);
    expect(rules).toContain('AwsSolutions-S1');
  });

  it('acknowledges the profile prefix and X-Ray, nothing broader', () => {
    expect(
      acknowledgements(app)
        .map((a) => `${a.path} ${a.id}`)
        .sort(),
    ).toEqual(
      [
        'Profiled/EncryptedRole AwsSolutions-IAM5[Resource::*]',
        'Profiled/EncryptedRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::lookout-encrypted-profiles/cpu/*]',
        'Profiled/PlainRole AwsSolutions-IAM5[Resource::*]',
        'Profiled/PlainRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::lookout-profiles/profiles/*]',
      ].sort(),
    );
  });
});

describe('cdk-nag AwsSolutions on LogShipping, to each kind of destination', () => {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'Shipping');
  new ObservedFunction(stack, 'Api', { entry: FIXTURE_ENTRY, serviceName: 'orders' });
  const alerts = new SlackAlerts(stack, 'Alerts');
  new LogShipping(stack, 'ToDomain', {
    destination: LogDestination.openSearchDomain(
      opensearch.Domain.fromDomainAttributes(stack, 'Domain', {
        domainArn: 'arn:aws:es:eu-west-1:123456789012:domain/logs',
        domainEndpoint: 'search-logs-abc.eu-west-1.es.amazonaws.com',
      }),
    ),
    alarmTopic: alerts.topic,
  });
  new LogShipping(stack, 'ToEndpoint', {
    destination: LogDestination.endpoint('https://logs.example.com:9243'),
    alarmTopic: alerts.topic,
  });
  new LogShipping(stack, 'ToCollection', {
    destination: LogDestination.openSearchServerless(
      new aoss.CfnCollection(stack, 'Collection', { name: 'shop-logs', type: 'SEARCH' }),
    ),
    alarmTopic: alerts.topic,
  });

  it('reports no violation', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges the dead-letter queues, the placeholder secret, X-Ray and the log indexes, nothing broader', () => {
    const acks = acknowledgements(app).filter(
      (a) => !a.path.startsWith('Shipping/Alerts') && !a.path.startsWith('Shipping/Api'),
    );
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual(
      [
        'Shipping/ToCollection/DeadLetterQueue AwsSolutions-SQS3',
        'Shipping/ToCollection/ShipperRole AwsSolutions-IAM5[Resource::*]',
        'Shipping/ToDomain/DeadLetterQueue AwsSolutions-SQS3',
        'Shipping/ToDomain/ShipperRole AwsSolutions-IAM5[Resource::*]',
        'Shipping/ToDomain/ShipperRole AwsSolutions-IAM5[Resource::arn:aws:es:eu-west-1:123456789012:domain/logs/lookout-logs-*]',
        'Shipping/ToEndpoint/ApiKeySecret AwsSolutions-SMG4',
        'Shipping/ToEndpoint/DeadLetterQueue AwsSolutions-SQS3',
        'Shipping/ToEndpoint/ShipperRole AwsSolutions-IAM5[Resource::*]',
      ].sort(),
    );
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(60);
  });
});
