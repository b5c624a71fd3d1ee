/**
 * `lookout`: wrap a Lambda handler once, get logs, metrics and X-Ray traces.
 *
 *     export const handler = withObservability(async (event) => ..., { serviceName: 'orders' });
 *
 * For OpenTelemetry instead of X-Ray, import the same functions from `lookout/otel`.
 */
import type { ObservabilityOptions } from './config.js';
import type { Handler, ObservabilityMiddleware, ObservedHandler } from './middleware.js';
import { createMiddleware, wrapHandler } from './middleware.js';
import { xrayTracing } from './tracing/xray.js';

export * from './shared-api.js';

/**
 * Wraps a handler in Middy with Lookout's middleware: JSON logs with correlation ids, an access
 * log, EMF metrics and X-Ray traces for every invocation, ended `timeoutMarginMs` before a
 * timeout so that they are still written. A failure inside observability never reaches the
 * handler; its own result or error passes through unchanged.
 */
export function withObservability<TEvent = unknown, TResult = unknown>(
  handler: Handler<TEvent, TResult>,
  options: ObservabilityOptions = {},
): ObservedHandler<TEvent, TResult> {
  return wrapHandler(handler, options, xrayTracing);
}

/** The same as one Middy middleware, for an existing Middy chain: use it first in the chain. */
export function observability<TEvent = unknown, TResult = unknown>(
  options: ObservabilityOptions = {},
): ObservabilityMiddleware<TEvent, TResult> {
  return createMiddleware<TEvent, TResult>(options, xrayTracing);
}
