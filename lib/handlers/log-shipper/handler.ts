/**
 * CloudWatch Logs subscription → OpenSearch / Elasticsearch. Subscribed to the log groups the
 * LogShipping construct chose, it indexes each batch with `_bulk` into a daily index per service.
 *
 * Environment: see LOG_SHIPPER_ENV in the contract.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import type { LogShipperAuth } from '../../contract.js';
import {
  DEFAULT_LOG_INDEX_PREFIX,
  LOG_SHIPPER_API_KEY_PLACEHOLDER,
  LOG_SHIPPER_AUTHS,
  LOG_SHIPPER_ENV,
  LOG_SHIPPER_METRIC,
} from '../../contract.js';
import { businessMetrics, captureAwsClient, getLogger, withObservability } from '../../index.js';
import { sqsDeadLetters } from './dead-letter.js';
import type { ShipSummary, ShipperDeps, ShipperMetrics } from './ship.js';
import { createShipper } from './ship.js';
import { createTransport } from './transport.js';

export const SERVICE_NAME = 'log-shipper';
const SECRET_TIMEOUT_MS = 5_000;

export const shipperMetrics: ShipperMetrics = {
  shipped: (count) => businessMetrics.count(LOG_SHIPPER_METRIC.shipped, undefined, count),
  failed: (count) => businessMetrics.count(LOG_SHIPPER_METRIC.failed, undefined, count),
  skipped: (count) => businessMetrics.count(LOG_SHIPPER_METRIC.skipped, undefined, count),
  retries: (count) => businessMetrics.count(LOG_SHIPPER_METRIC.retries, undefined, count),
};

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`the log shipper needs ${name}; the LogShipping construct sets it`);
  return value;
}

/** The API key from Secrets Manager, read once per container (again after a failure). */
function secretApiKey(secretArn: string): () => Promise<string> {
  const client = captureAwsClient(new SecretsManagerClient({}));
  let key: Promise<string> | undefined;
  return () => {
    key ??= client
      .send(new GetSecretValueCommand({ SecretId: secretArn }), {
        abortSignal: AbortSignal.timeout(SECRET_TIMEOUT_MS),
      })
      .then((result) => {
        const value = result.SecretString?.trim();
        if (!value || value === LOG_SHIPPER_API_KEY_PLACEHOLDER) {
          throw new Error(`the API key secret ${secretArn} holds no API key yet; put the key in it`);
        }
        return value;
      })
      .catch((error: unknown) => {
        key = undefined;
        throw error;
      });
    return key;
  };
}

/** The production wiring, read from the environment once per container. */
export function createShipperDeps(env: NodeJS.ProcessEnv = process.env): ShipperDeps {
  const auth = required(env, LOG_SHIPPER_ENV.auth) as LogShipperAuth;
  if (!LOG_SHIPPER_AUTHS.includes(auth)) {
    throw new Error(`${LOG_SHIPPER_ENV.auth} must be one of ${LOG_SHIPPER_AUTHS.join(', ')}, got ${auth}`);
  }
  const send = createTransport({
    endpoint: required(env, LOG_SHIPPER_ENV.endpoint),
    auth,
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...(auth === 'api-key' ? { apiKey: secretApiKey(required(env, LOG_SHIPPER_ENV.apiKeySecretArn)) } : {}),
  });
  const logger = getLogger();
  return {
    send,
    indexPrefix: env[LOG_SHIPPER_ENV.indexPrefix]?.trim() || DEFAULT_LOG_INDEX_PREFIX,
    deadLetters: sqsDeadLetters(
      captureAwsClient(new SQSClient({})),
      required(env, LOG_SHIPPER_ENV.deadLetterQueueUrl),
    ),
    metrics: shipperMetrics,
    logger: {
      info: (message, fields) => logger.info(message, fields ?? {}),
      error: (message, fields) => logger.error(message, fields ?? {}),
    },
  };
}

/** A wrapped handler; `overrides` replace parts of the production wiring (tests, the sandbox). */
export function createHandler(overrides: Partial<ShipperDeps> = {}) {
  let ship: ReturnType<typeof createShipper> | undefined;
  return withObservability<unknown, ShipSummary>(
    async (event: unknown, context: Context) => {
      ship ??= createShipper({ ...createShipperDeps(), ...overrides });
      return ship(event, () => context.getRemainingTimeInMillis());
    },
    // Traced HTTP would carry the endpoint's Authorization header into every trace.
    { serviceName: SERVICE_NAME, captureHttpRequests: false },
  );
}

export const handler = createHandler();
