// The audit worker on the catalog's queue: records each new item and announces it on EventBridge.
// An item named "poison" always fails, and only its record is reported back as failed.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const bus = new EventBridgeClient({});

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const item = JSON.parse(record.body) as { pk: string; name?: string };
    if (item.name === 'poison') {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    await table.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: { pk: `audit#${item.pk}` } }));
    await bus.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'examples.catalog', DetailType: 'ItemAudited', Detail: JSON.stringify({ pk: item.pk }) },
        ],
      }),
    );
  }
  return { batchItemFailures };
};
