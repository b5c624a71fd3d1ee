/**
 * A small, fully synthetic sandbox for the console tests, fed through the real parts: metrics in
 * a MetricStore, alarms evaluated by the AlarmEvaluator, their state change turned into the SNS
 * message CloudWatch sends and then into the Slack notifier's own Block Kit message, log lines in
 * a LogStore, and one trace in the X-Ray stand-in's TraceStore.
 */
import { AlarmEvaluator, buildAlarmSnsMessage, parseMetricAlarm } from '../../../../sandbox/alarms/index.js';
import type { AlarmTransition } from '../../../../sandbox/alarms/index.js';
import { MetricStore } from '../../../../sandbox/metrics/index.js';
import { TraceStore } from '../../../../sandbox/xray/index.js';
import type { SegmentDocument } from '../../../../sandbox/xray/index.js';
import { consoleAlarmsFromStatuses } from '../../../../sandbox/console/alarms.js';
import { LogStore } from '../../../../sandbox/console/logs.js';
import type { ConsoleData, ReceivedSlackMessage } from '../../../../sandbox/console/server.js';
import { parseAlert, splitEvent } from '../../../../lib/handlers/slack-notifier/parse-notification.js';
import { buildAlarmMessage } from '../../../../lib/handlers/slack-notifier/slack-message.js';
import { severityOf } from '../../../../lib/handlers/slack-notifier/alarm-facts.js';

