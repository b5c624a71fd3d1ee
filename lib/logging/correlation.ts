/**
 * The correlation id of an invocation, and of each record of a batch. The rule is documented in
 * the README's "Correlation ids" section; keep the two in step.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CORRELATION_HEADER } from '../contract.js';
import type { ClassifiedEvent } from '../events.js';
import { isObject, str } from '../events.js';

const NAMES = [CORRELATION_HEADER, 'correlation_id', 'correlationId', 'correlation-id'];

const VALID_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The value, if it can serve as a correlation id: printable ASCII, at most 128 characters.
 * Anything else from the outside is ignored rather than logged.
 */
export const validCorrelationId = (value: unknown): string | undefined =>
  typeof value === 'string' && VALID_ID.test(value) ? value : undefined;

/**
 * The first member of `source` named in NAMES that holds an id: a string (EventBridge `detail`, a
 * Kinesis record's JSON data) or an SNS (`Value`) or SQS (`stringValue`) message attribute.
 */
const find = (source: unknown): string | undefined => {
  if (isObject(source))
    for (const name of NAMES) {
      const member = source[name];
      const id = validCorrelationId(isObject(member) ? (member.Value ?? member.stringValue) : member);
      if (id) return id;
    }
  return undefined;
};

/** JSON text, parsed only when it holds `marker`: most bodies are never parsed. */
const parseWith = (text: unknown, marker: string): Record<string, unknown> | undefined => {
  if (typeof text === 'string' && text.includes(marker))
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON: nothing to read.
    }
  return undefined;
};

/**
 * One record's correlation id: its SNS or SQS message attributes; for an SQS message that carries
 * an SNS notification (raw message delivery off), the attributes inside that envelope; for a
 * Kinesis record, a field of its JSON data.
 */
export function recordCorrelationId(record: unknown): string | undefined {
  if (!isObject(record)) return undefined;
  const { Sns: sns, kinesis } = record;
  return (
    find(isObject(sns) ? sns.MessageAttributes : record.messageAttributes) ??
    find(parseWith(record.body, '"MessageAttributes"')?.MessageAttributes) ??
    (isObject(kinesis) && typeof kinesis.data === 'string'
      ? find(parseWith(Buffer.from(kinesis.data, 'base64').toString(), 'orrelation'))
      : undefined)
  );
}

/** Created by the first `withRecord`, so that handlers without it do not carry it. */
let recordScope: AsyncLocalStorage<string> | undefined;

/** The correlation id of the record `withRecord` is running for, if any. */
export const scopedCorrelationId = (): string | undefined => recordScope?.getStore();

/**
 * Runs `fn(record)` for one record of a batch (SQS, SNS, Kinesis): every log line written and every
 * message or request sent with Lookout's propagation helpers while it runs, awaited work included,
 * carries that record's correlation id. A record without one keeps the invocation's.
 */
export function withRecord<R, T>(record: R, fn: (record: R) => T): T {
  let id: string | undefined;
  try {
    id = recordCorrelationId(record);
  } catch {
    // A record that cannot be read keeps the invocation's id.
  }
  return id ? (recordScope ??= new AsyncLocalStorage()).run(id, fn, record) : fn(record);
}

/** The `correlation_id` member of a W3C `baggage` header (`key=value;property, ...`), URL-decoded. */
function fromBaggage(header = ''): string | undefined {
  const value = /(?:^|,)\s*correlation_id\s*=\s*([^,;\s]*)/.exec(header)?.[1];
  try {
    return validCorrelationId(value && decodeURIComponent(value));
  } catch {
    return undefined;
  }
}

export function extractCorrelationId(
  event: unknown,
  classified: ClassifiedEvent,
  lambdaRequestId: string | undefined,
): string {
  let id: string | undefined;
  if (classified.kind === 'http') {
    const { headers } = classified;
    id =
      validCorrelationId(headers[CORRELATION_HEADER]) ??
      validCorrelationId(headers['x-request-id']) ??
      fromBaggage(headers.baggage) ??
      validCorrelationId(classified.apiRequestId);
  } else if (isObject(event)) {
    if (Array.isArray(event.Records))
      for (const record of event.Records) if ((id = recordCorrelationId(record))) break;
    id ??= find(event.detail);
  }
  return id ?? validCorrelationId(lambdaRequestId) ?? str(lambdaRequestId) ?? 'unknown';
}
