/** OpenTelemetry traces in the sandbox: the OTLP receiver assembles them, and they share the trace view with X-Ray. */
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import type { ConsoleTraceTree } from '../../sandbox/console/index.js';
import { xrayTraceId } from '../../lib/tracing/context.js';
import { startOtlpReceiver } from '../../sandbox/otlp.js';
import { combineTraceSources } from '../../sandbox/traces.js';

const receiver = await startOtlpReceiver();
Object.assign(process.env, {
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
  AWS_LAMBDA_FUNCTION_NAME: 'orders-api',
  POWERTOOLS_SERVICE_NAME: 'orders',
});
delete process.env._X_AMZN_TRACE_ID;
const { withObservability, traced } = await import('../../lib/otel.js');

afterAll(() => receiver.close());

describe('the sandbox OTLP receiver', () => {
  it('assembles the spans a function exports into one trace tree, in X-Ray trace-id form', async () => {
    const quiet = [
      jest.spyOn(process.stdout, 'write').mockReturnValue(true),
      jest.spyOn(process.stderr, 'write').mockReturnValue(true),
    ];
    const handler = withObservability(
      async () => {
        await traced('reserve stock', async () => traced('read inventory', async () => 1));
        await traced('charge card', async () => {
          throw new Error('declined');
        }).catch(() => undefined);
        return { statusCode: 201 };
      },
      // The spans are read right after the invocation: let the export finish, however busy the machine.
      { tracing: 'otel', otelExportBudgetMs: 5000 },
    );
    await handler(
      {
        version: '2.0',
        routeKey: 'POST /orders',
        rawPath: '/orders',
        headers: {},
        requestContext: { requestId: 'r1', http: { method: 'POST', path: '/orders' } },
      } as never,
      {
        awsRequestId: 'req-1',
        getRemainingTimeInMillis: () => 3000,
      } as never,
    );
    for (const spy of quiet) spy.mockRestore();

    const [tree] = receiver.traces();
    expect(tree).toBeDefined();
    expect(tree!.traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(tree!.nodeCount).toBe(4);
    const [root] = tree!.roots;
    expect(root).toMatchObject({ name: 'orders-api', kind: 'segment', fault: false });
    expect(root!.annotations).toMatchObject({ route: 'POST /orders', status: 201 });
    expect(root!.children.map((child) => child.name)).toEqual(['reserve stock', 'charge card']);
    expect(root!.children[0]!.children.map((child) => child.name)).toEqual(['read inventory']);
    expect(root!.children[1]!.fault).toBe(true);
    expect(root!.origin).toContain('OpenTelemetry (orders)');
    expect(receiver.trace(tree!.traceId)?.nodeCount).toBe(4);
  });

  it('refuses what is not an OTLP/JSON export, and keeps working', async () => {
    const bad = await fetch(`${receiver.endpoint}/v1/traces`, { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
    const wrongPath = await fetch(`${receiver.endpoint}/v1/metrics`, { method: 'POST', body: '{}' });
    expect(wrongPath.status).toBe(404);
    expect(receiver.traces().length).toBeGreaterThan(0);
  });
});

describe('one trace view', () => {
  it('merges the X-Ray and OpenTelemetry documents of the same trace', () => {
    const traceId = xrayTraceId('6748d2a0aaaaaaaaaaaaaaaaaaaaaaaa');
    const node = (id: string, name: string, start: number) => ({
      id,
      name,
      kind: 'segment' as const,
      startTime: start,
      endTime: start + 1,
      inProgress: false,
      error: false,
      fault: false,
      throttle: false,
      children: [],
    });
    const tree = (roots: ReturnType<typeof node>[]): ConsoleTraceTree => ({
      traceId,
      startTime: roots[0]!.startTime,
      endTime: roots[0]!.startTime + 1,
      roots,
      nodeCount: roots.length,
    });
    const xray = {
      traces: () => [tree([node('a', 'orders-api (Lambda)', 100)])],
      trace: () => tree([node('a', 'orders-api (Lambda)', 100)]),
    };
    const otel = {
      traces: () => [tree([node('b', 'orders-api', 100.2)])],
      trace: () => tree([node('b', 'orders-api', 100.2)]),
    };
    const combined = combineTraceSources(xray, otel);
    const [merged] = combined.traces();
    expect(combined.traces()).toHaveLength(1);
    expect(merged!.roots.map((root) => root.id)).toEqual(['a', 'b']);
    expect(merged!.nodeCount).toBe(2);
    expect(combined.trace(traceId)?.roots).toHaveLength(2);
  });
});
