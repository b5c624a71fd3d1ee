import type { MetricStore } from '../metrics/store.js';
import {
  alignToPeriod,
  isLowSampleCount,
  minimumSamplesForPercentile,
  queryPeriods,
} from '../metrics/statistics.js';
import { evaluateAlarmRule, ruleReferences, ruleTerms } from './alarm-rule.js';
import {
  ExpressionError,
  evaluateExpression,
  type ExpressionValue,
  type Series,
} from '../metrics/math/expression.js';
import { formatLongTime, formatReasonTime, formatValue, plural } from './format.js';
import { decideAlarmState, type DatapointClass, type MissingDataDecision } from './missing-data.js';
import type {
  AlarmDefinition,
  AlarmState,
  AlarmStatus,
  AlarmTransition,
  ChildAlarmState,
  ComparisonOperator,
  CompositeAlarmDefinition,
  EvaluatedDatapoint,
  ExpressionQuery,
  MetricAlarmDefinition,
  MetricStatQuery,
  StateReasonData,
} from './types.js';

export class AlarmConfigurationError extends Error {
  override name = 'AlarmConfigurationError';
}

export interface AlarmEvaluatorOptions {
  store: MetricStore;
  alarms: readonly AlarmDefinition[];
  /**
   * Datapoints fetched beyond EvaluationPeriods when evaluating (the
   * "evaluation range"). AWS does not publish the exact figure; its worked
   * example fetches 5 datapoints for 3 evaluation periods, hence the default 2.
   */
  extraEvaluationPeriods?: number;
  /** Simulated time at which the alarms were created; defaults to the first evaluate() time. */
  createdAt?: number;
}

const INITIAL_REASON = 'Unchecked: Initial alarm creation';

interface Outcome {
  state: AlarmState | 'RETAIN';
  reason: string;
  reasonData?: StateReasonData;
  triggeringChildren?: ChildAlarmState[];
}

/**
 * Evaluates CloudWatch metric and composite alarms against a MetricStore.
 * Time is whatever the caller says it is: evaluate(now) takes simulated epoch
 * ms, so a compressed clock can run a 60-second period every few real seconds.
 * Only complete periods are evaluated (the newest is the one that ended at or
 * before `now`), as CloudWatch does. Periods are sliding windows ending at the
 * latest whole minute (CloudWatch's default SlidingWindow evaluation window).
 */
export class AlarmEvaluator {
  private readonly store: MetricStore;
  private readonly extraPeriods: number;
  private readonly metricAlarms: MetricAlarmDefinition[];
  private readonly compositeOrder: CompositeAlarmDefinition[];
  private readonly statusByName = new Map<string, AlarmStatus>();
  private readonly nameByArn = new Map<string, string>();
  private createdAt: number | undefined;

  constructor(options: AlarmEvaluatorOptions) {
    this.store = options.store;
    this.extraPeriods = options.extraEvaluationPeriods ?? 2;
    if (!(Number.isInteger(this.extraPeriods) && this.extraPeriods >= 0)) {
      throw new AlarmConfigurationError('extraEvaluationPeriods must be a non-negative integer');
    }
    this.createdAt = options.createdAt;

    const problems: string[] = [];
    for (const alarm of options.alarms) {
      if (this.statusByName.has(alarm.name)) {
        problems.push(`two alarms are named ${alarm.name}`);
        continue;
      }
      this.nameByArn.set(alarm.arn, alarm.name);
      const at = this.createdAt ?? 0;
      this.statusByName.set(alarm.name, {
        name: alarm.name,
        arn: alarm.arn,
        kind: alarm.kind,
        state: 'INSUFFICIENT_DATA',
        reason: INITIAL_REASON,
        stateUpdatedAt: at,
        stateTransitionedAt: at,
        definition: alarm,
      });
    }
    this.metricAlarms = options.alarms.filter((a): a is MetricAlarmDefinition => a.kind === 'metric');
    const composites = options.alarms.filter((a): a is CompositeAlarmDefinition => a.kind === 'composite');
    for (const composite of composites) {
      for (const reference of ruleReferences(composite.ruleAst)) {
        if (this.resolveName(reference) === undefined) {
          problems.push(`composite alarm ${composite.name} refers to unknown alarm ${reference}`);
        }
      }
    }
    this.compositeOrder = problems.length === 0 ? this.orderComposites(composites, problems) : [];
    if (problems.length > 0)
      throw new AlarmConfigurationError(`invalid alarm set:\n- ${problems.join('\n- ')}`);
  }

