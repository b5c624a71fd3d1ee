/**
 * Lambda contexts and the events the demo functions receive: API Gateway HTTP API (payload v2),
 * SQS batches and EventBridge schedules.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context, EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';

export function lambdaContext(functionName = 'test-function', remainingMs = 30_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface HttpEventOptions {
  /** A JSON value (serialized) or, with `rawBody`, the body exactly as sent. */
  body?: unknown;
  rawBody?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** `$default` (the default) makes the handler match on the path, as with Function URLs. */
  routeKey?: string;
  pathParameters?: Record<string, string>;
}

export function httpEvent(
  method: string,
  path: string,
  options: HttpEventOptions = {},
): APIGatewayProxyEventV2 {
  const query = options.query ?? {};
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const routeKey = options.routeKey ?? '$default';
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {
      'user-agent': 'jest',
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(options.pathParameters && { pathParameters: options.pathParameters }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api123',
      domainName: 'api123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'api123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'jest' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: Date.now(),
    },
    ...(body !== undefined && { body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

export interface SqsRecordOptions {
  body: string;
  messageId?: string;
  /** String message attributes. */
  attributes?: Record<string, string>;
}

export function sqsEvent(records: SqsRecordOptions[]): SQSEvent {
  return {
    Records: records.map((record): SQSRecord => ({
      messageId: record.messageId ?? randomUUID(),
      receiptHandle: randomUUID(),
      body: record.body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(record.attributes ?? {}).map(([name, value]) => [
          name,
          { dataType: 'String', stringValue: value },
        ]),
      ),
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:orders',
      awsRegion: 'us-east-1',
    })),
  };
}

export function scheduledEvent(): EventBridgeEvent<'Scheduled Event', Record<string, never>> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/health-check'],
    detail: {},
  };
}
