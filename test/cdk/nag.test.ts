import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ObservedFunction, ServiceMonitoring, SlackAlerts } from '../../lib/cdk/index.js';
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
  const alerts = new SlackAlerts(stack, 'Alerts', {
    notifierEntry: FIXTURE_ENTRY,
    alertPathEmail: 'ops@example.com',
  });
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
