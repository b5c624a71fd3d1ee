import { DEFAULT_ACCOUNT_ID } from '../template/resolver.js';
import { formatStateChangeTime } from './format.js';
import type { AlarmTransition, CompositeAlarmDefinition, MetricAlarmDefinition } from './types.js';

/** Region display names as CloudWatch writes them in the `Region` field of alarm notifications. */
const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'ca-central-1': 'Canada (Central)',
  'eu-west-1': 'EU (Ireland)',
  'eu-west-2': 'EU (London)',
  'eu-west-3': 'EU (Paris)',
  'eu-central-1': 'EU (Frankfurt)',
  'eu-north-1': 'EU (Stockholm)',
  'eu-south-1': 'EU (Milan)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'sa-east-1': 'South America (Sao Paulo)',
};

export function regionDisplayName(region: string): string {
  return REGION_NAMES[region] ?? region;
}

type TriggerDimension = { value: string; name: string };

export interface CloudWatchAlarmTrigger {
  MetricName?: string;
  Namespace?: string;
  StatisticType?: 'Statistic' | 'ExtendedStatistic';
  Statistic?: string;
  ExtendedStatistic?: string;
  Unit?: string | null;
  Dimensions?: TriggerDimension[];
  Metrics?: Record<string, unknown>[];
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  ComparisonOperator: string;
  Threshold: number;
  TreatMissingData: string;
  EvaluateLowSampleCountPercentile: string;
}

/** The JSON CloudWatch publishes to SNS when an alarm changes state. */
export interface CloudWatchAlarmMessage {
  AlarmName: string;
  AlarmDescription: string | null;
  AWSAccountId: string;
  AlarmConfigurationUpdatedTimestamp: string;
  NewStateValue: string;
  NewStateReason: string;
  StateChangeTime: string;
  Region: string;
  AlarmArn: string;
  OldStateValue: string;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  /** Metric alarms only. */
  Trigger?: CloudWatchAlarmTrigger;
  /** Composite alarms only. */
  AlarmRule?: string;
  TriggeringChildren?: { Arn: string; State: { Value: string; Timestamp: string } }[];
}

/** The region and account come from the alarm's ARN ("arn:aws:cloudwatch:<region>:<account>:alarm:<name>"). */
function arnParts(arn: string): { region: string; accountId: string } {
  const parts = arn.split(':');
  return { region: parts[3] || 'us-east-1', accountId: parts[4] || DEFAULT_ACCOUNT_ID };
}

/** Builds the SNS message body CloudWatch sends for an alarm state change. */
export function buildAlarmSnsMessage(transition: AlarmTransition): CloudWatchAlarmMessage {
  const { alarm } = transition;
  const { region, accountId } = arnParts(alarm.arn);
  const message: CloudWatchAlarmMessage = {
    AlarmName: alarm.name,
    AlarmDescription: alarm.description ?? null,
    AWSAccountId: accountId,
    AlarmConfigurationUpdatedTimestamp: formatStateChangeTime(transition.configurationUpdatedAt),
    NewStateValue: transition.newState,
    NewStateReason: transition.reason,
    StateChangeTime: formatStateChangeTime(transition.timestamp),
    Region: regionDisplayName(region),
    AlarmArn: alarm.arn,
    OldStateValue: transition.oldState,
    OKActions: [...alarm.okActions],
    AlarmActions: [...alarm.alarmActions],
    InsufficientDataActions: [...alarm.insufficientDataActions],
  };
  if (alarm.kind === 'metric') message.Trigger = metricTrigger(alarm);
  else Object.assign(message, compositeFields(alarm, transition));
  return message;
}

/** The SNS Subject CloudWatch uses, e.g. `ALARM: "HighErrors" in US East (N. Virginia)` (SNS caps subjects at 100 characters). */
export function buildAlarmSnsSubject(transition: AlarmTransition): string {
  const { region } = arnParts(transition.alarm.arn);
  const subject = `${transition.newState}: "${transition.alarm.name}" in ${regionDisplayName(region)}`;
  return subject.length <= 100 ? subject : `${subject.slice(0, 97)}...`;
}

function triggerDimensions(dimensions: Record<string, string>): TriggerDimension[] {
  return Object.entries(dimensions).map(([name, value]) => ({ value, name }));
}

function metricTrigger(alarm: MetricAlarmDefinition): CloudWatchAlarmTrigger {
  const common = {
    Period: alarm.periodSeconds,
    EvaluationPeriods: alarm.evaluationPeriods,
    DatapointsToAlarm: alarm.datapointsToAlarm,
    ComparisonOperator: alarm.comparisonOperator,
    Threshold: alarm.threshold,
    TreatMissingData: alarm.treatMissingData,
    EvaluateLowSampleCountPercentile: alarm.evaluateLowSampleCountPercentile ?? '',
  };
  if (alarm.usesMetricsArray) {
    const metrics = alarm.queries.map((query) => {
      const base = {
        Id: query.id,
        ...(query.label !== undefined ? { Label: query.label } : {}),
        ReturnData: query.returnData,
      };
      if (query.kind === 'expression') return { Expression: query.expression, ...base };
      return {
        ...base,
        MetricStat: {
          Metric: {
            Dimensions: triggerDimensions(query.dimensions),
            MetricName: query.metricName,
            Namespace: query.namespace,
          },
          Period: query.periodSeconds,
          Stat: query.statistic.text,
          ...(query.unit ? { Unit: query.unit } : {}),
        },
      };
    });
    return { Metrics: metrics, ...common };
  }
  const query = alarm.queries[0]!;
  if (query.kind !== 'metric') throw new Error('a single-metric alarm must watch a metric');
  const extended = query.statistic.kind !== 'basic';
  return {
    MetricName: query.metricName,
    Namespace: query.namespace,
    StatisticType: extended ? 'ExtendedStatistic' : 'Statistic',
    ...(extended
      ? { ExtendedStatistic: query.statistic.text }
      : {
          Statistic:
            query.statistic.text === 'SampleCount' ? 'SAMPLE_COUNT' : query.statistic.text.toUpperCase(),
        }),
    Unit: query.unit ?? null,
    Dimensions: triggerDimensions(query.dimensions),
    ...common,
  };
}

function compositeFields(alarm: CompositeAlarmDefinition, transition: AlarmTransition) {
  return {
    AlarmRule: alarm.rule,
    TriggeringChildren: (transition.triggeringChildren ?? []).map((child) => ({
      Arn: child.arn,
      State: { Value: child.state, Timestamp: formatStateChangeTime(child.stateTransitionedAt) },
    })),
  };
}
