import {
  DashboardError,
  DEFAULT_WINDOW_MS,
  logGroupsOf,
  parseDashboard,
  parseMetricRows,
  readDashboardsFromTemplate,
  relativeDurationMs,
  type MetricStatRow,
  type MetricWidget,
  type Widget,
} from '../../../sandbox/console/dashboard.js';
import { CDK_ERROR_ALARM, synthesizeDashboardStack } from './support/cdk-dashboard.js';

const DEFAULTS = { periodSeconds: 300, stat: 'Average' };
const metricRows = (metrics: unknown) => parseMetricRows(metrics, DEFAULTS) as MetricStatRow[];
const widgetOf = (widget: Record<string, unknown>): Widget =>
  parseDashboard({ widgets: [widget] }).widgets[0]!;
const metricWidget = (properties: Record<string, unknown>) =>
  widgetOf({ type: 'metric', x: 0, y: 0, width: 12, height: 6, properties });

describe('metrics rows in CloudWatch compact form', () => {
  test('"." repeats the value at the same position of the previous metric row', () => {
    const rows = metricRows([
      ['AWS/EC2', 'CPUUtilization', 'AutoScalingGroupName', 'asg1'],
      ['.', 'NetworkIn', '.', '.'],
    ]);
    expect(rows[1]).toMatchObject({
      namespace: 'AWS/EC2',
      metricName: 'NetworkIn',
      dimensions: { AutoScalingGroupName: 'asg1' },
    });
  });

  test('"..." stands for the values of the previous row that the row leaves out', () => {
    const rows = metricRows([
      ['AWS/Lambda', 'Duration', 'FunctionName', 'orders-api', { stat: 'p50' }],
      ['...', { stat: 'p99' }],
      ['...', 'order-worker'],
      ['AWS/Lambda', '...', 'health-check'],
    ]);
    expect(rows.map((row) => [row.metricName, row.dimensions.FunctionName, row.stat])).toEqual([
      ['Duration', 'orders-api', 'p50'],
      ['Duration', 'orders-api', 'p99'],
      ['Duration', 'order-worker', 'Average'],
      ['Duration', 'health-check', 'Average'],
    ]);
  });

  test('shorthand follows the previous metric row, skipping expression rows', () => {
    const rows = parseMetricRows(
      [['Lookout', 'Requests', 'service', 'orders'], [{ expression: 'm1 * 2' }], ['.', 'Errors', '.', '.']],
      DEFAULTS,
    );
    expect(rows[2]).toMatchObject({
      kind: 'metric',
      namespace: 'Lookout',
      metricName: 'Errors',
      dimensions: { service: 'orders' },
    });
  });

  test('row options override the widget defaults; rendering options are kept', () => {
    const [plain, custom] = metricRows([
      ['Lookout', 'Latency', 'service', 'orders'],
      [
        'Lookout',
        'Latency',
        'service',
        'orders',
        { stat: 'p99', period: 60, label: 'slowest', color: '#ff0000', yAxis: 'right', visible: false },
      ],
    ]);
    expect(plain).toMatchObject({ stat: 'Average', periodSeconds: 300, visible: true, yAxis: 'left' });
    expect(plain!.label).toBeUndefined();
    expect(custom).toMatchObject({
      stat: 'p99',
      periodSeconds: 60,
      label: 'slowest',
      color: '#ff0000',
      yAxis: 'right',
      visible: false,
    });
  });

  test('expression rows keep their text, label and id; ids are assigned m1.. and e1.. around explicit ones', () => {
    const rows = parseMetricRows(
      [
        ['Lookout', 'Requests', 'service', 'orders', { id: 'm2' }],
        ['Lookout', 'Errors', 'service', 'orders'],
        ['Lookout', 'Throttles', 'service', 'orders'],
        [{ expression: '100 * m1 / m2', label: 'error rate' }],
        [{ expression: 'e1 * 2', id: 'double', visible: false }],
      ],
      DEFAULTS,
    );
    expect(rows.map((row) => row.id)).toEqual(['m2', 'm1', 'm3', 'e1', 'double']);
    expect(rows[3]).toEqual({
      kind: 'expression',
      id: 'e1',
      expression: '100 * m1 / m2',
      label: 'error rate',
      periodSeconds: 300,
      visible: true,
      yAxis: 'left',
    });
    expect(rows[4]).toMatchObject({ kind: 'expression', visible: false });
  });

  test.each([
    [[['Lookout', 'Requests', 'service']], /dimension "service" has no value/],
    [[['.', 'Requests']], /"\." at position 1 has no value in the previous metric row/],
    [[['...', 'x']], /"\.\.\." needs a previous metric row/],
    [[['Lookout']], /needs a namespace and a metric name/],
    [[['Lookout', 'Requests', { id: 'Bad' }]], /id "Bad" must start with a lowercase letter/],
    [
      [
        ['A', 'B', { id: 'x' }],
        ['A', 'C', { id: 'x' }],
      ],
      /id x is used twice/,
    ],
    [[['A', 'B', { stat: 3 }]], /metrics row 1: stat must be a string/],
    [[['A', 'B', { period: 0 }]], /period must be a whole number of seconds/],
    [
      [
        ['A', 'B'],
        ['A', 'B', 'C', 'D', 'E', 'F', '...'],
      ],
      /"\.\.\." has nothing to repeat/,
    ],
    [[['A', 'B', 'd', 'v', 'd', 'w']], /dimension d appears twice/],
    [[[{ expression: 'm1', label: 'x' }, 'extra']], /values before the options object must be strings/],
    [[['A', 'B', { expression: 'm1' }]], /an expression row holds only its options object/],
    [[[]], /metrics row 1 must be a non-empty array/],
    ['not rows', /metrics must be an array of arrays/],
  ])('rejects %j with a clear message', (metrics, message) => {
    expect(() => parseMetricRows(metrics, DEFAULTS)).toThrow(message);
    expect(() => parseMetricRows(metrics, DEFAULTS)).toThrow(DashboardError);
  });
});

