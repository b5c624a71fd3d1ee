/**
 * Each entry point brings one tracing backend and loads only its SDK; asking an entry point for the
 * other backend is reported once, at ERROR, and the handler still runs. Fresh processes on the
 * built package, as a user's function would load it.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./fixtures/load-backend.mjs', import.meta.url));

interface Report {
  result: unknown;
  xray: boolean;
  otel: boolean;
  errors: { level: string; lookout_step: string; error: { message: string } }[];
}

function run(entry: string, mode: string): Report {
  const child = spawnSync(process.execPath, [script, entry, mode], { encoding: 'utf8', timeout: 60_000 });
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Report;
}

describe('entry points and their tracing backends', () => {
  it.each([
    ['lookout', 'default', { xray: true, otel: false }],
    ['lookout', 'off', { xray: true, otel: false }],
    ['lookout/otel', 'default', { xray: false, otel: true }],
    ['lookout/otel', 'off', { xray: false, otel: false }],
  ])('%s with tracing %s loads only its own SDK', (entry, mode, expected) => {
    const report = run(entry, mode);
    expect(report.result).toBe('ok');
    expect({ xray: report.xray, otel: report.otel }).toEqual(expected);
    expect(report.errors).toEqual([]);
  });

  it.each([
    ['lookout', 'otel', 'lookout/otel'],
    ['lookout/otel', 'xray', 'lookout'],
  ])('%s asked for %s says which entry point to import, at ERROR, once', (entry, mode, other) => {
    const report = run(entry, mode);
    expect(report.result).toBe('ok');
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ level: 'ERROR', lookout_step: 'tracing-init' });
    expect(report.errors[0]!.error.message).toContain(`needs withObservability from ${other}`);
  });
});
