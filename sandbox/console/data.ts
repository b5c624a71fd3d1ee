/**
 * The numbers behind each metric widget: every row's statistic per period over the dashboard's
 * time window, read from the MetricStore the way GetMetricData would return them, metric math
 * rows evaluated with the alarm evaluator's expression engine, hidden rows (`visible: false`)
 * computed for the expressions that use them but not drawn.
 */
import { ExpressionError, evaluateExpression, parseExpression } from '../metrics/math/index.js';
import type { ExpressionNode, ExpressionValue } from '../metrics/math/index.js';
import type { AlarmDefinition, ComparisonOperator, MetricAlarmDefinition } from '../alarms/types.js';
import {
  alignToPeriod,
  computeStatistic,
  parseStatistic,
  queryPeriods,
  StatisticError,
} from '../metrics/statistics.js';
import type { MetricStore } from '../metrics/store.js';
import type {
  Dashboard,
  ExpressionRow,
  HorizontalAnnotation,
  MetricRow,
  MetricStatRow,
  MetricView,
  MetricWidget,
  VerticalAnnotation,
  YAxisSide,
} from './dashboard.js';

export interface SeriesOptions {
  /** "Now" in the metrics' (simulated) time, epoch ms. */
  now: number;
  /** How far back to show. Default: the dashboard's `start` (3 hours when it has none). */
  windowMs?: number;
  /** Alarm definitions, for widgets that draw an alarm (CDK's AlarmWidget: `annotations.alarms`). */
  alarms?: readonly AlarmDefinition[];
  /** Most periods one series returns; older ones are left out. Default 1440. */
  maxPointsPerSeries?: number;
}

/** `[period start (epoch ms), value]`, present datapoints only, oldest first. */
export type Point = [number, number];

export interface WidgetSeries {
  id: string;
  kind: 'metric' | 'expression';
  label: string;
  yAxis: YAxisSide;
  color?: string;
  periodSeconds: number;
  stat?: string;
  points: Point[];
  /** The newest datapoint's value (what a single-value widget shows). */
  latest?: number;
  /** Why the series has no data, when it could not be computed (unknown statistic, bad expression...). */
  error?: string;
}

export interface MetricWidgetData {
  index: number;
  title?: string;
  view: MetricView;
  /** The window shown, epoch ms. */
  start: number;
  end: number;
  series: WidgetSeries[];
  horizontal: HorizontalAnnotation[];
  vertical: VerticalAnnotation[];
  /** Problems with the widget as a whole (an annotated alarm that does not exist...). */
  problems: string[];
}

const DEFAULT_MAX_POINTS = 1440;

/** Data for every metric widget of a dashboard, in widget order. */
export function computeDashboardData(
  dashboard: Dashboard,
  store: MetricStore,
  options: SeriesOptions,
): MetricWidgetData[] {
  const withWindow = { ...options, windowMs: options.windowMs ?? dashboard.windowMs };
  return dashboard.widgets
    .filter((widget): widget is MetricWidget => widget.type === 'metric')
    .map((widget) => computeWidgetData(widget, store, withWindow));
}

/** A period grid: the period starts to compute, or the whole window as one datapoint. */
interface Grid {
  periodSeconds: number;
  timestamps: number[];
  wholeWindow?: { start: number; end: number };
}

export function computeWidgetData(
  widget: MetricWidget,
  store: MetricStore,
  options: SeriesOptions,
): MetricWidgetData {
  if (!Number.isFinite(options.now)) throw new RangeError('now must be a finite epoch-ms number');
  const windowMs = widget.windowMs ?? options.windowMs ?? 3 * 60 * 60 * 1000;
  if (!(windowMs > 0)) throw new RangeError('windowMs must be a positive number');
  const maxPoints = options.maxPointsPerSeries ?? DEFAULT_MAX_POINTS;
  const problems: string[] = [];
  const horizontal = [...widget.annotations.horizontal];

  let rows = widget.rows;
  for (const reference of widget.annotations.alarms) {
    const alarm = findAlarm(options.alarms ?? [], reference);
    if (!alarm) {
      problems.push(`alarm ${alarmNameOf(reference)} is not among the alarms the sandbox evaluates`);
      continue;
    }
    if (alarm.kind !== 'metric') continue;
    if (rows.length === 0) rows = rowsOfAlarm(alarm);
    horizontal.push({
      value: alarm.threshold,
      label: `${alarm.name} ${OPERATOR_SYMBOL[alarm.comparisonOperator]} ${alarm.threshold}`,
      color: '#d62728',
      visible: true,
      yAxis: 'left',
    });
  }

  const start = options.now - windowMs;
  const wholeWindow =
    widget.setPeriodToTimeRange && widget.view !== 'timeSeries' ? { start, end: options.now } : undefined;
  const gridFor = (periodSeconds: number): Grid => {
    if (wholeWindow) return { periodSeconds: windowMs / 1000, timestamps: [wholeWindow.start], wholeWindow };
    const periodMs = periodSeconds * 1000;
    // Only complete periods, as CloudWatch draws them, unless the widget asks for live data.
    const last = alignToPeriod(options.now, periodSeconds) - (widget.liveData ? 0 : periodMs);
    let first = alignToPeriod(start, periodSeconds);
    if ((last - first) / periodMs + 1 > maxPoints) first = last - (maxPoints - 1) * periodMs;
    const timestamps: number[] = [];
    for (let t = first; t <= last; t += periodMs) timestamps.push(t);
    return { periodSeconds, timestamps };
  };

  const evaluator = new RowEvaluator(rows, store, gridFor);
  const series: WidgetSeries[] = [];
  const labels = defaultLabels(rows);
  for (const row of rows) {
    if (!row.visible) continue;
    series.push(...evaluator.seriesOf(row, labels.get(row.id) ?? row.id));
  }
  return {
    index: widget.index,
    ...(widget.title !== undefined ? { title: widget.title } : {}),
    view: widget.view,
    start,
    end: options.now,
    series,
    horizontal,
    vertical: widget.annotations.vertical,
    problems,
  };
}

