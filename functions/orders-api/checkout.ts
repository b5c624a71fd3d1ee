/**
 * The two checkout steps before an order is stored, simulated for the demo (no real inventory or
 * payment provider), each a traced step with its own latency metric (`CheckoutStepLatency` by step):
 * - inventory: every SKU has 100 in stock, except SKUs starting with `OOS-`, which have none;
 * - payment: approved up to 5,000 per order, declined above.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { businessMetrics, traced } from 'lookout';
import type { OrderItem } from '../orders-core/order.js';
import { normalizeSku } from '../orders-core/order.js';

export const STOCK_PER_SKU = 100;
export const OUT_OF_STOCK_PREFIX = 'OOS-';
export const PAYMENT_LIMIT = 5000;

export type InventoryResult = { available: true } | { available: false; unavailableSkus: string[] };
export type PaymentResult = { approved: true; paymentId: string } | { approved: false; reason: string };

/** Some work a real dependency would take, so the steps show up in traces and latency metrics. */
const simulatedWork = () => sleep(2 + Math.floor(Math.random() * 8));

async function step<T>(
  name: 'inventory' | 'payment',
  fn: () => Promise<T>,
  attributes: Record<string, string | number>,
) {
  const startedAt = performance.now();
  try {
    return await traced(`checkout.${name}`, fn, attributes);
  } finally {
    businessMetrics.duration('CheckoutStepLatency', Math.round((performance.now() - startedAt) * 100) / 100, {
      step: name,
    });
  }
}

const stockOf = (sku: string): number => (sku.startsWith(OUT_OF_STOCK_PREFIX) ? 0 : STOCK_PER_SKU);

export function checkInventory(items: OrderItem[]): Promise<InventoryResult> {
  return step(
    'inventory',
    async () => {
      await simulatedWork();
      // Counted per normalised SKU, the same key the stock is looked up by.
      const needed = new Map<string, number>();
      for (const item of items) {
        const sku = normalizeSku(item.sku);
        needed.set(sku, (needed.get(sku) ?? 0) + item.quantity);
      }
      const unavailableSkus = [...needed]
        .filter(([sku, quantity]) => quantity > stockOf(sku))
        .map(([sku]) => sku);
      return unavailableSkus.length === 0 ? { available: true } : { available: false, unavailableSkus };
    },
    { item_count: items.length },
  );
}

export function processPayment(amount: number): Promise<PaymentResult> {
  return step(
    'payment',
    async () => {
      await simulatedWork();
      if (amount > PAYMENT_LIMIT) return { approved: false, reason: 'amount_over_limit' };
      return { approved: true, paymentId: randomUUID() };
    },
    { amount },
  );
}
