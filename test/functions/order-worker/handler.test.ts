/**
 * The order worker against dynalite through the real SDK: good, malformed and failing records in
 * one batch (only the bad ones reported back), duplicates, the correlation id per record, and an
 * order followed from the API through the queue to the worker.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { startSqsStandIn } from '../../../sandbox/aws/sqs.js';
import { setHandlerEnv, TEST_CREDENTIALS, TEST_REGION } from '../../support/aws-env.js';
import { createDemoTable, startDynalite } from '../../support/dynalite.js';
import { lambdaContext, sqsEvent } from '../../support/lambda-events.js';
import type { CapturedOutput } from '../../support/output.js';
import { captureOutput, metricValues } from '../../support/output.js';
import type { ApiHandler } from '../orders-api/support.js';
import { apiCaller } from '../orders-api/support.js';

const TABLE = 'order-worker-test';
const dynamo = await startDynalite();
await createDemoTable(dynamo.endpoint, TABLE);
const sqs = await startSqsStandIn({ queues: ['orders'] });
setHandlerEnv('order-worker', {
  TABLE_NAME: TABLE,
  ORDERS_QUEUE_URL: sqs.queueUrl('orders'),
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  AWS_ENDPOINT_URL_SQS: sqs.url,
});
const worker = await import('../../../functions/order-worker/handler.js');
const api = await import('../../../functions/orders-api/handler.js');
const callApi = apiCaller(api.handler as unknown as ApiHandler);

const table = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: dynamo.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS }),
);

afterAll(async () => {
  table.destroy();
  await sqs.close();
  await dynamo.close();
});

async function runWorker(event: SQSEvent): Promise<{ response: SQSBatchResponse; output: CapturedOutput }> {
  const output = captureOutput();
  try {
    const response = await worker.handler(event, lambdaContext('order-worker'));
    return { response, output };
  } finally {
    output.restore();
  }
}

/** Seeds a user and a created order directly in the table; returns the order-created message body. */
async function seedOrder(options: { createdAt?: Date; category?: string; amount?: number } = {}) {
  const userId = randomUUID();
  const orderId = randomUUID();
  const createdAt = (options.createdAt ?? new Date()).toISOString();
  const category = options.category ?? 'clothing';
  const amount = options.amount ?? 59.5;
  await table.send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        pk: `USER#${userId}`,
        sk: 'PROFILE',
        id: userId,
        email: `${userId}@example.com`,
        name: 'Seeded',
        createdAt,
        orderCount: 0,
        lifetimeSpend: 0,
      },
    }),
  );
  await table.send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        pk: `ORDER#${orderId}`,
        sk: 'ORDER',
        id: orderId,
        userId,
        category,
        items: [{ sku: 'SHIRT', quantity: 1, unitPrice: amount }],
        amount,
        status: 'created',
        createdAt,
      },
    }),
  );
  return { orderId, userId, category, amount, createdAt };
}

const getItem = async (pk: string, sk: string) =>
  (await table.send(new GetCommand({ TableName: TABLE, Key: { pk, sk } }))).Item;

const logsFor = (output: CapturedOutput, messageId: string) =>
  output.logs().filter((line) => line.message_id === messageId);

