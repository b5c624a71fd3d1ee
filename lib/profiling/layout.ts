/**
 * Where profiles go: `<function>/<captured at>_<reason>_<request id>.cpuprofile`, under the
 * S3 prefix or the local folder alike. Names sort by capture time, and each part is kept to
 * characters that are safe in S3 keys and in file names on every system.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProfileReason } from './plugin.js';

export const PROFILE_EXTENSION = '.cpuprofile';

/** Why an invocation was profiled: picked by the sample rate, or still running past the threshold. */
export type { ProfileReason };

export interface ProfileKeyParts {
  functionName: string;
  capturedAt: Date;
  reason: ProfileReason;
  requestId: string;
}

/** Letters, digits, `.`, `_` and `-`, never `.` or `..` alone (a folder of its own meaning). */
const safe = (text: string): string =>
  text
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.{1,2}$/, '_')
    .slice(0, 100) || '_';

/** The profile's path relative to the prefix or folder, with `/` separators. */
export function profileKey(parts: ProfileKeyParts): string {
  const time = parts.capturedAt.toISOString().replace(/:/g, '-');
  return `${safe(parts.functionName)}/${time}_${parts.reason}_${safe(parts.requestId)}${PROFILE_EXTENSION}`;
}

const KEY =
  /^(?!\.{1,2}\/)([^/]+)\/(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z)_(sampled|slow)_([^/]+)\.cpuprofile$/;

/** Reads a key written by `profileKey` back; undefined for anything else. */
export function parseProfileKey(key: string): ProfileKeyParts | undefined {
  const match = KEY.exec(key);
  if (!match) return undefined;
  const [, functionName, time, reason, requestId] = match as unknown as [
    string,
    string,
    string,
    ProfileReason,
    string,
  ];
  const capturedAt = new Date(time.replace(/T(\d\d)-(\d\d)-(\d\d)/, 'T$1:$2:$3'));
  if (Number.isNaN(capturedAt.getTime())) return undefined;
  return { functionName, capturedAt, reason, requestId };
}

export interface LocalProfile extends ProfileKeyParts {
  /** Relative to the folder, as `profileKey` wrote it. */
  key: string;
  /** Absolute or as given: the folder joined with the key. */
  path: string;
  bytes: number;
}

/**
 * The profiles in a local folder (`LOOKOUT_PROFILE_DIR`), newest first. A missing folder has none;
 * files that are not profiles are skipped, and so are symbolic links, to files or folders alike: a
 * link is never followed, so nothing outside the folder is ever listed.
 */
export async function listProfiles(directory: string): Promise<LocalProfile[]> {
  const found: LocalProfile[] = [];
  for (const folder of await entries(directory)) {
    // Dirent types come from lstat: a link to a folder is not a directory here.
    if (!folder.isDirectory()) continue;
    for (const file of await entries(join(directory, folder.name))) {
      const key = `${folder.name}/${file.name}`;
      const parts = file.isFile() ? parseProfileKey(key) : undefined;
      if (!parts) continue;
      const path = join(directory, folder.name, file.name);
      const info = await lstat(path).catch(ifGone(undefined));
      if (info?.isFile()) found.push({ ...parts, key, path, bytes: info.size });
    }
  }
  return found.sort((a, b) => b.capturedAt.getTime() - a.capturedAt.getTime() || b.key.localeCompare(a.key));
}

/** A folder's entries; none when it is gone (or was replaced by a file) while being listed. */
const entries = (directory: string) => readdir(directory, { withFileTypes: true }).catch(ifGone([]));

const ifGone =
  <T>(value: T) =>
  (error: NodeJS.ErrnoException): T => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return value;
    throw error;
  };
