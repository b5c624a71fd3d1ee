/**
 * An SQS event source mapping, as Lambda runs one: pollers receive messages from the queue (the
 * SQS stand-in, through the real SDK), gather them into batches (batch size, batching window),
 * invoke the function and delete what succeeded. With ReportBatchItemFailures only the reported
 * messages stay; an invocation that fails leaves the whole batch. Messages that stay become
 * visible again after the visibility timeout and are retried; once a message has been received
 * more than `maxReceiveCount` times it goes to the dead-letter queue, as SQS's redrive policy does
 * (the stand-in has no redrive of its own, so the mapping applies it on receipt).
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SourceInvocation, SourceTarget } from './invoker.js';
import { queueArn, reportedFailures, toSqsEvent, toSqsRecord } from './sqs-event.js';

export interface SqsEventSourceOptions {
  target: SourceTarget;
  /** SQS endpoint, e.g. the stand-in's `url`. */
  endpoint: string;
  queueUrl: string;
  /** Records per invocation, 1 to 10000 (above 10 needs a batching window). @default 10 */
  batchSize?: number;
  /** How long to gather records before invoking, 0 to 300 seconds. @default 0 */
  maximumBatchingWindowSeconds?: number;
  /** Honour `batchItemFailures` in the function's response. @default false, as in Lambda */
  reportBatchItemFailures?: boolean;
  /** Visibility timeout for received messages; the queue's own when absent. */
  visibilityTimeoutSeconds?: number;
  /**
   * The queue's redrive policy. Without it, failing messages are retried forever. `move` puts a
   * message on the dead-letter queue keeping its MessageId, as SQS's redrive does; without it the
   * message is sent there anew (SendMessage), which gives it a new id.
   */
  deadLetter?: {
    queueUrl: string;
    maxReceiveCount: number;
    move?: (message: Message) => Promise<void> | void;
  };
  /** Concurrent pollers, hence concurrent invocations. @default 2 */
  pollers?: number;
  /** Long-poll wait per receive, 0 to 20; also how long `stop()` may wait. @default 1 */
  waitTimeSeconds?: number;
  /** @default 'us-east-1' */
  region?: string;
}

export interface SqsBatchOutcome {
  messageIds: string[];
  invocation?: SourceInvocation;
  /** The invocation was refused before running (e.g. the batch was over Lambda's payload limit). */
  error?: Error;
  deleted: string[];
  failed: string[];
}

export interface SqsEventSourceStats {
  batches: number;
  received: number;
  deleted: number;
  failed: number;
  movedToDeadLetter: number;
  pollErrors: number;
  lastPollError?: string;
}

export interface SqsEventSource {
  onBatch(listener: (outcome: SqsBatchOutcome) => void): () => void;
  /** Called with each message moved to the dead-letter queue. */
  onDeadLetter(listener: (message: Message) => void): () => void;
  stats(): SqsEventSourceStats;
  /** Stops polling; waits for the batches in flight to finish and be deleted. Safe to call twice. */
  stop(): Promise<void>;
}

const MAX_RECEIVE = 10;
const SHORT_POLL_PAUSE_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function validate(options: SqsEventSourceOptions): void {
  const problems: string[] = [];
  const batchSize = options.batchSize ?? 10;
  const window = options.maximumBatchingWindowSeconds ?? 0;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    problems.push(`batchSize must be a whole number from 1 to 10000, not ${batchSize}`);
  } else if (batchSize > 10 && window === 0) {
    problems.push('a batchSize above 10 needs a maximumBatchingWindowSeconds of at least 1');
  }
  if (!Number.isInteger(window) || window < 0 || window > 300) {
    problems.push(`maximumBatchingWindowSeconds must be a whole number from 0 to 300, not ${window}`);
  }
  const maxReceiveCount = options.deadLetter?.maxReceiveCount;
  if (
    maxReceiveCount !== undefined &&
    (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000)
  ) {
    problems.push(`deadLetter.maxReceiveCount must be a whole number from 1 to 1000, not ${maxReceiveCount}`);
  }
  const pollers = options.pollers ?? 2;
  if (!Number.isInteger(pollers) || pollers < 1) problems.push(`pollers must be at least 1, not ${pollers}`);
  const wait = options.waitTimeSeconds ?? 1;
  if (!Number.isInteger(wait) || wait < 0 || wait > 20) {
    problems.push(`waitTimeSeconds must be a whole number from 0 to 20, not ${wait}`);
  }
  if (problems.length > 0)
    throw new Error(`SQS event source for ${options.queueUrl}: ${problems.join('; ')}`);
}

