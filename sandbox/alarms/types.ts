import type { Statistic } from '../metrics/statistics.js';
import type { CloudWatchUnit } from '../metrics/units.js';
import type { ExpressionNode } from '../metrics/math/expression.js';
import type { RuleNode } from './alarm-rule.js';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export type ComparisonOperator =
  | 'GreaterThanThreshold'
  | 'GreaterThanOrEqualToThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';

/** One MetricStat query of an alarm (the single metric of a plain alarm, or an entry of `Metrics`). */
export interface MetricStatQuery {
  kind: 'metric';
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  periodSeconds: number;
  statistic: Statistic;
  unit?: CloudWatchUnit;
  label?: string;
  returnData: boolean;
}

/** One Expression entry of a metric math alarm. */
export interface ExpressionQuery {
  kind: 'expression';
  id: string;
  expression: string;
  ast: ExpressionNode;
  label?: string;
  returnData: boolean;
}

export type AlarmQuery = MetricStatQuery | ExpressionQuery;

interface AlarmCommon {
  name: string;
  arn: string;
  /** CloudFormation logical id when read from a template. */
  logicalId?: string;
  description?: string;
  actionsEnabled: boolean;
  alarmActions: string[];
  okActions: string[];
  insufficientDataActions: string[];
}

export interface MetricAlarmDefinition extends AlarmCommon {
  kind: 'metric';
  /** True when the alarm is written with `Metrics` (metric math), false for Namespace/MetricName. */
  usesMetricsArray: boolean;
  queries: AlarmQuery[];
  /** Id of the query whose series the alarm watches. */
  returnId: string;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  treatMissingData: TreatMissingData;
  evaluateLowSampleCountPercentile?: 'evaluate' | 'ignore';
  /** The resolved CloudFormation properties, kept for the SNS message's Trigger. */
  properties: Record<string, unknown>;
}

export interface CompositeAlarmDefinition extends AlarmCommon {
  kind: 'composite';
  rule: string;
  ruleAst: RuleNode;
}

export type AlarmDefinition = MetricAlarmDefinition | CompositeAlarmDefinition;

/** One period of the watched series, as the evaluator saw it. */
export interface EvaluatedDatapoint {
  /** Period start, epoch ms. */
  timestamp: number;
  /** Undefined for a missing datapoint. */
  value: number | undefined;
  breaching: boolean | undefined;
  /** Filled with the missing-data treatment instead of a real value. */
  filled?: 'breaching' | 'notBreaching';
}

/** Machine-readable detail of the last evaluation (CloudWatch's StateReasonData). */
export interface StateReasonData {
  version: '1.0';
  queryDate: string;
  startDate: string;
  period: number;
  threshold: number;
  statistic?: string;
  recentDatapoints: number[];
  evaluatedDatapoints: EvaluatedDatapoint[];
}

export interface ChildAlarmState {
  name: string;
  arn: string;
  state: AlarmState;
  stateTransitionedAt: number;
}

export interface AlarmStatus {
  name: string;
  arn: string;
  kind: AlarmDefinition['kind'];
  state: AlarmState;
  reason: string;
  reasonData?: StateReasonData;
  /** When state or reason last changed (simulated epoch ms). */
  stateUpdatedAt: number;
  /** When the state last changed (simulated epoch ms). */
  stateTransitionedAt: number;
  lastEvaluatedAt?: number;
  definition: AlarmDefinition;
}

/** A state change, shaped so that the CloudWatch SNS notification can be built from it alone. */
export interface AlarmTransition {
  alarm: AlarmDefinition;
  oldState: AlarmState;
  newState: AlarmState;
  reason: string;
  reasonData?: StateReasonData;
  /** Simulated epoch ms. */
  timestamp: number;
  /** The actions configured for the new state (empty when ActionsEnabled is false). */
  actions: string[];
  /** For composite alarms: the children whose state made the rule true. */
  triggeringChildren?: ChildAlarmState[];
  /** When the evaluator first loaded this alarm's configuration (simulated epoch ms). */
  configurationUpdatedAt: number;
}
