/**
 * X-Ray through Powertools Tracer: a `## handler` subsegment per invocation with annotations,
 * subsegments for `traced()` and `timeDbQuery`, and AWS SDK v3 clients captured.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Annotations, InvocationSpan, TracingBackend } from './backend.js';
import { annotationKey, noopSpan } from './backend.js';

type Segment = NonNullable<ReturnType<Tracer['getSegment']>>;

const annotateSegment = (segment: Segment, annotations: Annotations): void => {
  for (const [key, value] of Object.entries(annotations)) segment.addAnnotation(annotationKey(key), value);
};

export function createXRayBackend(options: {
  serviceName: string;
  captureHttpRequests: boolean;
}): TracingBackend {
  const tracer = new Tracer({
    serviceName: options.serviceName,
    captureHTTPsRequests: options.captureHttpRequests,
  });

  const child = (name: string): { parent: Segment; segment: Segment } | undefined => {
    const parent = tracer.getSegment();
    if (!parent) return undefined;
    const segment = parent.addNewSubsegment(name);
    tracer.setSegment(segment);
    return { parent, segment };
  };

  return {
    name: 'xray',
    startInvocation(annotations): InvocationSpan {
      if (!tracer.isTracingEnabled()) return noopSpan;
      const opened = child(`## ${process.env._HANDLER ?? 'handler'}`);
      if (!opened) return noopSpan;
      const { parent, segment } = opened;
      annotateSegment(segment, annotations);
      return {
        annotate: (more) => annotateSegment(segment, more),
        end(error) {
          if (error !== undefined)
            segment.addError(error instanceof Error ? error : new Error(String(error)));
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
          segment?.addError(error instanceof Error ? error : new Error(String(error)));
          throw error;
        } finally {
          segment?.close();
        }
      }) as Promise<T>;
    },
    captureAwsClient: (client) => (tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client),
  };
}
