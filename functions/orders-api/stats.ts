/**
 * GET /stats/hourly: the business monitor. Orders and revenue in a UTC hour (`?hour=2025-01-31T09`,
 * the current hour by default), active users and conversions by segment. For the current hour it
 * also records the `ActiveUsers` and `ConversionRate` gauges by segment.
 */
import { businessMetrics } from 'lookout';
import { roundToCents } from '../orders-core/order.js';
import { hourOf } from '../orders-core/store.js';
import { SEGMENTS } from '../orders-core/user.js';
import type { RouteHandler } from './dependencies.js';
import { json, validate } from './http.js';
import { hourQuery } from './schemas.js';

const percent = (part: number, whole: number): number =>
  whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100;

export const hourlyStats: RouteHandler = async (request, deps) => {
  const currentHour = hourOf(deps.now());
  const hour = validate(hourQuery, request.query, 'query string').hour ?? currentHour;
  const stats = await deps.store.hourlyStats(hour);

  const segments = Object.fromEntries(
    SEGMENTS.map((segment) => {
      const { activeUsers, conversions } = stats.segments[segment];
      return [segment, { activeUsers, conversions, conversionRate: percent(conversions, activeUsers) }];
    }),
  );
  if (hour === currentHour) {
    for (const [segment, figures] of Object.entries(segments)) {
      businessMetrics.gauge('ActiveUsers', figures.activeUsers, 'Count', { segment });
      businessMetrics.gauge('ConversionRate', figures.conversionRate, 'Percent', { segment });
    }
  }
  const activeUsers = SEGMENTS.reduce((sum, segment) => sum + stats.segments[segment].activeUsers, 0);
  return json(200, {
    hour,
    orders: { created: stats.ordersCreated, failed: stats.ordersFailed },
    revenue: roundToCents(stats.revenue),
    averageOrderValue: stats.ordersCreated === 0 ? 0 : roundToCents(stats.revenue / stats.ordersCreated),
    activeUsers,
    segments,
  });
};
