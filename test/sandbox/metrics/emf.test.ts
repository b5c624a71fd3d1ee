import { jest } from '@jest/globals';
import fc from 'fast-check';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { parseEmfLine } from '../../../sandbox/metrics/emf.js';

const T = Date.UTC(2024, 0, 1, 12, 0, 0);

function emf(members: Record<string, unknown>, aws: Record<string, unknown> = {}): string {
  return JSON.stringify({
    _aws: {
      Timestamp: T,
      CloudWatchMetrics: [
        {
          Namespace: 'Lookout',
          Dimensions: [['service'], ['service', 'route']],
          Metrics: [
            { Name: 'Latency', Unit: 'Milliseconds' },
            { Name: 'Requests', Unit: 'Count' },
          ],
        },
      ],
      ...aws,
    },
    service: 'orders',
    route: 'GET /orders/{id}',
    Latency: [12, 30.5],
    Requests: 1,
    ...members,
  });
}

describe('parseEmfLine on valid lines', () => {
  it('yields one datapoint per metric and dimension set, array values as samples', () => {
    const result = parseEmfLine(emf({}));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.datapoints).toEqual([
      {
        namespace: 'Lookout',
        name: 'Latency',
        unit: 'Milliseconds',
        dimensions: { service: 'orders' },
        values: [12, 30.5],
        timestamp: T,
        storageResolution: 60,
      },
      expect.objectContaining({
        name: 'Latency',
        dimensions: { service: 'orders', route: 'GET /orders/{id}' },
      }),
      expect.objectContaining({
        name: 'Requests',
        unit: 'Count',
        values: [1],
        dimensions: { service: 'orders' },
      }),
      expect.objectContaining({
        name: 'Requests',
        dimensions: { service: 'orders', route: 'GET /orders/{id}' },
      }),
    ]);
  });

  it('publishes metrics without dimensions for an empty Dimensions array, unit None by default', () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: T,
        CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [], Metrics: [{ Name: 'Hits' }] }],
      },
      Hits: 3,
    });
    const result = parseEmfLine(line);
    expect(result.ok && result.datapoints).toEqual([
      {
        namespace: 'N',
        name: 'Hits',
        unit: 'None',
        dimensions: {},
        values: [3],
        timestamp: T,
        storageResolution: 60,
      },
    ]);
  });

  it('maps the timestamp, e.g. to simulated time', () => {
    const result = parseEmfLine(emf({}), { mapTimestamp: (t) => t * 2 });
    expect(result.ok && result.datapoints[0]!.timestamp).toBe(T * 2);
  });

  it('reads the lines Powertools Metrics really writes', () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const metrics = new Metrics({ namespace: 'Lookout', serviceName: 'orders' });
      metrics.addDimension('route', 'POST /orders');
      metrics.addMetric('Latency', MetricUnit.Milliseconds, 42);
      metrics.addMetric('Latency', MetricUnit.Milliseconds, 58);
      metrics.addMetric('Orders', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    } finally {
      spy.mockRestore();
    }
    const lines = written
      .join('')
      .split('\n')
      .filter((line) => line.includes('_aws'));
    expect(lines).toHaveLength(1);
    const result = parseEmfLine(lines[0]!);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const latency = result.datapoints.find((d) => d.name === 'Latency')!;
    expect(latency).toMatchObject({
      namespace: 'Lookout',
      unit: 'Milliseconds',
      dimensions: { service: 'orders', route: 'POST /orders' },
      values: [42, 58],
    });
    expect(result.datapoints.find((d) => d.name === 'Orders')?.values).toEqual([1]);
  });
});

describe('parseEmfLine on lines that are not EMF', () => {
  it.each([
    ['plain text', 'START RequestId: 1 Version: $LATEST', 'not-json'],
    ['a JSON array', '[1,2]', 'not-json'],
    ['a JSON string', '"hello"', 'not-json'],
    ['a JSON log line', JSON.stringify({ level: 'INFO', message: 'hi' }), 'not-emf'],
  ])('classifies %s as %s', (_label, line, kind) => {
    const result = parseEmfLine(line);
    expect(result).toMatchObject({ ok: false, kind });
  });
});

describe('parseEmfLine on invalid EMF', () => {
  const directive = (overrides: Record<string, unknown>) => ({
    Namespace: 'Lookout',
    Dimensions: [['service']],
    Metrics: [{ Name: 'Hits', Unit: 'Count' }],
    ...overrides,
  });
  const line = (aws: Record<string, unknown>, members: Record<string, unknown> = {}) =>
    JSON.stringify({ _aws: aws, service: 'orders', Hits: 1, ...members });
  const ok = { Timestamp: T, CloudWatchMetrics: [directive({})] };

  it.each([
    ['no Timestamp', line({ CloudWatchMetrics: ok.CloudWatchMetrics }), /_aws\.Timestamp/],
    ['a string Timestamp', line({ ...ok, Timestamp: '2024-01-01' }), /_aws\.Timestamp/],
    ['no CloudWatchMetrics', line({ Timestamp: T }), /_aws\.CloudWatchMetrics/],
    [
      'an unknown unit',
      line({ ...ok, CloudWatchMetrics: [directive({ Metrics: [{ Name: 'Hits', Unit: 'Parsecs' }] })] }),
      /Unit/,
    ],
    [
      'a reserved AWS/ namespace',
      line({ ...ok, CloudWatchMetrics: [directive({ Namespace: 'AWS/Lambda' })] }),
      /reserved/,
    ],
    ['a blank namespace', line({ ...ok, CloudWatchMetrics: [directive({ Namespace: '  ' })] }), /blank/],
    [
      'a bad StorageResolution',
      line({ ...ok, CloudWatchMetrics: [directive({ Metrics: [{ Name: 'Hits', StorageResolution: 5 }] })] }),
      /StorageResolution/,
    ],
    [
      'more than 30 dimensions in a set',
      line({
        ...ok,
        CloudWatchMetrics: [directive({ Dimensions: [Array.from({ length: 31 }, (_, i) => `d${i}`)] })],
      }),
      /Dimensions/,
    ],
    [
      'a dimension without value',
      line({ ...ok, CloudWatchMetrics: [directive({ Dimensions: [['region']] })] }),
      /dimension "region" has no value/,
    ],
    ['a numeric dimension value', line(ok, { service: 7 }), /dimension "service" must be a string/],
    ['a metric without value', line(ok, { Hits: undefined }), /metric "Hits" has no value/],
    ['a string metric value', line(ok, { Hits: '1' }), /value "1" is not a finite number/],
    ['a null inside a value array', line(ok, { Hits: [1, null] }), /value null is not a finite number/],
    ['an empty value array', line(ok, { Hits: [] }), /empty array/],
    [
      'more than 100 values',
      line(ok, { Hits: Array.from({ length: 101 }, () => 1) }),
      /more than 100 values/,
    ],
  ])('rejects %s with a reason', (_label, text, reason) => {
    const result = parseEmfLine(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.kind).toBe('invalid');
    expect(result.reason).toMatch(reason);
  });

  it('rejects a throwing timestamp mapping instead of throwing', () => {
    const result = parseEmfLine(line(ok), {
      mapTimestamp: () => {
        throw new Error('clock stopped');
      },
    });
    expect(result).toMatchObject({
      ok: false,
      kind: 'invalid',
      reason: expect.stringMatching(/clock stopped/),
    });
  });

  it('never throws, whatever the line', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ _aws: v })),
        ),
        (text) => {
          const result = parseEmfLine(text);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 300 },
    );
  });
});
