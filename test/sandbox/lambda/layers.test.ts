/**
 * Lambda layers: what a function loads from its layers (`nodejs/node_modules`,
 * `nodejs/node<major>/node_modules`, and files under /opt by absolute path), with a later layer's
 * files over an earlier one's and the function's own modules first; read from a synthesized stack.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createFunctionManager } from '../../../sandbox/lambda/index.js';
import type { CloudFormationTemplate } from '../../../sandbox/template/index.js';
import { readTemplate } from '../../../sandbox/template/index.js';

const root = mkdtempSync(join(tmpdir(), 'lookout-layers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

const cjsPackage = (name: string, value: string) => ({
  [`${name}/package.json`]: JSON.stringify({ name: name.split('/').at(-1), main: 'index.js' }),
  [`${name}/index.js`]: `module.exports = { from: ${JSON.stringify(value)} };`,
});

write({
  // The first layer: a package, a shared file, and a package the second layer replaces.
  ...cjsPackage('shared/nodejs/node_modules/greeting', 'shared layer'),
  ...cjsPackage('shared/nodejs/node_modules/replaced', 'first layer'),
  'shared/nodejs/common.js': `module.exports = { common: 'from /opt/nodejs/common.js' };`,
  // The second: its own version of `replaced`, and a package for Node.js 24 only.
  ...cjsPackage('newer/nodejs/node_modules/replaced', 'second layer'),
  ...cjsPackage('newer/nodejs/node24/node_modules/versioned', 'node24 folder'),
  // The function brings its own `greeting`, which wins over the layer's.
  ...cjsPackage('own/node_modules/greeting', 'function code'),
  'own/index.js': `
    exports.handler = async () => ({
      greeting: require('greeting').from,
      replaced: require('replaced').from,
      versioned: require('versioned').from,
      common: require('/opt/nodejs/common.js').common,
    });`,
  'esm/index.mjs': `
    import greeting from 'greeting';
    import replaced from 'replaced';
    export const handler = async () => ({ greeting: greeting.from, replaced: replaced.from });`,
  'bare/index.mjs': `
    import missing from 'not-in-any-layer';
    export const handler = async () => missing;`,
});
const layers = [join(root, 'shared'), join(root, 'newer')];

async function invoke(folder: string, handler: string, withLayers = layers) {
  const fn = await createFunctionManager({
    name: 'layered',
    bundle: join(root, folder),
    handler,
    layers: withLayers,
  });
  try {
    return await fn.invoke({});
  } finally {
    await fn.close();
  }
}

describe('a function with layers', () => {
  it('loads packages and /opt files from them in CommonJS, its own modules first, later layers over earlier', async () => {
    const result = await invoke('own', 'index.handler');
    expect(result.result).toEqual({
      greeting: 'function code',
      replaced: 'second layer',
      versioned: 'node24 folder',
      common: 'from /opt/nodejs/common.js',
    });
  });

  it('imports from them in an ES module', async () => {
    const result = await invoke('esm', 'index.handler');
    expect(result.result).toEqual({ greeting: 'shared layer', replaced: 'second layer' });
  });

  it('fails to load what no layer has, as Lambda does, and finds nothing in layers it was not given', async () => {
    const missing = await invoke('bare', 'index.handler');
    expect(missing.status).toBe('error');
    expect(JSON.stringify(missing.error)).toContain('not-in-any-layer');
    const without = await invoke('esm', 'index.handler', []);
    expect(without.status).toBe('error');
    expect(JSON.stringify(without.error)).toContain("Cannot find package 'greeting'");
  });
});

describe('layers in the template', () => {
  it('are read from the assembly in order; one published elsewhere is named as such', () => {
    const app = new App({ context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, 'Layered');
    const shared = new lambda.LayerVersion(stack, 'Shared', { code: lambda.Code.fromAsset(layers[0]!) });
    const newer = new lambda.LayerVersion(stack, 'Newer', { code: lambda.Code.fromAsset(layers[1]!) });
    const published = 'arn:aws:lambda:eu-west-2:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:40';
    new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1;'),
      layers: [shared, newer, lambda.LayerVersion.fromLayerVersionArn(stack, 'Powertools', published)],
    });
    const assembly = app.synth();
    const read = readTemplate(
      assembly.getStackByName('Layered').template as CloudFormationTemplate,
      'Layered',
      assembly.directory,
    );
    const [fn] = read.functions;
    expect(fn!.layers).toHaveLength(2);
    expect(fn!.layers.map((folder) => folder.startsWith(assembly.directory))).toEqual([true, true]);
    expect(fn!.outsideLayers).toEqual([published]);
  });
});
