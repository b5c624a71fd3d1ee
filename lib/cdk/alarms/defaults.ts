import { Duration } from 'aws-cdk-lib';
import type { ResolvedTuning } from './alarm-factory.js';

const oneMinute = Duration.minutes(1);
const fiveMinutes = Duration.minutes(5);

/** Over one 5-minute window: rates, where a single minute is too noisy. */
function overFiveMinutes(threshold: number, severity: ResolvedTuning['severity']): ResolvedTuning {
  return { threshold, period: fiveMinutes, evaluationPeriods: 1, datapointsToAlarm: 1, severity };
}

/** Every minute for five minutes in a row: sustained conditions ("for: 5m" in Prometheus terms). */
function sustainedFiveMinutes(threshold: number, severity: ResolvedTuning['severity']): ResolvedTuning {
  return { threshold, period: oneMinute, evaluationPeriods: 5, datapointsToAlarm: 5, severity };
}

/** Any single minute: events that should never happen. */
function anyMinute(threshold: number, severity: ResolvedTuning['severity']): ResolvedTuning {
  return { threshold, period: oneMinute, evaluationPeriods: 1, datapointsToAlarm: 1, severity };
}

/**
 * Default tuning of every Lookout alarm. Each threshold is in the unit named in the comment; any
 * field can be overridden per alarm through the monitoring constructs' `alarms` props.
 */
export const ALARM_DEFAULTS = {
  /** HTTP 5xx responses as a percentage of requests (library metrics). */
  httpErrorRate: overFiveMinutes(10, 'critical'),
  /** p95 of the library's HTTP `Latency`, in milliseconds. */
  httpLatencyP95: sustainedFiveMinutes(1000, 'warning'),
  /** Lambda `Errors` as a percentage of `Invocations`. */
  lambdaErrorRate: overFiveMinutes(10, 'critical'),
  /** p99 of Lambda `Duration` as a percentage of the function's timeout. */
  durationP99: sustainedFiveMinutes(80, 'warning'),
  /** The library's `MemoryUtilization`, percent of the configured memory (maximum per minute). */
  memoryUtilization: sustainedFiveMinutes(80, 'warning'),
  /** Lambda `Throttles`, count per minute (alarms above the threshold). */
  throttles: anyMinute(0, 'warning'),
  /** Lambda `ConcurrentExecutions` as a percentage of the reserved concurrency. */
  concurrency: { ...sustainedFiveMinutes(80, 'warning'), evaluationPeriods: 3, datapointsToAlarm: 3 },
  /** Async events lost: dead-letter errors + destination delivery failures + dropped events, count. */
  asyncDeliveryFailures: anyMinute(0, 'warning'),
  /** Failed or timed-out `timeDbQuery` calls as a percentage of all of them. */
  dbErrorRate: overFiveMinutes(5, 'critical'),
  /** p95 of `DbQueryLatency`, in milliseconds. */
  dbLatencyP95: sustainedFiveMinutes(500, 'warning'),
  /** Minimum `HealthCheckSuccess` per minute; the alarm fires below the threshold. */
  serviceDown: {
    threshold: 1,
    period: oneMinute,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    severity: 'critical',
  },
  /** SQS `ApproximateAgeOfOldestMessage`, in seconds. */
  queueOldestMessageAge: sustainedFiveMinutes(300, 'warning'),
  /** Messages waiting in a dead-letter queue (alarms above the threshold). */
  deadLetterMessages: anyMinute(0, 'warning'),
  /** The Slack notifier's own Lambda `Errors`, count (alarms above the threshold). */
  notifierErrors: anyMinute(0, 'critical'),
  /** The Slack notifier's `AlertsFailed`, count (alarms above the threshold). */
  alertsFailed: anyMinute(0, 'critical'),
  /** Notifier async events lost outright: destination failures + dead-letter errors + dropped events, count. */
  notifierLostEvents: anyMinute(0, 'critical'),
  /** Alerts parked in the notifier's on-failure queue (alarms above the threshold). */
  undeliveredAlerts: anyMinute(0, 'critical'),
  /** SNS deliveries from the alarm topic that failed, count (alarms above the threshold). */
  alarmTopicDeliveryFailures: anyMinute(0, 'critical'),
} satisfies Record<string, ResolvedTuning>;
