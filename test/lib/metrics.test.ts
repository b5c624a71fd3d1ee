import { afterEach, describe, expect, it } from '@jest/globals';
import { expectValidEmf, metricValues, unitOf } from './emf.js';
import type { CapturedOutput } from './support.js';
import { captureOutput, events, lambdaContext, setLambdaEnv } from './support.js';

setLambdaEnv({ POWERTOOLS_TRACE_ENABLED: 'false' });
const lookout = await import('../../lib/index.js');
const { withObservability, timeDbQuery, recordCacheHit, recordCacheMiss, businessMetrics } = lookout;

let output: CapturedOutput;
afterEach(() => output?.restore());

async function run(
  handler: (event: never, context: never) => Promise<unknown>,
  event: unknown,
  context = lambdaContext(),
) {
  output = captureOutput();
  let outcome: { result?: unknown; error?: unknown };
  try {
    outcome = { result: await handler(event as never, context as never) };
  } catch (error) {
    outcome = { error };
  }
  output.restore();
  const emf = output.emf();
  expectValidEmf(emf);
  return { ...outcome, emf };
}

const svc = { service: 'orders' };

describe('HTTP metrics', () => {
  it('counts requests, latency, 5xx and 4xx per route template and for the whole service', async () => {
    const handler = withObservability(async (event: { rawPath: string }) => ({
      statusCode: event.rawPath.endsWith('404') ? 404 : event.rawPath.endsWith('500') ? 500 : 200,
    }));
    const ok = await run(handler, events.apiGatewayV2({ path: '/orders/1' }));
    const route = { ...svc, route: 'GET /orders/{id}' };
    expect(metricValues(ok.emf, 'Requests', route)).toEqual([1]);
    expect(metricValues(ok.emf, 'Requests', svc)).toEqual([1]);
    expect(metricValues(ok.emf, 'Errors', route)).toEqual([0]);
    expect(metricValues(ok.emf, 'ClientErrors', route)).toEqual([0]);
    expect(metricValues(ok.emf, 'Latency', route)[0]).toBeGreaterThanOrEqual(0);
    expect(unitOf(ok.emf, 'Latency')).toBe('Milliseconds');

    const notFound = await run(handler, events.apiGatewayV2({ path: '/orders/404' }));
    expect(metricValues(notFound.emf, 'ClientErrors', route)).toEqual([1]);
    expect(metricValues(notFound.emf, 'Errors', route)).toEqual([0]);
    const broken = await run(handler, events.apiGatewayV2({ path: '/orders/500' }));
    expect(metricValues(broken.emf, 'Errors', svc)).toEqual([1]);
  });

  it('bounds routes: raw paths never become dimensions', async () => {
    const handler = withObservability(async () => ({ statusCode: 404 }), { routes: ['GET /orders/{id}'] });
    const { emf } = await run(handler, events.functionUrl({ path: '/random/123456' }));
    expect(metricValues(emf, 'Requests', { ...svc, route: 'other' })).toEqual([1]);
    expect(JSON.stringify(emf)).not.toContain('/random/123456');
    const matched = await run(handler, events.functionUrl({ path: '/orders/77' }));
    expect(metricValues(matched.emf, 'Requests', { ...svc, route: 'GET /orders/{id}' })).toEqual([1]);
  });

  it('are flushed when the handler throws, with the error counted', async () => {
    const failure = new Error('boom');
    const handler = withObservability(async () => {
      await timeDbQuery('PutItem', 'orders', async () => 'stored');
      throw failure;
    });
    const { error, emf } = await run(handler, events.apiGatewayV2());
    expect(error).toBe(failure);
    expect(metricValues(emf, 'Errors', svc)).toEqual([1]);
    expect(metricValues(emf, 'DbQueries', { ...svc, status: 'success' })).toEqual([1]);
  });

  it('are flushed before a Lambda timeout', async () => {
    const handler = withObservability(
      async () => {
        businessMetrics.count('OrdersStarted');
        await new Promise((resolve) => setTimeout(resolve, 5_000).unref());
        return { statusCode: 200 };
      },
      { timeoutMarginMs: 50 },
    );
    const startedAt = Date.now();
    const { error, emf } = await run(handler, events.apiGatewayV2(), lambdaContext({ remainingMs: 300 }));
    expect(Date.now() - startedAt).toBeLessThan(4_000);
    expect((error as Error).name).toBe('TimeoutError');
    expect(metricValues(emf, 'Errors', svc)).toEqual([1]);
    expect(metricValues(emf, 'OrdersStarted', svc)).toEqual([1]);
    const access = output.logs().find((l) => l.status !== undefined);
    // What the HTTP API gateway answers a function that failed: 500, not a 504 nobody received.
    expect(access).toMatchObject({ level: 'ERROR', status: 500, timed_out: true });
  });
});

