/**
 * Captures what a handler writes to stdout and stderr (Lambda sends both to CloudWatch Logs) and
 * reads it back as JSON log lines and EMF metric documents.
 */
import { jest } from '@jest/globals';

export type JsonLine = Record<string, unknown>;

export interface EmfDocument extends JsonLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
}

export interface CapturedOutput {
  /** What each stream was sent, chunk by chunk. */
  readonly stdout: string[];
  readonly stderr: string[];
  /** Every non-empty line, parsed as JSON where possible (others as `{ unparsed }`). */
  lines(): JsonLine[];
  /** Log lines: JSON lines that are not EMF. */
  logs(): JsonLine[];
  /** EMF metric documents. */
  emf(): EmfDocument[];
  /** Everything written, as one string: for asserting that something never appears. */
  text(): string;
  clear(): void;
  restore(): void;
}

export function captureOutput(): CapturedOutput {
  const captured = { written: [] as string[], stdout: [] as string[], stderr: [] as string[] };
  const into = (stream: 'stdout' | 'stderr') => (chunk: unknown) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    captured.written.push(text);
    captured[stream].push(text);
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(into('stdout'));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(into('stderr'));
  const lines = (): JsonLine[] =>
    captured.written
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          const parsed: unknown = JSON.parse(line);
          return typeof parsed === 'object' && parsed !== null ? (parsed as JsonLine) : { unparsed: line };
        } catch {
          return { unparsed: line };
        }
      });
  return {
    get stdout() {
      return captured.stdout;
    },
    get stderr() {
      return captured.stderr;
    },
    lines,
    logs: () => lines().filter((line) => !('_aws' in line) && !('unparsed' in line)),
    emf: () => lines().filter((line): line is EmfDocument => '_aws' in line),
    text: () => captured.written.join(''),
    clear: () => {
      captured.written = [];
      captured.stdout = [];
      captured.stderr = [];
    },
    restore: () => {
      stdout.mockRestore();
      stderr.mockRestore();
    },
  };
}

const declares = (doc: EmfDocument, name: string) =>
  doc._aws.CloudWatchMetrics.some((directive) => directive.Metrics.some((metric) => metric.Name === name));

const valuesOf = (value: unknown): number[] =>
  Array.isArray(value)
    ? value.filter((v): v is number => typeof v === 'number')
    : typeof value === 'number'
      ? [value]
      : [];

/** Every value of a metric in documents whose dimension values include `dimensions`. */
export function metricValues(
  docs: EmfDocument[],
  name: string,
  dimensions: Record<string, string> = {},
): number[] {
  return docs
    .filter((doc) => declares(doc, name))
    .filter((doc) => Object.entries(dimensions).every(([key, value]) => doc[key] === value))
    .flatMap((doc) => valuesOf(doc[name]));
}

/** The unit a metric is declared with (the first declaration found). */
export function metricUnit(docs: EmfDocument[], name: string): string | undefined {
  for (const doc of docs) {
    for (const directive of doc._aws.CloudWatchMetrics) {
      const metric = directive.Metrics.find((m) => m.Name === name);
      if (metric) return metric.Unit;
    }
  }
  return undefined;
}

/** The dimension sets a metric is published under, across all documents. */
export function dimensionSets(docs: EmfDocument[], name: string): string[][] {
  const sets = new Map<string, string[]>();
  for (const doc of docs) {
    for (const directive of doc._aws.CloudWatchMetrics) {
      if (!directive.Metrics.some((metric) => metric.Name === name)) continue;
      for (const set of directive.Dimensions) sets.set(JSON.stringify(set), set);
    }
  }
  return [...sets.values()];
}
