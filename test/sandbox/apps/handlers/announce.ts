// Runs on the ItemAudited rule: publishes the item to the announcements topic.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { EventBridgeEvent } from 'aws-lambda';

const topic = new SNSClient({});

export const handler = async (event: EventBridgeEvent<'ItemAudited', { pk: string }>): Promise<void> => {
  await topic.send(
    new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: JSON.stringify(event.detail) }),
  );
};
