/**
 * The sandbox's HTTP front door: a node:http server on 127.0.0.1 that plays one API in front of
 * local functions: an API Gateway HTTP API (payload format 2.0 or 1.0), a REST API (Lambda proxy
 * integration) or a Lambda function URL.
 */
import { SANDBOX_ACCOUNT } from '../account.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { newApiRequestId, splitTarget, toApiGatewayEvent, toProxyEventV1 } from './event.js';
import type { HttpResponse, InvocationOutcome } from './response.js';
import {
  FORBIDDEN,
  INTERNAL_SERVER_ERROR,
  MISSING_AUTHENTICATION_TOKEN,
  NOT_FOUND,
  PAYLOAD_TOO_LARGE,
  toHttpResponse,
  toHttpResponseV1,
} from './response.js';
import type { GatewayDatapoint } from './metrics.js';
import { requestMetrics } from './metrics.js';
import type { CorsSpec } from './cors.js';
import { preflight, withCorsHeaders } from './cors.js';
import { createRouter } from './routes.js';
import type { ApiKind, ApiSpec, MockResponse, PayloadVersion } from './template.js';
import { newTraceId } from '../lambda/trace-header.js';
import { acceptLoopbackOnly } from '../loopback-http.js';

/** Anything that can run an invocation: the Lambda emulation's FunctionManager fits. */
export interface Invoker {
  invoke(event: unknown, options?: { traceHeader?: string }): Promise<InvocationOutcome>;
}

export interface GatewayRoute {
  /** `GET /orders/{id}`, `ANY /files/{proxy+}` or `$default`. */
  routeKey: string;
  /** The function behind the route; without one, requests to the route fail with 501. */
  target?: Invoker;
  /** @default '2.0' for HTTP APIs and function URLs, '1.0' (the proxy integration's format) for REST APIs */
  payloadVersion?: PayloadVersion;
  /** Why the sandbox cannot run this route (told to the caller in the 501). */
  notEmulated?: string;
  /** A fixed answer instead of a function (a REST API's MOCK integration). */
  mockResponse?: MockResponse;
}

