/**
 * Reads a CloudWatch dashboard body ("Dashboard Body Structure and Syntax"): the widgets with
 * their place on the 24-column grid, and for metric widgets the `metrics` rows in CloudWatch's
 * compact form, `"."` and `"..."` shorthand expanded, ids assigned, options resolved against the
 * widget's defaults.
 *
 * A widget that cannot be read becomes an `unreadable` widget carrying the reason, so the rest of
 * the dashboard still renders and nothing is silently dropped.
 */
import {
  IntrinsicResolver,
  resourcesOfType,
  TemplateError,
  type CloudFormationTemplate,
  type TemplateOptions,
} from '../template/resolver.js';

export class DashboardError extends Error {
  override name = 'DashboardError';
}

export const GRID_COLUMNS = 24;
/** CloudWatch's default widget size and metric period. */
export const DEFAULT_WIDGET_WIDTH = 6;
export const DEFAULT_WIDGET_HEIGHT = 6;
export const DEFAULT_PERIOD_SECONDS = 300;
export const DEFAULT_STAT = 'Average';
/** CloudWatch shows the last 3 hours when a dashboard sets no `start`. */
export const DEFAULT_WINDOW_MS = 3 * 60 * 60 * 1000;

export type YAxisSide = 'left' | 'right';
export type MetricView = 'timeSeries' | 'singleValue' | 'bar' | 'pie' | 'gauge' | 'table';

export interface MetricStatRow {
  kind: 'metric';
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: string;
  periodSeconds: number;
  label?: string;
  visible: boolean;
  yAxis: YAxisSide;
  color?: string;
}

export interface ExpressionRow {
  kind: 'expression';
  id: string;
  expression: string;
  periodSeconds: number;
  label?: string;
  visible: boolean;
  yAxis: YAxisSide;
  color?: string;
}

export type MetricRow = MetricStatRow | ExpressionRow;

export interface HorizontalAnnotation {
  value: number;
  /** Set for a band (a pair of annotations in CloudWatch's JSON). */
  toValue?: number;
  label?: string;
  color?: string;
  fill?: 'above' | 'below' | 'between';
  visible: boolean;
  yAxis: YAxisSide;
}

export interface VerticalAnnotation {
  /** Epoch ms. */
  value: number;
  toValue?: number;
  label?: string;
  color?: string;
  visible: boolean;
}

export interface AxisSettings {
  min?: number;
  max?: number;
  label?: string;
  showUnits?: boolean;
}

interface WidgetBase {
  /** Position in the body's `widgets` array. */
  index: number;
  x: number;
  y: number;
  width: number;
  height: number;
  title?: string;
}

export interface MetricWidget extends WidgetBase {
  type: 'metric';
  view: MetricView;
  stacked: boolean;
  liveData: boolean;
  setPeriodToTimeRange: boolean;
  /** The widget's own time range (`start: -P30D`), when it has one and it is relative; else the dashboard's. */
  windowMs?: number;
  sparkline: boolean;
  periodSeconds: number;
  stat: string;
  region?: string;
  rows: MetricRow[];
  annotations: {
    horizontal: HorizontalAnnotation[];
    vertical: VerticalAnnotation[];
    /** Alarm ARNs (CDK's AlarmWidget: the alarm's metric and threshold are drawn). */
    alarms: string[];
  };
  yAxis: { left: AxisSettings; right: AxisSettings };
}

export interface AlarmStatusWidget extends WidgetBase {
  type: 'alarm';
  /** Alarm ARNs. */
  alarms: string[];
  sortBy?: string;
  states?: string[];
}

export interface LogWidget extends WidgetBase {
  type: 'log';
  /** The Logs Insights query as written, including its `SOURCE ... |` prefix. */
  query: string;
  /** Log groups named by `SOURCE '...'` clauses. */
  logGroupNames: string[];
  view: string;
  region?: string;
}

export interface TextWidget extends WidgetBase {
  type: 'text';
  markdown: string;
  background: 'solid' | 'transparent';
}

export interface UnreadableWidget extends WidgetBase {
  type: 'unreadable';
  /** The `type` as written. */
  widgetType: string;
  problem: string;
}

