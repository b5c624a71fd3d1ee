/**
 * The API's routes, and the dispatch from a payload v2 event to one of them. Errors become JSON
 * responses: client errors as given, anything unexpected as a 5xx without internals (the details
 * go to the log, with the correlation id).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { getLogger } from 'lookout';
import { StoreError } from '../orders-core/store.js';
import { demoFaultsFor, injectDemoFaults } from './demo-faults.js';
import type { Dependencies, RouteHandler } from './dependencies.js';
import type { ApiRequest, HttpResponse } from './http.js';
import { errorResponse, HttpError, json } from './http.js';
import { createOrder, getOrder } from './orders.js';
import type { Route } from './router.js';
import { createRouter } from './router.js';
import { health } from './service-info.js';
import { hourlyStats } from './stats.js';
import { getUser, login, registerUser } from './users.js';

export const SERVICE_NAME = 'orders';

const hello: RouteHandler = async () =>
  json(200, {
    service: SERVICE_NAME,
    message: 'Hello from the Lookout demo orders service',
    routes: router.templates,
  });

const routes: Route<RouteHandler>[] = [
  { method: 'GET', path: '/', handler: hello },
  { method: 'GET', path: '/health', handler: async (_request, deps) => health(SERVICE_NAME, deps.now()) },
  { method: 'POST', path: '/users', handler: registerUser },
  { method: 'GET', path: '/users/{id}', handler: getUser },
  { method: 'POST', path: '/login', handler: login },
  { method: 'POST', path: '/orders', handler: createOrder },
  { method: 'GET', path: '/orders/{id}', handler: getOrder },
  { method: 'GET', path: '/stats/hourly', handler: hourlyStats },
];

const router = createRouter(routes);

/** Route templates (`GET /orders/{id}`), for the `routes` option of withObservability. */
export const ROUTE_TEMPLATES = router.templates;

/** Paths never slowed down or failed by the demo fault knobs, so "service down" means down. */
const FAULT_FREE_PATHS = new Set(['/health']);

function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof StoreError) {
    getLogger().error('Storage call failed', { error });
    return error.retryable
      ? new HttpError(
          503,
          'storage_unavailable',
          'The service is temporarily unavailable; try again',
          {},
          {
            'retry-after': '1',
          },
        )
      : new HttpError(500, 'internal_error', 'Internal server error');
  }
  getLogger().error('Unhandled error', { error });
  return new HttpError(500, 'internal_error', 'Internal server error');
}

export async function dispatch(event: APIGatewayProxyEventV2, deps: Dependencies): Promise<HttpResponse> {
  const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
  const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
  const match = router.match(method, path, event.routeKey, event.pathParameters);
  if (match.kind === 'not_found') {
    return errorResponse(new HttpError(404, 'not_found', `No route for ${method} ${path}`));
  }
  if (match.kind === 'method_not_allowed') {
    return errorResponse(
      new HttpError(
        405,
        'method_not_allowed',
        `${method} is not allowed here`,
        { allowed: match.allowed },
        {
          allow: match.allowed.join(', '),
        },
      ),
    );
  }
  const request: ApiRequest = {
    method,
    path,
    params: match.params,
    query: Object.fromEntries(
      Object.entries(event.queryStringParameters ?? {}).flatMap(([key, value]) =>
        value === undefined ? [] : [[key, value]],
      ),
    ),
    headers: lowerCaseHeaders(event.headers),
    body: event.body,
    isBase64Encoded: event.isBase64Encoded ?? false,
  };
  try {
    if (!FAULT_FREE_PATHS.has(match.route.path)) {
      const faults = demoFaultsFor(request.headers);
      if (faults) await injectDemoFaults(faults);
    }
    return await match.route.handler(request, deps);
  } catch (error) {
    return errorResponse(toHttpError(error));
  }
}
