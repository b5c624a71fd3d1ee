/**
 * The CloudWatch Logs subscription payload: `awslogs.data` is a base64 string of gzipped JSON
 * holding one batch of log events from one log group and stream.
 */
import { gunzipSync } from 'node:zlib';

export interface LogEvent {
  /** Unique per event; used as the document id, so a retried batch overwrites, never duplicates. */
  readonly id: string;
  /** Milliseconds since the epoch, as CloudWatch Logs received the event. */
  readonly timestamp: number;
  readonly message: string;
}

export interface LogBatch {
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly LogEvent[];
}

export class MalformedPayloadError extends Error {
  override readonly name = 'MalformedPayloadError';
}

/** Decodes one subscription event; throws MalformedPayloadError saying what is wrong. */
export function decodePayload(event: unknown): LogBatch {
  const data = (event as { awslogs?: { data?: unknown } } | null)?.awslogs?.data;
  if (typeof data !== 'string' || data === '') {
    throw new MalformedPayloadError('not a CloudWatch Logs subscription event: no awslogs.data string');
  }
  let batch: unknown;
  try {
    batch = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
  } catch (error) {
    throw new MalformedPayloadError(
      `awslogs.data is not base64 gzipped JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const b = batch as Partial<LogBatch> | null;
  if (
    !b ||
    (b.messageType !== 'DATA_MESSAGE' && b.messageType !== 'CONTROL_MESSAGE') ||
    typeof b.logGroup !== 'string' ||
    typeof b.logStream !== 'string' ||
    !Array.isArray(b.logEvents)
  ) {
    throw new MalformedPayloadError(
      'awslogs.data decodes, but not to a subscription batch (messageType, logGroup, logStream, logEvents)',
    );
  }
  for (const e of b.logEvents as unknown[]) {
    const item = e as Partial<LogEvent> | null;
    if (
      !item ||
      typeof item.id !== 'string' ||
      typeof item.timestamp !== 'number' ||
      typeof item.message !== 'string'
    ) {
      throw new MalformedPayloadError('a log event lacks its id, timestamp or message');
    }
  }
  return {
    messageType: b.messageType,
    owner: typeof b.owner === 'string' ? b.owner : '',
    logGroup: b.logGroup,
    logStream: b.logStream,
    subscriptionFilters: Array.isArray(b.subscriptionFilters) ? b.subscriptionFilters : [],
    logEvents: b.logEvents,
  };
}
