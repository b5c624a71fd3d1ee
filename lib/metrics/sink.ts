/**
 * Collects an invocation's metrics, grouped by dimensions, and writes them at flush time as
 * CloudWatch Embedded Metric Format: as few JSON lines as the EMF rules allow (usually one per
 * invocation), each group a metric directive of its own.
 *
 * Guards, so that a bug in a caller can neither break the handler nor create thousands of billed
 * metrics: invalid names and non-finite values are dropped with one warning each, long dimension
 * values are truncated, and each dimension keeps a bounded number of distinct values per container.
 *
 * Why not Powertools Metrics here: it writes one directive per line and reads `process.env` on
 * every store access; under the profiler that was a fifth of an invocation's cost (see
 * BENCHMARKS.md). The format is small and specified, and every line the tests see is validated
 * against a schema written from the specification.
 */

/** The units EMF accepts. */
export const UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

export type Unit = (typeof UNITS)[number];
export type Dimensions = Record<string, string>;

/** CloudWatch EMF limits. */
export const EMF_LIMITS = {
  metricsPerLine: 100,
  valuesPerMetric: 100,
  dimensionsPerSet: 30,
  metricNameLength: 255,
  dimensionNameLength: 255,
  dimensionValueLength: 1024,
} as const;

export const OTHER = 'other';
const SERVICE = 'service';
/** Empty groups kept between invocations, at most; beyond it they are dropped and rebuilt. */
const MAX_KEPT_GROUPS = 500;
const knownUnits = new Set<string>(UNITS);

interface Group {
  /** Dimension values, `service` included. */
  dimensions: Dimensions;
  /** Dimension-name lists, `service` first in each. */
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
  /** Where lines go. @default process.stdout */
  write?: (line: string) => void;
}

export class MetricSink {
  readonly #groups = new Map<string, Group>();
  readonly #seenValues = new Map<string, Set<string>>();
  readonly #warned = new Set<string>();
  readonly #options: MetricSinkOptions;
  readonly #write: (line: string) => void;

  constructor(options: MetricSinkOptions) {
    this.#options = options;
    this.#write = options.write ?? ((line) => process.stdout.write(line));
  }

  /**
   * Records one value. `dimensions` is added to `service`; `rollups` lists extra dimension sets
   * (subsets of `dimensions`' keys) that the same values are also published under.
   */
  add(name: string, unit: Unit, value: number, dimensions: Dimensions = {}, rollups: string[][] = []): void {
    if (!this.#options.enabled) return;
    if (typeof name !== 'string' || name.length === 0 || name.length > EMF_LIMITS.metricNameLength) {
      const shown = String(name).slice(0, 80);
      this.#warnOnce(`name:${shown}`, `Metric name is invalid and was dropped: "${shown}"`);
      return;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.#warnOnce(`value:${name}`, `Metric "${name}" got a non-finite value and it was dropped`);
      return;
    }
    if (!knownUnits.has(unit)) {
      this.#warnOnce(
        `unit:${name}`,
        `Metric "${name}" has an unknown unit "${String(unit)}"; recorded as None`,
      );
      unit = 'None';
    }
    const dims = this.#guardDimensions(name, dimensions);
    let key = '';
    for (const dimension in dims) key += `${dimension}\u0001${dims[dimension]}\u0002`;
    for (const set of rollups) key += `\u0003${set.join('\u0001')}`;
    let group = this.#groups.get(key);
    if (!group) {
      group = { dimensions: dims, sets: dimensionSets(dims, rollups), metrics: new Map() };
      this.#groups.set(key, group);
    }
    const metric = group.metrics.get(name);
    if (metric) metric.values.push(value);
    else group.metrics.set(name, { unit, values: [value] });
  }

