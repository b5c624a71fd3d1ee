import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LOG_QUERIES, ObservedFunction, ServiceMonitoring } from '../../lib/cdk/index.js';
import type { AlarmSummary, DashboardWidget } from './support/template.js';
import {
  alarmsByName,
  dashboardBody,
  FIXTURE_ENTRY,
  NO_BUNDLING,
  renderValue,
  onlyResource,
  resourcesOfType,
  summarizeAlarm,
  widgetTitled,
} from './support/template.js';

const ROUTES = ['GET /orders/{id}', 'POST /orders'];

function buildStack() {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'Shop');
  const topic = new sns.Topic(stack, 'AlarmTopic');
  const api = new ObservedFunction(stack, 'Api', {
    entry: FIXTURE_ENTRY,
    serviceName: 'orders',
    timeout: Duration.seconds(5),
    reservedConcurrentExecutions: 20,
  });
  const worker = new ObservedFunction(stack, 'Worker', { entry: FIXTURE_ENTRY, serviceName: 'orders' });
  const checker = new ObservedFunction(stack, 'Checker', {
    entry: FIXTURE_ENTRY,
    serviceName: 'health-check',
  });
  const deadLetterQueue = new sqs.Queue(stack, 'Dlq');
  const queue = new sqs.Queue(stack, 'Queue', {
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 3 },
  });
  const monitoring = new ServiceMonitoring(stack, 'Monitoring', {
    functions: [
      api,
      {
        function: worker,
        eventSource: 'sqs',
        alarms: { memoryUtilization: { threshold: 90 }, throttles: { enabled: false } },
      },
      {
        function: checker,
        asynchronous: true,
        eventSource: 'schedule',
        alarms: { errorRate: { severity: 'warning' } },
      },
    ],
    alarmTopic: topic,
    http: { routes: ROUTES, alarms: { latencyP95: { threshold: 750 } } },
    database: {},
    healthCheck: {},
    queues: [{ id: 'Orders', queue, deadLetterQueue }],
    businessWidgets: [
      {
        title: 'Orders created by category',
        metrics: [{ metricName: 'Orders', dimensions: { status: 'created' } }],
        splitBy: { dimension: 'category', values: ['books', 'home'] },
        stacked: true,
      },
      {
        title: 'Revenue',
        metrics: [{ metricName: 'OrderAmount', statistic: 'Sum', label: 'revenue' }],
        view: 'singleValue',
      },
    ],
  });
  return { stack, monitoring, template: Template.fromStack(stack) };
}

const { stack, monitoring, template } = buildStack();
const ids = {
  topic: resourcesOfType(template, 'AWS::SNS::Topic')[0]![0],
  fn: (id: string) => stack.getLogicalId(stack.node.findChild(id).node.defaultChild as never),
  queue: (id: string) => stack.getLogicalId(stack.node.findChild(id).node.defaultChild as never),
};
const toTopic = [`\${${ids.topic}}`];
const lambda = (name: string, stat: string, fn: string) =>
  `AWS/Lambda/${name} ${stat} {FunctionName=\${${ids.fn(fn)}}}`;
const lookout = (name: string, stat: string, dims: string) => `Lookout/${name} ${stat} {${dims}}`;
const RATE = 'IF(total > 0, 100 * FILL(failed, 0) / total, 0)';

function functionAlarms(fn: string, over: { timeoutMs: number; memory?: number; severity?: string }) {
  const byName: Record<string, AlarmSummary> = {
    [`Shop-orders-${fn}-ErrorRate`]: {
      metric: RATE,
      inputs: { failed: lambda('Errors', 'Sum', fn), total: lambda('Invocations', 'Sum', fn) },
      period: 300,
      threshold: 10,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      severity: over.severity ?? 'critical',
      actions: toTopic,
    },
    [`Shop-orders-${fn}-DurationP99`]: {
      metric: lambda('Duration', 'p99', fn),
      period: 60,
      threshold: over.timeoutMs * 0.8,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: 'notBreaching',
      severity: 'warning',
      actions: toTopic,
    },
    [`Shop-orders-${fn}-MemoryUtilization`]: {
      metric: lookout(
        'MemoryUtilization',
        'Maximum',
        `function_name=\${${ids.fn(fn)}},service=${fn === 'Checker' ? 'health-check' : 'orders'}`,
      ),
      period: 60,
      threshold: over.memory ?? 80,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: 'notBreaching',
      severity: 'warning',
      actions: toTopic,
    },
    [`Shop-orders-${fn}-Throttles`]: {
      metric: lambda('Throttles', 'Sum', fn),
      period: 60,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      severity: 'warning',
      actions: toTopic,
    },
  };
  return byName;
}

