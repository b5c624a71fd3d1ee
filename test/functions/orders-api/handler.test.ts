/**
 * The orders API end to end: the real handler, the real AWS SDK against dynalite and the SQS
 * stand-in on loopback; each route's status, body, log lines and EMF metrics.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { startSqsStandIn } from '../../../sandbox/aws/sqs.js';
import { setHandlerEnv, TEST_CREDENTIALS, TEST_REGION } from '../../support/aws-env.js';
import { createDemoTable, startDynalite } from '../../support/dynalite.js';
import { dimensionSets, metricUnit, metricValues } from '../../support/output.js';
import type { ApiHandler } from './support.js';
import { accessLog, apiCaller } from './support.js';
import { OrdersStore } from '../../../functions/orders-core/store.js';

const TABLE = 'orders-api-test';
const dynamo = await startDynalite();
await createDemoTable(dynamo.endpoint, TABLE);
const sqs = await startSqsStandIn({ queues: ['orders'] });
setHandlerEnv('orders-api', {
  TABLE_NAME: TABLE,
  ORDERS_QUEUE_URL: sqs.queueUrl('orders'),
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  AWS_ENDPOINT_URL_SQS: sqs.url,
});
const { handler } = await import('../../../functions/orders-api/handler.js');
const call = apiCaller(handler as unknown as ApiHandler);

const seedClient = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: dynamo.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS }),
);

afterAll(async () => {
  seedClient.destroy();
  await sqs.close();
  await dynamo.close();
});

let emailCounter = 0;
const uniqueEmail = () => `user${++emailCounter}-${randomUUID().slice(0, 8)}@example.com`;

async function registerUser(password = 'correct horse battery') {
  const email = uniqueEmail();
  const response = await call('POST', '/users', { body: { email, name: 'Ada Lovelace', password } });
  expect(response.status).toBe(201);
  return { id: response.body.id as string, email, password };
}

const bookOrder = (userId: string) => ({
  userId,
  category: 'books',
  items: [
    { sku: 'BOOK-1', quantity: 2, unitPrice: 12.5 },
    { sku: 'BOOK-2', quantity: 1, unitPrice: 9.99 },
  ],
});

describe('GET /', () => {
  it('says hello, lists the routes, and is counted under its route template', async () => {
    const response = await call('GET', '/');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ service: 'orders' });
    expect(response.body.routes).toEqual(expect.arrayContaining(['GET /orders/{id}', 'POST /orders']));
    expect(accessLog(response)).toMatchObject({ route: 'GET /', status: 200, service: 'orders' });
    expect(metricValues(response.emf, 'Requests', { service: 'orders', route: 'GET /' })).toEqual([1]);
  });
});

describe('GET /health', () => {
  it('reports status, uptime, cold start and runtime figures', async () => {
    const response = await call('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', service: 'orders', version: 'local' });
    expect(typeof response.body.coldStart).toBe('boolean');
    expect(response.body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(response.body.runtime.memory.heapUsedMb).toBeGreaterThan(0);
    expect(response.body.runtime.memory.limitMb).toBe(256);
    expect(response.body.runtime.eventLoop.utilizationPercent).toBeGreaterThanOrEqual(0);

    const again = await call('GET', '/health');
    expect(again.body.coldStart).toBe(false);
    expect(again.body.invocations).toBeGreaterThan(response.body.invocations);
  });
});

describe('POST /users', () => {
  it('registers a user, counts the registration, and never writes the password anywhere', async () => {
    const password = 'a secret passphrase';
    const response = await call('POST', '/users', {
      body: { email: 'Grace@Example.com', name: 'Grace Hopper', password },
      headers: { 'x-correlation-id': 'corr-register-1' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      email: 'grace@example.com',
      name: 'Grace Hopper',
      segment: 'new',
      orderCount: 0,
      lifetimeSpend: 0,
    });
    expect(response.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.location).toBe(`/users/${response.body.id}`);
    expect(response.headers['x-correlation-id']).toBe('corr-register-1');
    expect(JSON.stringify(response.body)).not.toMatch(/password|scrypt/i);

    expect(metricValues(response.emf, 'UserRegistrations', { service: 'orders' })).toEqual([1]);
    expect(dimensionSets(response.emf, 'UserRegistrations')).toEqual([['service']]);
    const registered = response.logs.find((line) => line.message === 'User registered');
    expect(registered).toMatchObject({ correlation_id: 'corr-register-1', user_id: response.body.id });
    expect(response.output).not.toContain(password);
    // Each table call is timed: the email claim and the profile, plus the activity record.
    expect(
      metricValues(response.emf, 'DbQueries', { operation: 'PutItem', table: TABLE, status: 'success' }),
    ).toEqual([1, 1, 1]);
  });

  it('refuses a second registration of the same email with 409', async () => {
    const { email } = await registerUser();
    const response = await call('POST', '/users', {
      body: { email: email.toUpperCase(), name: 'Someone Else', password: 'another password' },
    });
    expect(response.status).toBe(409);
    expect(response.body).toEqual({ error: 'email_taken', message: 'A user with this email already exists' });
    expect(metricValues(response.emf, 'UserRegistrations')).toEqual([]);
    // A false condition is an answer, not a database error.
    expect(metricValues(response.emf, 'DbQueries', { status: 'error' })).toEqual([]);
  });

  it('lists every invalid field in a 400', async () => {
    const response = await call('POST', '/users', {
      body: { email: 'not-an-email', password: 'short', extra: 1 },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('validation_failed');
    const paths = response.body.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['email', 'name', 'password', '']));
    for (const issue of response.body.issues) expect(typeof issue.message).toBe('string');
    expect(accessLog(response)).toMatchObject({ status: 400, level: 'WARN' });
    expect(metricValues(response.emf, 'ClientErrors', { route: 'POST /users' })).toEqual([1]);
  });

  it('answers a body that is not JSON with 400', async () => {
    const response = await call('POST', '/users', { rawBody: '{"email": ' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'invalid_json', message: 'The request body is not valid JSON' });
  });

  it('answers a missing body with 400', async () => {
    const response = await call('POST', '/users', { headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_json');
  });

  it('answers an oversized body with 413, base64 or not', async () => {
    const big = { email: uniqueEmail(), name: 'x'.repeat(20_000), password: 'long enough' };
    const plain = await call('POST', '/users', { body: big });
    expect(plain.status).toBe(413);
    expect(plain.body).toMatchObject({ error: 'payload_too_large', maxBytes: 16384 });
    const encoded = await call('POST', '/users', {
      rawBody: Buffer.from(JSON.stringify(big)).toString('base64'),
      isBase64Encoded: true,
    });
    expect(encoded.status).toBe(413);
  });

  it('decodes a base64 body', async () => {
    const body = { email: uniqueEmail(), name: 'Base Sixty-Four', password: 'long enough' };
    const response = await call('POST', '/users', {
      rawBody: Buffer.from(JSON.stringify(body)).toString('base64'),
      isBase64Encoded: true,
    });
    expect(response.status).toBe(201);
    expect(response.body.name).toBe('Base Sixty-Four');
  });
});

describe('request bodies that are not declared JSON', () => {
  /** Calls the handler with the given content-type, or with none at all when it is undefined. */
  const callAs = (contentType: string | undefined, method: string, path: string, body: unknown) =>
    apiCaller((event, context) => {
      const headers = { ...event.headers };
      if (contentType === undefined) delete headers['content-type'];
      else headers['content-type'] = contentType;
      return (handler as unknown as ApiHandler)({ ...event, headers }, context);
    })(method, path, { body });

  // What an HTML form or a fetch without a CORS preflight can send from another site, and near misses.
  const refused = [
    undefined,
    '',
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/octet-stream',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=----x',
    'application/jsonp',
    'application/json-patch+json',
    'application/json; charset=iso-8859-1',
    'application/json; boundary=x',
    'text/json',
  ];

  const label = (type: string | undefined) =>
    type === undefined ? 'no content type' : type === '' ? 'an empty content type' : type;

  it.each(refused.map((type) => [label(type), type]))(
    'answers %s with 415 on every JSON route and creates nothing',
    async (_label, contentType) => {
      const email = uniqueEmail();
      const registration = { email, name: 'Cross Site', password: 'correct horse battery' };
      const register = await callAs(contentType, 'POST', '/users', registration);
      expect(register.status).toBe(415);
      expect(register.body).toEqual({
        error: 'unsupported_media_type',
        message: 'The request body must be JSON, sent with content-type: application/json',
      });
      expect(register.headers['accept-post']).toBe('application/json');
      expect(metricValues(register.emf, 'UserRegistrations')).toEqual([]);
      expect(metricValues(register.emf, 'ClientErrors', { route: 'POST /users' })).toEqual([1]);

      const login = await callAs(contentType, 'POST', '/login', { email, password: 'whatever it is' });
      expect(login.status).toBe(415);
      expect(metricValues(login.emf, 'Logins')).toEqual([]);

      const user = await registerUser();
      const queued = sqs.messages('orders').length;
      const order = await callAs(contentType, 'POST', '/orders', bookOrder(user.id));
      expect(order.status).toBe(415);
      expect(metricValues(order.emf, 'Orders')).toEqual([]);
      expect(sqs.messages('orders')).toHaveLength(queued);

      // Nothing was created: the same email still registers.
      expect((await call('POST', '/users', { body: registration })).status).toBe(201);
    },
  );

  it.each([
    'application/json',
    'Application/JSON',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json; charset="utf-8"',
  ])('accepts %s', async (contentType) => {
    const response = await callAs(contentType, 'POST', '/users', {
      email: uniqueEmail(),
      name: 'Same Site',
      password: 'correct horse battery',
    });
    expect(response.status).toBe(201);
  });
});

