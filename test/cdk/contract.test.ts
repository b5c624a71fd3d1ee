/**
 * The constructs and the runtime agree: every metric of Lookout's namespace that an alarm watches
 * or the dashboard charts, with its exact set of dimensions (a metric with one dimension more or
 * less is another CloudWatch metric), is one the runtime emits. The runtime side is not restated:
 * its EMF output is captured from wrapped handlers and helpers that run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { captureOutput, events, lambdaContext, setLambdaEnv } from '../lib/support.js';
import { dashboardBody, FIXTURE_ENTRY, NO_BUNDLING, resourcesOfType } from './support/template.js';

setLambdaEnv({ POWERTOOLS_TRACE_ENABLED: 'false', POWERTOOLS_METRICS_NAMESPACE: 'Contract' });
const lookout = await import('../../lib/index.js');
const { alertMetrics } = await import('../../lib/handlers/slack-notifier/handler.js');
const { ObservedFunction, ServiceMonitoring, SlackAlerts } = await import('../../lib/cdk/index.js');

const NAMESPACE = 'Contract';
/** `Name{dim1,dim2}`, dimensions sorted. */
const key = (name: string, dimensions: string[]) => `${name}{${[...dimensions].sort().join(',')}}`;

/** Every metric and dimension set the runtime writes, from what it writes. */
async function emittedByRuntime(): Promise<Set<string>> {
  const output = captureOutput();
  try {
    const context = lambdaContext();
    const http = lookout.withObservability(async () => ({ statusCode: 200 }), {
      serviceName: 'orders',
      routes: ['GET /orders/{id}'],
    });
    const worker = lookout.withObservability(
      async () => {
        await lookout.timeDbQuery('GetItem', 'orders', async () => 'found');
        await lookout
          .timeDbQuery('PutItem', 'orders', async () => Promise.reject(new Error('x')))
          .catch(() => {});
        lookout.recordCacheHit('users');
        lookout.recordCacheMiss('users');
        return { batchItemFailures: [] };
      },
      { serviceName: 'orders' },
    );
    const checker = lookout.withObservability(async () => lookout.recordHealthCheck('orders', true, 12), {
      serviceName: 'health-check',
    });
    const notifier = lookout.withObservability(
      async () => {
        alertMetrics.delivered();
        alertMetrics.failed();
        alertMetrics.malformed();
        alertMetrics.latency(40);
        alertMetrics.retries(1);
      },
      { serviceName: 'slack-notifier' },
    );
    await http(events.apiGatewayV2() as never, context);
    await worker(events.sqs() as never, context);
    await checker(
      events.eventBridge({ detailType: 'Scheduled Event', source: 'aws.events' }) as never,
      context,
    );
    await notifier(events.sns() as never, context);
  } finally {
    output.restore();
  }
  const emitted = new Set<string>();
  for (const doc of output.emf()) {
    for (const directive of doc._aws.CloudWatchMetrics) {
      if (directive.Namespace !== NAMESPACE) continue;
      for (const metric of directive.Metrics) {
        for (const dimensions of directive.Dimensions) emitted.add(key(metric.Name, dimensions));
      }
    }
  }
  return emitted;
}

type MetricStat = { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string }[] } };

/** Every metric of the namespace that an alarm watches or a widget charts. */
function usedByConstructs(template: Template): Map<string, string> {
  const used = new Map<string, string>();
  const use = (where: string, namespace: unknown, name: unknown, dimensions: string[]) => {
    if (namespace === NAMESPACE) used.set(key(String(name), dimensions), where);
  };
  for (const [id, { Properties: alarm }] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) {
    if (alarm.MetricName) {
      const dimensions = ((alarm.Dimensions as { Name: string }[] | undefined) ?? []).map((d) => d.Name);
      use(`alarm ${id}`, alarm.Namespace, alarm.MetricName, dimensions);
    }
    for (const query of (alarm.Metrics as { MetricStat?: MetricStat }[] | undefined) ?? []) {
      if (!query.MetricStat) continue;
      const { Namespace, MetricName, Dimensions = [] } = query.MetricStat.Metric;
      use(
        `alarm ${id}`,
        Namespace,
        MetricName,
        Dimensions.map((d) => d.Name),
      );
    }
  }
  for (const widget of dashboardBody(template).widgets) {
    const metrics = (widget.properties.metrics as unknown[][] | undefined) ?? [];
    let previous: unknown[] = [];
    for (const row of metrics) {
      // [namespace, name, dim, value, ..., {options}]; "." repeats the row before.
      const parts = row.filter((part) => typeof part !== 'object');
      const resolved = parts.map((part, i) => (part === '.' ? previous[i] : part));
      previous = resolved;
      if (resolved.length < 2) continue;
      const dimensions = resolved
        .slice(2)
        .filter((_, i) => i % 2 === 0)
        .map(String);
      use(`widget "${String(widget.properties.title)}"`, resolved[0], resolved[1], dimensions);
    }
  }
  return used;
}

describe('the contract between runtime and constructs', () => {
  let emitted: Set<string>;
  let used: Map<string, string>;

  beforeAll(async () => {
    emitted = await emittedByRuntime();
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'Contract');
    const api = new ObservedFunction(stack, 'Api', {
      entry: FIXTURE_ENTRY,
      serviceName: 'orders',
      metricsNamespace: NAMESPACE,
    });
    const worker = new ObservedFunction(stack, 'Worker', {
      entry: FIXTURE_ENTRY,
      serviceName: 'orders',
      metricsNamespace: NAMESPACE,
    });
    const checker = new ObservedFunction(stack, 'Checker', {
      entry: FIXTURE_ENTRY,
      serviceName: 'health-check',
      metricsNamespace: NAMESPACE,
    });
    const alerts = new SlackAlerts(stack, 'Alerts', { metricsNamespace: NAMESPACE });
    new ServiceMonitoring(stack, 'Monitoring', {
      functions: [
        api,
        { function: worker, eventSource: 'sqs' },
        { function: checker, eventSource: 'schedule', asynchronous: true },
      ],
      alarmTopic: alerts.topic,
      http: { routes: ['GET /orders/{id}'] },
      database: {},
      healthCheck: {},
      queues: [{ id: 'Orders', queue: new sqs.Queue(stack, 'Queue') }],
      extraSections: [alerts.alertPath],
    });
    used = usedByConstructs(Template.fromStack(stack));
  }, 60_000);

  afterAll(() => {
    delete process.env.POWERTOOLS_METRICS_NAMESPACE;
  });

  it('finds metrics on both sides (the test reads what it means to)', () => {
    expect(emitted.size).toBeGreaterThan(15);
    expect(used.size).toBeGreaterThan(15);
    expect(emitted).toContain('Requests{route,service}');
    expect(used.has('Requests{service}')).toBe(true);
  });

  it('every metric an alarm watches or the dashboard charts is one the runtime emits', () => {
    const missing = [...used]
      .filter(([metric]) => !emitted.has(metric))
      .map(([metric, where]) => `${metric} (${where})`);
    expect(missing).toEqual([]);
  });
});
