import { z } from 'zod';
import { CLOUDWATCH_UNITS, type CloudWatchUnit } from './units.js';
import type { Dimensions } from './store.js';

/** One metric under one dimension set, as CloudWatch extracts it from an EMF log line. */
export interface EmfDatapoint {
  namespace: string;
  name: string;
  unit: CloudWatchUnit;
  dimensions: Dimensions;
  /** Every value is one sample (an EMF array of values is several samples). */
  values: number[];
  /** Epoch ms (from `_aws.Timestamp`, after the optional mapping). */
  timestamp: number;
  storageResolution: 1 | 60;
}

export type EmfParseResult =
  | { ok: true; datapoints: EmfDatapoint[] }
  /** not-json: the line is not a JSON object; not-emf: a JSON object without `_aws` (an ordinary log line); invalid: claims to be EMF but breaks the specification. */
  | { ok: false; kind: 'not-json' | 'not-emf' | 'invalid'; reason: string };

export interface EmfParseOptions {
  /** Maps the line's `_aws.Timestamp` (real time) to the store's time, e.g. simulated time. */
  mapTimestamp?: (timestamp: number) => number;
}

// Limits from the CloudWatch embedded metric format specification.
const MAX_DIMENSIONS_PER_SET = 30;
const MAX_METRICS_PER_DIRECTIVE = 100;
const MAX_VALUES_PER_METRIC = 100;
const MAX_NAME_LENGTH = 1024;

const nameString = z.string().min(1).max(MAX_NAME_LENGTH);

const metricDirective = z.object({
  Namespace: z
    .string()
    .min(1)
    .max(MAX_NAME_LENGTH)
    .refine((value) => value.trim() !== '', 'must not be blank')
    .refine((value) => !value.startsWith('AWS/'), 'namespaces starting with "AWS/" are reserved for AWS'),
  Dimensions: z.array(z.array(nameString).max(MAX_DIMENSIONS_PER_SET)),
  Metrics: z
    .array(
      z.object({
        Name: nameString,
        Unit: z.enum(CLOUDWATCH_UNITS).optional(),
        StorageResolution: z.union([z.literal(1), z.literal(60)]).optional(),
      }),
    )
    .max(MAX_METRICS_PER_DIRECTIVE),
});

const emfMetadata = z.object({
  Timestamp: z.number().int().nonnegative(),
  CloudWatchMetrics: z.array(metricDirective),
});

/**
 * Parses one log line as CloudWatch embedded metric format. Never throws: a
 * line that is not EMF, or is EMF that CloudWatch would refuse, comes back
 * with a reason instead.
 */
export function parseEmfLine(line: string, options: EmfParseOptions = {}): EmfParseResult {
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    return { ok: false, kind: 'not-json', reason: 'line is not JSON' };
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    return { ok: false, kind: 'not-json', reason: 'line is not a JSON object' };
  }
  return parseEmfObject(root as Record<string, unknown>, options);
}

/** As parseEmfLine, for an already parsed JSON object. */
export function parseEmfObject(root: Record<string, unknown>, options: EmfParseOptions = {}): EmfParseResult {
  if (!Object.hasOwn(root, '_aws')) return { ok: false, kind: 'not-emf', reason: 'no _aws metadata' };
  const metadata = emfMetadata.safeParse(root._aws);
  if (!metadata.success) {
    const issue = metadata.error.issues[0]!;
    const path = ['_aws', ...issue.path.map(String)].join('.');
    return invalid(`${path}: ${issue.message}`);
  }

  let timestamp = metadata.data.Timestamp;
  if (options.mapTimestamp) {
    try {
      timestamp = options.mapTimestamp(timestamp);
    } catch (error) {
      return invalid(`timestamp mapping failed: ${(error as Error).message}`);
    }
    if (!Number.isFinite(timestamp)) return invalid('timestamp mapping returned a non-finite number');
  }

  const datapoints: EmfDatapoint[] = [];
  for (const [index, directive] of metadata.data.CloudWatchMetrics.entries()) {
    const where = `_aws.CloudWatchMetrics.${index}`;
    // An empty Dimensions array publishes the metrics without dimensions, like [[]].
    const dimensionSets = directive.Dimensions.length === 0 ? [[]] : directive.Dimensions;
    const resolvedSets: Record<string, string>[] = [];
    const seenSets = new Set<string>();
    for (const set of dimensionSets) {
      const dimensions: Record<string, string> = {};
      for (const key of set) {
        const value = root[key];
        if (value === undefined)
          return invalid(`${where}: dimension ${JSON.stringify(key)} has no value in the line`);
        if (typeof value !== 'string') {
          return invalid(`${where}: dimension ${JSON.stringify(key)} must be a string, got ${typeof value}`);
        }
        if (value === '' || value.length > MAX_NAME_LENGTH) {
          return invalid(
            `${where}: dimension ${JSON.stringify(key)} must be 1..${MAX_NAME_LENGTH} characters`,
          );
        }
        dimensions[key] = value;
      }
      const setKey = JSON.stringify(Object.entries(dimensions).sort());
      if (seenSets.has(setKey)) continue;
      seenSets.add(setKey);
      resolvedSets.push(dimensions);
    }

    for (const metric of directive.Metrics) {
      const values = metricValues(root[metric.Name]);
      if (typeof values === 'string')
        return invalid(`${where}: metric ${JSON.stringify(metric.Name)} ${values}`);
      for (const dimensions of resolvedSets) {
        datapoints.push({
          namespace: directive.Namespace,
          name: metric.Name,
          unit: metric.Unit ?? 'None',
          dimensions,
          values: [...values],
          timestamp,
          storageResolution: metric.StorageResolution ?? 60,
        });
      }
    }
  }
  return { ok: true, datapoints };
}

function metricValues(raw: unknown): number[] | string {
  if (raw === undefined) return 'has no value in the line';
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) return 'has an empty array of values';
  if (values.length > MAX_VALUES_PER_METRIC) return `has more than ${MAX_VALUES_PER_METRIC} values`;
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return `value ${JSON.stringify(value)} is not a finite number`;
    }
  }
  return values as number[];
}

function invalid(reason: string): EmfParseResult {
  return { ok: false, kind: 'invalid', reason: `invalid EMF: ${reason}` };
}
