// The catalog API behind a REST API: items in DynamoDB, looked up by id or by category (a GSI);
// every new item is also queued for the audit worker. `x-fail: true` makes it fail.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const queue = new SQSClient({});
const reply = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  if (event.headers['x-fail'] === 'true') throw new Error('the catalog is down');
  const id = event.pathParameters?.id;
  if (event.httpMethod === 'POST') {
    const item = {
      pk: `item#${Date.now()}-${Math.random().toString(36).slice(2)}`,
      ...JSON.parse(event.body ?? '{}'),
    };
    await table.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: item }));
    await queue.send(
      new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(item) }),
    );
    return reply(201, item);
  }
  if (id) {
    const found = await table.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: id } }));
    return found.Item ? reply(200, found.Item) : reply(404, { message: 'no such item' });
  }
  const category = event.queryStringParameters?.category ?? 'none';
  const items = await table.send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      IndexName: 'byCategory',
      KeyConditionExpression: 'category = :category',
      ExpressionAttributeValues: { ':category': category },
    }),
  );
  return reply(200, { items: items.Items ?? [] });
};
