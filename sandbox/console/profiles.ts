/**
 * The CPU profiles the functions write to their local folder (`LOOKOUT_PROFILE_DIR`): listed for the
 * page with a download URL, joined with the correlation id the profiler logged next to each key,
 * and looked up for download by key, never by a path taken from the request.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { LocalProfile, ProfileReason } from '../../lib/profiling/layout.js';
import { listProfiles, parseProfileKey, profileKey } from '../../lib/profiling/layout.js';
import type { LogRecord } from './logs.js';

/** Where the console finds profiles, and what it knows about them from the logs. */
export interface ProfileSource {
  /** The folder the functions write to (their LOOKOUT_PROFILE_DIR). */
  readonly directory: string;
  /** Changes whenever a profile has been written, so that the page lists them again. */
  readonly version: number;
  /** The correlation id the profiler logged with this key, once that line has been seen. */
  correlationId(key: string): string | undefined;
}

/** One row of `/api/profiles`. */
export interface ConsoleProfile {
  key: string;
  functionName: string;
  /** Epoch ms. */
  capturedAt: number;
  reason: ProfileReason;
  requestId: string;
  correlationId?: string;
  bytes: number;
  /** `/api/profiles/<key>`: the file, as a download. */
  url: string;
}

export const PROFILES_PATH = '/api/profiles';

/**
 * A profile folder fed by the functions' log lines: the profiler logs `CPU profile captured` with
 * `profile_key` and the correlation id once the file is written, so each such line is a new profile.
 */
export class ProfileFolder implements ProfileSource {
  private captured = 0;
  private readonly correlationIds = new Map<string, string>();

  constructor(readonly directory: string) {}

  get version(): number {
    return this.captured;
  }

  /** Takes note of a stored log line when it is the profiler's. */
  observe(record: LogRecord | undefined): void {
    const key = record?.fields?.profile_key;
    if (!record || typeof key !== 'string') return;
    this.captured++;
    if (record.correlationId) this.correlationIds.set(key, record.correlationId);
  }

  correlationId(key: string): string | undefined {
    return this.correlationIds.get(key);
  }
}

/** Newest first, at most `limit`. */
export async function listConsoleProfiles(source: ProfileSource, limit: number): Promise<ConsoleProfile[]> {
  const profiles = await listProfiles(source.directory);
  return profiles.slice(0, limit).map((profile) => {
    const correlationId = source.correlationId(profile.key);
    return {
      key: profile.key,
      functionName: profile.functionName,
      capturedAt: profile.capturedAt.getTime(),
      reason: profile.reason,
      requestId: profile.requestId,
      ...(correlationId !== undefined ? { correlationId } : {}),
      bytes: profile.bytes,
      url: `${PROFILES_PATH}/${profile.key.split('/').map(encodeURIComponent).join('/')}`,
    };
  });
}

export type ProfileLookup = { found: LocalProfile } | { status: 400 | 404; message: string };

/**
 * The profile a download path asks for (`<function>/<file>.cpuprofile`, as the URL carries it,
 * segments still percent-encoded). Only a key exactly as `profileKey` writes it is well formed; it
 * is then looked for among the files the folder holds, so a request never names a path itself.
 */
export async function findProfile(source: ProfileSource, encodedKey: string): Promise<ProfileLookup> {
  const key = decodeKey(encodedKey);
  if (key === undefined) {
    return {
      status: 400,
      message: 'not a profile key: expected <function>/<time>_<reason>_<request id>.cpuprofile',
    };
  }
  const found = (await listProfiles(source.directory)).find((profile) => profile.key === key);
  return found ? { found } : { status: 404, message: `no profile ${key}` };
}

function decodeKey(encodedKey: string): string | undefined {
  const segments = encodedKey.split('/');
  if (segments.length !== 2) return undefined;
  let decoded: string[];
  try {
    decoded = segments.map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
  // An encoded slash or backslash would make one segment two on disk.
  if (decoded.some((segment) => /[/\\\0]/.test(segment))) return undefined;
  if (decoded[0] === '.' || decoded[0] === '..') return undefined;
  const key = decoded.join('/');
  const parts = parseProfileKey(key);
  // parseProfileKey is lenient about characters; profileKey's own output is the only form accepted.
  return parts && profileKey(parts) === key ? key : undefined;
}

/**
 * A listed profile's bytes, or undefined when the file is gone or is no longer a regular file: the
 * path is opened without following a symbolic link, so a file swapped for a link after the
 * listing is not read through it.
 */
export async function readProfileFile(path: string): Promise<Buffer | undefined> {
  const file = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ELOOP' || error.code === 'ENOTDIR') return undefined;
      throw error;
    },
  );
  if (!file) return undefined;
  try {
    return (await file.stat()).isFile() ? await file.readFile() : undefined;
  } finally {
    await file.close();
  }
}
