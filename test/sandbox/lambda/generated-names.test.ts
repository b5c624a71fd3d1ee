/**
 * Functions without a FunctionName get the name CloudFormation would generate, cut to Lambda's 64
 * characters the way CloudFormation cuts it, and the alarms watching them (FunctionName from `Ref`)
 * read the same name.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedName } from '../../../sandbox/template/index.js';
import { createFunctionManager } from '../../../sandbox/lambda/index.js';
import { readTemplate } from '../../../sandbox/template/index.js';

const cdkOut = mkdtempSync(join(tmpdir(), 'lookout-names-'));
afterAll(() => rmSync(cdkOut, { recursive: true, force: true }));

const STACK = 'ServerlessImageResizingPipelineStack';
const FUNCTION_ID = 'ImageResizeHandlerFunction5A1B2C3D';

const template = {
  Resources: {
    [FUNCTION_ID]: {
      Type: 'AWS::Lambda::Function',
      Properties: { Handler: 'index.handler', Runtime: 'nodejs22.x' },
      Metadata: { 'aws:asset:path': 'asset.abc' },
    },
    Queue1A2B3C4D: { Type: 'AWS::SQS::Queue', Properties: {} },
    ErrorsAlarm0F1E2D3C: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: FUNCTION_ID } }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      },
    },
  },
};

describe('generated physical names', () => {
  it('cuts a long stack name and logical id to fit Lambda’s 64 characters, keeping the suffix', () => {
    const name = generatedName(STACK, FUNCTION_ID, 64);
    expect(name).toHaveLength(64);
    const [, suffix] = /-([0-9A-F]{12})$/.exec(name)!;
    expect(generatedName(STACK, FUNCTION_ID)).toBe(`${STACK}-${FUNCTION_ID}-${suffix}`);
    // The longer part gives way first, until both are as long; then both shorten together.
    expect(name).toBe(`${STACK.slice(0, 25)}-${FUNCTION_ID.slice(0, 25)}-${suffix}`);
    // A name that fits is left whole.
    expect(generatedName('Short', FUNCTION_ID, 64)).toBe(generatedName('Short', FUNCTION_ID));
    expect(generatedName('Short', FUNCTION_ID, 64)).toMatch(
      new RegExp(`^Short-${FUNCTION_ID}-[0-9A-F]{12}$`),
    );
    // Stable: the same inputs give the same name every time.
    expect(generatedName(STACK, FUNCTION_ID, 64)).toBe(name);
  });

  it('gives the function and its alarm’s FunctionName dimension the same runnable name', async () => {
    mkdirSync(join(cdkOut, 'asset.abc'));
    writeFileSync(join(cdkOut, 'asset.abc', 'index.mjs'), 'export const handler = async () => 1;\n');
    const stack = readTemplate(template, STACK, cdkOut);
    const [fn] = stack.functions;
    expect(fn!.name.length).toBeLessThanOrEqual(64);
    expect(fn!.name.startsWith('ServerlessImageResizing')).toBe(true);
    const alarm = stack.alarms.find((a) => a.logicalId === 'ErrorsAlarm0F1E2D3C')!;
    expect(alarm.kind === 'metric' && alarm.queries[0]).toMatchObject({
      dimensions: { FunctionName: fn!.name },
    });
    // SQS allows 80 characters: the queue keeps its whole name.
    expect(stack.queues[0]!.name).toBe(generatedName(STACK, 'Queue1A2B3C4D'));
    const manager = await createFunctionManager({
      name: fn!.name,
      bundle: fn!.assetDir,
      handler: fn!.handler,
    });
    await manager.close();
  });
});
