/**
 * A function reading its configuration as deployed code does: the runtime's AWS SDK clients, built
 * with no endpoint, get a secret the stack makes, one it only imports (valued by the values file)
 * and an SSM parameter, from the sandbox's stand-ins; a value that is missing says where to add it.
 */
import { expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { runApp } from './support.js';

const HANDLER = `
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const { SSMClient, GetParameterCommand } = require('@aws-sdk/client-ssm');
const secrets = new SecretsManagerClient({});
const parameters = new SSMClient({});
exports.handler = async () => {
  const secret = (id) => secrets.send(new GetSecretValueCommand({ SecretId: id })).then((r) => r.SecretString);
  const missing = await parameters.send(new GetParameterCommand({ Name: '/not/there' })).then(
    () => 'found',
    (error) => error.name + ': ' + error.message,
  );
  return {
    generated: JSON.parse(await secret(process.env.DB_SECRET_ARN)),
    imported: await secret(process.env.STRIPE_SECRET_ARN),
    parameter: (await parameters.send(new GetParameterCommand({ Name: process.env.TABLE_PARAMETER }))).Parameter.Value,
    missing,
  };
};`;

const run = runApp(
  'SecretsApp',
  (stack, work) => {
    const db = new secretsmanager.Secret(stack, 'Db', {
      generateSecretString: { secretStringTemplate: '{"username":"app"}', generateStringKey: 'password' },
    });
    const stripe = secretsmanager.Secret.fromSecretNameV2(stack, 'Stripe', 'shared/stripe');
    const table = new ssm.StringParameter(stack, 'Table', {
      parameterName: '/app/table',
      stringValue: 'items',
    });
    new lambda.Function(stack, 'Reader', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(HANDLER),
      environment: {
        DB_SECRET_ARN: db.secretArn,
        STRIPE_SECRET_ARN: stripe.secretArn,
        TABLE_PARAMETER: table.parameterName,
      },
    });
    writeFileSync(join(work, 'values.yaml'), 'secrets:\n  shared/stripe: sk_test_local\n');
  },
  {
    values: 'values.yaml',
  },
);

it('serves a function its secrets and parameters through AWS_ENDPOINT_URL_SECRETS_MANAGER and _SSM', async () => {
  expect(run.sandbox.endpoints.secretsmanager).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(run.sandbox.endpoints.ssm).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const reader = [...run.sandbox.functions.values()][0]!;
  const invocation = await reader.invoke({});
  expect(invocation.error).toBeUndefined();
  const result = invocation.result as Record<string, unknown>;
  expect(result.generated).toEqual({ username: 'app', password: expect.stringMatching(/^.{32}$/) });
  expect(result.imported).toBe('sk_test_local');
  expect(result.parameter).toBe('items');
  expect(result.missing).toMatch(/^ParameterNotFound: .*values file/);
  expect(run.startUp).toContain('Secrets Manager: 2 secret(s), 1 valued by the template, 1 by values.yaml');
  expect(run.startUp.join('\n')).not.toContain('sk_test_local');
}, 60_000);
