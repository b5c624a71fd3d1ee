/**
 * Options of `withObservability` / `observability`, and the one place where they fall back to
 * Powertools' environment variables and then to defaults.
 */
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { reportFailure } from './report.js';

export type TracingMode = 'xray' | 'otel' | 'off';

export interface RedactionOptions {
  /**
   * Extra key fragments treated as secrets (case and punctuation are ignored, so `apiKey`,
   * `api_key` and `API-KEY` are one key). A value under a matching key becomes `[REDACTED]`.
   */
  keys?: string[];
  /** When true, `keys` replaces the default list instead of extending it. @default false */
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

export interface ProfilingOptions {
  /**
   * Share of invocations (0..1) profiled from start to end. Falls back to
   * `LOOKOUT_PROFILE_SAMPLE_RATE`. @default 0
   */
  sampleRate?: number;
  /**
   * Invocations still running after this many milliseconds are profiled from then until they end
   * (a timer starts the profiler, so faster invocations pay for the timer only). Falls back to
   * `LOOKOUT_PROFILE_SLOWER_THAN_MS`. @default no threshold
   */
  slowerThanMs?: number;
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
   * Tracing backend: `xray` (Powertools Tracer), `otel` (OpenTelemetry over OTLP/HTTP, configured
   * by the standard `OTEL_*` variables) or `off`. Only the chosen backend's code is loaded. Falls
   * back to `LOOKOUT_TRACING`, then `POWERTOOLS_TRACE_ENABLED` (`false` means `off`), then `xray`.
   * X-Ray only records inside Lambda with active tracing; elsewhere it costs nothing.
   */
  tracing?: TracingMode;
  /**
   * Record outgoing HTTP requests (URL included) as trace subsegments. Turn off when URLs carry
   * secrets, such as webhook URLs. Powertools Tracer also reads `POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS`
   * (`false` turns it off). @default true
   */
  captureHttpRequests?: boolean;
  /**
   * Sampled CPU profiles (`.cpuprofile`, opens in Chrome DevTools) of sampled or slow invocations,
   * written to S3 (`LOOKOUT_PROFILE_BUCKET`, under `LOOKOUT_PROFILE_PREFIX`, default `profiles/`)
   * or, locally, to a folder (`LOOKOUT_PROFILE_DIR`, which wins when both are set). Off unless a
   * sample rate or a threshold is set and there is somewhere to write.
   */
  profiling?: ProfilingOptions;
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
  /** Undefined: Powertools Tracer reads the environment. */
  captureHttpRequests: boolean | undefined;
  functionName: string;
  functionMemoryMb: number | undefined;
  /** Undefined when off. */
  profiling: ResolvedProfiling | undefined;
}

export interface ResolvedProfiling {
  sampleRate: number;
  slowerThanMs: number | undefined;
  destination: { kind: 's3'; bucket: string; prefix: string } | { kind: 'directory'; path: string };
}

export const DEFAULT_PROFILE_PREFIX = 'profiles/';

export const DEFAULT_NAMESPACE = 'Lookout';
export const DEFAULT_SERVICE_NAME = 'service_undefined';

const env = (key: string): string | undefined => {
  const value = process.env[key]?.trim();
  return value ? value : undefined;
};

const envBoolean = (key: string): boolean | undefined => {
  const value = env(key)?.toLowerCase();
  if (value === undefined) return undefined;
  return ['1', 'true', 'yes', 'on'].includes(value);
};

const envNumber = (key: string): number | undefined => {
  const value = env(key);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
};

function tracingFromEnv(): TracingMode | undefined {
  const value = env('LOOKOUT_TRACING')?.toLowerCase();
  return value === 'xray' || value === 'otel' || value === 'off' ? value : undefined;
}

export function resolveConfig(options: ObservabilityOptions = {}): ResolvedConfig {
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
    tracing: options.tracing ?? tracingFromEnv() ?? (traceEnabled === false ? 'off' : 'xray'),
    captureHttpRequests: options.captureHttpRequests,
    functionName: env('AWS_LAMBDA_FUNCTION_NAME') ?? 'unknown',
    functionMemoryMb: envNumber('AWS_LAMBDA_FUNCTION_MEMORY_SIZE'),
    // LOOKOUT_BUNDLE_PROFILING is replaced at bundle time (lib/cdk/bundling.ts): a bundle built
    // without profiling carries none of its code.
    profiling:
      process.env.LOOKOUT_BUNDLE_PROFILING === 'false'
        ? profilingNotBundled(options.profiling)
        : profilingOrReport(options.profiling),
  };
}

function profilingOrReport(options: ProfilingOptions | undefined): ResolvedProfiling | undefined {
  try {
    return resolveProfiling(options);
  } catch (error) {
    reportFailure('profiling-config', error);
    return undefined;
  }
}

/** The profiling asked for, by option or environment, before any check. */
function requestedProfiling(options: ProfilingOptions = {}) {
  return {
    sampleRate: options.sampleRate ?? envNumber('LOOKOUT_PROFILE_SAMPLE_RATE') ?? 0,
    slowerThanMs: options.slowerThanMs ?? envNumber('LOOKOUT_PROFILE_SLOWER_THAN_MS'),
  };
}

function profilingNotBundled(options: ProfilingOptions | undefined): undefined {
  const { sampleRate, slowerThanMs } = requestedProfiling(options);
  if (sampleRate > 0 || slowerThanMs !== undefined) {
    reportFailure(
      'profiling-config',
      new Error('profiling was asked for, but this bundle was built without it (ObservedFunction profiling)'),
    );
  }
  return undefined;
}

/** Thrown for a profiling setting that cannot be used; the library reports it and leaves profiling off. */
export class ProfilingConfigError extends Error {
  override name = 'ProfilingConfigError';
}

/**
 * Profiling settings, or undefined when profiling is off. Throws a ProfilingConfigError when a
 * setting is unusable (a rate outside 0..1, a negative threshold, profiles with nowhere to go).
 */
export function resolveProfiling(options: ProfilingOptions = {}): ResolvedProfiling | undefined {
  const { sampleRate, slowerThanMs } = requestedProfiling(options);
  if (!(sampleRate >= 0 && sampleRate <= 1)) {
    throw new ProfilingConfigError(`profiling sampleRate must be between 0 and 1, got ${sampleRate}`);
  }
  if (slowerThanMs !== undefined && !(slowerThanMs >= 0 && Number.isFinite(slowerThanMs))) {
    throw new ProfilingConfigError(`profiling slowerThanMs must be 0 or more, got ${slowerThanMs}`);
  }
  if (sampleRate === 0 && slowerThanMs === undefined) return undefined;
  const directory = env('LOOKOUT_PROFILE_DIR');
  const bucket = env('LOOKOUT_PROFILE_BUCKET');
  if (directory) return { sampleRate, slowerThanMs, destination: { kind: 'directory', path: directory } };
  if (bucket) {
    const prefix = env('LOOKOUT_PROFILE_PREFIX') ?? DEFAULT_PROFILE_PREFIX;
    return { sampleRate, slowerThanMs, destination: { kind: 's3', bucket, prefix } };
  }
  throw new ProfilingConfigError(
    'profiling is on but has nowhere to write: set LOOKOUT_PROFILE_BUCKET (ObservedFunction profiling) or LOOKOUT_PROFILE_DIR',
  );
}
