/**
 * What the runtime library, the constructs, the functions Lookout deploys and the sandbox must
 * agree on: metric names and their dimensions, event sources, severities, defaults and the
 * environment variables one side sets and the other reads. This module imports nothing, so any of
 * them can read it without pulling in the others.
 */

/** CloudWatch namespace of Lookout's metrics when none is configured. */
export const DEFAULT_NAMESPACE = 'Lookout';

/** Service name when none is configured (Powertools' own default). */
export const DEFAULT_SERVICE_NAME = 'service_undefined';

/** The route dimension of HTTP requests that match no known route template. */
export const UNMATCHED_ROUTE = 'other';

/** Header that carries the correlation id in and out of HTTP invocations. */
export const CORRELATION_HEADER = 'x-correlation-id';

/** Metric names, as the runtime emits them and the constructs alarm on and chart them. */
export const METRIC = {
  /** HTTP: one per request, by [service] and [service, route]. */
  requests: 'Requests',
  /** HTTP (by route) and other events (by event source), milliseconds. */
  latency: 'Latency',
  /** HTTP 5xx, and failed invocations of other events. */
  errors: 'Errors',
  /** HTTP 4xx. */
  clientErrors: 'ClientErrors',
  /** Non-HTTP invocations, by [service, event_source]. */
  invocations: 'Invocations',
  /** By [service, function_name]. */
  coldStart: 'ColdStart',
  heapUsed: 'HeapUsed',
  rss: 'Rss',
  memoryUtilization: 'MemoryUtilization',
  eventLoopUtilization: 'EventLoopUtilization',
  /** timeDbQuery: by [service], [service, status] and [service, operation, table, status]. */
  dbQueries: 'DbQueries',
  dbQueryLatency: 'DbQueryLatency',
  /** recordCacheHit / recordCacheMiss: by [service, cache]. */
  cacheHits: 'CacheHits',
  cacheMisses: 'CacheMisses',
  /** recordHealthCheck: by [service, target]. */
  healthCheckSuccess: 'HealthCheckSuccess',
  healthCheckLatency: 'HealthCheckLatency',
  /** The Slack notifier, by [service]. */
  alertsDelivered: 'AlertsDelivered',
  alertsFailed: 'AlertsFailed',
  malformedAlerts: 'MalformedAlerts',
  deliveryLatency: 'DeliveryLatency',
  deliveryRetries: 'DeliveryRetries',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** Dimension names. Every metric carries `service`; the others are bounded by construction. */
export const DIMENSION = {
  service: 'service',
  route: 'route',
  eventSource: 'event_source',
  functionName: 'function_name',
  operation: 'operation',
  table: 'table',
  status: 'status',
  cache: 'cache',
  target: 'target',
} as const;

/** What a non-HTTP invocation is counted as (the `event_source` dimension). */
export const EVENT_SOURCES = [
  'sqs',
  'sns',
  'eventbridge',
  'schedule',
  's3',
  'dynamodb',
  'kinesis',
  'unknown',
] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** Outcome of a timed database call (the `status` dimension of DbQueries and DbQueryLatency). */
export const DB_QUERY_STATUSES = ['success', 'error'] as const;
export type DbQueryStatus = (typeof DB_QUERY_STATUSES)[number];

/**
 * How urgent an alarm is. Alarms carry it as a tag and as the first word of their description,
 * `[critical] ...`, which is the part of an SNS notification the Slack notifier can read.
 */
export const SEVERITIES = ['critical', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SEVERITY_TAG = 'severity';
export const severityPrefix = (severity: Severity): string => `[${severity}]`;

/** Environment variables that `ObservedFunction` sets and the runtime reads. */
export const ENV = {
  /** `xray`, `otel` or `off`. */
  tracing: 'LOOKOUT_TRACING',
  profileBucket: 'LOOKOUT_PROFILE_BUCKET',
  profilePrefix: 'LOOKOUT_PROFILE_PREFIX',
  profileDirectory: 'LOOKOUT_PROFILE_DIR',
  profileSampleRate: 'LOOKOUT_PROFILE_SAMPLE_RATE',
  profileSlowerThanMs: 'LOOKOUT_PROFILE_SLOWER_THAN_MS',
} as const;

/** Key prefix of CPU profiles when none is given. */
export const DEFAULT_PROFILE_PREFIX = 'profiles/';

/** The tracing backends a function can use. */
export const TRACING_MODES = ['xray', 'otel', 'off'] as const;
export type TracingMode = (typeof TRACING_MODES)[number];
