/**
 * The REST API's Lambda proxy event (payload format 1.0) and its response handling, field by field
 * against AWS's documented input format and its sample event (aws-lambda-go's
 * events/testdata/apigw-request.json, the same fields as `sam local generate-event apigateway aws-proxy`).
 */
import { describe, expect, it } from '@jest/globals';
import { toHttpResponseV1, toProxyEventV1 } from '../../../sandbox/gateway/index.js';
import type { HttpRequestParts, ProxyContextV1 } from '../../../sandbox/gateway/index.js';

/** The sample event's fields, level by level, with the JSON type each holds. */
const SAMPLE_FIELDS = {
  top: {
    resource: 'string',
    path: 'string',
    httpMethod: 'string',
    headers: 'object',
    multiValueHeaders: 'object',
    queryStringParameters: 'object',
    multiValueQueryStringParameters: 'object',
    pathParameters: 'object',
    stageVariables: 'object',
    requestContext: 'object',
    body: 'string',
    // In the documented format, though not in the sample.
    isBase64Encoded: 'boolean',
  },
  requestContext: {
    accountId: 'string',
    resourceId: 'string',
    stage: 'string',
    domainName: 'string',
    domainPrefix: 'string',
    requestId: 'string',
    identity: 'object',
    resourcePath: 'string',
    httpMethod: 'string',
    requestTime: 'string',
    requestTimeEpoch: 'number',
    apiId: 'string',
    // In the documented format.
    extendedRequestId: 'string',
    path: 'string',
    protocol: 'string',
  },
  // The caller's credentials are null without IAM or Cognito authorization; these two are always set.
  identity: {
    cognitoIdentityPoolId: 'object',
    accountId: 'object',
    cognitoIdentityId: 'object',
    caller: 'object',
    apiKey: 'object',
    apiKeyId: 'object',
    accessKey: 'object',
    sourceIp: 'string',
    cognitoAuthenticationType: 'object',
    cognitoAuthenticationProvider: 'object',
    userArn: 'object',
    userAgent: 'string',
    user: 'object',
  },
} as const;

const request = (overrides: Partial<HttpRequestParts> = {}): HttpRequestParts => ({
  method: 'post',
  target: '/prod/hello/world?name=me&tag=a&tag=b%20c',
  headers: {
    host: ['127.0.0.1:3001'],
    'content-type': ['application/json'],
    'user-agent': ['PostmanRuntime/2.4.5'],
    accept: ['*/*', 'text/html'],
  },
  rawHeaders: [
    'Host',
    '127.0.0.1:3001',
    'Content-Type',
    'application/json',
    'User-Agent',
    'PostmanRuntime/2.4.5',
    'Accept',
    '*/*',
    'Accept',
    'text/html',
  ],
  body: Buffer.from('{"a": 1}'),
  sourceIp: '192.168.196.186',
  port: 3001,
  ...overrides,
});

const context: ProxyContextV1 = {
  flavour: 'rest',
  apiId: 'gy415nuibc',
  accountId: '123456789012',
  stage: 'prod',
  routeKey: 'ANY /{proxy+}',
  resource: '/{proxy+}',
  path: '/hello/world',
  pathParameters: { proxy: 'hello/world' },
  requestId: 'deef4878-7910-11e6-8f14-25afc3e9ae33',
  now: Date.UTC(2020, 4, 15, 6, 1, 9, 693),
  traceHeader: 'Root=1-58bcab84-7734e7e82b2fd0a51b84a816',
};

const typeOf = (value: unknown) => (value === null ? 'object' : typeof value);

