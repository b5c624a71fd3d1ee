/**
 * The stack's APIs served on loopback in front of a real function in the Lambda emulation: a REST
 * API (LambdaRestApi, stage prod), a REST API with a resource tree (stage v1), a function URL, and
 * an HTTP API with a named stage and a 1.0 route.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ApiSpec, HttpGateway } from '../../../sandbox/gateway/index.js';
import { startApiGateway } from '../../../sandbox/gateway/index.js';
import type { FunctionManager } from '../../../sandbox/lambda/index.js';
import { createFunctionManager } from '../../../sandbox/lambda/index.js';
import type { SandboxStack } from '../../../sandbox/template/index.js';
import type { TestBundles } from '../lambda/support.js';
import { testBundles } from '../lambda/support.js';
import { synthShopApis } from './support/apis-stack.js';

let bundles: TestBundles;
let stack: SandboxStack;
let cleanup: () => void;
const functions = new Map<string, FunctionManager>();
const gateways = new Map<string, HttpGateway>();

const api = (prefix: string): ApiSpec => stack.apis.find((spec) => spec.logicalId.startsWith(prefix))!;
const url = (prefix: string) => gateways.get(api(prefix).logicalId)!.url;

beforeAll(async () => {
  bundles = await testBundles();
  const echo = await bundles.bundle('http-echo', 'test/sandbox/gateway/fixtures/http-echo.ts');
  ({ stack, cleanup } = synthShopApis(echo.directory));
  for (const spec of stack.functions) {
    functions.set(
      spec.name,
      await createFunctionManager({ name: spec.name, bundle: spec.assetDir, timeoutSeconds: 10 }),
    );
  }
  for (const spec of stack.apis) {
    gateways.set(spec.logicalId, await startApiGateway(spec, (name) => functions.get(name)));
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([...gateways.values()].map((gateway) => gateway.close()));
  await Promise.all([...functions.values()].map((fn) => fn.close()));
  cleanup?.();
  await bundles?.cleanup();
});

const echoed = async <T>(response: Response): Promise<T> => {
  expect(response.status).toBe(200);
  return (await response.json()) as T;
};

describe('a REST API with a stage', () => {
  it('is served under /<stage>: the event has the path without it, the stage and the {proxy+} resource', async () => {
    expect(url('ShopRestApi')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod$/);
    const event = await echoed<APIGatewayProxyEvent>(
      await fetch(`${url('ShopRestApi')}/items/42?tag=a&tag=b`, { headers: { 'X-Shop': 'yes' } }),
    );
    expect(event).toMatchObject({
      resource: '/{proxy+}',
      path: '/items/42',
      httpMethod: 'GET',
      pathParameters: { proxy: 'items/42' },
      queryStringParameters: { tag: 'b' },
      multiValueQueryStringParameters: { tag: ['a', 'b'] },
      body: null,
      isBase64Encoded: false,
      requestContext: {
        stage: 'prod',
        path: '/prod/items/42',
        resourcePath: '/{proxy+}',
        httpMethod: 'GET',
        apiId: api('ShopRestApi').apiId,
        identity: { sourceIp: '127.0.0.1' },
      },
    });
    expect(event.headers['X-Shop']).toBe('yes');
    expect(event.multiValueHeaders['X-Shop']).toEqual(['yes']);
    expect(event).not.toHaveProperty('version');
  });

  it('sends the root to the root ANY method', async () => {
    const event = await echoed<APIGatewayProxyEvent>(
      await fetch(`${url('ShopRestApi')}/`, { method: 'DELETE' }),
    );
    expect(event).toMatchObject({ resource: '/', path: '/', httpMethod: 'DELETE', pathParameters: null });
  });

  it('answers a malformed or failed invocation with 502 and a path outside the stage with 403', async () => {
    for (const mode of ['malformed', 'throw']) {
      const response = await fetch(`${url('ShopRestApi')}/x`, { headers: { 'x-mode': mode } });
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ message: 'Internal server error' });
    }
    const outside = await fetch(`${url('ShopRestApi').replace(/\/prod$/, '')}/items/42`);
    expect(outside.status).toBe(403);
  });

  it('matches a resource tree: path parameters, 403 for what has no method, 501 for a MOCK method', async () => {
    const event = await echoed<APIGatewayProxyEvent>(await fetch(`${url('CatalogRestApi')}/items/7`));
    expect(event).toMatchObject({ resource: '/items/{id}', path: '/items/7', pathParameters: { id: '7' } });
    expect(event.requestContext.stage).toBe('v1');
    const missing = await fetch(`${url('CatalogRestApi')}/nothing`);
    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({ message: 'Missing Authentication Token' });
    const mock = await fetch(`${url('CatalogRestApi')}/items`, { method: 'OPTIONS' });
    expect(mock.status).toBe(501);
    expect(await mock.text()).toMatch(/MOCK integrations are not emulated/);
  });

  it('passes a binary media type base64-encoded and any other type as text', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff]);
    const send = (contentType: string, body: Buffer) =>
      fetch(`${url('CatalogRestApi')}/items/1`, {
        method: 'DELETE',
        headers: { 'content-type': contentType },
        body,
      });
    const binary = await echoed<APIGatewayProxyEvent>(await send('image/png', png));
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body!, 'base64')).toEqual(png);
    const text = await echoed<APIGatewayProxyEvent>(
      await send('application/octet-stream', Buffer.from('plain')),
    );
    expect(text).toMatchObject({ isBase64Encoded: false, body: 'plain' });
  });
});

describe('a function URL', () => {
  it('hands the function a payload 2.0 event for any method and path', async () => {
    const event = await echoed<APIGatewayProxyEventV2>(
      await fetch(`${url('UrlFunction')}/any/path?x=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      }),
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/any/path',
      rawQueryString: 'x=1',
      body: '{"a":1}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/any/path' }, stage: '$default' },
    });
    expect(event.requestContext.domainName).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});

describe('an HTTP API with a named stage', () => {
  it('routes under /<stage>, keeps the stage in rawPath, and hands a 1.0 route the 1.0 event', async () => {
    expect(url('ShopHttpApi')).toMatch(/\/dev$/);
    const v2 = await echoed<APIGatewayProxyEventV2>(await fetch(`${url('ShopHttpApi')}/items`));
    expect(v2).toMatchObject({
      routeKey: 'GET /items',
      rawPath: '/dev/items',
      requestContext: { stage: 'dev' },
    });
    const v1 = await echoed<APIGatewayProxyEvent>(await fetch(`${url('ShopHttpApi')}/legacy`));
    expect(v1).toMatchObject({ version: '1.0', resource: '/legacy', httpMethod: 'GET' });
    const fallback = await echoed<APIGatewayProxyEventV2>(
      await fetch(`${url('ShopHttpApi')}/other`, { method: 'PUT' }),
    );
    expect(fallback.routeKey).toBe('$default');
  });
});
