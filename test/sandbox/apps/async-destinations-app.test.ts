/**
 * A function's `EventInvokeConfig`, as CDK's `onSuccess`, `onFailure` and `retryAttempts` make it:
 * an event invoked asynchronously (through the Lambda endpoint, as `aws lambda invoke
 * --invocation-type Event` calls it) is tried as often as configured, and Lambda's invocation record
 * reaches the success destination (a function) or the failure destination (a queue).
 */
import { expect, it } from '@jest/globals';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaDestination, SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { InvocationRecord } from '../../../sandbox/lambda/index.js';
import { runApp } from './support.js';
import { SANDBOX_REGION } from '../../../sandbox/template/index.js';

const SENDER = `exports.handler = async (event) => {
  if (event.fail) throw new Error('refused ' + event.id);
  return { sent: event.id };
};`;

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const run = runApp(
  'Destinations',
  (stack) => {
    const receiver = new lambda.Function(stack, 'Receiver', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async (record) => record;'),
    });
    new lambda.Function(stack, 'Sender', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(SENDER),
      retryAttempts: 0,
      onSuccess: new LambdaDestination(receiver),
      onFailure: new SqsDestination(new sqs.Queue(stack, 'Failed')),
    });
  },
  {
    compression: 60,
  },
);

const functionNamed = (prefix: string) =>
  [...run.sandbox.functions.keys()].find((name) => name.startsWith(`Destinations-${prefix}`))!;

/** Every invocation of the function from now on. */
function invocationsOf(name: string): InvocationRecord[] {
  const seen: InvocationRecord[] = [];
  run.sandbox.functions.get(name)!.onInvocation((record) => seen.push(record));
  return seen;
}

/** Lambda's Invoke API with `X-Amz-Invocation-Type: Event`, as `aws lambda invoke --invocation-type Event` calls it. */
async function invokeEvent(payload: unknown) {
  const name = encodeURIComponent(functionNamed('Sender'));
  const response = await fetch(`${run.sandbox.endpoints.lambda}/2015-03-31/functions/${name}/invocations`, {
    method: 'POST',
    headers: { 'x-amz-invocation-type': 'Event' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(30_000),
  });
  expect(response.status).toBe(202);
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

it('runs the EventInvokeConfig instead of listing it as not emulated', () => {
  expect(run.startUp.join('\n')).not.toMatch(/EventInvokeConfig/);
});

it('sends the success record to the function destination', async () => {
  const received = invocationsOf(functionNamed('Receiver'));
  await invokeEvent({ id: 'order-1' });
  const record = await until(() => received.find((entry) => entry.result.status === 'success'));
  expect(record.result.result).toMatchObject({
    version: '1.0',
    requestContext: {
      condition: 'Success',
      approximateInvokeCount: 1,
      functionArn: expect.stringContaining(`:function:${functionNamed('Sender')}:$LATEST`),
    },
    requestPayload: { id: 'order-1' },
    responseContext: { statusCode: 200 },
    responsePayload: { sent: 'order-1' },
  });
});

it('tries a failing event once (retryAttempts 0), then sends the failure record to the queue', async () => {
  const attempts = invocationsOf(functionNamed('Sender'));
  await invokeEvent({ id: 'order-2', fail: true });
  const client = new SQSClient({ endpoint: run.sandbox.endpoints.sqs, region: SANDBOX_REGION, credentials });
  const queueUrl = `${run.sandbox.endpoints.sqs}/123456789012/${run.sandbox.stack.queues[0]!.name}`;
  const message = await until(async () => {
    const { Messages } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
    );
    return Messages?.[0];
  });
  client.destroy();
  expect(JSON.parse(message.Body!)).toMatchObject({
    requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 1 },
    requestPayload: { id: 'order-2', fail: true },
    responseContext: { functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: 'refused order-2' },
  });
  // Lambda's default would have tried twice more, one and two simulated minutes later (1 s, 2 s).
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  expect(attempts.filter((entry) => entry.result.status === 'error')).toHaveLength(1);
});
