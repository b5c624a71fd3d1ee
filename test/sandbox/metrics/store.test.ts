import { MetricStore, MetricStoreError, type DatapointInput } from '../../../sandbox/metrics/store.js';
import { recordLambdaAccountMetrics, recordLambdaMetrics } from '../../../sandbox/metrics/lambda.js';

const T = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;

function point(overrides: Partial<DatapointInput> = {}): DatapointInput {
  return {
    namespace: 'Lookout',
    name: 'Latency',
    dimensions: { service: 'orders', route: 'GET /orders' },
    values: [10],
    unit: 'Milliseconds',
    timestamp: T,
    ...overrides,
  };
}

const query = (overrides: Partial<Parameters<MetricStore['query']>[0]> = {}) => ({
  namespace: 'Lookout',
  name: 'Latency',
  dimensions: { route: 'GET /orders', service: 'orders' },
  start: T - MINUTE,
  end: T + 10 * MINUTE,
  ...overrides,
});

describe('MetricStore', () => {
  it('returns samples for the exact dimension set only, whatever the key order', () => {
    const store = new MetricStore();
    store.put(point({ values: [1, 2] }));
    store.put(point({ dimensions: { service: 'orders' }, values: [99] }));
    expect(store.query(query()).map((s) => s.value)).toEqual([1, 2]);
    expect(store.query(query({ dimensions: { service: 'orders' } })).map((s) => s.value)).toEqual([99]);
    expect(store.query(query({ dimensions: {} }))).toEqual([]);
    expect(store.query(query({ name: 'Other' }))).toEqual([]);
  });

  it('queries a half-open time range and keeps samples sorted even when they arrive late', () => {
    const store = new MetricStore();
    store.put(point({ timestamp: T + 2 * MINUTE, values: [3] }));
    store.put(point({ timestamp: T, values: [1] }));
    store.put(point({ timestamp: T + MINUTE, values: [2] }));
    store.put(point({ timestamp: T + MINUTE, values: [2.5] }));
    expect(store.query(query()).map((s) => s.value)).toEqual([1, 2, 2.5, 3]);
    expect(store.query(query({ start: T + MINUTE, end: T + 2 * MINUTE })).map((s) => s.value)).toEqual([
      2, 2.5,
    ]);
  });

  it('filters by unit when the query names one', () => {
    const store = new MetricStore();
    store.put(point({ values: [1], unit: 'Milliseconds' }));
    store.put(point({ values: [2], unit: 'Seconds' }));
    store.put(point({ values: [3], unit: undefined }));
    expect(store.query(query({ unit: 'Seconds' })).map((s) => s.value)).toEqual([2]);
    expect(store.query(query()).map((s) => s.unit)).toEqual(['Milliseconds', 'Seconds', 'None']);
  });

  it('drops samples older than the retention window behind the newest timestamp', () => {
    const store = new MetricStore({ retentionMs: 10 * MINUTE });
    store.put(point({ timestamp: T, values: [1] }));
    store.put(point({ timestamp: T + 5 * MINUTE, values: [2] }));
    store.put(point({ timestamp: T + 12 * MINUTE, values: [3] }));
    expect(store.query(query({ end: T + 60 * MINUTE })).map((s) => s.value)).toEqual([2, 3]);
    expect(store.put(point({ timestamp: T, values: [4] }))).toBe(0);
    store.prune(T + 30 * MINUTE);
    expect(store.seriesCount).toBe(0);
    expect(store.sampleCount).toBe(0);
  });

  it('bounds the samples kept per series, keeping the newest', () => {
    const store = new MetricStore({ maxSamplesPerSeries: 100 });
    for (let i = 0; i < 1000; i++) store.put(point({ timestamp: T + i, values: [i] }));
    const kept = store.query(query());
    expect(kept.length).toBeLessThanOrEqual(125);
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.at(-1)!.value).toBe(999);
  });

  it('evicts the least recently written series past maxSeries', () => {
    const store = new MetricStore({ maxSeries: 2 });
    store.put(point({ name: 'A' }));
    store.put(point({ name: 'B' }));
    store.put(point({ name: 'A', values: [2] }));
    store.put(point({ name: 'C' }));
    expect(
      store
        .listMetrics()
        .map((m) => m.name)
        .sort(),
    ).toEqual(['A', 'C']);
  });

  it.each([
    ['a NaN among the values', { values: [1, Number.NaN] }, /not a finite number/],
    ['a string value', { values: ['3' as unknown as number] }, /not a finite number/],
    ['an empty namespace', { namespace: '' }, /namespace/],
    [
      'a non-string dimension value',
      { dimensions: { service: 1 as unknown as string } },
      /dimension "service"/,
    ],
    ['an unknown unit', { unit: 'Furlongs' as never }, /not a CloudWatch unit/],
    ['a non-finite timestamp', { timestamp: Number.POSITIVE_INFINITY }, /timestamp/],
  ])('rejects %s and stores nothing', (_label, overrides, message) => {
    const store = new MetricStore();
    expect(() => store.put(point(overrides))).toThrow(MetricStoreError);
    expect(() => store.put(point(overrides))).toThrow(message);
    expect(store.sampleCount).toBe(0);
  });

  it('lists metrics by namespace and name', () => {
    const store = new MetricStore();
    store.put(point());
    store.put(point({ namespace: 'Other', name: 'X', dimensions: {} }));
    expect(store.listMetrics({ namespace: 'Other' })).toEqual([
      { namespace: 'Other', name: 'X', dimensions: {} },
    ]);
    expect(store.listMetrics({ name: 'Latency' })).toHaveLength(1);
  });
});

