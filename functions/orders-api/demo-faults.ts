/**
 * Fault knobs for demos, so the sandbox can make the latency and error-rate alarms fire on purpose.
 * Honoured only when `DEMO_FAULTS_ENABLED=true`, which the CDK app sets on the orders API only when
 * deployed with `-c demoFaults=true` (the sandbox does): `DEMO_LATENCY_MS` and `DEMO_FAILURE_RATE`
 * (0..1) are the defaults, and the request headers `x-demo-latency-ms` and `x-demo-failure-rate`
 * override them for one request. Otherwise the headers are ignored.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { getLogger } from 'lookout';
import { HttpError, validationError } from './http.js';

export const MAX_DEMO_LATENCY_MS = 30_000;

export interface DemoFaults {
  latencyMs: number;
  failureRate: number;
}

const latency = z.coerce.number().int().min(0).max(MAX_DEMO_LATENCY_MS);
const rate = z.coerce.number().min(0).max(1);

const warnedEnv = new Set<string>();

function fromEnv(name: string, schema: z.ZodType<number>): number {
  const raw = process.env[name]?.trim();
  if (!raw) return 0;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  if (!warnedEnv.has(name)) {
    warnedEnv.add(name);
    getLogger().warn(`${name} is invalid and is ignored`, {
      variable: name,
      issue: parsed.error.issues[0]?.message,
    });
  }
  return 0;
}

/** The faults to inject for this request, or undefined when faults are not enabled. */
export function demoFaultsFor(headers: Record<string, string>): DemoFaults | undefined {
  if (process.env.DEMO_FAULTS_ENABLED?.trim().toLowerCase() !== 'true') return undefined;
  const faults = {
    latencyMs: fromEnv('DEMO_LATENCY_MS', latency),
    failureRate: fromEnv('DEMO_FAILURE_RATE', rate),
  };
  const issues = [];
  for (const [header, key, schema] of [
    ['x-demo-latency-ms', 'latencyMs', latency],
    ['x-demo-failure-rate', 'failureRate', rate],
  ] as const) {
    const raw = headers[header];
    if (raw === undefined) continue;
    const parsed = schema.safeParse(raw.trim() === '' ? Number.NaN : raw);
    if (parsed.success) faults[key] = parsed.data;
    else issues.push({ path: header, message: parsed.error.issues[0]?.message ?? 'invalid' });
  }
  if (issues.length > 0) throw validationError(issues, 'demo fault header');
  return faults;
}

/** Waits the extra latency, then fails with the given probability. */
export async function injectDemoFaults(
  faults: DemoFaults,
  random: () => number = Math.random,
): Promise<void> {
  if (faults.latencyMs > 0) await sleep(faults.latencyMs);
  if (faults.failureRate > 0 && random() < faults.failureRate) {
    getLogger().error('Injected demo failure', { demo_failure_rate: faults.failureRate });
    throw new HttpError(500, 'injected_failure', 'Demo fault injected (DEMO_FAULTS_ENABLED is on)');
  }
}
