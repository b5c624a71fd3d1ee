/**
 * An in-memory Amazon SQS stand-in for tests and the sandbox.
 *
 * It speaks the AWS JSON 1.0 protocol that the SDK v3 SQS client uses (POST /,
 * `X-Amz-Target: AmazonSQS.<Operation>`) for the operations Lookout needs:
 * CreateQueue, GetQueueUrl, ListQueues, SendMessage, SendMessageBatch, ReceiveMessage,
 * DeleteMessage and DeleteMessageBatch. Requests are not authenticated.
 * Everything sent stays readable through `messages(name)`: every message not yet deleted, and the
 * most recently deleted ones (`keptDeleted` per queue), so that a long sandbox run stays bounded.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SANDBOX_ACCOUNT } from '../account.js';
import { acceptLoopbackOnly, publicErrorMessage } from '../loopback-http.js';
import { BodyTooLarge, readBody } from './http.js';

export interface SqsStandInOptions {
  /** Port to listen on; 0 (the default) picks a free one. Always bound to 127.0.0.1. */
  port?: number;
  /** Queues that exist from the start. */
  queues?: string[];
  /** Deleted messages kept readable per queue; older ones are forgotten. @default 1000 */
  keptDeleted?: number;
  /** The account in queue URLs. @default the sandbox's account */
  accountId?: string;
}

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64, as on the wire. */
  BinaryValue?: string;
}

export interface SentMessage {
  messageId: string;
  body: string;
  messageAttributes: Record<string, MessageAttribute>;
  sentAt: Date;
  /** How many times ReceiveMessage has handed it out. */
  receiveCount: number;
  deleted: boolean;
}

export interface SqsStandIn {
  /** Endpoint for the SDK, e.g. as AWS_ENDPOINT_URL_SQS. */
  url: string;
  /** Creates the queue if needed and returns its URL. */
  createQueue(name: string): string;
  /** URL of an existing queue; throws for an unknown one. */
  queueUrl(name: string): string;
  /**
   * Sends a message as SendMessage does, from inside the sandbox (an SNS or EventBridge target);
   * `messageId` keeps the id a message already had (a redrive to a dead-letter queue).
   * Returns the MessageId; throws for an unknown queue or an invalid message.
   */
  sendMessage(
    name: string,
    body: string,
    options?: { messageAttributes?: Record<string, MessageAttribute>; messageId?: string },
  ): string;
  /** Every message sent to the queue, oldest first. Throws for an unknown queue. */
  messages(name: string): SentMessage[];
  /** Stops the server; further calls are refused. Safe to call more than once. */
  close(): Promise<void>;
}

/** SendMessageBatch carries up to ten messages of 1 MiB each. */
const MAX_REQUEST_BYTES = 11 * 1024 * 1024;
const MAX_MESSAGE_BYTES = 1024 * 1024;
const MAX_BATCH_ENTRIES = 10;
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

interface StoredMessage extends SentMessage {
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  visibleAt: number;
  receiptHandle?: string;
}

interface Queue {
  name: string;
  url: string;
  visibilityTimeoutSeconds: number;
  messages: StoredMessage[];
  deletedCount: number;
  /** Long-polling receivers waiting for a message. */
  waiters: Set<() => void>;
}

class SqsError extends Error {
  constructor(
    readonly type: string,
    readonly queryCode: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const invalidParameter = (message: string) =>
  new SqsError('InvalidParameterValue', 'InvalidParameterValue', message);

function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** SQS's digest of message attributes: names sorted, each field length-prefixed (big-endian uint32). */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttribute>): string {
  const hash = createHash('md5');
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name]!;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(Buffer.from(attribute.BinaryValue, 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(attribute.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

function readMessageAttributes(value: unknown): Record<string, MessageAttribute> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw invalidParameter('MessageAttributes must be an object.');
  const attributes: Record<string, MessageAttribute> = {};
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    const attribute = raw as Partial<MessageAttribute> | null;
    const dataType = attribute?.DataType;
    if (typeof dataType !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      throw new SqsError(
        'InvalidAttributeValue',
        'InvalidParameterValue',
        `Message attribute '${name}' must have a DataType of String, Number or Binary.`,
      );
    }
    const isBinary = dataType.startsWith('Binary');
    const field = isBinary ? attribute?.BinaryValue : attribute?.StringValue;
    if (typeof field !== 'string' || field.length === 0) {
      throw new SqsError(
        'InvalidAttributeValue',
        'InvalidParameterValue',
        `Message attribute '${name}' must contain a non-empty ${isBinary ? 'BinaryValue' : 'StringValue'}.`,
      );
    }
    attributes[name] = isBinary
      ? { DataType: dataType, BinaryValue: field }
      : { DataType: dataType, StringValue: field };
  }
  return attributes;
}

function integerParameter(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(
      `Value ${String(value)} for parameter ${name} is invalid. Must be between ${min} and ${max}.`,
    );
  }
  return value;
}

/** The queues and their messages: what the actions read and change. */
class QueueStore {
  private readonly queues = new Map<string, Queue>();
  /** The stand-in's address, once it listens; queue URLs start with it. */
  baseUrl = '';

