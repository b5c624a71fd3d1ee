/**
 * The Middy side: `observability()` for an existing Middy chain, `withObservability()` for a plain
 * handler.
 */
import middy from '@middy/core';
import type { MiddlewareObj, MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ObservabilityOptions } from './config.js';
import { registerInstance, setActive } from './current.js';
import type { Invocation } from './observability.js';
import { guard, Observability } from './observability.js';

const INVOCATION = Symbol('lookout.invocation');
type Internal = { [INVOCATION]?: Invocation };

/** Logs, metrics and traces for every invocation, as one Middy middleware. Use it first in the chain. */
export function observability<TEvent = unknown, TResult = unknown>(
  options: ObservabilityOptions = {},
): MiddlewareObj<TEvent, TResult, Error, Context> {
  const instance = new Observability(options);
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

export function withObservability<TEvent = unknown, TResult = unknown>(
  handler: (event: TEvent, context: Context) => Promise<TResult> | TResult,
  options: ObservabilityOptions = {},
): MiddyfiedHandler<TEvent, TResult, Error, Context> {
  return middy<TEvent, TResult, Error, Context>(handler, {
    timeoutEarlyInMillis: options.timeoutMarginMs ?? 100,
  }).use(observability<TEvent, TResult>(options));
}
