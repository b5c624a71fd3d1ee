/**
 * The Middy side: a middleware for an existing Middy chain, and a plain handler wrapped in Middy.
 * Each entry point (`lookout`, `lookout/otel`) exports both, bound to its tracing backend.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ObservabilityOptions } from './config.js';
import { registerInstance, setActive } from './current.js';
import type { Invocation } from './observability.js';
import { guard, Observability } from './observability.js';
import type { TracingProvider } from './tracing/index.js';

const INVOCATION = Symbol('lookout.invocation');
type Internal = { [INVOCATION]?: Invocation };

/**
 * The request Middy hands a middleware, as far as Lookout reads and writes it. Lookout's public
 * types are written out here rather than taken from @middy/core, whose declarations need a package
 * most projects do not install (@aws/durable-execution-sdk-js).
 */
export interface MiddlewareRequest<TEvent = unknown, TResult = unknown> {
  event: TEvent;
  context: Context;
  response: TResult | null | undefined;
  error: Error | null | undefined;
  internal: Record<string, unknown>;
}

/** Lookout as one Middy middleware: what `middy(handler).use(...)` takes. */
export interface ObservabilityMiddleware<TEvent = unknown, TResult = unknown> {
  before(request: MiddlewareRequest<TEvent, TResult>): void | Promise<void>;
  after(request: MiddlewareRequest<TEvent, TResult>): void | Promise<void>;
  onError(request: MiddlewareRequest<TEvent, TResult>): void | Promise<void>;
}

/** A handler as Lambda calls it; what `withObservability` returns. */
export type ObservedHandler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

export function createMiddleware<TEvent, TResult>(
  options: ObservabilityOptions,
  tracing: TracingProvider,
): ObservabilityMiddleware<TEvent, TResult> {
  const instance = new Observability(options, tracing);
  registerInstance(instance);

  /** Returns a promise only when there is something to wait for (spans to export, a profile to write). */
  const finish = (request: { internal: unknown; response: unknown; context: Context }, error: unknown) => {
    const internal = request.internal as Internal;
    const invocation = internal[INVOCATION];
    if (!invocation) return undefined;
    delete internal[INVOCATION];
    const response = instance.end(invocation, request.response, error);
    if (error === undefined) request.response = response as TResult;
    setActive(undefined);
    return instance.settle(invocation);
  };

  const start = (request: { event: TEvent; context: Context; internal: unknown }) => {
    setActive(instance);
    const invocation = instance.begin(request.event, request.context);
    guard('middleware-state', () => {
      (request.internal as Internal)[INVOCATION] = invocation;
    });
  };

  // Hooks stay synchronous on the hot path: every extra promise costs, more so under X-Ray's
  // async-hooks context tracking.
  return {
    before(request) {
      if (instance.loaded) return start(request);
      return instance.ready.then(() => start(request));
    },
    after(request) {
      return finish(request, undefined);
    },
    onError(request) {
      return finish(request, request.error ?? new Error('unknown error'));
    },
  };
}

export type Handler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult> | TResult;

export function wrapHandler<TEvent, TResult>(
  handler: Handler<TEvent, TResult>,
  options: ObservabilityOptions,
  tracing: TracingProvider,
): ObservedHandler<TEvent, TResult> {
  return middy<TEvent, TResult, Error, Context>(handler, {
    timeoutEarlyInMillis: options.timeoutMarginMs ?? 100,
  }).use(createMiddleware<TEvent, TResult>(options, tracing));
}
