import type { MetricStore, MetricIdentity } from './store.js';
import type { CloudWatchUnit } from './units.js';

export type BasicStatisticName = 'SampleCount' | 'Average' | 'Sum' | 'Minimum' | 'Maximum';

/**
 * A CloudWatch statistic as written in an alarm or dashboard (`Sum`, `p99`,
 * `p99.9`, `tm90`, `TM(10%:90%)`, `tc90`, `ts90`, `IQM`, and trimmed statistics
 * bounded by values rather than percentages, `TC(:1000)`, `TM(150:1000)`).
 */
export type Statistic =
  | { kind: 'basic'; name: BasicStatisticName; text: string }
  | { kind: 'percentile'; percentile: number; text: string }
  | {
      kind: 'trimmed';
      aggregate: 'mean' | 'count' | 'sum';
      lower: number;
      upper: number;
      /** `percent`: bounds are ranks in percent; `value`: bounds are values (lower < v <= upper). */
      bounds?: 'percent' | 'value';
      text: string;
    };

export class StatisticError extends Error {
  override name = 'StatisticError';
}

const BASIC: ReadonlySet<string> = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']);
const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
const PERCENTILE = new RegExp(`^p${NUMBER}$`);
const TRIMMED_SHORT = new RegExp(`^(tm|tc|ts)${NUMBER}$`);
const TRIMMED_RANGE = new RegExp(`^(TM|TC|TS)\\((?:${NUMBER}%)?:(?:${NUMBER}%)?\\)$`, 'i');
const SIGNED = String.raw`(-?\d+(?:\.\d+)?)`;
const TRIMMED_VALUES = new RegExp(`^(TM|TC|TS)\\(${SIGNED}?:${SIGNED}?\\)$`, 'i');
const TRIMMED_AGGREGATE = { tm: 'mean', tc: 'count', ts: 'sum' } as const;

/** Parses a statistic string; throws StatisticError naming what is wrong. */
export function parseStatistic(text: string): Statistic {
  if (typeof text !== 'string') throw new StatisticError(`statistic must be a string, got ${typeof text}`);
  const trimmed = text.trim();
  if (BASIC.has(trimmed)) return { kind: 'basic', name: trimmed as BasicStatisticName, text: trimmed };
  if (trimmed === 'IQM') return { kind: 'trimmed', aggregate: 'mean', lower: 25, upper: 75, text: trimmed };

  const percentile = PERCENTILE.exec(trimmed);
  if (percentile) {
    return { kind: 'percentile', percentile: boundedPercent(percentile[1]!, text), text: trimmed };
  }
  const short = TRIMMED_SHORT.exec(trimmed);
  if (short) {
    const aggregate = TRIMMED_AGGREGATE[short[1] as keyof typeof TRIMMED_AGGREGATE];
    return { kind: 'trimmed', aggregate, lower: 0, upper: boundedPercent(short[2]!, text), text: trimmed };
  }
  const range = TRIMMED_RANGE.exec(trimmed);
  if (range) {
    const aggregate = TRIMMED_AGGREGATE[range[1]!.toLowerCase() as keyof typeof TRIMMED_AGGREGATE];
    const lower = range[2] === undefined ? 0 : boundedPercent(range[2], text);
    const upper = range[3] === undefined ? 100 : boundedPercent(range[3], text);
    if (lower >= upper) throw new StatisticError(`statistic ${text}: lower bound must be below upper bound`);
    return { kind: 'trimmed', aggregate, lower, upper, text: trimmed };
  }
  const values = TRIMMED_VALUES.exec(trimmed);
  if (values && (values[2] !== undefined || values[3] !== undefined)) {
    const aggregate = TRIMMED_AGGREGATE[values[1]!.toLowerCase() as keyof typeof TRIMMED_AGGREGATE];
    const lower = values[2] === undefined ? Number.NEGATIVE_INFINITY : Number(values[2]);
    const upper = values[3] === undefined ? Number.POSITIVE_INFINITY : Number(values[3]);
    if (lower >= upper) throw new StatisticError(`statistic ${text}: lower bound must be below upper bound`);
    return { kind: 'trimmed', aggregate, lower, upper, bounds: 'value', text: trimmed };
  }
  throw new StatisticError(
    `unsupported statistic ${JSON.stringify(text)} (expected SampleCount, Average, Sum, Minimum, Maximum, pNN, tmNN, tcNN, tsNN, TM(a%:b%), TM(a:b) or IQM)`,
  );
}

function boundedPercent(raw: string, text: string): number {
  const value = Number(raw);
  if (!(value >= 0 && value <= 100))
    throw new StatisticError(`statistic ${text}: percentage must be within 0..100`);
  return value;
}

/**
 * Applies a statistic to raw sample values; undefined when there is no datapoint
 * (no samples, or a trimmed range that keeps none).
 *
 * Percentiles use the nearest-rank method on the raw samples: sort ascending and
 * take the value at rank ceil(p/100 × n) (p0 is the minimum). CloudWatch
 * computes percentiles from raw values too when it has them, and this is
 * exact, deterministic and easy to check by hand. Trimmed statistics keep the
 * values whose rank r satisfies lower/100 × n < r <= upper/100 × n, so tm90 of
 * ten values drops the single highest one.
 */
