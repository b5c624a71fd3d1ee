/**
 * How long the notifier waits for its DynamoDB table (duplicate guard, alarm order) before it
 * posts without it. A table that accepts connections and never answers must not delay or drop an
 * alert: each call gets a small budget, and once one has run out the table is skipped for a while,
 * so the rest of a batch pays nothing.
 */

/** Every AWS SDK client of the notifier: fail fast, well inside the 30 s function timeout. */
export const AWS_CLIENT_CONFIG = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
} as const;

export const TIMED_OUT: unique symbol = Symbol('timed out');

export interface StoreBudget {
  /** True while the table is being skipped after a call ran out of time. */
  skipping(): boolean;
  /** `work`'s result, or `TIMED_OUT` once the budget has passed (the table is then skipped). */
  within<T>(work: Promise<T>): Promise<T | typeof TIMED_OUT>;
}

export interface StoreBudgetOptions {
  /** Longest wait for one call, in ms. Default 1000. */
  budgetMs?: number;
  /** How long the table is skipped after a call ran out of time, in ms. Default 30 000. */
  skipForMs?: number;
  now?: () => number;
}

export function createStoreBudget(options: StoreBudgetOptions = {}): StoreBudget {
  const budgetMs = options.budgetMs ?? 1000;
  const skipForMs = options.skipForMs ?? 30_000;
  const now = options.now ?? Date.now;
  let skipUntil = 0;
  return {
    skipping: () => now() < skipUntil,
    async within<T>(work: Promise<T>): Promise<T | typeof TIMED_OUT> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), budgetMs);
      });
      try {
        const outcome = await Promise.race([work, timeout]);
        if (outcome === TIMED_OUT) {
          skipUntil = now() + skipForMs;
          // The call goes on in the background; whatever it ends with is no longer awaited.
          work.catch(() => undefined);
        }
        return outcome;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
