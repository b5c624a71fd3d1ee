/**
 * A function's EventInvokeConfig in the sandbox: an event invoked asynchronously (through the
 * Lambda Invoke endpoint, as `InvocationType: Event`) is tried as often as `retryAttempts` says,
 * and its invocation record (AWS's shape) reaches the on-success or on-failure destination.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from '../../sandbox/sandbox.js';

const work = mkdtempSync(join(tmpdir(), 'lookout-async-destinations-'));
let sandbox: Sandbox;
const startUp: string[] = [];
const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

beforeAll(async () => {
  const outdir = join(work, 'cdk.out');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Destinations');
  const succeeded = new sqs.Queue(stack, 'Succeeded');
  const failed = new sqs.Queue(stack, 'Failed');
  new lambda.Function(stack, 'Worker', {
    functionName: 'destinations-worker',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      "exports.handler = async (event) => { if (event.fail) throw new TypeError('cannot process ' + event.id); return { processed: event.id }; };",
    ),
    retryAttempts: 1,
    onSuccess: new destinations.SqsDestination(succeeded),
    onFailure: new destinations.SqsDestination(failed),
  });
  app.synth();
  // 600x: Lambda's one-minute wait before a retry takes a tenth of a second.
  sandbox = await Sandbox.start({
    projectRoot: work,
    cdkOut: outdir,
    consolePort: 0,
    apiPort: 0,
    compression: 600,
    log: (line) => startUp.push(line),
  });
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Lambda's Invoke API as `aws lambda invoke --invocation-type Event` calls it. */
async function invokeAsync(payload: unknown): Promise<number> {
  const answer = await fetch(
    `${sandbox.endpoints.lambda}/2015-03-31/functions/destinations-worker/invocations`,
    {
      method: 'POST',
      headers: { 'x-amz-invocation-type': 'Event', 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    },
  );
  return answer.status;
}

/** The records that reached a queue, read with the SQS client as a consumer would. */
async function records(queueLogicalId: string, count: number): Promise<Record<string, unknown>[]> {
  const queue = sandbox.stack.queues.find((spec) => spec.logicalId.startsWith(queueLogicalId))!;
  const client = new SQSClient({ endpoint: sandbox.endpoints.sqs, region: 'eu-west-2', credentials });
  try {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queue.name }));
    const found: Record<string, unknown>[] = [];
    const deadline = Date.now() + 20_000;
    while (found.length < count && Date.now() < deadline) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      found.push(...Messages.map((message) => JSON.parse(message.Body!) as Record<string, unknown>));
    }
    return found;
  } finally {
    client.destroy();
  }
}

describe('asynchronous invocation with destinations', () => {
  it('is read from the template, and not listed as something the sandbox cannot run', () => {
    expect(startUp.filter((line) => /EventInvokeConfig|not emulated/.test(line))).toEqual([]);
  });

  it("sends a success's record, with the handler's result, to the on-success queue", async () => {
    expect(await invokeAsync({ id: 'order-1' })).toBe(202);
    const [record] = await records('Succeeded', 1);
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        condition: 'Success',
        approximateInvokeCount: 1,
        functionArn: expect.stringMatching(
          /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:destinations-worker:\$LATEST$/,
        ),
      },
      requestPayload: { id: 'order-1' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { processed: 'order-1' },
    });
  });

  it('tries a failing event 1 + retryAttempts times, then sends its record to the on-failure queue', async () => {
    const before = sandbox.counters.invocations;
    expect(await invokeAsync({ id: 'order-2', fail: true })).toBe(202);
    const [record] = await records('Failed', 1);
    expect(record).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 2 },
      requestPayload: { id: 'order-2', fail: true },
      responseContext: { functionError: 'Unhandled' },
      responsePayload: { errorType: 'TypeError', errorMessage: 'cannot process order-2' },
    });
    expect(sandbox.counters.invocations - before).toBe(2);
  });
});
