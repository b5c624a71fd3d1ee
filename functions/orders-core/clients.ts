/**
 * Container-wide setup shared by the API and the worker: required environment variables and the
 * AWS SDK clients. The SDK finds region, credentials and endpoint (AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_SQS) in the environment itself, which is how tests and the sandbox point it at
 * loopback.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { captureAwsClient } from 'lookout';

/**
 * Every AWS call gives up well inside the functions' 10 s timeout: 1 s to connect, 2 s for the
 * whole request, two attempts in all. A dependency that accepts connections and never answers then
 * costs a request about 4 s and a clear error (a 503 from the API, a retried message in the
 * worker), instead of running until Lambda kills the invocation with nothing recorded. The SDK's
 * defaults have no timeout at all, and without `throwOnRequestTimeout` it would only log a warning.
 */
export const AWS_CLIENT_LIMITS = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
} as const;

export function requireEnv(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`Environment variable ${name} is required but not set`);
  return value;
}

/** Call after withObservability() has been set up, so the client is captured by its tracer. */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(captureAwsClient(new DynamoDBClient({ ...AWS_CLIENT_LIMITS })), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Call after withObservability() has been set up, so the client is captured by its tracer. */
export const createSqsClient = (): SQSClient => captureAwsClient(new SQSClient({ ...AWS_CLIENT_LIMITS }));
