/**
 * One instance per wrapped handler: the logger, the metric sink and the tracing backend, and what
 * happens at the start and end of each invocation. Every step is guarded: a failure inside
 * observability is reported once and never reaches the handler.
 */
import { Utility } from '@aws-lambda-powertools/commons';
import type { Context } from 'aws-lambda';
import type { ObservabilityOptions, ResolvedConfig } from './config.js';
import { resolveConfig } from './config.js';
import { runningQueries, takeWaitingClients } from './current.js';
import type { ClassifiedEvent } from './events.js';
import { classifyEvent, isObject, UNKNOWN_EVENT } from './events.js';
import type { Outcome } from './logging/accessLog.js';
import { logHttpAccess, logInvocationSummary } from './logging/accessLog.js';
import { extractCorrelationId, scopedCorrelationId } from './logging/correlation.js';
import type { LookoutLogger } from './logging/logger.js';
import { createLogger, loggableEvent } from './logging/logger.js';
import type { Redactor } from './logging/redact.js';
import { createRedactor } from './logging/redact.js';
import type { RuntimeSample } from './metrics/runtime.js';
import { round, startRuntimeSample } from './metrics/runtime.js';
import type { MetricGroup } from './metrics/sink.js';
import { MetricSink } from './metrics/sink.js';
/*
 * Metric, dimension and environment names below are written out and checked against the contract
 * by the compiler (`satisfies`): a lookup in the contract's tables would put those tables in every
 * user's bundle, and this file is on every invocation's path.
 */
import type { Dimension, EventMetric, HttpMetric, ProfilingEnv, RuntimeMetric } from './contract.js';
import { CORRELATION_HEADER, UNMATCHED_ROUTE } from './contract.js';
import type { AttachedProfiler, ProfileRun } from './profiling/plugin.js';
import { reportFailure } from './report.js';
import { createRouteResolver } from './routes.js';
import type { InvocationSpan, TracingBackend } from './tracing/backend.js';
import { noopSpan, offBackend } from './tracing/backend.js';
import type { TracingProvider } from './tracing/index.js';
import { loadTracingBackend } from './tracing/index.js';

/** Before the module's other declarations, so that bundlers inline it. */
const MAX_METRIC_GROUPS = 200;

export interface Invocation {
  startedAt: number;
  event: ClassifiedEvent;
  correlationId: string;
  coldStart: boolean;
  functionName: string;
  span: InvocationSpan;
  runtime: RuntimeSample | undefined;
  context: Context | undefined;
  profile: ProfileRun | undefined;
  /** Work `end` started that the invocation must wait for (a profile being written). */
  pending: Promise<void> | undefined;
}

/**
 * Powertools' cold-start rule (on-demand initialization only), decided once per container for every
 * wrapped handler: logs, metrics and traces all read this one verdict.
 */
class ColdStart extends Utility {
  /** True on the first call in this container, false afterwards. */
  take(): boolean {
    return this.getColdStart();
  }
}
const coldStarts = new ColdStart();

/** HTTP metrics are published by route and for the whole service. */
const SERVICE_ROLLUP = [[]];

export class Observability {
  readonly config: ResolvedConfig;
  readonly logger: LookoutLogger;
  readonly metrics: MetricSink;
  /** `off` until the chosen backend has loaded; see `ready`. */
  tracing: TracingBackend = offBackend;
  /** Settles once the tracing backend is loaded and the profiler connected (started at construction, during init). */
  readonly ready: Promise<void>;
  #loaded = false;
  /** Set from the start of `begin` to the end of `end`: every line in between carries it. */
  #correlationId: string | undefined;
  readonly #debugSampling: boolean;
  /** The library's own metric groups, by route, event source and function name. */
  readonly #metricGroups = new Map<string, MetricGroup>();
  readonly #redactor: Redactor;
  readonly #resolveRoute: ReturnType<typeof createRouteResolver>;
  readonly #profiler: AttachedProfiler | undefined;

