import { readAlarmsFromTemplate } from '../../../sandbox/alarms/index.js';
import {
  parseDashboard,
  readDashboardsFromTemplate,
  type MetricWidget,
} from '../../../sandbox/console/dashboard.js';
import { computeDashboardData, computeWidgetData } from '../../../sandbox/console/data.js';
import { MetricStore } from '../../../sandbox/metrics/index.js';
import { CDK_ERROR_ALARM, synthesizeDashboardStack } from './support/cdk-dashboard.js';

const MINUTE = 60_000;
/** 12:00:00 UTC: a period boundary. */
const T = Date.UTC(2025, 0, 15, 12, 0, 0);
const SERVICE = { service: 'orders' };

function storeWith(
  points: { name: string; minute: number; values: number[]; dimensions?: Record<string, string> }[],
): MetricStore {
  const store = new MetricStore();
  for (const { name, minute, values, dimensions } of points) {
    // `minute` minutes before T, 5 s into that minute.
    store.put({
      namespace: 'Lookout',
      name,
      dimensions: dimensions ?? SERVICE,
      values,
      timestamp: T - minute * MINUTE + 5000,
    });
  }
  return store;
}

function widget(properties: Record<string, unknown>): MetricWidget {
  const parsed = parseDashboard({ widgets: [{ type: 'metric', properties: { period: 60, ...properties } }] })
    .widgets[0]!;
  if (parsed.type !== 'metric')
    throw new Error(`fixture widget is ${parsed.type}: ${JSON.stringify(parsed)}`);
  return parsed;
}

const at = (minute: number) => T - minute * MINUTE;

