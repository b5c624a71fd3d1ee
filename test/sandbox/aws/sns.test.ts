/** The local SNS: Publish and PublishBatch from the real SDK v3 client, filter policies, raw delivery. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { ListTopicsCommand, PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SnsLambdaEvent, SnsStandIn, SnsSubscriptionSpec } from '../../../sandbox/aws/sns.js';
import { startSnsStandIn } from '../../../sandbox/aws/sns.js';
import type { SqsStandIn } from '../../../sandbox/aws/sqs.js';
import { startSqsStandIn } from '../../../sandbox/aws/sqs.js';

const TOPIC = 'arn:aws:sns:eu-west-2:123456789012:orders';
const subscriptions: SnsSubscriptionSpec[] = [
  { topicArn: TOPIC, protocol: 'lambda', endpoint: 'all-orders', rawMessageDelivery: false },
  {
    topicArn: TOPIC,
    protocol: 'lambda',
    endpoint: 'big-eu-orders',
    rawMessageDelivery: false,
    filterPolicy: { region: ['eu-west-1', 'eu-west-2'], amount: [{ numeric: ['>=', 100] }] },
  },
  {
    topicArn: TOPIC,
    protocol: 'sqs',
    endpoint: 'refunds',
    rawMessageDelivery: true,
    filterPolicyScope: 'MessageBody',
    filterPolicy: { kind: [{ prefix: 'refund' }] },
  },
  { topicArn: TOPIC, protocol: 'sqs', endpoint: 'audit', rawMessageDelivery: false },
  { topicArn: TOPIC, protocol: 'email', endpoint: 'ops@example.com', rawMessageDelivery: false },
];

let sqs: SqsStandIn;
let sns: SnsStandIn;
let client: SNSClient;
let invoked: { name: string; event: SnsLambdaEvent }[] = [];

beforeAll(async () => {
  sqs = await startSqsStandIn({ queues: ['refunds', 'audit'] });
  sns = await startSnsStandIn({
    topicArns: [TOPIC],
    subscriptions,
    deliver: {
      function: (name, event) => {
        invoked.push({ name, event });
        return Promise.resolve(true);
      },
      queue: (name, body, messageAttributes) => void sqs.sendMessage(name, body, { messageAttributes }),
    },
  });
  client = new SNSClient({
    endpoint: sns.url,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
});

afterAll(async () => {
  client?.destroy();
  await Promise.all([sns?.close(), sqs?.close()]);
});

beforeEach(() => {
  invoked = [];
});

const bodies = (queue: string) => sqs.messages(queue).map((message) => message.body);

describe('SNS stand-in', () => {
  it('answers Publish with a MessageId and delivers the Lambda event subscribers read', async () => {
    const before = bodies('audit').length;
    const { MessageId } = await client.send(
      new PublishCommand({
        TopicArn: TOPIC,
        Subject: 'New order',
        Message: JSON.stringify({ kind: 'order', id: 'o-1' }),
        MessageAttributes: {
          region: { DataType: 'String', StringValue: 'eu-west-2' },
          amount: { DataType: 'Number', StringValue: '250' },
        },
      }),
    );
    expect(MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(invoked.map((call) => call.name).sort()).toEqual(['all-orders', 'big-eu-orders']);
    const [record] = invoked[0]!.event.Records;
    expect(record).toMatchObject({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: expect.stringMatching(new RegExp(`^${TOPIC}:`)),
      Sns: {
        Type: 'Notification',
        MessageId,
        TopicArn: TOPIC,
        Subject: 'New order',
        Message: '{"kind":"order","id":"o-1"}',
        MessageAttributes: {
          region: { Type: 'String', Value: 'eu-west-2' },
          amount: { Type: 'Number', Value: '250' },
        },
      },
    });
    // a queue without raw delivery receives SNS's JSON envelope
    const audit = bodies('audit').slice(before);
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!)).toMatchObject({
      Type: 'Notification',
      MessageId,
      TopicArn: TOPIC,
      Subject: 'New order',
    });
    // the body filter policy of the refunds queue let it pass by
    expect(bodies('refunds')).toEqual([]);
  });

  it('filters on message attributes and on the body, and delivers raw messages as they were sent', async () => {
    await client.send(
      new PublishCommand({
        TopicArn: TOPIC,
        Message: JSON.stringify({ kind: 'refund-partial', id: 'o-2' }),
        MessageAttributes: {
          region: { DataType: 'String', StringValue: 'us-east-1' },
          amount: { DataType: 'Number', StringValue: '500' },
        },
      }),
    );
    expect(invoked.map((call) => call.name)).toEqual(['all-orders']);
    expect(bodies('refunds')).toEqual(['{"kind":"refund-partial","id":"o-2"}']);
    expect(sqs.messages('refunds')[0]!.messageAttributes).toEqual({
      region: { DataType: 'String', StringValue: 'us-east-1' },
      amount: { DataType: 'Number', StringValue: '500' },
    });
  });

  it('answers PublishBatch entry by entry', async () => {
    const result = await client.send(
      new PublishBatchCommand({
        TopicArn: TOPIC,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: 'first' },
          { Id: 'b', Message: 'x'.repeat(256 * 1024 + 1) },
          { Id: 'c', Message: 'third', Subject: 'Third' },
        ],
      }),
    );
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['a', 'c']);
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'b', Code: 'InvalidParameter', SenderFault: true }),
    ]);
    expect(invoked.map((call) => call.event.Records[0]!.Sns.Message)).toEqual(['first', 'third']);
  });

  it('lists the topics, so that aws sns list-topics finds a generated topic name', async () => {
    const listed = await client.send(new ListTopicsCommand({}));
    expect(listed.Topics).toEqual([{ TopicArn: TOPIC }]);
  });

  it('refuses an unknown topic and bad input with clear errors', async () => {
    await expect(
      client.send(new PublishCommand({ TopicArn: `${TOPIC}-missing`, Message: 'hello' })),
    ).rejects.toMatchObject({ name: 'NotFoundException', message: 'Topic does not exist' });
    await expect(client.send(new PublishCommand({ TopicArn: TOPIC, Message: '' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    const wrong = await fetch(sns.url, { method: 'POST', body: 'Action=DeleteTopic' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('<Code>InvalidAction</Code>');
    const huge = await fetch(sns.url, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    expect(huge.status).toBe(413);
    expect(invoked).toEqual([]);
    expect(sns.notEmulated().map((s) => s.protocol)).toEqual(['email']);
  });

  it('answers loopback names only', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(
        sns.url,
        { method: 'POST', headers: { host: 'evil.example' } },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      request.on('error', reject);
      request.end('Action=Publish');
    });
    expect(status).toBe(421);
  });
});
