/**
 * A local Amazon S3 for the stack's buckets, as the SDK v3 S3 client reaches it at a loopback IP:
 * path-style requests (`/<bucket>/<key>`; the client never puts a bucket in the host name of an IP
 * endpoint). Put, get (single byte ranges, conditions), head, delete, batch delete, list (V2 and
 * V1), copy and multipart uploads; `aws-chunked` bodies are decoded, and every declared checksum
 * (header or trailer) and Content-MD5 is checked. Errors come in S3's XML shape; a bucket the stack
 * does not have is NoSuchBucket. The objects are files the user can open (s3-objects.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BodyTooLarge, listenOnLoopback, readBody } from './http.js';
import type { StoredObject } from './s3-objects.js';
import { ObjectFolder, S3Error } from './s3-objects.js';

export { S3Error };

export interface S3StandInOptions {
  /** The stack's bucket names; no other bucket exists. */
  buckets: string[];
  /** Holds one folder per bucket; emptied at start. */
  directory: string;
  region: string;
  /** The largest body one request may carry (an object or a part). @default 64 MiB */
  maxBodyBytes?: number;
  port?: number;
}

export interface S3StandIn {
  /** Endpoint for the SDK, e.g. as AWS_ENDPOINT_URL_S3. */
  url: string;
  close(): Promise<void>;
}

const MAX_KEY_BYTES = 1024;
const MAX_METADATA_BYTES = 2048;
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
const MAX_DELETE_KEYS = 1000;
const MAX_LIST_KEYS = 1000;
const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
/** The request headers an object keeps and answers with, besides `x-amz-meta-*`. */
const STORED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
];
/** Query parameters that select an operation or shape a request, rather than a sub-resource. */
const PARAMETERS = new Set(
  'x-id uploads uploadId partNumber delete list-type prefix delimiter max-keys continuation-token start-after fetch-owner encoding-type marker location versionId'.split(
    ' ',
  ),
);

interface Upload {
  bucket: string;
  key: string;
  headers: Record<string, string>;
  parts: Map<number, { etag: string; size: number }>;
}

const xml = (text: string) =>
  // Characters XML cannot carry as they are (a key may hold any) go as character references.
  text.replace(
    // eslint-disable-next-line no-control-regex
    /[&<>"'\u0000-\u0008\u000b-\u001f]/g,
    (c) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ??
      `&#x${c.charCodeAt(0).toString(16)};`,
  );

const unxml = (text: string) =>
  text.replace(/&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-f]+));/gi, (_, name: string, dec, hex) =>
    name
      ? { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name.toLowerCase()]!
      : String.fromCodePoint(dec ? Number(dec) : parseInt(hex as string, 16)),
  );

/** The text of each `<tag>` element directly in `body` (no nesting of the same tag). */
const elements = (body: string, tag: string) =>
  [...body.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1]!);

const md5 = (data: Buffer) => createHash('md5').update(data).digest();

const crcTable = (polynomial: number) =>
  Int32Array.from({ length: 256 }, (_, n) => {
    for (let bit = 0; bit < 8; bit++) n = n & 1 ? (n >>> 1) ^ polynomial : n >>> 1;
    return n;
  });
const CRC32 = crcTable(0xedb88320);
const CRC32C = crcTable(0x82f63b78);
function crc(table: Int32Array, data: Buffer): Buffer {
  let value = -1;
  for (const byte of data) value = table[(value ^ byte) & 0xff]! ^ (value >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((value ^ -1) >>> 0);
  return out;
}

/** The flexible checksums S3 takes, by their header's suffix; CRC64NVME is kept but not checked. */
const CHECKSUMS: Record<string, ((data: Buffer) => Buffer) | null> = {
  crc32: (data) => crc(CRC32, data),
  crc32c: (data) => crc(CRC32C, data),
  sha1: (data) => createHash('sha1').update(data).digest(),
  sha256: (data) => createHash('sha256').update(data).digest(),
  crc64nvme: null,
};

/** `bytes=a-b`, `bytes=a-` or `bytes=-n`; undefined for what S3 ignores (other forms, several ranges). */
function byteRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const length = Number(match[2]);
    return length === 0 || size === 0 ? 'unsatisfiable' : [Math.max(0, size - length), size - 1];
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  return start >= size ? 'unsatisfiable' : [start, end];
}