describe('a dependency that hangs past the timeout', () => {
  /** A call that never answers until the test lets it go, as a table that accepts and never replies. */
  function hangingCall() {
    let release!: (value: string) => void;
    const pending = new Promise<string>((resolve) => (release = resolve));
    return { pending, release };
  }
  const timingOut = (call: Promise<string>) =>
    withObservability(async () => timeDbQuery('GetItem', 'orders', () => call), { timeoutMarginMs: 50 });

  it('records the call still running as status timeout, with its latency so far, and only once', async () => {
    const call = hangingCall();
    const handler = timingOut(call.pending);
    const { error, emf } = await run(handler, events.apiGatewayV2(), lambdaContext({ remainingMs: 400 }));
    expect((error as Error).name).toBe('TimeoutError');
    const timeout = { ...svc, status: 'timeout' };
    expect(metricValues(emf, 'DbQueries', timeout)).toEqual([1]);
    expect(metricValues(emf, 'DbQueries', { ...timeout, operation: 'GetItem', table: 'orders' })).toEqual([
      1,
    ]);
    expect(metricValues(emf, 'DbQueries', svc)).toEqual([1]);
    // what Db-LatencyP95 reads: the time the call had been running when the invocation gave up
    const [latency] = metricValues(emf, 'DbQueryLatency', svc);
    expect(latency).toBeGreaterThanOrEqual(250);
    expect(metricValues(emf, 'DbQueries', { ...svc, status: 'success' })).toEqual([]);
    const access = output.logs().find((l) => l.status !== undefined);
    expect(access).toMatchObject({ level: 'ERROR', status: 500, timed_out: true });

    // The container lives on; when the call finally answers, during the next invocation, it is not
    // counted a second time.
    const next = withObservability(async () => {
      call.release('late');
      await new Promise((resolve) => setImmediate(resolve));
      return { statusCode: 200 };
    });
    const later = await run(next, events.apiGatewayV2());
    expect(metricValues(later.emf, 'DbQueries', svc)).toEqual([]);
    expect(output.logs().find((l) => l.status !== undefined)).not.toHaveProperty('timed_out');
  });

  it.each([
    ['REST API', 502, events.apiGatewayV1()],
    ['Function URL', 502, events.functionUrl()],
    ['ALB', 502, events.alb()],
    ['HTTP API', 500, events.apiGatewayV2()],
  ])('logs what the caller of a %s receives: %i', async (_name, status, event) => {
    const call = hangingCall();
    await run(timingOut(call.pending), event, lambdaContext({ remainingMs: 200 }));
    call.release('late');
    const access = output.logs().find((l) => l.status !== undefined);
    expect(access).toMatchObject({ level: 'ERROR', status, timed_out: true });
  });

  it('marks the summary line of other event sources as timed out', async () => {
    const call = hangingCall();
    const { emf } = await run(timingOut(call.pending), events.sqs(), lambdaContext({ remainingMs: 200 }));
    call.release('late');
    expect(metricValues(emf, 'DbQueries', { ...svc, status: 'timeout' })).toEqual([1]);
    expect(output.logs().find((l) => l.outcome !== undefined)).toMatchObject({
      outcome: 'error',
      timed_out: true,
    });
  });

  it('an error of the handler that is merely named TimeoutError is no timeout: running calls keep going', async () => {
    const call = hangingCall();
    const sdkTimeout = Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
    const handler = withObservability(async () => {
      void timeDbQuery('GetItem', 'orders', () => call.pending);
      throw sdkTimeout;
    });
    const { error, emf } = await run(handler, events.apiGatewayV2());
    call.release('done');
    expect(error).toBe(sdkTimeout);
    expect(metricValues(emf, 'DbQueries', svc)).toEqual([]);
    const access = output.logs().find((l) => l.status !== undefined);
    expect(access).toMatchObject({ status: 500 });
    expect(access).not.toHaveProperty('timed_out');
  });
});

