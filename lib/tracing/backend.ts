/**
 * The seam between the middleware and a tracing backend: X-Ray (the X-Ray SDK),
 * OpenTelemetry, or off. Each backend module is loaded only when chosen.
 */
import type { ClassifiedEvent } from '../events.js';
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
  /** The event as received, and as classified: where a backend looks for the caller's context. */
  event: unknown;
  classified: ClassifiedEvent;
  invocationId: string | undefined;
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
  /**
   * Exports what is still buffered, waiting at most its own budget and never more than `capMs`
   * (what is left of the invocation); awaited before the invocation returns, unless undefined
   * (nothing to wait for). Only backends that buffer have it. Never rejects.
   */
  flush?(capMs: number): Promise<void> | undefined;
}

export const noopSpan: InvocationSpan = { annotate() {}, end() {} };

export const offBackend: TracingBackend = {
  name: 'off',
  startInvocation: () => noopSpan,
  span: async (_name, fn) => fn(),
  captureAwsClient: (client) => client,
  currentContext: () => undefined,
};

const annotationKeys = new Map<string, string>();

/** X-Ray annotation keys allow letters, digits and underscores only. Remembered: keys repeat. */
export function annotationKey(key: string): string {
  let safe = annotationKeys.get(key);
  if (safe === undefined) {
    safe = key.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 500);
    if (annotationKeys.size < 1000) annotationKeys.set(key, safe);
  }
  return safe;
}

/** A thrown value as an Error, for the backends' error records. */
export const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
