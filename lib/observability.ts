/**
 * One instance per wrapped handler: the logger, the metric sink and the tracing backend, and what
 * happens at the start and end of each invocation. Every step is guarded: a failure inside
 * observability is reported once and never reaches the handler.
 */
import { performance } from 'node:perf_hooks';
import { Utility } from '@aws-lambda-powertools/commons';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { ObservabilityOptions, ResolvedConfig } from './config.js';
import { resolveConfig } from './config.js';
import { takeWaitingClients } from './current.js';
import type { ClassifiedEvent } from './events.js';
import { classifyEvent, isObject } from './events.js';
import type { Outcome } from './logging/accessLog.js';
import { logHttpAccess, logInvocationSummary } from './logging/accessLog.js';
import { CORRELATION_HEADER, extractCorrelationId } from './logging/correlation.js';
import { createLogger, loggableEvent } from './logging/logger.js';
import type { Redactor } from './logging/redact.js';
import { createRedactor } from './logging/redact.js';
import type { RuntimeSample } from './metrics/runtime.js';
import { startRuntimeSample } from './metrics/runtime.js';
import { MetricSink } from './metrics/sink.js';
import { reportFailure } from './report.js';
import { createRouteResolver } from './routes.js';
import type { InvocationSpan, InvocationStart, TracingBackend } from './tracing/backend.js';
import { noopSpan, offBackend } from './tracing/backend.js';
import { loadTracingBackend } from './tracing/index.js';
import { extractIncomingContext } from './tracing/propagation.js';

export interface Invocation {
  startedAt: number;
  event: ClassifiedEvent;
  correlationId: string;
  coldStart: boolean;
  functionName: string;
  span: InvocationSpan;
  runtime: RuntimeSample | undefined;
}

/** Powertools' cold-start rule (on-demand initialization only), so logs, metrics and traces agree. */
class ColdStart extends Utility {
  /** True on the first call in this container, false afterwards. */
  take(): boolean {
    return this.getColdStart();
  }
}
const coldStarts = new ColdStart();

export class Observability {
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  readonly metrics: MetricSink;
  /** `off` until the chosen backend has loaded; see `ready`. */
  tracing: TracingBackend = offBackend;
  /** Settles once the tracing backend is loaded (started at construction, during init). */
  readonly ready: Promise<void>;
  #loaded = false;
  #current: Invocation | undefined;
  readonly #redactor: Redactor;
  readonly #resolveRoute: ReturnType<typeof createRouteResolver>;

