/**
 * The values file (`--values FILE`, JSON or YAML): secret and parameter values for the sandbox, over
 * the template's own or for what the stack only imports (`Secret.fromSecretNameV2`,
 * `StringParameter.fromStringParameterName`). Secrets are keyed by name, logical id or ARN;
 * parameters by name or logical id.
 *
 *   secrets:
 *     SlackWebhook: https://hooks.slack.com/services/T000/B000/XXXX
 *     prod/db: { username: app, password: local-only }   # an object is stored as JSON
 *   parameters:
 *     /orders/feature-flags: new-checkout
 *     /orders/allowed-origins: [http://localhost:3000, http://127.0.0.1:3000]   # a StringList
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse as parseYaml, YAMLError } from 'yaml';
import { z } from 'zod';

const key = z.string().min(1, 'a name must not be empty');

export const valuesSchema = z.strictObject({
  secrets: z
    .record(key, z.union([z.string(), z.record(z.string(), z.unknown())], 'a string or an object'))
    .default({}),
  parameters: z
    .record(
      key,
      z.union(
        [
          z.string().min(1, 'a parameter value must not be empty'),
          z
            .array(
              z
                .string()
                .min(1)
                .refine((item) => !item.includes(','), 'a list item has no comma'),
            )
            .min(1),
        ],
        'a string or a list of strings',
      ),
    )
    .default({}),
});

export type SandboxValues = z.output<typeof valuesSchema>;

export class ValuesError extends Error {
  override name = 'ValuesError';
}

/** Checks a parsed values file; every problem is named by where it is (`secrets.db: ...`). */
export function parseValues(value: unknown, source = 'the values file'): SandboxValues {
  const parsed = valuesSchema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `  ${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`,
  );
  throw new ValuesError(`${source} is not a valid values file:\n${problems.join('\n')}`);
}

/** Reads a values file: `.json`, or `.yaml`/`.yml`. */
export async function loadValues(file: string, cwd = process.cwd()): Promise<SandboxValues> {
  const extension = extname(file).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(extension))
    throw new ValuesError(`${file}: a values file is a .json, .yaml or .yml file`);
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new ValuesError(
      `${file} could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let value: unknown;
  try {
    // JSON is YAML too; the YAML parser says where a mistake is without quoting the line.
    value = parseYaml(text);
  } catch (error) {
    const where =
      error instanceof YAMLError ? error.message.split('\n')[0]!.replace(/:$/, '') : 'a syntax error';
    throw new ValuesError(`${file} could not be parsed: ${where}`);
  }
  return parseValues(value, file);
}