  constructor(
    private readonly accountId: string,
    /** Deleted messages kept for `messages()`. */
    private readonly keptDeleted: number,
  ) {}

  create(name: string): string {
    if (!QUEUE_NAME.test(name)) {
      throw invalidParameter(
        `Queue name '${name}' is invalid: use 1 to 80 letters, digits, hyphens or underscores.`,
      );
    }
    let queue = this.queues.get(name);
    if (!queue) {
      queue = {
        name,
        url: `${this.baseUrl}/${this.accountId}/${name}`,
        visibilityTimeoutSeconds: DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
        messages: [],
        deletedCount: 0,
        waiters: new Set(),
      };
      this.queues.set(name, queue);
    }
    return queue.url;
  }

  /** Queue URLs in name order, those whose name starts with `prefix`. */
  urls(prefix: string): string[] {
    return [...this.queues.keys()]
      .filter((name) => name.startsWith(prefix))
      .sort()
      .map((name) => this.queues.get(name)!.url);
  }

  byName(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) {
      throw new SqsError(
        'QueueDoesNotExist',
        'AWS.SimpleQueueService.NonExistentQueue',
        'The specified queue does not exist.',
      );
    }
    return queue;
  }

  byUrl(queueUrl: unknown): Queue {
    if (typeof queueUrl !== 'string' || queueUrl === '') throw invalidParameter('QueueUrl is required.');
    let path: string;
    try {
      path = new URL(queueUrl).pathname;
    } catch {
      throw new SqsError('InvalidAddress', 'InvalidAddress', `The address ${queueUrl} is not valid.`, 404);
    }
    return this.byName(path.split('/').filter(Boolean).pop() ?? '');
  }

  enqueue(queue: Queue, entry: Record<string, unknown>, messageId: string = randomUUID()) {
    const body = entry.MessageBody;
    if (typeof body !== 'string' || body.length === 0) {
      throw new SqsError(
        'InvalidMessageContents',
        'InvalidMessageContents',
        'MessageBody must not be empty.',
      );
    }
    if (Buffer.byteLength(body, 'utf8') > MAX_MESSAGE_BYTES) {
      throw invalidParameter(`MessageBody must be shorter than ${MAX_MESSAGE_BYTES} bytes.`);
    }
    const delaySeconds = integerParameter(entry.DelaySeconds, 'DelaySeconds', 0, 900, 0);
    const messageAttributes = readMessageAttributes(entry.MessageAttributes);
    const hasAttributes = Object.keys(messageAttributes).length > 0;
    const message: StoredMessage = {
      messageId,
      body,
      messageAttributes,
      sentAt: new Date(),
      receiveCount: 0,
      deleted: false,
      md5OfBody: md5Hex(body),
      md5OfMessageAttributes: hasAttributes ? md5OfMessageAttributes(messageAttributes) : undefined,
      visibleAt: Date.now() + delaySeconds * 1000,
    };
    queue.messages.push(message);
    for (const wake of queue.waiters) wake();
    return {
      MessageId: message.messageId,
      MD5OfMessageBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes && { MD5OfMessageAttributes: message.md5OfMessageAttributes }),
    };
  }

  /** Up to `max` visible messages, hidden for the visibility timeout and counted as received. */
  takeVisible(queue: Queue, max: number, visibilitySeconds: number): StoredMessage[] {
    const now = Date.now();
    const taken: StoredMessage[] = [];
    for (const message of queue.messages) {
      if (taken.length >= max) break;
      if (message.deleted || message.visibleAt > now) continue;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receiptHandle = randomUUID();
      message.receiveCount += 1;
      taken.push(message);
    }
    return taken;
  }

  /** Resolves when a message arrives on the queue, or after `seconds` (long polling). */
  waitForMessage(queue: Queue, seconds: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        queue.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, seconds * 1000);
      queue.waiters.add(done);
    });
  }

  deleteByReceiptHandle(queue: Queue, receiptHandle: unknown): void {
    const message =
      typeof receiptHandle === 'string' && receiptHandle !== ''
        ? queue.messages.find((candidate) => candidate.receiptHandle === receiptHandle)
        : undefined;
    if (!message) {
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${String(receiptHandle)}" is not a valid receipt handle.`,
      );
    }
    if (message.deleted) return;
    message.deleted = true;
    queue.deletedCount += 1;
    // Forget the oldest deleted messages in one pass, once twice as many as kept have piled up.
    if (queue.deletedCount > 2 * this.keptDeleted) {
      let forget = queue.deletedCount - this.keptDeleted;
      queue.messages = queue.messages.filter((candidate) => !(candidate.deleted && forget-- > 0));
      queue.deletedCount = this.keptDeleted;
    }
  }

  /** Ends every long poll (the stand-in is closing). */
  wakeAll(): void {
    for (const queue of this.queues.values()) for (const wake of queue.waiters) wake();
  }
}

