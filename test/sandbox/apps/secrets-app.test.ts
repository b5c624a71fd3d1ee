/**
 * A function reading its configuration as deployed code does: the runtime's AWS SDK clients, built
 * with no endpoint, get a secret the stack makes, one it only imports (valued by the values file)
 * and an SSM parameter, from the sandbox's stand-ins; a value that is missing says where to add it.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Sandbox } from '../../../sandbox/sandbox.js';

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

let work: string;
let sandbox: Sandbox;
const startUp: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lookout-secrets-app-'));
  const app = new App({ outdir: join(work, 'cdk.out') });
  const stack = new Stack(app, 'SecretsApp');
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
  app.synth();
  writeFileSync(join(work, 'values.yaml'), 'secrets:\n  shared/stripe: sk_test_local\n');
  sandbox = await Sandbox.start({
    projectRoot: work,
    cdkOut: join(work, 'cdk.out'),
    values: 'values.yaml',
    consolePort: 0,
    apiPort: 0,
    log: (line) => startUp.push(line),
  });
}, 180_000);

afterAll(async () => {
  await sandbox?.stop();
  rmSync(work, { recursive: true, force: true });
});

it('serves a function its secrets and parameters through AWS_ENDPOINT_URL_SECRETS_MANAGER and _SSM', async () => {
  expect(sandbox.endpoints.secretsmanager).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(sandbox.endpoints.ssm).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const reader = [...sandbox.functions.values()][0]!;
  const invocation = await reader.invoke({});
  expect(invocation.error).toBeUndefined();
  const result = invocation.result as Record<string, unknown>;
  expect(result.generated).toEqual({ username: 'app', password: expect.stringMatching(/^.{32}$/) });
  expect(result.imported).toBe('sk_test_local');
  expect(result.parameter).toBe('items');
  expect(result.missing).toMatch(/^ParameterNotFound: .*values file/);
  expect(startUp).toContain('Secrets Manager: 2 secret(s), 1 valued by the template, 1 by values.yaml');
  expect(startUp.join('\n')).not.toContain('sk_test_local');
}, 60_000);
