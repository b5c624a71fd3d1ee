/**
 * Runtime figures per invocation, the Lambda counterpart of a runtime-stats endpoint: heap and RSS
 * after the invocation, memory utilization against the function's configured memory, and the
 * share of the invocation the event loop was busy.
 */
import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

const MB = 1_048_576;

/**
 * Reading RSS asks the operating system (about 9 µs, the largest single cost of an invocation),
 * while memory moves slowly: a reading at most this old is reused.
 */
export const RSS_MAX_AGE_MS = 1000;
let rssBytes = 0;
let rssReadAt = Number.NEGATIVE_INFINITY;

function rss(now: number): number {
  if (now - rssReadAt >= RSS_MAX_AGE_MS) {
    rssBytes = process.memoryUsage.rss();
    rssReadAt = now;
  }
  return rssBytes;
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
      const rssNow = rss(performance.now());
      return {
        heapUsedMb: round(getHeapStatistics().used_heap_size / MB),
        rssMb: round(rssNow / MB),
        memoryUtilization: functionMemoryMb ? round((rssNow / MB / functionMemoryMb) * 100) : undefined,
        eventLoopUtilization: round(elu.utilization * 100),
      };
    },
  };
}
