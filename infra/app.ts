/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy`. Optional context:
 *   -c webhookSecretName=<existing secret>   use a Slack webhook secret you already have
 *   -c alertEmail=<address>                  e-mail for alarms about the alert path itself
 *   -c logsEndpoint=<https://host:port>      Elasticsearch / OpenSearch endpoint the logs are shipped to
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LookoutDemoStack } from './demo-stack.js';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

new LookoutDemoStack(app, 'LookoutDemo', {
  description: 'Lookout demo: orders service with logs, metrics, traces, alarms, dashboard and Slack alerts',
  ...optionalContext(app, 'webhookSecretName'),
  ...optionalContext(app, 'alertEmail'),
  ...optionalContext(app, 'logsEndpoint'),
});

function optionalContext(scope: App, key: string): Record<string, string> {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined || value === '') return {};
  if (typeof value !== 'string') throw new Error(`Context value ${key} must be a string`);
  return { [key]: value };
}
