/**
 * A local AWS Lambda `Invoke` endpoint, so that the AWS CLI or an SDK pointed at it
 * (`AWS_ENDPOINT_URL_LAMBDA`) starts a stack's function by hand:
 * `POST /2015-03-31/functions/<name or ARN>/invocations` with `X-Amz-Invocation-Type`
 * RequestResponse (the default: the function's payload, `X-Amz-Function-Error` when it failed),
 * Event (202, run asynchronously with Lambda's retries) or DryRun (204); `X-Amz-Log-Type: Tail`
 * adds the end of the log as Lambda does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FunctionManager } from '../lambda/index.js';
import { BodyTooLarge, listenOnLoopback, readBody } from './http.js';

export interface LambdaStandInOptions {
  /** The function of a name, at call time (undefined when the stack has none). */
  functionNamed(name: string): FunctionManager | undefined;
  /** Runs an `Event` invocation (with Lambda's asynchronous retries). */
  invokeAsync(target: FunctionManager, event: unknown): void;
  region: string;
  accountId: string;
  port?: number;
}

export interface LambdaStandIn {
  /** Endpoint for the SDK, e.g. as AWS_ENDPOINT_URL_LAMBDA. */
  url: string;
  close(): Promise<void>;
}

/** Lambda's request limits: 6 MB synchronous, 256 KB asynchronous. */
const MAX_SYNC_BYTES = 6 * 1024 * 1024;
const MAX_ASYNC_BYTES = 256 * 1024;
const PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startLambdaStandIn(options: LambdaStandInOptions): Promise<LambdaStandIn> {
  const send = (
    response: ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    response.end(body);
  };
  const fail = (response: ServerResponse, status: number, type: string, message: string) =>
    send(response, status, JSON.stringify({ Type: 'User', message }), { 'x-amzn-errortype': type });

  /** A name, a full ARN or a partial one (`123456789012:function:name`), with an optional `:qualifier`. */
  const nameOf = (reference: string): string => {
    const parts = reference.split(':');
    const at = parts.indexOf('function');
    return at >= 0 ? (parts[at + 1] ?? '') : parts[0]!;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const match = PATH.exec(url.pathname);
    if (request.method !== 'POST' || !match) {
      request.resume();
      return fail(
        response,
        404,
        'UnknownOperationException',
        'Only POST /2015-03-31/functions/<name>/invocations is served here',
      );
    }
    const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
      request.resume();
      return fail(
        response,
        400,
        'InvalidParameterValueException',
        `X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, not ${type}`,
      );
    }
    const qualifier = url.searchParams.get('Qualifier');
    if (qualifier !== null && qualifier !== '$LATEST') {
      request.resume();
      return fail(
        response,
        404,
        'ResourceNotFoundException',
        `Function not found: only $LATEST runs in the sandbox, not ${qualifier}`,
      );
    }
    const reference = decodeURIComponent(match[1]!);
    const name = nameOf(reference);
    const target = options.functionNamed(name);
    if (!target) {
      request.resume();
      return fail(
        response,
        404,
        'ResourceNotFoundException',
        `Function not found: arn:aws:lambda:${options.region}:${options.accountId}:function:${name}`,
      );
    }
    let body: Buffer;
    try {
      body = await readBody(request, type === 'Event' ? MAX_ASYNC_BYTES : MAX_SYNC_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      return fail(
        response,
        413,
        'RequestTooLargeException',
        `Request must be smaller than ${error.limit} bytes for the ${type} invocation type`,
      );
    }
    let event: unknown = null;
    if (body.length > 0) {
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch {
        return fail(
          response,
          400,
          'InvalidRequestContentException',
          'Could not parse request body into json: the payload is not valid JSON',
        );
      }
    }
    const version = { 'x-amz-executed-version': '$LATEST' };
    if (type === 'DryRun') return send(response, 204, '', version);
    if (type === 'Event') {
      options.invokeAsync(target, event);
      return send(response, 202, '', version);
    }
    const result = await target.invoke(event);
    // `X-Amz-Log-Type: Tail`: the last 4 KB of the invocation's log, base64-encoded.
    const tail: Record<string, string> =
      String(request.headers['x-amz-log-type'] ?? '') === 'Tail'
        ? { 'x-amz-log-result': Buffer.from(result.lines.join('\n')).subarray(-4096).toString('base64') }
        : {};
    if (result.status === 'throttled')
      return send(
        response,
        429,
        JSON.stringify({
          Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
          Type: 'User',
          message: 'Rate Exceeded.',
        }),
        {
          'x-amzn-errortype': 'TooManyRequestsException',
        },
      );
    if (result.status === 'success')
      return send(response, 200, JSON.stringify(result.result ?? null), { ...version, ...tail });
    const error = result.error ?? { errorType: 'Unknown', errorMessage: 'the invocation failed' };
    send(
      response,
      200,
      JSON.stringify({
        errorType: error.errorType,
        errorMessage: error.errorMessage,
        trace: error.trace ?? [],
      }),
      { ...version, ...tail, 'x-amz-function-error': 'Unhandled' },
    );
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      const message = error instanceof Error ? error.message : String(error);
      fail(response, 400, 'InvalidRequestContentException', message);
    });
  });
  const listening = await listenOnLoopback(server, options.port);
  return { url: listening.url, close: listening.close };
}