  /** `tracing`: the backend of the entry point the handler was wrapped from. */
  constructor(options: ObservabilityOptions, tracing: TracingProvider) {
    this.config = resolveConfig(options, tracing.mode);
    this.#redactor = createRedactor(this.config.redact);
    this.logger = createLogger(this.config, this.#redactor, () => this.correlationId);
    this.#debugSampling = (this.config.debugSampleRate ?? 0) > 0;
    this.metrics = new MetricSink({
      enabled: this.config.metrics,
      namespace: this.config.namespace,
      serviceName: this.config.serviceName,
      maxDimensionValues: this.config.maxDimensionValues,
      warn: (message) => guard('metrics-warning', () => this.logger.warn(message)),
    });
    this.#resolveRoute = createRouteResolver(this.config.routes);
    const waits = [
      loadTracingBackend(this.config, tracing).then(
        (backend) => {
          this.tracing = backend;
          for (const client of takeWaitingClients())
            guard('tracing-capture-client', () => backend.captureAwsClient(client));
        },
        (error: unknown) => {
          reportFailure('tracing-init', error, 'ERROR');
          takeWaitingClients();
        },
      ),
    ];
    this.#profiler = attachProfiler(options, (message, fields) =>
      guard('profiling-log', () => this.logger.info(message, fields)),
    );
    if (this.#profiler) waits.push(this.#profiler.prepare());
    this.ready = Promise.all(waits).then(() => {
      this.#loaded = true;
    });
  }

  /** The correlation id of the running invocation, or of the record `withRecord` runs for. */
  get correlationId(): string | undefined {
    return scopedCorrelationId() ?? this.#correlationId;
  }

  /** True once `ready` has settled: callers skip the await on the hot path. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Called before the handler. Never throws. */
  begin(rawEvent: unknown, context: Context | undefined): Invocation {
    const startedAt = performance.now();
    const isColdStart = coldStarts.take();
    const event = guard('classify', () => classifyEvent(rawEvent)) ?? UNKNOWN_EVENT;
    const correlationId =
      guard('correlation-id', () => extractCorrelationId(rawEvent, event, context?.awsRequestId)) ??
      context?.awsRequestId ??
      'unknown';

    this.#correlationId = correlationId;
    guard('logger-begin', () => {
      this.logger.startInvocation(this.#debugSampling, isColdStart);
      if (context) this.logger.addContext(context);
      if (this.logger.shouldLogEvent(this.config.logEvent)) {
        this.logger.info('Lambda invocation event', {
          event: loggableEvent(rawEvent, this.#redactor, this.config.maxEventBytes),
        });
      }
    });

    const span =
      guard('tracing-begin', () =>
        this.tracing.startInvocation({
          annotations: {
            service: this.config.serviceName,
            cold_start: isColdStart,
            correlation_id: correlationId,
            ...(event.kind === 'http' ? { method: event.method } : { event_source: event.source }),
          },
          event: rawEvent,
          classified: event,
          invocationId: context?.awsRequestId,
        }),
      ) ?? noopSpan;

    const runtime = this.config.runtimeMetrics
      ? guard('runtime-begin', () => startRuntimeSample(this.config.functionMemoryMb))
      : undefined;

    const functionName = context?.functionName ?? this.config.functionName;
    // Last, so that a profile covers the handler rather than this.
    const profile = this.#profiler ? guard('profiling-begin', () => this.#profiler!.begin()) : undefined;
    const invocation: Invocation = {
      startedAt,
      event,
      correlationId,
      coldStart: isColdStart,
      functionName,
      span,
      runtime,
      context,
      profile,
      pending: undefined,
    };
    return invocation;
  }

  /**
   * Called after the handler, with its response or its error. Returns the response to send: the
   * same one, or for HTTP a copy that echoes the correlation id. Never throws.
   */
  end(invocation: Invocation, response: unknown, error: unknown): unknown {
    if (this.#profiler && invocation.profile) {
      const run = invocation.profile;
      invocation.pending = guard('profiling-end', () =>
        this.#profiler!.end(run, {
          functionName: invocation.functionName,
          requestId: invocation.context?.awsRequestId ?? invocation.correlationId,
          correlationId: invocation.correlationId,
          remainingMs: remainingMs(invocation.context),
        }),
      );
    }
    let result = response;
    const latencyMs = round(performance.now() - invocation.startedAt);
    const failed = error !== undefined;
    if (failed && isTimeout(error)) {
      // Calls still running would otherwise record nothing, and a hanging dependency look healthy.
      guard('timeout', () => {
        for (const record of runningQueries) record();
        this.logger.appendKeys({ timed_out: true });
      });
    }
    const { event } = invocation;

    if (event.kind === 'http') {
      const route = guard('route', () => this.#resolveRoute(event)) ?? UNMATCHED_ROUTE;
      // What the caller receives when the function throws or times out. HTTP API: 500 (API Gateway
      // Developer Guide, "Troubleshooting issues with HTTP API Lambda integrations"). REST API: 502,
      // "if the function runs but returns an error" (Lambda Developer Guide, "Handling Lambda errors
      // with an API Gateway API"). Function URLs and ALB: 502 Bad Gateway, their answer to a Lambda
      // response they cannot use (no AWS page we found states the function-error case outright).
      const status = failed ? (event.source === 'apigw-http' ? 500 : 502) : statusOf(response);
      if (!failed) {
        result =
          guard('echo-correlation-id', () => withCorrelationHeader(response, invocation.correlationId)) ??
          response;
      }
      if (this.config.accessLog) {
        guard('access-log', () =>
          logHttpAccess(this.logger, this.#redactor, event, { route, status, latencyMs, error }),
        );
      }
      guard('metrics-record', () => {
        const dimensions = { route } satisfies Partial<Record<Dimension, string>>;
        const group = this.#metricGroup(`route:${route}`, dimensions, SERVICE_ROLLUP);
        group.add('Requests' satisfies HttpMetric, 'Count', 1);
        group.add('Latency' satisfies HttpMetric, 'Milliseconds', latencyMs);
        group.add('Errors' satisfies HttpMetric, 'Count', status >= 500 ? 1 : 0);
        group.add('ClientErrors' satisfies HttpMetric, 'Count', status >= 400 && status < 500 ? 1 : 0);
      });
      guard('tracing-end', () => invocation.span.annotate({ route, status }));
    } else {
      const failedRecords = failed ? 0 : batchFailures(response);
      const outcome: Outcome = failed ? 'error' : failedRecords > 0 ? 'partial_failure' : 'success';
      if (this.config.accessLog) {
        guard('summary-log', () =>
          logInvocationSummary(this.logger, event, { outcome, failedRecords, latencyMs, error }),
        );
      }
      guard('metrics-record', () => {
        const dimensions = { event_source: event.source } satisfies Partial<Record<Dimension, string>>;
        const group = this.#metricGroup(`source:${event.source}`, dimensions);
        group.add('Invocations' satisfies EventMetric, 'Count', 1);
        group.add('Errors' satisfies EventMetric, 'Count', failed ? 1 : 0);
        group.add('Latency' satisfies EventMetric, 'Milliseconds', latencyMs);
      });
      guard('tracing-end', () => invocation.span.annotate({ outcome }));
    }

    guard('runtime-metrics', () => this.#recordRuntime(invocation));
    guard('tracing-end', () => invocation.span.end(error));
    guard('metrics-flush', () => this.metrics.flush());
    guard('logger-end', () => {
      if (!failed) this.logger.clearBuffer();
      this.logger.endInvocation();
    });
    this.#correlationId = undefined;
    return result;
  }

  /**
   * What the invocation must wait for before it returns, once `end` has run: buffered spans
   * (OpenTelemetry) and a profile being written. Undefined, not a promise, when there is nothing.
   */
  settle(invocation: Invocation): Promise<void> | undefined {
    const flush = this.tracing.flush?.(remainingMs(invocation.context) - 50);
    const { pending } = invocation;
    if (!flush) return pending;
    if (!pending) return flush;
    return Promise.all([flush, pending]).then(() => undefined);
  }

  #recordRuntime(invocation: Invocation): void {
    const dimensions = { function_name: invocation.functionName } satisfies Partial<
      Record<Dimension, string>
    >;
    const group = this.#metricGroup(`function:${invocation.functionName}`, dimensions);
    if (invocation.coldStart) group.add('ColdStart' satisfies RuntimeMetric, 'Count', 1);
    if (!invocation.runtime) return;
    const figures = invocation.runtime.finish();
    group.add('HeapUsed' satisfies RuntimeMetric, 'Megabytes', figures.heapUsedMb);
    group.add('Rss' satisfies RuntimeMetric, 'Megabytes', figures.rssMb);
    if (figures.memoryUtilization !== undefined) {
      group.add('MemoryUtilization' satisfies RuntimeMetric, 'Percent', figures.memoryUtilization);
    }
    group.add('EventLoopUtilization' satisfies RuntimeMetric, 'Percent', figures.eventLoopUtilization);
  }

  #metricGroup(key: string, dimensions: Record<string, string>, rollups?: string[][]): MetricGroup {
    let group = this.#metricGroups.get(key);
    if (!group) {
      // Routes come from API definitions and raw paths never get here, but stay bounded anyway.
      if (this.#metricGroups.size >= MAX_METRIC_GROUPS) this.#metricGroups.clear();
      group = this.metrics.group(dimensions, rollups);
      this.#metricGroups.set(key, group);
    }
    return group;
  }
}

/** The handler's profiler, attached; undefined when there is none or its settings are unusable. */
function attachProfiler(
  options: ObservabilityOptions,
  log: (message: string, fields: Record<string, unknown>) => void,
): AttachedProfiler | undefined {
  if (options.profiler) return guard('profiling-config', () => options.profiler!.attach(log));
  const env = process.env;
  if (
    env['LOOKOUT_PROFILE_SAMPLE_RATE' satisfies ProfilingEnv] ||
    env['LOOKOUT_PROFILE_SLOWER_THAN_MS' satisfies ProfilingEnv]
  ) {
    reportFailure(
      'profiling-config',
      new Error('LOOKOUT_PROFILE_* needs cpuProfiler() from lookout/profiling'),
    );
  }
  return undefined;
}

/** Runs `fn`; a throw is reported once per step and turned into `undefined`. */
export function guard<T>(step: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    reportFailure(step, error);
    return undefined;
  }
}

/** Milliseconds before the Lambda timeout, or 2 s when the context cannot tell. */
function remainingMs(context: Context | undefined): number {
  const remaining =
    typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 2000;
  return Math.max(0, remaining);
}

/**
 * Middy's early timeout (`timeoutEarlyInMillis`): its error names @middy/core as its cause, unlike
 * any other error that happens to be called TimeoutError (the AWS SDK's, for one).
 */
const isTimeout = (error: unknown): boolean =>
  (error as { cause?: { package?: unknown } } | null)?.cause?.package === '@middy/core';

function statusOf(response: unknown): number {
  if (isObject(response) && typeof response.statusCode === 'number') return response.statusCode;
  return 200;
}

function withCorrelationHeader(response: unknown, correlationId: string): unknown {
  if (!isObject(response) || typeof response.statusCode !== 'number') return response;
  if (isObject(response.multiValueHeaders) && !isObject(response.headers)) {
    return {
      ...response,
      multiValueHeaders: { ...response.multiValueHeaders, [CORRELATION_HEADER]: [correlationId] },
    };
  }
  const headers = isObject(response.headers) ? response.headers : {};
  if (Object.keys(headers).some((name) => name.toLowerCase() === CORRELATION_HEADER)) return response;
  return { ...response, headers: { ...headers, [CORRELATION_HEADER]: correlationId } };
}

function batchFailures(response: unknown): number {
  return isObject(response) && Array.isArray(response.batchItemFailures)
    ? response.batchItemFailures.length
    : 0;
}
