import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';

/** SNS metrics for one topic (namespace AWS/SNS, by TopicName). */
export class TopicMetricFactory {
  constructor(readonly topic: sns.ITopic) {}

  private metric(metricName: string, statistic: string, label: string) {
    return new cw.Metric({
      namespace: 'AWS/SNS',
      metricName,
      statistic,
      dimensionsMap: { TopicName: this.topic.topicName },
      label,
    });
  }

  published() {
    return this.metric('NumberOfMessagesPublished', 'Sum', 'published');
  }
  deliveryFailures() {
    return this.metric('NumberOfNotificationsFailed', 'Sum', 'deliveries failed');
  }
}
