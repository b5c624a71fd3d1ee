/**
 * Loads the chosen tracing backend. The backend modules are small; each loads its SDK itself,
 * on first use, so a function pays only for the SDK it chose.
 *
 * `process.env.LOOKOUT_BUNDLE_TRACING` is replaced at bundle time (lib/cdk/bundling.ts) by the one
 * backend a bundle carries, so that esbuild drops the other's code; it has to stay written out in
 * each condition for that. Unbundled it is unset, and every backend is available.
 */
import type { ResolvedConfig, TracingMode } from '../config.js';
import type { TracingBackend } from './backend.js';
import { offBackend } from './backend.js';
import { createOtelBackend } from './otel.js';
import { createXRayBackend } from './xray.js';

export async function loadTracingBackend(config: ResolvedConfig): Promise<TracingBackend> {
  if (config.tracing === 'xray') {
    if (process.env.LOOKOUT_BUNDLE_TRACING === undefined || process.env.LOOKOUT_BUNDLE_TRACING === 'xray') {
      return createXRayBackend({
        serviceName: config.serviceName,
        captureHttpRequests: config.captureHttpRequests,
      });
    }
    throw notInBundle('xray', process.env.LOOKOUT_BUNDLE_TRACING);
  }
  if (config.tracing === 'otel') {
    if (process.env.LOOKOUT_BUNDLE_TRACING === undefined || process.env.LOOKOUT_BUNDLE_TRACING === 'otel') {
      return createOtelBackend({
        serviceName: config.serviceName,
        serviceVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        functionName: config.functionName,
        functionMemoryMb: config.functionMemoryMb,
      });
    }
    throw notInBundle('otel', process.env.LOOKOUT_BUNDLE_TRACING);
  }
  return offBackend;
}

const notInBundle = (wanted: TracingMode, bundled: string | undefined) =>
  new Error(`tracing "${wanted}" is not in this bundle, built for "${bundled}" (ObservedFunction tracing)`);
