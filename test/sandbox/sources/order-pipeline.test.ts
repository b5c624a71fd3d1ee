/**
 * The demo's order flow on loopback, every piece real: a request through the gateway to the
 * orders API, its message through the SQS stand-in and the event source mapping to the order
 * worker, both functions bundled and run in the local Lambda emulation.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { HttpGateway } from '../../../sandbox/gateway/index.js';
import { routesTo, startHttpGateway } from '../../../sandbox/gateway/index.js';
import type { FunctionManager, InvocationRecord } from '../../../sandbox/lambda/index.js';
import { createFunctionManager } from '../../../sandbox/lambda/index.js';
import type { SqsStandIn } from '../../../sandbox/aws/sqs.js';
import { startSqsStandIn } from '../../../sandbox/aws/sqs.js';
import type { SqsEventSource } from '../../../sandbox/sources/index.js';
import { startSqsEventSource } from '../../../sandbox/sources/index.js';
import { ROUTE_TEMPLATES } from '../../../functions/orders-api/routes.js';
import type { LocalDynamo } from '../../support/dynalite.js';
import { createDemoTable, startDynalite } from '../../support/dynalite.js';
import type { TestBundles } from '../lambda/support.js';
import { parseJsonLines, testBundles, waitFor } from '../lambda/support.js';

const TABLE = 'pipeline-demo';
let bundles: TestBundles;
let dynamo: LocalDynamo;
let sqs: SqsStandIn;
let ordersApi: FunctionManager;
let worker: FunctionManager;
let gateway: HttpGateway;
let mapping: SqsEventSource;
const workerInvocations: InvocationRecord[] = [];

beforeAll(async () => {
  bundles = await testBundles();
  const [apiBundle, workerBundle] = await Promise.all([
    bundles.bundle('orders-api', 'functions/orders-api/handler.ts'),
    bundles.bundle('order-worker', 'functions/order-worker/handler.ts'),
  ]);
  [dynamo, sqs] = await Promise.all([startDynalite(), startSqsStandIn({ queues: ['orders', 'orders-dlq'] })]);
  await createDemoTable(dynamo.endpoint, TABLE);
  const environment = {
    LOOKOUT_TRACING: 'off',
    TABLE_NAME: TABLE,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.url,
  };
  [ordersApi, worker] = await Promise.all([
    createFunctionManager({
      name: 'orders-api',
      bundle: apiBundle,
      timeoutSeconds: 10,
      environment: { ...environment, ORDERS_QUEUE_URL: sqs.queueUrl('orders') },
    }),
    createFunctionManager({ name: 'order-worker', bundle: workerBundle, timeoutSeconds: 10, environment }),
  ]);
  worker.onInvocation((record) => workerInvocations.push(record));
  gateway = await startHttpGateway({ routes: routesTo(ordersApi, ROUTE_TEMPLATES) });
  mapping = startSqsEventSource({
    target: worker,
    endpoint: sqs.url,
    queueUrl: sqs.queueUrl('orders'),
    reportBatchItemFailures: true,
    // Long enough that a cold start on a busy machine does not make a message visible again mid-work
    // (at 3 s, a CI machine under load once redelivered the first test's order until it reached the DLQ).
    visibilityTimeoutSeconds: 6,
    deadLetter: { queueUrl: sqs.queueUrl('orders-dlq'), maxReceiveCount: 2 },
  });
});

afterAll(async () => {
  await mapping?.stop();
  await gateway?.close();
  await Promise.all([ordersApi?.close(), worker?.close()]);
  await Promise.all([dynamo?.close(), sqs?.close(), bundles?.cleanup()]);
});

const post = (path: string, body: unknown, correlationId: string) =>
  fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify(body),
  });

describe('the order pipeline', () => {
  it('completes an order placed through the gateway, in the worker, by way of the queue', async () => {
    const registered = await post(
      '/users',
      { email: 'pipeline@example.com', name: 'Pip', password: 'pipeline password' },
      'pipe-user',
    );
    expect(registered.status).toBe(201);
    const user = (await registered.json()) as { id: string };
    const placed = await post(
      '/orders',
      { userId: user.id, category: 'home', items: [{ sku: 'LAMP-1', quantity: 2, unitPrice: 15 }] },
      'pipe-order',
    );
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as { id: string; status: string };
    expect(order.status).toBe('created');

    await waitFor(
      () => sqs.messages('orders').every((message) => message.deleted),
      8000,
      'the worker to take the message',
    );
    const fetched = await fetch(`${gateway.url}/orders/${order.id}`);
    expect(await fetched.json()).toMatchObject({ id: order.id, status: 'completed' });

    // The worker logged the order under the correlation id the API request carried.
    const workerLines = workerInvocations.flatMap((record) => parseJsonLines(record.lines));
    expect(workerLines.some((line) => line.correlation_id === 'pipe-order')).toBe(true);
    expect(workerInvocations[0]!.report?.record.status).toBe('success');
  });

  it('moves a message the worker can never process to the dead-letter queue', async () => {
    const before = workerInvocations.length;
    const client = new SQSClient({
      endpoint: sqs.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    try {
      await client.send(
        new SendMessageCommand({ QueueUrl: sqs.queueUrl('orders'), MessageBody: '{"not":"an order"}' }),
      );
    } finally {
      client.destroy();
    }
    // Two deliveries, each failed item visible again after the visibility timeout.
    await waitFor(
      () => sqs.messages('orders-dlq').length === 1,
      40_000,
      'the message in the dead-letter queue',
    );
    expect(sqs.messages('orders-dlq')[0]!.body).toBe('{"not":"an order"}');
    // Delivered twice (maxReceiveCount), reported as failed each time.
    const deliveries = workerInvocations.slice(before);
    expect(deliveries).toHaveLength(2);
    for (const delivery of deliveries) {
      expect(delivery.result.result).toEqual({ batchItemFailures: [{ itemIdentifier: expect.any(String) }] });
    }
  }, 60_000);
});
