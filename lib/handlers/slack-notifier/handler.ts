/**
 * SNS → Slack alert notifier. Subscribed to the alarm topic (or targeted by an EventBridge rule
 * for "CloudWatch Alarm State Change"), it posts each alarm state change to Slack.
 *
 * Environment: SLACK_WEBHOOK_SECRET_ARN (Secrets Manager; a URL or {"critical","warning"} JSON),
 * SLACK_WEBHOOK_URL (same formats, local use, wins when set), IDEMPOTENCY_TABLE_NAME (optional).
 */
import type { Context } from 'aws-lambda';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NOTIFIER_METRIC } from '../../contract.js';
import { businessMetrics, captureAwsClient, getLogger, traced, withObservability } from '../../index.js';
import { createDynamoOrder, createMemoryOrder } from './alarm-order.js';
import { createMemoryGuard, createPowertoolsGuard } from './duplicate-guard.js';
import type { AlertMetrics, NotifierDeps, NotifierLogger, NotifySummary } from './notify.js';
import { notify } from './notify.js';
import { AWS_CLIENT_CONFIG, createStoreBudget } from './store-budget.js';
import { createWebhookSource } from './webhooks.js';

export const SERVICE_NAME = 'slack-notifier';

export const alertMetrics: AlertMetrics = {
  delivered: () => businessMetrics.count(NOTIFIER_METRIC.delivered),
  failed: () => businessMetrics.count(NOTIFIER_METRIC.failed),
  malformed: () => businessMetrics.count(NOTIFIER_METRIC.malformed),
  latency: (ms) => businessMetrics.duration(NOTIFIER_METRIC.latency, ms),
  retries: (count) => businessMetrics.count(NOTIFIER_METRIC.retries, undefined, count),
};

/** Always the logger of the running invocation. */
const logger: NotifierLogger = {
  info: (message, fields) => getLogger().info(message, fields ?? {}),
  warn: (message, fields) => getLogger().warn(message, fields ?? {}),
  error: (message, fields) => getLogger().error(message, fields ?? {}),
};

/** The production wiring, read from the environment once per container. */
export function createNotifierDeps(env: NodeJS.ProcessEnv = process.env): NotifierDeps {
  const table = env.IDEMPOTENCY_TABLE_NAME?.trim();
  const webhooks = createWebhookSource({ env, instrumentClient: captureAwsClient });
  if (!table) {
    const duplicates = createMemoryGuard();
    return { logger, metrics: alertMetrics, webhooks, duplicates, order: createMemoryOrder(), trace: traced };
  }
  const client = captureAwsClient(new DynamoDBClient(AWS_CLIENT_CONFIG));
  // One budget for both uses of the table: once it has timed out, neither waits for it again soon.
  const budget = createStoreBudget();
  const store = new DynamoDBPersistenceLayer({ tableName: table, awsSdkV3Client: client });
  return {
    logger,
    metrics: alertMetrics,
    webhooks,
    duplicates: createPowertoolsGuard(store, logger, undefined, budget),
    order: createDynamoOrder(client, table, logger, budget),
    trace: traced,
  };
}

/** A wrapped handler; `overrides` replace parts of the production wiring (tests, the sandbox). */
export function createHandler(overrides: Partial<NotifierDeps> = {}) {
  let deps: NotifierDeps | undefined;
  return withObservability<unknown, NotifySummary>(
    async (event: unknown, context: Context) => {
      deps ??= { ...createNotifierDeps(), ...overrides };
      return notify(event, context, deps);
    },
    // Tracing outgoing HTTP would record the webhook URL, token included, in every trace.
    { serviceName: SERVICE_NAME, captureHttpRequests: false },
  );
}

export const handler = createHandler();
