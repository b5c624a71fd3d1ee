/**
 * Functions as users write them, not only as Lookout bundles them: CommonJS `index.js` from
 * `Code.fromAsset` or NodejsFunction's default output, ES modules, nested handler paths, callback
 * handlers on the runtimes that still take them, and runtimes the sandbox cannot run. Each is a
 * tiny code folder written for the test.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FunctionConfig, InvocationResult } from '../../../sandbox/lambda/index.js';
import { createFunctionManager, runtimeSupport } from '../../../sandbox/lambda/index.js';
import { protectAssets, readTemplate } from '../../../sandbox/template/index.js';

const root = mkdtempSync(join(tmpdir(), 'lookout-user-functions-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** Writes `files` (path → source) into a fresh folder and returns it. */
function codeFolder(files: Record<string, string>, parent = root): string {
  const folder = join(parent, `fn-${++folders}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  return folder;
}

/** Starts the function, invokes it once with `event`, and stops it. */
async function invokeOnce(
  files: Record<string, string> | string,
  config: Partial<FunctionConfig> = {},
  event: unknown = { n: 1 },
): Promise<InvocationResult> {
  const bundle = typeof files === 'string' ? files : codeFolder(files);
  const fn = await createFunctionManager({ name: 'user-fn', bundle, ...config });
  try {
    return await fn.invoke(event);
  } finally {
    await fn.close();
  }
}

const CJS = `exports.handler = async (event) => ({ format: typeof require === 'function' ? 'cjs' : 'esm', event });\n`;
const ESM = `export const handler = async (event) => ({ format: typeof require === 'function' ? 'cjs' : 'esm', event });\n`;

describe('finding the handler as Lambda’s Node.js runtime does', () => {
  it('runs a CommonJS index.js, an .mjs, a .cjs, and a .js the package.json makes an ES module', async () => {
    const results = await Promise.all([
      invokeOnce({ 'index.js': CJS }),
      invokeOnce({ 'index.mjs': ESM }),
      invokeOnce({ 'main.cjs': CJS }, { handler: 'main.handler' }),
      invokeOnce({ 'index.js': ESM, 'package.json': '{"type":"module"}' }),
    ]);
    expect(results.map((r) => [r.status, (r.result as { format?: string } | undefined)?.format])).toEqual([
      ['success', 'cjs'],
      ['success', 'esm'],
      ['success', 'cjs'],
      ['success', 'esm'],
    ]);
    expect(results[0]!.result).toEqual({ format: 'cjs', event: { n: 1 } });
  });

  it('follows a nested path and a nested export (src/handlers/app.api.handler)', async () => {
    const result = await invokeOnce(
      { 'src/handlers/app.js': 'exports.api = { handler: async () => "nested" };\n' },
      { handler: 'src/handlers/app.api.handler' },
    );
    expect(result).toMatchObject({ status: 'success', result: 'nested' });
  });

  it('runs a CommonJS asset of a CDK app whose own package.json says "type": "module"', async () => {
    const project = codeFolder({ 'package.json': '{"type":"module"}' });
    const cdkOut = join(project, 'cdk.out');
    const asset = codeFolder({ 'index.js': CJS }, cdkOut);
    await protectAssets(cdkOut);
    expect(await invokeOnce(asset)).toMatchObject({ status: 'success', result: { format: 'cjs' } });
  });

  it('fails with Lambda’s own error types when the handler cannot be found', async () => {
    const [noModule, noExport, notFunction, badName, upwards] = await Promise.all([
      invokeOnce({ 'other.js': CJS }),
      invokeOnce({ 'index.js': CJS }, { handler: 'index.main' }),
      invokeOnce({ 'index.js': 'exports.handler = 42;\n' }),
      invokeOnce({ 'index.js': CJS }, { handler: 'index' }),
      invokeOnce({ 'index.js': CJS }, { handler: '../index.handler' }),
    ]);
    expect(noModule.error).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: expect.stringContaining("Cannot find module 'index'"),
    });
    expect(noExport.error).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.main is undefined or not exported',
    });
    expect(notFunction.error).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.handler is not a function',
    });
    expect(badName.error).toMatchObject({
      errorType: 'Runtime.MalformedHandlerName',
      errorMessage: 'Bad handler',
    });
    expect(upwards.error).toMatchObject({ errorType: 'Runtime.MalformedHandlerName' });
    for (const result of [noModule, noExport, notFunction, badName, upwards])
      expect(result.status).toBe('error');
  });

  it('reports a syntax error in the handler module as Runtime.UserCodeSyntaxError', async () => {
    const result = await invokeOnce({ 'index.mjs': 'export const handler = async () => {;\n' });
    expect(result.error?.errorType).toBe('Runtime.UserCodeSyntaxError');
  });
});

const CALLBACK_HANDLER = `exports.handler = (event, context, callback) => {
  setTimeout(() => (event.fail ? callback(new Error('declined')) : callback(null, { via: 'callback', id: context.awsRequestId })), 5);
};\n`;

describe('the declared runtime', () => {
  it('runs a callback handler on nodejs22.x, its result and its error', async () => {
    const folder = codeFolder({ 'index.js': CALLBACK_HANDLER });
    const fn = await createFunctionManager({ name: 'callbacks', bundle: folder, runtime: 'nodejs22.x' });
    try {
      const ok = await fn.invoke({});
      expect(ok).toMatchObject({ status: 'success', result: { via: 'callback', id: ok.requestId } });
      const failed = await fn.invoke({ fail: true });
      expect(failed).toMatchObject({
        status: 'error',
        error: { errorType: 'Error', errorMessage: 'declined' },
      });
    } finally {
      await fn.close();
    }
  });

  it('refuses a callback handler on nodejs24.x with the error Lambda gives', async () => {
    const result = await invokeOnce({ 'index.js': CALLBACK_HANDLER }, { runtime: 'nodejs24.x' });
    expect(result).toMatchObject({ status: 'error', coldStart: true });
    expect(result.error).toMatchObject({
      errorType: 'Runtime.CallbackHandlerDeprecated',
      errorMessage: expect.stringContaining(
        'AWS Lambda has removed support for callback-based function handlers starting with Node.js 24',
      ),
    });
  });

  it('gives the function the AWS_EXECUTION_ENV of its runtime', async () => {
    const result = await invokeOnce(
      { 'index.js': 'exports.handler = async () => process.env.AWS_EXECUTION_ENV;\n' },
      { runtime: 'nodejs22.x' },
    );
    expect(result.result).toBe('AWS_Lambda_nodejs22.x');
  });

  it('does not run a runtime Lambda no longer supports, or a non-Node runtime, and says why', async () => {
    const folder = codeFolder({ 'index.js': CJS });
    for (const [runtime, why] of [
      ['nodejs16.x', /nodejs16\.x is one Lambda no longer supports; move it to nodejs24\.x or nodejs22\.x/],
      ['python3.13', /python3\.13 is not Node\.js, and the sandbox runs Node\.js functions only/],
    ] as const) {
      const fn = await createFunctionManager({ name: 'old', bundle: folder, runtime });
      expect(fn.notEmulated).toMatch(why);
      const result = await fn.invoke({});
      expect(result).toMatchObject({
        status: 'error',
        error: { errorType: 'Sandbox.RuntimeNotEmulated', errorMessage: expect.stringMatching(why) },
      });
      expect(fn.containers()).toHaveLength(0);
      await fn.close();
    }
  });

  it('fails every invocation of a function whose code it was told it cannot run', async () => {
    const why = 'its code is not in the cloud assembly';
    const fn = await createFunctionManager({
      name: 'remote',
      bundle: join(root, 'absent'),
      notEmulated: why,
    });
    expect(fn.notEmulated).toBe(why);
    expect((await fn.invoke({})).error).toEqual({
      errorType: 'Sandbox.RuntimeNotEmulated',
      errorMessage: `remote is not emulated: ${why}`,
    });
    await fn.close();
  });

  it('reads each function’s runtime from the template, writes out inline code, and notes code it cannot run', () => {
    const cdkOut = codeFolder({ 'asset.py/index.py': 'def handler(e, c): return 1\n' });
    const template = {
      Resources: {
        Inline1: {
          Type: 'AWS::Lambda::Function',
          Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: CJS } },
        },
        Python1: {
          Type: 'AWS::Lambda::Function',
          Properties: { Runtime: 'python3.13', Handler: 'index.handler' },
          Metadata: { 'aws:asset:path': 'asset.py' },
        },
        FromBucket1: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Runtime: 'nodejs22.x',
            Handler: 'index.handler',
            Code: { S3Bucket: 'b', S3Key: 'k.zip' },
          },
        },
        Image1: {
          Type: 'AWS::Lambda::Function',
          Properties: { PackageType: 'Image', Code: { ImageUri: 'x' } },
          Metadata: { 'aws:asset:path': 'asset.py' },
        },
      },
    };
    const stack = readTemplate(template, 'Apps', cdkOut);
    const byId = Object.fromEntries(stack.functions.map((fn) => [fn.logicalId, fn]));
    expect(byId.Inline1).toMatchObject({ runtime: 'nodejs22.x', assetDir: join(cdkOut, 'inline.Inline1') });
    expect(readFileSync(join(cdkOut, 'inline.Inline1', 'index.js'), 'utf8')).toBe(CJS);
    expect(byId.Python1).toMatchObject({ runtime: 'python3.13', assetDir: join(cdkOut, 'asset.py') });
    expect(byId.Image1!.runtime).toBe('container-image');
    expect(runtimeSupport(byId.Image1!.runtime)).toMatch(/^it is a container image function/);
    // Code the assembly does not hold is no reason to stop the sandbox: the function is not emulated.
    expect(byId.FromBucket1!.codeProblem).toBe(
      'its code is not in the cloud assembly (neither a CDK asset nor inline code)',
    );
  });
});
