import type { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';

export interface GraphOptions {
  readonly right?: cw.IMetric[];
  readonly width?: number;
  readonly leftLabel?: string;
  readonly rightLabel?: string;
  /** Horizontal lines on the left axis, e.g. an alarm threshold or the timeout. */
  readonly lines?: { value: number; label: string }[];
  readonly stacked?: boolean;
  readonly period?: Duration;
  readonly leftMin?: number;
}

/** A time-series graph, 6 units tall, with the conventions every Lookout widget shares. */
export function graph(title: string, left: cw.IMetric[], options: GraphOptions = {}): cw.GraphWidget {
  return new cw.GraphWidget({
    title,
    left,
    right: options.right ?? [],
    width: options.width ?? 8,
    height: 6,
    stacked: options.stacked ?? false,
    ...(options.period ? { period: options.period } : {}),
    leftYAxis: {
      ...(options.leftLabel ? { label: options.leftLabel } : {}),
      min: options.leftMin ?? 0,
      showUnits: false,
    },
    rightYAxis: { ...(options.rightLabel ? { label: options.rightLabel } : {}), min: 0, showUnits: false },
    leftAnnotations: (options.lines ?? []).map((line) => ({ value: line.value, label: line.label })),
  });
}

/** A markdown heading across the dashboard. */
export function heading(markdown: string): cw.TextWidget {
  return new cw.TextWidget({ markdown, width: 24, height: 1 });
}