describe('other event sources', () => {
  it('count invocations, errors and latency by event source', async () => {
    const ok = await run(
      withObservability(async () => 'ok'),
      events.sqs(),
    );
    const sqs = { ...svc, event_source: 'sqs' };
    expect(metricValues(ok.emf, 'Invocations', sqs)).toEqual([1]);
    expect(metricValues(ok.emf, 'Errors', sqs)).toEqual([0]);
    expect(metricValues(ok.emf, 'Latency', sqs)).toHaveLength(1);
    const failed = await run(
      withObservability(async () => {
        throw new Error('x');
      }),
      events.eventBridge(),
    );
    expect(metricValues(failed.emf, 'Errors', { ...svc, event_source: 'eventbridge' })).toEqual([1]);
  });
});

describe('cold start and runtime figures', () => {
  it('records runtime figures by function, memory utilization against the configured memory', async () => {
    const { emf } = await run(
      withObservability(async () => 'ok'),
      events.sns(),
    );
    const fn = { ...svc, function_name: 'orders-api' };
    const [rss] = metricValues(emf, 'Rss', fn);
    const [utilization] = metricValues(emf, 'MemoryUtilization', fn);
    expect(rss).toBeGreaterThan(1);
    expect(utilization).toBeCloseTo((rss! / 256) * 100, 0);
    expect(metricValues(emf, 'HeapUsed', fn)[0]).toBeGreaterThan(0);
    const [elu] = metricValues(emf, 'EventLoopUtilization', fn);
    expect(elu).toBeGreaterThanOrEqual(0);
    expect(elu).toBeLessThanOrEqual(100);
    expect(unitOf(emf, 'MemoryUtilization')).toBe('Percent');
  });

  it('emits ColdStart only on the first invocation', async () => {
    const { jest } = await import('@jest/globals');
    const counts: number[] = [];
    await jest.isolateModulesAsync(async () => {
      const fresh = await import('../../lib/index.js');
      const handler = fresh.withObservability(async () => 'ok');
      for (let i = 0; i < 2; i++) {
        const { emf } = await run(handler, events.sns());
        counts.push(metricValues(emf, 'ColdStart', { ...svc, function_name: 'orders-api' }).length);
      }
    });
    expect(counts).toEqual([1, 0]);
  });
});