describe('GET /users/{id}', () => {
  it('reads through the container cache: a miss hits DynamoDB, the next request is a hit', async () => {
    const id = randomUUID();
    await seedClient.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          pk: `USER#${id}`,
          sk: 'PROFILE',
          type: 'user',
          id,
          email: 'seeded@example.com',
          name: 'Seeded User',
          createdAt: '2026-01-01T00:00:00.000Z',
          orderCount: 3,
          lifetimeSpend: 1200,
        },
      }),
    );

    const first = await call('GET', `/users/${id}`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id, name: 'Seeded User', segment: 'vip', orderCount: 3 });
    expect(metricValues(first.emf, 'CacheMisses', { cache: 'users' })).toEqual([1]);
    expect(metricValues(first.emf, 'CacheHits', { cache: 'users' })).toEqual([]);
    expect(metricValues(first.emf, 'DbQueries', { operation: 'GetItem', status: 'success' })).toEqual([1]);

    const second = await call('GET', `/users/${id}`);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(metricValues(second.emf, 'CacheHits', { cache: 'users' })).toEqual([1]);
    expect(metricValues(second.emf, 'DbQueries')).toEqual([]);
    expect(dimensionSets(second.emf, 'CacheHits')).toEqual([['service', 'cache']]);
  });

  it('answers an unknown user with 404 and counts a miss', async () => {
    const response = await call('GET', `/users/${randomUUID()}`);
    expect(response.status).toBe(404);
    expect(response.body.error).toBe('user_not_found');
    expect(metricValues(response.emf, 'CacheMisses', { cache: 'users' })).toEqual([1]);
  });

  it('answers a malformed id with 400 naming the parameter', async () => {
    const response = await call('GET', '/users/not-a-uuid');
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([expect.objectContaining({ path: 'id' })]);
    expect(accessLog(response)).toMatchObject({ route: 'GET /users/{id}' });
  });
});

