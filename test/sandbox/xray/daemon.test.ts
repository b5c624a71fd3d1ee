/**
 * The X-Ray daemon stand-in on a real UDP socket: datagrams sent by hand, and the segments of the
 * real orders API run in the local Lambda emulation with AWS_XRAY_DAEMON_ADDRESS pointing at it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSocket } from 'node:dgram';
import type { FunctionManager } from '../../../sandbox/lambda/index.js';
import { createFunctionManager, parseTraceHeader } from '../../../sandbox/lambda/index.js';
import type { SqsStandIn } from '../../../sandbox/aws/sqs.js';
import { startSqsStandIn } from '../../../sandbox/aws/sqs.js';
import type { TraceNode, XRayDaemon } from '../../../sandbox/xray/index.js';
import { DAEMON_HEADER, startXRayDaemon } from '../../../sandbox/xray/index.js';
import type { LocalDynamo } from '../../support/dynalite.js';
import { createDemoTable, startDynalite } from '../../support/dynalite.js';
import { httpEvent } from '../../support/lambda-events.js';
import type { TestBundles } from '../lambda/support.js';
import { testBundles, waitFor } from '../lambda/support.js';

const TRACE = '1-6b0a3d29-00000000000000000000abcd';

async function sendDatagrams(port: number, texts: string[]): Promise<void> {
  const socket = createSocket('udp4');
  try {
    for (const text of texts) {
      await new Promise<void>((resolve, reject) =>
        socket.send(text, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      );
    }
  } finally {
    socket.close();
  }
}

const find = (nodes: TraceNode[], name: string): TraceNode | undefined => {
  for (const node of nodes) {
    if (node.name === name) return node;
    const found = find(node.children, name);
    if (found) return found;
  }
  return undefined;
};

describe('the daemon socket', () => {
  let daemon: XRayDaemon;
  beforeAll(async () => {
    daemon = await startXRayDaemon();
  });
  afterAll(async () => {
    await daemon.close();
  });

  it('listens on a loopback port and keeps what arrives, grouped by trace', async () => {
    expect(daemon.address).toBe(`127.0.0.1:${daemon.port}`);
    const seen: string[] = [];
    daemon.onDocument((document) => seen.push(document.id));
    const root = { id: 'aaaaaaaaaaaaaaaa', trace_id: TRACE, name: 'api', start_time: 10, end_time: 12 };
    const child = {
      id: 'bbbbbbbbbbbbbbbb',
      trace_id: TRACE,
      parent_id: root.id,
      type: 'subsegment',
      name: 'DynamoDB',
      start_time: 10.5,
      end_time: 11,
    };
    await sendDatagrams(daemon.port, [
      `${DAEMON_HEADER}\n${JSON.stringify(child)}`,
      'not a daemon packet',
      `${DAEMON_HEADER}\n${JSON.stringify(root)}`,
    ]);
    await waitFor(() => daemon.stats().received + daemon.stats().malformed === 3, 2000, 'three datagrams');
    expect(daemon.stats()).toEqual({ received: 2, malformed: 1, dropped: 0 });
    expect(seen).toEqual([child.id, root.id]);
    expect(daemon.trace(TRACE)!.roots.map((node) => [node.name, node.children.map((c) => c.name)])).toEqual([
      ['api', ['DynamoDB']],
    ]);
    expect(daemon.traces().map((tree) => tree.traceId)).toContain(TRACE);
  });

  it('says clearly when its port is taken', async () => {
    await expect(startXRayDaemon({ port: daemon.port })).rejects.toThrow(
      `The X-Ray daemon stand-in cannot listen on UDP 127.0.0.1:${daemon.port}: the port is in use`,
    );
  });
});

describe('traces of a real function run in the emulation', () => {
  let bundles: TestBundles;
  let dynamo: LocalDynamo;
  let sqs: SqsStandIn;
  let daemon: XRayDaemon;
  let ordersApi: FunctionManager;

  beforeAll(async () => {
    bundles = await testBundles();
    const bundle = await bundles.bundle('orders-api', 'functions/orders-api/handler.ts');
    [dynamo, sqs, daemon] = await Promise.all([
      startDynalite(),
      startSqsStandIn({ queues: ['orders'] }),
      startXRayDaemon(),
    ]);
    await createDemoTable(dynamo.endpoint, 'traced-demo');
    ordersApi = await createFunctionManager({
      name: 'orders-api',
      bundle,
      timeoutSeconds: 10,
      xrayDaemonAddress: daemon.address,
      environment: {
        TABLE_NAME: 'traced-demo',
        ORDERS_QUEUE_URL: sqs.queueUrl('orders'),
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.url,
      },
    });
  });

  afterAll(async () => {
    await ordersApi?.close();
    await Promise.all([daemon?.close(), dynamo?.close(), sqs?.close(), bundles?.cleanup()]);
  });

  it('assembles the function segment, the handler and its DynamoDB calls into one tree', async () => {
    const invocation = await ordersApi.invoke(
      httpEvent('POST', '/users', {
        body: { email: 'traced@example.com', name: 'T', password: 'long enough pw' },
      }),
    );
    expect(invocation.status).toBe('success');
    const { root, parent } = parseTraceHeader(invocation.traceHeader)!;
    // The SDK streams each subsegment as it closes; the function's segment comes last.
    await waitFor(
      () => daemon.trace(root)?.roots[0]?.origin === 'AWS::Lambda::Function',
      3000,
      'the function segment',
    );
    await waitFor(
      () => find(daemon.trace(root)!.roots, '## index.handler') !== undefined,
      3000,
      'the handler',
    );
    const tree = daemon.trace(root)!;

    expect(tree.roots).toHaveLength(1);
    const fn = tree.roots[0]!;
    expect(fn).toMatchObject({
      id: parent,
      name: 'orders-api',
      kind: 'segment',
      origin: 'AWS::Lambda::Function',
      aws: { request_id: invocation.requestId },
      fault: false,
    });
    expect(fn.children.map((child) => child.name)).toEqual(
      expect.arrayContaining(['Initialization', 'Invocation', '## index.handler']),
    );
    const handler = find(fn.children, '## index.handler')!;
    expect(handler.parentId).toBe(parent);
    expect(handler.annotations).toMatchObject({ route: 'POST /users', status: 201, cold_start: true });
    const dbQuery = handler.children.find((child) => child.name.startsWith('db PutItem'))!;
    expect(dbQuery).toBeDefined();
    expect(dbQuery.children.map((child) => child.name)).toContain('DynamoDB');
    const dynamoCall = dbQuery.children.find((child) => child.name === 'DynamoDB')!;
    expect(dynamoCall).toMatchObject({
      namespace: 'aws',
      aws: { operation: 'PutItem', table_name: 'traced-demo' },
    });
    // Children sit inside their parents on the timeline.
    expect(dynamoCall.startTime).toBeGreaterThanOrEqual(dbQuery.startTime);
    expect(dynamoCall.endTime!).toBeLessThanOrEqual(dbQuery.endTime! + 0.001);
    expect(handler.startTime).toBeGreaterThanOrEqual(fn.startTime);
    expect(fn.endTime!).toBeGreaterThanOrEqual(handler.endTime!);
  });

  it('gives every invocation its own trace, and continues an incoming one under the caller', async () => {
    const callerParent = '53995c3f42cd8ad8';
    const incoming = `Root=${TRACE};Parent=${callerParent};Sampled=1`;
    const first = await ordersApi.invoke(httpEvent('GET', '/health'));
    const continued = await ordersApi.invoke(httpEvent('GET', '/health'), { traceHeader: incoming });
    expect(parseTraceHeader(first.traceHeader)!.root).not.toBe(TRACE);
    expect(parseTraceHeader(continued.traceHeader)!.root).toBe(TRACE);
    await waitFor(
      () => daemon.trace(TRACE)?.roots.some((node) => node.name === 'orders-api') === true,
      3000,
      'trace',
    );
    const fn = daemon.trace(TRACE)!.roots.find((node) => node.name === 'orders-api')!;
    expect(fn.parentId).toBe(callerParent);
    expect(fn.id).toBe(parseTraceHeader(continued.traceHeader)!.parent);
  });
});
