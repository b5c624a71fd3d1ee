/** SQS messages as Lambda's event source mapping hands them to a function: an SQSEvent. */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { SANDBOX_ACCOUNT } from '../account.js';

/** What Lambda reports as the sender of messages it did not see being sent. */
const SENDER_ID = 'AIDASANDBOXSENDER0000';

/** `arn:aws:sqs:<region>:<account>:<name>` from a queue URL (`.../<account>/<name>`). */
export function queueArn(queueUrl: string, region: string): string {
  const [account = SANDBOX_ACCOUNT, name = ''] = new URL(queueUrl).pathname
    .split('/')
    .filter(Boolean)
    .slice(-2);
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

function toRecordAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, attribute] of Object.entries(attributes ?? {})) {
    out[name] = {
      dataType: attribute.DataType ?? 'String',
      ...(attribute.StringValue !== undefined && { stringValue: attribute.StringValue }),
      ...(attribute.BinaryValue !== undefined && {
        binaryValue: Buffer.from(attribute.BinaryValue).toString('base64'),
      }),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return out;
}

export function toSqsRecord(
  message: Message,
  context: { eventSourceARN: string; region: string; firstReceivedAt: number },
): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(context.firstReceivedAt),
      SenderId: attributes.SenderId ?? SENDER_ID,
      ApproximateFirstReceiveTimestamp: String(context.firstReceivedAt),
    },
    messageAttributes: toRecordAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes && { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: context.eventSourceARN,
    awsRegion: context.region,
  };
}

export const toSqsEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records });

/**
 * The message ids a function reported as failed (ReportBatchItemFailures). `all` when the response
 * is unusable (Lambda then treats the whole batch as failed); an empty list when all succeeded.
 */
export function reportedFailures(result: unknown, messageIds: Set<string>): string[] | 'all' {
  if (result === null || result === undefined) return [];
  if (typeof result !== 'object' || Array.isArray(result)) return [];
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) return 'all';
  const ids: string[] = [];
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !messageIds.has(id)) return 'all';
    ids.push(id);
  }
  return ids;
}
