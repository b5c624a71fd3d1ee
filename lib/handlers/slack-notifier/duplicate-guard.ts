/**
 * Posts each SNS message once although SNS (at-least-once) and Lambda's retries may deliver it
 * again. With a DynamoDB table this is Powertools idempotency keyed on the MessageId; without
 * one, a per-container memory. If the store cannot be used, the alert is posted anyway: a
 * duplicate beats a lost alert.
 */
import type { Context } from 'aws-lambda';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';

export type GuardOutcome<T> =
  | { kind: 'ran'; value: T }
  /** Already done by an earlier delivery of the same message. */
  | { kind: 'duplicate' }
  /** Another invocation is delivering the same message right now. */
  | { kind: 'in_progress' };

export interface DuplicateGuard {
  /** Lets the store size in-progress locks to the invocation's remaining time. */
  registerContext(context: Context | undefined): void;
  /** Runs `fn` unless `key` was already done. If `fn` throws, the key is released and the error rethrown. */
  once<T>(key: string, fn: () => Promise<T>): Promise<GuardOutcome<T>>;
}

interface GuardLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Lambda keeps an asynchronous event for up to six hours while it retries, so a duplicate can
 * come that late.
 */
export const DUPLICATE_WINDOW_SECONDS = 6 * 3600;

export function createPowertoolsGuard(
  persistenceStore: BasePersistenceLayer,
  logger: GuardLogger,
  expiresAfterSeconds = DUPLICATE_WINDOW_SECONDS,
): DuplicateGuard {
  const config = new IdempotencyConfig({ expiresAfterSeconds });
  return {
    registerContext(context) {
      if (context) config.registerLambdaContext(context);
    },
    async once<T>(key: string, fn: () => Promise<T>): Promise<GuardOutcome<T>> {
      let ran = false;
      let result: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
      const deliverOnce = makeIdempotent(
        async (_payload: { message_id: string }) => {
          ran = true;
          try {
            result = { ok: true, value: await fn() };
          } catch (error) {
            result = { ok: false, error };
            throw error;
          }
          return { delivered: true };
        },
        { persistenceStore, config, keyPrefix: 'slack-notifier' },
      );
      try {
        await deliverOnce({ message_id: key });
      } catch (error) {
        if (ran && result) {
          if (!result.ok) throw result.error;
          // Delivered, but the record could not be completed: a later duplicate may post again.
          logger.warn('Idempotency store could not record the delivery', {
            message_id: key,
            error: errorName(error),
          });
          return { kind: 'ran', value: result.value };
        }
        if (error instanceof Error && error.name === 'IdempotencyAlreadyInProgressError')
          return { kind: 'in_progress' };
        logger.warn('Idempotency store unavailable; posting without duplicate protection', {
          message_id: key,
          error: errorName(error),
        });
        return { kind: 'ran', value: await fn() };
      }
      return ran && result?.ok ? { kind: 'ran', value: result.value } : { kind: 'duplicate' };
    },
  };
}

function errorName(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  const cause = error.cause instanceof Error ? `: ${error.cause.name}` : '';
  return `${error.name}${cause}`;
}

/** The per-container memory used when no idempotency table is configured. */
export function createMemoryGuard(
  expiresAfterSeconds = DUPLICATE_WINDOW_SECONDS,
  maxEntries = 10_000,
  now: () => number = Date.now,
): DuplicateGuard {
  const done = new Map<string, number>();
  const running = new Set<string>();
  return {
    registerContext() {},
    async once<T>(key: string, fn: () => Promise<T>): Promise<GuardOutcome<T>> {
      const expiry = done.get(key);
      if (expiry !== undefined && expiry > now()) return { kind: 'duplicate' };
      if (running.has(key)) return { kind: 'in_progress' };
      running.add(key);
      try {
        const value = await fn();
        done.delete(key);
        done.set(key, now() + expiresAfterSeconds * 1000);
        // Maps iterate in insertion order: the first entries are the oldest.
        while (done.size > maxEntries) done.delete(done.keys().next().value as string);
        return { kind: 'ran', value };
      } finally {
        running.delete(key);
      }
    },
  };
}
