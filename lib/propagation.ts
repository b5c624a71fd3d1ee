/**
 * Sending the trace context and the correlation id on: headers for outgoing HTTP requests,
 * message attributes for SNS and SQS, fields for EventBridge `detail`. The receiving function,
 * wrapped with Lookout, reads them back, so one request keeps one trace id and one correlation id
 * across functions.
 */
import { currentInstance } from './current.js';
import { CORRELATION_HEADER } from './contract.js';
import { guard } from './observability.js';
import type { TraceContext } from './tracing/context.js';
import { formatTraceparent, formatXRayHeader } from './tracing/context.js';
import { TRACEPARENT, XRAY_HEADER } from './tracing/propagation.js';
import { traced } from './helpers.js';

interface Outgoing {
  traceContext: TraceContext | undefined;
  correlationId: string | undefined;
}

function outgoing(): Outgoing {
  const instance = currentInstance();
  return {
    traceContext: instance ? guard('tracing-context', () => instance.tracing.currentContext()) : undefined,
    correlationId: instance?.correlationId,
  };
}

/** Headers for an outgoing HTTP request: `traceparent`, `x-amzn-trace-id`, `baggage`, `x-correlation-id`. */
export function propagationHeaders(): Record<string, string> {
  const { traceContext, correlationId } = outgoing();
  return {
    ...(traceContext
      ? { [TRACEPARENT]: formatTraceparent(traceContext), [XRAY_HEADER]: formatXRayHeader(traceContext) }
      : {}),
    ...(correlationId
      ? {
          [CORRELATION_HEADER]: correlationId,
          baggage: `correlation_id=${encodeURIComponent(correlationId)}`,
        }
      : {}),
  };
}

export type MessageAttributes = Record<string, { DataType: 'String'; StringValue: string }>;

/**
 * `MessageAttributes` for SNS `Publish` and SQS `SendMessage` (both take this shape): the trace
 * context and the correlation id, merged over `existing`. Uses two of the ten attributes allowed.
 */
export function messageAttributes(existing: Record<string, unknown> = {}): MessageAttributes {
  const { traceContext, correlationId } = outgoing();
  const attributes: MessageAttributes = { ...(existing as MessageAttributes) };
  if (traceContext)
    attributes[TRACEPARENT] = { DataType: 'String', StringValue: formatTraceparent(traceContext) };
  if (correlationId) attributes[CORRELATION_HEADER] = { DataType: 'String', StringValue: correlationId };
  return attributes;
}

/** An EventBridge `detail` carrying `correlation_id` and `traceparent`. */
export function eventDetail<T extends Record<string, unknown>>(
  detail: T,
): T & { correlation_id?: string; traceparent?: string } {
  const { traceContext, correlationId } = outgoing();
  return {
    ...detail,
    ...(correlationId ? { correlation_id: correlationId } : {}),
    ...(traceContext ? { traceparent: formatTraceparent(traceContext) } : {}),
  };
}

/**
 * `fetch` in a span named `HTTP <method> <host>` (never the full URL, which may carry secrets),
 * with the propagation headers added to the request.
 */
export async function fetchWithContext(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(String(input));
  const method = (init.method ?? 'GET').toUpperCase();
  return traced(
    `HTTP ${method} ${url.host}`,
    async () => {
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(propagationHeaders()))
        if (!headers.has(name)) headers.set(name, value);
      return fetch(url, { ...init, headers });
    },
    { 'http.request.method': method, 'server.address': url.hostname },
  );
}
