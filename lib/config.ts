/**
 * Options of `withObservability` / `observability`, and the one place where they fall back to
 * Powertools' environment variables and then to defaults.
 */
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import type { TracingMode } from './contract.js';
import { DEFAULT_NAMESPACE, DEFAULT_SERVICE_NAME, TRACING_ENV } from './contract.js';
import type { InvocationProfiler } from './profiling/plugin.js';

export type { TracingMode };

export interface RedactionOptions {
  /**
   * Extra key fragments treated as secrets (case and punctuation are ignored, so `apiKey`,
   * `api_key` and `API-KEY` are one key). A value under a matching key becomes `[REDACTED]`.
   */
  keys?: string[];
  /**
   * Extra secret words, matched only as a whole word of a name (words split at separators and
   * camelCase), so that short ones do not match inside others: `pin` redacts `pin` and `cardPin`,
   * not `shipping`.
   */
  words?: string[];
  /**
   * When true, `keys` and `words` replace the defaults (`DEFAULT_SECRET_KEYS`,
   * `DEFAULT_SECRET_WORDS`, and `code` and `key` in query and form parameters) instead of extending
   * them. @default false
   */
  replaceDefaults?: boolean;
}

export interface LogBufferOptions {
  /** Buffer lower-level lines and write them only if the invocation logs an error or fails. */
  enabled?: boolean;
  /** Buffer size per invocation, in bytes. @default 20480 */
  maxBytes?: number;
  /** Lines at this level and below are buffered. @default 'DEBUG' */
  bufferAtVerbosity?: 'DEBUG' | 'INFO' | 'WARN';
}

export interface ObservabilityOptions {
  /** Service name on every log line, metric and trace. Falls back to `POWERTOOLS_SERVICE_NAME`. */
  serviceName?: string;
  /** CloudWatch metrics namespace. Falls back to `POWERTOOLS_METRICS_NAMESPACE`, then `Lookout`. */
  namespace?: string;
  /**
   * Log level. Falls back as Powertools Logger does: to `POWERTOOLS_LOG_LEVEL` (or `LOG_LEVEL`), then
   * `INFO`; Lambda's log-level control (`AWS_LAMBDA_LOG_LEVEL`), when set, takes precedence.
   */
  logLevel?: LogLevel;
  /** Share of invocations (0..1) logged at DEBUG. Falls back to `POWERTOOLS_LOGGER_SAMPLE_RATE`. */
  debugSampleRate?: number;
  /** Log buffering, as Powertools offers it; flushed when an error is logged or the handler fails. */
  logBuffer?: LogBufferOptions;
  /**
   * Log each incoming event (redacted, truncated). Falls back to `POWERTOOLS_LOGGER_LOG_EVENT`, read
   * by Powertools Logger. @default false
   */
  logEvent?: boolean;
  /** Largest logged event, in bytes of JSON; larger ones are truncated. @default 8192 */
  maxEventBytes?: number;
  /** One access-log line per HTTP invocation and a summary line per other invocation. @default true */
  accessLog?: boolean;
  /** What counts as a secret in logged objects and query strings. */
  redact?: RedactionOptions;
  /**
   * Route templates such as `GET /orders/{id}`, matched against raw paths when the event carries no
   * template (ALB, Function URLs, `$default` routes). Paths that match none are counted as `other`.
   */
  routes?: string[];
  /** Emit metrics. Falls back to `POWERTOOLS_METRICS_DISABLED`. @default true */
  metrics?: boolean;
  /** Runtime figures (heap, RSS, memory utilization, event-loop utilization) per invocation. @default true */
  runtimeMetrics?: boolean;
  /** Distinct values kept per dimension per container; later ones become `other`. @default 50 */
  maxDimensionValues?: number;
  /**
   * Tracing: on with the backend of the entry point the handler was wrapped from (`lookout`:
   * X-Ray; `lookout/otel`: OpenTelemetry over OTLP/HTTP, configured by
   * the standard `OTEL_*` variables), or `off`. Asking one entry point for the other's backend is
   * reported at init and leaves tracing off. Falls back to `LOOKOUT_TRACING`, then
   * `POWERTOOLS_TRACE_ENABLED` (`false` means `off`), then the entry point's backend. X-Ray only
   * records inside Lambda with active tracing; elsewhere it costs nothing.
   */
  tracing?: TracingMode;
  /**
   * `lookout/otel` only: how long an invocation waits, at most, for its spans to be exported (never
   * past the Lambda timeout). An export that fails or takes longer marks the collector down: spans
   * are then dropped, at no cost to invocations, and the collector tried again after a backoff
   * (1 s, doubling up to 60 s). Falls back to `LOOKOUT_OTEL_EXPORT_BUDGET_MS`. @default 50
   */
  otelExportBudgetMs?: number;
  /**
   * Record outgoing HTTP requests (`http`, `https` and `fetch`; the URL without its query) as trace
   * subsegments. Turn off when URLs carry secrets, such as webhook URLs. Falls back to
   * `POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS` (`false` turns it off). @default true
   */
  captureHttpRequests?: boolean;
  /**
   * Sampled CPU profiles of sampled or slow invocations: `cpuProfiler()` from `lookout/profiling`
   * (kept out of this entry point, so that handlers without it do not carry its code).
   * @default no profiling
   */
  profiler?: InvocationProfiler;
  /**
   * `withObservability` only: how long before the Lambda timeout the invocation is ended as a
   * timeout, so that its logs and metrics are still written. @default 100
   */
  timeoutMarginMs?: number;
}

