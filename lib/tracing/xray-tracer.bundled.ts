/**
 * Powertools Tracer for an X-Ray bundle, which carries the SDK anyway: imported statically,
 * because esbuild wraps every module it reaches through `import()` in a lazy initializer (0.6 KB
 * of a bundle, and their calls at every cold start). Chosen by the `lookout-xray-bundle`
 * condition (lib/cdk/bundling.ts); everywhere else `xray-tracer.ts` loads the SDK on first use.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

export const loadTracer = async (): Promise<typeof Tracer> => Tracer;
