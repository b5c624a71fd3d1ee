/**
 * Collects an invocation's metrics, grouped by dimensions, and writes them as EMF through
 * Powertools Metrics at flush time: one JSON line per group, each within CloudWatch's EMF limits.
 *
 * Guards, so that a bug in a caller can neither break the handler nor create thousands of billed
 * metrics: invalid names and non-finite values are dropped with one warning each, long dimension
 * values are truncated, and each dimension keeps a bounded number of distinct values per container.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricUnit } from '@aws-lambda-powertools/metrics';

export type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];
export type Dimensions = Record<string, string>;

/** CloudWatch EMF limits. */
export const EMF_LIMITS = {
  metricsPerBlob: 100,
  valuesPerMetric: 100,
  dimensionsPerSet: 30,
  metricNameLength: 255,
  dimensionNameLength: 255,
  dimensionValueLength: 1024,
} as const;

export const OTHER = 'other';

interface Group {
  dimensions: Dimensions;
  /** Dimension-name lists for this group, `service` first in each. */
  sets: string[][];
  metrics: Map<string, { unit: Unit; values: number[] }>;
}

export interface MetricSinkOptions {
  /** When false, nothing is recorded or written. */
  enabled: boolean;
  namespace: string;
  serviceName: string;
  maxDimensionValues: number;
  /** Receives each distinct warning once. */
  warn: (message: string) => void;
}

export class MetricSink {
  readonly #groups = new Map<string, Group>();
  readonly #seenValues = new Map<string, Set<string>>();
  readonly #warned = new Set<string>();
  readonly #writer: Metrics;
  readonly #options: MetricSinkOptions;

  constructor(options: MetricSinkOptions) {
    this.#options = options;
    const forward = (...content: unknown[]) => {
      const message = content.map(String).join(' ');
      // Powertools flags a key shared by two dimension sets; rollups share keys on purpose.
      if (message.includes('dimension set and dimension set')) return;
      this.#warnOnce(`powertools:${message}`, message);
    };
    this.#writer = new Metrics({
      namespace: options.namespace,
      serviceName: options.serviceName,
      logger: { debug: () => {}, info: () => {}, warn: forward, error: forward },
    });
  }

  /**
   * Records one value. `dimensions` is added to `service`; `rollups` lists extra dimension sets
   * (subsets of `dimensions`' keys) that the same values are also published under.
   */
  add(name: string, unit: Unit, value: number, dimensions: Dimensions = {}, rollups: string[][] = []): void {
    if (!this.#options.enabled) return;
    if (typeof name !== 'string' || name.length === 0 || name.length > EMF_LIMITS.metricNameLength) {
      this.#warnOnce(
        `name:${String(name).slice(0, 40)}`,
        `Metric name is invalid and was dropped: "${String(name).slice(0, 80)}"`,
      );
      return;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.#warnOnce(`value:${name}`, `Metric "${name}" got a non-finite value and it was dropped`);
      return;
    }
    const dims = this.#guardDimensions(name, dimensions);
    const names = Object.keys(dims);
    const sets = uniqueSets([names, ...rollups.map((set) => set.filter((key) => key in dims))]);
    const key = JSON.stringify([dims, sets]);
    let group = this.#groups.get(key);
    if (!group) {
      group = { dimensions: dims, sets, metrics: new Map() };
      this.#groups.set(key, group);
    }
    const metric = group.metrics.get(name);
    if (metric) metric.values.push(value);
    else group.metrics.set(name, { unit, values: [value] });
  }

  get size(): number {
    return this.#groups.size;
  }

  /** Writes every recorded metric as EMF lines and empties the sink. */
  flush(timestamp = Date.now()): void {
    const groups = [...this.#groups.values()];
    this.#groups.clear();
    for (const group of groups) {
      for (const chunk of chunks(group.metrics)) {
        for (const set of group.sets) {
          const dimensions: Dimensions = {};
          for (const key of set) dimensions[key] = group.dimensions[key] as string;
          this.#writer.addDimensions(dimensions);
        }
        this.#writer.setTimestamp(timestamp);
        for (const [name, { unit, values }] of chunk) {
          for (const value of values) this.#writer.addMetric(name, unit, value);
        }
        this.#writer.publishStoredMetrics();
      }
    }
  }

  #guardDimensions(metric: string, dimensions: Dimensions): Dimensions {
    const out: Dimensions = {};
    let count = 1; // `service` is always there
    for (const [rawName, rawValue] of Object.entries(dimensions)) {
      if (rawName === 'service') continue;
      if (count >= EMF_LIMITS.dimensionsPerSet) {
        this.#warnOnce(
          `dims:${metric}`,
          `Metric "${metric}" has more than ${EMF_LIMITS.dimensionsPerSet} dimensions; the rest were dropped`,
        );
        break;
      }
      const name = rawName.slice(0, EMF_LIMITS.dimensionNameLength);
      let value =
        typeof rawValue === 'string' && rawValue.length > 0 ? rawValue : String(rawValue ?? '') || 'none';
      if (value.length > EMF_LIMITS.dimensionValueLength) {
        value = `${value.slice(0, EMF_LIMITS.dimensionValueLength - 1)}…`;
      }
      out[name] = this.#bounded(name, value);
      count++;
    }
    return out;
  }

  /** Keeps at most `maxDimensionValues` distinct values per dimension name; later ones become `other`. */
  #bounded(name: string, value: string): string {
    let seen = this.#seenValues.get(name);
    if (!seen) {
      seen = new Set();
      this.#seenValues.set(name, seen);
    }
    if (seen.has(value)) return value;
    if (seen.size >= this.#options.maxDimensionValues) {
      this.#warnOnce(
        `cardinality:${name}`,
        `Dimension "${name}" reached ${this.#options.maxDimensionValues} distinct values in this container; new values are counted as "${OTHER}"`,
      );
      return OTHER;
    }
    seen.add(value);
    return value;
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#options.warn(message);
  }
}

function uniqueSets(sets: string[][]): string[][] {
  const seen = new Set<string>();
  return sets.filter((set) => {
    const key = set.join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Splits a group's metrics so that no blob exceeds the EMF limits on metrics and values. */
function* chunks(metrics: Map<string, { unit: Unit; values: number[] }>) {
  let chunk: [string, { unit: Unit; values: number[] }][] = [];
  for (const [name, { unit, values }] of metrics) {
    for (let start = 0; start < values.length; start += EMF_LIMITS.valuesPerMetric) {
      if (chunk.length === EMF_LIMITS.metricsPerBlob || chunk.some(([existing]) => existing === name)) {
        yield chunk;
        chunk = [];
      }
      chunk.push([name, { unit, values: values.slice(start, start + EMF_LIMITS.valuesPerMetric) }]);
    }
  }
  if (chunk.length > 0) yield chunk;
}
