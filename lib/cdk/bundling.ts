/**
 * How Lookout functions are bundled, in one place for `ObservedFunction`, the sandbox and the
 * benchmarks. Plain data: importing it loads no CDK code.
 */

export type TracingMode = 'xray' | 'otel' | 'off';

/**
 * Lets an ES-module bundle load CommonJS dependencies (the X-Ray SDK calls `require` at runtime).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __lookoutCreateRequire } from 'node:module'; const require = __lookoutCreateRequire(import.meta.url);";

const XRAY_PACKAGES = ['@aws-lambda-powertools/tracer', 'aws-xray-sdk-core'];
const OTEL_PACKAGES = ['@opentelemetry/*'];

/**
 * Packages left out of a bundle for a tracing mode: the library loads only the chosen backend,
 * so the other backend's SDK is dead weight (about 80 KB minified for OpenTelemetry).
 */
export const TRACING_EXTERNALS: Record<TracingMode, string[]> = {
  xray: OTEL_PACKAGES,
  otel: XRAY_PACKAGES,
  off: [...XRAY_PACKAGES, ...OTEL_PACKAGES],
};

/** esbuild options equivalent to the `ObservedFunction` bundling, for a given tracing mode. */
export function esbuildOptions(tracing: TracingMode) {
  return {
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: 'node24',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: TRACING_EXTERNALS[tracing],
  };
}
