/**
 * X-Ray through Powertools Tracer: a `## handler` subsegment per invocation with annotations,
 * subsegments for `traced()` and `timeDbQuery`, and AWS SDK v3 clients captured. The X-Ray SDK
 * joins the trace Lambda started (`_X_AMZN_TRACE_ID`); an incoming parent is not re-applied.
 * The context sent on to other services is read from the SDK's current segment, which already
 * parsed Lambda's trace header (from the invocation store where Lambda runs invocations
 * concurrently, where the environment variable is not per invocation).
 */
import './esm-require.js';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { ResolvedConfig } from '../config.js';
import type { Annotations, InvocationSpan, TracingBackend } from './backend.js';
import { annotationKey, asError, noopSpan } from './backend.js';
import type { TraceContext } from './context.js';
import type { TracingProvider } from './index.js';

type Segment = NonNullable<ReturnType<Tracer['getSegment']>>;

const annotateSegment = (segment: Segment, annotations: Annotations): void => {
  for (const key in annotations) segment.addAnnotation(annotationKey(key), annotations[key]!);
};

/** The backend of the `lookout` entry point. */
export const xrayTracing: TracingProvider = { mode: 'xray', create: createXRayBackend };

export function createXRayBackend(config: ResolvedConfig): TracingBackend {
  const tracer = new Tracer({
    serviceName: config.serviceName,
    captureHTTPsRequests: config.captureHttpRequests,
  });
  const handlerSegmentName = `## ${process.env._HANDLER ?? 'handler'}`;

  return {
    name: 'xray',
    startInvocation({ annotations }): InvocationSpan {
      if (!tracer.isTracingEnabled()) return noopSpan;
      const parent = tracer.getSegment();
      if (!parent) return noopSpan;
      const segment = parent.addNewSubsegment(handlerSegmentName);
      tracer.setSegment(segment);
      annotateSegment(segment, annotations);
      return {
        annotate: (more) => annotateSegment(segment, more),
        end(error) {
          if (error !== undefined) segment.addError(asError(error));
          segment.close();
          tracer.setSegment(parent);
        },
      };
    },
    async span<T>(name: string, fn: () => Promise<T> | T, annotations: Annotations = {}): Promise<T> {
      if (!tracer.isTracingEnabled() || !tracer.getSegment()) return fn();
      // captureAsyncFunc runs `fn` in its own context, so concurrent spans keep the right parent.
      return tracer.provider.captureAsyncFunc(name, async (segment?: Segment) => {
        if (segment) annotateSegment(segment, annotations);
        try {
          return await fn();
        } catch (error) {
          segment?.addError(asError(error));
          throw error;
        } finally {
          segment?.close();
        }
      }) as Promise<T>;
    },
    captureAwsClient: (client) => (tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client),
    currentContext(): TraceContext | undefined {
      const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
      if (!segment) return undefined;
      // `1-5759e988-bd862e3fe1be46a994272793`; the SDK's placeholder before any header is all zeros
      const root = 'segment' in segment ? segment.segment.trace_id : segment.trace_id;
      const traceId = root.slice(2).replace('-', '');
      if (/^0*$/.test(traceId)) return undefined;
      return { traceId, spanId: segment.id, sampled: !segment.notTraced };
    },
  };
}
