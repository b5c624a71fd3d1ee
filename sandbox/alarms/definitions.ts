import { z } from 'zod';
import { parseStatistic, StatisticError } from '../metrics/statistics.js';
import { CLOUDWATCH_UNITS } from '../metrics/units.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from '../template/resolver.js';
import { AlarmRuleError, parseAlarmRule } from './alarm-rule.js';
import { ExpressionError, parseExpression, referencedIds } from '../metrics/math/expression.js';
import type {
  AlarmQuery,
  CompositeAlarmDefinition,
  ExpressionQuery,
  MetricAlarmDefinition,
  MetricStatQuery,
} from './types.js';

/** A CloudFormation alarm resource the sandbox cannot evaluate, with the reason. */
export class AlarmDefinitionError extends Error {
  override name = 'AlarmDefinitionError';
}

export interface AlarmIdentityOptions {
  /** Used when the properties have no AlarmName (e.g. the generated physical name). */
  fallbackName?: string;
  logicalId?: string;
  region?: string;
  accountId?: string;
  partition?: string;
}

export function alarmArn(
  name: string,
  options: Pick<AlarmIdentityOptions, 'region' | 'accountId' | 'partition'> = {},
): string {
  const { region = DEFAULT_REGION, accountId = DEFAULT_ACCOUNT_ID, partition = 'aws' } = options;
  return `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${name}`;
}

// CloudFormation accepts numbers and booleans written as strings; CDK writes them natively.
const numeric = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/)
    .transform(Number),
]);
const integer = numeric.pipe(z.number().int());
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const period = integer.refine((p) => p === 10 || p === 20 || p === 30 || (p >= 60 && p % 60 === 0), {
  message: 'Period must be 10, 20, 30 or a multiple of 60 seconds',
});
const dimensionsSchema = z.array(z.object({ Name: z.string().min(1), Value: z.string().min(1) }));
const actions = z.array(z.string()).optional();

