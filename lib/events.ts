/**
 * What kind of event an invocation received, read defensively: events are untrusted input and any
 * field may be missing or of the wrong type.
 */

import type { EventSource } from './contract.js';

export type { EventSource };
export type HttpSource = 'apigw-rest' | 'apigw-http' | 'alb' | 'function-url';

export interface HttpRequest {
  kind: 'http';
  source: HttpSource;
  method: string;
  path: string;
  /** Route template from the event (`/orders/{id}`), when the source has one. */
  template: string | undefined;
  /** Query parameters, first value of each. */
  query: Record<string, string>;
  /** Header names lower-cased, first value of each. */
  headers: Record<string, string>;
  sourceIp: string | undefined;
  userAgent: string | undefined;
  apiRequestId: string | undefined;
}

export interface OtherEvent {
  kind: 'event';
  source: EventSource;
  recordCount: number;
}

export type ClassifiedEvent = HttpRequest | OtherEvent;

type Obj = Record<string, unknown>;

export const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const firstValues = (single: unknown, multi: unknown, lowerCaseKeys: boolean): Record<string, string> => {
  const out: Record<string, string> = {};
  if (isObject(multi)) {
    for (const [key, values] of Object.entries(multi)) {
      const first = Array.isArray(values) ? str(values[0]) : undefined;
      if (first !== undefined) out[lowerCaseKeys ? key.toLowerCase() : key] = first;
    }
  }
  if (isObject(single)) {
    for (const [key, value] of Object.entries(single)) {
      const text = str(value);
      if (text !== undefined) out[lowerCaseKeys ? key.toLowerCase() : key] = text;
    }
  }
  return out;
};

function classifyHttp(event: Obj): HttpRequest | undefined {
  const ctx = isObject(event.requestContext) ? event.requestContext : undefined;
  const headers = firstValues(event.headers, event.multiValueHeaders, true);
  let source: HttpSource;
  let method: string | undefined;
  let path: string | undefined;
  let template: string | undefined;
  let query: Record<string, string>;
  let sourceIp: string | undefined;
  let userAgent: string | undefined;
  let apiRequestId: string | undefined;

  if (event.version === '2.0' && ctx && isObject(ctx.http)) {
    // Payload v2: API Gateway HTTP APIs and Lambda Function URLs.
    const routeKey = str(event.routeKey);
    source =
      (str(ctx.domainName) ?? '').includes('.lambda-url.') || routeKey === undefined
        ? 'function-url'
        : 'apigw-http';
    method = str(ctx.http.method) ?? 'GET';
    path = str(ctx.http.path) ?? str(event.rawPath);
    template = routeKey && routeKey !== '$default' ? routeKey.split(' ').slice(1).join(' ') : undefined;
    // API Gateway and Function URLs parse the query string whenever there is one.
    query = firstValues(event.queryStringParameters, undefined, false);
    sourceIp = str(ctx.http.sourceIp);
    userAgent = str(ctx.http.userAgent);
    apiRequestId = str(ctx.requestId);
  } else {
    method = str(event.httpMethod);
    if (method === undefined) return undefined;
    query = firstValues(event.queryStringParameters, event.multiValueQueryStringParameters, false);
    path = str(event.path);
    if (ctx && isObject(ctx.elb)) {
      source = 'alb';
      sourceIp = headers['x-forwarded-for']?.split(',')[0]?.trim();
    } else {
      // API Gateway REST APIs (and HTTP APIs with payload v1).
      source = 'apigw-rest';
      const identity = ctx && isObject(ctx.identity) ? ctx.identity : undefined;
      const resource = str(event.resource) ?? (ctx ? str(ctx.resourcePath) : undefined);
      path ??= ctx ? str(ctx.path) : undefined;
      template = resource && !resource.includes('{proxy+}') ? resource : undefined;
      sourceIp = identity ? str(identity.sourceIp) : undefined;
      userAgent = identity ? str(identity.userAgent) : undefined;
      apiRequestId = ctx ? str(ctx.requestId) : undefined;
    }
  }
  return {
    kind: 'http',
    source,
    method: method.toUpperCase(),
    path: path ?? '/',
    template: template || undefined,
    query,
    headers,
    sourceIp,
    userAgent: userAgent ?? headers['user-agent'],
    apiRequestId,
  };
}

/** `eventSource` of the records of `Records` events: `aws:` and the EventSource. */
const RECORD_SOURCES = new Set(['aws:sqs', 'aws:sns', 'aws:s3', 'aws:dynamodb', 'aws:kinesis']);

/** What an unreadable event is classified as. Shared: classified events are never modified. */
export const UNKNOWN_EVENT: OtherEvent = { kind: 'event', source: 'unknown', recordCount: 0 };

export function classifyEvent(event: unknown): ClassifiedEvent {
  if (!isObject(event)) return UNKNOWN_EVENT;
  const http = classifyHttp(event);
  if (http) return http;

  if (Array.isArray(event.Records)) {
    const first = event.Records[0];
    const name = isObject(first) ? (str(first.eventSource) ?? str(first.EventSource)) : undefined;
    return {
      kind: 'event',
      source: name && RECORD_SOURCES.has(name) ? (name.slice(4) as EventSource) : 'unknown',
      recordCount: event.Records.length,
    };
  }
  if (str(event['detail-type']) !== undefined && str(event.source) !== undefined) {
    const scheduled = event['detail-type'] === 'Scheduled Event' && event.source === 'aws.events';
    return { kind: 'event', source: scheduled ? 'schedule' : 'eventbridge', recordCount: 1 };
  }
  return { kind: 'event', source: 'unknown', recordCount: 1 };
}
