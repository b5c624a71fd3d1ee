import * as cw from 'aws-cdk-lib/aws-cloudwatch';

/** Event sources the runtime library tags non-HTTP invocations with (`event_source` dimension). */
export type EventSource =
  'sqs' | 'sns' | 'eventbridge' | 'schedule' | 's3' | 'dynamodb' | 'kinesis' | 'unknown';

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
      dimensionsMap: { service: this.serviceName, ...dimensions },
      ...(label ? { label } : {}),
    });
  }

  // HTTP invocations: dimension sets [service] and [service, route].
  httpRequests(route?: string) {
    return this.metric('Requests', 'Sum', routeDimension(route), route ?? 'requests');
  }
  httpErrors(route?: string) {
    return this.metric('Errors', 'Sum', routeDimension(route), route ? `${route} 5xx` : '5xx');
  }
  httpClientErrors(route?: string) {
    return this.metric('ClientErrors', 'Sum', routeDimension(route), route ? `${route} 4xx` : '4xx');
  }
  httpLatency(statistic: string, route?: string) {
    return this.metric(
      'Latency',
      statistic,
      routeDimension(route),
      route ? `${route} ${statistic}` : statistic,
    );
  }

  // Other invocations (queues, topics, schedules, ...): dimension set [service, event_source].
  eventInvocations(eventSource: EventSource) {
    return this.metric('Invocations', 'Sum', { event_source: eventSource }, `${eventSource} invocations`);
  }
  eventErrors(eventSource: EventSource) {
    return this.metric('Errors', 'Sum', { event_source: eventSource }, `${eventSource} errors`);
  }
  eventLatency(statistic: string, eventSource: EventSource) {
    return this.metric('Latency', statistic, { event_source: eventSource }, `${eventSource} ${statistic}`);
  }

  // Runtime figures: dimension set [service, function_name].
  coldStarts(functionName: string) {
    return this.metric('ColdStart', 'Sum', { function_name: functionName }, 'cold starts');
  }
  memoryUtilization(functionName: string, statistic = 'Maximum') {
    return this.metric(
      'MemoryUtilization',
      statistic,
      { function_name: functionName },
      `memory % (${statistic})`,
    );
  }
  heapUsed(functionName: string) {
    return this.metric('HeapUsed', 'Maximum', { function_name: functionName }, 'heap MB');
  }
  rss(functionName: string) {
    return this.metric('Rss', 'Maximum', { function_name: functionName }, 'RSS MB');
  }
  eventLoopUtilization(functionName: string, statistic = 'Maximum') {
    return this.metric(
      'EventLoopUtilization',
      statistic,
      { function_name: functionName },
      `event loop % (${statistic})`,
    );
  }

  // Database queries timed with timeDbQuery: dimension sets [service] and [service, status].
  dbQueries(status?: 'success' | 'error') {
    return this.metric(
      'DbQueries',
      'Sum',
      status ? { status } : {},
      status ? `queries ${status}` : 'queries',
    );
  }
  dbQueryLatency(statistic: string) {
    return this.metric('DbQueryLatency', statistic, {}, `query ${statistic}`);
  }

  // Caches: dimension set [service, cache].
  cacheHits(cache: string) {
    return this.metric('CacheHits', 'Sum', { cache }, `${cache} hits`);
  }
  cacheMisses(cache: string) {
    return this.metric('CacheMisses', 'Sum', { cache }, `${cache} misses`);
  }

  // Health check results about a target service: dimension set [service, target].
  healthCheckSuccess(target: string, statistic = 'Minimum') {
    return this.metric('HealthCheckSuccess', statistic, { target }, `${target} healthy`);
  }
  healthCheckLatency(target: string, statistic = 'Maximum') {
    return this.metric('HealthCheckLatency', statistic, { target }, `${target} check ms`);
  }
}

function routeDimension(route: string | undefined): Record<string, string> {
  return route ? { route } : {};
}
