/**
 * What could not be indexed goes to an SQS queue, one message per log event: the event as it came,
 * where it came from, where it was going, and why it did not get there.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Rejected } from './bulk.js';
import type { LogBatch } from './payload.js';

/** SQS's limits: ten entries and 1 MiB a batch. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 1024 * 1024;

export interface DeadLetter {
  readonly reason: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly index: string;
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

export type DeadLetterSink = (letters: readonly DeadLetter[], timeoutMs: number) => Promise<void>;

export function deadLettersOf(batch: LogBatch, rejected: readonly Rejected[]): DeadLetter[] {
  return rejected.map(({ request, reason }) => ({
    reason,
    logGroup: batch.logGroup,
    logStream: batch.logStream,
    index: request.index,
    id: request.id,
    timestamp: request.event.timestamp,
    message: request.event.message,
  }));
}

/** Sends every letter or throws: the caller must not report them parked otherwise. */
export function sqsDeadLetters(client: SQSClient, queueUrl: string): DeadLetterSink {
  return async (letters, timeoutMs) => {
    const batches: string[][] = [];
    let size = 0;
    for (const letter of letters) {
      const body = JSON.stringify(letter);
      const bytes = Buffer.byteLength(body);
      const last = batches.at(-1);
      if (!last || last.length === MAX_ENTRIES || size + bytes > MAX_BATCH_BYTES) {
        batches.push([body]);
        size = bytes;
      } else {
        last.push(body);
        size += bytes;
      }
    }
    const signal = AbortSignal.timeout(Math.max(1, timeoutMs));
    for (const bodies of batches) {
      const result = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.map((MessageBody, index) => ({ Id: String(index), MessageBody })),
        }),
        { abortSignal: signal },
      );
      const failed = result.Failed ?? [];
      if (failed.length > 0) {
        throw new Error(
          `the dead-letter queue refused ${failed.length} of ${bodies.length} messages: ${failed[0]?.Code ?? ''} ${failed[0]?.Message ?? ''}`,
        );
      }
    }
  };
}