function batchEntries(input: Record<string, unknown>): Record<string, unknown>[] {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new SqsError(
      'EmptyBatchRequest',
      'AWS.SimpleQueueService.EmptyBatchRequest',
      'There should be at least one entry in the request.',
    );
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const ids = new Set<string>();
  for (const entry of entries as Record<string, unknown>[]) {
    const id = entry?.Id;
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'AWS.SimpleQueueService.InvalidBatchEntryId',
        `A batch entry id can only contain alphanumeric characters, hyphens and underscores: ${String(id)}`,
      );
    }
    if (ids.has(id)) {
      throw new SqsError(
        'BatchEntryIdsNotDistinct',
        'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
        `Id ${id} repeated.`,
      );
    }
    ids.add(id);
  }
  return entries as Record<string, unknown>[];
}

/** Runs one batch entry; an entry's own error becomes a Failed item instead of failing the call. */
function batchEntry(entry: Record<string, unknown>, run: () => Record<string, unknown>) {
  try {
    return { ok: true as const, result: { Id: entry.Id, ...run() } };
  } catch (error) {
    if (!(error instanceof SqsError)) throw error;
    return {
      ok: false as const,
      result: { Id: entry.Id, SenderFault: true, Code: error.type, Message: error.message },
    };
  }
}

function batchResult(results: ReturnType<typeof batchEntry>[]) {
  return {
    Successful: results.filter((r) => r.ok).map((r) => r.result),
    Failed: results.filter((r) => !r.ok).map((r) => r.result),
  };
}

type Operation = (input: Record<string, unknown>) => Promise<unknown> | unknown;

/** The actions the stand-in answers (AWS JSON protocol), by name. */
function sqsOperations(store: QueueStore): Record<string, Operation> {
  return {
    CreateQueue: (input) => {
      if (typeof input.QueueName !== 'string') throw invalidParameter('QueueName is required.');
      const url = store.create(input.QueueName);
      const visibility = (input.Attributes as Record<string, string> | undefined)?.VisibilityTimeout;
      if (visibility !== undefined) {
        store.byName(input.QueueName).visibilityTimeoutSeconds = integerParameter(
          Number(visibility),
          'VisibilityTimeout',
          0,
          43_200,
          DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
        );
      }
      return { QueueUrl: url };
    },
    GetQueueUrl: (input) => ({ QueueUrl: store.byName(String(input.QueueName ?? '')).url }),
    // One page: a sandbox stack has far fewer queues than SQS's 1000 per page.
    ListQueues: (input) => {
      const max = integerParameter(input.MaxResults, 'MaxResults', 1, 1000, 1000);
      return { QueueUrls: store.urls(String(input.QueueNamePrefix ?? '')).slice(0, max) };
    },
    SendMessage: (input) => store.enqueue(store.byUrl(input.QueueUrl), input),
    SendMessageBatch: (input) => {
      const queue = store.byUrl(input.QueueUrl);
      return batchResult(
        batchEntries(input).map((entry) => batchEntry(entry, () => store.enqueue(queue, entry))),
      );
    },
    ReceiveMessage: async (input) => {
      const queue = store.byUrl(input.QueueUrl);
      const max = integerParameter(input.MaxNumberOfMessages, 'MaxNumberOfMessages', 1, 10, 1);
      const visibility = integerParameter(
        input.VisibilityTimeout,
        'VisibilityTimeout',
        0,
        43_200,
        queue.visibilityTimeoutSeconds,
      );
      const waitSeconds = integerParameter(input.WaitTimeSeconds, 'WaitTimeSeconds', 0, 20, 0);
      let taken = store.takeVisible(queue, max, visibility);
      if (taken.length === 0 && waitSeconds > 0) {
        await store.waitForMessage(queue, waitSeconds);
        taken = store.takeVisible(queue, max, visibility);
      }
      return {
        Messages: taken.map((message) => ({
          MessageId: message.messageId,
          ReceiptHandle: message.receiptHandle,
          MD5OfBody: message.md5OfBody,
          Body: message.body,
          Attributes: {
            SentTimestamp: String(message.sentAt.getTime()),
            ApproximateReceiveCount: String(message.receiveCount),
          },
          ...(message.md5OfMessageAttributes && {
            MD5OfMessageAttributes: message.md5OfMessageAttributes,
            MessageAttributes: message.messageAttributes,
          }),
        })),
      };
    },
    DeleteMessage: (input) => {
      store.deleteByReceiptHandle(store.byUrl(input.QueueUrl), input.ReceiptHandle);
      return {};
    },
    DeleteMessageBatch: (input) => {
      const queue = store.byUrl(input.QueueUrl);
      return batchResult(
        batchEntries(input).map((entry) =>
          batchEntry(entry, () => {
            store.deleteByReceiptHandle(queue, entry.ReceiptHandle);
            return {};
          }),
        ),
      );
    },
  };
}

