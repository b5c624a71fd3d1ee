/**
 * The HTTP front door on a real loopback port, in front of functions running in the local Lambda
 * emulation: a test function that echoes its event, and the real orders API.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import type { GatewayExchange, HttpGateway } from '../../../sandbox/gateway/index.js';
import { routesTo, startHttpGateway } from '../../../sandbox/gateway/index.js';
import type { FunctionManager } from '../../../sandbox/lambda/index.js';
import { createFunctionManager } from '../../../sandbox/lambda/index.js';
import type { SqsStandIn } from '../../../sandbox/aws/sqs.js';
import { startSqsStandIn } from '../../../sandbox/aws/sqs.js';
import { ROUTE_TEMPLATES } from '../../../functions/orders-api/routes.js';
import type { LocalDynamo } from '../../support/dynalite.js';
import { createDemoTable, startDynalite } from '../../support/dynalite.js';
import type { TestBundles } from '../lambda/support.js';
import { testBundles } from '../lambda/support.js';

let bundles: TestBundles;

beforeAll(async () => {
  bundles = await testBundles();
});

afterAll(async () => {
  await bundles.cleanup();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with node:http, so repeated headers and set-cookie arrive as sent. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const json = (response: RawResponse) => JSON.parse(response.body.toString('utf8'));

describe('the gateway in front of a test function', () => {
  let echo: FunctionManager;
  let slow: FunctionManager;
  let gateway: HttpGateway;
  const exchanges: GatewayExchange[] = [];

  beforeAll(async () => {
    const bundle = await bundles.bundle('http-echo', 'test/sandbox/gateway/fixtures/http-echo.ts');
    echo = await createFunctionManager({ name: 'http-echo', bundle, maxConcurrency: 1 });
    slow = await createFunctionManager({ name: 'http-slow', bundle, timeoutSeconds: 0.5 });
    gateway = await startHttpGateway({
      routes: [
        ...routesTo(echo, ['GET /items/{id}', 'POST /items', 'ANY /files/{proxy+}']),
        { routeKey: 'GET /slow', target: slow },
      ],
    });
    gateway.onExchange((exchange) => exchanges.push(exchange));
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([echo?.close(), slow?.close()]);
  });

  it('turns a request into a payload 2.0 event for the matched route', async () => {
    const response = await send(`${gateway.url}/items/42?color=red&color=blue&q=a%20b`, {
      headers: { 'X-Custom': 'Yes', cookie: 'session=abc; theme=dark', 'user-agent': 'gateway-test' },
    });
    expect(response.status).toBe(200);
    expect(response.headers['apigw-requestid']).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    const event = json(response);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /items/{id}',
      rawPath: '/items/42',
      rawQueryString: 'color=red&color=blue&q=a%20b',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { color: 'red,blue', q: 'a b' },
      pathParameters: { id: '42' },
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'GET /items/{id}',
        stage: '$default',
        requestId: response.headers['apigw-requestid'],
        http: { method: 'GET', path: '/items/42', sourceIp: '127.0.0.1', userAgent: 'gateway-test' },
      },
    });
    expect(event.headers).toMatchObject({
      'x-custom': 'Yes',
      'x-forwarded-for': '127.0.0.1',
      host: expect.any(String),
    });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event.body).toBeUndefined();
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5000);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(exchanges.at(-1)).toMatchObject({
      method: 'GET',
      path: '/items/42',
      routeKey: 'GET /items/{id}',
      statusCode: 200,
      invocation: 'success',
    });
  });

  it('continues the caller’s trace into the function', async () => {
    const traces: string[] = [];
    const unsubscribe = echo.onInvocation((record) => traces.push(record.result.traceHeader));
    const incoming = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const event = json(await send(`${gateway.url}/items/1`, { headers: { 'x-amzn-trace-id': incoming } }));
    unsubscribe();
    expect(event.headers['x-amzn-trace-id']).toBe(incoming);
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatch(
      /^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=(?!53995c3f42cd8ad8)[0-9a-f]{16};Sampled=1$/,
    );
  });

  it('passes a JSON body as text and a binary body as base64, and back', async () => {
    const text = json(
      await send(`${gateway.url}/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"lamp"}',
      }),
    );
    expect(text).toMatchObject({ routeKey: 'POST /items', body: '{"name":"lamp"}', isBase64Encoded: false });

    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const binaryEvent = json(
      await send(`${gateway.url}/files/a/b.bin`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      }),
    );
    expect(binaryEvent).toMatchObject({
      routeKey: 'ANY /files/{proxy+}',
      pathParameters: { proxy: 'a/b.bin' },
      isBase64Encoded: true,
    });
    expect(Buffer.from(binaryEvent.body, 'base64')).toEqual(bytes);

    const echoed = await send(`${gateway.url}/files/x`, {
      method: 'POST',
      headers: { 'content-type': 'image/png', 'x-mode': 'binary' },
      body: bytes,
    });
    expect(echoed.headers['content-type']).toBe('application/octet-stream');
    expect(echoed.body).toEqual(bytes);
  });

  it('maps a structured result: status, headers, cookies', async () => {
    const response = await send(`${gateway.url}/items/1`, { headers: { 'x-mode': 'structured' } });
    expect(response.status).toBe(201);
    expect(response.headers).toMatchObject({
      'content-type': 'text/plain',
      'x-number': '42',
      'x-flag': 'true',
    });
    expect(response.headers['set-cookie']).toEqual(['session=abc; HttpOnly; Path=/', 'theme=dark']);
    expect(response.body.toString()).toBe('created');
  });

  it('answers a plain result as JSON 200, as API Gateway does', async () => {
    const object = await send(`${gateway.url}/items/1`, { headers: { 'x-mode': 'plain-object' } });
    expect(object.status).toBe(200);
    expect(object.headers['content-type']).toBe('application/json');
    expect(json(object)).toEqual({ hello: 'world', items: [1, 2] });
    const text = await send(`${gateway.url}/items/1`, { headers: { 'x-mode': 'string' } });
    expect(text.body.toString()).toBe('just text');
  });

  it.each([
    ['a function error', 'throw', 500, 'Internal Server Error'],
    ['a malformed response', 'malformed', 500, 'Internal Server Error'],
  ])('answers %s (x-mode %s) with %i', async (_label, mode, status, message) => {
    const response = await send(`${gateway.url}/items/1`, { headers: { 'x-mode': mode } });
    expect(response.status).toBe(status);
    expect(json(response)).toEqual({ message });
  });

  it('answers a timed-out function with 503', async () => {
    const response = await send(`${gateway.url}/slow`, {
      headers: { 'x-mode': 'sleep', 'x-sleep-ms': '3000' },
    });
    expect(response.status).toBe(503);
    expect(json(response)).toEqual({ message: 'Service Unavailable' });
    expect(exchanges.at(-1)).toMatchObject({ routeKey: 'GET /slow', statusCode: 503, invocation: 'timeout' });
  });

  it('answers a throttled invocation with 429 and Retry-After', async () => {
    const sleepy = { headers: { 'x-mode': 'sleep', 'x-sleep-ms': '300' } };
    const [first, second] = await Promise.all([
      send(`${gateway.url}/items/1`, sleepy),
      send(`${gateway.url}/items/2`, sleepy),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 429]);
    const throttled = first.status === 429 ? first : second;
    expect(json(throttled)).toEqual({ message: 'Too Many Requests' });
    expect(throttled.headers['retry-after']).toBe('1');
  });

  it('answers an unknown route with 404 without invoking anything', async () => {
    const before = exchanges.filter((exchange) => exchange.invocation).length;
    for (const [method, path] of [
      ['GET', '/nowhere'],
      ['DELETE', '/items/1'],
      ['GET', '/files'],
    ]) {
      const response = await send(`${gateway.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(json(response)).toEqual({ message: 'Not Found' });
    }
    expect(exchanges.filter((exchange) => exchange.invocation)).toHaveLength(before);
    expect(exchanges.at(-1)).toMatchObject({ routeKey: undefined, statusCode: 404 });
  });

  it('answers a body over 10 MB with 413', async () => {
    const response = await send(`${gateway.url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(json(response)).toEqual({ message: 'Request Entity Too Large' });
  });

  it('says clearly when its port is taken', async () => {
    await expect(startHttpGateway({ routes: [], port: gateway.port })).rejects.toThrow(
      `The HTTP gateway cannot listen on 127.0.0.1:${gateway.port}: the port is in use`,
    );
  });
});

describe('the gateway in front of the real orders API', () => {
  let dynamo: LocalDynamo;
  let sqs: SqsStandIn;
  let ordersApi: FunctionManager;
  let gateway: HttpGateway;

  beforeAll(async () => {
    const bundle = await bundles.bundle('orders-api', 'functions/orders-api/handler.ts');
    [dynamo, sqs] = await Promise.all([startDynalite(), startSqsStandIn({ queues: ['orders'] })]);
    await createDemoTable(dynamo.endpoint, 'gateway-demo');
    ordersApi = await createFunctionManager({
      name: 'orders-api',
      bundle,
      timeoutSeconds: 10,
      environment: {
        LOOKOUT_TRACING: 'off',
        TABLE_NAME: 'gateway-demo',
        ORDERS_QUEUE_URL: sqs.queueUrl('orders'),
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.url,
      },
    });
    gateway = await startHttpGateway({ routes: routesTo(ordersApi, ROUTE_TEMPLATES) });
  });

  afterAll(async () => {
    await gateway?.close();
    await ordersApi?.close();
    await Promise.all([dynamo?.close(), sqs?.close()]);
  });

  it('serves the demo routes end to end, with the correlation id echoed', async () => {
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });

    const registered = await fetch(`${gateway.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'through-the-gateway' },
      body: JSON.stringify({ email: 'gateway@example.com', name: 'Gail', password: 'a long password' }),
    });
    expect(registered.status).toBe(201);
    expect(registered.headers.get('x-correlation-id')).toBe('through-the-gateway');
    const user = (await registered.json()) as { id: string };

    const fetched = await fetch(`${gateway.url}/users/${user.id}`);
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toMatchObject({ id: user.id, email: 'gateway@example.com' });

    // A path outside the API's routes never reaches the function.
    expect((await fetch(`${gateway.url}/admin`)).status).toBe(404);
  });
});
