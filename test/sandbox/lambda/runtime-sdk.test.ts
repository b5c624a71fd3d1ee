/**
 * The AWS SDK Lambda's Node.js runtimes provide: a bundle that leaves `@aws-sdk/*` out still runs,
 * with the client taken from the sandbox's own installation, from CommonJS and ES modules alike;
 * a client the installation lacks fails init with Lambda's Runtime.ImportModuleError and says what
 * to install; packages Lambda does not provide are not lent.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvocationResult } from '../../../sandbox/lambda/index.js';
import { createFunctionManager } from '../../../sandbox/lambda/index.js';
import type { LocalDynamo } from '../../support/dynalite.js';
import { createDemoTable, startDynalite } from '../../support/dynalite.js';

const root = mkdtempSync(join(tmpdir(), 'lookout-runtime-sdk-'));
let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
  await createDemoTable(dynamo.endpoint, 'sdk-test');
});

afterAll(async () => {
  await dynamo?.close();
  rmSync(root, { recursive: true, force: true });
});

let folders = 0;
async function invokeOnce(file: string, source: string): Promise<InvocationResult> {
  const folder = join(root, `fn-${++folders}`);
  mkdirSync(folder);
  writeFileSync(join(folder, file), source);
  const fn = await createFunctionManager({
    name: 'sdk-user',
    bundle: folder,
    timeoutSeconds: 10,
    environment: { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint },
  });
  try {
    return await fn.invoke({});
  } finally {
    await fn.close();
  }
}

describe('the runtime-provided AWS SDK', () => {
  it('lets a CommonJS and an ES-module handler use @aws-sdk/client-dynamodb they did not bundle', async () => {
    const [cjs, esm] = await Promise.all([
      invokeOnce(
        'index.js',
        `const { DynamoDBClient, ListTablesCommand } = require('@aws-sdk/client-dynamodb');
         const client = new DynamoDBClient({});
         exports.handler = async () => (await client.send(new ListTablesCommand({}))).TableNames;`,
      ),
      invokeOnce(
        'index.mjs',
        `import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
         const client = new DynamoDBClient({});
         export const handler = async () => (await client.send(new ListTablesCommand({}))).TableNames;`,
      ),
    ]);
    expect(cjs.error).toBeUndefined();
    expect(cjs).toMatchObject({ status: 'success', result: ['sdk-test'] });
    expect(esm).toMatchObject({ status: 'success', result: ['sdk-test'] });
  });

  it('fails init with Runtime.ImportModuleError naming the client to install when the installation lacks it', async () => {
    const [esm, cjs] = await Promise.all([
      invokeOnce(
        'index.mjs',
        `import '@aws-sdk/client-not-installed';\nexport const handler = async () => 1;`,
      ),
      invokeOnce(
        'index.js',
        `require('@aws-sdk/client-not-installed/dist-cjs');\nexports.handler = async () => 1;`,
      ),
    ]);
    for (const result of [esm, cjs]) {
      expect(result.status).toBe('error');
      expect(result.error?.errorType).toBe('Runtime.ImportModuleError');
      expect(result.error?.errorMessage).toContain("Cannot find package '@aws-sdk/client-not-installed'");
      expect(result.error?.errorMessage).toContain('npm install --save-dev @aws-sdk/client-not-installed');
    }
  });

  it('does not lend packages Lambda does not provide', async () => {
    const result = await invokeOnce(
      'index.mjs',
      `import '@middy/core';\nexport const handler = async () => 1;`,
    );
    expect(result.error?.errorType).toBe('Runtime.ImportModuleError');
    expect(result.error?.errorMessage).toContain("Cannot find package '@middy/core'");
    expect(result.error?.errorMessage).not.toContain('npm install');
  });
});
