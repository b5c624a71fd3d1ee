/**
 * How Lookout functions are bundled, in one place for `ObservedFunction`, the sandbox and the
 * benchmarks. Plain data: importing it loads no CDK code.
 */

export type TracingMode = 'xray' | 'otel' | 'off';

/** What a bundle carries besides the handler. */
export interface BundleFeatures {
  /** The one tracing backend in the bundle. */
  tracing: TracingMode;
  /** Whether the bundle can capture CPU profiles. */
  profiling: boolean;
}

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

/**
 * Never bundled: the profiler's S3 client, which it loads with `require` from the Lambda runtime's
 * own SDK when it first writes a profile. Bundled, it would add 480 KB and about 22 ms to every
 * cold start of a profiling function.
 */
export const RUNTIME_PACKAGES = ['@aws-sdk/client-s3'];

/** Packages left out of a bundle with these features. */
export function bundleExternals(features: BundleFeatures): string[] {
  return [...TRACING_EXTERNALS[features.tracing], ...RUNTIME_PACKAGES];
}

/**
 * Constants the library reads to know what its bundle carries (see lib/tracing/index.ts and
 * lib/profiling/index.ts). esbuild folds them, and drops the code of the other tracing backend and,
 * without profiling, of the profiler: a few kilobytes and their parse time at every cold start.
 */
export function bundleDefines(features: BundleFeatures): Record<string, string> {
  return {
    'process.env.LOOKOUT_BUNDLE_TRACING': JSON.stringify(features.tracing),
    'process.env.LOOKOUT_BUNDLE_PROFILING': JSON.stringify(features.profiling ? 'true' : 'false'),
  };
}

/**
 * Package-resolution conditions of a bundle with these features: an X-Ray bundle takes the variant
 * of Lookout's modules that imports Powertools Tracer statically (package.json "imports").
 * `module` is esbuild's default, which naming any condition would otherwise drop.
 */
export function bundleConditions(features: BundleFeatures): string[] {
  return [...(features.tracing === 'xray' ? ['lookout-xray-bundle'] : []), 'module'];
}

/**
 * Builtins a bundle loads with `require` rather than `import`. An ES-module import of node:http
 * makes Node build the module's ESM facade, which reads every export, and one of them is a lazy
 * getter that loads undici: about 15 ms of every cold start, for a module nobody asked for.
 * Powertools Tracer imports node:http and node:https this way; each alias points esbuild at a
 * one-line CommonJS module that requires the builtin instead, which reads nothing.
 */
export const REQUIRED_BUILTINS: Record<string, string> = {
  'node:http': 'data:text/javascript,module.exports=require("http")',
  'node:https': 'data:text/javascript,module.exports=require("https")',
};

/** `REQUIRED_BUILTINS` as esbuild command-line `--alias` values (for NodejsFunction's esbuildArgs). */
export const requiredBuiltinAliases = (): string[] =>
  Object.entries(REQUIRED_BUILTINS).map(([name, target]) => `${name}=${target}`);

/**
 * Where license comments go: beside the bundle (`index.mjs.LEGAL.txt`) rather than at its end, so
 * that they ship without being read at every cold start. In today's dependencies they are only
 * coverage pragmas marked `@preserve`.
 */
export const LEGAL_COMMENTS = 'external' as const;

/** The output every bundle gets, whatever its features: `ObservedFunction` and `esbuildOptions` read it. */
export const BUNDLE_OUTPUT = {
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
};

/** esbuild options equivalent to the `ObservedFunction` bundling, for the given features. */
export function esbuildOptions(tracing: TracingMode, options: { profiling?: boolean } = {}) {
  const features: BundleFeatures = { tracing, profiling: options.profiling ?? false };
  return {
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    ...BUNDLE_OUTPUT,
    legalComments: LEGAL_COMMENTS,
    banner: { js: ESM_REQUIRE_BANNER },
    external: bundleExternals(features),
    define: bundleDefines(features),
    conditions: bundleConditions(features),
    alias: REQUIRED_BUILTINS,
  };
}