/** A period boundary, so every minute of the fixture is a complete period. */
export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const MINUTE = 60_000;
export const ERROR_ALARM = 'orders-high-error-rate';
export const LATENCY_ALARM = 'orders-p99-latency';
const ACCOUNT = '123456789012';
const arn = (name: string) => `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${name}`;
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:lookout-alarms`;

export const DASHBOARD_BODY = {
  start: '-PT15M',
  widgets: [
    {
      type: 'text',
      x: 0,
      y: 0,
      width: 24,
      height: 1,
      properties: { markdown: '# orders\nSynthetic **console** test' },
    },
    {
      type: 'alarm',
      x: 0,
      y: 1,
      width: 24,
      height: 2,
      properties: { title: 'Alarm status', alarms: [arn(ERROR_ALARM), arn(LATENCY_ALARM)] },
    },
    {
      type: 'metric',
      x: 0,
      y: 3,
      width: 12,
      height: 6,
      properties: {
        title: 'Requests and errors',
        view: 'timeSeries',
        period: 60,
        stat: 'Sum',
        metrics: [
          ['Lookout', 'Requests', 'service', 'orders', { id: 'requests' }],
          ['.', 'Errors', '.', '.', { id: 'errors' }],
          [
            {
              expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
              label: 'error rate %',
              yAxis: 'right',
            },
          ],
        ],
        annotations: { horizontal: [{ value: 5, label: 'error-rate alarm', yAxis: 'right' }] },
      },
    },
    {
      type: 'metric',
      x: 12,
      y: 3,
      width: 12,
      height: 6,
      properties: {
        title: 'Latency',
        period: 60,
        metrics: [
          ['Lookout', 'Latency', 'service', 'orders', { stat: 'p50' }],
          ['...', { stat: 'p99' }],
        ],
      },
    },
    {
      type: 'metric',
      x: 0,
      y: 9,
      width: 8,
      height: 3,
      properties: {
        title: 'Orders (last minute)',
        view: 'singleValue',
        period: 60,
        stat: 'Sum',
        metrics: [
          [
            'Lookout',
            'Orders',
            'service',
            'orders',
            'category',
            'books',
            'status',
            'created',
            { label: 'books' },
          ],
        ],
      },
    },
    {
      type: 'log',
      x: 8,
      y: 9,
      width: 16,
      height: 3,
      properties: {
        title: 'Recent errors',
        query: 'SOURCE \'/aws/lambda/orders-api\' | fields @timestamp, message | filter level = "ERROR"',
      },
    },
  ],
};

function fillMetrics(store: MetricStore): void {
  const dimensions = { service: 'orders' };
  for (let minute = 14; minute >= 1; minute--) {
    const timestamp = NOW - minute * MINUTE + 1000;
    const failing = minute <= 4;
    store.put({ namespace: 'Lookout', name: 'Requests', dimensions, values: [20], unit: 'Count', timestamp });
    store.put({
      namespace: 'Lookout',
      name: 'Errors',
      dimensions,
      values: [failing ? 6 : 0],
      unit: 'Count',
      timestamp,
    });
    store.put({
      namespace: 'Lookout',
      name: 'Latency',
      dimensions,
      values: Array.from({ length: 20 }, (_, i) => 40 + i * 3 + (failing ? 200 : 0)),
      unit: 'Milliseconds',
      timestamp,
    });
    store.put({
      namespace: 'Lookout',
      name: 'Orders',
      dimensions: { service: 'orders', category: 'books', status: 'created' },
      values: [minute % 3],
      unit: 'Count',
      timestamp,
    });
  }
}

const ALARM_PROPERTIES = [
  {
    AlarmName: ERROR_ALARM,
    AlarmDescription: 'More than 5 % of orders requests failed over 3 minutes. severity: critical',
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 5,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 3,
    TreatMissingData: 'notBreaching',
    AlarmActions: [TOPIC],
    OKActions: [TOPIC],
    Tags: [{ Key: 'severity', Value: 'critical' }],
    Metrics: [
      {
        Id: 'requests',
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'Lookout',
            MetricName: 'Requests',
            Dimensions: [{ Name: 'service', Value: 'orders' }],
          },
          Period: 60,
          Stat: 'Sum',
        },
      },
      {
        Id: 'errors',
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'Lookout',
            MetricName: 'Errors',
            Dimensions: [{ Name: 'service', Value: 'orders' }],
          },
          Period: 60,
          Stat: 'Sum',
        },
      },
      {
        Id: 'rate',
        Expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
        Label: 'error rate %',
      },
    ],
  },
  {
    AlarmName: LATENCY_ALARM,
    AlarmDescription: 'p99 latency above 1 s. severity: warning',
    Namespace: 'Lookout',
    MetricName: 'Latency',
    Dimensions: [{ Name: 'service', Value: 'orders' }],
    ExtendedStatistic: 'p99',
    Period: 60,
    EvaluationPeriods: 3,
    Threshold: 1000,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
  },
];

/** The Slack message the notifier posts for a state change, built by the notifier's own code. */
function slackMessageFor(transition: AlarmTransition, index: number): ReceivedSlackMessage {
  const event = {
    Records: [
      {
        EventSource: 'aws:sns',
        Sns: {
          MessageId: `00000000-0000-4000-8000-00000000000${index}`,
          TopicArn: TOPIC,
          Subject: `ALARM: "${transition.alarm.name}" in US East (N. Virginia)`,
          Message: JSON.stringify(buildAlarmSnsMessage(transition)),
          Timestamp: new Date(transition.timestamp).toISOString(),
        },
      },
    ],
  };
  const [alert] = splitEvent(event);
  const parsed = parseAlert(alert!);
  if (!parsed.ok) throw new Error(`the notifier could not read the fixture alarm: ${parsed.problem}`);
  const severity = severityOf(parsed.alarm, 'warning');
  return {
    receivedAt: transition.timestamp + 500,
    payload: buildAlarmMessage(parsed.alarm, { severity, now: new Date(NOW) }),
    route: severity,
  };
}

export const CORRELATION_FAILED = 'corr-failed-0001';
export const CORRELATION_OK = 'corr-ok-0002';
export const TRACE_ID = '1-67879a40-0123456789abcdef01234567';

function fillLogs(logs: LogStore): void {
  const line = (fields: Record<string, unknown>) => JSON.stringify(fields);
  const base = { service: 'orders', function_name: 'orders-api', xray_trace_id: TRACE_ID };
  logs.append({
    functionName: 'orders-api',
    line: `START RequestId: req-1 Version: $LATEST`,
    timestamp: NOW - 50_000,
  });
  logs.append({
    functionName: 'orders-api',
    requestId: 'req-1',
    line: line({
      ...base,
      level: 'INFO',
      message: 'order created',
      timestamp: new Date(NOW - 49_000).toISOString(),
      correlation_id: CORRELATION_OK,
      function_request_id: 'req-1',
    }),
  });
  logs.append({
    functionName: 'orders-api',
    requestId: 'req-2',
    line: line({
      ...base,
      level: 'ERROR',
      message: 'payment provider timed out',
      timestamp: new Date(NOW - 30_000).toISOString(),
      correlation_id: CORRELATION_FAILED,
      function_request_id: 'req-2',
      error: { name: 'TimeoutError', message: 'payment provider timed out' },
    }),
  });
  logs.append({
    functionName: 'order-worker',
    requestId: 'req-3',
    line: line({
      service: 'orders',
      level: 'WARN',
      message: 'retrying order',
      timestamp: new Date(NOW - 20_000).toISOString(),
      correlation_id: CORRELATION_FAILED,
      function_request_id: 'req-3',
    }),
  });
  // An EMF document: metrics, not a log line.
  logs.append({
    functionName: 'orders-api',
    line: line({ _aws: { Timestamp: NOW, CloudWatchMetrics: [] }, Requests: 1 }),
  });
}

function fillTraces(traces: TraceStore): void {
  const start = (NOW - 30_000) / 1000;
  const api: SegmentDocument = {
    id: '1000000000000001',
    trace_id: TRACE_ID,
    name: 'orders-api',
    origin: 'AWS::Lambda::Function',
    start_time: start,
    end_time: start + 0.42,
    fault: true,
    http: { request: { method: 'POST', url: 'http://127.0.0.1/orders' }, response: { status: 500 } },
    subsegments: [
      {
        id: '2000000000000001',
        trace_id: TRACE_ID,
        name: 'DynamoDB PutItem',
        namespace: 'aws',
        start_time: start + 0.02,
        end_time: start + 0.09,
      },
      {
        id: '2000000000000002',
        trace_id: TRACE_ID,
        name: 'payment provider',
        namespace: 'remote',
        start_time: start + 0.1,
        end_time: start + 0.4,
        error: true,
        cause: { exceptions: [{ type: 'TimeoutError', message: 'payment provider timed out' }] },
      },
      {
        id: '2000000000000003',
        trace_id: TRACE_ID,
        name: 'SQS SendMessage',
        namespace: 'aws',
        start_time: start + 0.4,
        end_time: start + 0.41,
      },
    ],
  };
  const worker: SegmentDocument = {
    id: '1000000000000002',
    trace_id: TRACE_ID,
    parent_id: '2000000000000003',
    name: 'order-worker',
    origin: 'AWS::Lambda::Function',
    start_time: start + 0.5,
    end_time: start + 0.9,
  };
  traces.add(api, NOW - 29_000);
  traces.add(worker, NOW - 28_000);
}

export interface SyntheticConsole {
  data: ConsoleData;
  store: MetricStore;
  logs: LogStore;
  traces: TraceStore;
  transitions: AlarmTransition[];
}

export function syntheticConsole(): SyntheticConsole {
  const store = new MetricStore();
  fillMetrics(store);
  const alarms = ALARM_PROPERTIES.map((properties) =>
    parseMetricAlarm(properties, { region: 'us-east-1', accountId: ACCOUNT }),
  );
  const evaluator = new AlarmEvaluator({ store, alarms, createdAt: NOW - 15 * MINUTE });
  const transitions = evaluator.evaluate(NOW);
  const slack = transitions.filter((t) => t.newState === 'ALARM').map(slackMessageFor);
  const logs = new LogStore({ now: () => NOW });
  fillLogs(logs);
  const traces = new TraceStore();
  fillTraces(traces);
  const data: ConsoleData = {
    dashboard: DASHBOARD_BODY,
    metrics: store,
    now: () => NOW,
    alarmDefinitions: alarms,
    alarms: () => consoleAlarmsFromStatuses(evaluator.statuses()),
    logs,
    traces,
    slackMessages: () => slack,
    counters: () => ({ invocations: 280, coldStarts: 3, errors: 24, timeouts: 1 }),
  };
  return { data, store, logs, traces, transitions };
}
