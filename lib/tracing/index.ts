/** Loads the chosen tracing backend; the others' code is never evaluated. */
import type { ResolvedConfig } from '../config.js';
import type { TracingBackend } from './backend.js';
import { offBackend } from './backend.js';

export async function loadTracingBackend(config: ResolvedConfig): Promise<TracingBackend> {
  switch (config.tracing) {
    case 'xray':
      return (await import('./xray.js')).createXRayBackend({
        serviceName: config.serviceName,
        captureHttpRequests: config.captureHttpRequests,
      });
    case 'otel':
      return (await import('./otel.js')).createOtelBackend({
        serviceName: config.serviceName,
        serviceVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        functionName: config.functionName,
        functionMemoryMb: config.functionMemoryMb,
      });
    default:
      return offBackend;
  }
}