const SUPPORTED_OPERATORS = [
  'GreaterThanThreshold',
  'GreaterThanOrEqualToThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;

const metricAlarmSchema = z.object({
  AlarmName: z.string().min(1).optional(),
  AlarmDescription: z.string().optional(),
  ActionsEnabled: bool.optional(),
  AlarmActions: actions,
  OKActions: actions,
  InsufficientDataActions: actions,
  ComparisonOperator: z.string(),
  EvaluationPeriods: integer.pipe(z.number().min(1)),
  DatapointsToAlarm: integer.pipe(z.number().min(1)).optional(),
  Threshold: numeric.optional(),
  ThresholdMetricId: z.string().optional(),
  TreatMissingData: z.enum(['missing', 'ignore', 'breaching', 'notBreaching']).optional(),
  EvaluateLowSampleCountPercentile: z.enum(['evaluate', 'ignore', '']).optional(),
  Namespace: z.string().min(1).optional(),
  MetricName: z.string().min(1).optional(),
  Dimensions: dimensionsSchema.optional(),
  Period: period.optional(),
  Statistic: z.string().optional(),
  ExtendedStatistic: z.string().optional(),
  Unit: z.enum(CLOUDWATCH_UNITS).optional(),
  Metrics: z
    .array(
      z.object({
        Id: z
          .string()
          .regex(/^[a-z][a-zA-Z0-9_]*$/, 'Id must start with a lowercase letter and hold letters, digits, _'),
        Expression: z.string().optional(),
        MetricStat: z
          .object({
            Metric: z.object({
              Namespace: z.string().min(1),
              MetricName: z.string().min(1),
              Dimensions: dimensionsSchema.optional(),
            }),
            Period: period,
            Stat: z.string(),
            Unit: z.enum(CLOUDWATCH_UNITS).optional(),
          })
          .optional(),
        Label: z.string().optional(),
        ReturnData: bool.optional(),
        Period: period.optional(),
        AccountId: z.string().optional(),
      }),
    )
    .min(1)
    .optional(),
});

const compositeAlarmSchema = z.object({
  AlarmName: z.string().min(1).optional(),
  AlarmDescription: z.string().optional(),
  AlarmRule: z.string().min(1),
  ActionsEnabled: bool.optional(),
  AlarmActions: actions,
  OKActions: actions,
  InsufficientDataActions: actions,
});

function schemaError(label: string, error: z.ZodError): AlarmDefinitionError {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.') || '(properties)';
  return new AlarmDefinitionError(`${label}: ${path}: ${issue.message}`);
}

function identity(properties: { AlarmName?: string }, options: AlarmIdentityOptions, kind: string) {
  const name = properties.AlarmName ?? options.fallbackName;
  if (!name) throw new AlarmDefinitionError(`${kind} has neither AlarmName nor a fallback name`);
  return {
    name,
    arn: alarmArn(name, options),
    ...(options.logicalId ? { logicalId: options.logicalId } : {}),
  };
}

function label(options: AlarmIdentityOptions, properties: unknown): string {
  const name =
    typeof properties === 'object' && properties !== null && 'AlarmName' in properties
      ? String((properties as { AlarmName: unknown }).AlarmName)
      : undefined;
  return `alarm ${name ?? options.fallbackName ?? options.logicalId ?? '(unnamed)'}`;
}

function dimensionRecord(dimensions: { Name: string; Value: string }[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const { Name, Value } of dimensions ?? []) record[Name] = Value;
  return record;
}

/** Turns the (intrinsic-free) Properties of an AWS::CloudWatch::Alarm into a definition, or throws AlarmDefinitionError. */
export function parseMetricAlarm(
  properties: unknown,
  options: AlarmIdentityOptions = {},
): MetricAlarmDefinition {
  const where = label(options, properties);
  const parsed = metricAlarmSchema.safeParse(properties);
  if (!parsed.success) throw schemaError(where, parsed.error);
  const p = parsed.data;
  const fail = (message: string): never => {
    throw new AlarmDefinitionError(`${where}: ${message}`);
  };

  if (!(SUPPORTED_OPERATORS as readonly string[]).includes(p.ComparisonOperator)) {
    fail(
      `ComparisonOperator ${p.ComparisonOperator} is not supported (anomaly detection bands are not evaluated by the sandbox; supported: ${SUPPORTED_OPERATORS.join(', ')})`,
    );
  }
  if (p.ThresholdMetricId !== undefined)
    fail('ThresholdMetricId (anomaly detection) is not supported by the sandbox');
  if (p.Threshold === undefined) fail('Threshold is required');
  const datapointsToAlarm = p.DatapointsToAlarm ?? p.EvaluationPeriods;
  if (datapointsToAlarm > p.EvaluationPeriods) fail('DatapointsToAlarm cannot exceed EvaluationPeriods');

  let queries: AlarmQuery[];
  let returnId: string;
  const usesMetricsArray = p.Metrics !== undefined;
  if (p.Metrics) {
    if (p.Namespace || p.MetricName || p.Statistic || p.ExtendedStatistic || p.Dimensions || p.Period) {
      fail(
        'Metrics cannot be combined with Namespace/MetricName/Statistic/ExtendedStatistic/Dimensions/Period',
      );
    }
    queries = p.Metrics.map((entry): AlarmQuery => {
      const returnData = entry.ReturnData ?? true;
      if (entry.AccountId !== undefined)
        fail(`query ${entry.Id}: cross-account AccountId is not supported by the sandbox`);
      if ((entry.Expression === undefined) === (entry.MetricStat === undefined)) {
        fail(`query ${entry.Id} must have exactly one of Expression and MetricStat`);
      }
      if (entry.MetricStat) {
        const stat = entry.MetricStat;
        return {
          kind: 'metric',
          id: entry.Id,
          namespace: stat.Metric.Namespace,
          metricName: stat.Metric.MetricName,
          dimensions: dimensionRecord(stat.Metric.Dimensions),
          periodSeconds: stat.Period,
          statistic: statistic(stat.Stat, `query ${entry.Id}`, fail),
          ...(stat.Unit ? { unit: stat.Unit } : {}),
          ...(entry.Label !== undefined ? { label: entry.Label } : {}),
          returnData,
        };
      }
      let ast;
      try {
        ast = parseExpression(entry.Expression!);
      } catch (error) {
        if (error instanceof ExpressionError)
          fail(`query ${entry.Id}: expression ${JSON.stringify(entry.Expression)}: ${error.message}`);
        throw error;
      }
      return {
        kind: 'expression',
        id: entry.Id,
        expression: entry.Expression!,
        ast,
        ...(entry.Label !== undefined ? { label: entry.Label } : {}),
        returnData,
      };
    });
    const ids = new Set<string>();
    for (const query of queries) {
      if (ids.has(query.id)) fail(`duplicate query id ${query.id}`);
      ids.add(query.id);
    }
    const returning = queries.filter((q) => q.returnData);
    if (returning.length !== 1) {
      fail(`exactly one entry of Metrics must have ReturnData true (found ${returning.length})`);
    }
    returnId = returning[0]!.id;
    checkReferences(queries, fail);
  } else {
    if (!p.Namespace || !p.MetricName) fail('Namespace and MetricName are required (or use Metrics)');
    if (p.Period === undefined) fail('Period is required');
    if ((p.Statistic === undefined) === (p.ExtendedStatistic === undefined)) {
      fail('exactly one of Statistic and ExtendedStatistic is required');
    }
    queries = [
      {
        kind: 'metric',
        id: 'm1',
        namespace: p.Namespace!,
        metricName: p.MetricName!,
        dimensions: dimensionRecord(p.Dimensions),
        periodSeconds: p.Period!,
        statistic: statistic((p.Statistic ?? p.ExtendedStatistic)!, 'statistic', fail),
        ...(p.Unit ? { unit: p.Unit } : {}),
        returnData: true,
      },
    ];
    returnId = 'm1';
    if (
      p.Statistic !== undefined &&
      queries[0]!.kind === 'metric' &&
      queries[0]!.statistic.kind !== 'basic'
    ) {
      fail(
        `Statistic ${p.Statistic} must be SampleCount, Average, Sum, Minimum or Maximum (use ExtendedStatistic)`,
      );
    }
    if (
      p.ExtendedStatistic !== undefined &&
      queries[0]!.kind === 'metric' &&
      queries[0]!.statistic.kind === 'basic'
    ) {
      fail(
        `ExtendedStatistic ${p.ExtendedStatistic} must be a percentile or trimmed statistic (use Statistic)`,
      );
    }
  }

  const periods = new Set(
    queries.filter((q): q is MetricStatQuery => q.kind === 'metric').map((q) => q.periodSeconds),
  );
  if (periods.size === 0) fail('Metrics must contain at least one MetricStat');
  if (periods.size > 1)
    fail(`all metrics of an alarm must use the same Period (found ${[...periods].join(', ')})`);

  return {
    kind: 'metric',
    ...identity(p, options, where),
    ...(p.AlarmDescription !== undefined ? { description: p.AlarmDescription } : {}),
    actionsEnabled: p.ActionsEnabled ?? true,
    alarmActions: p.AlarmActions ?? [],
    okActions: p.OKActions ?? [],
    insufficientDataActions: p.InsufficientDataActions ?? [],
    usesMetricsArray,
    queries,
    returnId,
    periodSeconds: [...periods][0]!,
    evaluationPeriods: p.EvaluationPeriods,
    datapointsToAlarm,
    threshold: p.Threshold!,
    comparisonOperator: p.ComparisonOperator as MetricAlarmDefinition['comparisonOperator'],
    treatMissingData: p.TreatMissingData ?? 'missing',
    ...(p.EvaluateLowSampleCountPercentile
      ? { evaluateLowSampleCountPercentile: p.EvaluateLowSampleCountPercentile }
      : {}),
    properties: properties as Record<string, unknown>,
  };
}

function statistic(text: string, what: string, fail: (message: string) => never) {
  try {
    return parseStatistic(text);
  } catch (error) {
    if (error instanceof StatisticError) return fail(`${what}: ${error.message}`);
    throw error;
  }
}

function checkReferences(queries: AlarmQuery[], fail: (message: string) => never): void {
  const byId = new Map(queries.map((q) => [q.id, q]));
  const metricIds = queries.filter((q) => q.kind === 'metric').map((q) => q.id);
  const dependencies = new Map<string, string[]>();
  for (const query of queries) {
    if (query.kind !== 'expression') continue;
    const { ids, usesAllMetrics } = referencedIds((query as ExpressionQuery).ast);
    for (const id of ids) {
      if (!byId.has(id)) fail(`query ${query.id}: expression refers to unknown id ${id}`);
    }
    dependencies.set(query.id, [...ids, ...(usesAllMetrics ? metricIds : [])]);
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string, path: string[]): void => {
    if (done.has(id)) return;
    if (visiting.has(id)) fail(`expressions refer to each other in a cycle: ${[...path, id].join(' → ')}`);
    visiting.add(id);
    for (const dependency of dependencies.get(id) ?? []) visit(dependency, [...path, id]);
    visiting.delete(id);
    done.add(id);
  };
  for (const id of dependencies.keys()) visit(id, []);
}

/** Turns the (intrinsic-free) Properties of an AWS::CloudWatch::CompositeAlarm into a definition, or throws. */
export function parseCompositeAlarm(
  properties: unknown,
  options: AlarmIdentityOptions = {},
): CompositeAlarmDefinition {
  const where = label(options, properties);
  const parsed = compositeAlarmSchema.safeParse(properties);
  if (!parsed.success) throw schemaError(where, parsed.error);
  const p = parsed.data;
  let ruleAst;
  try {
    ruleAst = parseAlarmRule(p.AlarmRule);
  } catch (error) {
    if (error instanceof AlarmRuleError) throw new AlarmDefinitionError(`${where}: ${error.message}`);
    throw error;
  }
  return {
    kind: 'composite',
    ...identity(p, options, where),
    ...(p.AlarmDescription !== undefined ? { description: p.AlarmDescription } : {}),
    actionsEnabled: p.ActionsEnabled ?? true,
    alarmActions: p.AlarmActions ?? [],
    okActions: p.OKActions ?? [],
    insufficientDataActions: p.InsufficientDataActions ?? [],
    rule: p.AlarmRule,
    ruleAst,
  };
}
