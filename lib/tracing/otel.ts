/**
 * OpenTelemetry: a tracer provider with Lambda resource attributes and X-Ray-compatible ids,
 * spans exported over OTLP/HTTP (configured by the standard `OTEL_*` variables) and flushed before
 * each invocation returns. A handler span per invocation, child spans for `traced()`,
 * `timeDbQuery` and AWS SDK calls, errors recorded with status.
 */
import { randomBytes } from 'node:crypto';
import type { Attributes, Context as OtelContext, Span, Tracer } from '@opentelemetry/api';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ResolvedConfig } from '../config.js';
import { envNumber } from '../config.js';
import { OTEL_EXPORT_BUDGET_ENV } from '../contract.js';
import type { ClassifiedEvent } from '../events.js';
import { getLogger } from '../helpers.js';
import { reportFailure } from '../report.js';
import type { Annotations, InvocationSpan, InvocationStart, TracingBackend } from './backend.js';
import { asError } from './backend.js';
import type { TraceContext } from './context.js';
import type { TracingProvider } from './index.js';
import { GuardedExporter } from './otel-export.js';
import { extractIncomingContext, lambdaTraceContext } from './propagation.js';

/** What an invocation waits for its spans to be exported, at most, when the collector answers. */
const DEFAULT_EXPORT_BUDGET_MS = 50;

/**
 * Trace ids X-Ray accepts: the first 8 hex digits are the start time in epoch seconds. Written here
 * rather than taken from @opentelemetry/id-generator-aws-xray, whose dependency on an older SDK
 * conflicts with the current @opentelemetry/api.
 */
const xrayIdGenerator = {
  generateTraceId: (): string =>
    Math.floor(Date.now() / 1000)
      .toString(16)
      .padStart(8, '0') + randomBytes(12).toString('hex'),
  generateSpanId: (): string => randomBytes(8).toString('hex'),
};

/** The backend of the `lookout/otel` entry point; `exportBudgetMs` from the handler's options. */
export const otelTracing = (exportBudgetMs?: number): TracingProvider => ({
  mode: 'otel',
  create: (config) => createOtelBackend(config, exportBudgetMs),
});

