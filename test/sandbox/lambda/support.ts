/** Helpers for tests that run functions in the local Lambda emulation. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FunctionBundle } from '../../../sandbox/lambda/index.js';
import { bundleFunction } from '../../../sandbox/lambda/index.js';

export interface TestBundles {
  bundle(name: string, entry: string): Promise<FunctionBundle>;
  /** Removes every bundle made. */
  cleanup(): Promise<void>;
}

/** Bundles into a private temporary folder, so test files running in parallel never share output. */
export async function testBundles(): Promise<TestBundles> {
  const root = await mkdtemp(join(tmpdir(), 'lookout-bundles-'));
  return {
    bundle: (name, entry) => bundleFunction({ name, entry, outDir: join(root, name) }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const parseJsonLines = (lines: string[]): Record<string, unknown>[] =>
  lines.flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });

/** The message of a `console.*` record in Lambda's text format (`time\trequestId\tLEVEL\tmessage`). */
export const consoleMessage = (line: string): string => line.split('\t').slice(3).join('\t');