export type Widget = MetricWidget | AlarmStatusWidget | LogWidget | TextWidget | UnreadableWidget;

export interface Dashboard {
  name?: string;
  widgets: Widget[];
  start?: string;
  end?: string;
  periodOverride?: string;
  /** The time range `start` asks for, when it is relative (`-PT3H`); otherwise DEFAULT_WINDOW_MS. */
  windowMs: number;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses a dashboard body: the JSON text CloudWatch stores, or the same as an object.
 * Throws DashboardError when the body as a whole is unusable (not JSON, no `widgets` array,
 * unresolved CloudFormation intrinsics); a single bad widget becomes an `unreadable` widget.
 */
export function parseDashboard(body: unknown, name?: string): Dashboard {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch (error) {
      throw new DashboardError(`dashboard body is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(value)) throw new DashboardError('dashboard body must be a JSON object with a widgets array');
  const intrinsic = Object.keys(value).find((key) => key === 'Ref' || key.startsWith('Fn::'));
  if (intrinsic) {
    throw new DashboardError(
      `dashboard body is still a CloudFormation ${intrinsic}; resolve it first (readDashboardsFromTemplate does)`,
    );
  }
  if (!Array.isArray(value.widgets)) throw new DashboardError('dashboard body has no widgets array');

  const start = typeof value.start === 'string' ? value.start : undefined;
  const end = typeof value.end === 'string' ? value.end : undefined;
  const placer = new AutoPlacer();
  const widgets = value.widgets.map((raw, index) => parseWidget(raw, index, placer));
  return {
    ...(name !== undefined ? { name } : {}),
    widgets,
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ...(typeof value.periodOverride === 'string' ? { periodOverride: value.periodOverride } : {}),
    windowMs: (start && relativeDurationMs(start)) || DEFAULT_WINDOW_MS,
  };
}

export interface TemplateDashboard {
  logicalId: string;
  name: string;
  dashboard: Dashboard;
}

/**
 * Every AWS::CloudWatch::Dashboard of a synthesized template, its DashboardBody (CDK writes an
 * Fn::Join of JSON text) resolved with the same IntrinsicResolver the alarms are read with.
 */
export function readDashboardsFromTemplate(
  template: CloudFormationTemplate,
  /** The stack reader's resolver, or the options to make one with. */
  source: TemplateOptions | IntrinsicResolver = {},
): { dashboards: TemplateDashboard[]; problems: { logicalId: string; message: string }[] } {
  const resolver = source instanceof IntrinsicResolver ? source : new IntrinsicResolver(template, source);
  const dashboards: TemplateDashboard[] = [];
  const problems: { logicalId: string; message: string }[] = [];
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::CloudWatch::Dashboard')) {
    try {
      const body = resolver.resolve(resource.Properties?.DashboardBody);
      const name = resolver.physicalName(logicalId);
      dashboards.push({ logicalId, name, dashboard: parseDashboard(body, name) });
    } catch (error) {
      if (!(error instanceof TemplateError || error instanceof DashboardError)) throw error;
      problems.push({ logicalId, message: error.message });
    }
  }
  return { dashboards, problems };
}

/** Places widgets without x/y the way CloudWatch does: next free spot, left to right, row by row. */
class AutoPlacer {
  private x = 0;
  private y = 0;
  private rowBottom = 0;

  place(width: number, height: number, x?: number, y?: number): { x: number; y: number } {
    if (x !== undefined && y !== undefined) {
      this.x = x + width;
      this.y = y;
      this.rowBottom = Math.max(this.rowBottom, y + height);
      return { x, y };
    }
    if (this.x + width > GRID_COLUMNS) {
      this.x = 0;
      this.y = this.rowBottom;
    }
    const placed = { x: x ?? this.x, y: y ?? this.y };
    this.x = placed.x + width;
    this.rowBottom = Math.max(this.rowBottom, placed.y + height);
    return placed;
  }
}

function gridInteger(value: unknown, what: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new DashboardError(
      `${what} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function parseWidget(raw: unknown, index: number, placer: AutoPlacer): Widget {
  const rawObject = isObject(raw) ? raw : {};
  const widgetType = typeof rawObject.type === 'string' ? rawObject.type : String(rawObject.type);
  const properties = isObject(rawObject.properties) ? rawObject.properties : undefined;
  let geometry: { x: number; y: number; width: number; height: number };
  try {
    const width = gridInteger(rawObject.width, 'width', 1, GRID_COLUMNS) ?? DEFAULT_WIDGET_WIDTH;
    const height = gridInteger(rawObject.height, 'height', 1, 1000) ?? DEFAULT_WIDGET_HEIGHT;
    const x = gridInteger(rawObject.x, 'x', 0, GRID_COLUMNS - 1);
    const y = gridInteger(rawObject.y, 'y', 0, Number.MAX_SAFE_INTEGER);
    // A widget hanging over the right edge is narrowed rather than dropped.
    const placed = placer.place(width, height, x, y);
    geometry = { ...placed, width: Math.min(width, GRID_COLUMNS - placed.x), height };
  } catch (error) {
    const placed = placer.place(DEFAULT_WIDGET_WIDTH, DEFAULT_WIDGET_HEIGHT);
    geometry = { ...placed, width: DEFAULT_WIDGET_WIDTH, height: DEFAULT_WIDGET_HEIGHT };
    return unreadable(index, geometry, widgetType, (error as Error).message, properties);
  }
  const title = typeof properties?.title === 'string' ? properties.title : undefined;
  const base: WidgetBase = { index, ...geometry, ...(title !== undefined ? { title } : {}) };
  try {
    if (!isObject(raw)) throw new DashboardError('a widget must be an object');
    if (!properties) throw new DashboardError('the widget has no properties object');
    switch (widgetType) {
      case 'metric':
        return parseMetricWidget(base, properties);
      case 'alarm':
        return parseAlarmWidget(base, properties);
      case 'log':
        return parseLogWidget(base, properties);
      case 'text':
        return parseTextWidget(base, properties);
      default:
        throw new DashboardError(
          `widget type ${JSON.stringify(widgetType)} is not shown by the sandbox (metric, alarm, log and text are)`,
        );
    }
  } catch (error) {
    if (!(error instanceof DashboardError)) throw error;
    return unreadable(index, geometry, widgetType, error.message, properties);
  }
}

function unreadable(
  index: number,
  geometry: { x: number; y: number; width: number; height: number },
  widgetType: string,
  problem: string,
  properties: Json | undefined,
): UnreadableWidget {
  const title = typeof properties?.title === 'string' ? properties.title : undefined;
  return {
    type: 'unreadable',
    index,
    ...geometry,
    ...(title !== undefined ? { title } : {}),
    widgetType,
    problem,
  };
}

function optionalString(properties: Json, key: string): string | undefined {
  const value = properties[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new DashboardError(`${key} must be a string`);
  return value;
}

function optionalBoolean(properties: Json, key: string): boolean | undefined {
  const value = properties[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new DashboardError(`${key} must be true or false`);
  return value;
}

function periodOf(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new DashboardError(
      `${where}: period must be a whole number of seconds, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

const METRIC_VIEWS: ReadonlySet<string> = new Set([
  'timeSeries',
  'singleValue',
  'bar',
  'pie',
  'gauge',
  'table',
]);

function parseMetricWidget(base: WidgetBase, properties: Json): MetricWidget {
  const view = optionalString(properties, 'view') ?? 'timeSeries';
  if (!METRIC_VIEWS.has(view)) {
    throw new DashboardError(`view ${JSON.stringify(view)} is not one of ${[...METRIC_VIEWS].join(', ')}`);
  }
  const periodSeconds = periodOf(properties.period, 'widget') ?? DEFAULT_PERIOD_SECONDS;
  const stat = optionalString(properties, 'stat') ?? DEFAULT_STAT;
  const annotations = isObject(properties.annotations) ? properties.annotations : {};
  const alarms = stringList(annotations.alarms, 'annotations.alarms');
  if (properties.metrics === undefined && alarms.length === 0) {
    throw new DashboardError('a metric widget needs a metrics array (or alarm annotations)');
  }
  const rows =
    properties.metrics === undefined ? [] : parseMetricRows(properties.metrics, { periodSeconds, stat });
  const region = optionalString(properties, 'region');
  const start = optionalString(properties, 'start');
  const windowMs = start === undefined ? undefined : relativeDurationMs(start);
  return {
    ...base,
    type: 'metric',
    view: view as MetricView,
    stacked: optionalBoolean(properties, 'stacked') ?? false,
    liveData: optionalBoolean(properties, 'liveData') ?? false,
    setPeriodToTimeRange: optionalBoolean(properties, 'setPeriodToTimeRange') ?? false,
    ...(windowMs !== undefined ? { windowMs } : {}),
    sparkline: optionalBoolean(properties, 'sparkline') ?? false,
    periodSeconds,
    stat,
    ...(region !== undefined ? { region } : {}),
    rows,
    annotations: {
      horizontal: parseHorizontalAnnotations(annotations.horizontal),
      vertical: parseVerticalAnnotations(annotations.vertical),
      alarms,
    },
    yAxis: parseYAxis(properties.yAxis),
  };
}

function stringList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new DashboardError(`${what} must be an array of strings`);
  }
  return [...(value as string[])];
}

const ID_PATTERN = /^[a-z][A-Za-z0-9_]*$/;

/**
 * Expands the `metrics` array of a metric widget. Each row is
 * `[namespace, metricName, dimName, dimValue, ..., {options}]` or `[{expression, ...}]`.
 * In a metric row `"."` repeats the value at the same position of the previous metric row, and
 * `"..."` stands for as many values of the previous metric row as the row leaves out.
 */
export function parseMetricRows(
  metrics: unknown,
  defaults: { periodSeconds: number; stat: string },
): MetricRow[] {
  if (!Array.isArray(metrics)) throw new DashboardError('metrics must be an array of arrays');
  const rows: MetricRow[] = [];
  const explicitIds = new Set<string>();
  let previousTokens: string[] | undefined;
  const pending: { row: number; options: Json; tokens?: string[] }[] = [];

  metrics.forEach((raw, position) => {
    const where = `metrics row ${position + 1}`;
    if (!Array.isArray(raw) || raw.length === 0)
      throw new DashboardError(`${where} must be a non-empty array`);
    const last = raw[raw.length - 1] as unknown;
    const options = isObject(last) ? last : {};
    const written = isObject(last) ? raw.slice(0, -1) : raw;
    if (written.some((token) => typeof token !== 'string')) {
      throw new DashboardError(
        `${where}: values before the options object must be strings (namespace, metric name, dimension names and values)`,
      );
    }
    const id = options.id;
    if (id !== undefined) {
      if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
        throw new DashboardError(
          `${where}: id ${JSON.stringify(id)} must start with a lowercase letter and hold only letters, digits and _`,
        );
      }
      if (explicitIds.has(id)) throw new DashboardError(`${where}: id ${id} is used twice`);
      explicitIds.add(id);
    }
    if (options.expression !== undefined) {
      if (written.length > 0)
        throw new DashboardError(`${where}: an expression row holds only its options object`);
      if (typeof options.expression !== 'string' || options.expression.trim() === '') {
        throw new DashboardError(`${where}: expression must be a non-empty string`);
      }
      pending.push({ row: position, options });
      return;
    }
    const tokens = expandShorthand(written as string[], previousTokens, where);
    if (tokens.length < 2) throw new DashboardError(`${where}: a metric needs a namespace and a metric name`);
    if (tokens.length % 2 !== 0) {
      throw new DashboardError(
        `${where}: dimension ${JSON.stringify(tokens[tokens.length - 1])} has no value`,
      );
    }
    previousTokens = tokens;
    pending.push({ row: position, options, tokens });
  });

  let metricCounter = 0;
  let expressionCounter = 0;
  const nextId = (prefix: 'm' | 'e'): string => {
    for (;;) {
      const candidate = prefix === 'm' ? `m${++metricCounter}` : `e${++expressionCounter}`;
      if (!explicitIds.has(candidate)) return candidate;
    }
  };

  for (const { row, options, tokens } of pending) {
    const where = `metrics row ${row + 1}`;
    const periodSeconds = periodOf(options.period, where) ?? defaults.periodSeconds;
    const label = optionalRowString(options, 'label', where);
    const color = optionalRowString(options, 'color', where);
    const yAxis = options.yAxis ?? 'left';
    if (yAxis !== 'left' && yAxis !== 'right')
      throw new DashboardError(`${where}: yAxis must be "left" or "right"`);
    if (options.visible !== undefined && typeof options.visible !== 'boolean') {
      throw new DashboardError(`${where}: visible must be true or false`);
    }
    const common = {
      periodSeconds,
      ...(label !== undefined ? { label } : {}),
      visible: options.visible !== false,
      yAxis: yAxis as YAxisSide,
      ...(color !== undefined ? { color } : {}),
    };
    if (!tokens) {
      rows.push({
        kind: 'expression',
        id: (options.id as string | undefined) ?? nextId('e'),
        expression: options.expression as string,
        ...common,
      });
      continue;
    }
    const dimensions: Record<string, string> = {};
    for (let i = 2; i < tokens.length; i += 2) {
      const name = tokens[i]!;
      if (Object.hasOwn(dimensions, name))
        throw new DashboardError(`${where}: dimension ${name} appears twice`);
      dimensions[name] = tokens[i + 1]!;
    }
    rows.push({
      kind: 'metric',
      id: (options.id as string | undefined) ?? nextId('m'),
      namespace: tokens[0]!,
      metricName: tokens[1]!,
      dimensions,
      stat: optionalRowString(options, 'stat', where) ?? defaults.stat,
      ...common,
    });
  }
  return rows;
}

function optionalRowString(options: Json, key: string, where: string): string | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new DashboardError(`${where}: ${key} must be a string`);
  return value;
}

function expandShorthand(written: string[], previous: string[] | undefined, where: string): string[] {
  const ellipsis = written.indexOf('...');
  let tokens = written;
  if (ellipsis >= 0) {
    if (written.indexOf('...', ellipsis + 1) >= 0)
      throw new DashboardError(`${where}: "..." may appear only once`);
    if (!previous) throw new DashboardError(`${where}: "..." needs a previous metric row to repeat`);
    const after = written.length - ellipsis - 1;
    const repeatedEnd = previous.length - after;
    if (repeatedEnd < ellipsis) {
      throw new DashboardError(
        `${where}: "..." has nothing to repeat (the row is longer than the previous one)`,
      );
    }
    tokens = [
      ...written.slice(0, ellipsis),
      ...previous.slice(ellipsis, repeatedEnd),
      ...written.slice(ellipsis + 1),
    ];
  }
  return tokens.map((token, i) => {
    if (token !== '.') return token;
    const repeated = previous?.[i];
    if (repeated === undefined) {
      throw new DashboardError(
        `${where}: "." at position ${i + 1} has no value in the previous metric row to repeat`,
      );
    }
    return repeated;
  });
}

function finiteNumber(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new DashboardError(`${where} must be a number`);
  return value;
}

function parseHorizontalAnnotations(value: unknown): HorizontalAnnotation[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new DashboardError('annotations.horizontal must be an array');
  return value.map((item, i) => {
    const where = `annotations.horizontal[${i}]`;
    // A band is written as a pair: [{value, label, ...}, {value}].
    const [first, second] = Array.isArray(item) ? item : [item];
    if (!isObject(first)) throw new DashboardError(`${where} must be an object or a pair of objects`);
    const annotation: HorizontalAnnotation = {
      value: finiteNumber(first.value, `${where}.value`),
      visible: first.visible !== false,
      yAxis: first.yAxis === 'right' ? 'right' : 'left',
    };
    if (isObject(second)) annotation.toValue = finiteNumber(second.value, `${where}[1].value`);
    if (typeof first.label === 'string') annotation.label = first.label;
    if (typeof first.color === 'string') annotation.color = first.color;
    if (first.fill === 'above' || first.fill === 'below' || first.fill === 'between')
      annotation.fill = first.fill;
    return annotation;
  });
}

function parseVerticalAnnotations(value: unknown): VerticalAnnotation[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new DashboardError('annotations.vertical must be an array');
  const time = (raw: unknown, where: string): number => {
    const ms = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
    if (!Number.isFinite(ms)) throw new DashboardError(`${where} must be an ISO 8601 time`);
    return ms;
  };
  return value.map((item, i) => {
    const where = `annotations.vertical[${i}]`;
    const [first, second] = Array.isArray(item) ? item : [item];
    if (!isObject(first)) throw new DashboardError(`${where} must be an object or a pair of objects`);
    const annotation: VerticalAnnotation = {
      value: time(first.value, `${where}.value`),
      visible: first.visible !== false,
    };
    if (isObject(second)) annotation.toValue = time(second.value, `${where}[1].value`);
    if (typeof first.label === 'string') annotation.label = first.label;
    if (typeof first.color === 'string') annotation.color = first.color;
    return annotation;
  });
}

function parseYAxis(value: unknown): { left: AxisSettings; right: AxisSettings } {
  const axis = (raw: unknown): AxisSettings => {
    if (!isObject(raw)) return {};
    const settings: AxisSettings = {};
    if (typeof raw.min === 'number') settings.min = raw.min;
    if (typeof raw.max === 'number') settings.max = raw.max;
    if (typeof raw.label === 'string') settings.label = raw.label;
    if (typeof raw.showUnits === 'boolean') settings.showUnits = raw.showUnits;
    return settings;
  };
  const yAxis = isObject(value) ? value : {};
  return { left: axis(yAxis.left), right: axis(yAxis.right) };
}

function parseAlarmWidget(base: WidgetBase, properties: Json): AlarmStatusWidget {
  const alarms = stringList(properties.alarms, 'alarms');
  if (alarms.length === 0) throw new DashboardError('an alarm status widget needs a non-empty alarms array');
  const sortBy = optionalString(properties, 'sortBy');
  const states = properties.states === undefined ? undefined : stringList(properties.states, 'states');
  return {
    ...base,
    type: 'alarm',
    alarms,
    ...(sortBy !== undefined ? { sortBy } : {}),
    ...(states !== undefined ? { states } : {}),
  };
}

function parseLogWidget(base: WidgetBase, properties: Json): LogWidget {
  const query = optionalString(properties, 'query');
  if (query === undefined || query.trim() === '') throw new DashboardError('a log widget needs a query');
  const region = optionalString(properties, 'region');
  return {
    ...base,
    type: 'log',
    query,
    logGroupNames: logGroupsOf(query),
    view: optionalString(properties, 'view') ?? 'table',
    ...(region !== undefined ? { region } : {}),
  };
}

/** `SOURCE 'a' | SOURCE 'b' | fields ...` → ['a', 'b']. */
export function logGroupsOf(query: string): string[] {
  const groups: string[] = [];
  const pattern = /\bSOURCE\s+(['"])(.*?)\1/gi;
  for (let match = pattern.exec(query); match; match = pattern.exec(query)) groups.push(match[2]!);
  return groups;
}

function parseTextWidget(base: WidgetBase, properties: Json): TextWidget {
  const markdown = optionalString(properties, 'markdown');
  if (markdown === undefined) throw new DashboardError('a text widget needs markdown');
  return {
    ...base,
    type: 'text',
    markdown,
    background: properties.background === 'transparent' ? 'transparent' : 'solid',
  };
}

/** `-PT3H`, `-P1D`, `-PT15M`, `-P1W` → ms; undefined for anything else (an absolute time, say). */
export function relativeDurationMs(text: string): number | undefined {
  const match = /^-P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    text.trim(),
  );
  if (!match || text.trim() === '-P' || text.trim().endsWith('T')) return undefined;
  const [, weeks, days, hours, minutes, seconds] = match;
  const ms =
    (Number(weeks ?? 0) * 7 * 24 * 3600 +
      Number(days ?? 0) * 24 * 3600 +
      Number(hours ?? 0) * 3600 +
      Number(minutes ?? 0) * 60 +
      Number(seconds ?? 0)) *
    1000;
  return ms > 0 ? ms : undefined;
}
