/**
 * The sandbox's HTTP front door: a node:http server on 127.0.0.1 that plays API Gateway (HTTP API,
 * payload format 2.0) in front of local functions.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { newApiRequestId, splitTarget, toApiGatewayEvent } from './event.js';
import type { HttpResponse, InvocationOutcome } from './response.js';
import { INTERNAL_SERVER_ERROR, NOT_FOUND, PAYLOAD_TOO_LARGE, toHttpResponse } from './response.js';
import { createRouter } from './routes.js';
import { newTraceId } from '../lambda/trace-header.js';
import { acceptLoopbackOnly } from '../loopback-http.js';

/** Anything that can run an invocation: the Lambda emulation's FunctionManager fits. */
export interface Invoker {
  invoke(event: unknown, options?: { traceHeader?: string }): Promise<InvocationOutcome>;
}

export interface GatewayRoute {
  /** `GET /orders/{id}`, `ANY /files/{proxy+}` or `$default`. */
  routeKey: string;
  target: Invoker;
}

export interface HttpGatewayOptions {
  routes: GatewayRoute[];
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Largest request body accepted, in bytes (API Gateway's limit). @default 10 MiB */
  maxBodyBytes?: number;
  /** @default 'sandbox' */
  apiId?: string;
  /** @default '000000000000' */
  accountId?: string;
  /** @default '$default' */
  stage?: string;
}

export interface GatewayExchange {
  requestId: string;
  method: string;
  path: string;
  /** The matched route, or undefined for a 404 or a refused request. */
  routeKey: string | undefined;
  statusCode: number;
  durationMs: number;
  /** The invocation's status, when the function was invoked. */
  invocation?: InvocationOutcome['status'];
}

export interface HttpGateway {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Called after every response; returns an unsubscribe function. */
  onExchange(listener: (exchange: GatewayExchange) => void): () => void;
  /** Stops listening and drops open connections. Safe to call more than once. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Routes every key in `routeKeys` to one function, as the demo stack's API does. */
export function routesTo(target: Invoker, routeKeys: string[]): GatewayRoute[] {
  return routeKeys.map((routeKey) => ({ routeKey, target }));
}

export async function startHttpGateway(options: HttpGatewayOptions): Promise<HttpGateway> {
  const router = createRouter(options.routes);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const apiId = options.apiId ?? 'sandbox';
  const accountId = options.accountId ?? '000000000000';
  const stage = options.stage ?? '$default';
  const listeners = new Set<(exchange: GatewayExchange) => void>();
  let port = 0;

  /** The body, or undefined once it grew past the limit (the rest is read and thrown away). */
  const readBody = (request: IncomingMessage) =>
    new Promise<Buffer | undefined>((resolve, reject) => {
      const declared = Number(request.headers['content-length']);
      let tooLarge = Number.isFinite(declared) && declared > maxBodyBytes;
      const chunks: Buffer[] = [];
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        if (tooLarge) return;
        size += chunk.length;
        if (size > maxBodyBytes) {
          tooLarge = true;
          chunks.length = 0;
        } else {
          chunks.push(chunk);
        }
      });
      request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
      request.on('error', reject);
    });

  const send = (response: ServerResponse, requestId: string, reply: HttpResponse) => {
    response.writeHead(reply.statusCode, {
      ...reply.headers,
      'content-length': reply.body.length,
      'apigw-requestid': requestId,
    });
    response.end(reply.body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const began = performance.now();
    const now = Date.now();
    const requestId = newApiRequestId();
    const method = (request.method ?? 'GET').toUpperCase();
    const target = request.url ?? '/';
    const path = splitTarget(target).rawPath;
    const match = router.match(method, path);
    let invocation: InvocationOutcome['status'] | undefined;
    let reply: HttpResponse;

    const body = await readBody(request);
    if (body === undefined) {
      reply = PAYLOAD_TOO_LARGE();
    } else if (!match) {
      reply = NOT_FOUND();
    } else {
      // API Gateway passes the caller's trace header on, or starts a trace for the request.
      const traceHeader = request.headersDistinct['x-amzn-trace-id']?.[0] ?? `Root=${newTraceId()}`;
      const event = toApiGatewayEvent(
        {
          method,
          target,
          headers: request.headersDistinct,
          body,
          sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
          port,
        },
        {
          apiId,
          accountId,
          stage,
          routeKey: match.routeKey,
          pathParameters: match.pathParameters,
          requestId,
          now,
          traceHeader,
        },
      );
      try {
        const outcome = await match.target.invoke(event, { traceHeader });
        invocation = outcome.status;
        reply = toHttpResponse(outcome);
      } catch (error) {
        // The invocation was refused before running (e.g. an event over Lambda's 6 MB limit).
        const type = (error as { errorType?: unknown }).errorType;
        reply = type === 'RequestEntityTooLargeException' ? PAYLOAD_TOO_LARGE() : INTERNAL_SERVER_ERROR();
      }
    }
    send(response, requestId, reply);
    const exchange: GatewayExchange = {
      requestId,
      method,
      path,
      routeKey: match && body !== undefined ? match.routeKey : undefined,
      statusCode: reply.statusCode,
      durationMs: Math.round((performance.now() - began) * 100) / 100,
      ...(invocation && { invocation }),
    };
    for (const listener of listeners) {
      try {
        listener(exchange);
      } catch {
        // A listener's failure does not affect the response.
      }
    }
  };

  const server = acceptLoopbackOnly(
    createServer((request, response) => {
      handle(request, response).catch(() => {
        if (!response.headersSent) send(response, newApiRequestId(), INTERNAL_SERVER_ERROR());
        else response.destroy();
      });
    }),
  );

  const requestedPort = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `The HTTP gateway cannot listen on 127.0.0.1:${requestedPort}: the port is in use; choose another port`
            : `The HTTP gateway cannot listen on 127.0.0.1:${requestedPort}: ${error.message}`,
        ),
      );
    };
    server.once('error', onError);
    server.listen(requestedPort, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    onExchange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}
