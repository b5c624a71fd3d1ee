import type { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { LookoutMetricFactory } from '../metrics/lookout-metric-factory.js';
import { graph } from './widgets.js';

/** One business metric the service records with `businessMetrics`. */
export interface BusinessMetric {
  readonly metricName: string;
  /** @default 'Sum' */
  readonly statistic?: string;
  /** Dimensions besides `service`, exactly as recorded. */
  readonly dimensions?: Record<string, string>;
  readonly label?: string;
}

/**
 * A dashboard widget over business metrics, written as data so the same definition can be read
 * back from the synthesized dashboard.
 */
export interface BusinessWidget {
  readonly title: string;
  readonly metrics: readonly BusinessMetric[];
  /** One line per value of this dimension (e.g. each order category), added to every metric. */
  readonly splitBy?: { readonly dimension: string; readonly values: readonly string[] };
  /** @default 'timeSeries' */
  readonly view?: 'timeSeries' | 'bar' | 'singleValue';
  readonly stacked?: boolean;
  readonly period?: Duration;
  /** @default 8 */
  readonly width?: number;
}

export function businessWidget(metrics: LookoutMetricFactory, spec: BusinessWidget): cw.IWidget {
  if (spec.metrics.length === 0) throw new Error(`Business widget "${spec.title}" has no metrics`);
  const lines = spec.metrics.flatMap((m) => {
    const statistic = m.statistic ?? 'Sum';
    const base = m.label ?? m.metricName;
    if (!spec.splitBy) return [metrics.metric(m.metricName, statistic, m.dimensions, base)];
    const { dimension, values } = spec.splitBy;
    return values.map((value) =>
      metrics.metric(
        m.metricName,
        statistic,
        { ...m.dimensions, [dimension]: value },
        spec.metrics.length === 1 ? value : `${base} ${value}`,
      ),
    );
  });
  const width = spec.width ?? 8;
  if (spec.view === 'singleValue') {
    return new cw.SingleValueWidget({
      title: spec.title,
      metrics: lines,
      width,
      height: 6,
      ...(spec.period ? { period: spec.period } : {}),
    });
  }
  if (spec.view === 'bar') {
    return new cw.GraphWidget({
      title: spec.title,
      left: lines,
      width,
      height: 6,
      view: cw.GraphWidgetView.BAR,
      ...(spec.period ? { period: spec.period } : {}),
    });
  }
  return graph(spec.title, lines, {
    width,
    stacked: spec.stacked ?? false,
    ...(spec.period ? { period: spec.period } : {}),
  });
}
