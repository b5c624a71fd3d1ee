/**
 * Posts each SNS message once although SNS (at-least-once) and Lambda's retries may deliver it
 * again. With a DynamoDB table this is Powertools idempotency keyed on the MessageId; without
 * one, a per-container memory. If the store cannot be used, or does not answer within its budget
 * (about a second), the alert is posted anyway: a duplicate beats a lost or late alert.
 */
import type { Context } from 'aws-lambda';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { StoreBudget } from './store-budget.js';
import { TIMED_OUT, createStoreBudget } from './store-budget.js';

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
  budget: StoreBudget = createStoreBudget(),
): DuplicateGuard {
  const config = new IdempotencyConfig({ expiresAfterSeconds });
  const postUnguarded = async <T>(key: string, fn: () => Promise<T>, why: string, error?: unknown) => {
    logger.warn('Idempotency store unavailable; posting without duplicate protection', {
      message_id: key,
      error: error === undefined ? why : errorName(error),
    });
    return { kind: 'ran' as const, value: await fn() };
  };
  return {
    registerContext(context) {
      if (context) config.registerLambdaContext(context);
    },
    async once<T>(key: string, fn: () => Promise<T>): Promise<GuardOutcome<T>> {
      if (budget.skipping()) return postUnguarded(key, fn, 'skipped after a timeout');

      // Settles when the store has claimed the key and `fn` has run (or was never needed).
      let claimed!: () => void;
      const claim = new Promise<'claimed'>((resolve) => (claimed = () => resolve('claimed')));
      let running: Promise<T> | undefined;
      /** Set when the claim took too long and `fn` was run without the store. */
      let unguarded: Promise<T> | undefined;
      const deliverOnce = makeIdempotent(
        async (_payload: { message_id: string }) => {
          // A claim that comes after the budget records what the unguarded post did.
          running = unguarded ?? fn();
          claimed();
          await running;
          return { delivered: true };
        },
        { persistenceStore, config, keyPrefix: 'slack-notifier' },
      );
      const whole = deliverOnce({ message_id: key }).then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error }),
      );

      const first = await budget.within(Promise.race([claim, whole]));
      // `running` is checked too: the claim may land in the same instant the budget runs out.
      if (first === TIMED_OUT && !running) {
        unguarded = fn();
        return postUnguarded(key, () => unguarded!, `no answer within the budget`);
      }
      if (first === 'claimed' || running) {
        const value = await running!; // a failure releases the key (Powertools deletes the record)
        const recorded = await budget.within(whole);
        if (recorded === TIMED_OUT || !recorded.ok) {
          // Delivered, but not recorded as done: a later duplicate may post again.
          logger.warn('Idempotency store could not record the delivery', {
            message_id: key,
            error: recorded === TIMED_OUT ? 'no answer within the budget' : errorName(recorded.error),
          });
        }
        return { kind: 'ran', value };
      }
      if (first === TIMED_OUT) throw new Error('unreachable: a timed-out claim either ran or posted');
      if (first.ok) return { kind: 'duplicate' };
      if (first.error instanceof Error && first.error.name === 'IdempotencyAlreadyInProgressError')
        return { kind: 'in_progress' };
      return postUnguarded(key, fn, '', first.error);
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
