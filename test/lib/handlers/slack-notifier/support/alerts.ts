/** Fixtures (CloudWatch alarm notifications written from AWS's documented shapes) and SNS events. */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { SNSEvent, SNSEventRecord } from 'aws-lambda';

export type FixtureName =
  | 'metric-alarm'
  | 'metric-alarm-ok'
  | 'metric-alarm-quirks'
  | 'metric-math-alarm'
  | 'anomaly-alarm'
  | 'composite-alarm'
  | 'eventbridge-metric-alarm'
  | 'eventbridge-math-alarm-ok'
  | 'eventbridge-composite-alarm'
  | 'eventbridge-composite-suppressed'
  | 'eventbridge-configuration-change'
  | 'lambda-action-metric-alarm'
  | 'lambda-action-composite-alarm'
  | 'sns-event';

export function fixture(name: FixtureName): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

export const ALARM_TOPIC_ARN = 'arn:aws:sns:eu-west-2:123456789012:lookout-alarms';

export interface SnsRecordOptions {
  messageId?: string;
  subject?: string;
  topicArn?: string;
}

/** An SNS record whose Message is `message` (objects are serialized as CloudWatch does). */
export function snsRecord(message: unknown, options: SnsRecordOptions = {}): SNSEventRecord {
  const topicArn = options.topicArn ?? ALARM_TOPIC_ARN;
  return {
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: `${topicArn}:${randomUUID()}`,
    Sns: {
      Type: 'Notification',
      MessageId: options.messageId ?? randomUUID(),
      TopicArn: topicArn,
      Subject: options.subject ?? 'ALARM: "alarm" in EU (London)',
      Message: typeof message === 'string' ? message : JSON.stringify(message),
      Timestamp: new Date().toISOString(),
      SignatureVersion: '1',
      Signature: 'EXAMPLE',
      SigningCertUrl: 'https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-0000.pem',
      UnsubscribeUrl: 'https://sns.eu-west-2.amazonaws.com/?Action=Unsubscribe',
      MessageAttributes: {},
    },
  };
}

export function snsEvent(...records: SNSEventRecord[]): SNSEvent {
  return { Records: records };
}
