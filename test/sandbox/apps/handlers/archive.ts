// Reads the announcements from its queue (subscribed to the topic, raw delivery) into the table.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';

const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: SQSEvent): Promise<void> => {
  for (const record of event.Records) {
    const { pk } = JSON.parse(record.body) as { pk: string };
    await table.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: { pk: `archive#${pk}` } }));
  }
};
