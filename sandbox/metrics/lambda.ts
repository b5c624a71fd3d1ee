import type { MetricStore } from './store.js';
import type { CloudWatchUnit } from './units.js';

/** The AWS/Lambda metrics the sandbox derives from platform reports, with the units Lambda publishes them in. */
export const LAMBDA_METRIC_UNITS = {
  Invocations: 'Count',
  Errors: 'Count',
  Throttles: 'Count',
  Duration: 'Milliseconds',
  ConcurrentExecutions: 'Count',
} as const satisfies Record<string, CloudWatchUnit>;

export type LambdaMetricName = keyof typeof LAMBDA_METRIC_UNITS;
export type LambdaMetricValues = Partial<Record<LambdaMetricName, number>>;

export const LAMBDA_NAMESPACE = 'AWS/Lambda';

/**
 * Records AWS/Lambda metrics for one function (dimension FunctionName), e.g.
 * `{ Invocations: 1, Errors: 0, Duration: 12.3 }` for one platform report.
 */
export function recordLambdaMetrics(
  store: MetricStore,
  functionName: string,
  timestamp: number,
  values: LambdaMetricValues,
): void {
  if (typeof functionName !== 'string' || functionName === '') {
    throw new TypeError('recordLambdaMetrics: functionName must be a non-empty string');
  }
  put(store, { FunctionName: functionName }, timestamp, values);
}

/** Records account-wide AWS/Lambda metrics (no dimensions), as Lambda publishes for "all functions". */
export function recordLambdaAccountMetrics(
  store: MetricStore,
  timestamp: number,
  values: LambdaMetricValues,
): void {
  put(store, {}, timestamp, values);
}

function put(
  store: MetricStore,
  dimensions: Record<string, string>,
  timestamp: number,
  values: LambdaMetricValues,
): void {
  const entries = Object.entries(values) as [string, number | undefined][];
  for (const [name] of entries) {
    if (!Object.hasOwn(LAMBDA_METRIC_UNITS, name)) {
      throw new TypeError(
        `unknown AWS/Lambda metric ${JSON.stringify(name)} (expected one of ${Object.keys(LAMBDA_METRIC_UNITS).join(', ')})`,
      );
    }
  }
  // Validate every value before storing any, so a bad report stores nothing.
  for (const [name, value] of entries) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new TypeError(`AWS/Lambda ${name}: value ${String(value)} is not a finite number`);
    }
  }
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    store.put({
      namespace: LAMBDA_NAMESPACE,
      name,
      dimensions,
      values: [value],
      unit: LAMBDA_METRIC_UNITS[name as LambdaMetricName],
      timestamp,
    });
  }
}
