import { isCloudWatchUnit, type CloudWatchUnit } from './units.js';

/** Dimension name → value. Order does not matter: {a,b} and {b,a} are the same metric. */
export type Dimensions = Readonly<Record<string, string>>;

export interface MetricIdentity {
  namespace: string;
  name: string;
  dimensions: Dimensions;
}

/** One raw value as CloudWatch keeps it before any statistic is applied. */
export interface Sample {
  timestamp: number;
  value: number;
  unit: CloudWatchUnit;
}

export interface DatapointInput extends MetricIdentity {
  /** Several values are several samples at the same timestamp (EMF value arrays). */
  values: readonly number[];
  unit?: CloudWatchUnit;
  /** Epoch milliseconds in simulated time. */
  timestamp: number;
}

export interface MetricQuery extends MetricIdentity {
  /** Inclusive start, epoch ms. */
  start: number;
  /** Exclusive end, epoch ms. */
  end: number;
  /** When set, only samples recorded with this unit (as a CloudWatch query with Unit). */
  unit?: CloudWatchUnit;
}

export interface MetricStoreOptions {
  /** Samples older than (newest timestamp seen − retentionMs) are dropped. Default 3 hours. */
  retentionMs?: number;
  /** Oldest samples of a series are dropped past this many (up to 25 % slack, trimmed in batches). Default 50 000. */
  maxSamplesPerSeries?: number;
  /** Past this many series the least recently written one is evicted. Default 10 000. */
  maxSeries?: number;
}

export class MetricStoreError extends TypeError {
  override name = 'MetricStoreError';
}

interface Series {
  identity: MetricIdentity;
  samples: Sample[];
}

const DEFAULT_RETENTION_MS = 3 * 60 * 60 * 1000;
const FULL_SWEEP_EVERY_PUTS = 1000;

/**
 * In-memory stand-in for CloudWatch metric storage: raw samples per
 * (namespace, metric name, exact dimension set), kept sorted by timestamp,
 * bounded by age, by samples per series and by number of series.
 */
export class MetricStore {
  readonly retentionMs: number;
  readonly maxSamplesPerSeries: number;
  readonly maxSeries: number;
  private readonly series = new Map<string, Series>();
  private newestTimestamp = Number.NEGATIVE_INFINITY;
  private putsSinceSweep = 0;

  constructor(options: MetricStoreOptions = {}) {
    this.retentionMs = positive(options.retentionMs ?? DEFAULT_RETENTION_MS, 'retentionMs');
    this.maxSamplesPerSeries = positive(options.maxSamplesPerSeries ?? 50_000, 'maxSamplesPerSeries');
    this.maxSeries = positive(options.maxSeries ?? 10_000, 'maxSeries');
  }

  /**
   * Stores the values of one datapoint. Invalid input throws before anything is
   * stored. Returns how many values were kept (values already past retention are not).
   */
  put(datapoint: DatapointInput): number {
    validateDatapoint(datapoint);
    const cutoffBefore = this.cutoff();
    if (datapoint.timestamp > this.newestTimestamp) this.newestTimestamp = datapoint.timestamp;
    const cutoff = this.cutoff();
    if (datapoint.timestamp < cutoff || datapoint.values.length === 0) return 0;

    const key = seriesKey(datapoint);
    let series = this.series.get(key);
    if (series) {
      // Re-insert so Map order is least-recently-written first (eviction order).
      this.series.delete(key);
    } else {
      series = {
        identity: {
          namespace: datapoint.namespace,
          name: datapoint.name,
          dimensions: { ...datapoint.dimensions },
        },
        samples: [],
      };
    }
    this.series.set(key, series);

    const unit = datapoint.unit ?? 'None';
    for (const value of datapoint.values)
      insertSorted(series.samples, { timestamp: datapoint.timestamp, value, unit });
    dropBefore(series.samples, cutoff);
    const slack = Math.max(1, Math.floor(this.maxSamplesPerSeries / 4));
    if (series.samples.length > this.maxSamplesPerSeries + slack) {
      series.samples.splice(0, series.samples.length - this.maxSamplesPerSeries);
    }

    this.evictSeriesOverLimit();
    this.putsSinceSweep += 1;
    if (this.putsSinceSweep >= FULL_SWEEP_EVERY_PUTS || cutoff - cutoffBefore > this.retentionMs / 2) {
      this.prune();
    }
    return datapoint.values.length;
  }

  putAll(datapoints: Iterable<DatapointInput>): number {
    let stored = 0;
    for (const datapoint of datapoints) stored += this.put(datapoint);
    return stored;
  }

