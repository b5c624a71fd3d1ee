/**
 * The profiler's settings: options, then the environment `ObservedFunction` sets, then defaults.
 */
import { env, envNumber } from '../config.js';
import { DEFAULT_PROFILE_PREFIX, PROFILING_ENV } from '../contract.js';

export interface ProfilingOptions {
  /**
   * Share of invocations (0..1) profiled from start to end. Falls back to
   * `LOOKOUT_PROFILE_SAMPLE_RATE`. @default 0
   */
  sampleRate?: number;
  /**
   * Invocations still running after this many milliseconds are profiled from then until they end
   * (a timer starts the profiler, so faster invocations pay for the timer only). Falls back to
   * `LOOKOUT_PROFILE_SLOWER_THAN_MS`. @default no threshold
   */
  slowerThanMs?: number;
}

export interface ResolvedProfiling {
  sampleRate: number;
  slowerThanMs: number | undefined;
  destination: { kind: 's3'; bucket: string; prefix: string } | { kind: 'directory'; path: string };
}

/** Thrown for a profiling setting that cannot be used; the library reports it and leaves profiling off. */
export class ProfilingConfigError extends Error {
  override name = 'ProfilingConfigError';
}

/**
 * Profiling settings, or undefined when profiling is off. Throws a ProfilingConfigError when a
 * setting is unusable (a rate outside 0..1, a negative threshold, profiles with nowhere to go).
 */
export function resolveProfiling(options: ProfilingOptions = {}): ResolvedProfiling | undefined {
  const sampleRate = options.sampleRate ?? envNumber(PROFILING_ENV.sampleRate) ?? 0;
  const slowerThanMs = options.slowerThanMs ?? envNumber(PROFILING_ENV.slowerThanMs);
  if (!(sampleRate >= 0 && sampleRate <= 1)) {
    throw new ProfilingConfigError(`profiling sampleRate must be between 0 and 1, got ${sampleRate}`);
  }
  if (slowerThanMs !== undefined && !(slowerThanMs >= 0 && Number.isFinite(slowerThanMs))) {
    throw new ProfilingConfigError(`profiling slowerThanMs must be 0 or more, got ${slowerThanMs}`);
  }
  if (sampleRate === 0 && slowerThanMs === undefined) return undefined;
  const directory = env(PROFILING_ENV.directory);
  const bucket = env(PROFILING_ENV.bucket);
  if (directory) return { sampleRate, slowerThanMs, destination: { kind: 'directory', path: directory } };
  if (bucket) {
    const prefix = env(PROFILING_ENV.prefix) ?? DEFAULT_PROFILE_PREFIX;
    return { sampleRate, slowerThanMs, destination: { kind: 's3', bucket, prefix } };
  }
  throw new ProfilingConfigError(
    `profiling is on but has nowhere to write: set ${PROFILING_ENV.bucket} (ObservedFunction profiling) or ${PROFILING_ENV.directory}`,
  );
}
