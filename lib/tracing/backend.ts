/**
 * The seam between the middleware and a tracing backend. X-Ray (Powertools Tracer) is one
 * backend; `off` is another; OpenTelemetry plugs in here too.
 */

export type Annotations = Record<string, string | number | boolean>;

export interface InvocationSpan {
  annotate(annotations: Annotations): void;
  /** Ends the handler span, recording the error if the handler failed. */
  end(error?: unknown): void;
}

export interface TracingBackend {
  readonly name: string;
  /** Opens the handler's span for one invocation. */
  startInvocation(annotations: Annotations): InvocationSpan;
  /** Runs `fn` inside a child span named `name`; errors are recorded and rethrown. */
  span<T>(name: string, fn: () => Promise<T> | T, annotations?: Annotations): Promise<T>;
  /** Instruments an AWS SDK v3 client so its calls appear as child spans. */
  captureAwsClient<T>(client: T): T;
}

export const noopSpan: InvocationSpan = { annotate() {}, end() {} };

export const offBackend: TracingBackend = {
  name: 'off',
  startInvocation: () => noopSpan,
  span: async (_name, fn) => fn(),
  captureAwsClient: (client) => client,
};

/** X-Ray annotation keys allow letters, digits and underscores only. */
export const annotationKey = (key: string): string => key.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 500);
