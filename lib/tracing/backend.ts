/**
 * The seam between the middleware and a tracing backend: X-Ray (Powertools Tracer),
 * OpenTelemetry, or off. Each backend module is loaded only when chosen.
 */
import type { TraceContext } from './context.js';

export type Annotations = Record<string, string | number | boolean>;

export interface InvocationSpan {
  annotate(annotations: Annotations): void;
  /** Ends the handler span, recording the error if the handler failed. */
  end(error?: unknown): void;
}

export interface InvocationStart {
  /** The same keys in both backends: X-Ray annotations, OpenTelemetry attributes. */
  annotations: Annotations;
  /** The caller's context from the event, when it carried one. */
  parent: TraceContext | undefined;
  invocationId: string | undefined;
  /** OpenTelemetry `faas.trigger`. */
  trigger: 'http' | 'pubsub' | 'datasource' | 'timer' | 'other';
}

export interface TracingBackend {
  readonly name: 'xray' | 'otel' | 'off';
  /** Opens the handler's span for one invocation. */
  startInvocation(start: InvocationStart): InvocationSpan;
  /** Runs `fn` inside a child span named `name`; errors are recorded and rethrown. */
  span<T>(name: string, fn: () => Promise<T> | T, annotations?: Annotations): Promise<T>;
  /** Instruments an AWS SDK v3 client so its calls appear as child spans. */
  captureAwsClient<T>(client: T): T;
  /** The current span's context, to send on with outgoing requests and messages. */
  currentContext(): TraceContext | undefined;
  /** Exports what is still buffered; awaited before the invocation returns. */
  flush(): Promise<void>;
}

export const noopSpan: InvocationSpan = { annotate() {}, end() {} };

export const offBackend: TracingBackend = {
  name: 'off',
  startInvocation: () => noopSpan,
  span: async (_name, fn) => fn(),
  captureAwsClient: (client) => client,
  currentContext: () => undefined,
  flush: async () => {},
};

/** X-Ray annotation keys allow letters, digits and underscores only. */
export const annotationKey = (key: string): string => key.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 500);
