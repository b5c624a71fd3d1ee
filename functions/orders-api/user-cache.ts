/**
 * Users cached in the container, so repeated `GET /users/{id}` skip DynamoDB. Entries expire after
 * a short time (profiles change when the worker completes orders) and the oldest are dropped past
 * a size limit, so memory stays bounded in a long-lived container.
 */
import { recordCacheHit, recordCacheMiss } from 'lookout';
import type { User } from '../orders-core/user.js';

export const USER_CACHE_NAME = 'users';

export interface UserCacheOptions {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

export class UserCache {
  readonly #entries = new Map<string, { user: User; expiresAt: number }>();
  readonly #options: Required<UserCacheOptions>;

  constructor(options: UserCacheOptions) {
    this.#options = { now: Date.now, ...options };
  }

  /** The cached user, counting a hit or a miss. */
  get(id: string): User | undefined {
    const entry = this.#entries.get(id);
    if (entry && entry.expiresAt > this.#options.now()) {
      recordCacheHit(USER_CACHE_NAME);
      return entry.user;
    }
    if (entry) this.#entries.delete(id);
    recordCacheMiss(USER_CACHE_NAME);
    return undefined;
  }

  set(user: User): void {
    this.#entries.delete(user.id);
    this.#entries.set(user.id, { user, expiresAt: this.#options.now() + this.#options.ttlMs });
    while (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
