/**
 * One SQS record: an "order created" message. Completes the order (safe to repeat, since SQS
 * delivers at least once), adds it to the user's totals, and records `Orders` (completed or failed)
 * and `OrderProcessingTime` from creation to completion. Every log line of the record carries the
 * correlation id that came with the message.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { businessMetrics, getLogger, traced, validCorrelationId } from 'lookout';
import type { Issue } from '../orders-core/issues.js';
import { issuesOf } from '../orders-core/issues.js';
import type { OrderCreatedMessage } from '../orders-core/order.js';
import { MESSAGE_ATTRIBUTES, orderCreatedMessage } from '../orders-core/order.js';
import type { OrdersStore } from '../orders-core/store.js';

export interface WorkerDependencies {
  store: OrdersStore;
  now: () => Date;
}

/** The record can never succeed as sent: not JSON, or not an order message. */
export class MalformedMessageError extends Error {
  constructor(
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

export class OrderNotFoundError extends Error {
  constructor(orderId: string) {
    super(`Order ${orderId} does not exist`);
    this.name = 'OrderNotFoundError';
  }
}

/**
 * A logger for this record only: records are processed in parallel, so keys must not be shared.
 * Its correlation id is the one the message carries; a message without one is correlated by its
 * own id rather than by another record's.
 */
function recordLogger(record: SQSRecord): Logger {
  const logger = getLogger().createChild();
  const attributes = record.messageAttributes ?? {};
  const usableCorrelationId = validCorrelationId(attributes[MESSAGE_ATTRIBUTES.correlationId]?.stringValue);
  const traceHeader = attributes[MESSAGE_ATTRIBUTES.traceHeader]?.stringValue;
  const upstreamTraceId = traceHeader?.match(/Root=([^;]+)/)?.[1];
  logger.appendKeys({
    message_id: record.messageId,
    correlation_id: usableCorrelationId ?? record.messageId,
    ...(upstreamTraceId && { upstream_trace_id: upstreamTraceId }),
  });
  return logger;
}

function parseMessage(record: SQSRecord): OrderCreatedMessage {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new MalformedMessageError('Message body is not JSON');
  }
  const result = orderCreatedMessage.safeParse(body);
  if (!result.success) {
    throw new MalformedMessageError('Message body is not an order-created message', issuesOf(result.error));
  }
  return result.data;
}

export async function fulfilOrder(record: SQSRecord, deps: WorkerDependencies): Promise<void> {
  const log = recordLogger(record);
  let message: OrderCreatedMessage;
  try {
    message = parseMessage(record);
  } catch (error) {
    const issues = error instanceof MalformedMessageError ? error.issues : [];
    log.error('Malformed order message; reported as a batch item failure', {
      reason: error instanceof Error ? error.message : String(error),
      ...(issues.length > 0 && { issues }),
      body_bytes: Buffer.byteLength(record.body ?? ''),
    });
    throw error;
  }

  const { orderId, category } = message;
  log.appendKeys({ order_id: orderId });
  try {
    await traced('order.fulfil', () => completeOrder(message, deps, log), { order_category: category });
  } catch (error) {
    businessMetrics.count('Orders', { category, status: 'failed' });
    log.error('Order fulfilment failed; reported as a batch item failure', { error });
    throw error;
  }
}

async function completeOrder(
  message: OrderCreatedMessage,
  deps: WorkerDependencies,
  log: Logger,
): Promise<void> {
  const completedAt = deps.now();
  const result = await deps.store.completeOrder(message.orderId, completedAt.toISOString());
  switch (result.outcome) {
    case 'not_found':
      throw new OrderNotFoundError(message.orderId);
    case 'already_completed':
      log.info('Order already completed; duplicate delivery ignored');
      return;
    case 'not_completable':
      log.warn('Order is not awaiting fulfilment; message ignored', { status: result.order.status });
      return;
    case 'completed':
      break;
  }
  const { order } = result;
  try {
    await deps.store.addCompletedOrderToUser(order.userId, order.amount);
  } catch (error) {
    // The order itself is complete; a retry would find it so and skip this step anyway.
    log.error('Could not add the order to the user totals', { user_id: order.userId, error });
  }
  const processingMs = Math.max(0, completedAt.getTime() - Date.parse(order.createdAt));
  businessMetrics.count('Orders', { category: order.category, status: 'completed' });
  businessMetrics.duration('OrderProcessingTime', processingMs);
  log.info('Order completed', {
    category: order.category,
    amount: order.amount,
    processing_ms: processingMs,
  });
}
