/**
 * The order as both the API and the worker see it, and the message that travels between them.
 */
import { z } from 'zod';

export const ORDER_CATEGORIES = ['electronics', 'books', 'clothing', 'home', 'other'] as const;
export type OrderCategory = (typeof ORDER_CATEGORIES)[number];

export type OrderStatus = 'created' | 'completed' | 'failed';

export interface OrderItem {
  sku: string;
  quantity: number;
  unitPrice: number;
}

export interface Order {
  id: string;
  userId: string;
  category: OrderCategory;
  items: OrderItem[];
  /** Sum of quantity × unit price, rounded to cents. */
  amount: number;
  status: OrderStatus;
  createdAt: string;
  completedAt?: string;
  failureReason?: string;
}

/** SQS message attribute names; the correlation id one is also what lib/ reads for SQS events. */
export const MESSAGE_ATTRIBUTES = {
  correlationId: 'x-correlation-id',
  traceHeader: 'x-amzn-trace-id',
} as const;

/** The body of an "order created" message on the orders queue. */
export const orderCreatedMessage = z.object({
  orderId: z.uuid(),
  userId: z.uuid(),
  category: z.enum(ORDER_CATEGORIES),
  amount: z.number().nonnegative(),
  createdAt: z.iso.datetime(),
});
export type OrderCreatedMessage = z.infer<typeof orderCreatedMessage>;

export const toOrderCreatedMessage = (order: Order): OrderCreatedMessage => ({
  orderId: order.id,
  userId: order.userId,
  category: order.category,
  amount: order.amount,
  createdAt: order.createdAt,
});

export const roundToCents = (value: number): number => Math.round(value * 100) / 100;

export const orderAmount = (items: OrderItem[]): number =>
  roundToCents(items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0));
