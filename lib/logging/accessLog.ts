/**
 * One line per invocation: an access log for HTTP requests (level by status), a summary for
 * every other event source. Fields without a value are undefined, which no line prints.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { HttpRequest, OtherEvent } from '../events.js';
import type { Redactor } from './redact.js';

export type Outcome = 'success' | 'partial_failure' | 'error';

export function logHttpAccess(
  logger: Logger,
  redactor: Redactor,
  request: HttpRequest,
  details: { route: string; status: number; latencyMs: number; error: unknown },
): void {
  const query = redactor.redactQuery(request.query);
  const fields = {
    http_source: request.source,
    method: request.method,
    route: details.route,
    path: request.path,
    query: query || undefined,
    status: details.status,
    latency_ms: details.latencyMs,
    source_ip: request.sourceIp,
    user_agent: request.userAgent,
    request_id: request.apiRequestId,
    error: details.error,
  };
  const message = `${request.method} ${request.path} ${details.status} ${details.latencyMs}ms`;
  logger[details.status >= 500 ? 'error' : details.status >= 400 ? 'warn' : 'info'](message, fields);
}

export function logInvocationSummary(
  logger: Logger,
  event: OtherEvent,
  details: { outcome: Outcome; failedRecords: number; latencyMs: number; error: unknown },
): void {
  const fields = {
    event_source: event.source,
    record_count: event.recordCount,
    outcome: details.outcome,
    failed_records: details.failedRecords > 0 ? details.failedRecords : undefined,
    latency_ms: details.latencyMs,
    error: details.error,
  };
  const message = `${event.source} invocation ${details.outcome} ${details.latencyMs}ms`;
  logger[details.outcome === 'error' ? 'error' : details.outcome === 'partial_failure' ? 'warn' : 'info'](
    message,
    fields,
  );
}
