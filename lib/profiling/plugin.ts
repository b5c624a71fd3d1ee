/**
 * The seam between a wrapped handler and a profiler. The core library knows only these types; the
 * CPU profiler itself lives behind `lookout/profiling`, so that a handler without it never
 * carries its code.
 */

/** Why an invocation was profiled. */
export type ProfileReason = 'sampled' | 'slow';

/** One invocation's profiling: armed (a timer), running, or neither. */
export interface ProfileRun {
  reason: ProfileReason;
  running: boolean;
  timer: NodeJS.Timeout | undefined;
}

export interface ProfiledInvocation {
  functionName: string;
  requestId: string;
  correlationId: string;
  /** Milliseconds left before the Lambda timeout. */
  remainingMs: number;
}

/** Logs the one line that says where a profile went. */
export type ProfileLog = (message: string, fields: Record<string, unknown>) => void;

/** A profiler attached to one wrapped handler. None of its methods throws or rejects. */
export interface AttachedProfiler {
  /** During init, so that the first profiled invocation starts at once. */
  prepare(): Promise<void>;
  /** At the start of an invocation: the run to end, or undefined when it is not profiled. */
  begin(): ProfileRun | undefined;
  /** At the end of an invocation: the write to wait for, or undefined when there is none. */
  end(run: ProfileRun, invocation: ProfiledInvocation): Promise<void> | undefined;
}

/** What `cpuProfiler()` returns and the `profiler` option takes. */
export interface InvocationProfiler {
  /**
   * Called once per wrapped handler, at init. Undefined when profiling turns out to be off; throws
   * when a setting is unusable (the library reports it and leaves profiling off).
   */
  attach(log: ProfileLog): AttachedProfiler | undefined;
}
