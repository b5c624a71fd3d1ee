// A scheduled job: notes each run, with the time EventBridge says it was scheduled for.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';

const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: ScheduledEvent): Promise<void> => {
  await table.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: { pk: `tick#${event.time}` } }));
};
