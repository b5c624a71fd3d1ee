/**
 * The local S3 from the real SDK v3 client, configured as a function is (only AWS_ENDPOINT_URL_S3):
 * objects and their metadata, byte ranges, aws-chunked stream uploads with trailing checksums,
 * listings page by page, copies, batch deletes, multipart uploads, S3's errors, and keys of any
 * shape kept inside the bucket's folder.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { crc32 } from 'node:zlib';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  NoSuchUpload,
  NotFound,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3StandIn } from '../../../sandbox/aws/s3.js';
import { startS3StandIn } from '../../../sandbox/aws/s3.js';

const REGION = 'eu-west-2';
const BUCKET = 'orders-archive';
const work = mkdtempSync(join(tmpdir(), 'lookout-s3-'));
const directory = join(work, 's3');
let s3: S3StandIn;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3StandIn({ buckets: [BUCKET, 'reports'], directory, region: REGION });
  // As a function gets it: the endpoint from the environment, nothing in the client's own config.
  process.env.AWS_ENDPOINT_URL_S3 = s3.url;
  client = new S3Client({
    region: REGION,
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_S3;
  client?.destroy();
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

const put = (Key: string, Body: string | Buffer = Key, Bucket = BUCKET) =>
  client.send(new PutObjectCommand({ Bucket, Key, Body }));
const text = async (Key: string, Bucket = BUCKET) =>
  (await client.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof S3ServiceException)) throw new Error(`expected an S3 error, got ${String(error)}`);
  return error;
};
const md5 = (data: string | Buffer) => `"${createHash('md5').update(data).digest('hex')}"`;

/** A raw request, for what the SDK will not send wrong. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string | number>,
  body = '',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${s3.url}${path}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)));
}

describe('objects', () => {
  it('keeps the body, content type, user metadata and MD5 ETag, and gives them back', async () => {
    const before = Date.now() - 1000;
    const put = await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'invoices/2024/1.json',
        Body: '{"total":12}',
        ContentType: 'application/json',
        Metadata: { customer: 'ada', 'order-id': '42' },
      }),
    );
    expect(put.ETag).toBe(md5('{"total":12}'));
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'invoices/2024/1.json' }));
    expect(await got.Body!.transformToString()).toBe('{"total":12}');
    expect(got).toMatchObject({
      ContentType: 'application/json',
      ContentLength: 12,
      ETag: md5('{"total":12}'),
      Metadata: { customer: 'ada', 'order-id': '42' },
    });
    expect(got.LastModified!.getTime()).toBeGreaterThanOrEqual(before);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'invoices/2024/1.json' }));
    expect(head).toMatchObject({
      ContentLength: 12,
      ContentType: 'application/json',
      Metadata: { customer: 'ada' },
    });
    // The user can open it where the bucket's folder says.
    expect(readFileSync(join(directory, BUCKET, 'invoices', '2024', '1.json'), 'utf8')).toBe('{"total":12}');
  });

  it('answers the same to a client told forcePathStyle and given the endpoint directly', async () => {
    await put('path-style.txt', 'either way');
    const pathStyle = new S3Client({
      region: REGION,
      endpoint: s3.url,
      forcePathStyle: true,
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
    try {
      const got = await pathStyle.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'path-style.txt' }));
      expect(await got.Body!.transformToString()).toBe('either way');
    } finally {
      pathStyle.destroy();
    }
  });

  it('serves single byte ranges with 206, and 416 InvalidRange past the end', async () => {
    await put('alphabet.txt', 'abcdefghijklmnopqrstuvwxyz');
    const range = async (Range: string) => {
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'alphabet.txt', Range }));
      return {
        body: await got.Body!.transformToString(),
        contentRange: got.ContentRange,
        length: got.ContentLength,
      };
    };
    expect(await range('bytes=2-4')).toEqual({ body: 'cde', contentRange: 'bytes 2-4/26', length: 3 });
    expect(await range('bytes=23-')).toEqual({ body: 'xyz', contentRange: 'bytes 23-25/26', length: 3 });
    expect(await range('bytes=-2')).toEqual({ body: 'yz', contentRange: 'bytes 24-25/26', length: 2 });
    expect(await range('bytes=20-99')).toMatchObject({ body: 'uvwxyz', contentRange: 'bytes 20-25/26' });
    const error = await failure(range('bytes=26-30'));
    expect(error.name).toBe('InvalidRange');
    expect(error.$metadata.httpStatusCode).toBe(416);
  });

  it('refuses user metadata over 2 KB with MetadataTooLarge', async () => {
    const error = await failure(
      client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'meta', Body: 'x', Metadata: { big: 'm'.repeat(2100) } }),
      ),
    );
    expect(error.name).toBe('MetadataTooLarge');
  });

  it('answers conditional reads: 304 for a matching If-None-Match, 412 for a failed If-Match', async () => {
    const { ETag } = await put('conditional.txt', 'v1');
    const notModified = await failure(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'conditional.txt', IfNoneMatch: ETag })),
    );
    expect(notModified.$metadata.httpStatusCode).toBe(304);
    const failed = await failure(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'conditional.txt', IfMatch: md5('v0') })),
    );
    expect(failed.name).toBe('PreconditionFailed');
    const matched = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'conditional.txt', IfMatch: ETag }),
    );
    expect(await matched.Body!.transformToString()).toBe('v1');
  });

  it('takes a stream upload in aws-chunked encoding, checks its trailing CRC32 and gives the checksum back', async () => {
    const parts = ['first line\n', 'second line\n', 'x'.repeat(100_000)];
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'streamed.log',
        Body: Readable.from(parts.map((part) => Buffer.from(part))),
        ContentLength: parts.join('').length,
      }),
    );
    // The SDK validates the checksum it is sent back against the body it reads.
    const got = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'streamed.log', ChecksumMode: 'ENABLED' }),
    );
    expect(await got.Body!.transformToString()).toBe(parts.join(''));
    expect(got.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    expect(readFileSync(join(directory, BUCKET, 'streamed.log'), 'utf8')).toBe(parts.join(''));
  });

  it('decodes a SigV4 streaming body with chunk signatures, Content-Encoding or not', async () => {
    const signed = await raw(
      'PUT',
      `/${BUCKET}/signed-chunks`,
      { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': 11 },
      `6;chunk-signature=${'a'.repeat(64)}\r\nhello \r\n5;chunk-signature=${'b'.repeat(64)}\r\nworld\r\n0;chunk-signature=${'c'.repeat(64)}\r\n\r\n`,
    );
    expect(signed.status).toBe(200);
    expect(await text('signed-chunks')).toBe('hello world');
  });

  it('refuses a body whose checksum or Content-MD5 does not match, and keeps nothing of it', async () => {
    const wrongHeader = await raw(
      'PUT',
      `/${BUCKET}/bad-header`,
      { 'x-amz-checksum-crc32': 'AAAAAA==' },
      'hello',
    );
    expect(wrongHeader.status).toBe(400);
    expect(wrongHeader.body).toContain('<Code>BadDigest</Code>');
    const chunked = '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n';
    const wrongTrailer = await raw(
      'PUT',
      `/${BUCKET}/bad-trailer`,
      {
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': 5,
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
      chunked,
    );
    expect(wrongTrailer.body).toContain('<Code>BadDigest</Code>');
    const rightTrailer = await raw(
      'PUT',
      `/${BUCKET}/good-trailer`,
      { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': 5 },
      chunked.replace('AAAAAA==', 'NhCmhg=='),
    );
    expect(rightTrailer.status).toBe(200);
    expect(await text('good-trailer')).toBe('hello');
    const wrongMd5 = await raw(
      'PUT',
      `/${BUCKET}/bad-md5`,
      { 'content-md5': md5('other').slice(1, -1) },
      'hello',
    );
    expect(wrongMd5.body).toContain('<Code>BadDigest</Code>');
    for (const Key of ['bad-header', 'bad-trailer', 'bad-md5'])
      await expect(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key }))).rejects.toBeInstanceOf(
        NotFound,
      );
  });

  it('deletes one object or many (DeleteObjects), silently for keys that are not there', async () => {
    await Promise.all(['gone/1', 'gone/2', 'a&b <c>'].map((key) => put(key)));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'gone/1' }));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'never-there' }));
    const { Deleted } = await client.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: 'gone/2' }, { Key: 'a&b <c>' }, { Key: 'never-there' }] },
      }),
    );
    expect(Deleted?.map((d) => d.Key)).toEqual(['gone/2', 'a&b <c>', 'never-there']);
    for (const key of ['gone/1', 'gone/2', 'a&b <c>'])
      await expect(text(key)).rejects.toBeInstanceOf(NoSuchKey);
    const malformed = await failure(
      client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [] } })),
    );
    expect(malformed.name).toBe('MalformedXML');
  });

  it('copies an object named by a URL-encoded source, keeping or replacing its metadata', async () => {
    const source = 'copies/naïve source ü.txt';
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: source,
        Body: 'copied',
        ContentType: 'text/plain',
        Metadata: { a: '1' },
      }),
    );
    const copySource = `${BUCKET}/${encodeURIComponent(source)}`;
    const copied = await client.send(
      new CopyObjectCommand({ Bucket: 'reports', Key: 'kept.txt', CopySource: copySource }),
    );
    expect(copied.CopyObjectResult?.ETag).toBe(md5('copied'));
    expect(await client.send(new HeadObjectCommand({ Bucket: 'reports', Key: 'kept.txt' }))).toMatchObject({
      ContentType: 'text/plain',
      Metadata: { a: '1' },
    });
    await client.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'copies/replaced.txt',
        CopySource: copySource,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/markdown',
        Metadata: { b: '2' },
      }),
    );
    const replaced = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'copies/replaced.txt' }));
    expect(replaced).toMatchObject({ ContentType: 'text/markdown', Metadata: { b: '2' } });
    expect(await replaced.Body!.transformToString()).toBe('copied');
    const toItself = await failure(
      client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: source, CopySource: copySource })),
    );
    expect(toItself.name).toBe('InvalidRequest');
    await expect(
      client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'x', CopySource: `${BUCKET}/missing` })),
    ).rejects.toBeInstanceOf(NoSuchKey);
  });
});

describe('keys of any shape', () => {
  const keys = [
    'a',
    'a/b',
    'a/b/',
    'a//b',
    '../escape',
    'a/../../escape',
    './dot',
    '.',
    '..',
    'space and ünïcødé/日本語 ☃.txt',
    'percent%2Fslash',
    'A',
    'back\\slash:colon*?"<>|',
    'trailing/',
    '/leading',
    `long/${'x'.repeat(1000)}`,
    'tab\tand\rreturn\n',
  ];

  it('keeps each key its own object, every file inside the bucket folder', async () => {
    for (const key of keys) await put(key, `body of ${JSON.stringify(key)}`, 'reports');
    for (const key of keys) expect(await text(key, 'reports')).toBe(`body of ${JSON.stringify(key)}`);
    const files = filesUnder(join(directory, 'reports'));
    expect(files.length).toBeGreaterThanOrEqual(keys.length);
    // Nothing outside the bucket's folder: not in the other bucket's, not beside them, not above.
    expect(readdirSync(work)).toEqual(['s3']);
    const outside = filesUnder(directory).filter(
      (file) => !file.startsWith(`reports/`) && !file.startsWith(`${BUCKET}/`),
    );
    expect(outside).toEqual([]);
    // Readable where it can be: the unicode key lies at its own path.
    expect(files).toContain(join('reports', 'space and ünïcødé', '日本語 ☃.txt'));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'reports' }));
    expect(new Set(listed.Contents?.map((c) => c.Key))).toEqual(new Set([...keys, 'kept.txt']));
    for (const key of keys) await client.send(new DeleteObjectCommand({ Bucket: 'reports', Key: key }));
    expect(filesUnder(join(directory, 'reports'))).toEqual([join('reports', 'kept.txt')]);
  });

  it('refuses a key longer than 1024 bytes', async () => {
    const error = await failure(put('é'.repeat(513)));
    expect(error.name).toBe('KeyTooLongError');
  });
});

describe('ListObjectsV2', () => {
  const bucket = 'reports';
  beforeAll(async () => {
    for (const key of ['2024/01/a', '2024/01/b', '2024/02/a', '2024/readme', '2025/01/a', 'top', 'zebra/1'])
      await put(`list/${key}`, key, bucket);
  });
  const list = (input: Partial<ConstructorParameters<typeof ListObjectsV2Command>[0]>) =>
    client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'list/', ...input }));

  it('lists keys under a prefix in order, with KeyCount', async () => {
    const { Contents, KeyCount, IsTruncated } = await list({ Prefix: 'list/2024/' });
    expect(Contents?.map((c) => c.Key)).toEqual([
      'list/2024/01/a',
      'list/2024/01/b',
      'list/2024/02/a',
      'list/2024/readme',
    ]);
    expect(Contents?.[0]).toMatchObject({ Size: 9, ETag: md5('2024/01/a'), StorageClass: 'STANDARD' });
    expect({ KeyCount, IsTruncated }).toEqual({ KeyCount: 4, IsTruncated: false });
  });

  it('rolls keys up into CommonPrefixes at the delimiter', async () => {
    const { Contents, CommonPrefixes, KeyCount } = await list({ Delimiter: '/' });
    expect(Contents?.map((c) => c.Key)).toEqual(['list/top']);
    expect(CommonPrefixes?.map((p) => p.Prefix)).toEqual(['list/2024/', 'list/2025/', 'list/zebra/']);
    expect(KeyCount).toBe(4);
  });

  it('pages with max-keys and continuation tokens, each key and prefix exactly once', async () => {
    const pages: string[][] = [];
    for await (const page of paginateListObjectsV2(
      { client, pageSize: 2 },
      { Bucket: bucket, Prefix: 'list/' },
    ))
      pages.push(page.Contents?.map((c) => c.Key!) ?? []);
    expect(pages).toEqual([
      ['list/2024/01/a', 'list/2024/01/b'],
      ['list/2024/02/a', 'list/2024/readme'],
      ['list/2025/01/a', 'list/top'],
      ['list/zebra/1'],
    ]);
    const first = await list({ Delimiter: '/', MaxKeys: 2 });
    expect(first).toMatchObject({ IsTruncated: true, KeyCount: 2 });
    const second = await list({
      Delimiter: '/',
      MaxKeys: 2,
      ContinuationToken: first.NextContinuationToken!,
    });
    expect(second.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['list/zebra/']);
    expect(second.Contents?.map((c) => c.Key)).toEqual(['list/top']);
    expect(second.IsTruncated).toBe(false);
  });

  it('answers the original ListObjects too, from a marker', async () => {
    const { Contents, CommonPrefixes, IsTruncated, NextMarker } = await client.send(
      new ListObjectsCommand({
        Bucket: bucket,
        Prefix: 'list/',
        Delimiter: '/',
        Marker: 'list/2024/',
        MaxKeys: 2,
      }),
    );
    expect(CommonPrefixes?.map((p) => p.Prefix)).toEqual(['list/2025/']);
    expect(Contents?.map((c) => c.Key)).toEqual(['list/top']);
    expect({ IsTruncated, NextMarker }).toEqual({ IsTruncated: true, NextMarker: 'list/top' });
  });

  it('starts after a given key', async () => {
    const { Contents, StartAfter } = await list({ StartAfter: 'list/2025/01/a' });
    expect(Contents?.map((c) => c.Key)).toEqual(['list/top', 'list/zebra/1']);
    expect(StartAfter).toBe('list/2025/01/a');
  });
});

describe('multipart uploads', () => {
  const MiB = 1024 * 1024;
  it('assembles the parts in order into one object with an ETag of the part MD5s', async () => {
    const parts = [Buffer.alloc(5 * MiB, 'a'), Buffer.alloc(5 * MiB, 'b'), Buffer.from('tail')];
    const wholeCrc32 = Buffer.alloc(4);
    wholeCrc32.writeUInt32BE(crc32(Buffer.concat(parts)));
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'big/file.bin',
        ContentType: 'application/x-big',
        Metadata: { kind: 'big' },
      }),
    );
    const uploaded = await Promise.all(
      parts.map(async (Body, n) => {
        const { ETag } = await client.send(
          new UploadPartCommand({ Bucket: BUCKET, Key: 'big/file.bin', UploadId, PartNumber: n + 1, Body }),
        );
        return { ETag: ETag!, PartNumber: n + 1 };
      }),
    );
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'big/file.bin',
        UploadId,
        MultipartUpload: { Parts: uploaded },
        // The whole object's checksum, which S3 checks against the assembled object, not this request's body.
        ChecksumCRC32: wholeCrc32.toString('base64'),
      }),
    );
    const partMd5s = Buffer.concat(parts.map((part) => createHash('md5').update(part).digest()));
    expect(done.ETag).toBe(`"${createHash('md5').update(partMd5s).digest('hex')}-3"`);
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big/file.bin' }));
    expect(got).toMatchObject({
      ContentLength: 10 * MiB + 4,
      ContentType: 'application/x-big',
      Metadata: { kind: 'big' },
    });
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);
    await expect(
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'big/file.bin',
          UploadId,
          MultipartUpload: { Parts: uploaded },
        }),
      ),
    ).rejects.toBeInstanceOf(NoSuchUpload);
  });

  it('refuses parts out of order, unknown, or too small, and forgets an aborted upload', async () => {
    const Key = 'big/refused.bin';
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
    const etags = [];
    for (const PartNumber of [1, 2])
      etags.push(
        (
          await client.send(
            new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber, Body: 'small' }),
          )
        ).ETag!,
      );
    const complete = (Parts: { ETag: string; PartNumber: number }[]) =>
      failure(
        client.send(
          new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId, MultipartUpload: { Parts } }),
        ),
      );
    expect(
      (
        await complete([
          { ETag: etags[1]!, PartNumber: 2 },
          { ETag: etags[0]!, PartNumber: 1 },
        ])
      ).name,
    ).toBe('InvalidPartOrder');
    expect((await complete([{ ETag: md5('other'), PartNumber: 1 }])).name).toBe('InvalidPart');
    expect(
      (
        await complete([
          { ETag: etags[0]!, PartNumber: 1 },
          { ETag: etags[1]!, PartNumber: 2 },
        ])
      ).name,
    ).toBe('EntityTooSmall');
    await client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId }));
    await expect(
      client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId })),
    ).rejects.toBeInstanceOf(NoSuchUpload);
    await expect(
      client.send(
        new UploadPartCommand({ Bucket: BUCKET, Key, UploadId: 'no-such-upload', PartNumber: 1, Body: 'x' }),
      ),
    ).rejects.toBeInstanceOf(NoSuchUpload);
    expect(readdirSync(join(directory, '.incoming'))).toEqual([]);
  });
});

describe('buckets', () => {
  it('has the stack buckets only: HeadBucket, ListBuckets, and NoSuchBucket for any other', async () => {
    const head = await client.send(new HeadBucketCommand({ Bucket: BUCKET }));
    expect(head.BucketRegion).toBe(REGION);
    const location = await client.send(new GetBucketLocationCommand({ Bucket: BUCKET }));
    expect(location.LocationConstraint).toBe(REGION);
    const { Buckets } = await client.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toEqual([BUCKET, 'reports']);
    await expect(client.send(new HeadBucketCommand({ Bucket: 'elsewhere' }))).rejects.toBeInstanceOf(
      NotFound,
    );
    await expect(text('x', 'elsewhere')).rejects.toBeInstanceOf(NoSuchBucket);
    await expect(put('x', 'x', 'elsewhere')).rejects.toBeInstanceOf(NoSuchBucket);
    await expect(client.send(new ListObjectsV2Command({ Bucket: 'elsewhere' }))).rejects.toBeInstanceOf(
      NoSuchBucket,
    );
    await expect(text('nothing-here')).rejects.toBeInstanceOf(NoSuchKey);
    await expect(
      client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'nothing-here' })),
    ).rejects.toBeInstanceOf(NotFound);
  });

  it('says that a bucket cannot be created, only declared in the stack', async () => {
    const error = await failure(client.send(new CreateBucketCommand({ Bucket: 'new-bucket' })));
    expect(error.name).toBe('NotImplemented');
    expect(error.message).toContain(`the stack's buckets (${BUCKET}, reports)`);
  });

  it('answers only requests addressed to loopback', async () => {
    const answer = await raw('GET', `/${BUCKET}/alphabet.txt`, { host: 'evil.example' });
    expect(answer.status).toBe(421);
  });
});

describe('a stand-in of its own', () => {
  it('starts empty, and refuses a body over the limit with EntityTooLarge, keeping nothing', async () => {
    mkdirSync(join(work, 'small', 'tiny'), { recursive: true });
    writeFileSync(join(work, 'small', 'tiny', 'left-from-last-run'), 'stale');
    const small = await startS3StandIn({
      buckets: ['tiny'],
      directory: join(work, 'small'),
      region: REGION,
      maxBodyBytes: 1024,
    });
    const tinyClient = new S3Client({
      region: REGION,
      endpoint: small.url,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    try {
      expect(filesUnder(join(work, 'small'))).toEqual([]);
      const error = await failure(
        tinyClient.send(new PutObjectCommand({ Bucket: 'tiny', Key: 'big', Body: 'x'.repeat(2048) })),
      );
      expect(error.name).toBe('EntityTooLarge');
      expect(error.$metadata.httpStatusCode).toBe(400);
      await tinyClient.send(new PutObjectCommand({ Bucket: 'tiny', Key: 'fits', Body: 'x'.repeat(1024) }));
      await expect(
        tinyClient.send(new HeadObjectCommand({ Bucket: 'tiny', Key: 'big' })),
      ).rejects.toBeInstanceOf(NotFound);
    } finally {
      tinyClient.destroy();
      await small.close();
      rmSync(join(work, 'small'), { recursive: true, force: true });
    }
  });
});
