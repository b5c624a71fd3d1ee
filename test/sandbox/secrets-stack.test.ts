/**
 * A CDK stack's secrets and SSM parameters in the sandbox: the values the template gives or makes,
 * the values file over them and for what the stack only imports, `Ref`/`Fn::GetAtt` as
 * CloudFormation resolves them, and real clients (the SDK's and Powertools Parameters') reaching the
 * stand-ins with nothing but the `AWS_ENDPOINT_URL_*` variables the functions get.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, SecretValue, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import type { ServiceContext } from '../../sandbox/services/index.js';
import { SecretsManagerService, SsmService } from '../../sandbox/services/index.js';
import type { SandboxStack } from '../../sandbox/template/index.js';
import { readStack, resourcesOfType, SANDBOX_ACCOUNT, SANDBOX_REGION } from '../../sandbox/template/index.js';
import { parseValues } from '../../sandbox/values.js';

const IMPORTED_ARN = `arn:aws:secretsmanager:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:secret:shared/by-arn-Q1w2E3`;
let outdir: string;
let stack: SandboxStack;
const secretsService = new SecretsManagerService();
const ssmService = new SsmService();
const logged: string[] = [];
let environment: Record<string, string>;

const logicalId = (type: string, start: string) =>
  resourcesOfType(stack.template, type).find(([id]) => id.startsWith(start))![0];

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'lookout-secrets-stack-'));
  const app = new App({ outdir });
  const cdk = new Stack(app, 'Secrets');
  const db = new secretsmanager.Secret(cdk, 'DbSecret', {
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ username: 'app' }),
      generateStringKey: 'password',
      passwordLength: 24,
      excludePunctuation: true,
    },
  });
  const apiKey = new secretsmanager.Secret(cdk, 'ApiKey', {
    secretName: 'orders/api-key',
    secretStringValue: SecretValue.unsafePlainText('from-the-template'),
  });
  new secretsmanager.Secret(cdk, 'Overridden', {
    secretStringValue: SecretValue.unsafePlainText('template-value'),
  });
  const imported = secretsmanager.Secret.fromSecretNameV2(cdk, 'Imported', 'shared/stripe');
  const table = new ssm.StringParameter(cdk, 'TableName', {
    parameterName: '/orders/table',
    stringValue: 'orders',
  });
  const unnamed = new ssm.StringParameter(cdk, 'Unnamed', { stringValue: 'generated name' });
  new ssm.StringListParameter(cdk, 'Origins', {
    parameterName: '/orders/origins',
    stringListValue: ['http://a', 'http://b'],
  });
  new lambda.Function(cdk, 'Reader', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    environment: {
      DB_SECRET_ARN: db.secretArn,
      API_KEY_ARN: apiKey.secretArn,
      IMPORTED_SECRET_ARN: imported.secretArn,
      TABLE_PARAMETER: table.parameterName,
      UNNAMED_PARAMETER: unnamed.parameterName,
      UNNAMED_VALUE: unnamed.stringValue,
    },
  });
  app.synth();
  stack = readStack(outdir);
  environment = stack.functions[0]!.environment;

  const values = parseValues({
    secrets: {
      [logicalId('AWS::SecretsManager::Secret', 'Overridden')]: { token: 'from-the-file' },
      'shared/stripe': 'sk_test_local',
      [IMPORTED_ARN]: 'by-arn',
    },
    parameters: { '/orders/table': 'orders-local', '/imported/flags': ['a', 'b'] },
  });
  const context = {
    stack,
    settings: { values: { ...values, source: 'values.yaml' } },
    log: (message: string) => logged.push(message),
  } as unknown as ServiceContext;
  await secretsService.start(context);
  await ssmService.start(context);
}, 120_000);

afterAll(async () => {
  await secretsService.stop();
  await ssmService.stop();
  rmSync(outdir, { recursive: true, force: true });
});

describe('Ref and Fn::GetAtt, as CloudFormation resolves them', () => {
  it('gives a secret’s ARN, with the 6-character suffix, for Ref; a generated name is the logical id and 12 characters', () => {
    const id = logicalId('AWS::SecretsManager::Secret', 'DbSecret');
    expect(environment.DB_SECRET_ARN).toMatch(
      new RegExp(
        `^arn:aws:secretsmanager:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:secret:${id}-[A-Za-z0-9]{12}-[A-Za-z0-9]{6}$`,
      ),
    );
    expect(environment.API_KEY_ARN).toMatch(/:secret:orders\/api-key-[A-Za-z0-9]{6}$/);
    expect(stack.resolver.getAtt(id, 'Id')).toBe(environment.DB_SECRET_ARN);
  });

  it('gives a parameter’s name for Ref (CFN-<logical id>-… when generated) and its Type and Value for GetAtt', () => {
    const id = logicalId('AWS::SSM::Parameter', 'Unnamed');
    expect(environment.TABLE_PARAMETER).toBe('/orders/table');
    expect(environment.UNNAMED_PARAMETER).toMatch(new RegExp(`^CFN-${id}-[A-Za-z0-9]{12}$`));
    expect(environment.UNNAMED_VALUE).toBe('generated name');
    expect(stack.resolver.getAtt(id, 'Type')).toBe('String');
  });
});

describe('the stand-ins, reached through AWS_ENDPOINT_URL_* alone', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    // What FunctionsService sets for every function, and nothing else AWS-specific.
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secretsService.endpoint;
    process.env.AWS_ENDPOINT_URL_SSM = ssmService.endpoint;
    process.env.AWS_REGION = SANDBOX_REGION;
    process.env.AWS_ACCESS_KEY_ID = 'sandbox';
    process.env.AWS_SECRET_ACCESS_KEY = 'sandbox';
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS;
  });
  afterAll(() => {
    process.env = saved;
  });

  it('serves the template’s values, generated ones by their rules, and the values file’s over them', async () => {
    const client = new SecretsManagerClient({});
    const value = async (SecretId: string) =>
      (await client.send(new GetSecretValueCommand({ SecretId }))).SecretString;
    const db = JSON.parse((await value(environment.DB_SECRET_ARN!))!) as Record<string, string>;
    expect(db.username).toBe('app');
    expect(db.password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(await value(environment.API_KEY_ARN!)).toBe('from-the-template');
    expect(await value('orders/api-key')).toBe('from-the-template');
    const overridden = resourcesOfType(stack.template, 'AWS::SecretsManager::Secret').find(([id]) =>
      id.startsWith('Overridden'),
    )![0];
    expect(JSON.parse((await value(stack.resolver.ref(overridden)))!)).toEqual({ token: 'from-the-file' });
    expect(await value('shared/stripe')).toBe('sk_test_local');
    // fromSecretNameV2 gives the partial ARN, without the suffix.
    expect(environment.IMPORTED_SECRET_ARN).toMatch(/:secret:shared\/stripe$/);
    expect(await value(environment.IMPORTED_SECRET_ARN!)).toBe('sk_test_local');
    expect(await value(IMPORTED_ARN)).toBe('by-arn');
    expect(await value('shared/by-arn')).toBe('by-arn');
    client.destroy();

    const ssmClient = new SSMClient({});
    const parameter = async (Name: string) =>
      (await ssmClient.send(new GetParameterCommand({ Name }))).Parameter;
    expect(await parameter('/orders/table')).toMatchObject({ Value: 'orders-local', Type: 'String' });
    expect(await parameter('/orders/origins')).toMatchObject({
      Value: 'http://a,http://b',
      Type: 'StringList',
    });
    expect(await parameter('/imported/flags')).toMatchObject({ Value: 'a,b', Type: 'StringList' });
    expect((await parameter(environment.UNNAMED_PARAMETER!))?.Value).toBe('generated name');
    const missing = ssmClient.send(new GetParameterCommand({ Name: '/not/there' }));
    await expect(missing).rejects.toBeInstanceOf(ParameterNotFound);
    await expect(missing).rejects.toThrow(/values file/);
    ssmClient.destroy();
  });

  it('serves Powertools Parameters, as a handler uses it', async () => {
    const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
    const { getParameter } = await import('@aws-lambda-powertools/parameters/ssm');
    expect(await getSecret(environment.API_KEY_ARN!)).toBe('from-the-template');
    expect(await getSecret('shared/stripe', { maxAge: 0 })).toBe('sk_test_local');
    expect(await getParameter('/orders/table')).toBe('orders-local');
    expect(await getParameter('/imported/flags', { decrypt: true })).toBe('a,b');
  });
});

describe('what the start-up says', () => {
  it('counts the secrets and parameters and where their values came from, and never a value', () => {
    const text = logged.join('\n');
    expect(text).toContain('Secrets Manager: 5 secret(s), 2 valued by the template, 3 by values.yaml');
    expect(text).toContain('SSM: 4 parameter(s), 2 valued by the template, 2 by values.yaml');
    for (const secret of ['from-the-template', 'from-the-file', 'sk_test_local', 'by-arn', 'orders-local'])
      expect(text).not.toContain(secret);
  });
});