export interface ResolvedConfig {
  serviceName: string;
  namespace: string;
  /** Undefined: Powertools Logger reads the environment. */
  logLevel: LogLevel | undefined;
  debugSampleRate: number | undefined;
  logBuffer: LogBufferOptions | undefined;
  /** Undefined: Powertools Logger reads the environment. */
  logEvent: boolean | undefined;
  maxEventBytes: number;
  accessLog: boolean;
  redact: RedactionOptions;
  routes: string[];
  metrics: boolean;
  runtimeMetrics: boolean;
  maxDimensionValues: number;
  tracing: TracingMode;
  captureHttpRequests: boolean;
  functionName: string;
  functionMemoryMb: number | undefined;
}

export const env = (key: string): string | undefined => {
  const value = process.env[key]?.trim();
  return value ? value : undefined;
};

const envBoolean = (key: string): boolean | undefined => {
  const value = env(key)?.toLowerCase();
  if (value === undefined) return undefined;
  return ['1', 'true', 'yes', 'on'].includes(value);
};

export const envNumber = (key: string): number | undefined => {
  const value = env(key);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
};

function tracingFromEnv(): TracingMode | undefined {
  const value = env(TRACING_ENV)?.toLowerCase();
  return value === 'xray' || value === 'otel' || value === 'off' ? value : undefined;
}

/** `backend`: the tracing backend of the entry point the handler was wrapped from. */
export function resolveConfig(options: ObservabilityOptions, backend: TracingMode): ResolvedConfig {
  const traceEnabled = envBoolean('POWERTOOLS_TRACE_ENABLED');
  return {
    serviceName: options.serviceName ?? env('POWERTOOLS_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME,
    namespace: options.namespace ?? env('POWERTOOLS_METRICS_NAMESPACE') ?? DEFAULT_NAMESPACE,
    logLevel: options.logLevel,
    debugSampleRate: options.debugSampleRate ?? envNumber('POWERTOOLS_LOGGER_SAMPLE_RATE'),
    logBuffer: options.logBuffer,
    logEvent: options.logEvent,
    maxEventBytes: options.maxEventBytes ?? 8192,
    accessLog: options.accessLog ?? true,
    redact: options.redact ?? {},
    routes: options.routes ?? [],
    metrics: options.metrics ?? !(envBoolean('POWERTOOLS_METRICS_DISABLED') ?? false),
    runtimeMetrics: options.runtimeMetrics ?? true,
    maxDimensionValues: options.maxDimensionValues ?? 50,
    tracing: options.tracing ?? tracingFromEnv() ?? (traceEnabled === false ? 'off' : backend),
    captureHttpRequests:
      options.captureHttpRequests ?? envBoolean('POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS') ?? true,
    functionName: env('AWS_LAMBDA_FUNCTION_NAME') ?? 'unknown',
    functionMemoryMb: envNumber('AWS_LAMBDA_FUNCTION_MEMORY_SIZE'),
  };
}