describe('widgets', () => {
  test('a metric widget reads view, stat, period, yAxis and annotations (lines and bands)', () => {
    const widget = metricWidget({
      title: 'Latency',
      view: 'singleValue',
      stacked: true,
      setPeriodToTimeRange: true,
      stat: 'p90',
      period: 60,
      region: 'eu-west-2',
      metrics: [['Lookout', 'Latency', 'service', 'orders']],
      yAxis: { left: { min: 0, max: 2000, label: 'ms', showUnits: false }, right: { min: 1 } },
      annotations: {
        horizontal: [
          { value: 500, label: 'p90 alarm', color: '#d62728' },
          [{ value: 100, label: 'normal' }, { value: 300 }],
          { value: 3, yAxis: 'right', visible: false },
        ],
        vertical: [{ value: '2025-01-15T11:00:00Z', label: 'deploy' }],
      },
    }) as MetricWidget;
    expect(widget).toMatchObject({
      type: 'metric',
      title: 'Latency',
      view: 'singleValue',
      stacked: true,
      setPeriodToTimeRange: true,
      stat: 'p90',
      periodSeconds: 60,
      region: 'eu-west-2',
      yAxis: { left: { min: 0, max: 2000, label: 'ms', showUnits: false }, right: { min: 1 } },
    });
    expect(widget.rows[0]).toMatchObject({ stat: 'p90', periodSeconds: 60 });
    expect(widget.annotations.horizontal).toEqual([
      { value: 500, label: 'p90 alarm', color: '#d62728', visible: true, yAxis: 'left' },
      { value: 100, toValue: 300, label: 'normal', visible: true, yAxis: 'left' },
      { value: 3, visible: false, yAxis: 'right' },
    ]);
    expect(widget.annotations.vertical).toEqual([
      { value: Date.parse('2025-01-15T11:00:00Z'), label: 'deploy', visible: true },
    ]);
  });

  test('alarm, log and text widgets', () => {
    const dashboard = parseDashboard({
      widgets: [
        {
          type: 'alarm',
          properties: {
            title: 'Alarms',
            alarms: ['arn:aws:cloudwatch:us-east-1:1:alarm:a'],
            sortBy: 'stateUpdatedTimestamp',
            states: ['ALARM'],
          },
        },
        {
          type: 'log',
          properties: {
            title: 'Errors',
            query: 'SOURCE \'/aws/lambda/a\' | SOURCE "/aws/lambda/b" | fields @message',
            view: 'table',
          },
        },
        { type: 'text', properties: { markdown: '# Hi', background: 'transparent' } },
      ],
    });
    expect(dashboard.widgets).toEqual([
      expect.objectContaining({
        type: 'alarm',
        title: 'Alarms',
        alarms: ['arn:aws:cloudwatch:us-east-1:1:alarm:a'],
        sortBy: 'stateUpdatedTimestamp',
        states: ['ALARM'],
      }),
      expect.objectContaining({
        type: 'log',
        title: 'Errors',
        logGroupNames: ['/aws/lambda/a', '/aws/lambda/b'],
        view: 'table',
      }),
      expect.objectContaining({ type: 'text', markdown: '# Hi', background: 'transparent' }),
    ]);
  });

  test('widgets without x and y flow left to right, then onto the next row', () => {
    const dashboard = parseDashboard({
      widgets: [
        { type: 'text', width: 12, height: 2, properties: { markdown: 'a' } },
        { type: 'text', width: 12, height: 3, properties: { markdown: 'b' } },
        { type: 'text', properties: { markdown: 'c' } },
        { type: 'text', x: 20, y: 10, width: 8, height: 1, properties: { markdown: 'd' } },
      ],
    });
    expect(dashboard.widgets.map(({ x, y, width, height }) => [x, y, width, height])).toEqual([
      [0, 0, 12, 2],
      [12, 0, 12, 3],
      [0, 3, 6, 6],
      // Hangs over the right edge: narrowed to fit the 24 columns.
      [20, 10, 4, 1],
    ]);
  });

  test('a widget that cannot be read becomes an unreadable widget with the reason; the others survive', () => {
    const dashboard = parseDashboard({
      widgets: [
        { type: 'explorer', x: 0, y: 0, width: 6, height: 6, properties: { title: 'Explorer' } },
        {
          type: 'metric',
          x: 6,
          y: 0,
          properties: { title: 'Broken', metrics: [['Lookout', 'Requests', 'service']] },
        },
        { type: 'metric', x: 12, y: 0, properties: { view: 'donut', metrics: [['A', 'B']] } },
        { type: 'alarm', x: 18, y: 0, properties: { alarms: [] } },
        { type: 'text', x: 30, y: 0, properties: { markdown: 'x' } },
        'not an object',
        { type: 'text', properties: { markdown: 'fine' } },
      ],
    });
    const [explorer, broken, view, alarm, outside, junk, fine] = dashboard.widgets;
    expect(explorer).toMatchObject({
      type: 'unreadable',
      widgetType: 'explorer',
      title: 'Explorer',
      problem: expect.stringMatching(/not shown by the sandbox/),
    });
    expect(broken).toMatchObject({
      type: 'unreadable',
      title: 'Broken',
      x: 6,
      problem: 'metrics row 1: dimension "service" has no value',
    });
    expect(view).toMatchObject({ type: 'unreadable', problem: expect.stringMatching(/view "donut"/) });
    expect(alarm).toMatchObject({
      type: 'unreadable',
      problem: expect.stringMatching(/non-empty alarms array/),
    });
    expect(outside).toMatchObject({
      type: 'unreadable',
      problem: expect.stringMatching(/x must be an integer from 0 to 23/),
    });
    expect(junk).toMatchObject({ type: 'unreadable', problem: 'a widget must be an object' });
    expect(fine).toMatchObject({ type: 'text', markdown: 'fine' });
  });

  test('a metric widget with neither metrics nor alarm annotations is unreadable', () => {
    expect(metricWidget({ title: 'Empty' })).toMatchObject({
      type: 'unreadable',
      problem: expect.stringMatching(/needs a metrics array/),
    });
  });
});

