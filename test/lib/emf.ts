/**
 * Validates EMF lines: the JSON schema (structure and limits), then the cross-references the
 * specification requires — every dimension key names a string member of at most 1024 characters,
 * every metric name a number or an array of at most 100 numbers.
 */
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';

const schema = JSON.parse(readFileSync(new URL('./emf-schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);

interface Directive {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit?: string }[];
}

export function emfProblems(line: Record<string, unknown>): string[] {
  if (!validate(line)) return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  const problems: string[] = [];
  const directives = (line._aws as { CloudWatchMetrics: Directive[] }).CloudWatchMetrics;
  for (const directive of directives) {
    for (const set of directive.Dimensions) {
      for (const key of set) {
        const value = line[key];
        if (typeof value !== 'string') problems.push(`dimension ${key} is not a string member`);
        else if (value.length > 1024 || value.length === 0)
          problems.push(`dimension ${key} has length ${value.length}`);
      }
    }
    for (const { Name } of directive.Metrics) {
      const value = line[Name];
      const values = Array.isArray(value) ? value : [value];
      if (values.length > 100) problems.push(`metric ${Name} has ${values.length} values`);
      if (!values.every((v) => typeof v === 'number' && Number.isFinite(v)))
        problems.push(`metric ${Name} has a non-number value`);
    }
  }
  return problems;
}

/** Throws with every problem of every EMF line in `lines`. */
export function expectValidEmf(lines: Record<string, unknown>[]): void {
  const problems = lines.flatMap((line, i) => emfProblems(line).map((p) => `line ${i}: ${p}`));
  if (problems.length > 0) throw new Error(`invalid EMF:\n${problems.join('\n')}`);
}

const directivesOf = (line: Record<string, unknown>) =>
  (line._aws as { CloudWatchMetrics: Directive[] }).CloudWatchMetrics;

/** The values recorded for `name` under exactly the dimension set `dims` (service included). */
export function metricValues(
  lines: Record<string, unknown>[],
  name: string,
  dims: Record<string, string>,
): number[] {
  const wanted = Object.keys(dims).sort().join(',');
  const out: number[] = [];
  for (const line of lines) {
    for (const directive of directivesOf(line)) {
      if (!directive.Metrics.some((m) => m.Name === name)) continue;
      const hasSet = directive.Dimensions.some((set) => [...set].sort().join(',') === wanted);
      const matches = Object.entries(dims).every(([k, v]) => line[k] === v);
      if (!hasSet || !matches) continue;
      const value = line[name];
      out.push(...(Array.isArray(value) ? (value as number[]) : [value as number]));
    }
  }
  return out;
}

export function unitOf(lines: Record<string, unknown>[], name: string): string | undefined {
  for (const line of lines) {
    for (const directive of directivesOf(line)) {
      const metric = directive.Metrics.find((m) => m.Name === name);
      if (metric) return metric.Unit;
    }
  }
  return undefined;
}
