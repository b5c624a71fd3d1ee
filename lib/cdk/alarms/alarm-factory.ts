import { Duration, Tags, Token } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

import type { Severity } from '../../contract.js';
import { SEVERITIES, SEVERITY_TAG, severityPrefix } from '../../contract.js';

export type { Severity };

/** What a user may change about one alarm. Every field falls back to the alarm's documented default. */
export interface AlarmTuning {
  /** In the unit the alarm documents (percent, milliseconds, count, seconds). */
  readonly threshold?: number;
  /** Length of one evaluation period. */
  readonly period?: Duration;
  /** How many recent periods are looked at. */
  readonly evaluationPeriods?: number;
  /** How many of those must breach. */
  readonly datapointsToAlarm?: number;
  readonly severity?: Severity;
  /** `false` leaves the alarm out. @default true */
  readonly enabled?: boolean;
}

export interface ResolvedTuning {
  readonly threshold: number;
  readonly period: Duration;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly severity: Severity;
}

/** Merges a user's tuning over the defaults; `undefined` when the user disabled the alarm. */
export function tune(defaults: ResolvedTuning, tuning: AlarmTuning | undefined): ResolvedTuning | undefined {
  if (tuning?.enabled === false) return undefined;
  const resolved: ResolvedTuning = {
    threshold: tuning?.threshold ?? defaults.threshold,
    period: tuning?.period ?? defaults.period,
    evaluationPeriods: tuning?.evaluationPeriods ?? defaults.evaluationPeriods,
    datapointsToAlarm:
      tuning?.datapointsToAlarm ??
      Math.min(defaults.datapointsToAlarm, tuning?.evaluationPeriods ?? defaults.evaluationPeriods),
    severity: tuning?.severity ?? defaults.severity,
  };
  validateTuning(resolved);
  return resolved;
}

function validateTuning(t: ResolvedTuning): void {
  if (!Number.isFinite(t.threshold))
    throw new Error(`Alarm threshold must be a finite number, got ${t.threshold}`);
  if (!Number.isInteger(t.evaluationPeriods) || t.evaluationPeriods < 1) {
    throw new Error(
      `Alarm evaluationPeriods must be a whole number of at least 1, got ${t.evaluationPeriods}`,
    );
  }
  if (
    !Number.isInteger(t.datapointsToAlarm) ||
    t.datapointsToAlarm < 1 ||
    t.datapointsToAlarm > t.evaluationPeriods
  ) {
    throw new Error(
      `Alarm datapointsToAlarm must be between 1 and evaluationPeriods (${t.evaluationPeriods}), got ${t.datapointsToAlarm}`,
    );
  }
  if (!SEVERITIES.includes(t.severity)) {
    throw new Error(`Alarm severity must be one of ${SEVERITIES.join(', ')}, got ${String(t.severity)}`);
  }
  const seconds = t.period.toSeconds();
  if (![10, 20, 30].includes(seconds) && seconds % 60 !== 0) {
    throw new Error(`Alarm period must be 10, 20, 30 seconds or a multiple of 60 seconds, got ${seconds}s`);
  }
}

/** "over 5 minutes" or "in 2 of 3 periods of 1 minute", for descriptions. */
export function describeWindow(t: ResolvedTuning): string {
  const period = humanDuration(t.period);
  if (t.evaluationPeriods === 1) return `over ${period}`;
  if (t.datapointsToAlarm === t.evaluationPeriods) {
    return `for ${humanDuration(Duration.seconds(t.period.toSeconds() * t.evaluationPeriods))} (${t.evaluationPeriods} periods of ${period} in a row)`;
  }
  return `in ${t.datapointsToAlarm} of ${t.evaluationPeriods} periods of ${period}`;
}

