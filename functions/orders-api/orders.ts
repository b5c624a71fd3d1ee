/**
 * POST /orders: validate, check inventory, take payment, store, publish to the worker, and record
 * the business metrics. GET /orders/{id}.
 */
import { randomUUID } from 'node:crypto';
import { businessMetrics, getLogger } from 'lookout';
import type { Order, OrderCategory } from '../orders-core/order.js';
import { orderAmount } from '../orders-core/order.js';
import { hourOf } from '../orders-core/store.js';
import { segmentOf } from '../orders-core/user.js';
import { bestEffort } from './best-effort.js';
import { checkInventory, processPayment } from './checkout.js';
import type { Dependencies, RouteHandler } from './dependencies.js';
import { HttpError, json, parseJsonBody, validate } from './http.js';
import { createOrderBody, idParam } from './schemas.js';
import { findUser } from './users.js';

export const publicOrder = (order: Order) => ({
  id: order.id,
  userId: order.userId,
  category: order.category,
  items: order.items,
  amount: order.amount,
  status: order.status,
  createdAt: order.createdAt,
  ...(order.completedAt && { completedAt: order.completedAt }),
  ...(order.failureReason && { failureReason: order.failureReason }),
});

async function orderFailed(deps: Dependencies, category: OrderCategory, hour: string, reason: string) {
  businessMetrics.count('Orders', { category, status: 'failed' });
  await bestEffort('count the failed order', deps.store.recordOrderFailed(hour));
  getLogger().warn('Order failed', { category, reason });
}

export const createOrder: RouteHandler = async (request, deps) => {
  const input = parseJsonBody(request, createOrderBody);
  const user = await findUser(input.userId, deps);
  if (!user) {
    throw new HttpError(422, 'unknown_user', 'The order is invalid', {
      issues: [{ path: 'userId', message: 'no user with this id' }],
    });
  }
  const now = deps.now();
  const hour = hourOf(now);
  const { category } = input;

  const inventory = await checkInventory(input.items);
  if (!inventory.available) {
    await orderFailed(deps, category, hour, 'out_of_stock');
    throw new HttpError(409, 'out_of_stock', 'Some items are not in stock', {
      unavailableSkus: inventory.unavailableSkus,
    });
  }

  const amount = orderAmount(input.items);
  const payment = await processPayment(amount);
  const order: Order = {
    id: randomUUID(),
    userId: user.id,
    category,
    items: input.items,
    amount,
    status: payment.approved ? 'created' : 'failed',
    createdAt: now.toISOString(),
    ...(!payment.approved && { failureReason: `payment_declined:${payment.reason}` }),
  };
  await deps.store.putOrder(order);
  if (!payment.approved) {
    await orderFailed(deps, category, hour, order.failureReason ?? 'payment_declined');
    throw new HttpError(402, 'payment_declined', 'The payment was declined', {
      orderId: order.id,
      reason: payment.reason,
    });
  }

  try {
    await deps.orderQueue.publishCreated(order, {
      correlationId: String(getLogger().getCorrelationId() ?? '') || undefined,
      traceHeader: process.env._X_AMZN_TRACE_ID,
    });
  } catch (error) {
    getLogger().error('Could not queue the order for fulfilment', { order_id: order.id, error });
    await bestEffort('mark the order failed', deps.store.markOrderFailed(order.id, 'queue_unavailable'));
    await orderFailed(deps, category, hour, 'queue_unavailable');
    throw new HttpError(503, 'order_not_queued', 'The order could not be queued for fulfilment; try again', {
      orderId: order.id,
    });
  }

  businessMetrics.count('Orders', { category, status: 'created' });
  businessMetrics.amount('OrderAmount', amount, { category });
  await bestEffort('count the order', deps.store.recordOrderPlaced(hour, segmentOf(user), user.id, amount));
  getLogger().info('Order created', { order_id: order.id, category, amount });
  return json(201, publicOrder(order), { location: `/orders/${order.id}` });
};

export const getOrder: RouteHandler = async (request, deps) => {
  const { id } = validate(idParam, request.params, 'path');
  const order = await deps.store.getOrder(id);
  if (!order) throw new HttpError(404, 'order_not_found', 'No order with this id');
  return json(200, publicOrder(order));
};