  constructor(options: ObservabilityOptions = {}) {
    this.config = resolveConfig(options);
    this.#redactor = createRedactor(this.config.redact);
    this.logger = createLogger(this.config, this.#redactor);
    this.metrics = new MetricSink({
      enabled: this.config.metrics,
      namespace: this.config.namespace,
      serviceName: this.config.serviceName,
      maxDimensionValues: this.config.maxDimensionValues,
      warn: (message) => guard('metrics-warning', () => this.logger.warn(message)),
    });
    this.#resolveRoute = createRouteResolver(this.config.routes);
    this.ready = loadTracingBackend(this.config).then(
      (backend) => {
        this.tracing = backend;
        this.#loaded = true;
        for (const client of takeWaitingClients())
          guard('tracing-capture-client', () => backend.captureAwsClient(client));
      },
      (error: unknown) => {
        reportFailure('tracing-init', error);
        this.#loaded = true;
        takeWaitingClients();
      },
    );
  }

  /** The correlation id of the running invocation. */
  get correlationId(): string | undefined {
    return this.#current?.correlationId;
  }

  /** True once `ready` has settled: callers skip the await on the hot path. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Called before the handler. Never throws. */
  begin(rawEvent: unknown, context: Context | undefined): Invocation {
    const startedAt = performance.now();
    const isColdStart = coldStarts.take();
    const event = guard('classify', () => classifyEvent(rawEvent)) ?? {
      kind: 'event' as const,
      source: 'unknown' as const,
      recordCount: 0,
    };
    const correlationId =
      guard('correlation-id', () => extractCorrelationId(rawEvent, event, context?.awsRequestId)) ??
      context?.awsRequestId ??
      'unknown';

    guard('logger-begin', () => {
      this.logger.refreshSampleRateCalculation();
      if (context) this.logger.addContext(context);
      this.logger.appendKeys({ correlation_id: correlationId });
      if (this.config.logEvent) {
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
          parent: this.tracing.name === 'otel' ? extractIncomingContext(rawEvent, event) : undefined,
          invocationId: context?.awsRequestId,
          trigger: triggerOf(event),
        }),
      ) ?? noopSpan;

    const runtime = this.config.runtimeMetrics
      ? guard('runtime-begin', () => startRuntimeSample(this.config.functionMemoryMb))
      : undefined;

    const functionName =
      process.env.AWS_LAMBDA_FUNCTION_NAME ?? context?.functionName ?? this.config.functionName;
    const invocation = {
      startedAt,
      event,
      correlationId,
      coldStart: isColdStart,
      functionName,
      span,
      runtime,
    };
    this.#current = invocation;
    return invocation;
  }

  /**
   * Called after the handler, with its response or its error. Returns the response to send: the
   * same one, or for HTTP a copy that echoes the correlation id. Never throws.
   */
  end(invocation: Invocation, response: unknown, error: unknown): unknown {
    this.#current = undefined;
    let result = response;
    const latencyMs = Math.round((performance.now() - invocation.startedAt) * 100) / 100;
    const failed = error !== undefined;
    const { event } = invocation;

    if (event.kind === 'http') {
      const route = guard('route', () => this.#resolveRoute(event)) ?? 'other';
      const status = failed ? (isTimeout(error) ? 504 : 500) : statusOf(response);
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
        const dims = { route };
        const rollup = [[]];
        this.metrics.add('Requests', 'Count', 1, dims, rollup);
        this.metrics.add('Latency', 'Milliseconds', latencyMs, dims, rollup);
        this.metrics.add('Errors', 'Count', status >= 500 ? 1 : 0, dims, rollup);
        this.metrics.add('ClientErrors', 'Count', status >= 400 && status < 500 ? 1 : 0, dims, rollup);
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
        const dims = { event_source: event.source };
        this.metrics.add('Invocations', 'Count', 1, dims);
        this.metrics.add('Errors', 'Count', failed ? 1 : 0, dims);
        this.metrics.add('Latency', 'Milliseconds', latencyMs, dims);
      });
      guard('tracing-end', () => invocation.span.annotate({ outcome }));
    }

    guard('runtime-metrics', () => this.#recordRuntime(invocation));
    guard('tracing-end', () => invocation.span.end(error));
    guard('metrics-flush', () => this.metrics.flush());
    guard('logger-end', () => {
      if (!failed) this.logger.clearBuffer();
      this.logger.resetKeys();
    });
    return result;
  }

  #recordRuntime(invocation: Invocation): void {
    const dims = { function_name: invocation.functionName };
    if (invocation.coldStart) this.metrics.add('ColdStart', 'Count', 1, dims);
    if (!invocation.runtime) return;
    const figures = invocation.runtime.finish();
    this.metrics.add('HeapUsed', 'Megabytes', figures.heapUsedMb, dims);
    this.metrics.add('Rss', 'Megabytes', figures.rssMb, dims);
    if (figures.memoryUtilization !== undefined) {
      this.metrics.add('MemoryUtilization', 'Percent', figures.memoryUtilization, dims);
    }
    this.metrics.add('EventLoopUtilization', 'Percent', figures.eventLoopUtilization, dims);
  }
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

function triggerOf(event: ClassifiedEvent): InvocationStart['trigger'] {
  if (event.kind === 'http') return 'http';
  if (event.source === 'sqs' || event.source === 'sns' || event.source === 'eventbridge') return 'pubsub';
  if (event.source === 'schedule') return 'timer';
  if (event.source === 's3' || event.source === 'dynamodb' || event.source === 'kinesis') return 'datasource';
  return 'other';
}

const isTimeout = (error: unknown): boolean => error instanceof Error && error.name === 'TimeoutError';

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
