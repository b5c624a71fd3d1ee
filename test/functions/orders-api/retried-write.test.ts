/**
 * A write that lands but whose answer comes too late: the SDK times the attempt out (2 s) and
 * retries it, and the retry's condition (`attribute_not_exists`) then fails on the item the first
 * attempt wrote. The real handler and the real AWS SDK, against dynalite behind a proxy that holds
 * back the answer to the first PutItem of a request.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSqsStandIn } from '../../../sandbox/aws/sqs.js';
import { setHandlerEnv } from '../../support/aws-env.js';
import { createDemoTable, startDynalite } from '../../support/dynalite.js';
import type { ApiHandler } from './support.js';
import { apiCaller } from './support.js';

const TABLE = 'orders-retried-write-test';
const dynamo = await startDynalite();
await createDemoTable(dynamo.endpoint, TABLE);
const sqs = await startSqsStandIn({ queues: ['orders'] });

/** PutItem answers still to hold back past the SDK's request timeout. */
let latePuts = 0;
/** PutItem requests that claim an email address. */
let claimsSeen = 0;
const target = new URL(dynamo.endpoint);
const proxy = createServer((incoming, outgoing) => {
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', () => {
    const isPut = String(incoming.headers['x-amz-target']).endsWith('.PutItem');
    if (isPut && Buffer.concat(chunks).includes('EMAIL#')) claimsSeen++;
    const late = isPut && latePuts > 0;
    if (late) latePuts--;
    const forwarded = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => body.push(chunk));
        answer.on('end', () =>
          setTimeout(
            () => {
              if (outgoing.destroyed) return;
              outgoing.writeHead(answer.statusCode ?? 500, answer.headers).end(Buffer.concat(body));
            },
            late ? 2500 : 0,
          ),
        );
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    forwarded.end(Buffer.concat(chunks));
  });
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));

setHandlerEnv('orders-api', {
  TABLE_NAME: TABLE,
  ORDERS_QUEUE_URL: sqs.queueUrl('orders'),
  AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
  AWS_ENDPOINT_URL_SQS: sqs.url,
});
const { handler } = await import('../../../functions/orders-api/handler.js');
const call = apiCaller(handler as unknown as ApiHandler);

afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await sqs.close();
  await dynamo.close();
});

describe('a write whose answer arrives after the SDK gave up on it', () => {
  it('registers the user once, with 201, when the email claim is retried', async () => {
    const email = `retried-${randomUUID().slice(0, 8)}@example.com`;
    latePuts = 1;
    claimsSeen = 0;
    const response = await call('POST', '/users', {
      body: { email, name: 'Ada Lovelace', password: 'correct horse battery' },
    });
    // The claim was sent twice: the late attempt and its retry.
    expect(claimsSeen).toBe(2);
    expect(response.status).toBe(201);
    const login = await call('POST', '/login', { body: { email, password: 'correct horse battery' } });
    expect(login.status).toBe(200);
    expect((login.body.user as { id: string }).id).toBe(response.body.id);
    // A second registration of the address is still refused.
    const again = await call('POST', '/users', {
      body: { email, name: 'Someone Else', password: 'another password' },
    });
    expect(again.status).toBe(409);
  }, 20_000);

  it('accepts an order once, with 201, when its write is retried', async () => {
    const user = await call('POST', '/users', {
      body: {
        email: `buyer-${randomUUID().slice(0, 8)}@example.com`,
        name: 'Ada',
        password: 'a long password',
      },
    });
    expect(user.status).toBe(201);
    const queued = sqs.messages('orders').length;
    latePuts = 1;
    const order = await call('POST', '/orders', {
      body: {
        userId: user.body.id,
        category: 'books',
        items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 12.5 }],
      },
    });
    expect(order.status).toBe(201);
    expect(sqs.messages('orders')).toHaveLength(queued + 1);
    const fetched = await call('GET', `/orders/${String(order.body.id)}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ id: order.body.id, status: 'created' });
  }, 20_000);
});
