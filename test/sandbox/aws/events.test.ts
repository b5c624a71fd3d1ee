/**
 * The local EventBridge: PutEvents from the real SDK v3 client, the envelope every rule sees, and
 * one function putting an event that a rule routes to another function.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBridgeStandIn } from '../../../sandbox/aws/events.js';
import { startEventBridgeStandIn } from '../../../sandbox/aws/events.js';
import type { FunctionManager, InvocationRecord } from '../../../sandbox/lambda/index.js';
import { createFunctionManager } from '../../../sandbox/lambda/index.js';
import { invokeAsync } from '../../../sandbox/sources/async-invoke.js';
import type { BusEvent, EventRuleSpec } from '../../../sandbox/sources/event-rules.js';
import { deliverToTargets, matchingRules } from '../../../sandbox/sources/event-rules.js';
import type { TestBundles } from '../lambda/support.js';
import { testBundles, waitFor } from '../lambda/support.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-2';
const rules: EventRuleSpec[] = [
  {
    logicalId: 'OrderPlacedRule',
    name: 'order-placed',
    arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/orders-bus/order-placed`,
    busName: 'orders-bus',
    eventPattern: {
      source: ['com.example.orders'],
      'detail-type': ['OrderPlaced'],
      detail: { amount: [{ numeric: ['>', 10] }] },
    },
    targets: [
      {
        id: 'Consumer',
        arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:consumer`,
        functionName: 'consumer',
        inputTransformer: {
          inputPathsMap: { order: '$.detail.orderId', type: '$.detail-type' },
          inputTemplate: '{"respond": {"order": <order>, "what": "<type> on <aws.events.rule-name>"}}',
        },
      },
    ],
  },
];

let bundles: TestBundles;
let producer: FunctionManager;
let consumer: FunctionManager;
let events: EventBridgeStandIn;
let client: EventBridgeClient;
const seen: { event: BusEvent; bus: string }[] = [];
const consumed: InvocationRecord[] = [];

beforeAll(async () => {
  bundles = await testBundles();
  const [producerBundle, consumerBundle] = await Promise.all([
    bundles.bundle('producer', 'test/sandbox/sources/fixtures/event-producer.ts'),
    bundles.bundle('consumer', 'test/sandbox/lambda/fixtures/behaviours.ts'),
  ]);
  consumer = await createFunctionManager({
    name: 'consumer',
    bundle: consumerBundle,
    region: REGION,
    accountId: ACCOUNT,
  });
  consumer.onInvocation((record) => consumed.push(record));
  events = await startEventBridgeStandIn({
    buses: ['orders-bus'],
    region: REGION,
    accountId: ACCOUNT,
    onEvent: (event, bus) => {
      seen.push({ event, bus });
      for (const rule of matchingRules(rules, bus, event)) {
        deliverToTargets(rule, event, (target, input) => {
          if (target.functionName === 'consumer') void invokeAsync(consumer, JSON.parse(input), 1000);
        });
      }
    },
  });
  producer = await createFunctionManager({
    name: 'producer',
    bundle: producerBundle,
    timeoutSeconds: 10,
    region: REGION,
    accountId: ACCOUNT,
    // the SDK names the variable after the service id, EventBridge
    environment: { AWS_ENDPOINT_URL_EVENTBRIDGE: events.url },
  });
  client = new EventBridgeClient({
    endpoint: events.url,
    region: REGION,
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await Promise.all([producer?.close(), consumer?.close(), events?.close()]);
  await bundles?.cleanup();
});

describe('EventBridge stand-in', () => {
  it('turns each PutEvents entry into the EventBridge envelope, and fails bad entries one by one', async () => {
    const first = seen.length;
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'com.example.test',
            DetailType: 'Ping',
            Detail: '{"n":1}',
            Resources: ['arn:aws:s3:::bucket'],
          },
          { Source: 'com.example.test', DetailType: 'Ping', Detail: 'not json' },
          { Source: 'com.example.test', DetailType: 'Ping', Detail: '{}', EventBusName: 'no-such-bus' },
          { DetailType: 'Ping', Detail: '{}' },
          {
            Source: 'com.example.test',
            DetailType: 'Ping',
            Detail: '{"n":2}',
            EventBusName: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/orders-bus`,
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries?.map((entry) => entry.ErrorCode)).toEqual([
      undefined,
      'MalformedDetail',
      'ResourceNotFoundException',
      'InvalidArgument',
      undefined,
    ]);
    const received = seen.slice(first);
    expect(received.map((r) => r.bus)).toEqual(['default', 'orders-bus']);
    expect(received[0]!.event).toEqual({
      version: '0',
      id: result.Entries![0]!.EventId,
      'detail-type': 'Ping',
      source: 'com.example.test',
      account: ACCOUNT,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: REGION,
      resources: ['arn:aws:s3:::bucket'],
      detail: { n: 1 },
    });
  });

  it('refuses other operations, bodies that are not JSON or too large, and other host names', async () => {
    const post = (body: string, headers: Record<string, string>) =>
      new Promise<{ status: number | undefined; text: string }>((resolve, reject) => {
        const request = httpRequest(events.url, { method: 'POST', headers }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode, text }));
        });
        request.on('error', reject);
        request.end(body);
      });
    const target = { 'x-amz-target': 'AWSEvents.PutEvents' };
    expect(await post('{}', { 'x-amz-target': 'AWSEvents.PutRule' })).toMatchObject({
      status: 400,
      text: expect.stringContaining('UnknownOperationException'),
    });
    expect(await post('{', target)).toMatchObject({
      status: 400,
      text: expect.stringContaining('SerializationException'),
    });
    expect(await post('{"Entries":[]}', target)).toMatchObject({
      status: 400,
      text: expect.stringContaining('1 to 10 entries'),
    });
    expect((await post('x'.repeat(600 * 1024), target)).status).toBe(413);
    expect((await post('{}', { ...target, host: 'evil.example' })).status).toBe(421);
  });

  it('routes an event one function puts to the function a rule targets, shaped by its input transformer', async () => {
    const result = await producer.invoke({ orderId: 'o-77', bus: 'orders-bus' });
    expect(result).toMatchObject({ status: 'success', result: { failed: 0 } });
    await waitFor(() => consumed.length > 0, 20_000, 'the consumer to be invoked');
    expect(consumed[0]!.result.result).toEqual({ order: 'o-77', what: 'OrderPlaced on order-placed' });
    // the same event on the default bus matches no rule
    await producer.invoke({ orderId: 'o-78', bus: 'default' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(consumed).toHaveLength(1);
  }, 30_000);
});
