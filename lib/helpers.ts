/**
 * Helpers a handler calls while it runs. Each records into the current instance and, like the
 * middleware, never lets an observability failure reach the caller: the wrapped work's own result
 * or error always passes through.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { DbQueryStatus } from './contract.js';
import { CACHE_METRIC, DB_METRIC, DIMENSION, HEALTH_CHECK_METRIC } from './contract.js';
import { awaitInstrumentation, currentInstance, runningQueries } from './current.js';
import { round } from './metrics/runtime.js';
import type { Dimensions, Unit } from './metrics/sink.js';
import { guard } from './observability.js';
import { reportFailure } from './report.js';
import type { Annotations } from './tracing/backend.js';

let fallbackLogger: Logger | undefined;

/** The logger of the current handler (Powertools Logger): use it for your own log lines. */
export function getLogger(): Logger {
  const instance = currentInstance();
  if (instance) return instance.logger;
  fallbackLogger ??= new Logger();
  return fallbackLogger;
}

function record(
  name: string,
  unit: Unit,
  value: number,
  dimensions?: Dimensions,
  rollups?: string[][],
): void {
  guard('metrics-record', () => currentInstance()?.metrics.add(name, unit, value, dimensions, rollups));
}

/** Runs `fn` in a trace subsegment (X-Ray) or span; its errors are recorded and rethrown. */
export async function traced<T>(
  name: string,
  fn: () => Promise<T> | T,
  attributes?: Annotations,
): Promise<T> {
  const tracing = currentInstance()?.tracing;
  if (!tracing) return fn();
  let started = false;
  try {
    return await tracing.span(
      name,
      () => {
        started = true;
        return fn();
      },
      attributes,
    );
  } catch (error) {
    if (started) throw error;
    // The tracing backend failed before running `fn`: run it untraced.
    reportFailure('tracing-span', error);
    return fn();
  }
}

/**
 * Instruments an AWS SDK v3 client so that its calls appear in traces. Safe to call at module
 * scope: a client created before the tracing backend is ready is instrumented once it is.
 */
export function captureAwsClient<T>(client: T): T {
  const instance = currentInstance();
  if (!instance?.loaded) {
    awaitInstrumentation(client);
    return client;
  }
  return guard('tracing-capture-client', () => instance.tracing.captureAwsClient(client)) ?? client;
}

/**
 * Times a database call: `DbQueries` and `DbQueryLatency` with status success, error or timeout (still
 * running when the invocation timed out), by service, by service and status, and by service,
 * operation, table and status; plus a trace subsegment `db <operation> <table>`. Recorded once.
 */
export async function timeDbQuery<T>(operation: string, table: string, fn: () => Promise<T> | T): Promise<T> {
  const startedAt = performance.now();
  const finish = (status: DbQueryStatus) => {
    if (!runningQueries.delete(timedOut)) return;
    const latency = round(performance.now() - startedAt);
    const dims = { [DIMENSION.operation]: operation, [DIMENSION.table]: table, [DIMENSION.status]: status };
    const rollups = [[], [DIMENSION.status]];
    record(DB_METRIC.queries, 'Count', 1, dims, rollups);
    record(DB_METRIC.latency, 'Milliseconds', latency, dims, rollups);
  };
  const timedOut = () => finish('timeout');
  runningQueries.add(timedOut);
  try {
    const result = await traced(`db ${operation} ${table}`, fn, { db_operation: operation, db_table: table });
    finish('success');
    return result;
  } catch (error) {
    finish('error');
    throw error;
  }
}

/** Counts a cache hit (`CacheHits`, by service and cache). */
export function recordCacheHit(cache: string): void {
  record(CACHE_METRIC.hits, 'Count', 1, { [DIMENSION.cache]: cache });
}

/** Counts a cache miss (`CacheMisses`, by service and cache). */
export function recordCacheMiss(cache: string): void {
  record(CACHE_METRIC.misses, 'Count', 1, { [DIMENSION.cache]: cache });
}

/**
 * A health check's verdict on a target service: `HealthCheckSuccess` (1 up, 0 down) and
 * `HealthCheckLatency`, by service and target: what `HealthCheckMonitoring`'s "service down" alarm
 * reads.
 */
export function recordHealthCheck(target: string, up: boolean, latencyMs: number): void {
  const dimensions = { [DIMENSION.target]: target };
  record(HEALTH_CHECK_METRIC.success, 'Count', up ? 1 : 0, dimensions);
  record(HEALTH_CHECK_METRIC.latency, 'Milliseconds', latencyMs, dimensions);
}

/**
 * Business metrics, each recorded by service plus the given dimensions. Keep dimension values to
 * a small known set: distinct values beyond the per-container cap are counted as `other`.
 */
export const businessMetrics = {
  /** A count, such as registrations or orders placed. */
  count(name: string, dimensions?: Dimensions, value = 1): void {
    record(name, 'Count', value, dimensions);
  },
  /** An amount, such as an order total; every value is kept, so percentiles work. */
  amount(name: string, value: number, dimensions?: Dimensions): void {
    record(name, 'None', value, dimensions);
  },
  /** A level at this moment, such as active users or a conversion rate. */
  gauge(name: string, value: number, unit: Unit = 'None', dimensions?: Dimensions): void {
    record(name, unit, value, dimensions);
  },
  /** A duration in milliseconds, such as order processing time. */
  duration(name: string, milliseconds: number, dimensions?: Dimensions): void {
    record(name, 'Milliseconds', milliseconds, dimensions);
  },
};
