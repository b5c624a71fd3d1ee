/**
 * A function with layers: one the stack makes, which the sandbox loads from the cloud assembly
 * (see lambda/layers.test.ts), and one it only names by ARN (as AWS's Parameters and Secrets
 * extension is added), which start-up names as not emulated; the function itself still runs.
 */
import { expect, it } from '@jest/globals';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { runApp } from './support.js';

const EXTENSION =
  'arn:aws:lambda:eu-west-2:133256977650:layer:AWS-Parameters-and-Secrets-Lambda-Extension:11';

const run = runApp('LayersApp', (stack) => {
  const shared = new lambda.LayerVersion(stack, 'Shared', {
    code: lambda.Code.fromAsset(join(process.cwd(), 'test', 'sandbox', 'apps', 'handlers')),
  });
  new lambda.Function(stack, 'Reader', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => "ran";'),
    layers: [shared, lambda.LayerVersion.fromLayerVersionArn(stack, 'Extension', EXTENSION)],
  });
});

it('names the layer published outside the app at start-up, and says nothing of the one it loads', () => {
  const name = [...run.sandbox.functions.keys()][0]!;
  const lines = run.startUp.filter((entry) => entry.includes('layer'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    new RegExp(`^not emulated: ${name}'s layer ${EXTENSION} is not in the cloud assembly`),
  );
  expect(lines[0]).toContain('localhost:2773');
});

it('still runs the function', async () => {
  const name = [...run.sandbox.functions.keys()][0]!;
  const result = await run.sandbox.functions.get(name)!.invoke({});
  expect(result).toMatchObject({ status: 'success', result: 'ran' });
});
