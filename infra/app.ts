/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy`. Optional context:
 *   -c webhookSecretName=<existing secret>   use a Slack webhook secret you already have
 *   -c alertEmail=<address>                  e-mail for alarms about the alert path itself
 *   -c demoFaults=true                       let requests inject latency and failures (the sandbox
 *                                            does; leave it off where others can reach the API)
 *   -c logsEndpoint=<https://host:port>      Elasticsearch / OpenSearch endpoint the logs are shipped to
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { demoPropsFromContext } from './context.js';
import { LookoutDemoStack } from './demo-stack.js';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

new LookoutDemoStack(app, 'LookoutDemo', {
  description: 'Lookout demo: orders service with logs, metrics, traces, alarms, dashboard and Slack alerts',
  ...demoPropsFromContext(app),
});