class RowEvaluator {
  private readonly byId: Map<string, MetricRow>;
  private readonly metricIds: string[];
  private readonly asts = new Map<string, ExpressionNode>();

  constructor(
    rows: readonly MetricRow[],
    private readonly store: MetricStore,
    private readonly gridFor: (periodSeconds: number) => Grid,
  ) {
    this.byId = new Map(rows.map((row) => [row.id, row]));
    this.metricIds = rows.filter((row) => row.kind === 'metric').map((row) => row.id);
  }

  seriesOf(row: MetricRow, defaultLabel: string): WidgetSeries[] {
    const grid = this.gridFor(row.periodSeconds);
    const base = {
      id: row.id,
      kind: row.kind,
      yAxis: row.yAxis,
      ...(row.color !== undefined ? { color: row.color } : {}),
      periodSeconds: grid.periodSeconds,
      ...(row.kind === 'metric' ? { stat: row.stat } : {}),
    };
    let value: ExpressionValue;
    try {
      value =
        row.kind === 'metric'
          ? { kind: 'series', values: this.metricValues(row, grid) }
          : this.expressionValue(row, grid, new Set());
    } catch (error) {
      if (!(error instanceof ExpressionError || error instanceof StatisticError)) throw error;
      return [{ ...base, label: row.label ?? defaultLabel, points: [], error: error.message }];
    }
    const items: (number | undefined)[][] =
      value.kind === 'series'
        ? [value.values]
        : value.kind === 'array'
          ? value.items.map((item) => item.values)
          : [grid.timestamps.map(() => value.value)];
    return items.map((values, i) => {
      const points: Point[] = [];
      values.forEach((v, j) => {
        if (v !== undefined) points.push([grid.timestamps[j]!, v]);
      });
      const written = row.label ?? defaultLabel;
      const label = dynamicLabel(items.length > 1 ? `${written} ${i + 1}` : written, row, points);
      const latest = points.at(-1)?.[1];
      return { ...base, label, points, ...(latest !== undefined ? { latest } : {}) };
    });
  }

  private metricValues(row: MetricStatRow, grid: Grid): (number | undefined)[] {
    const statistic = parseStatistic(row.stat);
    const identity = { namespace: row.namespace, name: row.metricName, dimensions: row.dimensions };
    if (grid.wholeWindow) {
      const samples = this.store.query({ ...identity, ...grid.wholeWindow });
      return [
        computeStatistic(
          samples.map((s) => s.value),
          statistic,
        ),
      ];
    }
    return queryPeriods(this.store, {
      ...identity,
      statistic,
      periodSeconds: grid.periodSeconds,
      periodStarts: grid.timestamps,
    }).map((datapoint) => datapoint.value);
  }

  private expressionValue(row: ExpressionRow, grid: Grid, visiting: Set<string>): ExpressionValue {
    if (visiting.has(row.id)) {
      throw new ExpressionError(
        `expressions refer to each other in a cycle: ${[...visiting, row.id].join(' → ')}`,
      );
    }
    let ast = this.asts.get(row.id);
    if (!ast) this.asts.set(row.id, (ast = parseRowExpression(row.expression)));
    const inner = new Set(visiting).add(row.id);
    const cache = new Map<string, ExpressionValue>();
    // Rows an expression uses are read on the expression's own grid, as GetMetricData does.
    const lookup = (id: string): ExpressionValue => {
      const cached = cache.get(id);
      if (cached) return cached;
      const other = this.byId.get(id);
      if (!other)
        throw new ExpressionError(`unknown id ${id} (the widget has ${[...this.byId.keys()].join(', ')})`);
      const value: ExpressionValue =
        other.kind === 'metric'
          ? { kind: 'series', values: this.metricValues(other, grid) }
          : this.expressionValue(other, grid, inner);
      cache.set(id, value);
      return value;
    };
    return evaluateExpression(ast, {
      timestamps: grid.timestamps,
      periodSeconds: grid.periodSeconds,
      lookup,
      metricIds: this.metricIds,
    });
  }
}

