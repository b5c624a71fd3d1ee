/**
 * What the API accepts. Unknown fields are rejected so that a misspelt field is reported rather
 * than silently ignored.
 */
import { z } from 'zod';
import { isWholeCents, toCents } from '../orders-core/money.js';
import { normalizeSku, ORDER_CATEGORIES } from '../orders-core/order.js';

export const MAX_ITEMS_PER_ORDER = 50;
export const MAX_UNIT_PRICE = 100_000;
export const MAX_ORDER_AMOUNT = 1_000_000;

const email = z.email('must be a valid email address').max(254);

export const registerUserBody = z.strictObject({
  email,
  name: z.string().trim().min(1, 'must not be empty').max(100),
  password: z.string().min(8, 'must be at least 8 characters').max(128),
});

export const loginBody = z.strictObject({
  email,
  password: z.string().min(1, 'must not be empty').max(128),
});

/** Zod also runs the total's check when an item failed its own checks: such a price adds nothing. */
const totalCents = (items: { quantity: number; unitPrice: number }[]): number =>
  items.reduce((sum, item) => sum + item.quantity * (toCents(item.unitPrice) ?? 0), 0);

export const orderItem = z.strictObject({
  sku: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,32}$/, 'must be 1 to 32 letters, digits or hyphens')
    .transform(normalizeSku),
  quantity: z.int().min(1).max(1000),
  unitPrice: z
    .number()
    .min(0.01)
    .max(MAX_UNIT_PRICE)
    .refine(isWholeCents, 'must be an amount in whole cents, with at most two decimal places'),
});

export const createOrderBody = z.strictObject({
  userId: z.uuid(),
  category: z.enum(ORDER_CATEGORIES),
  items: z
    .array(orderItem)
    .min(1, 'must contain at least one item')
    .max(MAX_ITEMS_PER_ORDER)
    .refine(
      (items) => totalCents(items) <= MAX_ORDER_AMOUNT * 100,
      `the order total must not exceed ${MAX_ORDER_AMOUNT}`,
    ),
});

export const idParam = z.object({ id: z.uuid() });

const HOUR_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}$/;

/** True for a real hour; a malformed string is left to the format check, so it is reported once. */
const isRealHour = (hour: string): boolean => {
  if (!HOUR_FORMAT.test(hour)) return true;
  const time = Date.parse(`${hour}:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 13) === hour;
};

export const hourQuery = z.object({
  hour: z
    .string()
    .regex(HOUR_FORMAT, 'must be a UTC hour such as 2025-01-31T09')
    .refine(isRealHour, 'must be a real date and hour')
    .optional(),
});
