import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { DbQueryStatus, EventSource } from '../../contract.js';
import {
  DB_METRIC,
  CACHE_METRIC,
  DIMENSION,
  EVENT_METRIC,
  HEALTH_CHECK_METRIC,
  HTTP_METRIC,
  RUNTIME_METRIC,
} from '../../contract.js';

export type { EventSource };

/**
 * The EMF metrics the Lookout runtime library writes for one service. Names and dimension sets
 * here must match what the library emits; a metric with one dimension more or less is a
 * different CloudWatch metric. No period or unit is set: alarms and widgets choose the period,
 * and leaving the unit out keeps a unit mismatch from hiding the data.
 */
export class LookoutMetricFactory {
  constructor(
    readonly namespace: string,
    readonly serviceName: string,
  ) {}

  /** Any metric of this service: `{service, ...dimensions}`. */
  metric(metricName: string, statistic: string, dimensions: Record<string, string> = {}, label?: string) {
    return new cw.Metric({
      namespace: this.namespace,
      metricName,
      statistic,
      dimensionsMap: { [DIMENSION.service]: this.serviceName, ...dimensions },
      ...(label ? { label } : {}),
    });
  }

  // HTTP invocations: dimension sets [service] and [service, route].
  httpRequests(route?: string) {
    return this.metric(HTTP_METRIC.requests, 'Sum', routeDimension(route), route ?? 'requests');
  }
  httpErrors(route?: string) {
    return this.metric(HTTP_METRIC.errors, 'Sum', routeDimension(route), route ? `${route} 5xx` : '5xx');
  }
  httpClientErrors(route?: string) {
    return this.metric(
      HTTP_METRIC.clientErrors,
      'Sum',
      routeDimension(route),
      route ? `${route} 4xx` : '4xx',
    );
  }
  httpLatency(statistic: string, route?: string) {
    return this.metric(
      HTTP_METRIC.latency,
      statistic,
      routeDimension(route),
      route ? `${route} ${statistic}` : statistic,
    );
  }

  // Other invocations (queues, topics, schedules, ...): dimension set [service, event_source].
  eventInvocations(eventSource: EventSource) {
    return this.metric(
      EVENT_METRIC.invocations,
      'Sum',
      { [DIMENSION.eventSource]: eventSource },
      `${eventSource} invocations`,
    );
  }
  eventErrors(eventSource: EventSource) {
    return this.metric(
      EVENT_METRIC.errors,
      'Sum',
      { [DIMENSION.eventSource]: eventSource },
      `${eventSource} errors`,
    );
  }
  eventLatency(statistic: string, eventSource: EventSource) {
    return this.metric(
      EVENT_METRIC.latency,
      statistic,
      { [DIMENSION.eventSource]: eventSource },
      `${eventSource} ${statistic}`,
    );
  }

  // Runtime figures: dimension set [service, function_name].
  coldStarts(functionName: string) {
    return this.metric(
      RUNTIME_METRIC.coldStart,
      'Sum',
      { [DIMENSION.functionName]: functionName },
      'cold starts',
    );
  }
  memoryUtilization(functionName: string, statistic = 'Maximum') {
    return this.metric(
      RUNTIME_METRIC.memoryUtilization,
      statistic,
      { [DIMENSION.functionName]: functionName },
      `memory % (${statistic})`,
    );
  }
  heapUsed(functionName: string) {
    return this.metric(
      RUNTIME_METRIC.heapUsed,
      'Maximum',
      { [DIMENSION.functionName]: functionName },
      'heap MB',
    );
  }
  rss(functionName: string) {
    return this.metric(RUNTIME_METRIC.rss, 'Maximum', { [DIMENSION.functionName]: functionName }, 'RSS MB');
  }
  eventLoopUtilization(functionName: string, statistic = 'Maximum') {
    return this.metric(
      RUNTIME_METRIC.eventLoopUtilization,
      statistic,
      { [DIMENSION.functionName]: functionName },
      `event loop % (${statistic})`,
    );
  }

  // Database queries timed with timeDbQuery: dimension sets [service] and [service, status].
  dbQueries(status?: DbQueryStatus) {
    return this.metric(
      DB_METRIC.queries,
      'Sum',
      status ? { [DIMENSION.status]: status } : {},
      status ? `queries ${status}` : 'queries',
    );
  }
  dbQueryLatency(statistic: string) {
    return this.metric(DB_METRIC.latency, statistic, {}, `query ${statistic}`);
  }

  // Caches: dimension set [service, cache].
  cacheHits(cache: string) {
    return this.metric(CACHE_METRIC.hits, 'Sum', { [DIMENSION.cache]: cache }, `${cache} hits`);
  }
  cacheMisses(cache: string) {
    return this.metric(CACHE_METRIC.misses, 'Sum', { [DIMENSION.cache]: cache }, `${cache} misses`);
  }

  // Health check results about a target service: dimension set [service, target].
  healthCheckSuccess(target: string, statistic = 'Minimum') {
    return this.metric(
      HEALTH_CHECK_METRIC.success,
      statistic,
      { [DIMENSION.target]: target },
      `${target} healthy`,
    );
  }
  healthCheckLatency(target: string, statistic = 'Maximum') {
    return this.metric(
      HEALTH_CHECK_METRIC.latency,
      statistic,
      { [DIMENSION.target]: target },
      `${target} check ms`,
    );
  }
}

function routeDimension(route: string | undefined): Record<string, string> {
  return route ? { [DIMENSION.route]: route } : {};
}
