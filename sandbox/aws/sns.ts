/**
 * A local Amazon SNS: the stack's topics and their `lambda` and `sqs` subscriptions (raw message
 * delivery, filter policies on message attributes or on the body), reached two ways: the query
 * protocol's `Publish`, `PublishBatch` and `ListTopics` (form-encoded `Action=Publish&...`, answered in XML) that
 * the SDK v3 SNS client sends, and `publish()` for what the sandbox itself sends (alarm
 * notifications). Delivery to a function or a queue is the caller's (`deliver`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { EventPattern } from '../sources/event-pattern.js';
import { matchesPattern, PatternError } from '../sources/event-pattern.js';
import { BodyTooLarge, listenOnLoopback, readBody } from './http.js';

export interface SnsSubscriptionSpec {
  topicArn: string;
  protocol: string;
  /** The function's name (`lambda`) or the queue's name (`sqs`); the raw endpoint otherwise. */
  endpoint: string;
  rawMessageDelivery: boolean;
  filterPolicy?: EventPattern;
  /** @default 'MessageAttributes' */
  filterPolicyScope?: 'MessageAttributes' | 'MessageBody';
}

export interface SnsMessageAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64. */
  BinaryValue?: string;
}

export interface SnsPublishInput {
  topicArn: string;
  message: string;
  subject?: string;
  messageAttributes?: Record<string, SnsMessageAttribute>;
}

/** SNS's Lambda event for one message, as the Slack notifier and other subscribers read it. */
export interface SnsLambdaEvent {
  Records: {
    EventSource: 'aws:sns';
    EventVersion: '1.0';
    EventSubscriptionArn: string;
    Sns: {
      Type: 'Notification';
      MessageId: string;
      TopicArn: string;
      Subject: string | null;
      Message: string;
      Timestamp: string;
      SignatureVersion: string;
      Signature: string;
      SigningCertUrl: string;
      UnsubscribeUrl: string;
      MessageAttributes: Record<string, { Type: string; Value: string }>;
    };
  }[];
}

export interface SnsDeliverTo {
  /** An asynchronous invoke; resolves whether it (finally) succeeded. */
  function(name: string, event: SnsLambdaEvent): Promise<boolean>;
  queue(name: string, body: string, attributes: Record<string, SnsMessageAttribute>): void;
}

export interface SnsStandInOptions {
  topicArns: string[];
  subscriptions: SnsSubscriptionSpec[];
  deliver: SnsDeliverTo;
  /** Told of every delivery's outcome (for the AWS/SNS metrics). */
  onDelivery?(topicArn: string, delivered: boolean, protocol: 'lambda' | 'sqs'): void;
  port?: number;
}

export interface SnsStandIn {
  /** Endpoint for the SDK, e.g. as AWS_ENDPOINT_URL_SNS. */
  url: string;
  /** Publishes as the Publish action does; returns the MessageId. Throws SnsError for bad input. */
  publish(input: SnsPublishInput): string;
  /** Subscriptions without a local target (email, https, …), which receive nothing here. */
  notEmulated(): SnsSubscriptionSpec[];
  close(): Promise<void>;
}

export class SnsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const MAX_REQUEST_BYTES = 1024 * 1024;
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_BATCH = 10;
const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

const xml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);

/** The attributes as a filter policy sees them: strings, numbers, and arrays for String.Array. */
function attributeValues(attributes: Record<string, SnsMessageAttribute>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const text = attribute.StringValue;
    if (text === undefined) continue;
    if (attribute.DataType.startsWith('Number')) values[name] = Number(text);
    else if (attribute.DataType === 'String.Array') {
      try {
        values[name] = JSON.parse(text) as unknown;
      } catch {
        values[name] = text;
      }
    } else values[name] = text;
  }
  return values;
}

/** Whether a subscription's filter policy lets the message through. */
export function passesFilterPolicy(subscription: SnsSubscriptionSpec, input: SnsPublishInput): boolean {
  const policy = subscription.filterPolicy;
  if (!policy) return true;
  if (subscription.filterPolicyScope === 'MessageBody') {
    let body: unknown;
    try {
      body = JSON.parse(input.message);
    } catch {
      return false;
    }
    return matchesPattern(policy, body);
  }
  return matchesPattern(policy, attributeValues(input.messageAttributes ?? {}));
}