  /** Evaluates every alarm at simulated time `now` and returns the state changes, metric alarms first. */
  evaluate(now: number): AlarmTransition[] {
    if (!Number.isFinite(now)) throw new RangeError('evaluate(now): now must be a finite epoch-ms number');
    if (this.createdAt === undefined) {
      this.createdAt = now;
      for (const status of this.statusByName.values()) {
        status.stateUpdatedAt = now;
        status.stateTransitionedAt = now;
      }
    }
    const transitions: AlarmTransition[] = [];
    for (const alarm of this.metricAlarms) {
      this.apply(alarm, this.evaluateMetricAlarm(alarm, now), now, transitions);
    }
    for (const alarm of this.compositeOrder) {
      this.apply(alarm, this.evaluateCompositeAlarm(alarm), now, transitions);
    }
    return transitions;
  }

  /** Current status of an alarm by name or ARN. */
  status(nameOrArn: string): AlarmStatus | undefined {
    const name = this.resolveName(nameOrArn);
    const status = name === undefined ? undefined : this.statusByName.get(name);
    return status && { ...status };
  }

  statuses(): AlarmStatus[] {
    return [...this.statusByName.values()].map((status) => ({ ...status }));
  }

  private resolveName(reference: string): string | undefined {
    if (this.statusByName.has(reference)) return reference;
    const byArn = this.nameByArn.get(reference);
    if (byArn !== undefined) return byArn;
    // An ARN from another account/region spelling still names the alarm after ":alarm:".
    const match = /^arn:[^:]+:cloudwatch:[^:]*:[^:]*:alarm:(.+)$/.exec(reference);
    return match && this.statusByName.has(match[1]!) ? match[1] : undefined;
  }