  /** Groups holding values not yet written. */
  get size(): number {
    let count = 0;
    for (const group of this.#groups.values()) if (group.metrics.size > 0) count++;
    return count;
  }

  /**
   * Writes every recorded metric as EMF lines and empties the sink. Groups stay, emptied, for the
   * next invocation, which usually records under the same dimensions.
   */
  flush(timestamp = Date.now()): void {
    const recorded: Group[] = [];
    for (const group of this.#groups.values()) {
      if (group.metrics.size === 0) continue;
      recorded.push({ dimensions: group.dimensions, sets: group.sets, metrics: group.metrics });
      group.metrics = new Map();
    }
    if (this.#groups.size > MAX_KEPT_GROUPS) this.#groups.clear();
    if (recorded.length === 0) return;
    for (const line of packLines(recorded, this.#options.namespace, timestamp)) this.#write(`${line}\n`);
  }

  #guardDimensions(metric: string, dimensions: Dimensions): Dimensions {
    const out: Dimensions = { [SERVICE]: this.#options.serviceName };
    let count = 1;
    for (const rawName in dimensions) {
      if (rawName === SERVICE) continue;
      if (count >= EMF_LIMITS.dimensionsPerSet) {
        this.#warnOnce(
          `dims:${metric}`,
          `Metric "${metric}" has more than ${EMF_LIMITS.dimensionsPerSet} dimensions; the rest were dropped`,
        );
        break;
      }
      const rawValue = dimensions[rawName];
      const name =
        rawName.length > EMF_LIMITS.dimensionNameLength
          ? rawName.slice(0, EMF_LIMITS.dimensionNameLength)
          : rawName;
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

function dimensionSets(dims: Dimensions, rollups: string[][]): string[][] {
  const sets = [Object.keys(dims)];
  const seen = new Set([sets[0]!.join('\u0001')]);
  for (const rollup of rollups) {
    const set = [SERVICE, ...rollup.filter((key) => key !== SERVICE && key in dims)];
    const id = set.join('\u0001');
    if (!seen.has(id)) {
      seen.add(id);
      sets.push(set);
    }
  }
  return sets;
}

interface Line {
  root: Record<string, unknown>;
  directives: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: Unit }[] }[];
  metricCount: number;
}

/**
 * Packs groups into EMF lines. Several directives share a line when their dimension values and
 * metric names do not collide (a line's root holds one value per key); a metric's values are cut
 * into slices of at most 100, and a line holds at most 100 metrics.
 */
function packLines(groups: Group[], namespace: string, timestamp: number): string[] {
  const lines: Line[] = [];
  const fits = (line: Line, group: Group, names: string[]) => {
    if (line.metricCount + names.length > EMF_LIMITS.metricsPerLine) return false;
    for (const key in group.dimensions) {
      const existing = line.root[key];
      if (existing !== undefined && existing !== group.dimensions[key]) return false;
    }
    return names.every((name) => !(name in line.root) && !(name in group.dimensions));
  };

  for (const group of groups) {
    // slices: the first 100 values of every metric, then the next 100, ...
    const slices: Map<string, { unit: Unit; values: number[] }>[] = [];
    for (const [name, { unit, values }] of group.metrics) {
      for (let start = 0, index = 0; start < values.length; start += EMF_LIMITS.valuesPerMetric, index++) {
        (slices[index] ??= new Map()).set(name, {
          unit,
          values: values.slice(start, start + EMF_LIMITS.valuesPerMetric),
        });
      }
    }
    for (const slice of slices) {
      const entries = [...slice];
      for (let start = 0; start < entries.length; start += EMF_LIMITS.metricsPerLine) {
        const chunk = entries.slice(start, start + EMF_LIMITS.metricsPerLine);
        const names = chunk.map(([name]) => name);
        let line = lines.find((candidate) => fits(candidate, group, names));
        if (!line) {
          line = { root: {}, directives: [], metricCount: 0 };
          lines.push(line);
        }
        Object.assign(line.root, group.dimensions);
        const definitions: { Name: string; Unit: Unit }[] = [];
        for (const [name, { unit, values }] of chunk) {
          line.root[name] = values.length === 1 ? values[0] : values;
          definitions.push({ Name: name, Unit: unit });
        }
        line.metricCount += chunk.length;
        line.directives.push({ Namespace: namespace, Dimensions: group.sets, Metrics: definitions });
      }
    }
  }

  return lines.map(({ root, directives }) =>
    JSON.stringify({ _aws: { Timestamp: timestamp, CloudWatchMetrics: directives }, ...root }),
  );
}
