/**
 * Lookout's JSON log lines as Elastic Common Schema documents. What ECS names is indexed under its
 * ECS name; everything else the line carried is kept, unindexed, under `lookout`. EMF lines are
 * metrics, not logs, and are left out.
 */
import type { LogBatch, LogEvent } from './payload.js';

export type Document = Record<string, unknown>;

/** One document ready for `_bulk`: where it goes and under which id. */
export interface IndexRequest {
  readonly index: string;
  readonly id: string;
  readonly document: Document;
  /** The event as it came, for the dead-letter queue. */
  readonly event: LogEvent;
}

/** Fields of a Lookout line that become ECS fields (the rest go under `lookout`). */
const MAPPED = new Set([
  'timestamp',
  'level',
  'message',
  'service',
  'xray_trace_id',
  'trace_id',
  'correlation_id',
  'function_request_id',
  'function_name',
  'cold_start',
  'request_id',
  'method',
  'route',
  'path',
  'query',
  'status',
  'latency_ms',
  'source_ip',
  'user_agent',
  'error',
  'event_source',
  'requestId',
]);

type Line = Record<string, unknown>;

function parseLine(message: string): Line | undefined {
  const text = message.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Line) : undefined;
  } catch {
    return undefined;
  }
}

/** An Embedded Metric Format document: CloudWatch turns it into metrics. */
export function isEmf(line: Line | undefined): boolean {
  const aws = line?._aws as { CloudWatchMetrics?: unknown } | undefined;
  return typeof aws === 'object' && aws !== null && Array.isArray(aws.CloudWatchMetrics);
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const number = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** Drops undefined members and empty objects, so documents carry only what the line had. */
function compact(value: Document): Document | undefined {
  const out: Document = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined) continue;
    if (member && typeof member === 'object' && !Array.isArray(member) && member.constructor === Object) {
      const inner = compact(member as Document);
      if (inner) out[key] = inner;
    } else out[key] = member;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function errorFields(error: unknown): Document | undefined {
  if (typeof error === 'string') return { message: error };
  if (!error || typeof error !== 'object') return undefined;
  const e = error as Record<string, unknown>;
  return { type: text(e.name), message: text(e.message), stack_trace: text(e.stack) };
}

/** The service a log group's lines belong to when a line does not say: the group's last segment. */
export function serviceOfLogGroup(logGroup: string): string {
  return logGroup.split('/').filter(Boolean).pop() ?? 'unknown';
}

/** Index names are lowercase and may not hold `\/*?"<>| ,#:` nor start with `-_+.`. */
export function indexName(prefix: string, service: string, at: Date): string {
  const safe =
    service
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-_+.]+/, '')
      .slice(0, 100) || 'unknown';
  const day = at.toISOString().slice(0, 10).replaceAll('-', '.');
  return `${prefix}-${safe}-${day}`;
}

/** One log event as a document, or undefined for an EMF line. */
export function toDocument(event: LogEvent, batch: LogBatch, prefix: string): IndexRequest | undefined {
  const line = parseLine(event.message);
  if (isEmf(line)) return undefined;
  const l: Line = line ?? {};
  const parsedTime = text(l.timestamp) ? Date.parse(l.timestamp as string) : Number.NaN;
  const at = new Date(Number.isNaN(parsedTime) ? event.timestamp : parsedTime);
  const service = text(l.service) ?? serviceOfLogGroup(batch.logGroup);
  const latencyMs = number(l.latency_ms);
  const rest: Document = {};
  for (const [key, value] of Object.entries(l)) if (!MAPPED.has(key)) rest[key] = value;
  const status = number(l.status);

  const document = compact({
    '@timestamp': at.toISOString(),
    message: line ? (text(l.message) ?? event.message) : event.message.trimEnd(),
    log: { level: text(l.level)?.toLowerCase() },
    service: { name: service },
    trace: { id: text(l.xray_trace_id) ?? text(l.trace_id) },
    labels: { correlation_id: text(l.correlation_id) },
    faas: {
      // Lambda's own JSON lines name it requestId.
      execution: text(l.function_request_id) ?? text(l.requestId),
      name: text(l.function_name),
      coldstart: typeof l.cold_start === 'boolean' ? l.cold_start : undefined,
      trigger: { type: text(l.event_source) },
    },
    http: {
      request: { method: text(l.method), id: text(l.request_id) },
      response: { status_code: status !== undefined ? Math.trunc(status) : undefined },
      // Not in ECS (OpenTelemetry's name): the route template, as the metrics use it.
      route: text(l.route),
    },
    url: { path: text(l.path), query: text(l.query) },
    client: { ip: text(l.source_ip) },
    user_agent: { original: text(l.user_agent) },
    error: errorFields(l.error),
    event: {
      id: event.id,
      // ECS durations are nanoseconds.
      duration: latencyMs !== undefined ? Math.round(latencyMs * 1e6) : undefined,
    },
    cloud: { provider: 'aws', account: { id: text(batch.owner) } },
    aws: { cloudwatch: { log_group: batch.logGroup, log_stream: batch.logStream } },
    ecs: { version: '8.11.0' },
    lookout: Object.keys(rest).length > 0 ? rest : undefined,
  }) as Document;
  return { index: indexName(prefix, service, at), id: event.id, document, event };
}
