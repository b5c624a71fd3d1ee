/**
 * The HTTP side of the API: the request a route sees, JSON responses, and turning a payload v2
 * body into validated input (415 unless it is declared JSON, 413 for an oversized body, 400 for bad
 * JSON or invalid fields).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { Issue } from '../orders-core/issues.js';
import { issuesOf } from '../orders-core/issues.js';

export type HttpResponse = APIGatewayProxyStructuredResultV2;

/** Largest accepted request body, in bytes after base64 decoding. */
export const MAX_BODY_BYTES = 16 * 1024;

export interface ApiRequest {
  method: string;
  path: string;
  /** Path parameters of the matched route template, URL-decoded. */
  params: Record<string, string>;
  query: Record<string, string>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string | undefined;
  isBase64Encoded: boolean;
}

/** An error with a status and a body fit for the client: no stack, no internals. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export const errorResponse = (error: HttpError): HttpResponse =>
  json(error.status, { error: error.code, message: error.message, ...error.extra }, error.headers);

export function validationError(issues: Issue[], what = 'request body'): HttpError {
  return new HttpError(400, 'validation_failed', `The ${what} is invalid`, { issues });
}

/** Validates any input against a schema, throwing a 400 that lists every problem. */
export function validate<T>(schema: z.ZodType<T>, input: unknown, what?: string): T {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(issuesOf(result.error), what);
  return result.data;
}

/**
 * `application/json`, optionally with `charset=utf-8`. Anything else (text/plain, form types,
 * octet-stream, no content type at all) is what a cross-site HTML form or a "simple" fetch can send
 * without a CORS preflight, so refusing it keeps another site's page from creating users or orders.
 */
const JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*(?:utf-8|"utf-8")\s*)?$/i;

/** The body as JSON, validated: 415 unless declared JSON, 413 when too large, 400 when missing, not JSON or invalid. */
export function parseJsonBody<T>(request: ApiRequest, schema: z.ZodType<T>): T {
  if (!JSON_CONTENT_TYPE.test(request.headers['content-type'] ?? '')) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      'The request body must be JSON, sent with content-type: application/json',
      {},
      { 'accept-post': 'application/json' },
    );
  }
  const raw = request.body ?? '';
  // Cheap upper bound before decoding: base64 is at least as long as the bytes it encodes.
  if (raw.length > MAX_BODY_BYTES * 2) throw bodyTooLarge();
  const text = request.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) throw bodyTooLarge();
  if (text.trim() === '') {
    throw new HttpError(400, 'invalid_json', 'A JSON request body is required');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON');
  }
  return validate(schema, parsed);
}

const bodyTooLarge = () =>
  new HttpError(413, 'payload_too_large', `The request body must not exceed ${MAX_BODY_BYTES} bytes`, {
    maxBytes: MAX_BODY_BYTES,
  });
