/**
 * HTTP to the search engine with plain fetch: every request signed (SigV4 for Amazon OpenSearch
 * Service or Serverless, an API key otherwise) and bounded by a timeout.
 */
import { createHash, createHmac } from 'node:crypto';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LogShipperAuth } from '../../contract.js';

export interface Response {
  readonly status: number;
  readonly body: string;
  /** Seconds, from a Retry-After header. */
  readonly retryAfter?: number;
}

/** One call to the engine. Rejects on network errors and timeouts, never on an HTTP status. */
export type Send = (
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  body: string | undefined,
  timeoutMs: number,
  contentType?: string,
) => Promise<Response>;

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): Buffer | string =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256 (or HMAC-SHA-256 with a secret) from node:crypto, in the shape SignatureV4 takes. */
class Sha256 {
  readonly #hash;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}

export interface TransportOptions {
  readonly endpoint: string;
  readonly auth: LogShipperAuth;
  /** For `aws-es` and `aws-aoss`. */
  readonly region?: string;
  /** For `api-key`: resolves the key (Elasticsearch's base64 `encoded` form, or `id:key`). */
  readonly apiKey?: () => Promise<string>;
}

/** `id:key` as Elasticsearch's base64 `encoded` form; an encoded key as it is. */
export function encodedApiKey(key: string): string {
  const trimmed = key.trim();
  return /^[^:\s]+:[^:\s]+$/.test(trimmed) ? Buffer.from(trimmed).toString('base64') : trimmed;
}

export function createTransport(options: TransportOptions): Send {
  const base = new URL(options.endpoint);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new Error(`the log endpoint must be an http(s) URL, got ${base.protocol}`);
  }
  const signer =
    options.auth === 'api-key'
      ? undefined
      : new SignatureV4({
          service: options.auth === 'aws-aoss' ? 'aoss' : 'es',
          region: options.region ?? '',
          credentials: fromEnv(),
          sha256: Sha256,
        });
  const basePath = base.pathname.replace(/\/+$/, '');

  return async (method, path, body, timeoutMs, contentType = 'application/json') => {
    const url = new URL(`${basePath}${path}`, base);
    let headers: Record<string, string> = { host: url.host };
    if (body !== undefined) headers['content-type'] = contentType;
    if (signer) {
      // Serverless collections require the payload hash as a header; domains accept it.
      headers['x-amz-content-sha256'] = createHash('sha256')
        .update(body ?? '')
        .digest('hex');
      const signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      headers = signed.headers;
    } else if (options.apiKey) {
      headers.authorization = `ApiKey ${encodedApiKey(await options.apiKey())}`;
    }
    delete headers.host;
    const response = await fetch(url, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(Math.max(1, timeoutMs)),
    });
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      status: response.status,
      body: await response.text(),
      ...(retryAfter > 0 ? { retryAfter } : {}),
    };
  };
}