  private orderComposites(
    composites: CompositeAlarmDefinition[],
    problems: string[],
  ): CompositeAlarmDefinition[] {
    const ordered: CompositeAlarmDefinition[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const byName = new Map(composites.map((c) => [c.name, c]));
    const visit = (alarm: CompositeAlarmDefinition, path: string[]): void => {
      const seen = state.get(alarm.name);
      if (seen === 'done') return;
      if (seen === 'visiting') {
        problems.push(
          `composite alarms refer to each other in a cycle: ${[...path, alarm.name].join(' → ')}`,
        );
        return;
      }
      state.set(alarm.name, 'visiting');
      for (const reference of ruleReferences(alarm.ruleAst)) {
        const child = byName.get(this.resolveName(reference) ?? '');
        if (child) visit(child, [...path, alarm.name]);
      }
      state.set(alarm.name, 'done');
      ordered.push(alarm);
    };
    for (const composite of composites) visit(composite, []);
    return ordered;
  }

  private apply(alarm: AlarmDefinition, outcome: Outcome, now: number, transitions: AlarmTransition[]): void {
    const status = this.statusByName.get(alarm.name)!;
    status.lastEvaluatedAt = now;
    // A kept state with a reason (too few samples for a percentile) still says why it was kept.
    if (outcome.state === 'RETAIN' && !outcome.reason) return;
    const oldState = status.state;
    if (outcome.state === 'RETAIN' || outcome.state === oldState) {
      if (outcome.reason !== status.reason) {
        status.reason = outcome.reason;
        status.reasonData = outcome.reasonData;
        status.stateUpdatedAt = now;
      }
      return;
    }
    status.state = outcome.state;
    status.reason = outcome.reason;
    status.reasonData = outcome.reasonData;
    status.stateUpdatedAt = now;
    status.stateTransitionedAt = now;
    transitions.push({
      alarm,
      oldState,
      newState: outcome.state,
      reason: outcome.reason,
      ...(outcome.reasonData ? { reasonData: outcome.reasonData } : {}),
      timestamp: now,
      actions: actionsFor(alarm, outcome.state),
      ...(outcome.triggeringChildren ? { triggeringChildren: outcome.triggeringChildren } : {}),
      configurationUpdatedAt: this.createdAt ?? now,
    });
  }

  private evaluateMetricAlarm(alarm: MetricAlarmDefinition, now: number): Outcome {
    const periodMs = alarm.periodSeconds * 1000;
    const rangeLength = alarm.evaluationPeriods + this.extraPeriods;
    // CloudWatch's default evaluation window slides: it moves every minute and ends at the latest
    // complete minute, so a one-hour period is always the last hour, not the last clock hour.
    const end = alignToPeriod(now, Math.min(alarm.periodSeconds, 60));
    const timestamps = Array.from({ length: rangeLength }, (_, i) => end - (rangeLength - i) * periodMs);

    const sampleCounts = new Map<string, number[]>();
    let values: (number | undefined)[];
    try {
      values = this.watchedSeries(alarm, timestamps, sampleCounts);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      return { state: 'INSUFFICIENT_DATA', reason: `Evaluation error: ${error.message}` };
    }

    const classes: DatapointClass[] = values.map((value) =>
      value === undefined
        ? 'missing'
        : breaches(value, alarm.comparisonOperator, alarm.threshold)
          ? 'breaching'
          : 'notBreaching',
    );
    const decision = decideAlarmState(classes, {
      evaluationPeriods: alarm.evaluationPeriods,
      datapointsToAlarm: alarm.datapointsToAlarm,
      treatMissingData: effectiveTreatMissingData(alarm),
    });
    const reasonData = buildReasonData(alarm, now, timestamps, values, classes, decision);

    const lowSample = lowSamplePercentile(alarm, decision, sampleCounts.get(alarm.returnId));
    if (lowSample) return { state: 'RETAIN', reason: lowSample, reasonData };

    const current = this.statusByName.get(alarm.name)!.state;
    if (decision.outcome === 'RETAIN') return { state: 'RETAIN', reason: '', reasonData };
    return {
      state: decision.outcome,
      reason: metricReason(alarm, decision, timestamps, values, current),
      reasonData,
    };
  }

  /** The values, per period of the range, of the query the alarm watches. */
  private watchedSeries(
    alarm: MetricAlarmDefinition,
    timestamps: number[],
    sampleCounts: Map<string, number[]>,
  ): (number | undefined)[] {
    const byId = new Map(alarm.queries.map((q) => [q.id, q]));
    const cache = new Map<string, ExpressionValue>();
    const metricIds = alarm.queries.filter((q) => q.kind === 'metric').map((q) => q.id);
    const lookup = (id: string): ExpressionValue => {
      const cached = cache.get(id);
      if (cached) return cached;
      const query = byId.get(id);
      if (!query) throw new ExpressionError(`unknown id ${id}`);
      const value =
        query.kind === 'metric' ? this.metricSeries(query, timestamps, sampleCounts) : expressionValue(query);
      cache.set(id, value);
      return value;
    };
    const expressionValue = (query: ExpressionQuery) =>
      evaluateExpression(query.ast, { timestamps, periodSeconds: alarm.periodSeconds, lookup, metricIds });

    const result = lookup(alarm.returnId);
    if (result.kind === 'series') return result.values;
    if (result.kind === 'array' && result.items.length === 1) return result.items[0]!.values;
    throw new ExpressionError(
      result.kind === 'scalar'
        ? `the expression ${alarm.returnId} returns a single number; an alarm needs a time series`
        : `the expression ${alarm.returnId} returns ${result.items.length} time series; an alarm needs exactly one`,
    );
  }

  private metricSeries(
    query: MetricStatQuery,
    timestamps: number[],
    sampleCounts: Map<string, number[]>,
  ): Series {
    const datapoints = queryPeriods(this.store, {
      namespace: query.namespace,
      name: query.metricName,
      dimensions: query.dimensions,
      statistic: query.statistic,
      periodSeconds: query.periodSeconds,
      periodStarts: timestamps,
      ...(query.unit ? { unit: query.unit } : {}),
    });
    sampleCounts.set(
      query.id,
      datapoints.map((d) => d.sampleCount),
    );
    return { kind: 'series', values: datapoints.map((d) => d.value) };
  }

  private evaluateCompositeAlarm(alarm: CompositeAlarmDefinition): Outcome {
    const child = (reference: string): AlarmStatus => this.statusByName.get(this.resolveName(reference)!)!;
    const fired = evaluateAlarmRule(alarm.ruleAst, (reference) => child(reference).state);
    const toChild = (status: AlarmStatus): ChildAlarmState => ({
      name: status.name,
      arn: status.arn,
      state: status.state,
      stateTransitionedAt: status.stateTransitionedAt,
    });
    const referenced = ruleReferences(alarm.ruleAst).map(child);
    if (fired) {
      const satisfied = ruleTerms(alarm.ruleAst)
        .map((term) => ({ term, status: child(term.alarm) }))
        .filter(({ term, status }) => status.state === term.state)
        .map(({ status }) => status);
      const triggering = [...new Set(satisfied)].map(toChild);
      const reason =
        triggering.length === 0
          ? `Alarm rule ${alarm.rule} is TRUE`
          : triggering
              .map((c) => `${c.arn} transitioned to ${c.state} at ${formatLongTime(c.stateTransitionedAt)}`)
              .join(', ');
      return { state: 'ALARM', reason, triggeringChildren: triggering };
    }
    const latest = Math.max(...referenced.map((s) => s.stateTransitionedAt));
    const triggering = referenced.filter((s) => s.stateTransitionedAt === latest).map(toChild);
    const states = referenced.map((s) => `${s.name} is ${s.state}`).join(', ');
    return {
      state: 'OK',
      reason:
        referenced.length === 0 ? `Alarm rule ${alarm.rule} is FALSE` : `Alarm rule is FALSE: ${states}`,
      triggeringChildren: triggering,
    };
  }
}

export function breaches(value: number, operator: ComparisonOperator, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

const OPERATOR_PHRASE: Record<ComparisonOperator, string> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

function actionsFor(alarm: AlarmDefinition, state: AlarmState): string[] {
  if (!alarm.actionsEnabled) return [];
  if (state === 'ALARM') return [...alarm.alarmActions];
  if (state === 'OK') return [...alarm.okActions];
  return [...alarm.insufficientDataActions];
}

/**
 * "Configuring how CloudWatch alarms treat missing data" (CloudWatch User Guide): alarms that
 * evaluate metrics in the AWS/DynamoDB namespace always ignore missing data, whatever
 * TreatMissingData says; when such a metric has missing data, the alarm keeps its current state.
 */
function effectiveTreatMissingData(alarm: MetricAlarmDefinition): MetricAlarmDefinition['treatMissingData'] {
  const readsDynamoDb = alarm.queries.some(
    (query) => query.kind === 'metric' && query.namespace === 'AWS/DynamoDB',
  );
  return readsDynamoDb ? 'ignore' : alarm.treatMissingData;
}

function lowSamplePercentile(
  alarm: MetricAlarmDefinition,
  decision: MissingDataDecision,
  counts: number[] | undefined,
): string | undefined {
  if (alarm.evaluateLowSampleCountPercentile !== 'ignore' || counts === undefined) return undefined;
  const query = alarm.queries.find((q) => q.id === alarm.returnId);
  if (query?.kind !== 'metric' || query.statistic.kind !== 'percentile') return undefined;
  const { percentile, text } = query.statistic;
  const low = decision.evaluated.filter((index) => isLowSampleCount(percentile, counts[index] ?? 0));
  if (low.length === 0) return undefined;
  const fewest = Math.min(...low.map((index) => counts[index] ?? 0));
  return `Percentile ${text} had ${plural(fewest, 'sample')} in a period, fewer than the ${minimumSamplesForPercentile(percentile)} it needs; state kept (EvaluateLowSampleCountPercentile: ignore)`;
}

function describePoints(indexes: number[], timestamps: number[], values: (number | undefined)[]): string {
  const newestFirst = [...indexes].sort((a, b) => b - a);
  return `[${newestFirst.map((i) => `${formatValue(values[i]!)} (${formatReasonTime(timestamps[i]!)})`).join(', ')}]`;
}

function metricReason(
  alarm: MetricAlarmDefinition,
  decision: MissingDataDecision,
  timestamps: number[],
  values: (number | undefined)[],
  currentState: AlarmState,
): string {
  const n = alarm.evaluationPeriods;
  const m = alarm.datapointsToAlarm;
  const threshold = formatValue(alarm.threshold);
  const phrase = OPERATOR_PHRASE[alarm.comparisonOperator];
  const newState = decision.outcome as AlarmState;
  const breachingReal = decision.evaluated.filter((i) =>
    breaches(values[i]!, alarm.comparisonOperator, alarm.threshold),
  );
  const notBreachingReal = decision.evaluated.filter((i) => !breachingReal.includes(i));
  const filledAs = decision.filled[0]?.as;
  const filledNote =
    decision.filled.length === 0
      ? ''
      : ` (${plural(decision.filled.length, 'missing datapoint')} ${filledAs === 'missing' ? 'not evaluated' : `treated as ${filledAs === 'breaching' ? 'breaching' : 'not breaching'}`})`;

  if (decision.rule === 'all-missing') {
    if (newState === 'INSUFFICIENT_DATA')
      return `Insufficient Data: ${plural(timestamps.length, 'datapoint')} ${timestamps.length === 1 ? 'was' : 'were'} unknown.`;
    const label = filledAs === 'breaching' ? 'Breaching' : 'NonBreaching';
    return `Threshold Crossed: no datapoints were received for ${plural(timestamps.length, 'period')} and ${plural(decision.filled.length, 'missing datapoint')} ${decision.filled.length === 1 ? 'was' : 'were'} treated as [${label}].`;
  }
  if (decision.rule === 'premature-alarm') {
    return `Threshold Crossed: ${plural(breachingReal.length, 'datapoint')} ${describePoints(breachingReal, timestamps, values)} ${breachingReal.length === 1 ? 'was' : 'were'} ${phrase} the threshold (${threshold}) with only missing data after it for ${m} or more periods (minimum ${plural(m, 'datapoint')} for ${currentState} -> ALARM transition; CloudWatch's rule for intermittent data).`;
  }
  if (newState === 'ALARM') {
    const count = decision.breaching;
    const shown = breachingReal.length > 0 ? ` ${describePoints(breachingReal, timestamps, values)}` : '';
    return `Threshold Crossed: ${count} out of the last ${n} datapoints${shown} ${count === 1 ? 'was' : 'were'} ${phrase} the threshold (${threshold}) (minimum ${plural(m, 'datapoint')} for ${currentState} -> ALARM transition).${filledNote}`;
  }
  if (notBreachingReal.length === 0) {
    return `Threshold Crossed: only ${decision.breaching} out of the last ${n} datapoints ${breachingReal.length > 0 ? `${describePoints(breachingReal, timestamps, values)} ` : ''}${decision.breaching === 1 ? 'was' : 'were'} ${phrase} the threshold (${threshold}) (minimum ${plural(m, 'datapoint')} for ALARM).${filledNote}`;
  }
  const count = notBreachingReal.length;
  return `Threshold Crossed: ${count} out of the last ${n} datapoints ${describePoints(notBreachingReal, timestamps, values)} ${count === 1 ? 'was' : 'were'} not ${phrase} the threshold (${threshold}) (minimum 1 datapoint for ${currentState} -> OK transition).${filledNote}`;
}

function buildReasonData(
  alarm: MetricAlarmDefinition,
  now: number,
  timestamps: number[],
  values: (number | undefined)[],
  classes: DatapointClass[],
  decision: MissingDataDecision,
): StateReasonData {
  const filled = new Map(decision.filled.map((f) => [f.index, f.as]));
  const watched = alarm.queries.find((q) => q.id === alarm.returnId);
  const evaluatedDatapoints: EvaluatedDatapoint[] = timestamps
    .map((timestamp, index): EvaluatedDatapoint => {
      const as = filled.get(index);
      return {
        timestamp,
        value: values[index],
        breaching: classes[index] === 'missing' ? undefined : classes[index] === 'breaching',
        ...(as === 'breaching' || as === 'notBreaching' ? { filled: as } : {}),
      };
    })
    .reverse();
  return {
    version: '1.0',
    queryDate: new Date(now).toISOString(),
    startDate: new Date(timestamps[0]!).toISOString(),
    period: alarm.periodSeconds,
    threshold: alarm.threshold,
    ...(watched?.kind === 'metric' ? { statistic: watched.statistic.text } : {}),
    recentDatapoints: decision.evaluated.map((i) => values[i]!),
    evaluatedDatapoints,
  };
}
