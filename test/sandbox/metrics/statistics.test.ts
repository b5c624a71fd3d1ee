import { MetricStore } from '../../../sandbox/metrics/store.js';
import {
  alignToPeriod,
  computeStatistic,
  minimumSamplesForPercentile,
  parseStatistic,
  queryPeriods,
  StatisticError,
} from '../../../sandbox/metrics/statistics.js';

const oneToTen = [7, 3, 10, 1, 5, 9, 2, 8, 6, 4];
const stat = (text: string, values: number[] = oneToTen) => computeStatistic(values, parseStatistic(text));

describe('statistics', () => {
  it('computes the basic statistics', () => {
    expect(stat('SampleCount')).toBe(10);
    expect(stat('Sum')).toBe(55);
    expect(stat('Average')).toBe(5.5);
    expect(stat('Minimum')).toBe(1);
    expect(stat('Maximum')).toBe(10);
  });

  it('computes percentiles by nearest rank on the raw samples', () => {
    expect(stat('p50')).toBe(5);
    expect(stat('p90')).toBe(9);
    expect(stat('p95')).toBe(10);
    expect(stat('p99')).toBe(10);
    expect(stat('p25')).toBe(3);
    expect(stat('p0')).toBe(1);
    expect(stat('p100')).toBe(10);
    expect(
      stat(
        'p99.9',
        Array.from({ length: 2000 }, (_, i) => i + 1),
      ),
    ).toBe(1998);
  });

  it('computes trimmed statistics', () => {
    expect(stat('tm90')).toBe(5);
    expect(stat('TM(10%:90%)')).toBe(5.5);
    expect(stat('TM(20%:)')).toBe(6.5);
    expect(stat('tc90')).toBe(9);
    expect(stat('ts90')).toBe(45);
    expect(stat('IQM', [1, 2, 3, 4, 5, 6, 7, 8])).toBe(4.5);
  });

  it('computes trimmed statistics bounded by values (lower < v <= upper), as SLOs count slow requests', () => {
    const latencies = [120, 999, 1000, 1000.5, 1500, 30];
    expect(stat('TC(:1000)', latencies)).toBe(4);
    expect(stat('TC(1000:)', latencies)).toBe(2);
    expect(stat('TS(100:1000)', latencies)).toBe(120 + 999 + 1000);
    expect(stat('TM(:200)', latencies)).toBe(75);
    expect(stat('TC(:10)', latencies)).toBe(0);
    expect(() => parseStatistic('TC(1000:10)')).toThrow(StatisticError);
  });

  it('has no datapoint without samples', () => {
    expect(computeStatistic([], parseStatistic('Sum'))).toBeUndefined();
    expect(computeStatistic([], parseStatistic('p99'))).toBeUndefined();
  });

  it.each(['sum', 'p101', 'pNaN', 'TM(90%:10%)', 'Median', ''])('rejects %j', (text) => {
    expect(() => parseStatistic(text)).toThrow(StatisticError);
  });

  it('knows when a percentile has too few samples (AWS low-sample rule)', () => {
    expect(minimumSamplesForPercentile(99)).toBe(1000);
    expect(minimumSamplesForPercentile(50)).toBe(20);
    expect(minimumSamplesForPercentile(10)).toBe(100);
    expect(minimumSamplesForPercentile(100)).toBeUndefined();
  });
});

describe('queryPeriods', () => {
  it('aggregates samples per aligned period and reports empty periods as missing', () => {
    const store = new MetricStore();
    const t0 = Date.UTC(2024, 0, 1, 10, 0);
    const put = (offsetSeconds: number, value: number) =>
      store.put({
        namespace: 'N',
        name: 'M',
        dimensions: {},
        values: [value],
        timestamp: t0 + offsetSeconds * 1000,
      });
    put(0, 1);
    put(59.999, 3);
    put(60, 10);
    put(180, 7);
    const result = queryPeriods(store, {
      namespace: 'N',
      name: 'M',
      dimensions: {},
      statistic: parseStatistic('Sum'),
      periodSeconds: 60,
      periodStarts: [t0, t0 + 60_000, t0 + 120_000, t0 + 180_000],
    });
    expect(result).toEqual([
      { timestamp: t0, value: 4, sampleCount: 2 },
      { timestamp: t0 + 60_000, value: 10, sampleCount: 1 },
      { timestamp: t0 + 120_000, value: undefined, sampleCount: 0 },
      { timestamp: t0 + 180_000, value: 7, sampleCount: 1 },
    ]);
    expect(alignToPeriod(t0 + 59_999, 60)).toBe(t0);
  });
});