describe('order worker', () => {
  it('completes good records and reports only the malformed and failing ones', async () => {
    const good = await seedOrder({ createdAt: new Date(Date.now() - 5000) });
    const missingOrder = { ...(await seedOrder()), orderId: randomUUID() };
    const event = sqsEvent([
      { messageId: 'good', body: JSON.stringify(good), attributes: { 'x-correlation-id': 'corr-good' } },
      {
        messageId: 'not-json',
        body: 'this is not json',
        attributes: { 'x-correlation-id': 'corr-not-json' },
      },
      { messageId: 'wrong-shape', body: JSON.stringify({ orderId: 'x', amount: -1 }) },
      {
        messageId: 'missing-order',
        body: JSON.stringify(missingOrder),
        attributes: { 'x-correlation-id': 'corr-gone' },
      },
    ]);

    const { response, output } = await runWorker(event);

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'missing-order',
      'not-json',
      'wrong-shape',
    ]);

    const order = await getItem(`ORDER#${good.orderId}`, 'ORDER');
    expect(order).toMatchObject({ status: 'completed' });
    expect(Date.parse(String(order?.completedAt))).toBeGreaterThanOrEqual(Date.parse(good.createdAt));
    expect(await getItem(`USER#${good.userId}`, 'PROFILE')).toMatchObject({
      orderCount: 1,
      lifetimeSpend: 59.5,
    });

    const emf = output.emf();
    expect(
      metricValues(emf, 'Orders', { service: 'orders', category: 'clothing', status: 'completed' }),
    ).toEqual([1]);
    expect(metricValues(emf, 'Orders', { category: 'clothing', status: 'failed' })).toEqual([1]);
    const [processingMs] = metricValues(emf, 'OrderProcessingTime', { service: 'orders' });
    expect(processingMs).toBeGreaterThanOrEqual(5000);

    expect(logsFor(output, 'good').find((l) => l.message === 'Order completed')).toMatchObject({
      correlation_id: 'corr-good',
      order_id: good.orderId,
    });
    expect(logsFor(output, 'not-json')).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        correlation_id: 'corr-not-json',
        reason: 'Message body is not JSON',
      }),
    ]);
    const [shapeError] = logsFor(output, 'wrong-shape');
    expect(shapeError).toMatchObject({ level: 'ERROR', correlation_id: 'wrong-shape' });
    expect((shapeError?.issues as { path: string }[]).map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['orderId', 'userId', 'category', 'amount', 'createdAt']),
    );
    expect(logsFor(output, 'missing-order').find((l) => l.level === 'ERROR')).toMatchObject({
      correlation_id: 'corr-gone',
      message: 'Order fulfilment failed; reported as a batch item failure',
    });
    expect(output.logs().find((l) => l.outcome === 'partial_failure')).toMatchObject({ failed_records: 3 });
  });

  it('ignores a duplicate delivery without counting the order twice', async () => {
    const seeded = await seedOrder();
    const event = sqsEvent([{ body: JSON.stringify(seeded) }]);
    expect((await runWorker(event)).response.batchItemFailures).toEqual([]);

    const { response, output } = await runWorker(event);
    expect(response.batchItemFailures).toEqual([]);
    expect(metricValues(output.emf(), 'Orders')).toEqual([]);
    expect(
      output.logs().some((l) => l.message === 'Order already completed; duplicate delivery ignored'),
    ).toBe(true);
    expect(await getItem(`USER#${seeded.userId}`, 'PROFILE')).toMatchObject({ orderCount: 1 });
  });

  it('answers a batch where every record is malformed with all of them, not an error', async () => {
    const { response } = await runWorker(
      sqsEvent([
        { messageId: 'a', body: '' },
        { messageId: 'b', body: '[]' },
      ]),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
  });

  it('follows one order from the API through the queue to the worker by its correlation id', async () => {
    const user = await callApi('POST', '/users', {
      body: { email: `${randomUUID()}@example.com`, name: 'Follow Me', password: 'long enough' },
    });
    const placed = await callApi('POST', '/orders', {
      body: {
        userId: user.body.id,
        category: 'electronics',
        items: [{ sku: 'PHONE', quantity: 1, unitPrice: 499 }],
      },
      headers: { 'x-correlation-id': 'corr-journey' },
    });
    expect(placed.status).toBe(201);

    const message = sqs.messages('orders').find((m) => JSON.parse(m.body).orderId === placed.body.id);
    expect(message).toBeDefined();
    const event = sqsEvent([
      {
        messageId: message!.messageId,
        body: message!.body,
        attributes: Object.fromEntries(
          Object.entries(message!.messageAttributes).map(([name, value]) => [name, value.StringValue ?? '']),
        ),
      },
    ]);
    const { response, output } = await runWorker(event);
    expect(response.batchItemFailures).toEqual([]);
    const recordLines = logsFor(output, message!.messageId);
    expect(recordLines.length).toBeGreaterThan(0);
    for (const line of recordLines) expect(line.correlation_id).toBe('corr-journey');
    expect(metricValues(output.emf(), 'Orders', { category: 'electronics', status: 'completed' })).toEqual([
      1,
    ]);

    const fetched = await callApi('GET', `/orders/${placed.body.id}`);
    expect(fetched.body).toMatchObject({ status: 'completed' });
    expect(Date.parse(fetched.body.completedAt)).toBeGreaterThanOrEqual(Date.parse(fetched.body.createdAt));
  });

  it('keeps each record on its own correlation id when records run in parallel', async () => {
    const first = await seedOrder();
    const second = await seedOrder();
    const { output } = await runWorker(
      sqsEvent([
        { messageId: 'one', body: JSON.stringify(first), attributes: { 'x-correlation-id': 'corr-one' } },
        { messageId: 'two', body: JSON.stringify(second), attributes: { 'x-correlation-id': 'corr-two' } },
      ]),
    );
    expect(logsFor(output, 'one').map((l) => l.correlation_id)).toEqual(['corr-one']);
    expect(logsFor(output, 'two').map((l) => l.correlation_id)).toEqual(['corr-two']);
  });

  it('reports records as failed, without crashing, when DynamoDB is unavailable', async () => {
    const seeded = await seedOrder();
    await dynamo.close();
    const { response, output } = await runWorker(
      sqsEvent([{ messageId: 'db-down', body: JSON.stringify(seeded) }]),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'db-down' }]);
    const emf = output.emf();
    expect(
      metricValues(emf, 'DbQueries', { operation: 'UpdateItem', table: TABLE, status: 'error' }),
    ).toEqual([1]);
    expect(metricValues(emf, 'Orders', { status: 'failed' })).toEqual([1]);
    expect(logsFor(output, 'db-down').find((l) => l.level === 'ERROR')).toBeDefined();
  });
});
