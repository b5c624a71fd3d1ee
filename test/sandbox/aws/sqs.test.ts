/** The SQS stand-in, driven by the real AWS SDK v3 SQS client. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import type { SqsStandIn } from '../../../sandbox/aws/sqs.js';
import { md5OfMessageAttributes, startSqsStandIn } from '../../../sandbox/aws/sqs.js';

let sqs: SqsStandIn;
let client: SQSClient;

beforeAll(async () => {
  sqs = await startSqsStandIn({ queues: ['orders'] });
  client = new SQSClient({
    endpoint: sqs.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  client.destroy();
  await sqs.close();
});

describe('SQS stand-in', () => {
  it('creates queues and resolves their URLs', async () => {
    const created = await client.send(new CreateQueueCommand({ QueueName: 'created-by-sdk' }));
    expect(created.QueueUrl).toBe(`${sqs.url}/123456789012/created-by-sdk`);
    const found = await client.send(new GetQueueUrlCommand({ QueueName: 'created-by-sdk' }));
    expect(found.QueueUrl).toBe(created.QueueUrl);
    expect(sqs.queueUrl('created-by-sdk')).toBe(created.QueueUrl);
  });

  it('lists queue URLs, all or by name prefix, so that a generated name can be found', async () => {
    await client.send(new CreateQueueCommand({ QueueName: 'Shop-JobsQueue-8A1B2C3D4E5F' }));
    await client.send(new CreateQueueCommand({ QueueName: 'Shop-JobsDlq-0F1E2D3C4B5A' }));
    const all = await client.send(new ListQueuesCommand({}));
    expect(all.QueueUrls).toEqual(
      expect.arrayContaining([sqs.queueUrl('orders'), sqs.queueUrl('Shop-JobsQueue-8A1B2C3D4E5F')]),
    );
    const shop = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'Shop-' }));
    expect(shop.QueueUrls).toEqual([
      sqs.queueUrl('Shop-JobsDlq-0F1E2D3C4B5A'),
      sqs.queueUrl('Shop-JobsQueue-8A1B2C3D4E5F'),
    ]);
    const first = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'Shop-', MaxResults: 1 }));
    expect(first.QueueUrls).toEqual([sqs.queueUrl('Shop-JobsDlq-0F1E2D3C4B5A')]);
    const none = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'Other-' }));
    expect(none.QueueUrls ?? []).toEqual([]);
  });

  it('keeps a sent message with its attributes and answers with correct digests', async () => {
    // The SDK itself checks MD5OfMessageBody and throws on a mismatch.
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: sqs.queueUrl('orders'),
        MessageBody: '{"orderId":"1"}',
        MessageAttributes: { 'x-correlation-id': { DataType: 'String', StringValue: 'corr-1' } },
      }),
    );
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('{"orderId":"1"}').digest('hex'));
    expect(sent.MD5OfMessageAttributes).toBe(
      md5OfMessageAttributes({ 'x-correlation-id': { DataType: 'String', StringValue: 'corr-1' } }),
    );
    const [message] = sqs.messages('orders').filter((m) => m.messageId === sent.MessageId);
    expect(message).toMatchObject({
      body: '{"orderId":"1"}',
      messageAttributes: { 'x-correlation-id': { DataType: 'String', StringValue: 'corr-1' } },
      deleted: false,
    });
  });

  it('computes the attribute digest the way SQS documents it', () => {
    // Known answer from the published algorithm, computed independently here.
    const parts = [
      [4, 'name'],
      [6, 'String'],
    ] as const;
    const hash = createHash('md5');
    for (const [length, text] of parts) {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(length);
      hash.update(prefix).update(text);
    }
    const value = Buffer.alloc(4);
    value.writeUInt32BE(5);
    hash
      .update(Buffer.from([1]))
      .update(value)
      .update('value');
    expect(md5OfMessageAttributes({ name: { DataType: 'String', StringValue: 'value' } })).toBe(
      hash.digest('hex'),
    );
  });

  it('receives, hides while in flight, and deletes', async () => {
    const QueueUrl = sqs.createQueue('work');
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'first' }));
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'second' }));

    const received = await client.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    expect(received.Messages?.map((m) => m.Body)).toEqual(['first', 'second']);
    expect(received.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');

    const again = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(again.Messages ?? []).toHaveLength(0);

    const [first, second] = received.Messages ?? [];
    await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first?.ReceiptHandle }));
    const batch = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'ok', ReceiptHandle: second?.ReceiptHandle },
          { Id: 'bad', ReceiptHandle: 'not-a-handle' },
        ],
      }),
    );
    expect(batch.Successful?.map((e) => e.Id)).toEqual(['ok']);
    expect(batch.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ]);
    expect(sqs.messages('work').map((m) => m.deleted)).toEqual([true, true]);
  });

  it('forgets the oldest deleted messages, never one still in the queue', async () => {
    const small = await startSqsStandIn({ queues: ['busy'], keptDeleted: 2 });
    const smallClient = new SQSClient({
      endpoint: small.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const QueueUrl = small.queueUrl('busy');
      for (const body of ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']) {
        await smallClient.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      }
      const received = await smallClient.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 5, VisibilityTimeout: 30 }),
      );
      for (const message of received.Messages ?? []) {
        await smallClient.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
      // Five deleted, more than twice the two kept: the three oldest are forgotten, m6 stays.
      expect(small.messages('busy').map((m) => [m.body, m.deleted])).toEqual([
        ['m4', true],
        ['m5', true],
        ['m6', false],
      ]);
    } finally {
      smallClient.destroy();
      await small.close();
    }
  });

  it('makes a message visible again after its visibility timeout', async () => {
    const QueueUrl = sqs.createQueue('retry');
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
    await client.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }));
    const second = await client.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('answers a long poll as soon as a message arrives', async () => {
    const QueueUrl = sqs.createQueue('long-poll');
    const polling = client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'arrived' }));
    const received = await polling;
    expect(received.Messages?.map((m) => m.Body)).toEqual(['arrived']);
  });

  it('sends batches and reports invalid entries individually', async () => {
    const QueueUrl = sqs.createQueue('batch');
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', DelaySeconds: 901 },
        ],
      }),
    );
    expect(result.Successful?.map((e) => e.Id)).toEqual(['a']);
    expect(result.Failed?.[0]).toMatchObject({ Id: 'b', Code: 'InvalidParameterValue', SenderFault: true });
    expect(sqs.messages('batch').map((m) => m.body)).toEqual(['one']);
  });

  it('rejects batches over ten entries as SQS does', async () => {
    const QueueUrl = sqs.createQueue('big-batch');
    const Entries = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));
    await expect(client.send(new SendMessageBatchCommand({ QueueUrl, Entries }))).rejects.toBeInstanceOf(
      TooManyEntriesInBatchRequest,
    );
  });

  it('reports an unknown queue with the SDK error class', async () => {
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: `${sqs.url}/123456789012/missing`, MessageBody: 'x' })),
    ).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(client.send(new GetQueueUrlCommand({ QueueName: 'missing' }))).rejects.toBeInstanceOf(
      QueueDoesNotExist,
    );
    expect(() => sqs.messages('missing')).toThrow('does not exist');
  });

  it('rejects an empty message body', async () => {
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl('orders'), MessageBody: '' })),
    ).rejects.toMatchObject({ name: 'InvalidMessageContents' });
  });

  it('closes promptly while a long poll is waiting', async () => {
    const other = await startSqsStandIn({ queues: ['idle'] });
    const otherClient = new SQSClient({
      endpoint: other.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const polling = otherClient.send(
      new ReceiveMessageCommand({ QueueUrl: other.queueUrl('idle'), WaitTimeSeconds: 20 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedAt = Date.now();
    await other.close();
    await polling.catch(() => undefined);
    otherClient.destroy();
    expect(Date.now() - startedAt).toBeLessThan(5000);
  });
});