export interface HttpGatewayOptions {
  routes: GatewayRoute[];
  /** Which kind of API this plays. @default 'http' */
  kind?: ApiKind;
  /** REST APIs: content types that reach the function base64-encoded. */
  binaryMediaTypes?: string[];
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Largest request body accepted, in bytes (API Gateway's limit). @default 10 MiB */
  maxBodyBytes?: number;
  /** @default 'sandbox' */
  apiId?: string;
  /** @default the sandbox's account (`SANDBOX_ACCOUNT`) */
  accountId?: string;
  /** `$default` serves at the root; any other stage is served under `/<stage>`. @default '$default' */
  stage?: string;
  /** The API's CORS configuration: the front door answers preflights and sets the CORS headers. */
  cors?: CorsSpec;
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
  /** How long the function took to answer, when it was invoked. */
  integrationMs?: number;
  /** Request and response body bytes, what an HTTP API counts as DataProcessed. */
  bytes: number;
}

export interface HttpGateway {
  /** `http://127.0.0.1:<port>`, followed by `/<stage>` unless the stage is `$default`. */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** Called after every response; returns an unsubscribe function. */
  onExchange(listener: (exchange: GatewayExchange) => void): () => void;
  /** Stops listening and drops open connections. Safe to call more than once. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

const roundMs = (ms: number) => Math.round(ms * 100) / 100;

/** Routes every key in `routeKeys` to one function, as the demo stack's API does. */
export function routesTo(target: Invoker, routeKeys: string[]): GatewayRoute[] {
  return routeKeys.map((routeKey) => ({ routeKey, target }));
}

export async function startHttpGateway(options: HttpGatewayOptions): Promise<HttpGateway> {
  const router = createRouter(options.routes.map((route) => ({ routeKey: route.routeKey, target: route })));
  const kind = options.kind ?? 'http';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const apiId = options.apiId ?? 'sandbox';
  const accountId = options.accountId ?? SANDBOX_ACCOUNT;
  const stage = kind === 'url' ? '$default' : (options.stage ?? '$default');
  const stagePrefix = stage === '$default' ? '' : `/${stage}`;
  const requestIdHeader = kind === 'http' ? 'apigw-requestid' : 'x-amzn-requestid';
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
      [requestIdHeader]: requestId,
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
    // A named stage is the first segment of the path; routes match on what follows it.
    const inStage = stagePrefix === '' || path === stagePrefix || path.startsWith(`${stagePrefix}/`);
    const routePath = inStage ? path.slice(stagePrefix.length) || '/' : path;
    const match = inStage ? router.match(method, routePath) : undefined;
    const route = match?.target;
    let invocation: InvocationOutcome['status'] | undefined;
    let integrationMs: number | undefined;
    let reply: HttpResponse;

    const body = await readBody(request);
    const corsPreflight =
      options.cors && body !== undefined
        ? preflight(options.cors, method, request.headersDistinct)
        : undefined;
    if (body === undefined) {
      reply = PAYLOAD_TOO_LARGE();
    } else if (corsPreflight) {
      reply = corsPreflight;
    } else if (!inStage) {
      reply = kind === 'rest' ? FORBIDDEN() : NOT_FOUND();
    } else if (!match || !route) {
      reply = kind === 'rest' ? MISSING_AUTHENTICATION_TOKEN() : NOT_FOUND();
    } else if (route.mockResponse) {
      reply = { ...route.mockResponse, body: Buffer.alloc(0) };
    } else if (!route.target) {
      reply = {
        statusCode: 501,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(
          JSON.stringify({
            message: `Not emulated by the Lookout sandbox: ${route.notEmulated ?? 'the route has no function'}`,
          }),
        ),
      };
    } else {
      // API Gateway passes the caller's trace header on, or starts a trace for the request.
      const traceHeader = request.headersDistinct['x-amzn-trace-id']?.[0] ?? `Root=${newTraceId()}`;
      const parts = {
        method,
        target,
        headers: request.headersDistinct,
        rawHeaders: request.rawHeaders,
        body,
        sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        port,
      };
      const context = {
        apiId,
        accountId,
        stage,
        routeKey: match.routeKey,
        pathParameters: match.pathParameters,
        requestId,
        now,
        traceHeader,
      };
      const version = route.payloadVersion ?? (kind === 'rest' ? '1.0' : '2.0');
      const flavour = kind === 'rest' ? 'rest' : 'http';
      const event =
        version === '2.0'
          ? toApiGatewayEvent(parts, context)
          : toProxyEventV1(parts, {
              ...context,
              flavour,
              resource: match.routeKey === '$default' ? '$default' : match.routeKey.split(' ')[1]!,
              path: routePath,
              binaryMediaTypes: options.binaryMediaTypes ?? [],
            });
      const invoked = performance.now();
      try {
        const outcome = await route.target.invoke(event, { traceHeader });
        invocation = outcome.status;
        reply = version === '2.0' ? toHttpResponse(outcome) : toHttpResponseV1(outcome, flavour);
      } catch (error) {
        // The invocation was refused before running (e.g. an event over Lambda's 6 MB limit).
        const type = (error as { errorType?: unknown }).errorType;
        reply = type === 'RequestEntityTooLargeException' ? PAYLOAD_TOO_LARGE() : INTERNAL_SERVER_ERROR();
      }
      integrationMs = roundMs(performance.now() - invoked);
    }
    if (options.cors && !corsPreflight)
      reply = withCorsHeaders(options.cors, request.headersDistinct.origin?.[0], reply);
    send(response, requestId, reply);
    const exchange: GatewayExchange = {
      requestId,
      method,
      path,
      routeKey: match && body !== undefined ? match.routeKey : undefined,
      statusCode: reply.statusCode,
      durationMs: roundMs(performance.now() - began),
      ...(invocation && { invocation }),
      ...(integrationMs !== undefined && { integrationMs }),
      bytes: (body?.length ?? 0) + reply.body.length,
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
    url: `http://127.0.0.1:${port}${stagePrefix}`,
    origin: `http://127.0.0.1:${port}`,
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

/**
 * Serves one API of the stack: its routes go to the functions `functionNamed` finds when a request
 * arrives (the gateway may start before the functions it calls).
 */
export async function startApiGateway(
  api: ApiSpec,
  functionNamed: (name: string) => Invoker | undefined,
  {
    onMetric,
    ...options
  }: {
    port?: number;
    accountId?: string;
    /** Each datapoint a request adds to CloudWatch, as the deployed API (or function URL) would publish it. */
    onMetric?: (datapoint: GatewayDatapoint) => void;
  } = {},
): Promise<HttpGateway> {
  const gateway = await startHttpGateway({
    kind: api.kind,
    stage: api.stage,
    apiId: api.apiId,
    binaryMediaTypes: api.binaryMediaTypes,
    ...(api.cors && { cors: api.cors }),
    ...options,
    routes: api.routes.map((route) => ({
      routeKey: route.routeKey,
      payloadVersion: route.payloadVersion,
      ...(route.notEmulated !== undefined && { notEmulated: route.notEmulated }),
      ...(route.mockResponse !== undefined && { mockResponse: route.mockResponse }),
      ...(route.functionName !== undefined && {
        target: {
          invoke: (event: unknown, invokeOptions?: { traceHeader?: string }) => {
            const target = functionNamed(route.functionName!);
            if (!target)
              return Promise.reject(
                new Error(`the function ${route.functionName} behind the API is not running`),
              );
            return target.invoke(event, invokeOptions);
          },
        },
      }),
    })),
  });
  if (onMetric) gateway.onExchange((exchange) => requestMetrics(api, exchange).forEach(onMetric));
  return gateway;
}
