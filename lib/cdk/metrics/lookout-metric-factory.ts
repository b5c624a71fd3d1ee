import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { DbQueryStatus, EventSource } from '../../contract.js';
import { DIMENSION, METRIC } from '../../contract.js';

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
    return this.metric(METRIC.requests, 'Sum', routeDimension(route), route ?? 'requests');
  }
  httpErrors(route?: string) {
    return this.metric(METRIC.errors, 'Sum', routeDimension(route), route ? `${route} 5xx` : '5xx');
  }
  httpClientErrors(route?: string) {
    return this.metric(METRIC.clientErrors, 'Sum', routeDimension(route), route ? `${route} 4xx` : '4xx');
  }
  httpLatency(statistic: string, route?: string) {
    return this.metric(
      METRIC.latency,
      statistic,
      routeDimension(route),
      route ? `${route} ${statistic}` : statistic,
    );
  }

  // Other invocations (queues, topics, schedules, ...): dimension set [service, event_source].
  eventInvocations(eventSource: EventSource) {
    return this.metric(
      METRIC.invocations,
      'Sum',
      { [DIMENSION.eventSource]: eventSource },
      `${eventSource} invocations`,
    );
  }
  eventErrors(eventSource: EventSource) {
    return this.metric(
      METRIC.errors,
      'Sum',
      { [DIMENSION.eventSource]: eventSource },
      `${eventSource} errors`,
    );
  }
  eventLatency(statistic: string, eventSource: EventSource) {
    return this.metric(
      METRIC.latency,
      statistic,
      { [DIMENSION.eventSource]: eventSource },
      `${eventSource} ${statistic}`,
    );
  }

  // Runtime figures: dimension set [service, function_name].
  coldStarts(functionName: string) {
    return this.metric(METRIC.coldStart, 'Sum', { [DIMENSION.functionName]: functionName }, 'cold starts');
  }
  memoryUtilization(functionName: string, statistic = 'Maximum') {
    return this.metric(
      METRIC.memoryUtilization,
      statistic,
      { [DIMENSION.functionName]: functionName },
      `memory % (${statistic})`,
    );
  }
  heapUsed(functionName: string) {
    return this.metric(METRIC.heapUsed, 'Maximum', { [DIMENSION.functionName]: functionName }, 'heap MB');
  }
  rss(functionName: string) {
    return this.metric(METRIC.rss, 'Maximum', { [DIMENSION.functionName]: functionName }, 'RSS MB');
  }
  eventLoopUtilization(functionName: string, statistic = 'Maximum') {
    return this.metric(
      METRIC.eventLoopUtilization,
      statistic,
      { [DIMENSION.functionName]: functionName },
      `event loop % (${statistic})`,
    );
  }

  // Database queries timed with timeDbQuery: dimension sets [service] and [service, status].
  dbQueries(status?: DbQueryStatus) {
    return this.metric(
      METRIC.dbQueries,
      'Sum',
      status ? { [DIMENSION.status]: status } : {},
      status ? `queries ${status}` : 'queries',
    );
  }
  dbQueryLatency(statistic: string) {
    return this.metric(METRIC.dbQueryLatency, statistic, {}, `query ${statistic}`);
  }

  // Caches: dimension set [service, cache].
  cacheHits(cache: string) {
    return this.metric(METRIC.cacheHits, 'Sum', { [DIMENSION.cache]: cache }, `${cache} hits`);
  }
  cacheMisses(cache: string) {
    return this.metric(METRIC.cacheMisses, 'Sum', { [DIMENSION.cache]: cache }, `${cache} misses`);
  }

  // Health check results about a target service: dimension set [service, target].
  healthCheckSuccess(target: string, statistic = 'Minimum') {
    return this.metric(
      METRIC.healthCheckSuccess,
      statistic,
      { [DIMENSION.target]: target },
      `${target} healthy`,
    );
  }
  healthCheckLatency(target: string, statistic = 'Maximum') {
    return this.metric(
      METRIC.healthCheckLatency,
      statistic,
      { [DIMENSION.target]: target },
      `${target} check ms`,
    );
  }
}

function routeDimension(route: string | undefined): Record<string, string> {
  return route ? { [DIMENSION.route]: route } : {};
}