  /** Samples of exactly this metric (same dimension set) with start <= timestamp < end, oldest first. */
  query(query: MetricQuery): Sample[] {
    const series = this.series.get(seriesKey(query));
    if (!series) return [];
    const from = Math.max(query.start, this.cutoff());
    const result: Sample[] = [];
    for (let i = lowerBound(series.samples, from); i < series.samples.length; i++) {
      const sample = series.samples[i]!;
      if (sample.timestamp >= query.end) break;
      if (query.unit === undefined || sample.unit === query.unit) result.push(sample);
    }
    return result;
  }

  /** Every stored metric, optionally filtered by namespace and metric name. */
  listMetrics(filter: { namespace?: string; name?: string } = {}): MetricIdentity[] {
    const result: MetricIdentity[] = [];
    for (const { identity, samples } of this.series.values()) {
      if (samples.length === 0) continue;
      if (filter.namespace !== undefined && identity.namespace !== filter.namespace) continue;
      if (filter.name !== undefined && identity.name !== filter.name) continue;
      result.push({ ...identity, dimensions: { ...identity.dimensions } });
    }
    return result;
  }

  /** Drops everything older than the retention window; `now` defaults to the newest timestamp seen. */
  prune(now?: number): void {
    this.putsSinceSweep = 0;
    if (now !== undefined && now > this.newestTimestamp) this.newestTimestamp = now;
    const cutoff = this.cutoff();
    for (const [key, series] of this.series) {
      dropBefore(series.samples, cutoff);
      if (series.samples.length === 0) this.series.delete(key);
    }
  }

  get seriesCount(): number {
    return this.series.size;
  }

  get sampleCount(): number {
    let total = 0;
    for (const series of this.series.values()) total += series.samples.length;
    return total;
  }

  private cutoff(): number {
    return this.newestTimestamp - this.retentionMs;
  }

  private evictSeriesOverLimit(): void {
    for (const key of this.series.keys()) {
      if (this.series.size <= this.maxSeries) return;
      this.series.delete(key);
    }
  }
}

export function seriesKey(identity: MetricIdentity): string {
  const dimensions = Object.entries(identity.dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([identity.namespace, identity.name, dimensions]);
}

function validateDatapoint(datapoint: DatapointInput): void {
  const where = `metric ${JSON.stringify(datapoint?.name)} in ${JSON.stringify(datapoint?.namespace)}`;
  if (typeof datapoint !== 'object' || datapoint === null)
    throw new MetricStoreError('datapoint must be an object');
  if (typeof datapoint.namespace !== 'string' || datapoint.namespace.trim() === '') {
    throw new MetricStoreError('datapoint namespace must be a non-empty string');
  }
  if (typeof datapoint.name !== 'string' || datapoint.name.trim() === '') {
    throw new MetricStoreError(
      `datapoint name must be a non-empty string (namespace ${datapoint.namespace})`,
    );
  }
  if (typeof datapoint.dimensions !== 'object' || datapoint.dimensions === null) {
    throw new MetricStoreError(`${where}: dimensions must be an object of strings`);
  }
  for (const [name, value] of Object.entries(datapoint.dimensions)) {
    if (typeof value !== 'string' || value === '') {
      throw new MetricStoreError(`${where}: dimension ${JSON.stringify(name)} must be a non-empty string`);
    }
  }
  if (!Number.isFinite(datapoint.timestamp))
    throw new MetricStoreError(`${where}: timestamp must be a finite number`);
  if (!Array.isArray(datapoint.values))
    throw new MetricStoreError(`${where}: values must be an array of numbers`);
  for (const value of datapoint.values) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new MetricStoreError(`${where}: value ${String(value)} is not a finite number`);
    }
  }
  if (datapoint.unit !== undefined && !isCloudWatchUnit(datapoint.unit)) {
    throw new MetricStoreError(`${where}: unit ${JSON.stringify(datapoint.unit)} is not a CloudWatch unit`);
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new MetricStoreError(`${name} must be a positive number`);
  return value;
}

/** Index of the first sample with timestamp >= t. */
function lowerBound(samples: readonly Sample[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid]!.timestamp < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first sample with timestamp > t. */
function upperBound(samples: readonly Sample[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid]!.timestamp <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(samples: Sample[], sample: Sample): void {
  const last = samples[samples.length - 1];
  if (!last || last.timestamp <= sample.timestamp) {
    samples.push(sample);
    return;
  }
  // Late arrival: keep order; equal timestamps stay in arrival order.
  samples.splice(upperBound(samples, sample.timestamp), 0, sample);
}

function dropBefore(samples: Sample[], cutoff: number): void {
  if (samples.length === 0 || samples[0]!.timestamp >= cutoff) return;
  samples.splice(0, lowerBound(samples, cutoff));
}
