/**
 * CORS as a browser meets it: an HTTP API with `corsPreflight` and a function URL with `cors`. The
 * front door answers the preflight itself (the API has no OPTIONS route) and sets the
 * `Access-Control-*` headers of each response from the configuration, over the function's own. A
 * REST API's `defaultCorsPreflightOptions` is a MOCK integration with fixed headers, which it plays.
 */
import { expect, it } from '@jest/globals';
import { Duration } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { runApp } from './support.js';

const APP_ORIGIN = 'http://localhost:5173';
const HANDLER = `exports.handler = async () => ({
  statusCode: 200,
  headers: { 'access-control-allow-origin': 'https://stale.example' },
  body: 'items',
});`;

const run = runApp('CorsApp', (stack) => {
  const items = new lambda.Function(stack, 'Items', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(HANDLER),
  });
  const api = new HttpApi(stack, 'Api', {
    corsPreflight: {
      allowOrigins: [APP_ORIGIN],
      allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
      allowHeaders: ['content-type', 'x-correlation-id'],
      exposeHeaders: ['x-request-id'],
      maxAge: Duration.minutes(10),
    },
  });
  api.addRoutes({
    path: '/items',
    methods: [HttpMethod.GET],
    integration: new HttpLambdaIntegration('List', items),
  });
  const rest = new apigateway.RestApi(stack, 'Rest', {
    defaultCorsPreflightOptions: { allowOrigins: apigateway.Cors.ALL_ORIGINS },
  });
  rest.root.addResource('items').addMethod('GET', new apigateway.LambdaIntegration(items));
  items.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE, cors: { allowedOrigins: ['*'] } });
});

const urlOf = (kind: 'http' | 'rest' | 'url') => run.sandbox.apis.find((api) => api.kind === kind)!.url;
const request = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });

it('answers an HTTP API preflight from an allowed origin itself', async () => {
  const response = await request(`${urlOf('http')}/items`, {
    method: 'OPTIONS',
    headers: {
      origin: APP_ORIGIN,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
  expect(response.status).toBe(204);
  expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
  expect(response.headers.get('access-control-allow-headers')).toBe('content-type,x-correlation-id');
  expect(response.headers.get('access-control-max-age')).toBe('600');
});

it('gives a preflight from another origin no CORS headers', async () => {
  const response = await request(`${urlOf('http')}/items`, {
    method: 'OPTIONS',
    headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'GET' },
  });
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
});

it("sets an HTTP API response's CORS headers from the configuration, over the function's", async () => {
  const allowed = await request(`${urlOf('http')}/items`, { headers: { origin: APP_ORIGIN } });
  expect(await allowed.text()).toBe('items');
  expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  expect(allowed.headers.get('access-control-expose-headers')).toBe('x-request-id');
  const other = await request(`${urlOf('http')}/items`, { headers: { origin: 'https://elsewhere.example' } });
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
});

it('plays a function URL’s cors the same way', async () => {
  const preflight = await request(`${urlOf('url')}/`, {
    method: 'OPTIONS',
    headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  const response = await request(`${urlOf('url')}/`, { headers: { origin: APP_ORIGIN } });
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
});

it("answers a REST API's CORS preflight from its MOCK integration's fixed headers", async () => {
  const response = await request(`${urlOf('rest')}/items`, {
    method: 'OPTIONS',
    headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' },
  });
  expect(response.status).toBe(204);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  expect(response.headers.get('access-control-allow-methods')).toContain('GET');
});