describe('metric rows', () => {
  const store = storeWith([
    { name: 'Requests', minute: 5, values: [1, 1, 1] },
    { name: 'Requests', minute: 3, values: [4] },
    { name: 'Requests', minute: 1, values: [2, 2] },
    { name: 'Requests', minute: 0, values: [9] }, // the current, incomplete period
  ]);

  test('each period holds the statistic of its samples; only complete periods, missing ones left out', () => {
    const data = computeWidgetData(
      widget({ metrics: [['Lookout', 'Requests', 'service', 'orders', { stat: 'Sum' }]] }),
      store,
      { now: T + 30_000, windowMs: 10 * MINUTE },
    );
    expect(data).toMatchObject({ view: 'timeSeries', start: T + 30_000 - 10 * MINUTE, end: T + 30_000 });
    expect(data.series).toEqual([
      {
        id: 'm1',
        kind: 'metric',
        label: 'Requests',
        yAxis: 'left',
        periodSeconds: 60,
        stat: 'Sum',
        points: [
          [at(5), 3],
          [at(3), 4],
          [at(1), 4],
        ],
        latest: 4,
      },
    ]);
  });

  test('liveData includes the current period', () => {
    const data = computeWidgetData(
      widget({ liveData: true, metrics: [['Lookout', 'Requests', 'service', 'orders', { stat: 'Sum' }]] }),
      store,
      { now: T + 30_000, windowMs: 10 * MINUTE },
    );
    expect(data.series[0]!.points.at(-1)).toEqual([T, 9]);
    expect(data.series[0]!.latest).toBe(9);
  });

  test('the widget statistic applies unless the row names its own', () => {
    const data = computeWidgetData(
      widget({
        stat: 'SampleCount',
        metrics: [
          ['Lookout', 'Requests', 'service', 'orders'],
          ['...', { stat: 'Maximum', label: 'max' }],
        ],
      }),
      store,
      { now: T, windowMs: 10 * MINUTE },
    );
    expect(data.series.map((s) => [s.label, s.points.map(([, v]) => v)])).toEqual([
      ['Requests SampleCount', [3, 1, 2]],
      ['max', [1, 4, 2]],
    ]);
  });

  test('rows of one metric get labels that tell them apart (statistic, dimension values)', () => {
    const latency = storeWith([
      { name: 'Latency', minute: 2, values: Array.from({ length: 100 }, (_, i) => i + 1) },
      { name: 'Orders', minute: 2, values: [3], dimensions: { service: 'orders', category: 'books' } },
      { name: 'Orders', minute: 2, values: [5], dimensions: { service: 'orders', category: 'home' } },
    ]);
    const data = computeWidgetData(
      widget({
        metrics: [
          ['Lookout', 'Latency', 'service', 'orders', { stat: 'p50' }],
          ['...', { stat: 'p99' }],
          ['Lookout', 'Orders', 'service', 'orders', 'category', 'books', { stat: 'Sum' }],
          ['...', 'home', { stat: 'Sum' }],
        ],
      }),
      latency,
      { now: T, windowMs: 5 * MINUTE },
    );
    expect(data.series.map((s) => [s.label, s.latest])).toEqual([
      ['Latency p50', 50],
      ['Latency p99', 99],
      ['Orders books', 3],
      ['Orders home', 5],
    ]);
  });

  test('an unknown statistic is reported on its series; the other series still come', () => {
    const data = computeWidgetData(
      widget({
        metrics: [
          ['Lookout', 'Requests', 'service', 'orders', { stat: 'WM(10%:90%)' }],
          ['Lookout', 'Requests', 'service', 'orders', { stat: 'Sum', label: 'ok' }],
        ],
      }),
      store,
      { now: T, windowMs: 10 * MINUTE },
    );
    expect(data.series[0]).toMatchObject({
      points: [],
      error: expect.stringMatching(/unsupported statistic "WM/),
    });
    expect(data.series[0]!.latest).toBeUndefined();
    expect(data.series[1]).toMatchObject({ label: 'ok', latest: 4 });
    expect(data.series[1]!.error).toBeUndefined();
  });

  test('rows with different periods each get their own grid', () => {
    const data = computeWidgetData(
      widget({
        metrics: [
          ['Lookout', 'Requests', 'service', 'orders', { stat: 'Sum', period: 60 }],
          ['Lookout', 'Requests', 'service', 'orders', { stat: 'Sum', period: 300, label: 'per 5 min' }],
        ],
      }),
      store,
      { now: T, windowMs: 10 * MINUTE },
    );
    expect(data.series[1]).toMatchObject({ periodSeconds: 300, points: [[at(5), 3 + 4 + 4]] });
    expect(data.series[0]!.points).toHaveLength(3);
  });

  test('a long window keeps the newest periods up to maxPointsPerSeries', () => {
    const data = computeWidgetData(
      widget({ metrics: [['Lookout', 'Requests', 'service', 'orders', { stat: 'Sum' }]] }),
      store,
      { now: T, windowMs: 60 * MINUTE, maxPointsPerSeries: 4 },
    );
    expect(data.series[0]!.points).toEqual([
      [at(3), 4],
      [at(1), 4],
    ]);
  });

  test('setPeriodToTimeRange on a single-value widget: one value over the whole window', () => {
    const data = computeWidgetData(
      widget({
        view: 'singleValue',
        setPeriodToTimeRange: true,
        metrics: [['Lookout', 'Requests', 'service', 'orders', { stat: 'Sum' }]],
      }),
      store,
      { now: T, windowMs: 4 * MINUTE },
    );
    // Minutes 3 and 1 fall inside the last 4 minutes; minute 5 does not.
    expect(data.series[0]).toMatchObject({ periodSeconds: 240, latest: 8, points: [[T - 4 * MINUTE, 8]] });
  });

  test("a widget with its own start shows its own range, not the dashboard's (SLO burn over the last N)", () => {
    const data = computeWidgetData(
      widget({
        view: 'singleValue',
        setPeriodToTimeRange: true,
        start: '-PT2M',
        metrics: [['Lookout', 'Requests', 'service', 'orders', { stat: 'Sum' }]],
      }),
      store,
      { now: T, windowMs: 4 * MINUTE },
    );
    // Only minute 1 falls inside the widget's last 2 minutes.
    expect(data).toMatchObject({ start: T - 2 * MINUTE, end: T });
    expect(data.series[0]).toMatchObject({ periodSeconds: 120, latest: 4 });
  });

  test('counts slow requests with TC(:threshold), as the SLO budget widget does', () => {
    const latencies = storeWith([
      { name: 'Latency', minute: 3, values: [200, 1000, 1500, 3000] },
      { name: 'Latency', minute: 1, values: [900, 999, 1001, 400, 100, 100] },
    ]);
    const data = computeWidgetData(
      widget({
        view: 'singleValue',
        setPeriodToTimeRange: true,
        start: '-P30D',
        metrics: [
          [
            {
              expression: 'IF(valid > 0, 100 * (1 - FILL(bad, 0) / valid / 0.5), 100)',
              label: 'budget left %',
            },
          ],
          [{ expression: 'FILL(valid, 0) - FILL(good, 0)', id: 'bad', visible: false }],
          ['Lookout', 'Latency', 'service', 'orders', { id: 'valid', stat: 'SampleCount', visible: false }],
          ['.', '.', '.', '.', { id: 'good', stat: 'TC(:1000)', visible: false }],
        ],
      }),
      latencies,
      { now: T },
    );
    // 3 of 10 requests over 1000 ms is 30% bad against a 50% budget: 40% of the budget left.
    expect(data.series[0]).toMatchObject({ label: 'budget left %', periodSeconds: 30 * 24 * 3600 });
    expect(data.series[0]!.latest).toBeCloseTo(40, 9);
  });

  test('bad arguments are refused', () => {
    const w = widget({ metrics: [['Lookout', 'Requests']] });
    expect(() => computeWidgetData(w, store, { now: Number.NaN })).toThrow(/now must be a finite/);
    expect(() => computeWidgetData(w, store, { now: T, windowMs: 0 })).toThrow(
      /windowMs must be a positive number/,
    );
  });
});

describe('metric math rows', () => {
  const store = storeWith([
    { name: 'Requests', minute: 4, values: [10] },
    { name: 'Requests', minute: 3, values: [20] },
    { name: 'Errors', minute: 3, values: [5] },
    { name: 'Requests', minute: 2, values: [0] },
    { name: 'Errors', minute: 1, values: [2] },
  ]);
  const rows = (expression: string, extra: Record<string, unknown> = {}) => [
    ['Lookout', 'Requests', 'service', 'orders', { id: 'requests', stat: 'Sum', visible: false }],
    ['Lookout', 'Errors', 'service', 'orders', { id: 'errors', stat: 'Sum', visible: false }],
    [{ expression, id: 'rate', ...extra }],
  ];

  test('an expression is computed from hidden rows, which are not drawn; label, id and axis are kept', () => {
    const data = computeWidgetData(
      widget({
        metrics: rows('IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)', {
          label: 'error rate %',
          yAxis: 'right',
        }),
      }),
      store,
      { now: T, windowMs: 5 * MINUTE },
    );
    expect(data.series).toHaveLength(1);
    expect(data.series[0]).toMatchObject({
      id: 'rate',
      kind: 'expression',
      label: 'error rate %',
      yAxis: 'right',
    });
    // Minute 1 has errors but no requests: the condition is missing, so IF gives no datapoint
    // (CloudWatch's IF table); minute 2 has zero requests: the else branch.
    expect(data.series[0]!.points).toEqual([
      [at(4), 0],
      [at(3), 25],
      [at(2), 0],
    ]);
  });

  test('without a label the expression text is the legend; dynamic labels are filled in', () => {
    const data = computeWidgetData(
      widget({
        metrics: [
          [
            'Lookout',
            'Requests',
            'service',
            'orders',
            { id: 'requests', stat: 'Sum', label: "${PROP('Dim.service')} last ${LAST}, max ${MAX}" },
          ],
          [{ expression: 'requests * 2' }],
        ],
      }),
      store,
      { now: T, windowMs: 5 * MINUTE },
    );
    expect(data.series.map((s) => s.label)).toEqual(['orders last 0, max 20', 'requests * 2']);
    expect(data.series[1]!.points.map(([, v]) => v)).toEqual([20, 40, 0]);
  });

  test('an expression that returns one number is drawn as a flat line', () => {
    const data = computeWidgetData(widget({ metrics: rows('MAX(requests)') }), store, {
      now: T,
      windowMs: 3 * MINUTE,
    });
    expect(data.series[0]!.points).toEqual([
      [at(3), 20],
      [at(2), 20],
      [at(1), 20],
    ]);
  });

  test('an expression that returns several series gives one series each', () => {
    const data = computeWidgetData(widget({ metrics: rows('METRICS()', { label: 'all' }) }), store, {
      now: T,
      windowMs: 5 * MINUTE,
    });
    expect(data.series.map((s) => [s.label, s.points.length])).toEqual([
      ['all 1', 3],
      ['all 2', 2],
    ]);
  });

  test.each([
    ['requests +', /unexpected end of expression/],
    ['nothing * 2', /unknown id nothing/],
    ['SELECT AVG(Latency) FROM Lookout', /Metrics Insights queries are not supported by the sandbox/],
    ["SEARCH('{Lookout} Requests', 'Sum', 60)", /SEARCH expressions are not supported by the sandbox/],
  ])('%s is reported on the series', (expression, message) => {
    const data = computeWidgetData(widget({ metrics: rows(expression, { label: 'bad' }) }), store, {
      now: T,
      windowMs: 5 * MINUTE,
    });
    expect(data.series).toEqual([
      expect.objectContaining({ label: 'bad', points: [], error: expect.stringMatching(message) }),
    ]);
  });

  test('expressions that refer to each other in a cycle are reported, not looped on', () => {
    const data = computeWidgetData(
      widget({
        metrics: [[{ expression: 'b + 1', id: 'a' }], [{ expression: 'a + 1', id: 'b', visible: false }]],
      }),
      store,
      { now: T, windowMs: 5 * MINUTE },
    );
    expect(data.series[0]!.error).toMatch(/cycle: a → b → a/);
  });
});

describe('alarm widgets and whole dashboards', () => {
  const template = synthesizeDashboardStack();
  const dashboard = readDashboardsFromTemplate(template, { region: 'eu-west-2' }).dashboards[0]!.dashboard;
  const { alarms } = readAlarmsFromTemplate(template, { region: 'eu-west-2' });
  const store = storeWith([
    { name: 'Requests', minute: 2, values: [40] },
    { name: 'Errors', minute: 2, values: [4] },
    { name: 'Requests', minute: 1, values: [10] },
  ]);

  test("CDK's AlarmWidget draws the alarm's watched series and its threshold", () => {
    const alarmWidget = dashboard.widgets.find((w) => w.title === 'Error rate alarm') as MetricWidget;
    const data = computeWidgetData(alarmWidget, store, { now: T, windowMs: 3 * MINUTE, alarms });
    expect(data.problems).toEqual([]);
    expect(data.series).toEqual([
      expect.objectContaining({
        kind: 'expression',
        label: 'error rate %',
        points: [
          [at(2), 10],
          [at(1), 0],
        ],
      }),
    ]);
    expect(data.horizontal).toEqual([
      expect.objectContaining({ value: 5, label: `${CDK_ERROR_ALARM} >= 5` }),
    ]);
  });

  test('an annotated alarm the sandbox does not know is reported on the widget', () => {
    const alarmWidget = dashboard.widgets.find((w) => w.title === 'Error rate alarm') as MetricWidget;
    const data = computeWidgetData(alarmWidget, store, { now: T, windowMs: 3 * MINUTE, alarms: [] });
    expect(data.series).toEqual([]);
    expect(data.problems).toEqual([`alarm ${CDK_ERROR_ALARM} is not among the alarms the sandbox evaluates`]);
  });

  test('computeDashboardData gives every metric widget, in order, over the dashboard window', () => {
    const all = computeDashboardData(dashboard, store, { now: T, alarms });
    expect(all.map((w) => w.title)).toEqual([
      'Requests and errors',
      'Latency',
      'Requests',
      'Error rate alarm',
    ]);
    expect(all[0]!.start).toBe(T - dashboard.windowMs);
    const [requests, errors, rate] = all[0]!.series;
    expect(requests).toMatchObject({ label: 'Requests', latest: 10 });
    expect(errors).toMatchObject({ label: 'Errors', points: [[at(2), 4]] });
    expect(rate).toMatchObject({
      label: 'error rate %',
      yAxis: 'right',
      points: [
        [at(2), 10],
        [at(1), 0],
      ],
    });
    // No latency was recorded: the series exist, empty.
    expect(all[1]!.series.map((s) => [s.label, s.points])).toEqual([
      ['Latency p50', []],
      ['Latency p99', []],
    ]);
  });
});
