import * as cw from 'aws-cdk-lib/aws-cloudwatch';

/**
 * `failed` as a percentage of `total`, 0 when there was no traffic (so an idle service reads as
 * healthy rather than as missing data), and a missing `failed` counted as 0 (EMF only writes a
 * metric in the invocations that recorded it).
 */
export function percentOf(failed: cw.IMetric, total: cw.IMetric, label: string): cw.MathExpression {
  return new cw.MathExpression({
    expression: 'IF(total > 0, 100 * FILL(failed, 0) / total, 0)',
    usingMetrics: { failed, total },
    label,
  });
}

/** The same, with failures counted in several metrics (one expression, not nested ones). */
export function percentOfSum(
  failed: Record<string, cw.IMetric>,
  total: cw.IMetric,
  label: string,
): cw.MathExpression {
  const sum = Object.keys(failed)
    .map((id) => `FILL(${id}, 0)`)
    .join(' + ');
  return new cw.MathExpression({
    expression: `IF(total > 0, 100 * (${sum}) / total, 0)`,
    usingMetrics: { ...failed, total },
    label,
  });
}

/** The sum of several counters, each missing value counted as 0. */
export function sumOf(metrics: Record<string, cw.IMetric>, label: string): cw.MathExpression {
  return new cw.MathExpression({
    expression: Object.keys(metrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics: metrics,
    label,
  });
}
