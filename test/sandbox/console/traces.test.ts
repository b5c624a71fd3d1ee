import { buildWaterfall, summarizeTrace, type TraceSource } from '../../../sandbox/console/traces.js';
import { TraceStore, type SegmentDocument } from '../../../sandbox/xray/index.js';

const TRACE = '1-67879a40-0123456789abcdef01234567';
const START = 1_736_942_370; // epoch seconds

function storeWithTrace(): TraceStore {
  const store = new TraceStore();
  const api: SegmentDocument = {
    id: 'a000000000000001',
    trace_id: TRACE,
    name: 'orders-api',
    origin: 'AWS::Lambda::Function',
    start_time: START,
    end_time: START + 0.5,
    http: { request: { method: 'POST', url: 'http://127.0.0.1/orders' }, response: { status: 502 } },
    subsegments: [
      {
        id: 'b000000000000001',
        trace_id: TRACE,
        name: 'payment provider',
        namespace: 'remote',
        start_time: START + 0.1,
        end_time: START + 0.4,
        fault: true,
        cause: { exceptions: [{ type: 'TimeoutError', message: 'timed out' }] },
      },
      {
        id: 'b000000000000002',
        trace_id: TRACE,
        name: 'SQS SendMessage',
        start_time: START + 0.45,
        end_time: START + 0.46,
      },
    ],
  };
  // The worker's segment arrives first and names the SQS call as its parent.
  store.add(
    {
      id: 'a000000000000002',
      trace_id: TRACE,
      name: 'order-worker',
      parent_id: 'b000000000000002',
      start_time: START + 0.6,
      end_time: START + 1,
    },
    1,
  );
  store.add(api, 2);
  // A subsegment sent on its own, still in progress.
  store.add(
    {
      id: 'b000000000000003',
      trace_id: TRACE,
      type: 'subsegment',
      parent_id: 'a000000000000002',
      name: 'DynamoDB UpdateItem',
      start_time: START + 0.7,
      in_progress: true,
    },
    3,
  );
  return store;
}

test("the X-Ray stand-in's TraceStore is a TraceSource as it is", () => {
  const source: TraceSource = storeWithTrace();
  expect(source.traces(10)).toHaveLength(1);
  expect(source.trace(TRACE)?.traceId).toBe(TRACE);
});

test('a summary names the entry point, its request and the worst outcome', () => {
  const summary = summarizeTrace(storeWithTrace().trace(TRACE)!);
  expect(summary).toEqual({
    id: TRACE,
    name: 'orders-api',
    startTime: START * 1000,
    segmentCount: 5,
    error: false,
    fault: true,
    throttle: false,
    method: 'POST',
    url: 'http://127.0.0.1/orders',
    status: 502,
  });
  // In progress: no duration yet.
  expect(summary.durationMs).toBeUndefined();
});

test('the waterfall lists segments depth first, nested across services, offset from the trace start', () => {
  const waterfall = buildWaterfall(storeWithTrace().trace(TRACE)!);
  expect(waterfall).toMatchObject({ traceId: TRACE, startTime: START * 1000, durationMs: 1000 });
  expect(
    waterfall.rows.map((row) => [
      row.name,
      row.kind,
      row.depth,
      row.offsetMs,
      row.durationMs,
      row.inProgress,
    ]),
  ).toEqual([
    ['orders-api', 'segment', 0, 0, 500, false],
    ['payment provider', 'subsegment', 1, 100, 300, false],
    ['SQS SendMessage', 'subsegment', 1, 450, 10, false],
    ['order-worker', 'segment', 2, 600, 400, false],
    // Still running: drawn up to the latest time the trace knows.
    ['DynamoDB UpdateItem', 'subsegment', 3, 700, 300, true],
  ]);
  expect(waterfall.rows[1]).toMatchObject({
    fault: true,
    namespace: 'remote',
    errorMessage: 'TimeoutError: timed out',
    parentId: 'a000000000000001',
  });
  expect(waterfall.rows[0]).toMatchObject({ method: 'POST', status: 502, origin: 'AWS::Lambda::Function' });
});

test('a trace with no nodes, and a node listed twice, do not break the views', () => {
  expect(buildWaterfall({ traceId: 't', startTime: 5, roots: [], nodeCount: 0 })).toEqual({
    traceId: 't',
    startTime: 5000,
    durationMs: 0,
    rows: [],
  });
  expect(summarizeTrace({ traceId: 't', startTime: 5, roots: [], nodeCount: 0 }).name).toBe('(no segments)');
  const node = {
    id: 'n',
    name: '',
    kind: 'segment' as const,
    startTime: 1,
    endTime: 2,
    inProgress: false,
    error: true,
    fault: false,
    throttle: false,
    cause: 'plain cause',
    children: [] as never[],
  };
  const waterfall = buildWaterfall({
    traceId: 't',
    startTime: 1,
    endTime: 2,
    roots: [node, node],
    nodeCount: 1,
  });
  expect(waterfall.rows).toEqual([
    expect.objectContaining({ name: '(unnamed)', errorMessage: 'plain cause', error: true }),
  ]);
});
