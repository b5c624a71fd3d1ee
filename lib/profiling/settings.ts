/**
 * The profiler's settings: options, then the environment `ObservedFunction` sets, then defaults.
 */
import { env, envNumber } from '../config.js';
import { DEFAULT_PROFILE_PREFIX, ENV } from '../contract.js';

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

/** True when the environment asks for profiles (the library says so when no profiler is given). */
export const profilingRequestedByEnvironment = (): boolean =>
  env(ENV.profileSampleRate) !== undefined || env(ENV.profileSlowerThanMs) !== undefined;

/**
 * Profiling settings, or undefined when profiling is off. Throws a ProfilingConfigError when a
 * setting is unusable (a rate outside 0..1, a negative threshold, profiles with nowhere to go).
 */
export function resolveProfiling(options: ProfilingOptions = {}): ResolvedProfiling | undefined {
  const sampleRate = options.sampleRate ?? envNumber(ENV.profileSampleRate) ?? 0;
  const slowerThanMs = options.slowerThanMs ?? envNumber(ENV.profileSlowerThanMs);
  if (!(sampleRate >= 0 && sampleRate <= 1)) {
    throw new ProfilingConfigError(`profiling sampleRate must be between 0 and 1, got ${sampleRate}`);
  }
  if (slowerThanMs !== undefined && !(slowerThanMs >= 0 && Number.isFinite(slowerThanMs))) {
    throw new ProfilingConfigError(`profiling slowerThanMs must be 0 or more, got ${slowerThanMs}`);
  }
  if (sampleRate === 0 && slowerThanMs === undefined) return undefined;
  const directory = env(ENV.profileDirectory);
  const bucket = env(ENV.profileBucket);
  if (directory) return { sampleRate, slowerThanMs, destination: { kind: 'directory', path: directory } };
  if (bucket) {
    const prefix = env(ENV.profilePrefix) ?? DEFAULT_PROFILE_PREFIX;
    return { sampleRate, slowerThanMs, destination: { kind: 's3', bucket, prefix } };
  }
  throw new ProfilingConfigError(
    `profiling is on but has nowhere to write: set ${ENV.profileBucket} (ObservedFunction profiling) or ${ENV.profileDirectory}`,
  );
}
