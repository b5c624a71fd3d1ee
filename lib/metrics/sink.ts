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
import type { Dimension } from '../contract.js';

/*
 * Numbers first: esbuild inlines a module's numeric constants only when they come before its
 * other declarations (each use then costs a few bytes less in every bundle).
 */
/** CloudWatch EMF limits. */
const METRICS_PER_LINE = 100;
const VALUES_PER_METRIC = 100;
const DIMENSIONS_PER_SET = 30;
const METRIC_NAME_LENGTH = 255;
const DIMENSION_NAME_LENGTH = 255;
const DIMENSION_VALUE_LENGTH = 1024;
/** Empty groups kept between invocations, at most; beyond it they are dropped and rebuilt. */
const MAX_KEPT_GROUPS = 500;
/** Metric names kept per group between invocations, at most. */
const MAX_KEPT_METRICS = 200;
/** Caller inputs remembered for their group, at most. */
const MAX_KEPT_INPUTS = 1000;
/** Compiled line layouts kept, at most. */
const MAX_LAYOUTS = 100;

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

export const OTHER = 'other';
/** Checked against the contract by the compiler; a lookup would put its table in every bundle. */
const SERVICE = 'service' satisfies Dimension;
/** Exactly the names in UNITS (a test holds them together), shorter in a bundle than the list. */
const KNOWN_UNIT =
  /^(?:Seconds|Microseconds|Milliseconds|Percent|Count|Count\/Second|None|(?:Bytes|Bits|(?:Kilo|Mega|Giga|Tera)(?:bytes|bits))(?:\/Second)?)$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f]/;

/** One metric of a group: its values since the last flush. Kept, emptied, between flushes. */
interface Slot {
  name: string;
  unit: Unit;
  values: number[];
  /** Identifies name and unit within the group's shape. */
  tag: string;
}

interface Group {
  /** Unique for the sink's lifetime: layouts refer to groups by it. */
  id: number;
  /** Dimension values, `service` included. */
  dimensions: Dimensions;
  /** Dimension-name lists, `service` first in each. */
  sets: string[][];
  slots: Map<string, Slot>;
  /** Slots recorded since the last flush, in recording order. */
  recorded: Slot[];
  /** The group's id and the tags of `recorded`: which metrics a flush writes for it. */
  shape: string;
}

/**
 * How to write the lines for one shape (the same groups recording the same metrics, the usual
 * case from one invocation to the next): fixed JSON text around the timestamp and the values.
 */
type Layout = { parts: string[]; slots: ValueRef[] }[];

/** Records values under one set of dimensions; see `MetricSink.group`. */
export interface MetricGroup {
  add(name: string, unit: Unit, value: number): void;
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
  /** By the guarded dimensions and dimension sets. */
  readonly #groups = new Map<string, Group>();
  /** By the caller's dimensions and rollups, before guarding: skips the guards on repeat. */
  readonly #groupsByInput = new Map<string, Group>();
  readonly #layouts = new Map<string, Layout>();
  readonly #seenValues = new Map<string, Set<string>>();
  readonly #warned = new Set<string>();
  readonly #options: MetricSinkOptions;
  readonly #write: (line: string) => void;
  /** Groups with values not yet written, in recording order. */
  #pending: Group[] = [];
  #nextGroupId = 0;
  /** Changes when groups are dropped, so that handles look theirs up again. */
  #generation = 0;

  constructor(options: MetricSinkOptions) {
    this.#options = options;
    this.#write = options.write ?? ((line) => process.stdout.write(line));
  }

  /**
   * Records one value. `dimensions` is added to `service`; `rollups` lists extra dimension sets
   * (subsets of `dimensions`' keys) that the same values are also published under.
   */
  add(name: string, unit: Unit, value: number, dimensions: Dimensions = {}, rollups: string[][] = []): void {
    this.group(dimensions, rollups).add(name, unit, value);
  }

  /**
   * A handle for recording often under the same dimensions (the library's own metrics): the
   * dimensions are guarded and looked up once, not on every value.
   */
  group(dimensions: Dimensions, rollups: string[][] = []): MetricGroup {
    let group: Group | undefined;
    let generation = -1;
    return {
      add: (name, unit, value) => {
        if (!this.#options.enabled) return;
        const checkedUnit = this.#check(name, unit, value);
        if (checkedUnit === undefined) return;
        if (group === undefined || generation !== this.#generation) {
          group = this.#groupFor(name, dimensions, rollups);
          generation = this.#generation;
        }
        this.#record(group, name, checkedUnit, value);
      },
    };
  }

  /** The unit to record with, or undefined when the value must be dropped. */
  #check(name: string, unit: Unit, value: number): Unit | undefined {
    if (
      typeof name !== 'string' ||
      name.length === 0 ||
      name.length > METRIC_NAME_LENGTH ||
      CONTROL_CHARACTER.test(name)
    ) {
      const shown = String(name).slice(0, 80);
      this.#warnOnce(`name:${shown}`, `Metric name invalid, dropped: "${shown}"`);
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.#warnOnce(`value:${name}`, `Metric "${name}": non-finite value dropped`);
      return undefined;
    }
    if (typeof unit !== 'string' || !KNOWN_UNIT.test(unit)) {
      this.#warnOnce(`unit:${name}`, `Metric "${name}": unknown unit "${String(unit)}", recorded as None`);
      return 'None';
    }
    return unit;
  }

