/** Route selection as API Gateway HTTP APIs do it. */
import { describe, expect, it } from '@jest/globals';
import { createRouter } from '../../../sandbox/gateway/index.js';

const router = createRouter(
  [
    'GET /orders/{id}',
    'GET /orders/stats',
    'POST /orders',
    'ANY /orders/{id}',
    'ANY /files/{proxy+}',
    'GET /',
    '$default',
  ].map((routeKey) => ({ routeKey, target: routeKey })),
);

describe('route selection', () => {
  it.each([
    ['GET', '/orders/42', 'GET /orders/{id}', { id: '42' }],
    ['GET', '/orders/stats', 'GET /orders/stats', undefined],
    ['DELETE', '/orders/42', 'ANY /orders/{id}', { id: '42' }],
    ['POST', '/orders', 'POST /orders', undefined],
    ['GET', '/files/a/b/c.txt', 'ANY /files/{proxy+}', { proxy: 'a/b/c.txt' }],
    ['GET', '/', 'GET /', undefined],
    ['GET', '/orders/42/', 'GET /orders/{id}', { id: '42' }],
    ['GET', '/orders/caf%C3%A9', 'GET /orders/{id}', { id: 'café' }],
    ['GET', '/nowhere', '$default', undefined],
    ['PUT', '/orders', '$default', undefined],
    ['GET', '/files', '$default', undefined],
  ])('%s %s → %s', (method, path, routeKey, pathParameters) => {
    const match = router.match(method, path);
    expect(match?.routeKey).toBe(routeKey);
    expect(match?.target).toBe(routeKey);
    expect(match?.pathParameters).toEqual(pathParameters);
  });

  it('matches nothing without a $default route', () => {
    const strict = createRouter([{ routeKey: 'GET /health', target: 1 }]);
    expect(strict.match('GET', '/health')?.routeKey).toBe('GET /health');
    expect(strict.match('POST', '/health')).toBeUndefined();
    expect(strict.match('GET', '/other')).toBeUndefined();
  });

  it.each([
    ['orders', 'Route key "orders" is not "METHOD /path" (or $default)'],
    ['GET /a/{b}/{c+}/d', 'a greedy parameter {c+} must come last'],
    ['GET /a/x{id}', 'a path parameter must be a whole segment'],
  ])('refuses the route key %s', (routeKey, message) => {
    expect(() => createRouter([{ routeKey, target: 1 }])).toThrow(message);
  });

  it('refuses a route key defined twice', () => {
    expect(() =>
      createRouter([
        { routeKey: 'GET /a', target: 1 },
        { routeKey: 'GET /a', target: 2 },
      ]),
    ).toThrow('Route key "GET /a" is defined twice');
  });
});

describe('route selection in a REST API resource tree', () => {
  // What LambdaRestApi synthesizes (ANY on the root and on {proxy+}) beside a resource tree.
  const rest = createRouter(
    [
      'ANY /',
      'ANY /{proxy+}',
      'GET /items',
      'GET /items/{id}',
      'DELETE /items/{id}',
      'GET /items/{id}/reviews',
    ].map((routeKey) => ({ routeKey, target: routeKey })),
  );

  it.each([
    ['GET', '/', 'ANY /', undefined],
    ['POST', '/', 'ANY /', undefined],
    ['GET', '/items', 'GET /items', undefined],
    ['GET', '/items/7', 'GET /items/{id}', { id: '7' }],
    ['DELETE', '/items/7', 'DELETE /items/{id}', { id: '7' }],
    ['GET', '/items/7/reviews', 'GET /items/{id}/reviews', { id: '7' }],
    ['PATCH', '/items/7', 'ANY /{proxy+}', { proxy: 'items/7' }],
    ['GET', '/anything/at/all', 'ANY /{proxy+}', { proxy: 'anything/at/all' }],
  ])('%s %s → %s', (method, path, routeKey, pathParameters) => {
    const match = rest.match(method, path);
    expect(match?.routeKey).toBe(routeKey);
    expect(match?.pathParameters).toEqual(pathParameters);
  });
});
