/**
 * How Lookout functions are bundled, in one place for `ObservedFunction`, the package build (the
 * functions Lookout deploys), the sandbox and the benchmarks. Plain data: importing it loads no
 * CDK code.
 *
 * What a bundle carries follows from its imports alone: `lookout` reaches X-Ray, `lookout/otel`
 * OpenTelemetry, `lookout/profiling` the profiler. Nothing here is needed for a bundle to work;
 * these settings make it start faster.
 */

/**
 * Lets an ES-module bundle load CommonJS dependencies that call `require` at runtime. Lookout does
 * not need it (it defines `require` for the X-Ray SDK itself), but a user's own dependencies may.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __lookoutCreateRequire } from 'node:module'; const require = __lookoutCreateRequire(import.meta.url);";

/**
 * Builtins a bundle loads with `require` rather than `import`. An ES-module import of node:http
 * makes Node build the module's ESM facade, which reads every export, and one of them is a lazy
 * getter that loads undici: about 15 ms of every cold start, for a module nobody asked for.
 * Lookout itself never imports them so; a handler's own code or its dependencies (Powertools Tracer
 * among them) may. Each alias points esbuild at a one-line CommonJS module that
 * requires the builtin instead, which reads nothing.
 */
export const REQUIRED_BUILTINS: Record<string, string> = {
  'node:http': 'data:text/javascript,module.exports=require("http")',
  'node:https': 'data:text/javascript,module.exports=require("https")',
};

/**
 * `REQUIRED_BUILTINS` as NodejsFunction `esbuildArgs`: one `--alias:<name>` key each, which every
 * aws-cdk-lib version passes on as it is (older ones join an array of `--alias` values with
 * commas, and the data URLs hold commas).
 */
export const requiredBuiltinAliases = (): Record<string, string> =>
  Object.fromEntries(Object.entries(REQUIRED_BUILTINS).map(([name, target]) => [`--alias:${name}`, target]));

/**
 * Where license comments go: beside the bundle (`index.mjs.LEGAL.txt`) rather than at its end, so
 * that they ship without being read at every cold start.
 */
export const LEGAL_COMMENTS = 'external' as const;

/** The output every bundle gets: `ObservedFunction` and `esbuildOptions` read it. */
export const BUNDLE_OUTPUT = {
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
};

/** esbuild options equivalent to the `ObservedFunction` bundling. */
export function esbuildOptions() {
  return {
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    ...BUNDLE_OUTPUT,
    legalComments: LEGAL_COMMENTS,
    banner: { js: ESM_REQUIRE_BANNER },
    alias: REQUIRED_BUILTINS,
  };
}