/** Parses an expression row, naming the dashboard-only query kinds the sandbox has no engine for. */
function parseRowExpression(expression: string): ExpressionNode {
  if (/\bSEARCH\s*\(/i.test(expression)) {
    throw new ExpressionError(
      'SEARCH expressions are not supported by the sandbox; list the metrics instead',
    );
  }
  if (/^\s*SELECT\b/i.test(expression)) {
    throw new ExpressionError('Metrics Insights queries are not supported by the sandbox');
  }
  return parseExpression(expression);
}

/**
 * CloudWatch's default legend text is the metric name; where several rows share one, what tells
 * them apart (their statistic, dimension values) is added. Expressions default to their text.
 */
function defaultLabels(rows: readonly MetricRow[]): Map<string, string> {
  const labels = new Map<string, string>();
  const metricRows = rows.filter((row): row is MetricStatRow => row.kind === 'metric');
  for (const row of rows) {
    if (row.kind === 'expression') {
      labels.set(row.id, row.expression);
      continue;
    }
    const twins = metricRows.filter((other) => other.metricName === row.metricName);
    if (twins.length === 1) {
      labels.set(row.id, row.metricName);
      continue;
    }
    const parts = [row.metricName];
    const dimensionNames = new Set(twins.flatMap((twin) => Object.keys(twin.dimensions)));
    for (const name of dimensionNames) {
      const values = new Set(twins.map((twin) => twin.dimensions[name]));
      if (values.size > 1 && row.dimensions[name] !== undefined) parts.push(row.dimensions[name]);
    }
    if (new Set(twins.map((twin) => twin.stat)).size > 1) parts.push(row.stat);
    if (new Set(twins.map((twin) => twin.namespace)).size > 1) parts.push(`(${row.namespace})`);
    labels.set(row.id, parts.join(' '));
  }
  return labels;
}

/** CloudWatch dynamic labels: `${LAST}`, `${MAX}`..., `${PROP('Dim.service')}`, `${PROP('MetricName')}`. */
function dynamicLabel(label: string, row: MetricRow, points: readonly Point[]): string {
  if (!label.includes('${')) return label;
  const values = points.map(([, v]) => v);
  const format = (v: number | undefined) => (v === undefined ? '' : String(Number(v.toPrecision(6))));
  const sum = values.reduce((a, b) => a + b, 0);
  const statistics: Record<string, number | undefined> = {
    LAST: values.at(-1),
    FIRST: values[0],
    MAX: values.length ? Math.max(...values) : undefined,
    MIN: values.length ? Math.min(...values) : undefined,
    SUM: values.length ? sum : undefined,
    AVG: values.length ? sum / values.length : undefined,
    DATAPOINT_COUNT: values.length,
  };
  return label.replace(
    /\$\{([A-Z_]+)(?:\(\s*'([^']*)'\s*\))?\}/g,
    (whole, name: string, argument?: string) => {
      if (name in statistics && argument === undefined) return format(statistics[name]);
      if (name !== 'PROP' || argument === undefined) return whole;
      if (row.kind !== 'metric') return argument === 'Id' ? row.id : whole;
      if (argument === 'MetricName') return row.metricName;
      if (argument === 'Namespace') return row.namespace;
      if (argument === 'Stat') return row.stat;
      if (argument === 'Period') return String(row.periodSeconds);
      if (argument === 'Id') return row.id;
      if (argument.startsWith('Dim.')) return row.dimensions[argument.slice(4)] ?? whole;
      return whole;
    },
  );
}

const OPERATOR_SYMBOL: Record<ComparisonOperator, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

function alarmNameOf(reference: string): string {
  return /:alarm:(.+)$/.exec(reference)?.[1] ?? reference;
}

function findAlarm(alarms: readonly AlarmDefinition[], reference: string): AlarmDefinition | undefined {
  const name = alarmNameOf(reference);
  return alarms.find((alarm) => alarm.arn === reference) ?? alarms.find((alarm) => alarm.name === name);
}

/** The rows an alarm widget draws: the alarm's own queries, the watched one visible. */
function rowsOfAlarm(alarm: MetricAlarmDefinition): MetricRow[] {
  return alarm.queries.map((query): MetricRow => {
    const visible = query.id === alarm.returnId;
    const label = query.label ?? (visible ? alarm.name : undefined);
    const common = {
      id: query.id,
      visible,
      yAxis: 'left' as const,
      ...(label !== undefined ? { label } : {}),
    };
    if (query.kind === 'metric') {
      return {
        ...common,
        kind: 'metric',
        namespace: query.namespace,
        metricName: query.metricName,
        dimensions: { ...query.dimensions },
        stat: query.statistic.text,
        periodSeconds: query.periodSeconds,
      };
    }
    return {
      ...common,
      kind: 'expression',
      expression: query.expression,
      periodSeconds: alarm.periodSeconds,
    };
  });
}