export async function startSnsStandIn(options: SnsStandInOptions): Promise<SnsStandIn> {
  const topics = new Set(options.topicArns);
  const subscriptionArns = new Map(
    options.subscriptions.map((subscription) => [subscription, `${subscription.topicArn}:${randomUUID()}`]),
  );

  const publish = (input: SnsPublishInput): string => {
    if (!input.topicArn) throw new SnsError('InvalidParameter', 'Invalid parameter: TopicArn is required');
    if (!topics.has(input.topicArn)) throw new SnsError('NotFound', 'Topic does not exist', 404);
    if (typeof input.message !== 'string' || input.message.length === 0)
      throw new SnsError('InvalidParameter', 'Invalid parameter: Empty message');
    if (Buffer.byteLength(input.message) > MAX_MESSAGE_BYTES)
      throw new SnsError(
        'InvalidParameter',
        `Invalid parameter: Message too long (over ${MAX_MESSAGE_BYTES} bytes)`,
      );
    if (input.subject !== undefined && (input.subject.length === 0 || input.subject.length > 100))
      throw new SnsError('InvalidParameter', 'Invalid parameter: Subject must be 1 to 100 characters');
    const messageId = randomUUID();
    const timestamp = new Date().toISOString();
    const attributes = input.messageAttributes ?? {};
    const lambdaAttributes = Object.fromEntries(
      Object.entries(attributes).map(([name, a]) => [
        name,
        { Type: a.DataType, Value: a.StringValue ?? a.BinaryValue ?? '' },
      ]),
    );
    for (const subscription of options.subscriptions) {
      if (subscription.topicArn !== input.topicArn) continue;
      let passes: boolean;
      try {
        passes = passesFilterPolicy(subscription, input);
      } catch (error) {
        if (error instanceof PatternError) continue;
        throw error;
      }
      if (!passes) continue;
      const envelope = {
        Type: 'Notification' as const,
        MessageId: messageId,
        TopicArn: input.topicArn,
        Subject: input.subject ?? null,
        Message: input.message,
        Timestamp: timestamp,
        SignatureVersion: '1',
        Signature: 'sandbox',
        SigningCertUrl: 'https://sns.invalid/cert.pem',
        UnsubscribeUrl: 'https://sns.invalid/unsubscribe',
        MessageAttributes: lambdaAttributes,
      };
      if (subscription.protocol === 'lambda') {
        const event: SnsLambdaEvent = {
          Records: [
            {
              EventSource: 'aws:sns',
              EventVersion: '1.0',
              EventSubscriptionArn: subscriptionArns.get(subscription)!,
              Sns: envelope,
            },
          ],
        };
        void options.deliver
          .function(subscription.endpoint, event)
          .catch(() => false)
          .then((delivered) => options.onDelivery?.(input.topicArn, delivered, 'lambda'));
      } else if (subscription.protocol === 'sqs') {
        try {
          if (subscription.rawMessageDelivery)
            options.deliver.queue(subscription.endpoint, input.message, attributes);
          else {
            const { SigningCertUrl, UnsubscribeUrl, Subject, MessageAttributes, ...rest } = envelope;
            const body = {
              ...rest,
              ...(Subject !== null && { Subject }),
              SigningCertURL: SigningCertUrl,
              UnsubscribeURL: UnsubscribeUrl,
              ...(Object.keys(MessageAttributes).length > 0 && { MessageAttributes }),
            };
            options.deliver.queue(subscription.endpoint, JSON.stringify(body), {});
          }
          options.onDelivery?.(input.topicArn, true, 'sqs');
        } catch {
          options.onDelivery?.(input.topicArn, false, 'sqs');
        }
      }
    }
    return messageId;
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const requestId = randomUUID();
    const reply = (status: number, body: string) => {
      response.writeHead(status, {
        'content-type': 'text/xml',
        'content-length': Buffer.byteLength(body),
        'x-amzn-requestid': requestId,
      });
      response.end(body);
    };
    const fail = (error: SnsError) =>
      reply(
        error.status,
        `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${xml(error.code)}</Code><Message>${xml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    try {
      if (request.method !== 'POST') throw new SnsError('InvalidAction', 'Only POST is supported', 405);
      const params = new URLSearchParams((await readBody(request, MAX_REQUEST_BYTES)).toString('utf8'));
      const action = params.get('Action') ?? '';
      let result: string;
      if (action === 'Publish') {
        const messageId = publish(readPublish(params, ''));
        result = `<MessageId>${messageId}</MessageId>`;
      } else if (action === 'PublishBatch') {
        result = publishBatch(params);
      } else if (action === 'ListTopics') {
        // One page: a stack has far fewer topics than SNS's 100 per page.
        const members = [...topics].sort().map((arn) => `<member><TopicArn>${xml(arn)}</TopicArn></member>`);
        result = `<Topics>${members.join('')}</Topics>`;
      } else {
        throw new SnsError(
          'InvalidAction',
          `The action ${action || '(none)'} is not valid for this endpoint (Publish, PublishBatch and ListTopics are)`,
        );
      }
      reply(
        200,
        `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (error) {
      if (error instanceof SnsError) fail(error);
      else if (error instanceof BodyTooLarge) fail(new SnsError('RequestTooLarge', error.message, 413));
      else fail(new SnsError('InternalError', 'The request could not be handled', 500));
    }
  };

  const publishBatch = (params: URLSearchParams): string => {
    const topicArn = params.get('TopicArn') ?? '';
    const entries: { id: string; input: SnsPublishInput }[] = [];
    for (let n = 1; params.has(`PublishBatchRequestEntries.member.${n}.Id`); n++) {
      const prefix = `PublishBatchRequestEntries.member.${n}.`;
      entries.push({ id: params.get(`${prefix}Id`)!, input: { ...readPublish(params, prefix), topicArn } });
    }
    if (entries.length === 0)
      throw new SnsError('EmptyBatchRequest', 'The batch request does not contain any entries');
    if (entries.length > MAX_BATCH)
      throw new SnsError(
        'TooManyEntriesInBatchRequest',
        `The batch request contains more than ${MAX_BATCH} entries`,
      );
    if (new Set(entries.map((e) => e.id)).size !== entries.length)
      throw new SnsError(
        'BatchEntryIdsNotDistinct',
        'Two or more batch entries in the request have the same Id',
      );
    if (!topics.has(topicArn)) throw new SnsError('NotFound', 'Topic does not exist', 404);
    const successful: string[] = [];
    const failed: string[] = [];
    for (const { id, input } of entries) {
      try {
        successful.push(`<member><Id>${xml(id)}</Id><MessageId>${publish(input)}</MessageId></member>`);
      } catch (error) {
        if (!(error instanceof SnsError)) throw error;
        failed.push(
          `<member><Id>${xml(id)}</Id><Code>${xml(error.code)}</Code><Message>${xml(error.message)}</Message><SenderFault>true</SenderFault></member>`,
        );
      }
    }
    return `<Successful>${successful.join('')}</Successful><Failed>${failed.join('')}</Failed>`;
  };

  const listening = await listenOnLoopback(server, options.port);
  return {
    url: listening.url,
    publish,
    notEmulated: () => options.subscriptions.filter((s) => s.protocol !== 'lambda' && s.protocol !== 'sqs'),
    close: listening.close,
  };
}

/** One message of a Publish request (prefix '') or of a PublishBatch entry. */
function readPublish(params: URLSearchParams, prefix: string): SnsPublishInput {
  const messageAttributes: Record<string, SnsMessageAttribute> = {};
  for (let n = 1; params.has(`${prefix}MessageAttributes.entry.${n}.Name`); n++) {
    const at = `${prefix}MessageAttributes.entry.${n}.`;
    const name = params.get(`${at}Name`)!;
    const dataType = params.get(`${at}Value.DataType`) ?? '';
    if (!/^(String|Number|Binary)(\..+)?$/.test(dataType))
      throw new SnsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    const stringValue = params.get(`${at}Value.StringValue`);
    const binaryValue = params.get(`${at}Value.BinaryValue`);
    if (dataType.startsWith('Number') && !Number.isFinite(Number(stringValue)))
      throw new SnsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' with type 'Number' must have a numeric value.`,
      );
    messageAttributes[name] = {
      DataType: dataType,
      ...(stringValue !== null && { StringValue: stringValue }),
      ...(binaryValue !== null && { BinaryValue: binaryValue }),
    };
  }
  let message = params.get(`${prefix}Message`) ?? '';
  if (params.get(`${prefix}MessageStructure`) === 'json') {
    // One message per protocol is beyond a local stand-in; every subscriber gets `default`.
    try {
      const structured = JSON.parse(message) as Record<string, unknown>;
      if (typeof structured.default !== 'string') throw new Error('no default');
      message = structured.default;
    } catch {
      throw new SnsError(
        'InvalidParameter',
        'Invalid parameter: Message Structure - JSON message body failed to parse or has no "default" key',
      );
    }
  }
  const subject = params.get(`${prefix}Subject`);
  return {
    topicArn: params.get('TopicArn') ?? params.get('TargetArn') ?? '',
    message,
    ...(subject !== null && { subject }),
    ...(Object.keys(messageAttributes).length > 0 && { messageAttributes }),
  };
}