export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  validate(options);
  const region = options.region ?? 'us-east-1';
  const batchSize = options.batchSize ?? 10;
  const windowMs = (options.maximumBatchingWindowSeconds ?? 0) * 1000;
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  const eventSourceARN = queueArn(options.queueUrl, region);
  const client = new SQSClient({
    endpoint: options.endpoint,
    region,
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    maxAttempts: 1,
  });
  const batchListeners = new Set<(outcome: SqsBatchOutcome) => void>();
  const deadLetterListeners = new Set<(message: Message) => void>();
  const stats: SqsEventSourceStats = {
    batches: 0,
    received: 0,
    deleted: 0,
    failed: 0,
    movedToDeadLetter: 0,
    pollErrors: 0,
  };
  /** When each message was first received, for ApproximateFirstReceiveTimestamp (bounded). */
  const firstReceived = new Map<string, number>();
  let stopped = false;

  const notify = <T>(listeners: Set<(value: T) => void>, value: T) => {
    for (const listener of listeners) {
      try {
        listener(value);
      } catch {
        // A listener's failure does not stop the mapping.
      }
    }
  };

  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const response = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        ...(options.visibilityTimeoutSeconds !== undefined && {
          VisibilityTimeout: options.visibilityTimeoutSeconds,
        }),
      }),
    );
    return response.Messages ?? [];
  };

  const deleteMessages = async (messages: Message[]): Promise<string[]> => {
    const deleted: string[] = [];
    for (let i = 0; i < messages.length; i += MAX_RECEIVE) {
      const chunk = messages.slice(i, i + MAX_RECEIVE);
      const response = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      for (const success of response.Successful ?? []) {
        const message = chunk[Number(success.Id)];
        if (message?.MessageId) deleted.push(message.MessageId);
      }
    }
    return deleted;
  };

  /** Moves messages received too often to the dead-letter queue; returns the ones to deliver. */
  const redrive = async (messages: Message[]): Promise<Message[]> => {
    const deadLetter = options.deadLetter;
    if (!deadLetter) return messages;
    const deliver: Message[] = [];
    for (const message of messages) {
      const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
      if (receiveCount <= deadLetter.maxReceiveCount) {
        deliver.push(message);
        continue;
      }
      if (deadLetter.move) await deadLetter.move(message);
      else
        await client.send(
          new SendMessageCommand({
            QueueUrl: deadLetter.queueUrl,
            MessageBody: message.Body ?? '',
            ...(message.MessageAttributes &&
              Object.keys(message.MessageAttributes).length > 0 && {
                MessageAttributes: message.MessageAttributes,
              }),
          }),
        );
      await deleteMessages([message]);
      if (message.MessageId) firstReceived.delete(message.MessageId);
      stats.movedToDeadLetter += 1;
      notify(deadLetterListeners, message);
    }
    return deliver;
  };

  const gather = async (): Promise<Message[]> => {
    // By message id: a message whose visibility ran out during the window comes back with a new
    // receipt handle, and only the newest handle can delete it.
    const batch = new Map<string, Message>();
    const add = (messages: Message[]) => {
      for (const message of messages) batch.set(message.MessageId ?? '', message);
      return messages.length;
    };
    add(await redrive(await receive(Math.min(MAX_RECEIVE, batchSize), waitTimeSeconds)));
    if (batch.size === 0 || windowMs === 0) return [...batch.values()];
    const deadline = Date.now() + windowMs;
    while (!stopped && batch.size < batchSize && Date.now() < deadline) {
      const remainingMs = deadline - Date.now();
      const wait = Math.min(waitTimeSeconds, Math.floor(remainingMs / 1000));
      const received = add(await redrive(await receive(Math.min(MAX_RECEIVE, batchSize - batch.size), wait)));
      if (received === 0 && wait === 0) await sleep(Math.min(remainingMs, 50));
    }
    return [...batch.values()];
  };

  const deliverBatch = async (messages: Message[]) => {
    const now = Date.now();
    const records = messages.map((message) => {
      const id = message.MessageId ?? '';
      if (!firstReceived.has(id)) firstReceived.set(id, now);
      return toSqsRecord(message, { eventSourceARN, region, firstReceivedAt: firstReceived.get(id) ?? now });
    });
    while (firstReceived.size > 10_000) firstReceived.delete(firstReceived.keys().next().value!);
    const messageIds = records.map((record) => record.messageId);
    stats.batches += 1;
    stats.received += messages.length;

    let invocation: SourceInvocation | undefined;
    let error: Error | undefined;
    try {
      invocation = await options.target.invoke(toSqsEvent(records));
    } catch (caught) {
      error = caught instanceof Error ? caught : new Error(String(caught));
    }
    let failedIds: Set<string>;
    if (invocation?.status !== 'success') {
      failedIds = new Set(messageIds);
    } else if (options.reportBatchItemFailures) {
      const reported = reportedFailures(invocation.result, new Set(messageIds));
      failedIds = new Set(reported === 'all' ? messageIds : reported);
    } else {
      failedIds = new Set();
    }
    const succeeded = messages.filter((message) => !failedIds.has(message.MessageId ?? ''));
    const deleted = succeeded.length > 0 ? await deleteMessages(succeeded) : [];
    for (const id of deleted) firstReceived.delete(id);
    stats.deleted += deleted.length;
    stats.failed += failedIds.size;
    notify(batchListeners, {
      messageIds,
      ...(invocation && { invocation }),
      ...(error && { error }),
      deleted,
      failed: [...failedIds],
    });
    // A throttled function makes Lambda back off before polling again.
    if (invocation?.status === 'throttled') await sleep(1000);
  };

  const poll = async () => {
    while (!stopped) {
      try {
        const batch = await gather();
        if (batch.length > 0) await deliverBatch(batch);
        // Short polling (no wait) would otherwise spin.
        else if (waitTimeSeconds === 0) await sleep(SHORT_POLL_PAUSE_MS);
      } catch (error) {
        stats.pollErrors += 1;
        stats.lastPollError = error instanceof Error ? error.message : String(error);
        if (!stopped) await sleep(1000);
      }
    }
  };

  const pollers = Array.from({ length: options.pollers ?? 2 }, () => poll());
  let stopping: Promise<void> | undefined;
  return {
    onBatch(listener) {
      batchListeners.add(listener);
      return () => batchListeners.delete(listener);
    },
    onDeadLetter(listener) {
      deadLetterListeners.add(listener);
      return () => deadLetterListeners.delete(listener);
    },
    stats: () => ({ ...stats }),
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        await Promise.all(pollers);
        client.destroy();
      })()),
  };
}
