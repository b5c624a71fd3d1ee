/** The EMF sink on its own: units, lines written from cached layouts as the shape changes, group handles. */
import { describe, expect, it } from '@jest/globals';
import { expectValidEmf, metricValues, unitOf } from './emf.js';

const { MetricSink, UNITS } = await import('../../lib/metrics/sink.js');

function sink(options: { maxDimensionValues?: number } = {}) {
  const lines: string[] = [];
  const warnings: string[] = [];
  const instance = new MetricSink({
    enabled: true,
    namespace: 'SinkTest',
    serviceName: 'orders',
    maxDimensionValues: options.maxDimensionValues ?? 50,
    warn: (message) => warnings.push(message),
    write: (line) => lines.push(line),
  });
  const docs = () => {
    const parsed = lines.flatMap((line) => {
      expect(line.endsWith('\n')).toBe(true);
      return line
        .split('\n')
        .filter(Boolean)
        .map((text) => JSON.parse(text) as Record<string, unknown>);
    });
    expectValidEmf(parsed);
    return parsed;
  };
  return { instance, lines, warnings, docs, clear: () => (lines.length = 0) };
}

describe('MetricSink units', () => {
  it('takes every EMF unit as given', () => {
    const { instance, docs, warnings } = sink();
    UNITS.forEach((unit, index) => instance.add(`M${index}`, unit, index));
    instance.flush(1);
    const written = docs();
    UNITS.forEach((unit, index) => expect(unitOf(written, `M${index}`)).toBe(unit));
    expect(warnings).toEqual([]);
  });

  it.each(['seconds', 'KiloBytes', 'Bytes/second', 'Count/Seconds', 'Percent/Second', '', 'None '])(
    'records "%s" as None, with a warning',
    (unit) => {
      const { instance, docs, warnings } = sink();
      instance.add('Odd', unit as never, 1);
      instance.flush(1);
      expect(unitOf(docs(), 'Odd')).toBe('None');
      expect(warnings).toEqual([expect.stringContaining('unknown unit')]);
    },
  );

  it('drops names with control characters, which no EMF consumer can use', () => {
    const { instance, lines, warnings } = sink();
    instance.add('Bad\nName', 'Count', 1);
    instance.flush(1);
    expect(lines).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('invalid')]);
  });
});

