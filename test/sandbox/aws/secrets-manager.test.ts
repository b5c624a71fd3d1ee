/**
 * The local Secrets Manager: every action from the real SDK v3 client, its errors as the SDK's typed
 * exceptions, lookups by name, ARN and partial ARN, version stages after PutSecretValue, and the
 * passwords GenerateSecretString makes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BatchGetSecretValueCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerStandIn } from '../../../sandbox/aws/secrets-manager.js';
import { generateSecretString, startSecretsManagerStandIn } from '../../../sandbox/aws/secrets-manager.js';
import { TEST_CREDENTIALS } from '../../support/aws-env.js';

const ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:orders/db-AbCdEf';
let standIn: SecretsManagerStandIn;
let client: SecretsManagerClient;

beforeAll(async () => {
  standIn = await startSecretsManagerStandIn({
    secrets: [
      { name: 'orders/db', arn: ARN, value: '{"password":"p1"}', description: 'the database' },
      {
        name: 'api-key',
        arn: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:api-key-XyZ123',
        value: 'k1',
      },
      { name: 'empty', arn: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:empty-QwErTy' },
    ],
    missingHint: 'Add it to the values file.',
  });
  client = new SecretsManagerClient({
    endpoint: standIn.url,
    region: 'eu-west-2',
    credentials: TEST_CREDENTIALS,
  });
});

afterAll(async () => {
  client?.destroy();
  await standIn?.close();
});

describe('GetSecretValue', () => {
  it('finds a secret by name, full ARN and partial ARN', async () => {
    for (const SecretId of ['orders/db', ARN, ARN.slice(0, -7)]) {
      const result = await client.send(new GetSecretValueCommand({ SecretId }));
      expect(result).toMatchObject({ Name: 'orders/db', ARN, SecretString: '{"password":"p1"}' });
      expect(result.VersionStages).toEqual(['AWSCURRENT']);
      expect(result.CreatedDate).toBeInstanceOf(Date);
    }
  });

  it('answers an unknown secret, and one without a value, with ResourceNotFoundException', async () => {
    const unknown = client.send(new GetSecretValueCommand({ SecretId: 'nope' }));
    await expect(unknown).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(unknown).rejects.toThrow(/Add it to the values file/);
    const empty = client.send(new GetSecretValueCommand({ SecretId: 'empty' }));
    await expect(empty).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(empty).rejects.toThrow(/AWSCURRENT.*Add it to the values file/);
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: 'api-key', VersionStage: 'AWSPREVIOUS' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('PutSecretValue', () => {
  it('makes the new version AWSCURRENT and the one before AWSPREVIOUS', async () => {
    const first = await client.send(new GetSecretValueCommand({ SecretId: 'api-key' }));
    const second = await client.send(new PutSecretValueCommand({ SecretId: 'api-key', SecretString: 'k2' }));
    expect(second.VersionStages).toEqual(['AWSCURRENT']);
    const third = await client.send(new PutSecretValueCommand({ SecretId: 'api-key', SecretString: 'k3' }));

    const current = await client.send(new GetSecretValueCommand({ SecretId: 'api-key' }));
    expect(current).toMatchObject({ SecretString: 'k3', VersionId: third.VersionId });
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'api-key', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous).toMatchObject({ SecretString: 'k2', VersionId: second.VersionId });
    const byId = await client.send(
      new GetSecretValueCommand({ SecretId: 'api-key', VersionId: second.VersionId! }),
    );
    expect(byId.SecretString).toBe('k2');

    const described = await client.send(new DescribeSecretCommand({ SecretId: 'api-key' }));
    expect(described.VersionIdsToStages).toEqual({
      [second.VersionId!]: ['AWSPREVIOUS'],
      [third.VersionId!]: ['AWSCURRENT'],
    });
    expect(described.VersionIdsToStages).not.toHaveProperty(first.VersionId!);
  });

  it('gives a secret without a value its first version', async () => {
    await client.send(new PutSecretValueCommand({ SecretId: 'empty', SecretString: 'now' }));
    const result = await client.send(new GetSecretValueCommand({ SecretId: 'empty' }));
    expect(result.SecretString).toBe('now');
  });

  it('refuses a request with neither SecretString nor SecretBinary', async () => {
    await expect(client.send(new PutSecretValueCommand({ SecretId: 'api-key' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });
});

describe('BatchGetSecretValue, DescribeSecret, ListSecrets', () => {
  it('gets several at once and reports the missing ones as errors', async () => {
    const result = await client.send(
      new BatchGetSecretValueCommand({ SecretIdList: ['orders/db', 'missing'] }),
    );
    expect(result.SecretValues?.map((value) => value.Name)).toEqual(['orders/db']);
    expect(result.Errors).toEqual([
      expect.objectContaining({ SecretId: 'missing', ErrorCode: 'ResourceNotFoundException' }),
    ]);
    const filtered = await client.send(
      new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['orders/'] }] }),
    );
    expect(filtered.SecretValues?.map((value) => value.SecretString)).toEqual(['{"password":"p1"}']);
  });

  it('describes a secret without its value', async () => {
    const described = await client.send(new DescribeSecretCommand({ SecretId: ARN }));
    expect(described).toMatchObject({ Name: 'orders/db', ARN, Description: 'the database' });
    expect(JSON.stringify(described)).not.toContain('p1');
  });

  it('lists secrets page by page and by filter', async () => {
    const first = await client.send(new ListSecretsCommand({ MaxResults: 2 }));
    expect(first.SecretList?.map((secret) => secret.Name)).toEqual(['orders/db', 'api-key']);
    const second = await client.send(new ListSecretsCommand({ MaxResults: 2, NextToken: first.NextToken! }));
    expect(second.SecretList?.map((secret) => secret.Name)).toEqual(['empty']);
    expect(second.NextToken).toBeUndefined();
    const filtered = await client.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['api'] }] }),
    );
    expect(filtered.SecretList?.map((secret) => secret.Name)).toEqual(['api-key']);
  });
});

describe('the protocol', () => {
  it('names the error in __type and x-amzn-errortype, and refuses actions it does not serve', async () => {
    const post = (target: string, body: string) =>
      fetch(standIn.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    const missing = await post('secretsmanager.GetSecretValue', '{"SecretId":"nope"}');
    expect(missing.status).toBe(400);
    expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await missing.json()).toMatchObject({ __type: 'ResourceNotFoundException' });
    const unknown = await post('secretsmanager.DeleteSecret', '{"SecretId":"api-key"}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    const notJson = await post('secretsmanager.GetSecretValue', '{');
    expect(await notJson.json()).toMatchObject({ __type: 'SerializationException' });
  });
});

describe('generateSecretString', () => {
  const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;

  it('makes 32 characters with one of each type by default, and no space', () => {
    for (let i = 0; i < 50; i++) {
      const password = generateSecretString({});
      expect(password).toHaveLength(32);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(PUNCTUATION);
      expect(password).not.toContain(' ');
    }
  });

  it('honours the length, the excluded characters and types, and IncludeSpace', () => {
    for (let i = 0; i < 50; i++) {
      const password = generateSecretString({
        PasswordLength: 12,
        ExcludePunctuation: true,
        ExcludeUppercase: true,
        ExcludeCharacters: 'aeiou0',
        IncludeSpace: true,
      });
      expect(password).toMatch(/^[b-df-hj-np-tv-z1-9 ]{12}$/);
      expect(password).toContain(' ');
      expect(password).toMatch(/[0-9]/);
    }
    expect(
      generateSecretString({
        PasswordLength: 6,
        ExcludeLowercase: true,
        ExcludeUppercase: true,
        ExcludePunctuation: true,
      }),
    ).toMatch(/^\d{6}$/);
  });

  it('puts the password into SecretStringTemplate under GenerateStringKey', () => {
    const secret = JSON.parse(
      generateSecretString({
        SecretStringTemplate: '{"username":"app"}',
        GenerateStringKey: 'password',
        PasswordLength: 20,
      }),
    ) as Record<string, string>;
    expect(secret.username).toBe('app');
    expect(secret.password).toHaveLength(20);
  });

  it('refuses what CloudFormation refuses', () => {
    expect(() =>
      generateSecretString({
        ExcludeLowercase: true,
        ExcludeUppercase: true,
        ExcludeNumbers: true,
        ExcludePunctuation: true,
      }),
    ).toThrow(/excludes every character/);
    expect(() => generateSecretString({ PasswordLength: 3 })).toThrow(/too short/);
    expect(() => generateSecretString({ SecretStringTemplate: '{}' })).toThrow(/go together/);
  });
});
