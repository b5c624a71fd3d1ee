/** The container's user cache: freshness and a bounded size. */
import { describe, expect, it } from '@jest/globals';
import { UserCache } from '../../../functions/orders-api/user-cache.js';
import type { User } from '../../../functions/orders-core/user.js';

const user = (id: string): User => ({
  id,
  email: `${id}@example.com`,
  name: id,
  createdAt: '2026-01-01T00:00:00.000Z',
  orderCount: 0,
  lifetimeSpend: 0,
});

describe('UserCache', () => {
  it('serves an entry until it expires', () => {
    let now = 1000;
    const cache = new UserCache({ ttlMs: 100, maxEntries: 10, now: () => now });
    cache.set(user('a'));
    now += 99;
    expect(cache.get('a')?.id).toBe('a');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the least recently stored entries beyond its size', () => {
    const cache = new UserCache({ ttlMs: 60_000, maxEntries: 2 });
    cache.set(user('a'));
    cache.set(user('b'));
    cache.set(user('a'));
    cache.set(user('c'));
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.id).toBe('a');
    expect(cache.get('c')?.id).toBe('c');
  });
});
