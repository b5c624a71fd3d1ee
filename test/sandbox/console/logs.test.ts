import { LogStore, levelRank, MAX_SEARCH_LIMIT } from '../../../sandbox/console/logs.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const powertools = (fields: Record<string, unknown>) =>
  JSON.stringify({
    level: 'INFO',
    message: 'hello',
    timestamp: '2025-01-15T11:59:00.000Z',
    service: 'orders',
    cold_start: false,
    function_name: 'orders-api',
    function_request_id: 'req-1',
    xray_trace_id: '1-67879a40-0123456789abcdef01234567',
    correlation_id: 'corr-1',
    ...fields,
  });

describe('reading lines', () => {
  test('a Powertools JSON line gives level, message, ids and its own timestamp', () => {
    const logs = new LogStore({ now: () => NOW });
    const record = logs.append({
      functionName: 'orders-api',
      line: powertools({ level: 'WARN', message: 'slow' }),
    });
    expect(record).toMatchObject({
      seq: 1,
      timestamp: Date.parse('2025-01-15T11:59:00.000Z'),
      functionName: 'orders-api',
      requestId: 'req-1',
      level: 'WARN',
      message: 'slow',
      correlationId: 'corr-1',
      traceId: '1-67879a40-0123456789abcdef01234567',
      service: 'orders',
      fields: expect.objectContaining({ cold_start: false }),
    });
  });

  test('a non-string message is kept as JSON; a line without one keeps the whole object', () => {
    const logs = new LogStore({ now: () => NOW });
    expect(logs.append({ functionName: 'f', line: '{"level":"info","message":{"a":1}}' })).toMatchObject({
      level: 'INFO',
      message: '{"a":1}',
      timestamp: NOW,
    });
    expect(logs.append({ functionName: 'f', line: '{"event":"x"}' })!.message).toBe('{"event":"x"}');
  });

  test("the Node runtime's text format and Lambda's platform lines", () => {
    const logs = new LogStore({ now: () => NOW });
    const text = logs.append({
      functionName: 'f',
      line: '2025-01-15T11:58:00.000Z\t6f1b6c8e-1111-4222-8333-444455556666\tERROR\tboom\nstack line',
    });
    expect(text).toMatchObject({
      timestamp: Date.parse('2025-01-15T11:58:00.000Z'),
      requestId: '6f1b6c8e-1111-4222-8333-444455556666',
      level: 'ERROR',
      message: 'boom\nstack line',
    });
    const report = logs.append({
      functionName: 'f',
      line: 'REPORT RequestId: 6f1b6c8e-1111-4222-8333-444455556666\tDuration: 12.3 ms\tBilled Duration: 13 ms',
    });
    expect(report).toMatchObject({ level: 'INFO', requestId: '6f1b6c8e-1111-4222-8333-444455556666' });
    const platform = logs.append({
      functionName: 'f',
      line: JSON.stringify({
        time: '2025-01-15T11:58:01.000Z',
        type: 'platform.report',
        record: { requestId: 'req-9', metrics: { durationMs: 12.3 } },
      }),
    });
    expect(platform).toMatchObject({
      level: 'INFO',
      requestId: 'req-9',
      message: 'platform.report {"durationMs":12.3}',
      timestamp: Date.parse('2025-01-15T11:58:01.000Z'),
    });
  });

  test('plain text keeps the caller request id; blank lines and EMF documents are not stored', () => {
    const logs = new LogStore({ now: () => NOW });
    expect(
      logs.append({ functionName: 'f', line: 'just text', requestId: 'req-7', timestamp: 5 }),
    ).toMatchObject({
      level: 'INFO',
      message: 'just text',
      requestId: 'req-7',
      timestamp: 5,
    });
    expect(logs.append({ functionName: 'f', line: '   ' })).toBeUndefined();
    expect(
      logs.append({
        functionName: 'f',
        line: '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"Requests":1}',
      }),
    ).toBeUndefined();
    expect(logs.append({ functionName: 'f', line: '{not json' })).toMatchObject({ message: '{not json' });
    expect(logs.size).toBe(2);
  });

  test('appendOutput stores each line of an invocation', () => {
    const logs = new LogStore({ now: () => NOW });
    const stored = logs.appendOutput('f', `${powertools({})}\n\n${powertools({ level: 'ERROR' })}\n`, {
      requestId: 'ignored-when-the-line-has-one',
    });
    expect(stored.map((r) => [r.level, r.requestId])).toEqual([
      ['INFO', 'req-1'],
      ['ERROR', 'req-1'],
    ]);
  });

  test('long lines are cut and keep no parsed fields', () => {
    const logs = new LogStore({ now: () => NOW, maxLineLength: 50 });
    const record = logs.append({ functionName: 'f', line: powertools({ message: 'x'.repeat(200) }) })!;
    expect(record.raw).toHaveLength(51);
    expect(record.raw.endsWith('…')).toBe(true);
    expect(record.message).toHaveLength(51);
    expect(record.fields).toBeUndefined();
    expect(record.correlationId).toBe('corr-1');
  });

  test('bad input is refused', () => {
    const logs = new LogStore();
    expect(() => logs.append({ functionName: '', line: 'x' })).toThrow(
      /functionName must be a non-empty string/,
    );
    expect(() => logs.append({ functionName: 'f', line: 3 as unknown as string })).toThrow(
      /line must be a string/,
    );
    expect(() => new LogStore({ maxLines: 0 })).toThrow(/maxLines must be a positive integer/);
  });
});

