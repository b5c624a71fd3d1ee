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

/*
 * Metric names, as the runtime emits them and the constructs alarm on and chart them. One object
 * per group, so that a bundle keeps only the groups its code uses.
 */

/** HTTP invocations, by [service] and [service, route]. Errors are 5xx, ClientErrors 4xx. */
export const HTTP_METRIC = {
  requests: 'Requests',
  latency: 'Latency',
  errors: 'Errors',
  clientErrors: 'ClientErrors',
} as const;

/** Other invocations, by [service, event_source]. */
export const EVENT_METRIC = { invocations: 'Invocations', errors: 'Errors', latency: 'Latency' } as const;

/** Runtime figures, by [service, function_name]. */
export const RUNTIME_METRIC = {
  coldStart: 'ColdStart',
  heapUsed: 'HeapUsed',
  rss: 'Rss',
  memoryUtilization: 'MemoryUtilization',
  eventLoopUtilization: 'EventLoopUtilization',
} as const;

/** timeDbQuery: by [service], [service, status] and [service, operation, table, status]. */
export const DB_METRIC = { queries: 'DbQueries', latency: 'DbQueryLatency' } as const;

export type HttpMetric = (typeof HTTP_METRIC)[keyof typeof HTTP_METRIC];
export type EventMetric = (typeof EVENT_METRIC)[keyof typeof EVENT_METRIC];
export type RuntimeMetric = (typeof RUNTIME_METRIC)[keyof typeof RUNTIME_METRIC];

/** recordCacheHit / recordCacheMiss: by [service, cache]. */
export const CACHE_METRIC = { hits: 'CacheHits', misses: 'CacheMisses' } as const;

/** recordHealthCheck: by [service, target]. */
export const HEALTH_CHECK_METRIC = { success: 'HealthCheckSuccess', latency: 'HealthCheckLatency' } as const;

/** The Slack notifier, by [service]. */
export const NOTIFIER_METRIC = {
  delivered: 'AlertsDelivered',
  failed: 'AlertsFailed',
  malformed: 'MalformedAlerts',
  latency: 'DeliveryLatency',
  retries: 'DeliveryRetries',
} as const;

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

export type Dimension = (typeof DIMENSION)[keyof typeof DIMENSION];

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

/**
 * Outcome of a timed database call (the `status` dimension of DbQueries and DbQueryLatency):
 * `timeout` is a call still running when its invocation timed out.
 */
export const DB_QUERY_STATUSES = ['success', 'error', 'timeout'] as const;
export type DbQueryStatus = (typeof DB_QUERY_STATUSES)[number];

/**
 * How urgent an alarm is. Alarms carry it as a tag and as the first word of their description,
 * `[critical] ...`, which is the part of an SNS notification the Slack notifier can read.
 */
export const SEVERITIES = ['critical', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SEVERITY_TAG = 'severity';
export const severityPrefix = (severity: Severity): string => `[${severity}]`;

/** Set by `ObservedFunction`, read by the runtime: `xray`, `otel` or `off`. */
export const TRACING_ENV = 'LOOKOUT_TRACING';

/** Milliseconds an invocation waits, at most, for its OpenTelemetry spans to be exported. */
export const OTEL_EXPORT_BUDGET_ENV = 'LOOKOUT_OTEL_EXPORT_BUDGET_MS';

/** Where and when to take CPU profiles: set by `ObservedFunction`, read by `cpuProfiler()`. */
export const PROFILING_ENV = {
  bucket: 'LOOKOUT_PROFILE_BUCKET',
  prefix: 'LOOKOUT_PROFILE_PREFIX',
  directory: 'LOOKOUT_PROFILE_DIR',
  sampleRate: 'LOOKOUT_PROFILE_SAMPLE_RATE',
  slowerThanMs: 'LOOKOUT_PROFILE_SLOWER_THAN_MS',
} as const;
export type ProfilingEnv = (typeof PROFILING_ENV)[keyof typeof PROFILING_ENV];

/** Key prefix of CPU profiles when none is given. */
export const DEFAULT_PROFILE_PREFIX = 'profiles/';

/** The tracing backends a function can use. */
export const TRACING_MODES = ['xray', 'otel', 'off'] as const;
export type TracingMode = (typeof TRACING_MODES)[number];

/**
 * The burn-rate alarms of a service level objective end their description with this note, which the
 * Slack notifier turns into an "Error budget" section:
 * `Error budget · SLO: <name> · burn: <how fast> · budget: <how much is left, and for how long>.`
 * The parts are separated by ` · `, which SLO names may not contain.
 */
export const ERROR_BUDGET_NOTE = { marker: 'Error budget', separator: ' · ' } as const;

export interface ErrorBudgetNote {
  slo: string;
  burn: string;
  budget: string;
}

export const errorBudgetNote = (note: ErrorBudgetNote): string =>
  [ERROR_BUDGET_NOTE.marker, `SLO: ${note.slo}`, `burn: ${note.burn}`, `budget: ${note.budget}`].join(
    ERROR_BUDGET_NOTE.separator,
  );

/** The note in an alarm description, or undefined when there is none. */
export function readErrorBudgetNote(description: string | undefined): ErrorBudgetNote | undefined {
  const { marker, separator } = ERROR_BUDGET_NOTE;
  const pattern = `${marker}${separator}SLO: (.+?)${separator}burn: (.+?)${separator}budget: (.+?)(?= First: |$)`;
  const match = new RegExp(pattern).exec(description ?? '');
  return match ? { slo: match[1]!, burn: match[2]!, budget: match[3]! } : undefined;
}

/*
 * Log shipping: set by the `LogShipping` construct, read by the log shipper it deploys.
 */

/** The log shipper's metrics, by [service]. */
export const LOG_SHIPPER_METRIC = {
  shipped: 'LogsShipped',
  failed: 'LogsFailed',
  skipped: 'LogsSkipped',
  retries: 'LogShippingRetries',
} as const;

/** How the shipper signs its requests: SigV4 for an OpenSearch Service domain or Serverless collection, or an API key. */
export const LOG_SHIPPER_AUTHS = ['aws-es', 'aws-aoss', 'api-key'] as const;
export type LogShipperAuth = (typeof LOG_SHIPPER_AUTHS)[number];

export const LOG_SHIPPER_ENV = {
  /** Base URL of the search engine, `https://host[:port]`. */
  endpoint: 'LOOKOUT_LOGS_ENDPOINT',
  /** One of LOG_SHIPPER_AUTHS. */
  auth: 'LOOKOUT_LOGS_AUTH',
  /** Secrets Manager secret holding the API key (for `api-key`). */
  apiKeySecretArn: 'LOOKOUT_LOGS_API_KEY_SECRET_ARN',
  /** Indexes are `<prefix>-<service>-<yyyy.mm.dd>`; the index template covers `<prefix>-*`. */
  indexPrefix: 'LOOKOUT_LOGS_INDEX_PREFIX',
  /** SQS queue that receives what cannot be indexed, with the reason. */
  deadLetterQueueUrl: 'LOOKOUT_LOGS_DEAD_LETTER_QUEUE_URL',
} as const;

/** Index prefix when none is configured. */
export const DEFAULT_LOG_INDEX_PREFIX = 'lookout-logs';

/** What a new API-key secret holds until someone puts the real key in; the shipper says so. */
export const LOG_SHIPPER_API_KEY_PLACEHOLDER = 'REPLACE-WITH-API-KEY';