/** An `aws-chunked` body: the data, and the trailing headers (where the SDK puts its checksum). */
function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const malformed = () => new S3Error('IncompleteBody', 'The aws-chunked request body is malformed.');
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = /^([0-9a-f]+)(;|$)/i.exec(raw.toString('latin1', at, eol))?.[1];
    if (eol < 0 || size === undefined) throw malformed();
    const length = parseInt(size, 16);
    at = eol + 2;
    if (length === 0) break;
    if (raw.toString('latin1', at + length, at + length + 2) !== '\r\n') throw malformed();
    parts.push(raw.subarray(at, at + length));
    at += length + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.toString('latin1', at).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

/** The headers an object keeps from the request that writes it (Content-Encoding without aws-chunked). */
function storedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value !== 'string') continue;
    if (name === 'content-encoding') {
      const rest = value
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e && e !== 'aws-chunked');
      if (rest.length > 0) headers[name] = rest.join(',');
    } else if (STORED_HEADERS.includes(name) || name.startsWith('x-amz-meta-')) headers[name] = value;
  }
  const metadataBytes = Object.entries(headers)
    .filter(([name]) => name.startsWith('x-amz-meta-'))
    .reduce(
      (sum, [name, value]) => sum + Buffer.byteLength(name) - 'x-amz-meta-'.length + Buffer.byteLength(value),
      0,
    );
  if (metadataBytes > MAX_METADATA_BYTES)
    throw new S3Error('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.');
  return headers;
}