describe('searching', () => {
  const logs = new LogStore({ now: () => NOW, maxLines: 5 });
  logs.append({ functionName: 'orders-api', line: powertools({ message: 'one', correlation_id: 'a' }) });
  logs.append({
    functionName: 'orders-api',
    line: powertools({ message: 'two', correlation_id: 'b', level: 'DEBUG' }),
  });
  logs.append({
    functionName: 'order-worker',
    line: powertools({ message: 'three', correlation_id: 'a', level: 'WARN' }),
  });
  logs.append({
    functionName: 'orders-api',
    line: powertools({ message: 'Four Payment', correlation_id: 'b', level: 'ERROR' }),
  });
  logs.append({
    functionName: 'order-worker',
    line: powertools({ message: 'five', correlation_id: 'a', level: 'CRITICAL' }),
  });
  logs.append({
    functionName: 'order-worker',
    line: powertools({ message: 'six', correlation_id: 'c', function_request_id: 'req-6' }),
  });
  const messages = (query: Parameters<LogStore['search']>[0]) => logs.search(query).map((r) => r.message);

  test('keeps the last maxLines lines, newest first', () => {
    expect(logs.size).toBe(5);
    expect(logs.version).toBe(6);
    expect(messages({})).toEqual(['six', 'five', 'Four Payment', 'three', 'two']);
  });

  test('by correlation id, request id, function', () => {
    expect(messages({ correlationId: 'a' })).toEqual(['five', 'three']);
    expect(messages({ requestId: 'req-6' })).toEqual(['six']);
    expect(messages({ functionName: 'orders-api' })).toEqual(['Four Payment', 'two']);
    expect(messages({ correlationId: 'a', functionName: 'orders-api' })).toEqual([]);
  });

  test('by level: that level and more severe', () => {
    expect(messages({ level: 'WARN' })).toEqual(['five', 'Four Payment', 'three']);
    expect(messages({ level: 'error' })).toEqual(['five', 'Four Payment']);
    expect(messages({ level: 'DEBUG' })).toHaveLength(5);
  });

  test('by free text, case-insensitive, over the whole line', () => {
    expect(messages({ text: 'payment' })).toEqual(['Four Payment']);
    expect(messages({ text: '"level":"critical"' })).toEqual(['five']);
  });

  test('limit bounds the answer', () => {
    expect(messages({ limit: 2 })).toEqual(['six', 'five']);
    expect(logs.search({ limit: 10_000 }).length).toBeLessThanOrEqual(MAX_SEARCH_LIMIT);
    expect(logs.functionNames()).toEqual(['order-worker', 'orders-api']);
  });

  test('level ranks', () => {
    expect(levelRank('warning')).toBe(levelRank('WARN'));
    expect(levelRank('fatal')).toBe(levelRank('CRITICAL'));
    expect(levelRank('something')).toBe(levelRank('INFO'));
  });
});