const expectedAlarms: Record<string, AlarmSummary> = {
  'Shop-orders-ServiceDown': {
    metric: lookout('HealthCheckSuccess', 'Minimum', 'service=health-check,target=orders'),
    period: 60,
    threshold: 1,
    comparison: 'LessThanThreshold',
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: 'breaching',
    severity: 'critical',
    actions: toTopic,
  },
  'Shop-orders-Http-ErrorRate': {
    metric: RATE,
    inputs: {
      failed: lookout('Errors', 'Sum', 'service=orders'),
      total: lookout('Requests', 'Sum', 'service=orders'),
    },
    period: 300,
    threshold: 10,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    severity: 'critical',
    actions: toTopic,
  },
  'Shop-orders-Http-LatencyP95': {
    metric: lookout('Latency', 'p95', 'service=orders'),
    period: 60,
    threshold: 750,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    treatMissingData: 'notBreaching',
    severity: 'warning',
    actions: toTopic,
  },
  ...functionAlarms('Api', { timeoutMs: 5000 }),
  'Shop-orders-Api-Concurrency': {
    metric: lambda('ConcurrentExecutions', 'Maximum', 'Api'),
    period: 60,
    threshold: 16,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: 'notBreaching',
    severity: 'warning',
    actions: toTopic,
  },
  ...functionAlarms('Worker', { timeoutMs: 10_000, memory: 90 }),
  ...functionAlarms('Checker', { timeoutMs: 10_000, severity: 'warning' }),
  'Shop-orders-Checker-AsyncDeliveryFailures': {
    metric: 'FILL(dlq, 0) + FILL(destination, 0) + FILL(dropped, 0)',
    inputs: {
      dlq: lambda('DeadLetterErrors', 'Sum', 'Checker'),
      destination: lambda('DestinationDeliveryFailures', 'Sum', 'Checker'),
      dropped: lambda('AsyncEventsDropped', 'Sum', 'Checker'),
    },
    period: 60,
    threshold: 0,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    severity: 'warning',
    actions: toTopic,
  },
  'Shop-orders-Db-ErrorRate': {
    metric: 'IF(total > 0, 100 * (FILL(errors, 0) + FILL(timeouts, 0)) / total, 0)',
    inputs: {
      errors: lookout('DbQueries', 'Sum', 'service=orders,status=error'),
      timeouts: lookout('DbQueries', 'Sum', 'service=orders,status=timeout'),
      total: lookout('DbQueries', 'Sum', 'service=orders'),
    },
    period: 300,
    threshold: 5,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    severity: 'critical',
    actions: toTopic,
  },
  'Shop-orders-Db-LatencyP95': {
    metric: lookout('DbQueryLatency', 'p95', 'service=orders'),
    period: 60,
    threshold: 500,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    treatMissingData: 'notBreaching',
    severity: 'warning',
    actions: toTopic,
  },
  'Shop-orders-Orders-OldestMessageAge': {
    metric: `AWS/SQS/ApproximateAgeOfOldestMessage Maximum {QueueName=\${${ids.queue('Queue')}.QueueName}}`,
    period: 60,
    threshold: 300,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    treatMissingData: 'notBreaching',
    severity: 'warning',
    actions: toTopic,
  },
  'Shop-orders-Orders-DeadLetterMessages': {
    metric: `AWS/SQS/ApproximateNumberOfMessagesVisible Maximum {QueueName=\${${ids.queue('Dlq')}.QueueName}}`,
    period: 60,
    threshold: 0,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    severity: 'warning',
    actions: toTopic,
  },
};
delete expectedAlarms['Shop-orders-Worker-Throttles'];

describe('ServiceMonitoring alarms', () => {
  const alarms = alarmsByName(template);

  it('creates exactly the expected alarms', () => {
    expect([...alarms.keys()].sort()).toEqual(Object.keys(expectedAlarms).sort());
  });

  it.each(Object.keys(expectedAlarms))(
    '%s: metric, statistic, threshold, window, missing data, actions',
    (name) => {
      expect(summarizeAlarm(alarms.get(name)!)).toEqual(expectedAlarms[name]);
    },
  );

  it('describes what each alarm means and what to do first', () => {
    for (const [name, props] of alarms) {
      expect({ name, description: props.AlarmDescription }).toEqual({
        name,
        description: expect.stringMatching(/^\[(critical|warning)\] .+\. First: .+/),
      });
    }
    expect(alarms.get('Shop-orders-Api-DurationP99')!.AlarmDescription).toContain(
      '4000 ms (80% of its 5000 ms timeout)',
    );
  });

  it('joins the critical alarms, and only those, into one "service unhealthy" composite', () => {
    const [, composite] = onlyResource(template, 'AWS::CloudWatch::CompositeAlarm');
    expect(composite.Properties.AlarmName).toBe('Shop-orders-ServiceUnhealthy');
    expect(composite.Properties.AlarmActions).toEqual([{ Ref: ids.topic }]);
    expect(composite.Properties.OKActions).toEqual([{ Ref: ids.topic }]);
    expect(String(composite.Properties.AlarmDescription)).toMatch(/^\[critical\] orders is unhealthy/);
    const watched = [
      ...renderValue(composite.Properties.AlarmRule).matchAll(/ALARM\("\$\{(\w+)\.Arn\}"\)/g),
    ].map((m) => m[1]);
    const critical = resourcesOfType(template, 'AWS::CloudWatch::Alarm')
      .filter(([, r]) => String(r.Properties.AlarmDescription).startsWith('[critical]'))
      .map(([id]) => id);
    expect(watched.sort()).toEqual(critical.sort());
    expect(critical).toHaveLength(5);
    expect(monitoring.alarms.filter((a) => a.severity === 'critical')).toHaveLength(5);
  });
});

