/**
 * What the local AWS endpoints share: a bounded request body, loopback listening, a clean close, and
 * the AWS JSON 1.1 protocol.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptLoopbackOnly } from '../loopback-http.js';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
  }
}

/** The request body, or BodyTooLarge once it passes `limit` bytes (the rest is not read). */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Listens on 127.0.0.1 (loopback names only); returns the base URL and an idempotent close. */
export async function listenOnLoopback(
  server: Server,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  acceptLoopbackOnly(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}

/** An error the AWS JSON protocol reports: `__type` and the `x-amzn-errortype` header name it. */
export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** One action of an AWS JSON 1.1 service: the parsed request body in, the response body out. */
export type JsonAction = (input: Record<string, unknown>) => unknown;

/**
 * An AWS JSON 1.1 endpoint (`X-Amz-Target: <prefix>.<Action>`, what SDK v3 clients of such services
 * send) on loopback: each action gets the parsed body; an AwsJsonError becomes the error response.
 */
export async function serveAwsJson(
  prefix: string,
  actions: Record<string, JsonAction>,
  port?: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const send = (response: ServerResponse, status: number, payload: unknown, errorType?: string) => {
    const body = JSON.stringify(payload);
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    response.end(body);
  };
  const answer = async (request: IncomingMessage): Promise<[number, unknown]> => {
    const body = await readBody(request, 1024 * 1024);
    const target = String(request.headers['x-amz-target'] ?? '');
    const name = target.startsWith(`${prefix}.`) ? target.slice(prefix.length + 1) : '';
    const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
    if (request.method !== 'POST' || !action)
      throw new AwsJsonError(
        'UnknownOperationException',
        `${target || '(no X-Amz-Target)'} is not served here`,
      );
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      throw new AwsJsonError('SerializationException', 'The request body is not valid JSON.');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new AwsJsonError('SerializationException', 'The request body must be a JSON object.');
    return [200, action(input as Record<string, unknown>) ?? {}];
  };
  const server = createServer((request, response) => {
    answer(request).then(
      ([status, payload]) => send(response, status, payload),
      (error: unknown) => {
        if (error instanceof BodyTooLarge)
          error = new AwsJsonError('ValidationException', error.message, 413);
        if (!(error instanceof AwsJsonError))
          error = new AwsJsonError('InternalServiceError', String(error), 500);
        const { type, message, status } = error as AwsJsonError;
        send(response, status, { __type: type, message, Message: message }, type);
      },
    );
  });
  return listenOnLoopback(server, port);
}

/** One page of a listing: NextToken is the offset of the next item. */
export function page<T>(
  items: T[],
  input: { MaxResults?: unknown; NextToken?: unknown },
  defaultSize: number,
) {
  const size = input.MaxResults === undefined ? defaultSize : Number(input.MaxResults);
  const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
  if (!Number.isInteger(size) || size < 1)
    throw new AwsJsonError('InvalidParameterException', 'MaxResults must be a positive whole number.');
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw new AwsJsonError('InvalidNextTokenException', 'The NextToken is not valid.');
  const end = start + size;
  return { items: items.slice(start, end), next: end < items.length ? String(end) : undefined };
}
