/**
 * The local SSM Parameter Store: every action from the real SDK v3 client, its errors as the SDK's
 * typed exceptions, lookups by name, ARN and version selector, paths with and without recursion,
 * pages, and PutParameter's Overwrite.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  ParameterVersionNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { SsmStandIn } from '../../../sandbox/aws/ssm.js';
import { startSsmStandIn } from '../../../sandbox/aws/ssm.js';
import { TEST_CREDENTIALS } from '../../support/aws-env.js';

let standIn: SsmStandIn;
let client: SSMClient;

beforeAll(async () => {
  standIn = await startSsmStandIn({
    parameters: [
      { name: '/orders/table', type: 'String', value: 'orders' },
      { name: '/orders/origins', type: 'StringList', value: 'http://a,http://b' },
      { name: '/orders/db/password', type: 'SecureString', value: 'hunter2' },
      { name: '/orders/db/user', type: 'String', value: 'app' },
      { name: 'plain', type: 'String', value: 'top level' },
    ],
    region: 'eu-west-2',
    accountId: '123456789012',
    missingHint: 'Add it to the values file.',
  });
  client = new SSMClient({
    endpoint: standIn.url,
    region: 'eu-west-2',
    credentials: TEST_CREDENTIALS,
  });
});

afterAll(async () => {
  client?.destroy();
  await standIn?.close();
});

describe('GetParameter and GetParameters', () => {
  it('gets a parameter by name or ARN, SecureString as stored with or without WithDecryption', async () => {
    const { Parameter } = await client.send(new GetParameterCommand({ Name: '/orders/table' }));
    expect(Parameter).toMatchObject({
      Name: '/orders/table',
      Type: 'String',
      Value: 'orders',
      Version: 1,
      ARN: 'arn:aws:ssm:eu-west-2:123456789012:parameter/orders/table',
    });
    expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    const byArn = await client.send(new GetParameterCommand({ Name: Parameter!.ARN! }));
    expect(byArn.Parameter?.Value).toBe('orders');
    const plain = await client.send(
      new GetParameterCommand({ Name: 'arn:aws:ssm:eu-west-2:123456789012:parameter/plain' }),
    );
    expect(plain.Parameter).toMatchObject({ Name: 'plain', Value: 'top level' });
    for (const WithDecryption of [true, false]) {
      const secure = await client.send(
        new GetParameterCommand({ Name: '/orders/db/password', WithDecryption }),
      );
      expect(secure.Parameter).toMatchObject({ Type: 'SecureString', Value: 'hunter2' });
    }
  });

  it('answers a missing parameter with ParameterNotFound, saying how to add it', async () => {
    const missing = client.send(new GetParameterCommand({ Name: '/nope' }));
    await expect(missing).rejects.toBeInstanceOf(ParameterNotFound);
    await expect(missing).rejects.toThrow(/\/nope.*Add it to the values file/);
  });

  it('lists the names it has not found as InvalidParameters', async () => {
    const result = await client.send(
      new GetParametersCommand({ Names: ['/orders/table', '/nope', 'plain'] }),
    );
    expect(result.Parameters?.map((parameter) => parameter.Name)).toEqual(['/orders/table', 'plain']);
    expect(result.InvalidParameters).toEqual(['/nope']);
  });
});

describe('PutParameter and versions', () => {
  it('refuses to overwrite without Overwrite, and keeps every version for name:version', async () => {
    await expect(
      client.send(new PutParameterCommand({ Name: '/orders/table', Value: 'x', Type: 'String' })),
    ).rejects.toBeInstanceOf(ParameterAlreadyExists);
    const put = await client.send(
      new PutParameterCommand({ Name: '/orders/table', Value: 'orders-v2', Overwrite: true }),
    );
    expect(put.Version).toBe(2);
    const latest = await client.send(new GetParameterCommand({ Name: '/orders/table' }));
    expect(latest.Parameter).toMatchObject({ Value: 'orders-v2', Version: 2, Type: 'String' });
    const first = await client.send(new GetParameterCommand({ Name: '/orders/table:1' }));
    expect(first.Parameter).toMatchObject({ Name: '/orders/table', Value: 'orders', Selector: ':1' });
    await expect(client.send(new GetParameterCommand({ Name: '/orders/table:9' }))).rejects.toBeInstanceOf(
      ParameterVersionNotFound,
    );
  });

  it('creates a new parameter and deletes it', async () => {
    const put = await client.send(
      new PutParameterCommand({ Name: '/new/one', Value: 'a,b', Type: 'StringList' }),
    );
    expect(put.Version).toBe(1);
    expect((await client.send(new GetParameterCommand({ Name: '/new/one' }))).Parameter?.Type).toBe(
      'StringList',
    );
    await client.send(new DeleteParameterCommand({ Name: '/new/one' }));
    await expect(client.send(new GetParameterCommand({ Name: '/new/one' }))).rejects.toBeInstanceOf(
      ParameterNotFound,
    );
    await expect(client.send(new DeleteParameterCommand({ Name: '/new/one' }))).rejects.toBeInstanceOf(
      ParameterNotFound,
    );
  });
});

describe('GetParametersByPath', () => {
  it('gives the direct children, or every descendant with Recursive', async () => {
    const direct = await client.send(new GetParametersByPathCommand({ Path: '/orders' }));
    expect(direct.Parameters?.map((parameter) => parameter.Name)).toEqual([
      '/orders/origins',
      '/orders/table',
    ]);
    const all = await client.send(new GetParametersByPathCommand({ Path: '/orders/', Recursive: true }));
    expect(all.Parameters?.map((parameter) => parameter.Name)).toEqual([
      '/orders/db/password',
      '/orders/db/user',
      '/orders/origins',
      '/orders/table',
    ]);
  });

  it('pages with MaxResults and NextToken', async () => {
    const names: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new GetParametersByPathCommand({ Path: '/', Recursive: true, MaxResults: 3, NextToken }),
      );
      names.push(...(page.Parameters ?? []).map((parameter) => parameter.Name!));
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    expect(pages).toBe(2);
    expect(names).toEqual(['/orders/db/password', '/orders/db/user', '/orders/origins', '/orders/table']);
  });
});
