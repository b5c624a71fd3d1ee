/**
 * Publishes "order created" to the orders queue, carrying the correlation id and the trace header
 * as message attributes so the worker's logs and traces join the API's.
 */
import type { MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Order } from '../orders-core/order.js';
import { MESSAGE_ATTRIBUTES, toOrderCreatedMessage } from '../orders-core/order.js';

export interface MessageContext {
  correlationId: string | undefined;
  /** The X-Ray trace header of this invocation (`Root=...;Parent=...;Sampled=...`), if any. */
  traceHeader: string | undefined;
}

export class OrderQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async publishCreated(order: Order, context: MessageContext): Promise<string | undefined> {
    const attributes: Record<string, MessageAttributeValue> = {};
    if (context.correlationId) {
      attributes[MESSAGE_ATTRIBUTES.correlationId] = {
        DataType: 'String',
        StringValue: context.correlationId,
      };
    }
    if (context.traceHeader) {
      attributes[MESSAGE_ATTRIBUTES.traceHeader] = { DataType: 'String', StringValue: context.traceHeader };
    }
    const { MessageId } = await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(toOrderCreatedMessage(order)),
        MessageAttributes: attributes,
      }),
    );
    return MessageId;
  }
}
