/** Requests to payload-2.0 events, and invocation results back to responses, without a server. */
import { describe, expect, it } from '@jest/globals';
import {
  apiGatewayTime,
  isTextContentType,
  queryParameters,
  toApiGatewayEvent,
  toHttpResponse,
} from '../../../sandbox/gateway/index.js';

const request = (overrides: Partial<Parameters<typeof toApiGatewayEvent>[0]> = {}) =>
  toApiGatewayEvent(
    {
      method: 'post',
      target: '/orders/7?tag=a&tag=b&q=hello%20world&flag',
      headers: {
        'content-type': ['application/json'],
        'x-multi': ['one', 'two'],
        cookie: ['a=1; b=2', 'c=3'],
        'user-agent': ['curl/8'],
        host: ['127.0.0.1:3000'],
      },
      body: Buffer.from('{"x":1}'),
      sourceIp: '127.0.0.1',
      port: 3000,
      ...overrides,
    },
    {
      apiId: 'sandbox',
      accountId: '000000000000',
      stage: '$default',
      routeKey: 'POST /orders/{id}',
      pathParameters: { id: '7' },
      requestId: 'JKJaXmPLvHcESHA=',
      now: Date.UTC(2026, 2, 12, 19, 3, 58),
    },
  );

describe('request → event', () => {
  it('builds a payload 2.0 event', () => {
    const event = request();
    expect(event).toEqual({
      version: '2.0',
      routeKey: 'POST /orders/{id}',
      rawPath: '/orders/7',
      rawQueryString: 'tag=a&tag=b&q=hello%20world&flag',
      cookies: ['a=1', 'b=2', 'c=3'],
      headers: {
        'content-type': 'application/json',
        'x-multi': 'one,two',
        'user-agent': 'curl/8',
        host: '127.0.0.1:3000',
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-port': '3000',
        'x-forwarded-proto': 'http',
      },
      queryStringParameters: { tag: 'a,b', q: 'hello world', flag: '' },
      pathParameters: { id: '7' },
      requestContext: {
        accountId: '000000000000',
        apiId: 'sandbox',
        domainName: '127.0.0.1:3000',
        domainPrefix: '127',
        http: {
          method: 'POST',
          path: '/orders/7',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'curl/8',
        },
        requestId: 'JKJaXmPLvHcESHA=',
        routeKey: 'POST /orders/{id}',
        stage: '$default',
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: Date.UTC(2026, 2, 12, 19, 3, 58),
      },
      body: '{"x":1}',
      isBase64Encoded: false,
    });
  });

  it('base64-encodes a binary body and leaves out what was not sent', () => {
    const binary = request({
      target: '/upload',
      headers: { 'content-type': ['image/png'] },
      body: Buffer.from([0, 255, 1]),
    });
    expect(binary).toMatchObject({ body: 'AP8B', isBase64Encoded: true, rawQueryString: '' });
    expect(binary.cookies).toBeUndefined();
    expect(binary.queryStringParameters).toBeUndefined();
    const empty = request({ target: '/x', headers: {}, body: Buffer.alloc(0) });
    expect(empty.body).toBeUndefined();
    expect(empty.isBase64Encoded).toBe(false);
  });

  it('treats text, JSON, XML and forms as text, everything else as binary', () => {
    for (const type of [
      'text/plain; charset=utf-8',
      'application/json',
      'application/problem+json',
      'application/xml',
      'application/x-www-form-urlencoded',
    ]) {
      expect(isTextContentType(type)).toBe(true);
    }
    for (const type of [
      undefined,
      'application/octet-stream',
      'image/png',
      'multipart/form-data; boundary=x',
    ]) {
      expect(isTextContentType(type)).toBe(false);
    }
  });

  it('formats times and query strings as API Gateway does', () => {
    expect(apiGatewayTime(Date.UTC(2020, 0, 5, 3, 4, 5))).toBe('05/Jan/2020:03:04:05 +0000');
    expect(queryParameters('')).toBeUndefined();
    expect(queryParameters('a=1&a=2&b=x+y&c=%E2%82%AC')).toEqual({ a: '1,2', b: 'x y', c: '€' });
  });
});

describe('invocation → response', () => {
  it('passes a structured response through: status, headers, cookies, base64 body', () => {
    const response = toHttpResponse({
      status: 'success',
      result: {
        statusCode: 202,
        headers: { 'X-Count': 3, 'Content-Type': 'image/gif' },
        cookies: ['a=1', 'b=2'],
        body: Buffer.from('GIF89a').toString('base64'),
        isBase64Encoded: true,
      },
    });
    expect(response.statusCode).toBe(202);
    expect(response.headers).toEqual({
      'x-count': '3',
      'content-type': 'image/gif',
      'set-cookie': ['a=1', 'b=2'],
    });
    expect(response.body.toString()).toBe('GIF89a');
  });

  it('answers 200 JSON for a result without statusCode, a string as it is', () => {
    const object = toHttpResponse({ status: 'success', result: { ok: true } });
    expect(object).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(object.body.toString()).toBe('{"ok":true}');
    expect(toHttpResponse({ status: 'success', result: 'plain' }).body.toString()).toBe('plain');
    expect(toHttpResponse({ status: 'success', result: null }).body.toString()).toBe('null');
    expect(toHttpResponse({ status: 'success', result: [1, 2] }).body.toString()).toBe('[1,2]');
  });

  it.each([
    [{ statusCode: 'ok' }],
    [{ statusCode: 700 }],
    [{ statusCode: 200, body: { not: 'a string' } }],
    [{ statusCode: 200, headers: { x: { nested: true } } }],
    [{ statusCode: 200, cookies: 'a=1' }],
  ])('answers 500 for a malformed response %j', (result) => {
    const response = toHttpResponse({ status: 'success', result });
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Internal Server Error' });
  });

  it.each([
    ['error', 500, 'Internal Server Error'],
    ['timeout', 503, 'Service Unavailable'],
    ['throttled', 429, 'Too Many Requests'],
  ] as const)('answers a %s with %i', (status, statusCode, message) => {
    const response = toHttpResponse({ status, result: { statusCode: 200, body: 'ignored' } });
    expect(response.statusCode).toBe(statusCode);
    expect(JSON.parse(response.body.toString())).toEqual({ message });
  });

  it('tells a throttled client when to try again', () => {
    expect(toHttpResponse({ status: 'throttled' }).headers['retry-after']).toBe('1');
  });
});