export function computeStatistic(values: readonly number[], statistic: Statistic): number | undefined {
  if (values.length === 0) return undefined;
  switch (statistic.kind) {
    case 'basic':
      return basic(values, statistic.name);
    case 'percentile': {
      const sorted = [...values].sort((a, b) => a - b);
      const rank = Math.max(1, Math.ceil(fraction(statistic.percentile, sorted.length)));
      return sorted[rank - 1];
    }
    case 'trimmed': {
      // Value bounds need no ranks, so no sort: they run over every sample of an SLO window.
      const sorted = statistic.bounds === 'value' ? values : [...values].sort((a, b) => a - b);
      const n = sorted.length;
      const kept =
        statistic.bounds === 'value'
          ? sorted.filter((value) => value > statistic.lower && value <= statistic.upper)
          : sorted.filter((_, index) => {
              const rank = index + 1;
              return rank > fraction(statistic.lower, n) && rank <= fraction(statistic.upper, n);
            });
      if (statistic.aggregate === 'count') return kept.length;
      if (kept.length === 0) return undefined;
      const sum = kept.reduce((a, b) => a + b, 0);
      return statistic.aggregate === 'sum' ? sum : sum / kept.length;
    }
  }
}

/** percent/100 × n, rounded so that 99.9 % of 2000 is exactly 1998 and not 1998.0000000000002. */
function fraction(percent: number, n: number): number {
  return Math.round(((percent * n) / 100) * 1e9) / 1e9;
}

function basic(values: readonly number[], name: BasicStatisticName): number {
  switch (name) {
    case 'SampleCount':
      return values.length;
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum':
      return values.reduce((a, b) => (b < a ? b : a));
    case 'Maximum':
      return values.reduce((a, b) => (b > a ? b : a));
  }
}

/**
 * The low-sample rule of "Percentile-based alarms and low data samples" (CloudWatch User Guide): a
 * percentile p in [0.5, 1) needs at least 10/(1−p) data points in a period, one in (0, 0.5) at least
 * 10/p. Computed on the percentile's decimal digits, never in floating point: 10/(1−0.9) is
 * 100.00000000000003 in doubles, which would make exactly 100 samples of a p90 "too few".
 * Undefined for p0 and p100, where the rule does not apply.
 */
function lowSampleBound(percentile: number): { numerator: bigint; denominator: bigint } | undefined {
  if (!(percentile > 0 && percentile < 100)) return undefined;
  // percentile = units / 10^scale exactly, read from its shortest decimal form ("98.4", "1e-7").
  const [mantissa = '', exponent = '0'] = String(percentile).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  let units = BigInt(whole + fraction);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  const hundred = 100n * 10n ** BigInt(scale);
  // 10/(1−p) = 1000·10^s / (100·10^s − units); 10/p = 1000·10^s / units.
  return { numerator: 10n * hundred, denominator: units * 2n >= hundred ? hundred - units : units };
}

/** The fewest samples a period needs for the percentile to count (a whole number), or undefined. */
export function minimumSamplesForPercentile(percentile: number): number | undefined {
  const bound = lowSampleBound(percentile);
  if (!bound) return undefined;
  return Number((bound.numerator + bound.denominator - 1n) / bound.denominator);
}

/** True when `sampleCount` is below the percentile's documented minimum. */
export function isLowSampleCount(percentile: number, sampleCount: number): boolean {
  const bound = lowSampleBound(percentile);
  if (!bound) return false;
  if (Number.isInteger(sampleCount)) return BigInt(sampleCount) * bound.denominator < bound.numerator;
  return sampleCount * Number(bound.denominator) < Number(bound.numerator);
}

export interface PeriodDatapoint {
  /** Start of the period, epoch ms. */
  timestamp: number;
  /** Undefined when the period had no samples (a missing datapoint). */
  value: number | undefined;
  sampleCount: number;
}

export interface PeriodQuery extends MetricIdentity {
  statistic: Statistic;
  periodSeconds: number;
  /** Period starts, epoch ms, one period apart. */
  periodStarts: readonly number[];
  unit?: CloudWatchUnit;
}

/** Aggregates a metric's samples into one datapoint per requested period (GetMetricData for one metric). */
export function queryPeriods(store: MetricStore, query: PeriodQuery): PeriodDatapoint[] {
  if (query.periodStarts.length === 0) return [];
  const periodMs = query.periodSeconds * 1000;
  const first = query.periodStarts[0]!;
  const last = query.periodStarts[query.periodStarts.length - 1]!;
  const samples = store.query({
    namespace: query.namespace,
    name: query.name,
    dimensions: query.dimensions,
    start: first,
    end: last + periodMs,
    unit: query.unit,
  });
  // Buckets start where the requested periods do, aligned to the clock or not (a sliding window).
  const buckets = new Map<number, number[]>();
  for (const sample of samples) {
    const start = first + Math.floor((sample.timestamp - first) / periodMs) * periodMs;
    let bucket = buckets.get(start);
    if (!bucket) buckets.set(start, (bucket = []));
    bucket.push(sample.value);
  }
  return query.periodStarts.map((timestamp) => {
    const values = buckets.get(timestamp) ?? [];
    return { timestamp, value: computeStatistic(values, query.statistic), sampleCount: values.length };
  });
}

/** Start of the period containing t (periods are aligned to the epoch, as CloudWatch aligns them to the clock). */
export function alignToPeriod(t: number, periodSeconds: number): number {
  const periodMs = periodSeconds * 1000;
  return Math.floor(t / periodMs) * periodMs;
}