describe('the dashboard body', () => {
  test('JSON text and the same object read the same', () => {
    const body = {
      start: '-PT6H',
      periodOverride: 'inherit',
      widgets: [{ type: 'text', properties: { markdown: 'x' } }],
    };
    expect(parseDashboard(JSON.stringify(body))).toEqual(parseDashboard(body));
    expect(parseDashboard(body)).toMatchObject({
      start: '-PT6H',
      periodOverride: 'inherit',
      windowMs: 6 * 3600_000,
    });
  });

  test('the window defaults to three hours', () => {
    expect(parseDashboard({ widgets: [] }).windowMs).toBe(DEFAULT_WINDOW_MS);
    expect(parseDashboard({ widgets: [], start: '2025-01-01T00:00:00Z' }).windowMs).toBe(DEFAULT_WINDOW_MS);
  });

  test.each([
    ['{"widgets": [', /not valid JSON/],
    [{}, /no widgets array/],
    [[], /must be a JSON object/],
    [{ 'Fn::Join': ['', ['{"widgets":[]}']] }, /still a CloudFormation Fn::Join; resolve it first/],
  ])('rejects %j', (body, message) => {
    expect(() => parseDashboard(body)).toThrow(message);
  });

  test.each([
    ['-PT3H', 3 * 3600_000],
    ['-PT15M', 15 * 60_000],
    ['-P1D', 86_400_000],
    ['-P1W', 7 * 86_400_000],
    ['-PT1H30M', 90 * 60_000],
    ['-PT90S', 90_000],
    ['PT3H', undefined],
    ['-P', undefined],
    ['-PT', undefined],
    ['2025-01-01T00:00:00Z', undefined],
  ])('relative duration %s', (text, ms) => {
    expect(relativeDurationMs(text)).toBe(ms);
  });

  test('log groups of a query', () => {
    expect(logGroupsOf('fields @message')).toEqual([]);
    expect(logGroupsOf("SOURCE 'a' | SOURCE 'b' | fields x")).toEqual(['a', 'b']);
  });
});

