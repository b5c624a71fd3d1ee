/**
 * The metrics an alarm watches that nothing in the sandbox ever puts (AWS/DynamoDB, AWS/States, an
 * SQS metric other than the two the sandbox reads off its queues, ...): such an alarm only ever
 * sees missing data, so start-up says so rather than leave the user waiting for it.
 */
import { isProducedMetric } from '../metrics/produced.js';
import type { AlarmDefinition } from './types.js';

export interface UnproducedMetric {
  alarm: string;
  namespace: string;
  metricName: string;
}

/** Each metric of each alarm (metric math included) the sandbox does not produce, once per alarm. */
export function unproducedMetrics(alarms: readonly AlarmDefinition[]): UnproducedMetric[] {
  const found: UnproducedMetric[] = [];
  for (const alarm of alarms) {
    if (alarm.kind !== 'metric') continue;
    const seen = new Set<string>();
    for (const query of alarm.queries) {
      if (query.kind !== 'metric' || isProducedMetric(query.namespace, query.metricName)) continue;
      const key = `${query.namespace} ${query.metricName}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({ alarm: alarm.name, namespace: query.namespace, metricName: query.metricName });
    }
  }
  return found;
}

export function unproducedMetricLine({ alarm, namespace, metricName }: UnproducedMetric): string {
  return `alarm ${alarm} watches ${namespace} ${metricName}, which the sandbox does not produce: it stays as its missing-data setting leaves it`;
}
