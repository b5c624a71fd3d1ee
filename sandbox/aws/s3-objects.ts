/**
 * Where the local S3 keeps objects: one folder per bucket, each object a file at its key's path
 * (`<bucket>/invoices/2024/1.json`) so that the user can open it, its metadata in memory. A key is
 * any UTF-8 up to 1024 bytes, so each segment is made a safe file name (`.`, `..` and empty
 * segments, and the characters file systems refuse, are %-escaped); a key that still cannot have
 * its readable path (a segment too long for a file name, a file where it needs a folder or the
 * other way round, a name a case-insensitive file system already gives another key) lives at
 * `<bucket>/%hashed/<sha-256 of the key>` instead. No two keys share a file, and none leaves its
 * bucket's folder.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra elements of the error document, e.g. `Key`. */
    readonly fields: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

export interface StoredObject {
  /** Relative to the folder's directory. */
  file: string;
  size: number;
  /** Quoted, as S3 sends it. */
  etag: string;
  lastModified: Date;
  /** The headers it answers with: Content-Type and the like, and `x-amz-meta-*`. */
  headers: Record<string, string>;
  /** The checksum header it was written with, e.g. `x-amz-checksum-crc32`, and its value. */
  checksum?: [header: string, value: string];
}

/** `%` is always escaped in a segment, so names that start with `%hashed` are ours. */
const HASHED = '%hashed';
/** Parts and bodies on their way in; no bucket name starts with a dot. */
const INCOMING = '.incoming';
/** Room for a segment in a file name (most file systems take 255 bytes). */
const MAX_NAME_BYTES = 240;

/** A key segment as a file name: readable, but never `.`, `..` or empty, and nothing a file system refuses. */
export function segmentName(segment: string): string {
  if (segment === '') return '%';
  if (segment === '.' || segment === '..') return segment.replaceAll('.', '%2E');
  return segment.replace(
    // eslint-disable-next-line no-control-regex
    /[%\\:*?"<>|\u0000-\u001f\u007f]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

export class ObjectFolder {
  readonly created = new Date();
  private readonly buckets: Map<string, Map<string, StoredObject>>;
  /** Which key each file holds. */
  private readonly owners = new Map<string, string>();

  /** Empties `directory`, then makes a folder for each bucket. */
  constructor(
    readonly directory: string,
    bucketNames: string[],
  ) {
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(join(directory, INCOMING), { recursive: true });
    this.buckets = new Map(bucketNames.map((name) => [name, new Map()]));
    for (const name of bucketNames) mkdirSync(join(directory, name), { recursive: true });
  }

  get bucketNames(): string[] {
    return [...this.buckets.keys()];
  }

  /** The bucket's objects by key; NoSuchBucket for a bucket the stack does not have. */
  objects(bucket: string): Map<string, StoredObject> {
    const objects = this.buckets.get(bucket);
    if (!objects)
      throw new S3Error(
        'NoSuchBucket',
        `The specified bucket does not exist (the sandbox has the stack's buckets: ${this.bucketNames.join(', ') || 'none'}).`,
        404,
        { BucketName: bucket },
      );
    return objects;
  }

  /** NoSuchKey when there is no such object. */
  object(bucket: string, key: string): StoredObject {
    const object = this.objects(bucket).get(key);
    if (!object) throw new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
    return object;
  }

  /** The object's file, to read. */
  path(object: StoredObject): string {
    return join(this.directory, object.file);
  }

  /** A new file to write a body to before `store` puts it in place. */
  incomingFile(): string {
    return join(this.directory, INCOMING, randomUUID());
  }

  /** Where a multipart upload's parts wait; the id must be one the stand-in made. */
  uploadFolder(uploadId: string): string {
    return join(this.directory, INCOMING, uploadId);
  }

  /**
   * Makes the written file `incoming` the object at `key`. Synchronous, so that no other request
   * takes the same place meanwhile.
   */
  store(bucket: string, key: string, incoming: string, object: Omit<StoredObject, 'file'>): void {
    const objects = this.objects(bucket);
    const file = objects.get(key)?.file ?? this.placeFor(bucket, key);
    mkdirSync(dirname(join(this.directory, file)), { recursive: true });
    renameSync(incoming, join(this.directory, file));
    this.owners.set(file, key);
    objects.set(key, { ...object, file });
  }

  /** Deletes the object if there is one, and the folders it leaves empty. */
  remove(bucket: string, key: string): void {
    const objects = this.objects(bucket);
    const object = objects.get(key);
    if (!object) return;
    objects.delete(key);
    this.owners.delete(object.file);
    rmSync(join(this.directory, object.file), { force: true });
    for (let folder = dirname(object.file); folder !== bucket && folder !== '.'; folder = dirname(folder)) {
      try {
        rmdirSync(join(this.directory, folder));
      } catch {
        break; // not empty
      }
    }
  }

  /** The key's readable path when it is free and every folder on the way is one; the hashed one otherwise. */
  private placeFor(bucket: string, key: string): string {
    const segments = key.split('/').map(segmentName);
    const readable = join(bucket, ...segments);
    const isFree = (file: string) => !this.owners.has(file) && !existsSync(join(this.directory, file));
    const isFolderOrFree = (n: number) => {
      const folder = join(this.directory, bucket, ...segments.slice(0, n + 1));
      return !existsSync(folder) || statSync(folder).isDirectory();
    };
    const fits =
      segments.every((name) => Buffer.byteLength(name) <= MAX_NAME_BYTES) &&
      isFree(readable) &&
      segments.slice(0, -1).every((_, n) => isFolderOrFree(n));
    return fits ? readable : join(bucket, HASHED, createHash('sha256').update(key).digest('hex'));
  }
}
