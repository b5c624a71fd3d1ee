/**
 * Runtime figures per invocation, the Lambda counterpart of a runtime-stats endpoint: heap and RSS
 * after the invocation, memory utilization against the function's configured memory, and the
 * share of the invocation the event loop was busy.
 */
import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';

const MB = 1024 * 1024;

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

export function startRuntimeSample(functionMemoryMb: number | undefined): RuntimeSample {
  const start: EventLoopUtilization = performance.eventLoopUtilization();
  return {
    finish() {
      const elu = performance.eventLoopUtilization(start);
      const { heapUsed, rss } = process.memoryUsage();
      const round = (value: number) => Math.round(value * 100) / 100;
      return {
        heapUsedMb: round(heapUsed / MB),
        rssMb: round(rss / MB),
        memoryUtilization: functionMemoryMb ? round((rss / MB / functionMemoryMb) * 100) : undefined,
        eventLoopUtilization: round(elu.utilization * 100),
      };
    },
  };
}
