/** Which alarms watch a metric the sandbox never produces: every metric of an alarm, metric math included. */
import { describe, expect, it } from '@jest/globals';
import type { AlarmDefinition, MetricStatQuery } from '../../../sandbox/alarms/index.js';
import { unproducedMetricLine, unproducedMetrics } from '../../../sandbox/alarms/index.js';

const stat = (id: string, namespace: string, metricName: string): MetricStatQuery => ({
  kind: 'metric',
  id,
  namespace,
  metricName,
  dimensions: {},
  periodSeconds: 60,
  statistic: { kind: 'basic', name: 'Sum', text: 'Sum' },
  returnData: false,
});
const alarm = (name: string, queries: MetricStatQuery[]) =>
  ({ kind: 'metric', name, queries }) as unknown as AlarmDefinition;

describe('unproducedMetrics', () => {
  it('names each metric outside what the sandbox produces, once per alarm, inside metric math too', () => {
    const found = unproducedMetrics([
      alarm('Checkout', [
        stat('errors', 'AWS/Lambda', 'Errors'),
        stat('failed', 'AWS/States', 'ExecutionsFailed'),
        stat('failedAgain', 'AWS/States', 'ExecutionsFailed'),
      ]),
      alarm('Backlog', [stat('sent', 'AWS/SQS', 'NumberOfMessagesSent')]),
      alarm('Orders', [
        stat('orders', 'orders-service', 'Orders'),
        stat('api', 'AWS/ApiGateway', '5XXError'),
      ]),
      { kind: 'composite', name: 'Everything' } as unknown as AlarmDefinition,
    ]);
    expect(found).toEqual([
      { alarm: 'Checkout', namespace: 'AWS/States', metricName: 'ExecutionsFailed' },
      { alarm: 'Backlog', namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent' },
    ]);
    expect(unproducedMetricLine(found[0]!)).toBe(
      'alarm Checkout watches AWS/States ExecutionsFailed, which the sandbox does not produce: it stays as its missing-data setting leaves it',
    );
  });
});
