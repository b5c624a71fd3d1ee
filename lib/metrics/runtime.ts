/**
 * Runtime figures per invocation, the Lambda counterpart of a runtime-stats endpoint: heap and RSS
 * after the invocation, memory utilization against the function's configured memory, and the
 * share of the invocation the event loop was busy.
 */
import type { EventLoopUtilization } from 'node:perf_hooks';

const MB = 1_048_576;

/**
 * Reading memory asks the operating system for RSS (about 9 µs, the largest single cost of an
 * invocation), while memory moves slowly: a reading at most this old is reused. Heap and RSS come
 * from one `process.memoryUsage()`: `node:v8`'s heap statistics would cost every cold start the
 * few milliseconds of loading that module.
 */
export const MEMORY_MAX_AGE_MS = 1000;
let memory = { heapUsed: 0, rss: 0 };
let memoryReadAt = Number.NEGATIVE_INFINITY;

function readMemory(now: number): { heapUsed: number; rss: number } {
  if (now - memoryReadAt >= MEMORY_MAX_AGE_MS) {
    memory = process.memoryUsage();
    memoryReadAt = now;
  }
  return memory;
}

export interface RuntimeFigures {
  heapUsedMb: number;
  rssMb: number;
  /** Percent of the configured memory, when it is known. */
  memoryUtilization: number | undefined;
  /** Percent of the invocation's wall time the event loop was busy. */
  eventLoopUtilization: number;
}

export interface RuntimeSample {
  finish(): RuntimeFigures;
}

/** To two decimals, as Lookout reports milliseconds, megabytes and percentages. */
export const round = (value: number) => Math.round(value * 100) / 100;

export function startRuntimeSample(functionMemoryMb: number | undefined): RuntimeSample {
  const start: EventLoopUtilization = performance.eventLoopUtilization();
  return {
    finish() {
      const elu = performance.eventLoopUtilization(start);
      const { heapUsed, rss } = readMemory(performance.now());
      return {
        heapUsedMb: round(heapUsed / MB),
        rssMb: round(rss / MB),
        memoryUtilization: functionMemoryMb ? round((rss / MB / functionMemoryMb) * 100) : undefined,
        eventLoopUtilization: round(elu.utilization * 100),
      };
    },
  };
}
