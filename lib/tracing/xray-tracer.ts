/**
 * Powertools Tracer, loaded on first use: unbundled, a function that traces with OpenTelemetry or
 * not at all never loads the X-Ray SDK. An X-Ray bundle gets `xray-tracer.bundled.ts` instead
 * (package.json "imports", condition `lookout-xray-bundle`).
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';

export const loadTracer = async (): Promise<typeof Tracer> =>
  (await import('@aws-lambda-powertools/tracer')).Tracer;
