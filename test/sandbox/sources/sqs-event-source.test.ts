/**
 * The SQS event source mapping: the SQS stand-in polled through the real SDK, a test consumer
 * running in the local Lambda emulation.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { SqsStandIn } from '../../../sandbox/aws/sqs.js';
import { startSqsStandIn } from '../../../sandbox/aws/sqs.js';
import type { FunctionManager, InvocationRecord } from '../../../sandbox/lambda/index.js';
import { createFunctionManager } from '../../../sandbox/lambda/index.js';
import type {
  SqsBatchOutcome,
  SqsEventSource,
  SqsEventSourceOptions,
} from '../../../sandbox/sources/index.js';
import { reportedFailures, startSqsEventSource } from '../../../sandbox/sources/index.js';
import type { TestBundles } from '../lambda/support.js';
import { parseJsonLines, testBundles, waitFor } from '../lambda/support.js';

let bundles: TestBundles;
let sqs: SqsStandIn;
let client: SQSClient;
let worker: FunctionManager;
const invocations: InvocationRecord[] = [];
const sources: SqsEventSource[] = [];
let queueCount = 0;

beforeAll(async () => {
  bundles = await testBundles();
  const bundle = await bundles.bundle('sqs-worker', 'test/sandbox/sources/fixtures/sqs-worker.ts');
  sqs = await startSqsStandIn();
  client = new SQSClient({
    endpoint: sqs.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  worker = await createFunctionManager({ name: 'sqs-worker', bundle, maxConcurrency: 4 });
  worker.onInvocation((record) => invocations.push(record));
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stop()));
});

afterAll(async () => {
  client.destroy();
  await worker?.close();
  await sqs?.close();
  await bundles?.cleanup();
});

/** A fresh queue (and its dead-letter queue) per test. */
function queues() {
  queueCount += 1;
  const name = `work-${queueCount}`;
  return { name, url: sqs.createQueue(name), dlqName: `${name}-dlq`, dlqUrl: sqs.createQueue(`${name}-dlq`) };
}

async function sendAll(queueUrl: string, bodies: unknown[], attributes?: Record<string, string>) {
  const ids: string[] = [];
  for (const body of bodies) {
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(body),
        ...(attributes && {
          MessageAttributes: Object.fromEntries(
            Object.entries(attributes).map(([key, value]) => [
              key,
              { DataType: 'String', StringValue: value },
            ]),
          ),
        }),
      }),
    );
    ids.push(sent.MessageId!);
  }
  return ids;
}

function start(options: Partial<SqsEventSourceOptions> & { queueUrl: string }) {
  // Short polling keeps stop() quick; one test below keeps the default long polling.
  const source = startSqsEventSource({
    target: worker,
    endpoint: sqs.url,
    pollers: 1,
    waitTimeSeconds: 0,
    ...options,
  });
  sources.push(source);
  const batches: SqsBatchOutcome[] = [];
  source.onBatch((batch) => batches.push(batch));
  return { source, batches };
}

/** Records the worker received for one queue, in order. */
const receivedRecords = (queueName: string): SQSRecord[] =>
  invocations
    .flatMap((invocation) => parseJsonLines(invocation.lines))
    .map((line) => line.received as SQSRecord | undefined)
    .filter((record): record is SQSRecord => record?.eventSourceARN.endsWith(`:${queueName}`) === true);

