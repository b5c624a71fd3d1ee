/** Shared test helpers for the library: Lambda contexts and events of each source (and output capture, shared). */
import type { Context } from 'aws-lambda';

export { captureOutput, type CapturedOutput } from '../support/output.js';

let requestCounter = 0;

export function lambdaContext(overrides: Partial<Context> & { remainingMs?: number } = {}): Context {
  requestCounter += 1;
  const deadline = Date.now() + (overrides.remainingMs ?? 3000);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'orders-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:orders-api',
    memoryLimitInMB: '256',
    awsRequestId: `lambda-req-${requestCounter}`,
    logGroupName: '/aws/lambda/orders-api',
    logStreamName: '2026/11/28/[$LATEST]abc',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
    ...overrides,
  } as Context;
}

type Headers = Record<string, string>;

function queryParameters(query: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return parameters;
}

export const events = {
  apiGatewayV2(
    opts: {
      method?: string;
      path?: string;
      routeKey?: string;
      headers?: Headers;
      query?: string;
      body?: string;
    } = {},
  ) {
    const method = opts.method ?? 'GET';
    const path = opts.path ?? '/orders/42';
    return {
      version: '2.0',
      routeKey: opts.routeKey ?? `${method} /orders/{id}`,
      rawPath: path,
      rawQueryString: opts.query ?? '',
      // As API Gateway does when there is a query: duplicate names joined with commas.
      ...(opts.query && { queryStringParameters: queryParameters(opts.query) }),
      headers: { 'user-agent': 'jest', ...(opts.headers ?? {}) },
      requestContext: {
        accountId: '123456789012',
        apiId: 'api123',
        domainName: 'api123.execute-api.eu-west-2.amazonaws.com',
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'jest' },
        requestId: 'apigw-v2-request',
        routeKey: opts.routeKey ?? `${method} /orders/{id}`,
        stage: '$default',
        time: '28/Nov/2026:02:00:00 +0000',
        timeEpoch: 1795831200000,
      },
      body: opts.body,
      isBase64Encoded: false,
    };
  },
  apiGatewayV1(
    opts: {
      method?: string;
      path?: string;
      resource?: string;
      headers?: Headers;
      query?: Record<string, string>;
    } = {},
  ) {
    const method = opts.method ?? 'GET';
    return {
      resource: opts.resource ?? '/orders/{id}',
      path: opts.path ?? '/orders/42',
      httpMethod: method,
      headers: { 'User-Agent': 'jest', ...(opts.headers ?? {}) },
      multiValueHeaders: {},
      queryStringParameters: opts.query ?? null,
      multiValueQueryStringParameters: null,
      pathParameters: { id: '42' },
      requestContext: {
        accountId: '123456789012',
        apiId: 'rest123',
        httpMethod: method,
        identity: { sourceIp: '198.51.100.7', userAgent: 'jest' },
        path: `/prod${opts.path ?? '/orders/42'}`,
        requestId: 'apigw-v1-request',
        resourcePath: opts.resource ?? '/orders/{id}',
        stage: 'prod',
      },
      body: null,
      isBase64Encoded: false,
    };
  },
  alb(opts: { method?: string; path?: string; headers?: Headers } = {}) {
    return {
      requestContext: {
        elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-2:123456789012:targetgroup/tg/1' },
      },
      httpMethod: opts.method ?? 'GET',
      path: opts.path ?? '/orders/42',
      queryStringParameters: {},
      headers: { 'user-agent': 'jest', 'x-forwarded-for': '192.0.2.1, 10.0.0.1', ...(opts.headers ?? {}) },
      body: '',
      isBase64Encoded: false,
    };
  },
  functionUrl(opts: { method?: string; path?: string; headers?: Headers } = {}) {
    const method = opts.method ?? 'GET';
    const path = opts.path ?? '/orders/42';
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: '',
      headers: { 'user-agent': 'jest', ...(opts.headers ?? {}) },
      requestContext: {
        accountId: 'anonymous',
        apiId: 'abcdefg',
        domainName: 'abcdefg.lambda-url.eu-west-2.on.aws',
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'jest' },
        requestId: 'function-url-request',
        routeKey: '$default',
        stage: '$default',
        time: '28/Nov/2026:02:00:00 +0000',
        timeEpoch: 1795831200000,
      },
      isBase64Encoded: false,
    };
  },
  sqs(opts: { records?: number; correlationId?: string } = {}) {
    return {
      Records: Array.from({ length: opts.records ?? 2 }, (_, i) => ({
        messageId: `msg-${i}`,
        receiptHandle: `rh-${i}`,
        body: JSON.stringify({ orderId: `o-${i}` }),
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1795831200000' },
        messageAttributes: opts.correlationId
          ? {
              'x-correlation-id': {
                stringValue: opts.correlationId,
                dataType: 'String',
                stringListValues: [],
                binaryListValues: [],
              },
            }
          : {},
        md5OfBody: 'x',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-west-2:123456789012:orders',
        awsRegion: 'eu-west-2',
      })),
    };
  },
  sns(opts: { correlationId?: string; message?: string } = {}) {
    return {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: 'arn:aws:sns:eu-west-2:123456789012:alarms:sub',
          Sns: {
            Type: 'Notification',
            MessageId: 'sns-message-1',
            TopicArn: 'arn:aws:sns:eu-west-2:123456789012:alarms',
            Subject: 'ALARM',
            Message: opts.message ?? '{}',
            Timestamp: '2026-11-28T02:00:00.000Z',
            MessageAttributes: opts.correlationId
              ? { 'x-correlation-id': { Type: 'String', Value: opts.correlationId } }
              : {},
          },
        },
      ],
    };
  },
  eventBridge(opts: { detail?: Record<string, unknown>; detailType?: string; source?: string } = {}) {
    return {
      version: '0',
      id: 'eb-event-1',
      'detail-type': opts.detailType ?? 'OrderPlaced',
      source: opts.source ?? 'orders',
      account: '123456789012',
      time: '2026-11-28T02:00:00Z',
      region: 'eu-west-2',
      resources: [],
      detail: opts.detail ?? {},
    };
  },
};

/** Lambda's environment as a function would see it. */
export function setLambdaEnv(extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    AWS_LAMBDA_FUNCTION_NAME: 'orders-api',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: 'eu-west-2',
    POWERTOOLS_SERVICE_NAME: 'orders',
    POWERTOOLS_METRICS_NAMESPACE: 'LookoutTest',
    _X_AMZN_TRACE_ID: 'Root=1-6748d2a0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
    ...extra,
  });
}
