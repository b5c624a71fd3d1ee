/**
 * GET /health: the guide's health and runtime-stats endpoints in one. Cheap on purpose (no
 * DynamoDB call): the scheduled health check calls it every minute.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { json } from './http.js';

const MB = 1024 * 1024;
const containerStartedAt = new Date();
let invocations = 0;
let lastUtilization = performance.eventLoopUtilization();
const eventLoopDelay = monitorEventLoopDelay({ resolution: 20 });
eventLoopDelay.enable();

/** Called once per invocation by the handler, so /health can tell a cold start. */
export function countInvocation(): void {
  invocations += 1;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export function health(serviceName: string, now: Date) {
  const { heapUsed, heapTotal, rss, external } = process.memoryUsage();
  const utilization = performance.eventLoopUtilization(lastUtilization);
  lastUtilization = performance.eventLoopUtilization();
  const delay = {
    p50: round(eventLoopDelay.percentile(50) / 1e6),
    p99: round(eventLoopDelay.percentile(99) / 1e6),
    max: round(eventLoopDelay.max / 1e6),
  };
  eventLoopDelay.reset();
  const memoryLimitMb = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) || undefined;
  return json(200, {
    status: 'ok',
    service: serviceName,
    version: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? 'local',
    startedAt: containerStartedAt.toISOString(),
    uptimeSeconds: round((now.getTime() - containerStartedAt.getTime()) / 1000, 3),
    coldStart: invocations <= 1,
    invocations,
    runtime: {
      node: process.version,
      memory: {
        heapUsedMb: round(heapUsed / MB),
        heapTotalMb: round(heapTotal / MB),
        rssMb: round(rss / MB),
        externalMb: round(external / MB),
        ...(memoryLimitMb && {
          limitMb: memoryLimitMb,
          utilizationPercent: round((rss / MB / memoryLimitMb) * 100),
        }),
      },
      eventLoop: {
        /** Share of the time since the previous /health call that the event loop was busy. */
        utilizationPercent: round(utilization.utilization * 100),
        delayMs: delay,
      },
    },
  });
}
