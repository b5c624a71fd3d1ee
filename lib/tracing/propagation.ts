/**
 * Where an incoming event carries its caller's trace context: HTTP headers (`traceparent`, then
 * `x-amzn-trace-id`), SQS and SNS message attributes (and SQS's `AWSTraceHeader`), or
 * EventBridge `detail.traceparent`.
 */
import type { ClassifiedEvent } from '../events.js';
import { isObject, str } from '../events.js';
import type { TraceContext } from './context.js';
import { parseTraceparent, parseXRayHeader } from './context.js';

export const TRACEPARENT = 'traceparent';
export const XRAY_HEADER = 'x-amzn-trace-id';

function fromPair(traceparent: string | undefined, xray: string | undefined): TraceContext | undefined {
  return parseTraceparent(traceparent) ?? parseXRayHeader(xray);
}

const attributeValue = (attributes: unknown, name: string): string | undefined => {
  if (!isObject(attributes)) return undefined;
  const attribute = attributes[name];
  return isObject(attribute) ? (str(attribute.Value) ?? str(attribute.stringValue)) : undefined;
};

export function extractIncomingContext(
  event: unknown,
  classified: ClassifiedEvent,
): TraceContext | undefined {
  if (classified.kind === 'http')
    return fromPair(classified.headers[TRACEPARENT], classified.headers[XRAY_HEADER]);
  if (!isObject(event)) return undefined;
  const record = Array.isArray(event.Records) ? event.Records[0] : undefined;
  if (isObject(record)) {
    if (isObject(record.Sns)) {
      const attributes = record.Sns.MessageAttributes;
      return fromPair(attributeValue(attributes, TRACEPARENT), attributeValue(attributes, XRAY_HEADER));
    }
    const system = isObject(record.attributes) ? str(record.attributes.AWSTraceHeader) : undefined;
    return fromPair(
      attributeValue(record.messageAttributes, TRACEPARENT),
      system ?? attributeValue(record.messageAttributes, XRAY_HEADER),
    );
  }
  if (isObject(event.detail)) return fromPair(str(event.detail.traceparent), str(event.detail[XRAY_HEADER]));
  return undefined;
}

/** Lambda's own trace header, set per invocation when active tracing is on. */
export function lambdaTraceContext(): TraceContext | undefined {
  return parseXRayHeader(process.env._X_AMZN_TRACE_ID);
}
