/**
 * What each request adds to CloudWatch: the dimension sets API Gateway publishes REST and HTTP API
 * metrics under (and Lambda function URL metrics), and the gateway's own answers (no route,
 * throttled, failed integration) counted in the status class the caller saw.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudFormationTemplate } from '../../../sandbox/template/index.js';
import { readTemplate } from '../../../sandbox/template/index.js';
import type { ApiSpec, GatewayDatapoint, HttpGateway, Invoker } from '../../../sandbox/gateway/index.js';
import { requestDimensions, requestMetrics, startApiGateway } from '../../../sandbox/gateway/index.js';

const orders = { routeKey: 'GET /orders/{id}', detailedMetrics: true };
const files = { routeKey: 'ANY /files/{proxy+}', detailedMetrics: true };
const rest = {
  kind: 'rest',
  apiId: 'a1b2c3d4e5',
  name: 'shop-api',
  stage: 'prod',
  routes: [orders],
} as const;
const http = {
  kind: 'http',
  apiId: 'f6g7h8i9j0',
  name: 'shop-http',
  stage: '$default',
  routes: [files],
} as const;
const url = {
  kind: 'url',
  apiId: 'x'.repeat(32),
  name: 'shop-front',
  stage: '$default',
  routes: [],
} as const;
const exchange = { method: 'GET', statusCode: 200, durationMs: 12, integrationMs: 10, bytes: 42 };

const named = (points: GatewayDatapoint[], name: string) => points.filter((point) => point.name === name);

describe('dimension sets', () => {
  it('REST APIs: ApiName, ApiName+Stage, and ApiName+Method+Resource+Stage with the declared resource path', () => {
    expect(requestDimensions(rest, 'GET /orders/{id}')).toEqual([
      { ApiName: 'shop-api' },
      { ApiName: 'shop-api', Stage: 'prod' },
      { ApiName: 'shop-api', Method: 'GET', Resource: '/orders/{id}', Stage: 'prod' },
    ]);
    // A request no resource answers is counted for the API and its stage only.
    expect(requestDimensions(rest, undefined)).toEqual([
      { ApiName: 'shop-api' },
      { ApiName: 'shop-api', Stage: 'prod' },
    ]);
  });

  it('per-method sets only for methods whose stage has detailed metrics turned on', () => {
    const plain = { ...rest, routes: [{ routeKey: 'GET /orders/{id}' }] };
    expect(requestDimensions(plain, 'GET /orders/{id}')).toEqual([
      { ApiName: 'shop-api' },
      { ApiName: 'shop-api', Stage: 'prod' },
    ]);
  });

  it('HTTP APIs: ApiId, ApiId+Stage, and ApiId+Method+Resource+Stage for a route', () => {
    expect(requestDimensions(http, 'ANY /files/{proxy+}')).toEqual([
      { ApiId: 'f6g7h8i9j0' },
      { ApiId: 'f6g7h8i9j0', Stage: '$default' },
      { ApiId: 'f6g7h8i9j0', Method: 'ANY', Resource: '/files/{proxy+}', Stage: '$default' },
    ]);
    expect(requestDimensions(http, '$default')).toHaveLength(2);
  });

  it('function URLs: FunctionName, and Resource naming the version or alias the URL invokes', () => {
    expect(requestDimensions(url, '$default')).toEqual([
      { FunctionName: 'shop-front' },
      { FunctionName: 'shop-front', Resource: 'shop-front:$LATEST' },
    ]);
    expect(requestDimensions({ ...url, qualifier: 'live' }, '$default')[1]).toEqual({
      FunctionName: 'shop-front',
      Resource: 'shop-front:live',
    });
  });
});

describe('metrics of one request', () => {
  it('REST: Count, 4XXError and 5XXError as 0 or 1, latencies in milliseconds, in AWS/ApiGateway', () => {
    const points = requestMetrics(rest, { ...exchange, routeKey: 'GET /orders/{id}', statusCode: 502 });
    expect(new Set(points.map((point) => point.name))).toEqual(
      new Set(['Count', '4XXError', '5XXError', 'Latency', 'IntegrationLatency']),
    );
    expect(points.every((point) => point.namespace === 'AWS/ApiGateway')).toBe(true);
    expect(named(points, '5XXError').map((point) => point.value)).toEqual([1, 1, 1]);
    expect(named(points, '4XXError').map((point) => point.value)).toEqual([0, 0, 0]);
    expect(named(points, 'Count')[0]).toMatchObject({ value: 1, unit: 'Count' });
    expect(named(points, 'Latency')[0]).toMatchObject({ value: 12, unit: 'Milliseconds' });
    expect(named(points, 'IntegrationLatency')[0]).toMatchObject({ value: 10, unit: 'Milliseconds' });
  });

  it('HTTP: 4xx, 5xx and DataProcessed in bytes; no IntegrationLatency when no function was called', () => {
    const { integrationMs: _, ...unanswered } = exchange;
    const points = requestMetrics(http, { ...unanswered, routeKey: undefined, statusCode: 404 });
    expect(new Set(points.map((point) => point.name))).toEqual(
      new Set(['Count', '4xx', '5xx', 'Latency', 'DataProcessed']),
    );
    expect(named(points, '4xx').map((point) => point.value)).toEqual([1, 1]);
    expect(named(points, 'DataProcessed')[0]).toMatchObject({ value: 42, unit: 'Bytes' });
  });

  it('function URLs: UrlRequestCount, Url4xxCount, Url5xxCount and UrlRequestLatency in AWS/Lambda', () => {
    const points = requestMetrics(url, { ...exchange, routeKey: '$default', statusCode: 500 });
    expect(points.every((point) => point.namespace === 'AWS/Lambda')).toBe(true);
    expect(new Set(points.map((point) => point.name))).toEqual(
      new Set(['UrlRequestCount', 'Url4xxCount', 'Url5xxCount', 'UrlRequestLatency']),
    );
    expect(named(points, 'Url5xxCount').map((point) => point.value)).toEqual([1, 1]);
  });
});

describe('a served REST API counts what it answers itself', () => {
  let gateway: HttpGateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it('no resource (403), throttled (429) and a failed function (502) land in 4XXError and 5XXError', async () => {
    let outcome: Awaited<ReturnType<Invoker['invoke']>> = { status: 'throttled' };
    const spec: ApiSpec = {
      logicalId: 'Shop',
      kind: 'rest',
      apiId: rest.apiId,
      name: rest.name,
      stage: 'prod',
      routes: [
        { routeKey: 'GET /orders/{id}', functionName: 'front', payloadVersion: '1.0', detailedMetrics: true },
      ],
      binaryMediaTypes: [],
      deployedOrigin: 'https://a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com',
    };
    const points: GatewayDatapoint[] = [];
    gateway = await startApiGateway(spec, () => ({ invoke: () => Promise.resolve(outcome) }), {
      onMetric: (point) => points.push(point),
    });
    const get = async (path: string) => (await fetch(`${gateway!.url}${path}`)).status;

    expect(await get('/nowhere')).toBe(403);
    expect(await get('/orders/7')).toBe(429);
    outcome = { status: 'error' };
    expect(await get('/orders/7')).toBe(502);
    outcome = { status: 'success', result: { statusCode: 200, body: 'ok' } };
    expect(await get('/orders/7')).toBe(200);

    const sum = (name: string, dimensions: Record<string, string>) =>
      points
        .filter(
          (point) => point.name === name && JSON.stringify(point.dimensions) === JSON.stringify(dimensions),
        )
        .reduce((total, point) => total + point.value, 0);
    const api = { ApiName: 'shop-api' };
    const method = { ApiName: 'shop-api', Method: 'GET', Resource: '/orders/{id}', Stage: 'prod' };
    expect(sum('Count', api)).toBe(4);
    expect(sum('4XXError', api)).toBe(2);
    expect(sum('5XXError', api)).toBe(1);
    expect(sum('Count', method)).toBe(3);
    expect(sum('4XXError', method)).toBe(1);
    // The function was called for three of the four, each counted under three dimension sets.
    expect(points.filter((point) => point.name === 'IntegrationLatency').length).toBe(3 * 3);
  });
});

describe('which routes get their own metrics, read from the stage', () => {
  /** The routes with detailed metrics, of each API, from a stack CDK synthesizes. */
  function detailedRoutes(configure: (stack: Stack, fn: lambda.IFunction) => void): Record<string, string[]> {
    const app = new App();
    const stack = new Stack(app, 'Detailed');
    const fn = new lambda.Function(stack, 'Front', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    });
    configure(stack, fn);
    const template = app.synth().getStackByName('Detailed').template as CloudFormationTemplate;
    const work = mkdtempSync(join(tmpdir(), 'lookout-detailed-'));
    try {
      const { apis } = readTemplate(template, 'Detailed', work);
      return Object.fromEntries(
        apis.map((api) => [api.name, api.routes.filter((r) => r.detailedMetrics).map((r) => r.routeKey)]),
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  it('REST: deployOptions.metricsEnabled turns them on for every method; method options for one', () => {
    const routes = detailedRoutes((stack, fn) => {
      const integration = new apigateway.LambdaIntegration(fn);
      const all = new apigateway.RestApi(stack, 'All', { deployOptions: { metricsEnabled: true } });
      all.root.addResource('orders').addMethod('GET', integration);
      const one = new apigateway.RestApi(stack, 'One', {
        deployOptions: { methodOptions: { '/orders/{id}/GET': { metricsEnabled: true } } },
      });
      const order = one.root.addResource('orders').addResource('{id}');
      order.addMethod('GET', integration);
      order.addMethod('DELETE', integration);
      new apigateway.RestApi(stack, 'None').root.addMethod('GET', integration);
    });
    expect(routes).toEqual({ All: ['GET /orders'], One: ['GET /orders/{id}'], None: [] });
  });

  it('HTTP: the served stage’s DetailedMetricsEnabled', () => {
    const routes = detailedRoutes((stack, fn) => {
      const integration = () => new HttpLambdaIntegration('Front', fn);
      const on = new apigwv2.HttpApi(stack, 'On', { createDefaultStage: false, apiName: 'on' });
      on.addRoutes({ path: '/orders', methods: [apigwv2.HttpMethod.GET], integration: integration() });
      new apigwv2.HttpStage(stack, 'Beta', { httpApi: on, stageName: 'beta', detailedMetricsEnabled: true });
      const off = new apigwv2.HttpApi(stack, 'Off', { apiName: 'off' });
      off.addRoutes({ path: '/orders', methods: [apigwv2.HttpMethod.GET], integration: integration() });
    });
    expect(routes).toEqual({ on: ['GET /orders'], off: [] });
  });
});