describe('helpers', () => {
  it('timeDbQuery records count and latency by status, passes results and errors through', async () => {
    const dbError = new Error('ConditionalCheckFailed');
    const handler = withObservability(async () => {
      const item = await timeDbQuery('GetItem', 'orders', async () => ({ id: 1 }));
      await timeDbQuery('PutItem', 'orders', async () => {
        throw dbError;
      }).catch((e: unknown) => expect(e).toBe(dbError));
      return item;
    });
    const { result, emf } = await run(handler, events.sqs());
    expect(result).toEqual({ id: 1 });
    expect(
      metricValues(emf, 'DbQueries', { ...svc, operation: 'GetItem', table: 'orders', status: 'success' }),
    ).toEqual([1]);
    expect(
      metricValues(emf, 'DbQueries', { ...svc, operation: 'PutItem', table: 'orders', status: 'error' }),
    ).toEqual([1]);
    expect(metricValues(emf, 'DbQueries', { ...svc, status: 'error' })).toEqual([1]);
    expect(metricValues(emf, 'DbQueryLatency', svc)).toHaveLength(2);
  });

  it('cache hits and misses, and business counts, amounts, gauges and durations', async () => {
    const handler = withObservability(async () => {
      recordCacheHit('users');
      recordCacheHit('users');
      recordCacheMiss('users');
      businessMetrics.count('Orders', { category: 'books', status: 'created' });
      businessMetrics.amount('OrderAmount', 19.99, { category: 'books' });
      businessMetrics.amount('OrderAmount', 5.01, { category: 'books' });
      businessMetrics.gauge('ConversionRate', 12.5, 'Percent', { segment: 'new' });
      businessMetrics.duration('OrderProcessingTime', 1200);
      return 'ok';
    });
    const { emf } = await run(handler, events.sqs());
    expect(metricValues(emf, 'CacheHits', { ...svc, cache: 'users' })).toEqual([1, 1]);
    expect(metricValues(emf, 'CacheMisses', { ...svc, cache: 'users' })).toEqual([1]);
    expect(metricValues(emf, 'Orders', { ...svc, category: 'books', status: 'created' })).toEqual([1]);
    expect(metricValues(emf, 'OrderAmount', { ...svc, category: 'books' })).toEqual([19.99, 5.01]);
    expect(metricValues(emf, 'ConversionRate', { ...svc, segment: 'new' })).toEqual([12.5]);
    expect(unitOf(emf, 'ConversionRate')).toBe('Percent');
    expect(metricValues(emf, 'OrderProcessingTime', svc)).toEqual([1200]);
  });
});

describe('EMF guards', () => {
  it('splits more than 100 metrics and more than 100 values into several valid blobs', async () => {
    const handler = withObservability(async () => {
      for (let i = 0; i < 150; i++) businessMetrics.count(`Metric${i}`);
      for (let i = 0; i < 250; i++) businessMetrics.amount('Amount', i);
      return 'ok';
    });
    const { emf } = await run(handler, events.sqs());
    for (let i = 0; i < 150; i++) expect(metricValues(emf, `Metric${i}`, svc)).toEqual([1]);
    expect(metricValues(emf, 'Amount', svc)).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('drops non-finite values with one warning, truncates long dimension values', async () => {
    const handler = withObservability(async () => {
      businessMetrics.amount('Amount', Number.NaN);
      businessMetrics.amount('Amount', Number.POSITIVE_INFINITY);
      businessMetrics.amount('Amount', 3);
      businessMetrics.count('Long', { key: 'v'.repeat(5000) });
      return 'ok';
    });
    const { emf } = await run(handler, events.sqs());
    expect(metricValues(emf, 'Amount', svc)).toEqual([3]);
    const warnings = output.logs().filter((l) => String(l.message).includes('non-finite'));
    expect(warnings).toHaveLength(1);
    const long = emf.find((l) => 'Long' in l)!;
    expect(String(long.key).length).toBe(1024);
  });

  it('caps distinct values per dimension per container; the rest count as "other"', async () => {
    const handler = withObservability(
      async (event: { detail: { n: number } }) => {
        businessMetrics.count('ByUser', { user: `user-${event.detail.n}` });
        return 'ok';
      },
      { maxDimensionValues: 3 },
    );
    const seen: string[] = [];
    for (let n = 0; n < 6; n++) {
      const { emf } = await run(handler, events.eventBridge({ detail: { n } }));
      seen.push(String(emf.find((l) => 'ByUser' in l)!.user));
    }
    expect(seen).toEqual(['user-0', 'user-1', 'user-2', 'other', 'other', 'other']);
    // the first three keep their own series
    const { emf } = await run(handler, events.eventBridge({ detail: { n: 1 } }));
    expect(emf.find((l) => 'ByUser' in l)!.user).toBe('user-1');
  });

  it('can be turned off', async () => {
    const { emf } = await run(
      withObservability(async () => 'ok', { metrics: false }),
      events.sqs(),
    );
    expect(emf).toEqual([]);
  });
});