export async function startS3StandIn(options: S3StandInOptions): Promise<S3StandIn> {
  const maxBody = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const folder = new ObjectFolder(options.directory, options.buckets);
  const uploads = new Map<string, Upload>();

  /** The request's body, decoded from aws-chunked, with every declared checksum checked. */
  const readObjectBody = async (request: IncomingMessage) => {
    const header = (name: string) => request.headers[name] as string | undefined;
    const encodings = (header('content-encoding') ?? '').split(',').map((e) => e.trim());
    // SigV4 streaming uploads are chunked, whether or not they say so in Content-Encoding.
    const chunked =
      encodings.includes('aws-chunked') || /^STREAMING-/.test(header('x-amz-content-sha256') ?? '');
    const declared = Number(header(chunked ? 'x-amz-decoded-content-length' : 'content-length') ?? 0);
    if (declared > maxBody) throw new BodyTooLarge(maxBody);
    // The chunk framing adds a few bytes per chunk on top of the data.
    const raw = await readBody(request, chunked ? maxBody + 64 * 1024 + maxBody / 1024 : maxBody);
    const { body, trailers } = chunked ? decodeAwsChunked(raw) : { body: raw, trailers: {} };
    if (body.length > maxBody) throw new BodyTooLarge(maxBody);
    if (chunked && header('x-amz-decoded-content-length') !== undefined && body.length !== declared)
      throw new S3Error(
        'IncompleteBody',
        'You did not provide the number of bytes specified by the x-amz-decoded-content-length header.',
      );
    const contentMd5 = header('content-md5');
    if (contentMd5 !== undefined && md5(body).toString('base64') !== contentMd5)
      throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
    let checksum: [string, string] | undefined;
    for (const [name, compute] of Object.entries(CHECKSUMS)) {
      const headerName = `x-amz-checksum-${name}`;
      const value = trailers[headerName] ?? header(headerName);
      if (value === undefined) continue;
      if (compute && compute(body).toString('base64') !== value)
        throw new S3Error(
          'BadDigest',
          `The ${name.toUpperCase()} you specified did not match the calculated checksum.`,
        );
      checksum = [headerName, value];
    }
    return { body, checksum };
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const requestId = randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase();
    const method = request.method ?? 'GET';
    const reply = (status: number, body = '', headers: Record<string, string | number> = {}) => {
      const text = body && `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
      response.writeHead(status, {
        'x-amz-request-id': requestId,
        'x-amz-id-2': requestId,
        ...(text && { 'content-type': 'application/xml' }),
        'content-length': method === 'HEAD' ? (headers['content-length'] ?? 0) : Buffer.byteLength(text),
        ...headers,
      });
      response.end(method === 'HEAD' ? undefined : text);
    };
    const target = request.url ?? '/';
    const question = target.indexOf('?');
    const path = (question < 0 ? target : target.slice(0, question)).replace(/^[a-z]+:\/\/[^/]*/i, '');
    const query = new URLSearchParams(question < 0 ? '' : target.slice(question + 1));
    const slash = path.indexOf('/', 1);
    let bucket = '';
    let key = '';
    try {
      try {
        bucket = decodeURIComponent(slash < 0 ? path.slice(1) : path.slice(1, slash));
        key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
      } catch {
        throw new S3Error('InvalidURI', "Couldn't parse the specified URI.");
      }
      const subresource = [...query.keys()].find(
        (name) => !PARAMETERS.has(name) && !/^(x-amz-|response-)/i.test(name),
      );
      const unsupported = () =>
        new S3Error(
          'NotImplemented',
          `The sandbox's S3 does not emulate ${method} ${subresource ? `?${subresource}` : key ? 'on an object' : 'on a bucket'}: it has object, list, copy and multipart operations on the stack's buckets.`,
          501,
        );
      if (!bucket) {
        if (method !== 'GET') throw unsupported();
        const list = folder.bucketNames
          .map(
            (name) =>
              `<Bucket><Name>${xml(name)}</Name><CreationDate>${folder.created.toISOString()}</CreationDate></Bucket>`,
          )
          .join('');
        return reply(
          200,
          `<ListAllMyBucketsResult xmlns="${XMLNS}"><Owner><ID>sandbox</ID><DisplayName>sandbox</DisplayName></Owner><Buckets>${list}</Buckets></ListAllMyBucketsResult>`,
        );
      }
      if (!key && method === 'PUT' && !subresource) {
        if (folder.bucketNames.includes(bucket))
          throw new S3Error('BucketAlreadyOwnedByYou', 'The bucket is already in the stack.', 409);
        throw new S3Error(
          'NotImplemented',
          `The sandbox runs only the stack's buckets (${folder.bucketNames.join(', ') || 'none'}); add ${bucket} to the stack instead of creating it.`,
          501,
        );
      }
      const objects = folder.objects(bucket);
      if (subresource) throw unsupported();
      if (Buffer.byteLength(key) > MAX_KEY_BYTES)
        throw new S3Error('KeyTooLongError', 'Your key is too long.', 400, { MaxSizeAllowed: MAX_KEY_BYTES });

      if (!key) {
        if (method === 'HEAD') return reply(200, '', { 'x-amz-bucket-region': options.region });
        if (method === 'GET' && query.has('location'))
          return reply(
            200,
            `<LocationConstraint xmlns="${XMLNS}">${xml(options.region)}</LocationConstraint>`,
          );
        if (method === 'GET' && !query.has('uploads')) return reply(200, list(bucket, objects, query));
        if (method === 'POST' && query.has('delete')) {
          const body = (await readObjectBody(request)).body.toString('utf8');
          return reply(200, deleteObjects(bucket, body));
        }
        throw unsupported();
      }

      // ListParts (uploadId) and reading one part of an object (partNumber) are not emulated.
      if ((method === 'GET' || method === 'HEAD') && !query.has('uploadId') && !query.has('partNumber'))
        return await getObject(request, response, bucket, key, query, reply);
      if (method === 'DELETE' && query.has('uploadId')) {
        uploadOf(bucket, key, query);
        uploads.delete(query.get('uploadId')!);
        rmSync(folder.uploadFolder(query.get('uploadId')!), { recursive: true, force: true });
        return reply(204);
      }
      if (method === 'DELETE') {
        folder.remove(bucket, key);
        return reply(204);
      }
      if (method === 'PUT' && query.has('uploadId')) {
        const upload = uploadOf(bucket, key, query);
        if (request.headers['x-amz-copy-source'] !== undefined) throw unsupported();
        const partNumber = Number(query.get('partNumber'));
        if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER)
          throw new S3Error(
            'InvalidArgument',
            `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
          );
        const { body, checksum } = await readObjectBody(request);
        const parts = folder.uploadFolder(query.get('uploadId')!);
        await mkdir(parts, { recursive: true });
        await writeFile(join(parts, String(partNumber)), body);
        // Aborted or completed while the part came in: its folder must not linger.
        if (uploads.get(query.get('uploadId')!) !== upload) {
          rmSync(parts, { recursive: true, force: true });
          uploadOf(bucket, key, query);
        }
        const etag = `"${md5(body).toString('hex')}"`;
        upload.parts.set(partNumber, { etag, size: body.length });
        return reply(200, '', { etag, ...(checksum && { [checksum[0]]: checksum[1] }) });
      }
      if (method === 'PUT' && request.headers['x-amz-copy-source'] !== undefined)
        return reply(200, await copyObject(request, bucket, key));
      if (method === 'PUT') {
        const headers = storedHeaders(request);
        const { body, checksum } = await readObjectBody(request);
        const incoming = folder.incomingFile();
        await writeFile(incoming, body);
        const etag = `"${md5(body).toString('hex')}"`;
        folder.store(bucket, key, incoming, {
          size: body.length,
          etag,
          lastModified: new Date(),
          headers,
          ...(checksum && { checksum }),
        });
        return reply(200, '', { etag, ...(checksum && { [checksum[0]]: checksum[1] }) });
      }
      if (method === 'POST' && query.has('uploads')) {
        const uploadId = randomUUID();
        uploads.set(uploadId, { bucket, key, headers: storedHeaders(request), parts: new Map() });
        return reply(
          200,
          `<InitiateMultipartUploadResult xmlns="${XMLNS}"><Bucket>${xml(bucket)}</Bucket><Key>${xml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
        );
      }
      if (method === 'POST' && query.has('uploadId')) {
        // A checksum header here is the whole object's (not checked), not the part list's.
        const body = (await readBody(request, maxBody)).toString('utf8');
        return reply(200, await completeUpload(bucket, key, query, body));
      }
      throw unsupported();
    } catch (error) {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      // The rest of a body too large is not read: the connection closes after the answer.
      if (error instanceof BodyTooLarge) response.setHeader('connection', 'close');
      const failure =
        error instanceof S3Error
          ? error
          : error instanceof BodyTooLarge
            ? new S3Error(
                'EntityTooLarge',
                `Your proposed upload exceeds the maximum allowed size: the sandbox's S3 takes at most ${maxBody} bytes in one request (use a multipart upload for more).`,
                400,
                { MaxSizeAllowed: maxBody },
              )
            : new S3Error('InternalError', 'We encountered an internal error. Please try again.', 500);
      const fields = Object.entries(failure.fields)
        .map(([name, value]) => `<${name}>${xml(String(value))}</${name}>`)
        .join('');
      reply(
        failure.status,
        `<Error><Code>${failure.code}</Code><Message>${xml(failure.message)}</Message>${fields}<RequestId>${requestId}</RequestId><HostId>${requestId}</HostId></Error>`,
        failure.code === 'InvalidRange'
          ? { 'content-range': `bytes */${failure.fields.ActualObjectSize}` }
          : {},
      );
    }
  };

  const getObject = async (
    request: IncomingMessage,
    response: ServerResponse,
    bucket: string,
    key: string,
    query: URLSearchParams,
    reply: (status: number, body?: string, headers?: Record<string, string | number>) => void,
  ) => {
    const object = folder.object(bucket, key);
    const headers: Record<string, string | number> = {
      ...object.headers,
      'content-type': object.headers['content-type'] ?? 'binary/octet-stream',
      etag: object.etag,
      'last-modified': object.lastModified.toUTCString(),
      'accept-ranges': 'bytes',
    };
    for (const [name, value] of query)
      if (/^response-(content-(type|language|disposition|encoding)|cache-control|expires)$/.test(name))
        headers[name.slice('response-'.length)] = value;
    const ifMatch = request.headers['if-match'];
    if (
      ifMatch !== undefined &&
      ifMatch !== '*' &&
      !ifMatch.split(',').some((tag) => tag.trim() === object.etag)
    )
      throw new S3Error(
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
        412,
      );
    const ifNoneMatch = request.headers['if-none-match'];
    if (
      ifNoneMatch !== undefined &&
      ifNoneMatch.split(',').some((tag) => [object.etag, '*'].includes(tag.trim()))
    )
      return reply(304, '', { etag: object.etag, 'last-modified': headers['last-modified']! });
    const range = byteRange(request.headers.range, object.size);
    if (range === 'unsatisfiable')
      throw new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, {
        RangeRequested: request.headers.range!,
        ActualObjectSize: object.size,
      });
    const [start, end] = range ?? [0, object.size - 1];
    if (range) headers['content-range'] = `bytes ${start}-${end}/${object.size}`;
    else if (object.checksum && request.headers['x-amz-checksum-mode'] === 'ENABLED')
      headers[object.checksum[0]] = object.checksum[1];
    headers['content-length'] = end - start + 1;
    if (request.method === 'HEAD' || object.size === 0) return reply(range ? 206 : 200, '', headers);
    const stream = createReadStream(folder.path(object), { start, end });
    // Opened before the answer starts, so that a file gone meanwhile is an error answer, not a cut one.
    await new Promise((resolve, reject) => stream.once('open', resolve).once('error', reject));
    response.writeHead(range ? 206 : 200, headers);
    await pipeline(stream, response);
  };

  const uploadOf = (bucket: string, key: string, query: URLSearchParams) => {
    const upload = uploads.get(query.get('uploadId') ?? '');
    if (!upload || upload.bucket !== bucket || upload.key !== key)
      throw new S3Error(
        'NoSuchUpload',
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        404,
        { UploadId: query.get('uploadId') ?? '' },
      );
    return upload;
  };

  const completeUpload = async (bucket: string, key: string, query: URLSearchParams, body: string) => {
    const upload = uploadOf(bucket, key, query);
    const uploadId = query.get('uploadId')!;
    const listed = elements(body, 'Part').map((part) => ({
      number: Number(elements(part, 'PartNumber')[0]),
      etag: unxml(elements(part, 'ETag')[0] ?? '').replace(/^"?(.*?)"?$/, '"$1"'),
    }));
    if (!/<CompleteMultipartUpload[\s>]/.test(body) || listed.length === 0)
      throw new S3Error(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema.',
      );
    if (listed.some((part, n) => n > 0 && part.number <= listed[n - 1]!.number))
      throw new S3Error(
        'InvalidPartOrder',
        'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
      );
    for (const [n, part] of listed.entries()) {
      const uploaded = upload.parts.get(part.number);
      if (!uploaded || uploaded.etag !== part.etag)
        throw new S3Error(
          'InvalidPart',
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          400,
          { PartNumber: part.number, ETag: part.etag },
        );
      if (n < listed.length - 1 && uploaded.size < MIN_PART_BYTES)
        throw new S3Error(
          'EntityTooSmall',
          `Your proposed upload is smaller than the minimum allowed object size: every part but the last must be at least ${MIN_PART_BYTES} bytes.`,
          400,
          { PartNumber: part.number, ProposedSize: uploaded.size, MinSizeAllowed: MIN_PART_BYTES },
        );
    }
    uploads.delete(uploadId);
    const parts = folder.uploadFolder(uploadId);
    const incoming = folder.incomingFile();
    const output = createWriteStream(incoming);
    for (const part of listed)
      await pipeline(createReadStream(join(parts, String(part.number))), output, { end: false });
    await new Promise<void>((resolve, reject) =>
      output.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    rmSync(parts, { recursive: true, force: true });
    const etag = `"${md5(Buffer.concat(listed.map((part) => Buffer.from(part.etag.slice(1, -1), 'hex')))).toString('hex')}-${listed.length}"`;
    const size = listed.reduce((sum, part) => sum + upload.parts.get(part.number)!.size, 0);
    folder.store(bucket, key, incoming, { size, etag, lastModified: new Date(), headers: upload.headers });
    return `<CompleteMultipartUploadResult xmlns="${XMLNS}"><Location>${xml(`/${bucket}/${encodeURIComponent(key)}`)}</Location><Bucket>${xml(bucket)}</Bucket><Key>${xml(key)}</Key><ETag>${xml(etag)}</ETag></CompleteMultipartUploadResult>`;
  };

  const copyObject = async (request: IncomingMessage, bucket: string, key: string) => {
    let source: string;
    try {
      source = decodeURIComponent((request.headers['x-amz-copy-source'] as string).split('?')[0]!).replace(
        /^\//,
        '',
      );
    } catch {
      throw new S3Error(
        'InvalidArgument',
        'Copy Source must mention the source bucket and key: sourcebucket/sourcekey.',
      );
    }
    const slash = source.indexOf('/');
    if (slash <= 0 || slash === source.length - 1)
      throw new S3Error(
        'InvalidArgument',
        'Copy Source must mention the source bucket and key: sourcebucket/sourcekey.',
      );
    const from = folder.object(source.slice(0, slash), source.slice(slash + 1));
    const replace = request.headers['x-amz-metadata-directive'] === 'REPLACE';
    if (source === `${bucket}/${key}` && !replace)
      throw new S3Error(
        'InvalidRequest',
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    const headers = replace ? storedHeaders(request) : from.headers;
    const incoming = folder.incomingFile();
    await copyFile(folder.path(from), incoming);
    const lastModified = new Date();
    folder.store(bucket, key, incoming, { ...from, headers, lastModified });
    return `<CopyObjectResult xmlns="${XMLNS}"><ETag>${xml(from.etag)}</ETag><LastModified>${lastModified.toISOString()}</LastModified></CopyObjectResult>`;
  };

  const deleteObjects = (bucket: string, body: string) => {
    const keys = elements(body, 'Object').map((object) => elements(object, 'Key')[0]);
    if (
      !/<Delete[\s>]/.test(body) ||
      keys.length === 0 ||
      keys.length > MAX_DELETE_KEYS ||
      keys.some((k) => k === undefined)
    )
      throw new S3Error(
        'MalformedXML',
        `The XML you provided was not well-formed or did not validate against our published schema (Delete takes 1 to ${MAX_DELETE_KEYS} objects, each with a Key).`,
      );
    const quiet = elements(body, 'Quiet')[0]?.trim() === 'true';
    const deleted = keys.map((text) => {
      const key = unxml(text!);
      folder.remove(bucket, key);
      return `<Deleted><Key>${xml(key)}</Key></Deleted>`;
    });
    return `<DeleteResult xmlns="${XMLNS}">${quiet ? '' : deleted.join('')}</DeleteResult>`;
  };

  /** ListObjectsV2 (`list-type=2`) or the original ListObjects, in S3's order (UTF-8 bytes). */
  const list = (bucket: string, objects: Map<string, StoredObject>, query: URLSearchParams) => {
    const v2 = query.get('list-type') === '2';
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const maxKeysText = query.get('max-keys') ?? String(MAX_LIST_KEYS);
    if (!/^\d+$/.test(maxKeysText))
      throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400, {
        ArgumentName: 'max-keys',
        ArgumentValue: maxKeysText,
      });
    const maxKeys = Math.min(Number(maxKeysText), MAX_LIST_KEYS);
    const token = query.get('continuation-token');
    const after = v2
      ? token !== null
        ? Buffer.from(token, 'base64url').toString('utf8')
        : (query.get('start-after') ?? '')
      : (query.get('marker') ?? '');
    const url = query.get('encoding-type') === 'url';
    const show = (text: string) => xml(url ? encodeURIComponent(text).replaceAll('%2F', '/') : text);
    const bytes = (text: string) => Buffer.from(text, 'utf8');
    // Every key under the prefix, a common prefix standing once for all the keys it rolls up.
    const entries: { name: string; object?: StoredObject }[] = [];
    const keys = [...objects.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort((a, b) => Buffer.compare(bytes(a), bytes(b)));
    for (const k of keys) {
      const cut = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
      if (cut < 0) entries.push({ name: k, object: objects.get(k)! });
      else if (entries.at(-1)?.name !== k.slice(0, cut + delimiter.length))
        entries.push({ name: k.slice(0, cut + delimiter.length) });
    }
    const remaining = after
      ? entries.filter((e) => Buffer.compare(bytes(e.name), bytes(after)) > 0)
      : entries;
    const page = remaining.slice(0, maxKeys);
    const truncated = remaining.length > page.length;
    const last = page.at(-1)?.name ?? '';
    const contents = page
      .filter((e) => e.object)
      .map(
        ({ name, object }) =>
          `<Contents><Key>${show(name)}</Key><LastModified>${object!.lastModified.toISOString()}</LastModified><ETag>${xml(object!.etag)}</ETag><Size>${object!.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      )
      .join('');
    const prefixes = page
      .filter((e) => !e.object)
      .map(({ name }) => `<CommonPrefixes><Prefix>${show(name)}</Prefix></CommonPrefixes>`)
      .join('');
    const common = `<Name>${xml(bucket)}</Name><Prefix>${show(prefix)}</Prefix>${delimiter ? `<Delimiter>${show(delimiter)}</Delimiter>` : ''}<MaxKeys>${maxKeys}</MaxKeys>${url ? '<EncodingType>url</EncodingType>' : ''}<IsTruncated>${truncated}</IsTruncated>`;
    const paging = v2
      ? `<KeyCount>${page.length}</KeyCount>${token !== null ? `<ContinuationToken>${xml(token)}</ContinuationToken>` : ''}${truncated ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : ''}${query.has('start-after') ? `<StartAfter>${show(query.get('start-after')!)}</StartAfter>` : ''}`
      : `<Marker>${show(after)}</Marker>${truncated && delimiter ? `<NextMarker>${show(last)}</NextMarker>` : ''}`;
    return `<ListBucketResult xmlns="${XMLNS}">${common}${paging}${contents}${prefixes}</ListBucketResult>`;
  };

  const listening = await listenOnLoopback(server, options.port);
  return { url: listening.url, close: listening.close };
}
