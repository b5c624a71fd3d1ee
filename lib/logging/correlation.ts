/**
 * The correlation id of an invocation, in order: the caller's `x-correlation-id` / `x-request-id`
 * header, the `correlation_id` member of a W3C `baggage` header, SNS or SQS message attributes, an
 * EventBridge `detail` field, the API Gateway request id, and finally the Lambda request id.
 */
import { CORRELATION_HEADER } from '../contract.js';
import type { ClassifiedEvent } from '../events.js';
import { isObject, str } from '../events.js';
const HEADER_NAMES = [CORRELATION_HEADER, 'x-request-id'];
const ATTRIBUTE_NAMES = ['x-correlation-id', 'correlation_id', 'correlationId', 'correlation-id'];
const DETAIL_FIELDS = ['correlation_id', 'correlationId'];

const VALID_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The value, if it can serve as a correlation id: printable ASCII, at most 128 characters.
 * Anything else from the outside is ignored rather than logged.
 */
export const validCorrelationId = (value: unknown): string | undefined =>
  typeof value === 'string' && VALID_ID.test(value) ? value : undefined;

function fromMessageAttributes(event: Record<string, unknown>): string | undefined {
  const record = Array.isArray(event.Records) ? event.Records[0] : undefined;
  if (!isObject(record)) return undefined;
  const sns = isObject(record.Sns) ? record.Sns : undefined;
  const attributes = sns?.MessageAttributes ?? record.messageAttributes;
  if (!isObject(attributes)) return undefined;
  for (const name of ATTRIBUTE_NAMES) {
    const attribute = attributes[name];
    if (!isObject(attribute)) continue;
    const value = validCorrelationId(attribute.Value) ?? validCorrelationId(attribute.stringValue);
    if (value) return value;
  }
  return undefined;
}

/** One member of a W3C `baggage` header (`key=value;property, ...`), URL-decoded. */
function baggageMember(header: string | undefined, key: string): string | undefined {
  if (!header) return undefined;
  for (const member of header.split(',')) {
    const [pair] = member.split(';');
    const separator = pair?.indexOf('=') ?? -1;
    if (separator < 0 || pair!.slice(0, separator).trim() !== key) continue;
    try {
      return validCorrelationId(decodeURIComponent(pair!.slice(separator + 1).trim()));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function extractCorrelationId(
  event: unknown,
  classified: ClassifiedEvent,
  lambdaRequestId: string | undefined,
): string {
  if (classified.kind === 'http') {
    for (const name of HEADER_NAMES) {
      const value = validCorrelationId(classified.headers[name]);
      if (value) return value;
    }
    const fromBaggage = baggageMember(classified.headers.baggage, 'correlation_id');
    if (fromBaggage) return fromBaggage;
  }
  if (isObject(event)) {
    const fromAttributes = fromMessageAttributes(event);
    if (fromAttributes) return fromAttributes;
    if (isObject(event.detail)) {
      for (const field of DETAIL_FIELDS) {
        const value = validCorrelationId(event.detail[field]);
        if (value) return value;
      }
    }
  }
  if (classified.kind === 'http') {
    const apiRequestId = validCorrelationId(classified.apiRequestId);
    if (apiRequestId) return apiRequestId;
  }
  return validCorrelationId(lambdaRequestId) ?? str(lambdaRequestId) ?? 'unknown';
}
