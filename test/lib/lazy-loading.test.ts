/** A function pays for one tracing backend: the other SDK is never loaded. */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./fixtures/load-backend.mjs', import.meta.url));

function loaded(mode: string): { xray: boolean; otel: boolean } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, mode], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const report = run.stderr.trim().split('\n').at(-1) ?? '';
  expect(run.status).toBe(0);
  return JSON.parse(report);
}

describe('tracing backends load lazily', () => {
  it.each([
    ['xray', { xray: true, otel: false }],
    ['otel', { xray: false, otel: true }],
    ['off', { xray: false, otel: false }],
  ])('%s loads only its own SDK', (mode, expected) => {
    expect(loaded(mode)).toEqual(expected);
  });
});
