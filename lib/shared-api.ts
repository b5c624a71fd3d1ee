/**
 * What both entry points (`lookout` and `lookout/otel`) export besides their wrappers: the helpers
 * a handler calls while it runs, the propagation helpers and the types of the options. None of it
 * depends on the tracing backend.
 */
export type { ObservabilityOptions, RedactionOptions, LogBufferOptions, TracingMode } from './config.js';
export type { InvocationProfiler } from './profiling/plugin.js';
export type { Handler, MiddlewareRequest, ObservabilityMiddleware, ObservedHandler } from './middleware.js';
export {
  getLogger,
  traced,
  captureAwsClient,
  timeDbQuery,
  recordCacheHit,
  recordCacheMiss,
  recordHealthCheck,
  businessMetrics,
} from './helpers.js';
export type { Dimensions, Unit } from './metrics/sink.js';
export { validCorrelationId, withRecord } from './logging/correlation.js';
export { CORRELATION_HEADER, UNMATCHED_ROUTE } from './contract.js';
export { REDACTED, DEFAULT_SECRET_KEYS, DEFAULT_SECRET_WORDS } from './logging/redact.js';
export { propagationHeaders, messageAttributes, eventDetail, fetchWithContext } from './propagation.js';
export type { MessageAttributes } from './propagation.js';
export type { TraceContext } from './tracing/context.js';
export { parseTraceparent, parseXRayHeader, formatTraceparent, formatXRayHeader } from './tracing/context.js';
