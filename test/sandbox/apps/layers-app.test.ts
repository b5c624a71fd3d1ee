/**
 * A function with layers: one the stack makes, which the sandbox loads from the cloud assembly
 * (see lambda/layers.test.ts), and one it only names by ARN (as AWS's Parameters and Secrets
 * extension is added), which start-up names as not emulated; the function itself still runs.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Sandbox } from '../../../sandbox/sandbox.js';

const EXTENSION =
  'arn:aws:lambda:eu-west-2:133256977650:layer:AWS-Parameters-and-Secrets-Lambda-Extension:11';

let work: string;
let sandbox: Sandbox;
const startUp: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lookout-layers-app-'));
  // As the CDK CLI synthesizes: asset paths in the metadata.
  const app = new App({ outdir: join(work, 'cdk.out'), context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'LayersApp');
  const shared = new lambda.LayerVersion(stack, 'Shared', {
    code: lambda.Code.fromAsset(join(process.cwd(), 'test', 'sandbox', 'apps', 'handlers')),
  });
  new lambda.Function(stack, 'Reader', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => "ran";'),
    layers: [shared, lambda.LayerVersion.fromLayerVersionArn(stack, 'Extension', EXTENSION)],
  });
  app.synth();
  sandbox = await Sandbox.start({
    projectRoot: work,
    cdkOut: join(work, 'cdk.out'),
    consolePort: 0,
    apiPort: 0,
    log: (line) => startUp.push(line),
  });
}, 180_000);

afterAll(async () => {
  await sandbox?.stop();
  rmSync(work, { recursive: true, force: true });
});

it('names the layer published outside the app at start-up, and says nothing of the one it loads', () => {
  const name = [...sandbox.functions.keys()][0]!;
  const lines = startUp.filter((entry) => entry.includes('layer'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    new RegExp(`^not emulated: ${name}'s layer ${EXTENSION} is not in the cloud assembly`),
  );
  expect(lines[0]).toContain('localhost:2773');
});

it('still runs the function', async () => {
  const name = [...sandbox.functions.keys()][0]!;
  const result = await sandbox.functions.get(name)!.invoke({});
  expect(result).toMatchObject({ status: 'success', result: 'ran' });
});
