/** Route matching for payload v2 events: route keys, raw paths, parameters, 404 and 405. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createRouter } from '../../../functions/orders-api/router.js';

const router = createRouter([
  { method: 'GET', path: '/', handler: 'root' },
  { method: 'GET', path: '/orders/{id}', handler: 'getOrder' },
  { method: 'POST', path: '/orders', handler: 'createOrder' },
  { method: 'GET', path: '/stats/hourly', handler: 'stats' },
]);

describe('router', () => {
  it('lists the templates lib/ uses to name routes in metrics', () => {
    expect(router.templates).toEqual(['GET /', 'GET /orders/{id}', 'POST /orders', 'GET /stats/hourly']);
  });

  it('matches raw paths for $default routes, decoding parameters', () => {
    expect(router.match('get', '/orders/a%20b', '$default')).toEqual({
      kind: 'found',
      route: expect.objectContaining({ handler: 'getOrder' }),
      params: { id: 'a b' },
    });
    expect(router.match('GET', '/', '$default')).toMatchObject({ kind: 'found', params: {} });
  });

  it('trusts a template route key and API Gateway path parameters', () => {
    const match = router.match('GET', '/prod/orders/42', 'GET /orders/{id}', { id: '42' });
    expect(match).toMatchObject({ kind: 'found', params: { id: '42' } });
  });

  it('falls back to the path when the route key is not one of ours', () => {
    expect(router.match('POST', '/orders', 'ANY /{proxy+}')).toMatchObject({ kind: 'found' });
  });

  it('does not let a parameter span segments or take a malformed escape', () => {
    expect(router.match('GET', '/orders/1/2')).toEqual({ kind: 'not_found' });
    expect(router.match('GET', '/orders/%E0%A4%A')).toEqual({ kind: 'not_found' });
    expect(router.match('GET', '/stats/hourlyX')).toEqual({ kind: 'not_found' });
  });

  it('tells a wrong method (405, with what is allowed) from an unknown path (404)', () => {
    expect(router.match('DELETE', '/orders')).toEqual({ kind: 'method_not_allowed', allowed: ['POST'] });
    expect(router.match('GET', '/nope')).toEqual({ kind: 'not_found' });
  });

  it('returns any single-segment id exactly as it was encoded', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (id) => {
        const match = router.match('GET', `/orders/${encodeURIComponent(id)}`);
        expect(match).toMatchObject({ kind: 'found', params: { id } });
      }),
    );
  });
});