describe('SQS event source mapping', () => {
  it('delivers records in Lambda’s SQS event format and deletes what succeeded', async () => {
    const q = queues();
    const [id] = await sendAll(q.url, [{ kind: 'good' }], { 'x-correlation-id': 'corr-sqs' });
    const { source, batches } = start({ queueUrl: q.url });
    await waitFor(() => batches.length === 1, 5000, 'one batch');
    expect(batches).toEqual([expect.objectContaining({ messageIds: [id], deleted: [id], failed: [] })]);
    const [record] = receivedRecords(q.name);
    expect(record).toEqual({
      messageId: id,
      receiptHandle: expect.any(String),
      body: '{"kind":"good"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        'x-correlation-id': {
          dataType: 'String',
          stringValue: 'corr-sqs',
          stringListValues: [],
          binaryListValues: [],
        },
      },
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${q.name}`,
      awsRegion: 'us-east-1',
    });
    expect(source.stats()).toMatchObject({ batches: 1, received: 1, deleted: 1, failed: 0, pollErrors: 0 });
  });

  it('honours batchItemFailures: good ones deleted, a flaky one redelivered, a poison one moved to the DLQ', async () => {
    const q = queues();
    const [good1, good2, flaky, poison] = await sendAll(q.url, [
      { kind: 'good' },
      { kind: 'good' },
      { kind: 'flaky' },
      { kind: 'poison' },
    ]);
    const { source } = start({
      queueUrl: q.url,
      reportBatchItemFailures: true,
      visibilityTimeoutSeconds: 1,
      deadLetter: {
        queueUrl: q.dlqUrl,
        maxReceiveCount: 2,
        // as the sandbox wires it: SQS's own redrive keeps the message's id
        move: (message) => void sqs.sendMessage(q.dlqName, message.Body!, { messageId: message.MessageId! }),
      },
    });
    const moved: string[] = [];
    source.onDeadLetter((message) => moved.push(message.MessageId!));
    // The mapping's own account, not the stand-in's state: the stand-in changes before the mapping hears back.
    await waitFor(() => moved.length === 1, 8000, 'the poison message moved to the DLQ');
    await waitFor(() => source.stats().deleted === 3, 3000, 'the other messages deleted');
    expect(sqs.messages(q.name).every((message) => message.deleted)).toBe(true);

    const deliveries = (id: string) => receivedRecords(q.name).filter((record) => record.messageId === id);
    expect(deliveries(good1!)).toHaveLength(1);
    expect(deliveries(good2!)).toHaveLength(1);
    expect(deliveries(flaky!).map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    // Delivered maxReceiveCount times, then moved instead of delivered a third time.
    expect(deliveries(poison!).map((record) => record.attributes.ApproximateReceiveCount)).toEqual([
      '1',
      '2',
    ]);
    expect(moved).toEqual([poison]);
    expect(sqs.messages(q.dlqName)[0]).toMatchObject({ body: '{"kind":"poison"}', messageId: poison });
    expect(source.stats()).toMatchObject({ deleted: 3, movedToDeadLetter: 1 });
  });

  it('leaves the whole batch when the invocation fails, and delivers it again', async () => {
    const q = queues();
    const ids = await sendAll(q.url, [{ kind: 'crash-once' }, { kind: 'good' }]);
    const { batches } = start({ queueUrl: q.url, visibilityTimeoutSeconds: 1 });
    await waitFor(() => batches.some((batch) => batch.deleted.length === 2), 8000, 'both messages deleted');
    expect(batches[0]).toMatchObject({ invocation: { status: 'error' }, deleted: [] });
    expect(batches[0]!.failed.sort()).toEqual([...ids].sort());
    expect(batches.at(-1)).toMatchObject({ invocation: { status: 'success' }, failed: [] });
    expect(
      receivedRecords(q.name).filter((record) => record.attributes.ApproximateReceiveCount === '2'),
    ).toHaveLength(2);
  });

  it('ignores batchItemFailures unless ReportBatchItemFailures is on, as Lambda does', async () => {
    const q = queues();
    const [poison] = await sendAll(q.url, [{ kind: 'poison' }]);
    const { batches } = start({ queueUrl: q.url, waitTimeSeconds: 1 });
    await waitFor(() => batches.length === 1, 5000, 'one batch');
    expect(batches[0]).toMatchObject({ deleted: [poison], failed: [] });
  });

  it('gathers records over the batching window, up to the batch size', async () => {
    const q = queues();
    // The window is long enough for the four sends a batch fills with, however slowly a loaded
    // machine makes them: at 1 s, one CI run sent only three in time.
    const { batches } = start({ queueUrl: q.url, batchSize: 4, maximumBatchingWindowSeconds: 3 });
    for (let i = 0; i < 6; i += 1) {
      await sendAll(q.url, [{ kind: 'good', i }]);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await waitFor(
      () => batches.reduce((sum, batch) => sum + batch.messageIds.length, 0) === 6,
      12_000,
      'six records',
    );
    expect(batches.map((batch) => batch.messageIds.length)).toEqual([4, 2]);
  });

  it('refuses settings Lambda refuses', () => {
    const q = { queueUrl: `${sqs.url}/123456789012/x`, target: worker, endpoint: sqs.url };
    expect(() => startSqsEventSource({ ...q, batchSize: 20 })).toThrow(
      'a batchSize above 10 needs a maximumBatchingWindowSeconds of at least 1',
    );
    expect(() => startSqsEventSource({ ...q, batchSize: 0 })).toThrow(
      'batchSize must be a whole number from 1 to 10000',
    );
    expect(() => startSqsEventSource({ ...q, deadLetter: { queueUrl: 'x', maxReceiveCount: 0 } })).toThrow(
      'deadLetter.maxReceiveCount must be a whole number from 1 to 1000',
    );
  });

  it('stops polling: messages sent afterwards stay in the queue', async () => {
    const q = queues();
    const { source } = start({ queueUrl: q.url });
    await source.stop();
    await sendAll(q.url, [{ kind: 'good' }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sqs.messages(q.name)).toEqual([expect.objectContaining({ receiveCount: 0, deleted: false })]);
  });
});

describe('reading batchItemFailures', () => {
  const ids = new Set(['a', 'b']);
  it.each([
    [undefined, []],
    [null, []],
    [{}, []],
    [{ batchItemFailures: [] }, []],
    [{ batchItemFailures: [{ itemIdentifier: 'b' }] }, ['b']],
    [{ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, 'all'],
    [{ batchItemFailures: [{ itemIdentifier: '' }] }, 'all'],
    [{ batchItemFailures: 'a' }, 'all'],
  ])('%j → %j', (result, expected) => {
    expect(reportedFailures(result, ids)).toEqual(expected);
  });
});
