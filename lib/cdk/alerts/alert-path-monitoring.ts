import type * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlarmFactory, AlarmTuning, LookoutAlarm } from '../alarms/alarm-factory.js';
import { tune } from '../alarms/alarm-factory.js';
import { ALARM_DEFAULTS } from '../alarms/defaults.js';
import { graph } from '../dashboard/widgets.js';
import { LambdaMetricFactory } from '../metrics/lambda-metric-factory.js';
import { LookoutMetricFactory } from '../metrics/lookout-metric-factory.js';
import { QueueMetricFactory } from '../metrics/queue-metric-factory.js';
import { TopicMetricFactory } from '../metrics/topic-metric-factory.js';
import type { MonitoringSection } from '../monitoring/monitoring-section.js';
import { NOTIFIER_METRIC } from '../../contract.js';
import type { IObservedFunction } from '../observed-function.js';

/** Alarms on the alerting path itself; all counts, firing above the threshold. */
export interface AlertPathAlarms {
  /** The notifier function's Lambda Errors. */
  readonly notifierErrors?: AlarmTuning;
  /** The notifier's AlertsFailed (Slack refused or never answered). */
  readonly alertsFailed?: AlarmTuning;
  /** Notifications Lambda could not even park (destination or dead-letter writes failed, or dropped). */
  readonly notifierLostEvents?: AlarmTuning;
  /** Notifications parked in the undelivered-alerts queue. */
  readonly undeliveredAlerts?: AlarmTuning;
  /** Alarm-topic deliveries SNS gave up on. */
  readonly alarmTopicDeliveryFailures?: AlarmTuning;
}

export interface AlertPathMonitoringProps {
  readonly notifier: IObservedFunction;
  readonly alarmTopic: sns.ITopic;
  readonly undeliveredQueue: sqs.IQueue;
  /** Must send to a topic that does not depend on the notifier. */
  readonly alarmFactory: AlarmFactory;
  readonly alarms?: AlertPathAlarms;
}

/**
 * Watches the path an alarm takes to Slack (alarm topic, notifier, Slack). These alarms report
 * to a second topic, because a broken notifier cannot announce its own failure.
 */
export class AlertPathMonitoring extends Construct implements MonitoringSection {
  readonly title = 'Alert path (alarm topic → notifier → Slack)';
  readonly alarms: LookoutAlarm[] = [];
  private readonly lambdaMetrics: LambdaMetricFactory;
  private readonly notifierMetrics: LookoutMetricFactory;
  private readonly queueMetrics: QueueMetricFactory;
  private readonly topicMetrics: TopicMetricFactory;

  constructor(scope: Construct, id: string, props: AlertPathMonitoringProps) {
    super(scope, id);
    this.lambdaMetrics = new LambdaMetricFactory(props.notifier);
    this.notifierMetrics = new LookoutMetricFactory(
      props.notifier.metricsNamespace,
      props.notifier.serviceName,
    );
    this.queueMetrics = new QueueMetricFactory(props.undeliveredQueue);
    this.topicMetrics = new TopicMetricFactory(props.alarmTopic);
    const alarms = props.alarms ?? {};
    const checks = [
      {
        id: 'NotifierErrors',
        tuning: tune(ALARM_DEFAULTS.notifierErrors, alarms.notifierErrors),
        metric: this.lambdaMetrics.errors(),
        meaning: (window: string) =>
          `The Slack notifier function failed ${window}; alarms may not reach Slack.`,
        firstStep:
          'read the notifier\'s "errors" query: a secret that is still the placeholder, a malformed webhook JSON, or a Slack outage each show up there.',
      },
      {
        id: 'AlertsFailed',
        tuning: tune(ALARM_DEFAULTS.alertsFailed, alarms.alertsFailed),
        metric: this.notifierMetrics.metric(NOTIFIER_METRIC.failed, 'Sum', {}, 'alerts failed'),
        meaning: (window: string) => `Slack did not accept alert messages ${window}.`,
        firstStep:
          'check the webhook URL in the secret is still valid (Slack revokes webhooks of removed apps) and look at the notifier logs for the HTTP status.',
      },
      {
        id: 'NotifierLostEvents',
        tuning: tune(ALARM_DEFAULTS.notifierLostEvents, alarms.notifierLostEvents),
        metric: this.lambdaMetrics.lostAsyncEvents('lost notifications'),
        meaning: (window: string) =>
          `Alarm notifications were lost ${window}: Lambda could not write them to the undelivered-alerts queue, or dropped them.`,
        firstStep:
          'check the queue still exists and the notifier role may send to it; these notifications are gone, so review the alarm history in CloudWatch for what was missed.',
      },
      {
        id: 'UndeliveredAlerts',
        tuning: tune(ALARM_DEFAULTS.undeliveredAlerts, alarms.undeliveredAlerts),
        metric: this.queueMetrics.visibleMessages(),
        meaning: (window: string) =>
          `Alarm notifications failed every retry and were parked in the undelivered-alerts queue ${window}; someone missed an alert.`,
        firstStep:
          'read the parked messages in the queue to see which alarms were missed and handle those first, then fix the notifier.',
      },
      {
        id: 'AlarmTopicDeliveryFailures',
        tuning: tune(ALARM_DEFAULTS.alarmTopicDeliveryFailures, alarms.alarmTopicDeliveryFailures),
        metric: this.topicMetrics.deliveryFailures(),
        meaning: (window: string) => `SNS could not deliver alarm notifications to a subscriber ${window}.`,
        firstStep:
          "check the notifier's resource policy and that the function still exists; SNS delivery logs show the reason.",
      },
    ];
    this.alarms.push(...props.alarmFactory.createCountAlarms(this, checks));
  }

  widgetRows(): cw.IWidget[][] {
    const m = this.notifierMetrics;
    return [
      [
        graph('Alerts delivered, failed, malformed', [
          m.metric(NOTIFIER_METRIC.delivered, 'Sum', {}, 'delivered'),
          m.metric(NOTIFIER_METRIC.failed, 'Sum', {}, 'failed'),
          m.metric(NOTIFIER_METRIC.malformed, 'Sum', {}, 'malformed'),
        ]),
        graph(
          'Slack delivery latency (ms) and retries',
          [
            m.metric(NOTIFIER_METRIC.latency, 'p50', {}, 'p50'),
            m.metric(NOTIFIER_METRIC.latency, 'p99', {}, 'p99'),
          ],
          {
            right: [m.metric(NOTIFIER_METRIC.retries, 'Sum', {}, 'retries')],
            rightLabel: 'retries',
          },
        ),
        graph(
          'Alarm topic and undelivered alerts',
          [this.topicMetrics.published(), this.topicMetrics.deliveryFailures(), this.lambdaMetrics.errors()],
          {
            right: [this.queueMetrics.visibleMessages()],
            rightLabel: 'parked',
          },
        ),
      ],
    ];
  }
}