describe('ServiceMonitoring dashboard', () => {
  const body = dashboardBody(template);
  const metricsOf = (widget: DashboardWidget) => widget.properties.metrics as unknown[][];

  it('is named after the stack and service', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Shop-orders' });
  });

  it('starts with the alarm status of every alarm and the composite', () => {
    const status = body.widgets.find((w) => w.type === 'alarm')!;
    expect(body.widgets.indexOf(status)).toBeLessThan(3);
    expect((status.properties.alarms as string[]).length).toBe(Object.keys(expectedAlarms).length + 1);
  });

  it('charts requests, errors, error rate and latency percentiles, overall and per route', () => {
    const requests = widgetTitled(body, 'Requests per minute');
    expect(metricsOf(requests)).toEqual([
      ['Lookout', 'Requests', 'service', 'orders', { label: 'requests', stat: 'Sum' }],
    ]);
    expect(requests.properties.period).toBe(60);
    const rate = metricsOf(widgetTitled(body, '5xx error rate (%)'));
    expect(rate[0]).toEqual([expect.objectContaining({ expression: RATE })]);
    for (const [title, stat] of [
      ['Latency p50 by route (ms)', 'p50'],
      ['Latency p90 by route (ms)', 'p90'],
      ['Latency p99 by route (ms)', 'p99'],
    ] as const) {
      expect(metricsOf(widgetTitled(body, title))).toEqual(
        ROUTES.map((route) => [
          'Lookout',
          'Latency',
          'route',
          route,
          'service',
          'orders',
          expect.objectContaining({ stat }),
        ]),
      );
    }
    const overall = widgetTitled(body, 'Latency p50 / p90 / p99 (ms)');
    expect(metricsOf(overall).map((m) => (m.at(-1) as { stat: string }).stat)).toEqual(['p50', 'p90', 'p99']);
    expect(overall.properties.annotations).toEqual({
      horizontal: [{ value: 750, label: 'p95 alarm', yAxis: 'left' }],
    });
  });

  it('charts each function: invocations, duration against its timeout, throttles, concurrency, cold starts', () => {
    const duration = widgetTitled(body, 'Api: duration vs timeout (ms)');
    expect(duration.properties.annotations).toEqual({
      horizontal: [{ value: 5000, label: 'timeout', yAxis: 'left' }],
    });
    const throttles = widgetTitled(body, 'Api: throttles and concurrency');
    expect(JSON.stringify(throttles.properties.metrics)).toContain('ConcurrentExecutions');
    expect(throttles.properties.annotations).toEqual({
      horizontal: [{ value: 20, label: 'reserved concurrency', yAxis: 'left' }],
    });
    expect(metricsOf(widgetTitled(body, 'Worker: cold starts'))[0]).toEqual([
      'Lookout',
      'ColdStart',
      'function_name',
      `\${${ids.fn('Worker')}}`,
      'service',
      'orders',
      expect.objectContaining({ stat: 'Sum' }),
    ]);
    for (const fn of ['Api', 'Worker', 'Checker']) {
      widgetTitled(body, `${fn}: invocations and errors`);
      widgetTitled(body, `${fn}: memory utilization (%)`);
      widgetTitled(body, `${fn}: heap and RSS (MB)`);
      widgetTitled(body, `${fn}: event loop utilization (%)`);
    }
    expect(widgetTitled(body, 'Worker: memory utilization (%)').properties.annotations).toEqual({
      horizontal: [{ value: 90, label: 'alarm', yAxis: 'left' }],
    });
    widgetTitled(body, 'Worker: sqs events');
    widgetTitled(body, 'Checker: async delivery');
    expect(() => widgetTitled(body, 'Api: async delivery')).toThrow();
  });

  it('charts the database, the health check, the queue and the business figures', () => {
    expect(metricsOf(widgetTitled(body, 'DB queries by status'))).toEqual([
      [
        'Lookout',
        'DbQueries',
        'service',
        'orders',
        'status',
        'success',
        expect.objectContaining({ stat: 'Sum' }),
      ],
      [
        'Lookout',
        'DbQueries',
        'service',
        'orders',
        'status',
        'error',
        expect.objectContaining({ stat: 'Sum' }),
      ],
      [
        'Lookout',
        'DbQueries',
        'service',
        'orders',
        'status',
        'timeout',
        expect.objectContaining({ stat: 'Sum' }),
      ],
    ]);
    widgetTitled(body, 'DB query latency p50 / p95 / p99 (ms)');
    widgetTitled(body, 'orders health check (1 = healthy)');
    widgetTitled(body, 'Orders: oldest message age (s)');
    widgetTitled(body, 'Orders: dead-letter messages');
    const orders = widgetTitled(body, 'Orders created by category');
    expect(orders.properties.stacked).toBe(true);
    expect(metricsOf(orders)).toEqual([
      [
        'Lookout',
        'Orders',
        'category',
        'books',
        'service',
        'orders',
        'status',
        'created',
        expect.objectContaining({ label: 'books', stat: 'Sum' }),
      ],
      [
        'Lookout',
        'Orders',
        'category',
        'home',
        'service',
        'orders',
        'status',
        'created',
        expect.objectContaining({ label: 'home', stat: 'Sum' }),
      ],
    ]);
    expect(widgetTitled(body, 'Revenue').type).toBe('metric');
    expect(widgetTitled(body, 'Revenue').properties.view).toBe('singleValue');
  });

  it('ends with recent errors from every function log group', () => {
    const logWidget = body.widgets.find((w) => w.type === 'log')!;
    const query = String(logWidget.properties.query);
    expect(query.match(/SOURCE '\$\{\w+LogGroup\w+\}'/g)).toHaveLength(3);
    expect(query).toContain('filter level in ["ERROR", "CRITICAL", "FATAL"]');
    expect(body.widgets.indexOf(logWidget)).toBe(body.widgets.length - 1);
  });

  it('lays every widget inside the 24-unit grid without overlaps', () => {
    const cells = new Set<string>();
    for (const w of body.widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++) {
        for (let y = w.y; y < w.y + w.height; y++) {
          const cell = `${x},${y}`;
          expect(cells.has(cell)).toBe(false);
          cells.add(cell);
        }
      }
    }
  });
});

