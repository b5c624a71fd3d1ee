/**
 * `lookout/otel`: the same as `lookout`, tracing with OpenTelemetry (OTLP/HTTP, configured by the
 * standard `OTEL_*` variables, X-Ray-compatible ids) instead of X-Ray. A handler imports one or
 * the other, and its bundle carries only that SDK. Needs the OpenTelemetry packages listed as
 * optional peer dependencies.
 */
import type { ObservabilityOptions } from './config.js';
import type { Handler, ObservabilityMiddleware, ObservedHandler } from './middleware.js';
import { createMiddleware, wrapHandler } from './middleware.js';
import { otelTracing } from './tracing/otel.js';

export * from './shared-api.js';

/**
 * Wraps a handler in Middy with Lookout's middleware: JSON logs with correlation ids, an access
 * log, EMF metrics and OpenTelemetry spans for every invocation, exported before it returns. A
 * failure inside observability never reaches the handler.
 */
export function withObservability<TEvent = unknown, TResult = unknown>(
  handler: Handler<TEvent, TResult>,
  options: ObservabilityOptions = {},
): ObservedHandler<TEvent, TResult> {
  return wrapHandler(handler, options, otelTracing(options.otelExportBudgetMs));
}

/** The same as one Middy middleware, for an existing Middy chain: use it first in the chain. */
export function observability<TEvent = unknown, TResult = unknown>(
  options: ObservabilityOptions = {},
): ObservabilityMiddleware<TEvent, TResult> {
  return createMiddleware<TEvent, TResult>(options, otelTracing(options.otelExportBudgetMs));
}
