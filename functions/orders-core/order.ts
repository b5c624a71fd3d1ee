/**
 * The order as both the API and the worker see it, and the message that travels between them.
 */
import { z } from 'zod';
import { fromCents, isWholeCents, toCents } from './money.js';

export const ORDER_CATEGORIES = ['electronics', 'books', 'clothing', 'home', 'other'] as const;
export type OrderCategory = (typeof ORDER_CATEGORIES)[number];

export type OrderStatus = 'created' | 'completed' | 'failed';

export interface OrderItem {
  /** Upper case: SKUs compare case-insensitively, so they are stored normalised. */
  sku: string;
  quantity: number;
  unitPrice: number;
}

export interface Order {
  id: string;
  userId: string;
  category: OrderCategory;
  items: OrderItem[];
  /** Sum of quantity × unit price, summed in whole cents. */
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
  amount: z.number().refine(isWholeCents, 'must be a non-negative amount in whole cents'),
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

/** One spelling per SKU, so that `x` and `X` are the same stock. */
export const normalizeSku = (sku: string): string => sku.toUpperCase();

/** For figures derived by division (averages), never for amounts a customer pays. */
export const roundToCents = (value: number): number => Math.round(value * 100) / 100;

/** Sum of quantity × unit price in integer cents; a price that is not whole cents is a bug upstream. */
export function orderCents(items: OrderItem[]): number {
  return items.reduce((sum, item) => {
    const unitCents = toCents(item.unitPrice);
    if (unitCents === undefined) throw new RangeError(`unit price ${item.unitPrice} is not whole cents`);
    return sum + item.quantity * unitCents;
  }, 0);
}

export const orderAmount = (items: OrderItem[]): number => fromCents(orderCents(items));