function send(
  response: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
) {
  const body = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(body);
}

function sendError(response: ServerResponse, error: SqsError) {
  send(
    response,
    error.status,
    { __type: `com.amazonaws.sqs#${error.type}`, message: error.message },
    { 'x-amzn-query-error': `${error.queryCode};Sender` },
  );
}

/** One request: the body read within bounds, the action found, its answer or error written as SQS writes it. */
async function handleRequest(
  operations: Record<string, Operation>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  let raw: Buffer;
  try {
    raw = await readBody(request, MAX_REQUEST_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    sendError(response, new SqsError('RequestTooLarge', 'RequestTooLarge', error.message, 413));
    return;
  }
  const target = String(request.headers['x-amz-target'] ?? '');
  const operation = target.startsWith('AmazonSQS.')
    ? operations[target.slice('AmazonSQS.'.length)]
    : undefined;
  if (request.method !== 'POST' || !operation) {
    sendError(
      response,
      new SqsError(
        'UnsupportedOperation',
        'AWS.SimpleQueueService.UnsupportedOperation',
        `Unsupported: ${target}`,
      ),
    );
    return;
  }
  let input: unknown;
  try {
    input = JSON.parse(raw.toString('utf8') || '{}');
  } catch {
    sendError(response, invalidParameter('The request body is not valid JSON.'));
    return;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    sendError(response, invalidParameter('The request body must be a JSON object.'));
    return;
  }
  try {
    send(response, 200, await operation(input as Record<string, unknown>));
  } catch (error) {
    if (error instanceof SqsError) sendError(response, error);
    else
      send(response, 500, {
        __type: 'com.amazonaws.sqs#InternalError',
        message: publicErrorMessage(error),
      });
  }
}

export async function startSqsStandIn(options: SqsStandInOptions = {}): Promise<SqsStandIn> {
  const store = new QueueStore(options.accountId ?? SANDBOX_ACCOUNT, options.keptDeleted ?? 1000);
  const operations = sqsOperations(store);
  const server = acceptLoopbackOnly(
    createServer((request, response) => {
      handleRequest(operations, request, response).catch(() => response.destroy());
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  store.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  for (const name of options.queues ?? []) store.create(name);

  return {
    url: store.baseUrl,
    createQueue: (name) => store.create(name),
    queueUrl: (name) => store.byName(name).url,
    sendMessage: (name, body, extra = {}) =>
      store.enqueue(
        store.byName(name),
        { MessageBody: body, MessageAttributes: extra.messageAttributes },
        extra.messageId,
      ).MessageId,
    messages: (name) =>
      store
        .byName(name)
        .messages.map(({ messageId, body, messageAttributes, sentAt, receiveCount, deleted }) => ({
          messageId,
          body,
          messageAttributes,
          sentAt,
          receiveCount,
          deleted,
        })),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        store.wakeAll();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}