describe('MetricSink lines as the shape of an invocation changes', () => {
  it('writes exactly what each flush recorded, whatever was recorded before', () => {
    const { instance, docs, clear } = sink();
    const rounds: [string, number, Record<string, string>][][] = [
      [
        ['Requests', 1, { route: 'GET /a' }],
        ['Latency', 12.5, { route: 'GET /a' }],
      ],
      [['Latency', 3, { route: 'GET /a' }]],
      [
        ['Latency', 4, { route: 'GET /a' }],
        ['Requests', 1, { route: 'GET /a' }],
        ['Requests', 1, { route: 'GET /b' }],
        ['Orders', 2, { category: 'books' }],
      ],
      [
        ['Requests', 1, { route: 'GET /a' }],
        ['Latency', 12.5, { route: 'GET /a' }],
      ],
    ];
    rounds.forEach((round, index) => {
      clear();
      for (const [name, value, dims] of round) instance.add(name, 'Count', value, dims);
      instance.flush(1000 + index);
      const written = docs();
      expect(written.map((doc) => (doc._aws as { Timestamp: number }).Timestamp)).toEqual(
        written.map(() => 1000 + index),
      );
      for (const [name, value, dims] of round) {
        expect(metricValues(written, name, { service: 'orders', ...dims })).toEqual([value]);
      }
      const recordedNames = new Set(round.map(([name]) => name));
      const writtenNames = new Set(
        written.flatMap((doc) =>
          (doc._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics.flatMap(
            (directive) => directive.Metrics.map((metric) => metric.Name),
          ),
        ),
      );
      expect(writtenNames).toEqual(recordedNames);
    });
  });

  it('writes several values of a metric as an array, and one as a number, in the same layout', () => {
    const { instance, docs, clear } = sink();
    instance.add('Latency', 'Milliseconds', 1);
    instance.flush(1);
    expect(docs()[0]!.Latency).toBe(1);
    clear();
    instance.add('Latency', 'Milliseconds', 1);
    instance.add('Latency', 'Milliseconds', 2.5);
    instance.flush(2);
    expect(docs()[0]!.Latency).toEqual([1, 2.5]);
  });

  it('slices more than 100 values into lines, and goes back to one line after', () => {
    const { instance, docs, clear } = sink();
    for (let i = 0; i < 250; i++) instance.add('Amount', 'None', i);
    instance.flush(1);
    const sliced = docs();
    expect(sliced).toHaveLength(3);
    expect(metricValues(sliced, 'Amount', { service: 'orders' })).toEqual(
      Array.from({ length: 250 }, (_, i) => i),
    );
    clear();
    for (let i = 0; i < 120; i++) instance.add('Amount', 'None', i);
    instance.flush(2);
    expect(docs()).toHaveLength(2);
    clear();
    instance.add('Amount', 'None', 7);
    instance.flush(3);
    expect(docs()).toEqual([expect.objectContaining({ Amount: 7 })]);
  });

  it('escapes dimension values and names as JSON', () => {
    const { instance, docs } = sink();
    instance.add('Quoted "metric"', 'Count', 1, { route: 'GET /say/"hi"\\there' });
    instance.flush(1);
    expect(
      metricValues(docs(), 'Quoted "metric"', { service: 'orders', route: 'GET /say/"hi"\\there' }),
    ).toEqual([1]);
  });
});

describe('MetricSink group handles', () => {
  it('record under their dimensions and rollups, like add', () => {
    const { instance, docs } = sink();
    const group = instance.group({ route: 'GET /orders/{id}' }, [[]]);
    group.add('Requests', 'Count', 1);
    group.add('Latency', 'Milliseconds', 8);
    instance.add('Requests', 'Count', 1, { route: 'GET /orders/{id}' }, [[]]);
    instance.flush(1);
    const written = docs();
    expect(metricValues(written, 'Requests', { service: 'orders', route: 'GET /orders/{id}' })).toEqual([
      1, 1,
    ]);
    expect(metricValues(written, 'Requests', { service: 'orders' })).toEqual([1, 1]);
    expect(metricValues(written, 'Latency', { service: 'orders' })).toEqual([8]);
  });

  it('keep working after the sink drops its kept groups', () => {
    const { instance, docs, clear } = sink({ maxDimensionValues: 10_000 });
    const group = instance.group({ route: 'GET /health' });
    group.add('Requests', 'Count', 1);
    instance.flush(1);
    // More than 500 groups: the sink drops them all at the next flush.
    for (let i = 0; i < 600; i++) instance.add('Items', 'Count', 1, { item: `item-${i}` });
    instance.flush(2);
    clear();
    group.add('Requests', 'Count', 1);
    group.add('Requests', 'Count', 1);
    instance.flush(3);
    expect(metricValues(docs(), 'Requests', { service: 'orders', route: 'GET /health' })).toEqual([1, 1]);
  });

  it('still guard values and bound cardinality', () => {
    const { instance, docs, warnings } = sink({ maxDimensionValues: 1 });
    instance.group({ route: 'GET /a' }).add('Requests', 'Count', Number.NaN);
    instance.group({ route: 'GET /a' }).add('Requests', 'Count', 1);
    instance.group({ route: 'GET /b' }).add('Requests', 'Count', 1);
    instance.flush(1);
    const written = docs();
    expect(metricValues(written, 'Requests', { service: 'orders', route: 'GET /a' })).toEqual([1]);
    expect(metricValues(written, 'Requests', { service: 'orders', route: 'other' })).toEqual([1]);
    expect(warnings).toEqual([
      expect.stringContaining('non-finite'),
      expect.stringContaining('distinct values'),
    ]);
  });
});