function humanDuration(d: Duration): string {
  const seconds = d.toSeconds();
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

export interface AlarmSpec {
  /** Construct id, and the end of the alarm name. */
  readonly id: string;
  /** The metric or expression, without a period: the tuning's period is applied. */
  readonly metric: cw.IMetric;
  readonly comparison: cw.ComparisonOperator;
  readonly treatMissingData: cw.TreatMissingData;
  readonly tuning: ResolvedTuning;
  /** What the alarm going off means, thresholds included. */
  readonly meaning: string;
  /** What to do or look at first. */
  readonly firstStep: string;
  /**
   * `false` for an alarm that only feeds a composite alarm: no ALARM or OK actions, so that only
   * the composite notifies. @default true
   */
  readonly notify?: boolean;
}

/** A count that should stay at zero: an alarm when it goes above the tuned threshold. */
export interface CountCheck {
  readonly id: string;
  /** Undefined when the user turned the alarm off. */
  readonly tuning: ResolvedTuning | undefined;
  readonly metric: cw.IMetric;
  /** What the alarm going off means, given its window in words ("in 2 of 3 minutes"). */
  readonly meaning: (window: string) => string;
  readonly firstStep: string;
}

/** An alarm together with the severity it was created with. */
export interface LookoutAlarm {
  readonly alarm: cw.Alarm;
  readonly severity: Severity;
}

export interface AlarmFactoryProps {
  /** Every alarm sends both its ALARM and its OK notifications here. */
  readonly actionTopic: sns.ITopic;
  /** Start of every alarm name, e.g. `MyStack-orders`; names must be unique in the account and region. */
  readonly namePrefix: string;
  /** Extra tags for every alarm (the severity tag is always added). */
  readonly tags?: Record<string, string>;
}

/**
 * Creates alarms the same way everywhere: a name, a description that starts with the severity
 * and says what to do first, a severity tag, explicit missing-data handling, and ALARM and OK
 * actions to one topic. Metric factories decide what is measured; this decides how it alerts.
 */
export class AlarmFactory {
  constructor(readonly props: AlarmFactoryProps) {}

  /** The same factory with `-${part}` added to the name prefix (one per function, queue, ...). */
  child(part: string): AlarmFactory {
    return new AlarmFactory({ ...this.props, namePrefix: `${this.props.namePrefix}-${part}` });
  }

  create(scope: Construct, spec: AlarmSpec): LookoutAlarm {
    const { tuning } = spec;
    const alarm = new cw.Alarm(scope, spec.id, {
      alarmName: this.alarmName(spec.id),
      alarmDescription: describeAlarm(tuning.severity, spec.meaning, spec.firstStep),
      metric: withPeriod(spec.metric, tuning.period),
      threshold: tuning.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: tuning.evaluationPeriods,
      datapointsToAlarm: tuning.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
      actionsEnabled: true,
    });
    this.wire(alarm, tuning.severity, spec.notify ?? true);
    return { alarm, severity: tuning.severity };
  }

  /** An alarm per check that is not turned off; missing data (no failures reported) is fine. */
  createCountAlarms(scope: Construct, checks: readonly CountCheck[]): LookoutAlarm[] {
    return checks.flatMap(({ tuning, ...check }) =>
      tuning
        ? [
            this.create(scope, {
              id: check.id,
              metric: check.metric,
              comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
              treatMissingData: cw.TreatMissingData.NOT_BREACHING,
              tuning,
              meaning: check.meaning(describeWindow(tuning)),
              firstStep: check.firstStep,
            }),
          ]
        : [],
    );
  }

  /** One alarm that is in ALARM while any of `alarms` is. */
  createAnyOf(
    scope: Construct,
    id: string,
    alarms: readonly cw.IAlarm[],
    text: { severity: Severity; meaning: string; firstStep: string },
  ): cw.CompositeAlarm {
    return this.createComposite(scope, id, alarms, (...rules) => cw.AlarmRule.anyOf(...rules), text);
  }

  /** One alarm that is in ALARM while every one of `alarms` is. */
  createAllOf(
    scope: Construct,
    id: string,
    alarms: readonly cw.IAlarm[],
    text: { severity: Severity; meaning: string; firstStep: string },
  ): cw.CompositeAlarm {
    return this.createComposite(scope, id, alarms, (...rules) => cw.AlarmRule.allOf(...rules), text);
  }

  private createComposite(
    scope: Construct,
    id: string,
    alarms: readonly cw.IAlarm[],
    combine: (...rules: cw.IAlarmRule[]) => cw.IAlarmRule,
    text: { severity: Severity; meaning: string; firstStep: string },
  ): cw.CompositeAlarm {
    if (alarms.length === 0) throw new Error(`Composite alarm ${id} needs at least one alarm to watch`);
    const composite = new cw.CompositeAlarm(scope, id, {
      compositeAlarmName: this.alarmName(id),
      alarmDescription: describeAlarm(text.severity, text.meaning, text.firstStep),
      alarmRule: combine(...alarms.map((a) => cw.AlarmRule.fromAlarm(a, cw.AlarmState.ALARM))),
      actionsEnabled: true,
    });
    this.wire(composite, text.severity, true);
    return composite;
  }

  private alarmName(id: string): string {
    const name = `${this.props.namePrefix}-${id}`;
    if (!Token.isUnresolved(name) && name.length > 255) {
      throw new Error(`Alarm name ${name} is longer than CloudWatch's 255 characters; use a shorter prefix`);
    }
    return name;
  }

  private wire(alarm: cw.Alarm | cw.CompositeAlarm, severity: Severity, notify: boolean): void {
    if (notify) {
      const action = new actions.SnsAction(this.props.actionTopic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    Tags.of(alarm).add(SEVERITY_TAG, severity);
    for (const [key, value] of Object.entries(this.props.tags ?? {})) Tags.of(alarm).add(key, value);
  }
}

export function describeAlarm(severity: Severity, meaning: string, firstStep: string): string {
  const text = `${severityPrefix(severity)} ${meaning} First: ${firstStep}`;
  if (text.length > 1024) throw new Error(`Alarm description is longer than 1024 characters: ${text}`);
  return text;
}

function withPeriod(metric: cw.IMetric, period: Duration): cw.IMetric {
  if (metric instanceof cw.MathExpression) return metric.with({ period });
  if (metric instanceof cw.Metric) {
    // Rebuilt without its label so CloudFormation gets the plain MetricName/Statistic form.
    return new cw.Metric({
      namespace: metric.namespace,
      metricName: metric.metricName,
      dimensionsMap: (metric.dimensions ?? {}) as cw.DimensionsMap,
      statistic: metric.statistic,
      period,
    });
  }
  throw new Error('Alarm metrics must be a Metric or a MathExpression');
}