describe('POST /login', () => {
  it('counts a successful login by status', async () => {
    const user = await registerUser();
    const response = await call('POST', '/login', { body: { email: user.email, password: user.password } });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ id: user.id, email: user.email });
    expect(metricValues(response.emf, 'Logins', { service: 'orders', status: 'success' })).toEqual([1]);
    expect(dimensionSets(response.emf, 'Logins')).toEqual([['service', 'status']]);
    expect(response.output).not.toContain(user.password);
  });

  it('counts a wrong password and an unknown email as failures, with the same answer', async () => {
    const user = await registerUser();
    const wrong = await call('POST', '/login', { body: { email: user.email, password: 'wrong password' } });
    const unknown = await call('POST', '/login', { body: { email: uniqueEmail(), password: 'whatever' } });
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        error: 'invalid_credentials',
        message: 'Email or password is incorrect',
      });
      expect(metricValues(response.emf, 'Logins', { status: 'failure' })).toEqual([1]);
      expect(metricValues(response.emf, 'Logins', { status: 'success' })).toEqual([]);
    }
    expect(wrong.output).not.toContain('wrong password');
  });
});

describe('POST /orders and GET /orders/{id}', () => {
  it('creates an order: traced checkout steps, stored, queued with the correlation id, metrics recorded', async () => {
    const user = await registerUser();
    const response = await call('POST', '/orders', {
      body: bookOrder(user.id),
      headers: { 'x-correlation-id': 'corr-order-1' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      userId: user.id,
      category: 'books',
      amount: 34.99,
      status: 'created',
    });
    const orderId = response.body.id as string;

    expect(metricValues(response.emf, 'Orders', { category: 'books', status: 'created' })).toEqual([1]);
    expect(dimensionSets(response.emf, 'Orders')).toEqual([['service', 'category', 'status']]);
    expect(metricValues(response.emf, 'OrderAmount', { category: 'books' })).toEqual([34.99]);
    expect(metricUnit(response.emf, 'OrderAmount')).toBe('None');
    expect(metricValues(response.emf, 'CheckoutStepLatency', { step: 'inventory' })).toHaveLength(1);
    expect(metricValues(response.emf, 'CheckoutStepLatency', { step: 'payment' })).toHaveLength(1);
    expect(metricValues(response.emf, 'DbQueries', { operation: 'PutItem', table: TABLE })).not.toHaveLength(
      0,
    );
    expect(response.logs.find((line) => line.message === 'Order created')).toMatchObject({
      correlation_id: 'corr-order-1',
      order_id: orderId,
    });

    const [message] = sqs.messages('orders').filter((m) => JSON.parse(m.body).orderId === orderId);
    expect(JSON.parse(message!.body)).toEqual({
      orderId,
      userId: user.id,
      category: 'books',
      amount: 34.99,
      createdAt: response.body.createdAt,
    });
    expect(message!.messageAttributes['x-correlation-id']).toEqual({
      DataType: 'String',
      StringValue: 'corr-order-1',
    });

    const fetched = await call('GET', `/orders/${orderId}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(response.body);
  });

  it('passes the trace header on to the worker', async () => {
    const user = await registerUser();
    const traceHeader = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';
    process.env._X_AMZN_TRACE_ID = traceHeader;
    try {
      const response = await call('POST', '/orders', { body: bookOrder(user.id) });
      expect(response.status).toBe(201);
      const message = sqs.messages('orders').find((m) => JSON.parse(m.body).orderId === response.body.id);
      expect(message?.messageAttributes['x-amzn-trace-id']?.StringValue).toBe(traceHeader);
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
  });

  it('answers an out-of-stock item with 409 and counts a failed order', async () => {
    const user = await registerUser();
    const before = sqs.messages('orders').length;
    const response = await call('POST', '/orders', {
      body: { userId: user.id, category: 'home', items: [{ sku: 'OOS-LAMP', quantity: 1, unitPrice: 40 }] },
    });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'out_of_stock', unavailableSkus: ['OOS-LAMP'] });
    expect(metricValues(response.emf, 'Orders', { category: 'home', status: 'failed' })).toEqual([1]);
    expect(metricValues(response.emf, 'OrderAmount')).toEqual([]);
    expect(sqs.messages('orders')).toHaveLength(before);
  });

  it('stores a declined payment as a failed order and answers 402', async () => {
    const user = await registerUser();
    const response = await call('POST', '/orders', {
      body: {
        userId: user.id,
        category: 'electronics',
        items: [{ sku: 'TV-85', quantity: 2, unitPrice: 3000 }],
      },
    });
    expect(response.status).toBe(402);
    expect(response.body).toMatchObject({ error: 'payment_declined', reason: 'amount_over_limit' });
    expect(metricValues(response.emf, 'Orders', { category: 'electronics', status: 'failed' })).toEqual([1]);

    const stored = await call('GET', `/orders/${response.body.orderId}`);
    expect(stored.body).toMatchObject({
      status: 'failed',
      failureReason: 'payment_declined:amount_over_limit',
    });
  });

  it('answers an order for an unknown user with 422', async () => {
    const response = await call('POST', '/orders', { body: bookOrder(randomUUID()) });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ error: 'unknown_user', issues: [{ path: 'userId' }] });
  });

  it('lists every invalid field of an order', async () => {
    const response = await call('POST', '/orders', {
      body: {
        userId: 'nope',
        category: 'toys',
        items: [{ sku: 'BAD SKU!', quantity: 0, unitPrice: 1.234 }],
      },
    });
    expect(response.status).toBe(400);
    const paths = response.body.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining(['userId', 'category', 'items.0.sku', 'items.0.quantity', 'items.0.unitPrice']),
    );
    expect(metricValues(response.emf, 'Orders')).toEqual([]);
  });

  it.each([
    ['1e-131', 1e-131, 1],
    ['0.000000005', 0.000000005, 100],
    ['0.001', 0.001, 1],
    ['0.005', 0.005, 1000],
    ['12.345', 12.345, 1],
    ['19.999', 19.999, 1],
    ['0.1 + 0.2', 0.1 + 0.2, 1],
    ['zero', 0, 1],
    ['a negative price', -5, 1],
    ['one cent over the limit', 100_000.01, 1],
    ['1e21', 1e21, 1],
  ])('refuses a unit price of %s with 400 and stores nothing', async (_label, unitPrice, quantity) => {
    const user = await registerUser();
    const queued = sqs.messages('orders').length;
    const response = await call('POST', '/orders', {
      body: { userId: user.id, category: 'other', items: [{ sku: 'CHEAP', quantity, unitPrice }] },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('validation_failed');
    expect(response.body.issues.map((issue: { path: string }) => issue.path)).toContain('items.0.unitPrice');
    expect(metricValues(response.emf, 'Orders')).toEqual([]);
    expect(metricValues(response.emf, 'DbQueries', { operation: 'PutItem' })).toEqual([]);
    expect(sqs.messages('orders')).toHaveLength(queued);
  });

  it('sums whole cents exactly: the smallest price, two decimals, and the largest price', async () => {
    const user = await registerUser();
    const response = await call('POST', '/orders', {
      body: {
        userId: user.id,
        category: 'other',
        items: [
          { sku: 'PENNY', quantity: 3, unitPrice: 0.01 },
          { sku: 'TENTH', quantity: 3, unitPrice: 0.1 },
          { sku: 'ODD', quantity: 7, unitPrice: 1.15 },
          { sku: 'MID', quantity: 1, unitPrice: 4.35 },
        ],
      },
    });
    expect(response.status).toBe(201);
    // In floats, 0.1 × 3 is 0.30000000000000004 and 1.15 × 7 is 8.049999999999999.
    expect(response.body.amount).toBe(12.73);
    const top = await call('POST', '/orders', {
      body: { userId: user.id, category: 'other', items: [{ sku: 'TOP', quantity: 1, unitPrice: 100_000 }] },
    });
    // Valid, but over the payment limit: a declined order, not a validation error.
    expect(top.status).toBe(402);
  });

  it('refuses an order whose total is over the limit with 400, before any payment', async () => {
    const user = await registerUser();
    const response = await call('POST', '/orders', {
      body: {
        userId: user.id,
        category: 'electronics',
        items: [
          { sku: 'RACK-1', quantity: 6, unitPrice: 100_000 },
          { sku: 'RACK-2', quantity: 4, unitPrice: 100_000 },
          { sku: 'CABLE', quantity: 1, unitPrice: 0.01 },
        ],
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([
      { path: 'items', message: 'the order total must not exceed 1000000' },
    ]);
    expect(metricValues(response.emf, 'Orders')).toEqual([]);
    expect(metricValues(response.emf, 'CheckoutStepLatency')).toEqual([]);
  });

  it('counts stock per SKU whatever its case, and stores SKUs in one spelling', async () => {
    const user = await registerUser();
    const mixed = await call('POST', '/orders', {
      body: {
        userId: user.id,
        category: 'home',
        items: [
          { sku: 'Mug-7', quantity: 60, unitPrice: 3 },
          { sku: 'mug-7', quantity: 30, unitPrice: 3 },
          { sku: 'MUG-7', quantity: 11, unitPrice: 3 },
        ],
      },
    });
    expect(mixed.status).toBe(409);
    expect(mixed.body).toMatchObject({ error: 'out_of_stock', unavailableSkus: ['MUG-7'] });

    const outOfStock = await call('POST', '/orders', {
      body: { userId: user.id, category: 'home', items: [{ sku: 'oos-lamp', quantity: 1, unitPrice: 40 }] },
    });
    expect(outOfStock.status).toBe(409);

    const stocked = await call('POST', '/orders', {
      body: {
        userId: user.id,
        category: 'home',
        items: [
          { sku: 'Mug-7', quantity: 60, unitPrice: 3 },
          { sku: 'mug-7', quantity: 40, unitPrice: 3 },
        ],
      },
    });
    expect(stocked.status).toBe(201);
    expect(stocked.body.items.map((item: { sku: string }) => item.sku)).toEqual(['MUG-7', 'MUG-7']);
  });

  it('answers an unknown order with 404', async () => {
    const response = await call('GET', `/orders/${randomUUID()}`);
    expect(response.status).toBe(404);
    expect(response.body.error).toBe('order_not_found');
  });
});

describe('routing', () => {
  it('answers an unknown path with 404, counted under the route "other"', async () => {
    const response = await call('GET', '/nowhere/at/all');
    expect(response.status).toBe(404);
    expect(response.body.error).toBe('not_found');
    expect(metricValues(response.emf, 'Requests', { route: 'other' })).toEqual([1]);
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const response = await call('DELETE', `/orders/${randomUUID()}`);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET');
  });

  it('uses an API Gateway route key and its decoded path parameters', async () => {
    const id = randomUUID();
    const response = await call('GET', `/orders/${id}`, {
      routeKey: 'GET /orders/{id}',
      pathParameters: { id },
    });
    expect(response.status).toBe(404);
    expect(response.body.error).toBe('order_not_found');
    expect(metricValues(response.emf, 'Requests', { route: 'GET /orders/{id}' })).toEqual([1]);
  });

  it('tolerates a trailing slash', async () => {
    const response = await call('GET', '/health/');
    expect(response.status).toBe(200);
  });
});

describe('GET /stats/hourly', () => {
  const HOUR = '2026-03-01T10';

  beforeAll(() => {
    // Only Date is faked, so every request of this block falls in one known hour.
    jest.useFakeTimers({
      now: new Date(`${HOUR}:30:00.000Z`),
      advanceTimers: true,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
  });

  afterAll(() => {
    jest.useRealTimers();
  });

  it('reports the hour: orders, revenue, active users and conversion by segment, with gauges', async () => {
    const buyer = await registerUser();
    const browser = await registerUser();
    await call('POST', '/login', { body: { email: browser.email, password: browser.password } });
    expect((await call('POST', '/orders', { body: bookOrder(buyer.id) })).status).toBe(201);
    expect((await call('POST', '/orders', { body: bookOrder(buyer.id) })).status).toBe(201);
    const declined = await call('POST', '/orders', {
      body: {
        userId: buyer.id,
        category: 'electronics',
        items: [{ sku: 'TV', quantity: 1, unitPrice: 9000 }],
      },
    });
    expect(declined.status).toBe(402);

    const response = await call('GET', '/stats/hourly');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      hour: HOUR,
      orders: { created: 2, failed: 1 },
      revenue: 69.98,
      averageOrderValue: 34.99,
      activeUsers: 2,
      segments: {
        new: { activeUsers: 2, conversions: 1, conversionRate: 50 },
        returning: { activeUsers: 0, conversions: 0, conversionRate: 0 },
        vip: { activeUsers: 0, conversions: 0, conversionRate: 0 },
      },
    });
    expect(metricValues(response.emf, 'ActiveUsers', { segment: 'new' })).toEqual([2]);
    expect(metricValues(response.emf, 'ConversionRate', { segment: 'new' })).toEqual([50]);
    expect(metricValues(response.emf, 'ConversionRate', { segment: 'vip' })).toEqual([0]);
    expect(metricUnit(response.emf, 'ConversionRate')).toBe('Percent');
    expect(metricUnit(response.emf, 'ActiveUsers')).toBe('Count');
    expect(dimensionSets(response.emf, 'ActiveUsers')).toEqual([['service', 'segment']]);
  });

  it('counts a user once in the hour, in the segment they started it in, when their segment changes', async () => {
    const hour = '2026-03-01T08';
    const store = new OrdersStore(seedClient, TABLE);
    const [upgraded, returning] = [randomUUID(), randomUUID()];
    // What the API records for someone who registers and orders, has the order completed by the
    // worker (now "returning"), then logs in again and orders once more within the same hour.
    await store.recordActiveUser(hour, 'new', upgraded);
    await store.recordOrderPlaced(hour, 'new', upgraded, 20);
    await store.recordActiveUser(hour, 'returning', upgraded);
    await store.recordOrderPlaced(hour, 'returning', upgraded, 30);
    // And someone who only looks around.
    await store.recordActiveUser(hour, 'returning', returning);

    const response = await call('GET', '/stats/hourly', { query: { hour } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      hour,
      orders: { created: 2, failed: 0 },
      revenue: 50,
      activeUsers: 2,
      segments: {
        new: { activeUsers: 1, conversions: 1, conversionRate: 100 },
        returning: { activeUsers: 1, conversions: 0, conversionRate: 0 },
        vip: { activeUsers: 0, conversions: 0, conversionRate: 0 },
      },
    });
  });

  it('reports a past hour without recording gauges', async () => {
    const response = await call('GET', '/stats/hourly', { query: { hour: '2026-03-01T09' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      hour: '2026-03-01T09',
      orders: { created: 0, failed: 0 },
      revenue: 0,
    });
    expect(metricValues(response.emf, 'ActiveUsers')).toEqual([]);
  });

  it('rejects an hour that is not a real UTC hour', async () => {
    for (const hour of ['yesterday', '2026-02-30T10', '2026-03-01T24']) {
      const response = await call('GET', '/stats/hourly', { query: { hour } });
      expect(response.status).toBe(400);
      expect(response.body.issues).toEqual([expect.objectContaining({ path: 'hour' })]);
    }
  });
});

describe('demo fault knobs', () => {
  afterAll(() => {
    delete process.env.DEMO_FAULTS_ENABLED;
    delete process.env.DEMO_FAILURE_RATE;
  });

  it('ignores the fault headers unless DEMO_FAULTS_ENABLED is true', async () => {
    const headers = { 'x-demo-failure-rate': '1', 'x-demo-latency-ms': 'slow' };
    expect((await call('GET', '/', { headers })).status).toBe(200);
    // What the demo stack used to set on every function: no longer enough to turn faults on.
    process.env.LOOKOUT_DEMO = 'true';
    try {
      for (const value of ['', '1', 'yes', 'false', 'on']) {
        process.env.DEMO_FAULTS_ENABLED = value;
        expect((await call('GET', '/', { headers })).status).toBe(200);
      }
    } finally {
      delete process.env.LOOKOUT_DEMO;
      delete process.env.DEMO_FAULTS_ENABLED;
    }
  });

  it('fails on purpose when asked, as a counted 5xx', async () => {
    process.env.DEMO_FAULTS_ENABLED = 'true';
    const response = await call('GET', '/', { headers: { 'x-demo-failure-rate': '1' } });
    expect(response.status).toBe(500);
    expect(response.body.error).toBe('injected_failure');
    expect(metricValues(response.emf, 'Errors', { route: 'GET /' })).toEqual([1]);
  });

  it('adds latency on purpose', async () => {
    process.env.DEMO_FAULTS_ENABLED = 'true';
    const response = await call('GET', '/', { headers: { 'x-demo-latency-ms': '60' } });
    expect(response.status).toBe(200);
    // Timers may fire a fraction of a millisecond early; the point is that the delay happened.
    expect(accessLog(response)?.latency_ms).toBeGreaterThanOrEqual(55);
  });

  it('takes the environment as the default and the header as an override', async () => {
    process.env.DEMO_FAULTS_ENABLED = 'true';
    process.env.DEMO_FAILURE_RATE = '1';
    expect((await call('GET', '/')).status).toBe(500);
    expect((await call('GET', '/', { headers: { 'x-demo-failure-rate': '0' } })).status).toBe(200);
    delete process.env.DEMO_FAILURE_RATE;
  });

  it('never fails /health, so that "down" means down', async () => {
    process.env.DEMO_FAULTS_ENABLED = 'true';
    const response = await call('GET', '/health', { headers: { 'x-demo-failure-rate': '1' } });
    expect(response.status).toBe(200);
  });

  it('rejects a malformed fault header with 400', async () => {
    process.env.DEMO_FAULTS_ENABLED = 'true';
    const response = await call('GET', '/', {
      headers: { 'x-demo-latency-ms': 'slow', 'x-demo-failure-rate': '2' },
    });
    expect(response.status).toBe(400);
    expect(response.body.issues.map((issue: { path: string }) => issue.path)).toEqual([
      'x-demo-latency-ms',
      'x-demo-failure-rate',
    ]);
  });
});

describe('when the queue is unavailable', () => {
  it('answers 503, marks the order failed and counts it', async () => {
    const user = await registerUser();
    const queueUrl = process.env.ORDERS_QUEUE_URL;
    await sqs.close();
    try {
      const response = await call('POST', '/orders', { body: bookOrder(user.id) });
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ error: 'order_not_queued' });
      expect(metricValues(response.emf, 'Orders', { category: 'books', status: 'failed' })).toEqual([1]);
      expect(response.logs.some((line) => line.message === 'Could not queue the order for fulfilment')).toBe(
        true,
      );
      const stored = await call('GET', `/orders/${response.body.orderId}`);
      expect(stored.body).toMatchObject({ status: 'failed', failureReason: 'queue_unavailable' });
    } finally {
      expect(process.env.ORDERS_QUEUE_URL).toBe(queueUrl);
    }
  });
});

describe('when DynamoDB is unavailable', () => {
  beforeAll(async () => {
    await dynamo.close();
  });

  it('answers 503 without internals, logs the failure with the correlation id, and counts DB errors', async () => {
    const response = await call('GET', `/orders/${randomUUID()}`, {
      headers: { 'x-correlation-id': 'corr-db-down' },
    });
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      error: 'storage_unavailable',
      message: 'The service is temporarily unavailable; try again',
    });
    expect(response.headers['retry-after']).toBe('1');
    expect(
      metricValues(response.emf, 'DbQueries', { operation: 'GetItem', table: TABLE, status: 'error' }),
    ).toEqual([1]);
    expect(metricValues(response.emf, 'DbQueries', { status: 'error' }).length).toBeGreaterThan(0);
    expect(metricValues(response.emf, 'Errors', { route: 'GET /orders/{id}' })).toEqual([1]);
    const failure = response.logs.find((line) => line.message === 'Storage call failed');
    expect(failure).toMatchObject({ level: 'ERROR', correlation_id: 'corr-db-down' });
  });

  it('keeps serving: registration fails cleanly, health still answers', async () => {
    const register = await call('POST', '/users', {
      body: { email: uniqueEmail(), name: 'Too Late', password: 'long enough' },
    });
    expect(register.status).toBe(503);
    expect(register.body.error).toBe('storage_unavailable');
    const health = await call('GET', '/health');
    expect(health.status).toBe(200);
  });
});
