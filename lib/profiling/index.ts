/**
 * `lookout/profiling`: sampled CPU profiles of Lambda invocations, the counterpart of a pprof
 * endpoint. Pass the profiler to the wrapper:
 *
 *     export const handler = withObservability(fn, { profiler: cpuProfiler({ slowerThanMs: 1000 }) });
 *
 * With `ObservedFunction`'s `profiling` option, the environment already says where profiles go and
 * when to take them, and `cpuProfiler()` needs no options.
 */
import type { InvocationProfiler } from './plugin.js';
import { CpuProfiler } from './profiler.js';
import type { ProfilingOptions } from './settings.js';
import { resolveProfiling } from './settings.js';

export type { InvocationProfiler } from './plugin.js';
export type { ProfilingOptions } from './settings.js';
export { ProfilingConfigError } from './settings.js';
export { listProfiles, parseProfileKey, profileKey } from './layout.js';
export type { LocalProfile, ProfileKeyParts } from './layout.js';

/**
 * V8's sampling profiler for sampled or slow invocations, writing `.cpuprofile` files (Chrome
 * DevTools and VS Code open them) to S3 (`LOOKOUT_PROFILE_BUCKET`, under `LOOKOUT_PROFILE_PREFIX`,
 * default `profiles/`) or, locally, to a folder (`LOOKOUT_PROFILE_DIR`, which wins when both are
 * set). Off unless a sample rate or a threshold is set and there is somewhere to write.
 */
export function cpuProfiler(options: ProfilingOptions = {}): InvocationProfiler {
  return {
    attach(log) {
      const settings = resolveProfiling(options);
      return settings ? new CpuProfiler(settings, log) : undefined;
    },
  };
}