describe('AWS/Lambda metrics', () => {
  it('records platform-report values by FunctionName with Lambda units', () => {
    const store = new MetricStore();
    recordLambdaMetrics(store, 'orders-api', T, { Invocations: 1, Errors: 1, Duration: 123.4, Throttles: 0 });
    recordLambdaMetrics(store, 'orders-api', T + 1, { ConcurrentExecutions: 3 });
    const read = (name: string) =>
      store.query({
        namespace: 'AWS/Lambda',
        name,
        dimensions: { FunctionName: 'orders-api' },
        start: T,
        end: T + MINUTE,
      });
    expect(read('Invocations')).toEqual([{ timestamp: T, value: 1, unit: 'Count' }]);
    expect(read('Errors').map((s) => s.value)).toEqual([1]);
    expect(read('Duration')).toEqual([{ timestamp: T, value: 123.4, unit: 'Milliseconds' }]);
    expect(read('Throttles').map((s) => s.value)).toEqual([0]);
    expect(read('ConcurrentExecutions').map((s) => s.value)).toEqual([3]);
  });

  it('records account-wide values without dimensions', () => {
    const store = new MetricStore();
    recordLambdaAccountMetrics(store, T, { ConcurrentExecutions: 5 });
    expect(
      store.query({
        namespace: 'AWS/Lambda',
        name: 'ConcurrentExecutions',
        dimensions: {},
        start: T,
        end: T + 1,
      }),
    ).toHaveLength(1);
  });

  it('rejects unknown metrics and bad values without storing any of the report', () => {
    const store = new MetricStore();
    expect(() => recordLambdaMetrics(store, 'f', T, { Invocations: 1, Bogus: 1 } as never)).toThrow(
      /unknown AWS\/Lambda metric "Bogus"/,
    );
    expect(() => recordLambdaMetrics(store, 'f', T, { Invocations: 1, Duration: Number.NaN })).toThrow(
      /Duration/,
    );
    expect(() => recordLambdaMetrics(store, '', T, { Invocations: 1 })).toThrow(/functionName/);
    expect(store.sampleCount).toBe(0);
  });
});
