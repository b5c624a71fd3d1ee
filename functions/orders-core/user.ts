/**
 * The user profile and the customer segment it falls in, which the business metrics are cut by.
 */

export const SEGMENTS = ['new', 'returning', 'vip'] as const;
export type Segment = (typeof SEGMENTS)[number];

/** Lifetime spend from which a customer counts as VIP. */
export const VIP_LIFETIME_SPEND = 1000;

export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: string;
  /** Completed orders, maintained by the order worker. */
  orderCount: number;
  lifetimeSpend: number;
}

export function segmentOf(user: Pick<User, 'orderCount' | 'lifetimeSpend'>): Segment {
  if (user.lifetimeSpend >= VIP_LIFETIME_SPEND) return 'vip';
  return user.orderCount > 0 ? 'returning' : 'new';
}
