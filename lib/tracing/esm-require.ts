/**
 * Gives an ES-module bundle the `require` that the X-Ray SDK needs. aws-xray-sdk-core is a
 * CommonJS package that calls `require('util')` and other builtins as it loads; bundled into an
 * ES module without a `createRequire` banner, esbuild's stand-in for `require` throws "Dynamic
 * require of "util" is not supported" and X-Ray is lost. That stand-in falls back to a global
 * `require` when one exists at the time of the call, so one is defined here, before the SDK
 * loads, unless there is one already.
 *
 * It is read through `globalThis`: bundlers rewrite a bare `require` in an ES module to their own
 * stand-in. Imported for its side effect first thing by the X-Ray backend, and listed in
 * package.json `sideEffects` so that bundlers keep it.
 */
import { createRequire } from 'node:module';

// Resolved from the task root rather than import.meta, which a CommonJS bundle does not have.
(globalThis as { require?: unknown }).require ??= createRequire(
  `${process.env.LAMBDA_TASK_ROOT ?? process.cwd()}/index.js`,
);
