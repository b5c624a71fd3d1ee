/**
 * One normalized model for every way an alarm state change reaches the notifier: SNS
 * notifications (metric, metric math, anomaly detection, composite) and EventBridge
 * "CloudWatch Alarm State Change" events. The message builder reads only this.
 */
import type { Severity } from '../../contract.js';

export type { Severity };

export const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

export type AlarmKind = 'metric' | 'metric-math' | 'anomaly-detection' | 'composite';

export interface MetricRef {
  namespace?: string;
  name: string;
  /** Always a map, whatever the wire format (SNS sends a list, EventBridge a map). */
  dimensions: Record<string, string>;
  /** `Sum`, `Average`, `p99`, ... (SNS's upper-case `SUM` is normalized). */
  stat?: string;
  periodSeconds?: number;
  unit?: string;
}

/** One entry of a metric-math or anomaly-detection alarm's `Metrics`. */
export interface MetricQuery {
  id: string;
  expression?: string;
  label?: string;
  metric?: MetricRef;
  returnData: boolean;
}

export interface ChildAlarm {
  name: string;
  arn?: string;
  state?: string;
}

export interface AlarmNotification {
  /** How it arrived: SNS, EventBridge, or CloudWatch invoking the function as an alarm action. */
  source: 'sns' | 'eventbridge' | 'lambda';
  /** SNS MessageId or EventBridge event id (else a digest of the content): the duplicate-suppression key. */
  messageId: string;
  kind: AlarmKind;
  alarmName: string;
  alarmArn?: string;
  description?: string;
  newState: AlarmState;
  oldState?: AlarmState;
  reason?: string;
  changedAt?: Date;
  /** Region code such as `eu-west-2`, taken from an ARN, never from the display name. */
  regionCode?: string;
  /** The display name SNS sends (`EU (London)`), shown when there is no code. */
  regionName?: string;
  accountId?: string;
  /** `aws`, `aws-cn`, `aws-us-gov`: decides the console domain. */
  partition: string;
  /** The watched metric of a single-metric alarm. */
  metric?: MetricRef;
  /** Metric-math and anomaly-detection queries. */
  queries: MetricQuery[];
  thresholdMetricId?: string;
  /** CloudWatch's ComparisonOperator, such as `GreaterThanThreshold`. */
  comparison?: string;
  threshold?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  /** `missing`, `notBreaching`, `breaching`, `ignore`. */
  treatMissingData?: string;
  alarmRule?: string;
  triggeringChildren: ChildAlarm[];
  tags: Record<string, string>;
  /** A composite alarm whose actions its suppressor alarm holds back (EventBridge, Lambda actions). */
  actionsSuppressed?: ActionsSuppression;
}

export interface ActionsSuppression {
  /** `WaitPeriod`, `ExtensionPeriod` or `Alarm`, as sent. */
  by: string;
  reason?: string;
  /** The suppressor alarm's name or ARN. */
  suppressor?: string;
}