  #record(group: Group, name: string, unit: Unit, value: number): void {
    let slot = group.slots.get(name);
    if (!slot) {
      slot = { name, unit, values: [], tag: slotTag(name, unit) };
      group.slots.set(name, slot);
    }
    if (slot.values.length === 0) {
      if (slot.unit !== unit) {
        slot.unit = unit;
        slot.tag = slotTag(name, unit);
      }
      if (group.recorded.length === 0) this.#pending.push(group);
      group.recorded.push(slot);
      group.shape += slot.tag;
    }
    slot.values.push(value);
  }

  /**
   * Writes every recorded metric as EMF lines and empties the sink. Groups stay, emptied, for the
   * next invocation, which usually records under the same dimensions.
   */
  flush(timestamp = Date.now()): void {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    try {
      for (const line of this.#lines(pending, timestamp)) this.#write(line);
    } finally {
      for (const group of pending) {
        for (const slot of group.recorded) slot.values.length = 0;
        group.recorded = [];
        group.shape = `${group.id}:`;
        if (group.slots.size > MAX_KEPT_METRICS) group.slots.clear();
      }
      if (this.#groups.size > MAX_KEPT_GROUPS) {
        this.#generation++;
        this.#groups.clear();
        this.#groupsByInput.clear();
        this.#layouts.clear();
      }
    }
  }

  #lines(groups: Group[], timestamp: number): string[] {
    let shape = '';
    for (const group of groups) {
      shape += group.shape;
      // More than 100 values are cut into slices, one per line: their count is part of the shape.
      group.recorded.forEach(({ values }, index) => {
        if (values.length > VALUES_PER_METRIC) {
          shape += `${index}#${Math.ceil(values.length / VALUES_PER_METRIC)}`;
        }
      });
      shape += '\u0003';
    }
    let layout = this.#layouts.get(shape);
    if (!layout) {
      layout = compileLayout(groups, this.#options.namespace);
      if (this.#layouts.size >= MAX_LAYOUTS) this.#layouts.clear();
      this.#layouts.set(shape, layout);
    }
    const out: string[] = [];
    const time = String(timestamp);
    for (const { parts, slots } of layout) {
      let text = parts[0]! + time;
      for (let i = 0; i < slots.length; i++) {
        const { group, metric, start } = slots[i]!;
        const values = groups[group]!.recorded[metric]!.values;
        text +=
          parts[i + 1]! +
          formatValues(
            values.length > VALUES_PER_METRIC ? values.slice(start, start + VALUES_PER_METRIC) : values,
          );
      }
      out.push(`${text}${parts[slots.length + 1]!}\n`);
    }
    return out;
  }

  #groupFor(metric: string, dimensions: Dimensions, rollups: string[][]): Group {
    const input = groupKey(dimensions, rollups);
    const known = this.#groupsByInput.get(input);
    if (known) return known;

    const dims = this.#guardDimensions(metric, dimensions);
    const key = groupKey(dims, rollups);
    let group = this.#groups.get(key);
    if (!group) {
      const id = this.#nextGroupId++;
      group = {
        id,
        dimensions: dims,
        sets: dimensionSets(dims, rollups),
        slots: new Map(),
        recorded: [],
        shape: `${id}:`,
      };
      this.#groups.set(key, group);
    }
    // Guarding the same input again gives the same group: values once admitted stay admitted,
    // and a dimension at its cap stays there.
    if (this.#groupsByInput.size >= MAX_KEPT_INPUTS) this.#groupsByInput.clear();
    this.#groupsByInput.set(input, group);
    return group;
  }

  #guardDimensions(metric: string, dimensions: Dimensions): Dimensions {
    const out: Dimensions = { [SERVICE]: this.#options.serviceName };
    let count = 1;
    for (const rawName in dimensions) {
      if (rawName === SERVICE) continue;
      if (count >= DIMENSIONS_PER_SET) {
        this.#warnOnce(
          `dims:${metric}`,
          `Metric "${metric}": over ${DIMENSIONS_PER_SET} dimensions, the rest dropped`,
        );
        break;
      }
      const rawValue = dimensions[rawName];
      const name = rawName.length > DIMENSION_NAME_LENGTH ? rawName.slice(0, DIMENSION_NAME_LENGTH) : rawName;
      let value =
        typeof rawValue === 'string' && rawValue.length > 0 ? rawValue : String(rawValue ?? '') || 'none';
      if (value.length > DIMENSION_VALUE_LENGTH) {
        value = `${value.slice(0, DIMENSION_VALUE_LENGTH - 1)}…`;
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
        `Dimension "${name}" reached ${this.#options.maxDimensionValues} distinct values in this container; new ones count as "${OTHER}"`,
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

const slotTag = (name: string, unit: Unit) => `${name}\u0001${unit}\u0002`;

/** Length-prefixed, so that no dimension name or value can make two inputs look alike. */
function groupKey(dimensions: Dimensions, rollups: string[][]): string {
  let key = '';
  for (const name in dimensions) {
    const value = String(dimensions[name]);
    key += `${name.length}:${name}${value.length}:${value}`;
  }
  for (const set of rollups) {
    key += '|';
    for (const name of set) key += `${name.length}:${name}`;
  }
  return key;
}

/** As JSON.stringify writes them: finite numbers print the same through String(). */
const formatValues = (values: number[]): string =>
  values.length === 1 ? String(values[0]) : `[${values.join(',')}]`;

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

/** Where a metric's values in a line come from: a recorded slot of a group, from value `start` on. */
interface ValueRef {
  group: number;
  metric: number;
  start: number;
}

interface PlannedLine {
  /** Dimension values (strings) and metric values (references), in member order. */
  root: Record<string, string | ValueRef>;
  directives: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: Unit }[] }[];
  metricCount: number;
}

/**
 * Plans EMF lines for groups. Several directives share a line when their dimension values and
 * metric names do not collide (a line's root holds one value per key); a metric's values are cut
 * into slices of at most 100, and a line holds at most 100 metrics.
 */
function packLines(groups: Group[], namespace: string): PlannedLine[] {
  const lines: PlannedLine[] = [];
  const fits = (line: PlannedLine, group: Group, names: string[]) => {
    if (line.metricCount + names.length > METRICS_PER_LINE) return false;
    for (const key in group.dimensions) {
      const existing = line.root[key];
      if (existing !== undefined && existing !== group.dimensions[key]) return false;
    }
    return names.every((name) => !(name in line.root) && !(name in group.dimensions));
  };

  groups.forEach((group, groupIndex) => {
    // slices: the first 100 values of every metric, then the next 100, ...
    const slices: { name: string; unit: Unit; ref: ValueRef }[][] = [];
    group.recorded.forEach(({ name, unit, values }, metric) => {
      for (let start = 0, index = 0; start < values.length; start += VALUES_PER_METRIC, index++) {
        (slices[index] ??= []).push({ name, unit, ref: { group: groupIndex, metric, start } });
      }
    });
    for (const slice of slices) {
      for (let start = 0; start < slice.length; start += METRICS_PER_LINE) {
        const chunk = slice.slice(start, start + METRICS_PER_LINE);
        const names = chunk.map(({ name }) => name);
        let line = lines.find((candidate) => fits(candidate, group, names));
        if (!line) {
          line = { root: {}, directives: [], metricCount: 0 };
          lines.push(line);
        }
        Object.assign(line.root, group.dimensions);
        const definitions: { Name: string; Unit: Unit }[] = [];
        for (const { name, unit, ref } of chunk) {
          line.root[name] = ref;
          definitions.push({ Name: name, Unit: unit });
        }
        line.metricCount += chunk.length;
        line.directives.push({ Namespace: namespace, Dimensions: group.sets, Metrics: definitions });
      }
    }
  });
  return lines;
}

/**
 * The JSON text of each planned line with holes for the timestamp and each metric's values, built
 * once per shape: what JSON.stringify would write for the line, member for member.
 */
function compileLayout(groups: Group[], namespace: string): Layout {
  return packLines(groups, namespace).map(({ root, directives }) => {
    const parts = ['{"_aws":{"Timestamp":'];
    const slots: ValueRef[] = [];
    let text = `,"CloudWatchMetrics":${JSON.stringify(directives)}}`;
    for (const key in root) {
      const member = root[key]!;
      text += `,${JSON.stringify(key)}:`;
      if (typeof member === 'string') {
        text += JSON.stringify(member);
      } else {
        parts.push(text);
        slots.push(member);
        text = '';
      }
    }
    parts.push(`${text}}`);
    return { parts, slots };
  });
}
