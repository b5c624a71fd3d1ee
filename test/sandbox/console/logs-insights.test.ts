import {
  computeLogWidgetData,
  LogsQueryError,
  parseLogsQuery,
  runLogsQuery,
} from '../../../sandbox/console/logs-insights.js';
import { LogStore } from '../../../sandbox/console/logs.js';

const T = Date.UTC(2025, 0, 15, 12, 0, 0);

function store(): LogStore {
  const logs = new LogStore({ now: () => T });
  const line = (functionName: string, seconds: number, fields: Record<string, unknown>) =>
    logs.append({
      functionName,
      line: JSON.stringify({
        timestamp: new Date(T + seconds * 1000).toISOString(),
        service: 'orders',
        ...fields,
      }),
    });
  line('orders-api', 1, {
    level: 'INFO',
    message: 'created',
    correlation_id: 'a',
    route: 'POST /orders',
    status: 201,
    latency_ms: 40,
  });
  line('orders-api', 2, {
    level: 'ERROR',
    message: 'payment failed',
    correlation_id: 'b',
    error: { name: 'TimeoutError', message: 'slow' },
  });
  line('order-worker', 3, { level: 'CRITICAL', message: 'gave up', correlation_id: 'b' });
  line('orders-api', 4, {
    level: 'INFO',
    message: 'listed',
    correlation_id: 'c',
    route: 'GET /orders',
    status: 200,
    latency_ms: 900,
  });
  line('orders-api', 5, { level: 'WARN', message: 'slow dependency', correlation_id: 'd' });
  logs.append({
    functionName: 'orders-api',
    line: 'REPORT RequestId: 6f1b6c8e-1111-4222-8333-444455556666\tDuration: 3 ms',
    timestamp: T + 6000,
  });
  return logs;
}

const column = (result: { columns: string[]; rows: unknown[][] }, name: string) =>
  result.rows.map((row) => row[result.columns.indexOf(name)]);

test("the stack's 'errors' query: fields, filter level in [...], sort, limit", () => {
  const result = runLogsQuery(
    [
      "SOURCE '/aws/lambda/orders-api' | SOURCE '/aws/lambda/order-worker' | fields @timestamp, service, function_name, correlation_id, message, error.name, error.message",
      '| filter level in ["ERROR", "CRITICAL", "FATAL"]',
      '| sort @timestamp desc',
      '| limit 100',
    ].join('\n'),
    store(),
  );
  expect(result.columns).toEqual([
    '@timestamp',
    'service',
    'function_name',
    'correlation_id',
    'message',
    'error.name',
    'error.message',
  ]);
  expect(result.rows).toEqual([
    [T + 3000, 'orders', null, 'b', 'gave up', null, null],
    [T + 2000, 'orders', null, 'b', 'payment failed', 'TimeoutError', 'slow'],
  ]);
  expect(result.unknownLogGroups).toEqual([]);
});

test('SOURCE limits the lines to those log groups; unknown groups are reported', () => {
  const result = runLogsQuery(
    "SOURCE '/aws/lambda/order-worker' | SOURCE '/aws/lambda/nobody' | fields message",
    store(),
  );
  expect(result.rows).toEqual([['gave up']]);
  expect(result.unknownLogGroups).toEqual(['/aws/lambda/nobody']);
});

test('comparisons, ispresent, like, =~, not, and/or, parentheses; a missing field never compares equal or unequal', () => {
  const logs = store();
  const messages = (filter: string) =>
    column(runLogsQuery(`fields message | filter ${filter}`, logs), 'message');
  expect(messages('ispresent(route) and latency_ms > 100')).toEqual(['listed']);
  expect(messages('status >= 200 and status < 300')).toEqual(['listed', 'created']);
  expect(messages('level = "WARN" or (level == \'INFO\' and correlation_id != "c")')).toEqual([
    'slow dependency',
    'created',
  ]);
  expect(messages('message like /pay.*fail/')).toEqual(['payment failed']);
  expect(messages('message like "slow"')).toEqual(['slow dependency']);
  const raw = (filter: string) =>
    column(runLogsQuery(`fields @message | filter ${filter}`, logs), '@message');
  expect(raw('@message =~ /REPORT/')).toEqual([
    'REPORT RequestId: 6f1b6c8e-1111-4222-8333-444455556666\tDuration: 3 ms',
  ]);
  // The REPORT line is text: it has no message or correlation_id field.
  expect(messages('not ispresent(correlation_id) or correlation_id not in ["a", "b", "c"]')).toEqual([
    null,
    'slow dependency',
  ]);
  expect(messages('correlation_id != "a"')).toHaveLength(4);
  expect(messages('message not like /a/')).toEqual([null, 'slow dependency', 'listed']);
});

test('sort by any field, ascending or descending; display picks columns and aliases', () => {
  const result = runLogsQuery(
    'fields latency_ms as ms, route | filter ispresent(latency_ms) | sort ms asc | display route, ms',
    store(),
  );
  expect(result).toMatchObject({
    columns: ['route', 'ms'],
    rows: [
      ['POST /orders', 40],
      ['GET /orders', 900],
    ],
  });
  expect(
    column(
      runLogsQuery('fields latency_ms | filter ispresent(latency_ms) | sort latency_ms', store()),
      'latency_ms',
    ),
  ).toEqual([900, 40]);
  expect(column(runLogsQuery('fields message | limit 2', store()), 'message')).toHaveLength(2);
});

test('with no fields: @timestamp and @message, newest first', () => {
  const result = runLogsQuery("filter level = 'ERROR'", store());
  expect(result.columns).toEqual(['@timestamp', '@message']);
  expect(result.rows).toHaveLength(1);
  expect(String(result.rows[0]![1])).toContain('payment failed');
});

test.each([
  ['stats count(*) by bin(5m)', /does not run "stats" commands/],
  ['fields a | parse @message "x*y" as a, b', /does not run "parse" commands/],
  ['frobnicate x', /unknown query command "frobnicate"/],
  ['filter level = ', /expected a quoted string or a number/],
  ['filter level in ["a" "b"]', /expected "," or "]"/],
  ['filter (level = "a"', /expected "\)"/],
  ['filter level ~ "a"', /cannot read the filter|expected a comparison/],
  ['filter level = "a" extra', /unexpected "extra"/],
  ['limit 0', /limit must be a positive integer/],
  ['sort', /expected "sort field \[asc\|desc\]"/],
  ['fields count(*)', /only field names/],
  ['SOURCE nowhere', /SOURCE needs a quoted log group name/],
])('%s is refused with a clear message', (query, message) => {
  expect(() => parseLogsQuery(query)).toThrow(LogsQueryError);
  expect(() => parseLogsQuery(query)).toThrow(message);
});

test('a log widget gets its rows, or the reason it has none', () => {
  const logs = store();
  expect(
    computeLogWidgetData({ index: 3, query: "fields message | filter level = 'CRITICAL'" }, logs),
  ).toEqual({
    index: 3,
    columns: ['message'],
    rows: [['gave up']],
    problems: [],
  });
  expect(computeLogWidgetData({ index: 4, query: 'stats count(*)' }, logs)).toEqual({
    index: 4,
    columns: [],
    rows: [],
    problems: ['the sandbox does not run "stats" commands; open the query in CloudWatch Logs Insights'],
  });
  expect(computeLogWidgetData({ index: 5, query: 'fields message' }, logs, 2).rows).toHaveLength(2);
});