describe('a dashboard synthesized by CDK', () => {
  const template = synthesizeDashboardStack();
  const { dashboards, problems } = readDashboardsFromTemplate(template, { region: 'eu-west-2' });
  const dashboard = dashboards[0]!.dashboard;
  const byTitle = (title: string) => dashboard.widgets.find((widget) => widget.title === title);

  test('is found, its Fn::Join resolved, every widget read', () => {
    expect(problems).toEqual([]);
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]).toMatchObject({ name: 'orders' });
    expect(dashboard.windowMs).toBe(3600_000);
    expect(dashboard.widgets.map((widget) => widget.type)).toEqual([
      'text',
      'alarm',
      'metric',
      'metric',
      'metric',
      'metric',
      'log',
    ]);
  });

  test('the alarm status widget names the alarm by its resolved ARN', () => {
    expect(byTitle('Alarm status')).toMatchObject({
      type: 'alarm',
      alarms: [`arn:aws:cloudwatch:eu-west-2:123456789012:alarm:${CDK_ERROR_ALARM}`],
    });
  });

  test('graph rows: metrics (reused as the expression inputs, under its ids), the expression on the right axis', () => {
    const graph = byTitle('Requests and errors') as MetricWidget;
    expect(graph).toMatchObject({
      view: 'timeSeries',
      region: 'eu-west-2',
      yAxis: { left: { min: 0, showUnits: false } },
    });
    expect(graph.annotations.horizontal).toEqual([
      { value: 100, label: 'capacity', visible: true, yAxis: 'left' },
    ]);
    expect(graph.rows.map((row) => [row.kind, row.id, row.visible, row.yAxis, row.periodSeconds])).toEqual([
      ['metric', 'requests', true, 'left', 60],
      ['metric', 'errors', true, 'left', 60],
      ['expression', 'e1', true, 'right', 60],
    ]);
    expect(graph.rows[2]).toMatchObject({
      expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
      label: 'error rate %',
    });
  });

  test('single value, alarm and log widgets', () => {
    expect(byTitle('Requests')).toMatchObject({ type: 'metric', view: 'singleValue' });
    expect(byTitle('Error rate alarm')).toMatchObject({
      type: 'metric',
      rows: [],
      annotations: { alarms: [`arn:aws:cloudwatch:eu-west-2:123456789012:alarm:${CDK_ERROR_ALARM}`] },
    });
    expect(byTitle('Recent errors')).toMatchObject({
      type: 'log',
      logGroupNames: ['/aws/lambda/orders-api'],
    });
  });

  test('a dashboard whose body cannot be resolved is reported, not thrown', () => {
    const broken = {
      Resources: {
        Board: {
          Type: 'AWS::CloudWatch::Dashboard',
          Properties: { DashboardBody: { 'Fn::GetAtt': ['Missing', 'Arn'] } },
        },
        Junk: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: '{"widgets": 3}' } },
      },
    };
    const result = readDashboardsFromTemplate(broken);
    expect(result.dashboards).toEqual([]);
    expect(result.problems).toEqual([
      { logicalId: 'Board', message: 'reference to unknown resource Missing' },
      { logicalId: 'Junk', message: 'dashboard body has no widgets array' },
    ]);
  });
});
