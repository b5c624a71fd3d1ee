import type { MetricStore } from '../../../sandbox/metrics/store.js';

/** Start of simulated time in the alarm tests: 2024-01-01T00:00:00Z. */
export const T0 = Date.UTC(2024, 0, 1, 0, 0, 0);
export const MINUTE = 60_000;

/** A moment one second into minute `minute`: every earlier minute is a complete period. */
export const at = (minute: number) => T0 + minute * MINUTE + 1000;

export function putMinute(
  store: MetricStore,
  minute: number,
  values: number[],
  metric: { namespace?: string; name?: string; dimensions?: Record<string, string> } = {},
): void {
  store.put({
    namespace: metric.namespace ?? 'Lookout',
    name: metric.name ?? 'Errors',
    dimensions: metric.dimensions ?? { service: 'orders' },
    values,
    unit: 'Count',
    timestamp: T0 + minute * MINUTE + 5000,
  });
}

/** Properties of a single-metric alarm on Lookout/Errors {service: orders}, as a synthesized template holds them. */
export function alarmProperties(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    AlarmName: 'HighErrors',
    Namespace: 'Lookout',
    MetricName: 'Errors',
    Dimensions: [{ Name: 'service', Value: 'orders' }],
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 5,
    ComparisonOperator: 'GreaterThanThreshold',
    ...overrides,
  };
}