describe('ServiceMonitoring saved queries', () => {
  it('saves the four Logs Insights queries in the service folder over every function log group', () => {
    const queries = resourcesOfType(template, 'AWS::Logs::QueryDefinition').map(([, r]) => r.Properties);
    expect(queries.map((q) => q.Name).sort()).toEqual(
      Object.values(LOG_QUERIES)
        .map((q) => `orders/${q.title}`)
        .sort(),
    );
    for (const q of queries) expect(q.LogGroupNames).toHaveLength(3);
    const byName = new Map(queries.map((q) => [q.Name, String(q.QueryString)]));
    expect(byName.get('orders/errors with correlation ids')).toContain('correlation_id');
    expect(byName.get('orders/slowest requests')).toContain('sort latency_ms desc');
    expect(byName.get('orders/cold starts')).toContain('record.metrics.initDurationMs');
    expect(byName.get('orders/request trail by correlation id')).toMatch(/filter correlation_id = ".+"/);
  });
});

describe('ServiceMonitoring input checks', () => {
  function attempt(build: (stack: Stack, topic: sns.Topic) => void) {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'Bad');
    const topic = new sns.Topic(stack, 'Topic');
    return () => build(stack, topic);
  }

  it('needs at least one function', () => {
    expect(
      attempt((stack, topic) => new ServiceMonitoring(stack, 'M', { functions: [], alarmTopic: topic })),
    ).toThrow(/at least one function/);
  });

  it('refuses routes that are not templates', () => {
    expect(
      attempt((stack, topic) => {
        const fn = new ObservedFunction(stack, 'Fn', { entry: FIXTURE_ENTRY });
        new ServiceMonitoring(stack, 'M', {
          functions: [fn],
          alarmTopic: topic,
          http: { routes: ['/orders'] },
        });
      }),
    ).toThrow(/Route "\/orders" is not a template/);
  });

  it('refuses two functions whose alarm names would collide', () => {
    expect(
      attempt((stack, topic) => {
        const a = new ObservedFunction(stack, 'Handler', { entry: FIXTURE_ENTRY });
        const b = new ObservedFunction(new Construct(stack, 'Group'), 'Handler', { entry: FIXTURE_ENTRY });
        new ServiceMonitoring(stack, 'M', { functions: [a, b], alarmTopic: topic });
      }),
    ).toThrow(/these ids repeat: Handler/);
  });
});
