/**
 * Lookout for Lambda handlers: wrap a handler once, get logs, metrics and traces.
 *
 *     export const handler = withObservability(async (event) => ..., { serviceName: 'orders' });
 */
export { withObservability, observability } from './middleware.js';
export type {
  ObservabilityOptions,
  RedactionOptions,
  LogBufferOptions,
  ProfilingOptions,
  TracingMode,
} from './config.js';
export {
  getLogger,
  traced,
  captureAwsClient,
  timeDbQuery,
  recordCacheHit,
  recordCacheMiss,
  businessMetrics,
} from './helpers.js';
export { CORRELATION_HEADER, validCorrelationId } from './logging/correlation.js';
export { REDACTED, DEFAULT_SECRET_KEYS } from './logging/redact.js';
export { UNMATCHED_ROUTE } from './routes.js';
export { propagationHeaders, messageAttributes, eventDetail, fetchWithContext } from './propagation.js';
export type { MessageAttributes } from './propagation.js';
export type { TraceContext } from './tracing/context.js';
export { parseTraceparent, parseXRayHeader, formatTraceparent, formatXRayHeader } from './tracing/context.js';
