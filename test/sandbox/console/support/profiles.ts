/**
 * A real profile folder for the console tests: three `.cpuprofile` files of two functions, laid out
 * by `profileKey` as the library writes them, a file of the wrong kind beside them, and a profile
 * outside the folder that no request may reach. The profiler's log lines go through a LogStore
 * into the ProfileFolder, as the sandbox feeds them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProfileKeyParts } from '../../../../lib/profiling/layout.js';
import { profileKey } from '../../../../lib/profiling/layout.js';
import { LogStore } from '../../../../sandbox/console/logs.js';
import { ProfileFolder } from '../../../../sandbox/console/profiles.js';

export const API_FUNCTION = 'LookoutDemo-OrdersApi48294D44-C70C324CEDAD';
export const WORKER_FUNCTION = 'LookoutDemo-OrderWorkerA264D295-3DC7FEB126EF';
export const SLOW_CORRELATION = 'traffic-5b0c6a1e-slow';

/** A small but well-formed V8 CPU profile (what `Profiler.stop` returns). */
export function cpuProfile(functionName: string, startTime: number): Record<string, unknown> {
  const frame = (name: string) => ({
    functionName: name,
    scriptId: '1',
    url: '',
    lineNumber: -1,
    columnNumber: -1,
  });
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)'), hitCount: 0, children: [2, 3] },
      { id: 2, callFrame: frame('(idle)'), hitCount: 3 },
      { id: 3, callFrame: frame(functionName), hitCount: 2 },
    ],
    startTime,
    endTime: startTime + 2500,
    samples: [2, 3, 2, 3, 2],
    timeDeltas: [0, 500, 500, 500, 500],
  };
}

export interface ProfileFixture {
  /** The temporary root: the profile folder and the secret live under it. */
  root: string;
  folder: ProfileFolder;
  logs: LogStore;
  /** Keys newest first, with the file text each was written with. */
  profiles: { key: string; parts: ProfileKeyParts; text: string }[];
  /** A profile-shaped file outside the folder, and its text. */
  secret: { path: string; key: string; text: string };
  remove(): void;
}

export function profileFixture(): ProfileFixture {
  const root = mkdtempSync(join(tmpdir(), 'lookout-console-profiles-'));
  const folder = new ProfileFolder(join(root, 'profiles'));
  const logs = new LogStore();
  const written = [
    {
      functionName: API_FUNCTION,
      capturedAt: new Date('2026-03-02T10:15:30.250Z'),
      reason: 'slow' as const,
      requestId: 'a1b2c3d4-0000-4000-8000-000000000001',
      correlationId: SLOW_CORRELATION,
    },
    {
      functionName: WORKER_FUNCTION,
      capturedAt: new Date('2026-03-02T10:14:05.000Z'),
      reason: 'sampled' as const,
      requestId: 'a1b2c3d4-0000-4000-8000-000000000002',
      correlationId: 'traffic-5b0c6a1e-sampled',
    },
    {
      functionName: API_FUNCTION,
      capturedAt: new Date('2026-03-02T10:12:00.000Z'),
      reason: 'sampled' as const,
      requestId: 'a1b2c3d4-0000-4000-8000-000000000003',
      // Its log line was never seen: the row has no correlation id.
      correlationId: undefined,
    },
  ];
  const profiles = written.map(({ correlationId, ...parts }, index) => {
    const key = profileKey(parts);
    // Sizes differ, so that a listing cannot pass with the wrong file's size.
    const text = JSON.stringify(cpuProfile(`handler${'x'.repeat(index * 40)}`, 1_000_000 * (index + 1)));
    const path = join(folder.directory, ...key.split('/'));
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    if (correlationId) {
      folder.observe(
        logs.append({
          functionName: parts.functionName,
          requestId: parts.requestId,
          line: JSON.stringify({
            level: 'INFO',
            message: 'CPU profile captured',
            correlation_id: correlationId,
            profile_reason: parts.reason,
            profile_key: key,
            profile_location: path,
            profile_bytes: text.length,
          }),
        }),
      );
    }
    return { key, parts, text };
  });
  writeFileSync(join(folder.directory, API_FUNCTION, 'notes.txt'), 'not a profile');

  const secretParts: ProfileKeyParts = {
    functionName: 'secret',
    capturedAt: new Date('2026-03-02T10:00:00.000Z'),
    reason: 'slow',
    requestId: 'secret',
  };
  const secretKey = profileKey(secretParts);
  const secretPath = join(root, ...secretKey.split('/'));
  mkdirSync(join(secretPath, '..'), { recursive: true });
  const secretText = '{"secret":"must never be served"}';
  writeFileSync(secretPath, secretText);

  return {
    root,
    folder,
    logs,
    profiles,
    secret: { path: secretPath, key: secretKey, text: secretText },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
