import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/** SQS metrics for one queue (namespace AWS/SQS, by QueueName). */
export class QueueMetricFactory {
  constructor(readonly queue: sqs.IQueue) {}

  private metric(metricName: string, statistic: string, label: string) {
    return new cw.Metric({
      namespace: 'AWS/SQS',
      metricName,
      statistic,
      dimensionsMap: { QueueName: this.queue.queueName },
      label,
    });
  }

  visibleMessages() {
    return this.metric('ApproximateNumberOfMessagesVisible', 'Maximum', 'visible messages');
  }
  oldestMessageAge() {
    return this.metric('ApproximateAgeOfOldestMessage', 'Maximum', 'oldest message age (s)');
  }
  sentMessages() {
    return this.metric('NumberOfMessagesSent', 'Sum', 'sent');
  }
}
