/**
 * The demo orders API (API Gateway HTTP API, payload v2; also Function URLs and `$default` routes).
 * Environment: TABLE_NAME, ORDERS_QUEUE_URL; DEMO_FAULTS_ENABLED and DEMO_* for the demo fault knobs.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { withObservability } from 'lookout';
import { cpuProfiler } from 'lookout/profiling';
import { createDocumentClient, createSqsClient, requireEnv } from '../orders-core/clients.js';
import { OrdersStore } from '../orders-core/store.js';
import type { Dependencies } from './dependencies.js';
import type { HttpResponse } from './http.js';
import { OrderQueue } from './order-queue.js';
import { dispatch, ROUTE_TEMPLATES, SERVICE_NAME } from './routes.js';
import { countInvocation } from './service-info.js';
import { UserCache } from './user-cache.js';

export const handler = withObservability<APIGatewayProxyEventV2, HttpResponse>(
  async (event) => {
    countInvocation();
    return dispatch(event, deps);
  },
  // The profiler takes its settings from the environment ObservedFunction's `profiling` sets.
  { serviceName: SERVICE_NAME, routes: ROUTE_TEMPLATES, profiler: cpuProfiler() },
);

// Created once per container, after withObservability so that the clients are traced.
const deps: Dependencies = {
  store: new OrdersStore(createDocumentClient(), requireEnv('TABLE_NAME')),
  orderQueue: new OrderQueue(createSqsClient(), requireEnv('ORDERS_QUEUE_URL')),
  userCache: new UserCache({ ttlMs: 30_000, maxEntries: 1000 }),
  now: () => new Date(),
};
