/** Every API of a synthesized stack, read back as the sandbox serves it, with what it leaves out. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiSpec } from '../../../sandbox/gateway/index.js';
import type { SandboxStack } from '../../../sandbox/template/index.js';
import { localize } from '../../../sandbox/template/index.js';
import { synthShopApis } from './support/apis-stack.js';

let assetDir: string;
let stack: SandboxStack;
let cleanup: () => void;

beforeAll(() => {
  assetDir = mkdtempSync(join(tmpdir(), 'lookout-api-asset-'));
  writeFileSync(join(assetDir, 'index.mjs'), 'export const handler = async () => ({ statusCode: 200 });\n');
  ({ stack, cleanup } = synthShopApis(assetDir));
}, 60_000);

afterAll(() => {
  cleanup?.();
  rmSync(assetDir, { recursive: true, force: true });
});

const fnName = (prefix: string) => stack.functions.find((fn) => fn.logicalId.startsWith(prefix))!.name;
const api = (prefix: string): ApiSpec =>
  stack.apis.find((candidate) => candidate.logicalId.startsWith(prefix))!;
const routeTable = (spec: ApiSpec) =>
  Object.fromEntries(
    spec.routes.map((route) => [
      route.routeKey,
      route.notEmulated ? 'not emulated' : `${route.functionName} ${route.payloadVersion}`,
    ]),
  );

describe('the APIs of a stack', () => {
  it('serves HTTP APIs, then REST APIs, then function URLs, each in template order; not WebSocket APIs', () => {
    // In the template the legacy function's URL (one of its children) comes before the HTTP API.
    expect(
      stack.apis.map((spec) => [spec.logicalId.replace(/[0-9A-F]{8}$/, ''), spec.kind, spec.stage]),
    ).toEqual([
      ['ShopHttpApi', 'http', 'dev'],
      ['ShopRestApi', 'rest', 'prod'],
      ['CatalogRestApi', 'rest', 'v1'],
      ['LegacyFunctionFunctionUrl', 'url', '$default'],
      ['UrlFunctionFunctionUrl', 'url', '$default'],
    ]);
    expect(api('ShopRestApi').constructPath).toBe('ShopApis/ShopRestApi');
    expect(api('ShopRestApi').apiId).toMatch(/^[a-z0-9]{10}$/);
  });

  it('sends each HTTP API route to its own integration, with that integration’s payload version', () => {
    expect(routeTable(api('ShopHttpApi'))).toEqual({
      'GET /items': `${fnName('ItemsFunction')} 2.0`,
      'POST /orders': `${fnName('OrdersFunction')} 2.0`,
      'GET /legacy': `${fnName('LegacyFunction')} 1.0`,
      $default: `${fnName('OrdersFunction')} 2.0`,
    });
  });

  it('reads what LambdaRestApi synthesizes: ANY on the root and on {proxy+}', () => {
    expect(routeTable(api('ShopRestApi'))).toEqual({
      'ANY /': `${fnName('ItemsFunction')} 1.0`,
      'ANY /{proxy+}': `${fnName('ItemsFunction')} 1.0`,
    });
  });

  it('walks a REST resource tree to path templates, and keeps a MOCK method as not emulated', () => {
    const catalog = api('CatalogRestApi');
    expect(routeTable(catalog)).toEqual({
      'GET /items': `${fnName('ItemsFunction')} 1.0`,
      'OPTIONS /items': 'not emulated',
      'GET /items/{id}': `${fnName('OrdersFunction')} 1.0`,
      'DELETE /items/{id}': `${fnName('OrdersFunction')} 1.0`,
      'GET /admin': `${fnName('LegacyFunction')} 1.0`,
    });
    expect(catalog.binaryMediaTypes).toEqual(['image/png']);
  });

  it('points a function URL at its function with payload 2.0', () => {
    expect(routeTable(api('UrlFunctionFunctionUrl'))).toEqual({ $default: `${fnName('UrlFunction')} 2.0` });
    expect(api('UrlFunctionFunctionUrl').deployedOrigin).toMatch(
      /^https:\/\/[a-z0-9]{32}\.lambda-url\.eu-west-2\.on\.aws$/,
    );
  });

  it('lists what it does not run and what it ignores', () => {
    const notices = stack.apiNotices.map(
      (notice) => `${notice.effect}: ${notice.logicalId.replace(/[0-9A-F]{8}$/, '')} (${notice.type})`,
    );
    expect(notices.sort()).toEqual(
      [
        'not emulated: ShopSocket (AWS::ApiGatewayV2::Api)',
        'not emulated: CatalogRestApiitemsOPTIONS (AWS::ApiGateway::Method)',
        'ignored: ShopHttpApiJwt (AWS::ApiGatewayV2::Authorizer)',
        'ignored: CatalogRestApi (AWS::ApiGateway::RestApi)',
        'ignored: LegacyFunctionFunctionUrl (AWS::Lambda::Url)',
      ].sort(),
    );
    const socket = stack.apiNotices.find((notice) => notice.logicalId.startsWith('ShopSocket'))!;
    expect(socket.why).toMatch(/WEBSOCKET APIs are not emulated/);
    const mock = stack.apiNotices.find((notice) => notice.type === 'AWS::ApiGateway::Method')!;
    expect(mock.why).toBe(
      'OPTIONS /items: MOCK integrations are not emulated (only Lambda proxy, AWS_PROXY)',
    );
  });

  it('gives functions the deployed API addresses, which the sandbox swaps for the local ones', () => {
    const environment = stack.functions.find((fn) => fn.logicalId.startsWith('UrlFunction'))!.environment;
    expect(environment.HTTP_API_URL).toBe(api('ShopHttpApi').deployedOrigin);
    expect(environment.REST_API_URL).toBe(`${api('ShopRestApi').deployedOrigin}/prod/`);
    const local = localize(environment, {
      [api('ShopHttpApi').deployedOrigin]: 'http://127.0.0.1:3001',
      [api('ShopRestApi').deployedOrigin]: 'http://127.0.0.1:3002',
    });
    expect(local).toMatchObject({
      HTTP_API_URL: 'http://127.0.0.1:3001',
      REST_API_URL: 'http://127.0.0.1:3002/prod/',
    });
  });
});
