/**
 * What the routes need from the outside world, created once per container by handler.ts and
 * passed in, so routes stay plain functions of (request, dependencies).
 */
import type { OrdersStore } from '../orders-core/store.js';
import type { ApiRequest, HttpResponse } from './http.js';
import type { OrderQueue } from './order-queue.js';
import type { UserCache } from './user-cache.js';

export interface Dependencies {
  store: OrdersStore;
  orderQueue: OrderQueue;
  userCache: UserCache;
  now: () => Date;
}

export type RouteHandler = (request: ApiRequest, deps: Dependencies) => Promise<HttpResponse>;