describe('the REST proxy event', () => {
  const event = toProxyEventV1(request(), context) as unknown as Record<string, Record<string, unknown>>;

  it('has every field of AWS’s sample event, each of the same type', () => {
    for (const [level, fields] of Object.entries(SAMPLE_FIELDS)) {
      const holder =
        level === 'top'
          ? event
          : level === 'requestContext'
            ? event.requestContext!
            : event.requestContext!.identity;
      for (const [field, type] of Object.entries(fields)) {
        expect([level, field, typeOf((holder as Record<string, unknown>)[field])]).toEqual([
          level,
          field,
          type,
        ]);
      }
    }
    // A REST API's event has no version field; the authorizer context appears only with an authorizer.
    expect(event).not.toHaveProperty('version');
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it('fills the fields as API Gateway does', () => {
    expect(event).toMatchObject({
      resource: '/{proxy+}',
      path: '/hello/world',
      httpMethod: 'POST',
      queryStringParameters: { name: 'me', tag: 'b c' },
      multiValueQueryStringParameters: { name: ['me'], tag: ['a', 'b c'] },
      pathParameters: { proxy: 'hello/world' },
      stageVariables: null,
      body: '{"a": 1}',
      isBase64Encoded: false,
      requestContext: {
        accountId: '123456789012',
        apiId: 'gy415nuibc',
        stage: 'prod',
        path: '/prod/hello/world',
        resourcePath: '/{proxy+}',
        httpMethod: 'POST',
        protocol: 'HTTP/1.1',
        requestTime: '15/May/2020:06:01:09 +0000',
        requestTimeEpoch: context.now,
        requestId: context.requestId,
        domainName: '127.0.0.1:3001',
        identity: { sourceIp: '192.168.196.186', userAgent: 'PostmanRuntime/2.4.5', caller: null },
      },
    });
    expect(event.requestContext!.resourceId).toMatch(/^[0-9a-f]{6}$/);
  });

  it('keeps header names as sent: the last value in headers, all of them in multiValueHeaders', () => {
    expect(event.headers).toMatchObject({
      'Content-Type': 'application/json',
      Accept: 'text/html',
      'X-Forwarded-For': '192.168.196.186',
      'X-Forwarded-Port': '3001',
      'X-Forwarded-Proto': 'http',
      'X-Amzn-Trace-Id': context.traceHeader,
    });
    expect(event.multiValueHeaders).toMatchObject({ Accept: ['*/*', 'text/html'], Host: ['127.0.0.1:3001'] });
  });

  it('has null query maps and body when there are none', () => {
    const bare = toProxyEventV1(request({ target: '/prod/hello/world', body: Buffer.alloc(0) }), {
      ...context,
      pathParameters: undefined,
    });
    expect(bare).toMatchObject({
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      body: null,
      isBase64Encoded: false,
    });
  });

  it('is a 1.0 event with lower-case header names and the full path on an HTTP API', () => {
    const http = toProxyEventV1(request(), {
      ...context,
      flavour: 'http',
      stage: '$default',
      path: '/prod/hello/world',
    });
    expect(http).toMatchObject({ version: '1.0', path: '/prod/hello/world' });
    expect(http.headers).toMatchObject({ 'content-type': 'application/json', accept: 'text/html' });
  });
});

describe('the REST proxy response', () => {
  const ok = (result: unknown) => toHttpResponseV1({ status: 'success', result }, 'rest');

  it('merges headers and multiValueHeaders, the multi-value list winning, and decodes base64 bodies', () => {
    const reply = ok({
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'X-One': 1, 'Set-Cookie': 'lost=1' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: Buffer.from('héllo').toString('base64'),
      isBase64Encoded: true,
    });
    expect(reply.statusCode).toBe(201);
    expect(reply.headers).toEqual({
      'content-type': 'text/plain',
      'x-one': '1',
      'set-cookie': ['a=1', 'b=2'],
    });
    expect(reply.body.toString('utf8')).toBe('héllo');
  });

  it.each([
    ['no statusCode', { body: 'x' }],
    ['a statusCode that is not a number', { statusCode: '200' }],
    ['a body that is not a string', { statusCode: 200, body: { a: 1 } }],
    ['multiValueHeaders that are not lists', { statusCode: 200, multiValueHeaders: { a: 'b' } }],
    ['a plain string', 'hello'],
  ])('answers a result with %s with 502 {"message": "Internal server error"}', (_name, result) => {
    const reply = ok(result);
    expect(reply.statusCode).toBe(502);
    expect(JSON.parse(reply.body.toString())).toEqual({ message: 'Internal server error' });
  });

  it('answers a function error or timeout with 502, and on an HTTP API with 500 and 503', () => {
    expect(toHttpResponseV1({ status: 'error' }, 'rest').statusCode).toBe(502);
    expect(toHttpResponseV1({ status: 'timeout' }, 'rest').statusCode).toBe(502);
    expect(toHttpResponseV1({ status: 'error' }, 'http').statusCode).toBe(500);
    expect(toHttpResponseV1({ status: 'timeout' }, 'http').statusCode).toBe(503);
  });
});
