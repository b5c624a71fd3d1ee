/**
 * X-Ray on the X-Ray SDK (aws-xray-sdk-core): a `## handler` subsegment per invocation with
 * annotations, subsegments for `traced()` and `timeDbQuery`, AWS SDK v3 clients captured, and
 * outgoing `http`/`https` requests and `fetch` calls recorded. The SDK joins the trace Lambda
 * started (`_X_AMZN_TRACE_ID`); an incoming parent is not re-applied. The context sent on to other
 * services is read from the SDK's current segment, which already parsed Lambda's trace header.
 *
 * The SDK directly rather than through Powertools Tracer: the Tracer's ES module imports
 * `node:http`, and Node builds that builtin's ES-module facade by reading every export, one of them
 * a lazy getter that loads undici. A handler bundled by plain esbuild paid for undici at every
 * cold start (a third of the trio's cold init on the bench machine). Here the builtins come from
 * `process.getBuiltinModule`, which builds no facade, and the SDK is CommonJS.
 */
import './esm-require.js';
import xray from 'aws-xray-sdk-core';
import type { ResolvedConfig } from '../config.js';
import type { Annotations, InvocationSpan, TracingBackend } from './backend.js';
import { annotationKey, asError, noopSpan } from './backend.js';
import type { TraceContext } from './context.js';
import type { TracingProvider } from './index.js';
import { rootTraceId, traceFetch } from './xray-fetch.js';

type XRaySegment = xray.Segment | xray.Subsegment;

/** The backend of the `lookout` entry point. */
export const xrayTracing: TracingProvider = { mode: 'xray', create: createXRayBackend };

const annotateSegment = (segment: XRaySegment, annotations: Annotations): void => {
  for (const key in annotations) segment.addAnnotation(annotationKey(key), annotations[key]!);
};

/**
 * Powertools Tracer's rule, kept so that moving from it changes nothing: X-Ray records only in a
 * Lambda execution environment, and not under `sam local` or Amplify's mock.
 */
function inLambda(): boolean {
  const executionEnv = process.env.AWS_EXECUTION_ENV ?? '';
  return executionEnv !== '' && executionEnv !== 'AWS_Lambda_amplify-mock' && !process.env.AWS_SAM_LOCAL;
}

export function createXRayBackend(config: ResolvedConfig): TracingBackend {
  const enabled = inLambda();
  // Outside an invocation (a client called at init, say) the SDK has no segment: say nothing. The
  // SDK keeps a strategy the user set in AWS_XRAY_CONTEXT_MISSING over this call.
  xray.setContextMissingStrategy('IGNORE_ERROR');
  if (enabled && config.captureHttpRequests) {
    xray.captureHTTPsGlobal(process.getBuiltinModule('node:http'));
    xray.captureHTTPsGlobal(process.getBuiltinModule('node:https'));
    traceFetch();
  }
  const handlerSegmentName = `## ${process.env._HANDLER ?? 'handler'}`;

  return {
    name: 'xray',
    startInvocation({ annotations }): InvocationSpan {
      if (!enabled) return noopSpan;
      const parent = xray.getSegment();
      if (!parent) return noopSpan;
      const segment = parent.addNewSubsegment(handlerSegmentName);
      xray.setSegment(segment);
      annotateSegment(segment, annotations);
      return {
        annotate: (more) => annotateSegment(segment, more),
        end(error) {
          if (error !== undefined) segment.addError(asError(error));
          segment.close();
          xray.setSegment(parent);
        },
      };
    },
    async span<T>(name: string, fn: () => Promise<T> | T, annotations: Annotations = {}): Promise<T> {
      if (!enabled || !xray.getSegment()) return fn();
      // captureAsyncFunc runs `fn` in its own context, so concurrent spans keep the right parent.
      return xray.captureAsyncFunc(name, async (segment) => {
        if (segment) annotateSegment(segment, annotations);
        try {
          return await fn();
        } catch (error) {
          segment?.addError(asError(error));
          throw error;
        } finally {
          segment?.close();
        }
      });
    },
    captureAwsClient: <T>(client: T): T =>
      enabled
        ? (xray.captureAWSv3Client(client as Parameters<typeof xray.captureAWSv3Client>[0]) as T)
        : client,
    currentContext(): TraceContext | undefined {
      const segment = enabled ? xray.getSegment() : undefined;
      if (!segment) return undefined;
      // `1-5759e988-bd862e3fe1be46a994272793`; the SDK's placeholder before any header is all zeros
      const traceId = rootTraceId(segment)?.slice(2).replace('-', '');
      if (!traceId || /^0*$/.test(traceId)) return undefined;
      return { traceId, spanId: segment.id, sampled: !segment.notTraced };
    },
  };
}
