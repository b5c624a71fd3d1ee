/**
 * Start-up names every resource the sandbox will not run: a stack synthesized by CDK with parts
 * the sandbox has no stand-in for (a Kinesis stream feeding a function, a Step Functions state
 * machine, a custom resource) next to parts it runs.
 */
import { describe, expect, it } from '@jest/globals';
import { App, CustomResource, Fn, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, KinesisEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxServices } from '../../../sandbox/services/index.js';
import type { CloudFormationTemplate } from '../../../sandbox/template/index.js';
import { coverageLines, readTemplate, resourceCoverage } from '../../../sandbox/template/index.js';

function synthesize(): CloudFormationTemplate {
  const app = new App();
  const stack = new Stack(app, 'Mixed');
  const code = lambda.Code.fromInline('exports.handler = async () => ({ ok: true });');
  const layer = new lambda.LayerVersion(stack, 'SharedLayer', {
    code: lambda.Code.fromAsset(join(process.cwd(), 'test', 'sandbox', 'apps', 'handlers')),
  });
  const reader = new lambda.Function(stack, 'Reader', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code,
    layers: [layer],
  });
  const stream = new kinesis.Stream(stack, 'Clicks');
  reader.addEventSource(new KinesisEventSource(stream, { startingPosition: lambda.StartingPosition.LATEST }));
  const orders = new dynamodb.Table(stack, 'Orders', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_IMAGE,
  });
  reader.addEventSource(new DynamoEventSource(orders, { startingPosition: lambda.StartingPosition.LATEST }));
  new lambda.CfnEventSourceMapping(stack, 'SharedStream', {
    functionName: reader.functionName,
    eventSourceArn: Fn.importValue('shared-StreamArn'),
  });
  new sfn.StateMachine(stack, 'Checkout', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Done')),
  });
  new CustomResource(stack, 'SeedData', { serviceToken: reader.functionArn });
  return app.synth().getStackByName('Mixed').template as CloudFormationTemplate;
}

const runTypes = sandboxServices().flatMap((service) => service.resourceTypes ?? []);

describe('resources the sandbox does not run', () => {
  const template = synthesize();

  it('are named by type and logical id at start-up; those it runs are not', () => {
    const coverage = resourceCoverage(template, runTypes);
    const id = (prefix: string) => Object.keys(template.Resources!).find((key) => key.startsWith(prefix))!;

    expect([...coverage.notEmulated.keys()].sort()).toEqual([
      'AWS::Kinesis::Stream',
      'AWS::StepFunctions::StateMachine',
    ]);
    expect(coverage.notEmulated.get('AWS::Kinesis::Stream')).toEqual([id('Clicks')]);
    expect(coverage.customResources).toEqual([id('SeedData')]);
    // The roles and their policies.
    expect(coverage.deployTimeOnly).toBeGreaterThanOrEqual(3);

    const lines = coverageLines(coverage);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^not emulated: .*AWS::StepFunctions::StateMachine \(Checkout\w+\).*; requests to them will fail$/,
    );
    expect(lines[1]).toContain(`custom resources (${id('SeedData')})`);
    expect(lines.join('\n')).not.toMatch(/DynamoDB|AWS::Lambda::Function|EventSourceMapping/);
  });

  it("an event source mapping from anything but SQS (a Kinesis stream, a table's stream, an imported ARN) is reported, not dropped without a word", () => {
    const work = mkdtempSync(join(tmpdir(), 'lookout-coverage-'));
    try {
      const stack = readTemplate(template, 'Mixed', work);
      expect(stack.eventSourceMappings).toEqual([]);
      expect(stack.eventProblems).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(
            /^not emulated: the event source arn:aws:kinesis:.*only SQS queues are/,
          ),
        }),
        expect.objectContaining({
          message: expect.stringMatching(
            /^not emulated: the event source arn:aws:dynamodb:[\w-]+:\d{12}:table\/Mixed-Orders[\w-]+\/stream\/[\d:.T-]+: only SQS queues are/,
          ),
        }),
        {
          logicalId: 'SharedStream',
          message: expect.stringMatching(
            /^not emulated: its event source cannot be read here \(.*ImportValue.*\)/,
          ),
        },
      ]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('a stack of only what the sandbox runs has nothing to say', () => {
    const app = new App();
    const stack = new Stack(app, 'Plain');
    new dynamodb.Table(stack, 'Orders', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });
    const plain = app.synth().getStackByName('Plain').template as CloudFormationTemplate;
    expect(coverageLines(resourceCoverage(plain, runTypes))).toEqual([]);
  });
});
