/**
 * The stack's outputs at start-up, as `cdk deploy` prints them: example apps say "send a message to
 * the queue in the QueueUrl output" or "open the FunctionUrl output", so each output reads here as
 * something that works against the sandbox: the local function URL and queue URL, the sandbox's
 * function name and topic ARN; an output the sandbox cannot know says why.
 */
import { expect, it } from '@jest/globals';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CfnOutput, Fn } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { runApp } from './support.js';
import { SANDBOX_REGION } from '../../../sandbox/template/index.js';

const run = runApp('OutputsApp', (stack) => {
  const queue = new sqs.Queue(stack, 'Jobs');
  const topic = new sns.Topic(stack, 'Events');
  const hello = new lambda.Function(stack, 'Hello', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`exports.handler = async () => ({ statusCode: 200, body: 'hello' });`),
  });
  const url = hello.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
  new CfnOutput(stack, 'QueueUrl', { value: queue.queueUrl });
  new CfnOutput(stack, 'FunctionName', { value: hello.functionName });
  new CfnOutput(stack, 'FunctionUrl', { value: url.url });
  new CfnOutput(stack, 'TopicArn', { value: topic.topicArn });
  new CfnOutput(stack, 'SharedVpc', { value: Fn.importValue('network-VpcId') });
});

const output = (name: string) => run.sandbox.outputs().find((entry) => entry.name === name);

it('lists every output, in the template’s order', () => {
  expect(run.sandbox.outputs().map((entry) => entry.name)).toEqual([
    'QueueUrl',
    'FunctionName',
    'FunctionUrl',
    'TopicArn',
    'SharedVpc',
  ]);
});

it('gives the local function URL, which answers as the function', async () => {
  const url = output('FunctionUrl')?.value;
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  const response = await fetch(url!, { signal: AbortSignal.timeout(60_000) });
  expect(await response.text()).toBe('hello');
});

it('gives the local queue URL, which takes a message', async () => {
  const queueUrl = output('QueueUrl')?.value;
  expect(queueUrl).toMatch(new RegExp(`^${run.sandbox.endpoints.sqs}/\\d{12}/OutputsApp-Jobs`));
  const client = new SQSClient({
    endpoint: run.sandbox.endpoints.sqs,
    region: SANDBOX_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const sent = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'job' }));
  expect(sent.MessageId).toBeDefined();
  client.destroy();
});

it('gives the function’s and the topic’s names as the sandbox runs them', () => {
  expect([...run.sandbox.functions.keys()]).toContain(output('FunctionName')?.value);
  expect(run.sandbox.stack.topics).toContain(output('TopicArn')?.value);
});

it('says why when an output is only known once deployed', () => {
  expect(output('SharedVpc')).toEqual({ name: 'SharedVpc', problem: expect.stringMatching(/ImportValue/) });
});
