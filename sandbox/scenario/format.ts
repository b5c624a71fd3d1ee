/**
 * A scenario: the traffic to send to the stack's API, phase by phase in simulated minutes, and what
 * must follow from it (alarms that fire and resolve, Slack messages). Written as JSON or YAML, or as
 * a module whose default export has the same shape and may also drive each phase with code.
 *
 *   phases:
 *     - name: normal traffic
 *       minutes: 5                # simulated minutes
 *       rate: 60                  # requests per simulated minute (default 60)
 *       requests:                 # picked at random, by weight (default 1)
 *         - { method: GET, path: /health }
 *         - { method: POST, path: /orders, body: { sku: A-1 }, weight: 3 }
 *     - name: error burst
 *       minutes: 10
 *       headers: { x-fail: 'true' }   # added to every request of the phase
 *       requests: [{ path: /orders/boom }]
 *   expect:
 *     - { alarm: ErrorRate, reaches: ALARM }
 *     - { alarm: ErrorRate, returnsTo: OK }
 *     - { alarm: LatencyP95, never: ALARM }
 *     - { slackMentions: ErrorRate, atLeast: 2 }   # messages naming the alarm (default 1)
 *     - { onlyAlarms: [ErrorRate] }
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;

const request = z
  .strictObject({
    method: z
      .string()
      .regex(/^[A-Za-z]+$/, 'an HTTP method such as GET')
      .default('GET')
      .transform((method) => method.toUpperCase()),
    path: z.string().startsWith('/', 'a path starting with /'),
    headers: z.record(z.string(), z.string()).default({}),
    /** An object or array is sent as JSON; a string as it is. */
    body: z.unknown().optional(),
    weight: z.number().positive().default(1),
  })
  .refine((value) => value.body === undefined || !['GET', 'HEAD'].includes(value.method), {
    message: 'a GET or HEAD request has no body',
  });

/** One user's turn against the API, for module scenarios: called again and again during the phase. */
export type PhaseDriver = (api: ApiCaller) => Promise<void>;

export type ApiCaller = (
  method: string,
  path: string,
  options?: { headers?: Record<string, string>; body?: unknown },
) => Promise<{ status: number; body: string }>;

const phase = z
  .strictObject({
    name: z.string().min(1).optional(),
    minutes: z
      .number()
      .positive()
      .max(24 * 60),
    rate: z.number().positive().max(100_000).optional(),
    headers: z.record(z.string(), z.string()).default({}),
    requests: z.array(request).min(1).optional(),
    run: z.custom<PhaseDriver>((value) => typeof value === 'function', 'a function').optional(),
    /** How many users run `run` side by side. */
    concurrency: z.number().int().min(1).max(64).optional(),
  })
  .refine((value) => (value.requests === undefined) !== (value.run === undefined), {
    message: 'a phase has either `requests` (a list) or `run` (a function, in a module scenario)',
  })
  .refine((value) => value.rate === undefined || value.requests !== undefined, {
    message: '`rate` applies to `requests`; a `run` phase sets its pace itself',
  });

const expectation = z.union([
  z.strictObject({ alarm: z.string().min(1), reaches: z.enum(ALARM_STATES) }),
  z.strictObject({ alarm: z.string().min(1), returnsTo: z.enum(ALARM_STATES) }),
  z.strictObject({ alarm: z.string().min(1), never: z.enum(ALARM_STATES) }),
  z.strictObject({ slackMentions: z.string().min(1), atLeast: z.number().int().min(1).default(1) }),
  z.strictObject({ onlyAlarms: z.array(z.string().min(1)) }),
]);

export const scenarioSchema = z.strictObject({
  /** Simulated seconds per real second; the command line's `--compression` wins. */
  compression: z.number().min(1).max(600).optional(),
  /** Which API the paths go to when the stack has several: its logical id or construct path. */
  api: z.string().min(1).optional(),
  phases: z.array(phase).min(1),
  expect: z.array(expectation).default([]),
  /** Simulated minutes to wait after the last phase for the expectations to hold. */
  settleMinutes: z
    .number()
    .min(0)
    .max(24 * 60)
    .default(30),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioPhase = Scenario['phases'][number];
export type ScenarioRequest = NonNullable<ScenarioPhase['requests']>[number];
export type Expectation = Scenario['expect'][number];

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** Checks a parsed scenario; every problem is named by where it is (`phases.1.minutes: ...`). */
export function parseScenario(value: unknown, source = 'the scenario'): Scenario {
  const parsed = scenarioSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `  ${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`,
  );
  throw new ScenarioError(`${source} is not a valid scenario:\n${problems.join('\n')}`);
}

/** Reads a scenario file: `.json`, `.yaml`/`.yml`, or a module (`.js`, `.mjs`, `.ts`, `.mts`). */
export async function loadScenario(file: string, cwd = process.cwd()): Promise<Scenario> {
  const path = resolve(cwd, file);
  const extension = extname(path).toLowerCase();
  let value: unknown;
  try {
    if (extension === '.json') value = JSON.parse(await readFile(path, 'utf8'));
    else if (extension === '.yaml' || extension === '.yml') value = parseYaml(await readFile(path, 'utf8'));
    else if (['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'].includes(extension)) {
      const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
      value = module.default;
    } else {
      throw new ScenarioError(
        `${file}: a scenario is a .json, .yaml or .yml file, or a module (.js, .mjs, .ts)`,
      );
    }
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    throw new ScenarioError(
      `${file} could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseScenario(value, file);
}