interface SdkClient {
  middlewareStack?: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: Record<string, unknown>,
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

/** OpenTelemetry's `faas.trigger` for an event. */
function triggerOf(event: ClassifiedEvent): 'http' | 'pubsub' | 'datasource' | 'timer' | 'other' {
  if (event.kind === 'http') return 'http';
  if (event.source === 'sqs' || event.source === 'sns' || event.source === 'eventbridge') return 'pubsub';
  if (event.source === 'schedule') return 'timer';
  if (event.source === 's3' || event.source === 'dynamodb' || event.source === 'kinesis') return 'datasource';
  return 'other';
}

export function createOtelBackend(
  config: ResolvedConfig,
  exportBudgetMs = envNumber(OTEL_EXPORT_BUDGET_ENV) ?? DEFAULT_EXPORT_BUDGET_MS,
): TracingBackend {
  const env = process.env;
  const resource = resourceFromAttributes({
    'service.name': config.serviceName,
    ...(env.AWS_LAMBDA_FUNCTION_VERSION ? { 'service.version': env.AWS_LAMBDA_FUNCTION_VERSION } : {}),
    'cloud.provider': 'aws',
    'cloud.platform': 'aws_lambda',
    ...(env.AWS_REGION ? { 'cloud.region': env.AWS_REGION } : {}),
    'faas.name': config.functionName,
    ...(env.AWS_LAMBDA_FUNCTION_VERSION ? { 'faas.version': env.AWS_LAMBDA_FUNCTION_VERSION } : {}),
    ...(env.AWS_LAMBDA_LOG_STREAM_NAME ? { 'faas.instance': env.AWS_LAMBDA_LOG_STREAM_NAME } : {}),
    ...(config.functionMemoryMb ? { 'faas.max_memory': config.functionMemoryMb * 1024 * 1024 } : {}),
  })
    // OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME still win, as the specification says.
    .merge(detectResources({ detectors: [envDetector] }));

  const exporter = new GuardedExporter(new OTLPTraceExporter(), getLogger);
  const provider = new TracerProvider({
    resource,
    idGenerator: xrayIdGenerator,
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  const flushed = provider.forceFlush.bind(provider);
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  const tracer: Tracer = provider.getTracer('lookout');

  /** The invocation's context: parent of spans started outside any other span. */
  let invocationContext: OtelContext = ROOT_CONTEXT;

  const baseContext = (): OtelContext =>
    trace.getSpan(context.active()) ? context.active() : invocationContext;

  const remoteParent = (parent: TraceContext): OtelContext =>
    trace.setSpanContext(ROOT_CONTEXT, {
      traceId: parent.traceId,
      spanId: parent.spanId,
      traceFlags: parent.sampled === false ? TraceFlags.NONE : TraceFlags.SAMPLED,
      isRemote: true,
    });

  const recordError = (span: Span, error: unknown): void => {
    const exception = asError(error);
    span.recordException(exception);
    span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
  };

  const runInSpan = async <T>(span: Span, fn: () => Promise<T> | T): Promise<T> =>
    context.with(trace.setSpan(baseContext(), span), async () => {
      try {
        return await fn();
      } catch (error) {
        recordError(span, error);
        throw error;
      } finally {
        span.end();
      }
    });

  return {
    name: 'otel',
    startInvocation(start: InvocationStart): InvocationSpan {
      const parent = extractIncomingContext(start.event, start.classified) ?? lambdaTraceContext();
      const trigger = triggerOf(start.classified);
      const parentContext = parent ? remoteParent(parent) : ROOT_CONTEXT;
      const attributes: Attributes = {
        ...start.annotations,
        'faas.trigger': trigger,
        ...(start.invocationId ? { 'faas.invocation_id': start.invocationId } : {}),
        'faas.coldstart': start.annotations.cold_start === true,
      };
      const kind = trigger === 'http' ? SpanKind.SERVER : SpanKind.CONSUMER;
      const span = tracer.startSpan(config.functionName, { kind, attributes }, parentContext);
      invocationContext = trace.setSpan(parentContext, span);
      return {
        annotate: (more) => span.setAttributes(more),
        end(error) {
          if (error !== undefined) recordError(span, error);
          span.end();
          invocationContext = ROOT_CONTEXT;
        },
      };
    },
    span<T>(name: string, fn: () => Promise<T> | T, annotations: Annotations = {}): Promise<T> {
      const span = tracer.startSpan(
        name,
        { kind: SpanKind.INTERNAL, attributes: annotations },
        baseContext(),
      );
      return runInSpan(span, fn);
    },
    captureAwsClient<T>(client: T): T {
      const stack = (client as SdkClient).middlewareStack;
      stack?.add(
        (next, info) => (args) => {
          const service = String(info.clientName ?? 'AWS').replace(/Client$/, '');
          const operation = String(info.commandName ?? 'Command').replace(/Command$/, '');
          const span = tracer.startSpan(
            `${service}.${operation}`,
            {
              kind: SpanKind.CLIENT,
              attributes: { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': operation },
            },
            baseContext(),
          );
          return runInSpan(span, () => next(args));
        },
        { step: 'initialize', name: 'lookoutOpenTelemetrySpan', override: true },
      );
      return client;
    },
    currentContext(): TraceContext | undefined {
      const spanContext = trace.getSpan(baseContext())?.spanContext();
      if (!spanContext) return undefined;
      return {
        traceId: spanContext.traceId,
        spanId: spanContext.spanId,
        sampled: (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
      };
    },
    flush(capMs) {
      // While the collector is failing, nothing is waited for: spans are dropped at once when it
      // counts as down, or sent without waiting by the one export that tries it again.
      if (exporter.failing) {
        flushed().catch(() => {});
        return undefined;
      }
      const budgetMs = Math.max(0, Math.min(exportBudgetMs, capMs));
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        flushed().then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(resolve, budgetMs, false);
        }),
      ])
        .then(
          (inTime) => {
            if (!inTime) exporter.overdue(budgetMs);
          },
          // A failed export is the exporter's to report (once, as the collector going down).
          (error: unknown) => {
            if (!exporter.failing) reportFailure('tracing-flush', error);
          },
        )
        .finally(() => clearTimeout(timer));
    },
  };
}
