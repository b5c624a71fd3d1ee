/** Reading synthesized CloudFormation back in tests. */
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';

export const FIXTURE_ENTRY = fileURLToPath(new URL('../fixtures/hello/handler.ts', import.meta.url));

/** Skips esbuild for stacks whose tests do not look inside the bundles (much faster synth). */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  [key: string]: unknown;
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** The one resource of a type; throws when there are none or several. */
export function onlyResource(template: Template, type: string): [string, Resource] {
  const found = resourcesOfType(template, type);
  if (found.length !== 1) throw new Error(`Expected one ${type}, found ${found.length}`);
  return found[0]!;
}

/** Every metric alarm's properties, keyed by AlarmName. */
export function alarmsByName(template: Template): Map<string, Record<string, unknown>> {
  const alarms = new Map<string, Record<string, unknown>>();
  for (const [, resource] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) {
    alarms.set(String(resource.Properties.AlarmName), resource.Properties);
  }
  return alarms;
}

/**
 * A CloudFormation value as text, intrinsic functions written as `${Ref}` / `${Resource.Attr}`,
 * the way a reader without AWS (the sandbox) would substitute them.
 */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('Ref' in record) return `\${${String(record.Ref)}}`;
    if ('Fn::GetAtt' in record) return `\${${(record['Fn::GetAtt'] as string[]).join('.')}}`;
    if ('Fn::Join' in record) {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map(renderValue).join(separator);
    }
  }
  throw new Error(`Cannot render ${JSON.stringify(value)}`);
}

export interface DashboardWidget {
  type: string;
  width: number;
  height: number;
  x: number;
  y: number;
  properties: Record<string, unknown> & { title?: string; metrics?: unknown[][]; markdown?: string };
}

/** The one dashboard's body, parsed. */
export function dashboardBody(template: Template): { widgets: DashboardWidget[]; [key: string]: unknown } {
  const dashboards = resourcesOfType(template, 'AWS::CloudWatch::Dashboard');
  if (dashboards.length !== 1) throw new Error(`Expected one dashboard, found ${dashboards.length}`);
  return JSON.parse(renderValue(dashboards[0]![1].Properties.DashboardBody));
}

export function widgetTitled(body: { widgets: DashboardWidget[] }, title: string): DashboardWidget {
  const widget = body.widgets.find((w) => w.properties.title === title);
  if (!widget) {
    const titles = body.widgets.map((w) => w.properties.title).filter(Boolean);
    throw new Error(`No widget titled "${title}"; titles: ${titles.join(' | ')}`);
  }
  return widget;
}

/** The template as JSON with asset hashes and bundle keys replaced, so snapshots ignore code changes. */
export function maskAssets(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip)?/g, 'ASSET'));
}

/** A metric in a compact, readable form: `Namespace/Name stat {dim=value,...}`. */
function describeMetric(metric: Record<string, unknown>, stat: unknown): string {
  const dims = ((metric.Dimensions ?? []) as { Name: string; Value: unknown }[])
    .map((d) => `${d.Name}=${renderValue(d.Value)}`)
    .join(',');
  return `${String(metric.Namespace)}/${String(metric.MetricName)} ${String(stat)} {${dims}}`;
}

export interface AlarmSummary {
  metric: string;
  /** For expression alarms, each input metric by id. */
  inputs?: Record<string, string>;
  period: number;
  threshold: unknown;
  comparison: unknown;
  evaluationPeriods: unknown;
  datapointsToAlarm: unknown;
  treatMissingData: unknown;
  severity: string;
  actions: string[];
}

/** One alarm reduced to what an operator reads: what is measured, when it fires, where it goes. */
export function summarizeAlarm(p: Record<string, unknown>): AlarmSummary {
  const description = String(p.AlarmDescription);
  const tag = ((p.Tags ?? []) as { Key: string; Value: string }[]).find((t) => t.Key === 'severity')?.Value;
  const prefix = /^\[(critical|warning)\] /.exec(description)?.[1];
  if (!tag || tag !== prefix)
    throw new Error(`Severity tag ${tag} and description prefix ${prefix} disagree`);
  const actions = (p.AlarmActions as unknown[]).map(renderValue);
  expectSame(actions, (p.OKActions as unknown[]).map(renderValue));
  const base = {
    threshold: p.Threshold,
    comparison: p.ComparisonOperator,
    evaluationPeriods: p.EvaluationPeriods,
    datapointsToAlarm: p.DatapointsToAlarm,
    treatMissingData: p.TreatMissingData,
    severity: tag,
    actions,
  };
  if (p.Metrics) {
    const metrics = p.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: Record<string, unknown>; Period: number; Stat: string };
    }[];
    const expression = metrics.find((m) => m.Expression);
    const inputs = metrics.filter((m) => m.MetricStat);
    const periods = new Set(inputs.map((m) => m.MetricStat!.Period));
    if (!expression || periods.size !== 1) throw new Error(`Unexpected metrics ${JSON.stringify(metrics)}`);
    return {
      metric: expression.Expression!,
      inputs: Object.fromEntries(
        inputs.map((m) => [m.Id, describeMetric(m.MetricStat!.Metric, m.MetricStat!.Stat)]),
      ),
      period: [...periods][0]!,
      ...base,
    };
  }
  return { metric: describeMetric(p, p.Statistic ?? p.ExtendedStatistic), period: Number(p.Period), ...base };
}

function expectSame(a: string[], b: string[]): void {
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`Alarm and OK actions differ: ${a} vs ${b}`);
}
