import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlarmFactory, AlarmTuning, LookoutAlarm } from '../alarms/alarm-factory.js';
import { describeWindow, tune } from '../alarms/alarm-factory.js';
import { ALARM_DEFAULTS } from '../alarms/defaults.js';
import { graph } from '../dashboard/widgets.js';
import { QueueMetricFactory } from '../metrics/queue-metric-factory.js';
import type { MonitoringSection } from './monitoring-section.js';

export interface QueueAlarms {
  /** Age of the oldest message, seconds. */
  readonly oldestMessageAge?: AlarmTuning;
  /** Messages in the dead-letter queue, count. */
  readonly deadLetterMessages?: AlarmTuning;
}

export interface QueueMonitoringProps {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue?: sqs.IQueue;
  readonly alarmFactory: AlarmFactory;
  readonly alarms?: QueueAlarms;
}

/** A work queue and its dead-letter queue: backlog, age of the oldest message, poison messages. */
export class QueueMonitoring extends Construct implements MonitoringSection {
  readonly title: string;
  readonly alarms: LookoutAlarm[] = [];
  private readonly queueMetrics: QueueMetricFactory;
  private readonly dlqMetrics: QueueMetricFactory | undefined;
  private readonly ageThreshold: number | undefined;

  constructor(scope: Construct, id: string, props: QueueMonitoringProps) {
    super(scope, id);
    this.title = `Queue ${id}`;
    this.queueMetrics = new QueueMetricFactory(props.queue);
    this.dlqMetrics = props.deadLetterQueue ? new QueueMetricFactory(props.deadLetterQueue) : undefined;
    const factory = props.alarmFactory.child(id);

    const age = tune(ALARM_DEFAULTS.queueOldestMessageAge, props.alarms?.oldestMessageAge);
    this.ageThreshold = age?.threshold;
    if (age) {
      this.alarms.push(
        factory.create(this, {
          id: 'OldestMessageAge',
          metric: this.queueMetrics.oldestMessageAge(),
          comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
          tuning: age,
          meaning: `The oldest message in queue ${id} has waited more than ${age.threshold} s ${describeWindow(age)}; the consumer is stuck or too slow.`,
          firstStep:
            "check the consumer function's errors and throttles widgets, and its event source mapping is enabled.",
        }),
      );
    }

    const dlq = this.dlqMetrics
      ? tune(ALARM_DEFAULTS.deadLetterMessages, props.alarms?.deadLetterMessages)
      : undefined;
    if (this.dlqMetrics && dlq) {
      this.alarms.push(
        factory.create(this, {
          id: 'DeadLetterMessages',
          metric: this.dlqMetrics.visibleMessages(),
          comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
          tuning: dlq,
          meaning: `More than ${dlq.threshold} messages of queue ${id} ended in its dead-letter queue ${describeWindow(dlq)}: they failed every retry.`,
          firstStep:
            'read one message from the dead-letter queue and the consumer\'s "errors" query for its correlation_id; redrive after the fix.',
        }),
      );
    }
  }

  widgetRows(): cw.IWidget[][] {
    const widgets: cw.IWidget[] = [
      graph(`${this.node.id}: messages`, [
        this.queueMetrics.sentMessages(),
        this.queueMetrics.visibleMessages(),
      ]),
      graph(`${this.node.id}: oldest message age (s)`, [this.queueMetrics.oldestMessageAge()], {
        lines: this.ageThreshold === undefined ? [] : [{ value: this.ageThreshold, label: 'alarm' }],
      }),
    ];
    if (this.dlqMetrics) {
      widgets.push(graph(`${this.node.id}: dead-letter messages`, [this.dlqMetrics.visibleMessages()]));
    }
    return [widgets];
  }
}
