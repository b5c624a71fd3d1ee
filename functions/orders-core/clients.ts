/**
 * Container-wide setup shared by the API and the worker: required environment variables and the
 * DynamoDB document client. The SDK finds region, credentials and endpoint (AWS_ENDPOINT_URL_DYNAMODB)
 * in the environment itself, which is how tests and the sandbox point it at loopback.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { captureAwsClient } from 'lookout';

export function requireEnv(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`Environment variable ${name} is required but not set`);
  return value;
}

/** Call after withObservability() has been set up, so the client is captured by its tracer. */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(captureAwsClient(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
