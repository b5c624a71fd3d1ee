/**
 * Picks the tracing backend of a wrapped handler. Each entry point brings one backend (`lookout`:
 * X-Ray, `lookout/otel`: OpenTelemetry), so that a bundle carries only the SDK its imports reach;
 * asking an entry point for the other backend is a configuration error, reported at init.
 */
import type { ResolvedConfig } from '../config.js';
import type { TracingMode } from '../contract.js';
import type { TracingBackend } from './backend.js';
import { offBackend } from './backend.js';

/** A tracing backend an entry point brings, made once per wrapped handler. */
export interface TracingProvider {
  readonly mode: Exclude<TracingMode, 'off'>;
  create(config: ResolvedConfig): TracingBackend | Promise<TracingBackend>;
}

const ENTRY_POINT: Record<TracingProvider['mode'], string> = { xray: 'lookout', otel: 'lookout/otel' };

export async function loadTracingBackend(
  config: ResolvedConfig,
  provider: TracingProvider,
): Promise<TracingBackend> {
  if (config.tracing === 'off') return offBackend;
  if (config.tracing !== provider.mode) {
    throw new Error(
      `tracing ${config.tracing} needs withObservability from ${ENTRY_POINT[config.tracing]}, not ${ENTRY_POINT[provider.mode]}; tracing is off`,
    );
  }
  return provider.create(config);
}
