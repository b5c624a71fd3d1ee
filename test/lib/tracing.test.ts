/**
 * X-Ray segments sent by the real SDK to a real UDP socket, as the X-Ray daemon receives them.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { startXRayDaemon } from '../support/xray-daemon.js';
import type { CapturedOutput } from './support.js';
import { captureOutput, events, lambdaContext, setLambdaEnv } from './support.js';

const daemon = await startXRayDaemon();
const received = daemon.segments;

const ROOT = '1-6748d2a0-0123456789abcdef01234567';
const FACADE = '53995c3f42cd8ad8';
setLambdaEnv({
  AWS_XRAY_DAEMON_ADDRESS: daemon.address,
  LAMBDA_TASK_ROOT: '/var/task',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  _HANDLER: 'index.handler',
  // Capturing HTTP patches Node's http module for the whole Jest worker, and later test files in
  // it would trace their requests: not what these tests are about.
  POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
  _X_AMZN_TRACE_ID: `Root=${ROOT};Parent=${FACADE};Sampled=1`,
});
const { withObservability, traced, timeDbQuery } = await import('../../lib/index.js');

afterAll(() => {
  daemon.close();
});

const waitFor = async (predicate: () => boolean, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

type Segment = {
  name: string;
  id: string;
  trace_id?: string;
  parent_id?: string;
  type?: string;
  annotations?: Record<string, unknown>;
  fault?: boolean;
  error?: boolean;
  cause?: { exceptions?: { message: string }[] };
  subsegments?: Segment[];
};

/** Closed subsegments are streamed on their own, or embedded in their parent: look in both places. */
const childrenOf = (parent: Segment) => [
  ...(parent.subsegments ?? []),
  ...(received as Segment[]).filter((s) => s.parent_id === parent.id),
];

const byName = (name: string) => received.find((s) => (s as Segment).name === name) as Segment | undefined;

describe('X-Ray', () => {
  let output: CapturedOutput;

  it('sends the handler subsegment with trace id, parent, annotations and child subsegments', async () => {
    received.length = 0;
    const handler = withObservability(
      async () => {
        await traced('charge card', async () => 'charged', { provider: 'stripe', amount: 12 });
        await timeDbQuery('GetItem', 'orders', async () => ({}));
        return { statusCode: 201 };
      },
      { serviceName: 'orders' },
    );
    output = captureOutput();
    await handler(
      events.apiGatewayV2({ headers: { 'x-correlation-id': 'corr-xray' } }) as never,
      lambdaContext(),
    );
    output.restore();
    await waitFor(() => byName('## index.handler') !== undefined);

    const handlerSegment = byName('## index.handler')!;
    expect(handlerSegment).toMatchObject({ trace_id: ROOT, parent_id: FACADE, type: 'subsegment' });
    expect(handlerSegment.annotations).toMatchObject({
      service: 'orders',
      cold_start: true,
      correlation_id: 'corr-xray',
      method: 'GET',
      route: 'GET /orders/{id}',
      status: 201,
    });
    const children = childrenOf(handlerSegment);
    const charge = children.find((s) => s.name === 'charge card');
    expect(charge?.annotations).toEqual({ provider: 'stripe', amount: 12 });
    expect(children.find((s) => s.name === 'db GetItem orders')?.annotations).toEqual({
      db_operation: 'GetItem',
      db_table: 'orders',
    });
    // every log line carries the same trace id
    expect(output.logs().every((l) => l.xray_trace_id === ROOT)).toBe(true);
  });

  it("records errors on the failing subsegment and the handler subsegment, and uses each invocation's trace id", async () => {
    received.length = 0;
    const root2 = '1-6748d2a0-fedcba9876543210fedcba98';
    process.env._X_AMZN_TRACE_ID = `Root=${root2};Parent=1111111111111111;Sampled=1`;
    const handler = withObservability(async () => {
      await traced('flaky step', async () => {
        throw new Error('payment declined');
      });
    });
    output = captureOutput();
    await expect(handler(events.sqs() as never, lambdaContext())).rejects.toThrow('payment declined');
    output.restore();
    await waitFor(() => byName('## index.handler') !== undefined);

    const handlerSegment = byName('## index.handler')!;
    expect(handlerSegment.trace_id).toBe(root2);
    expect(handlerSegment.fault).toBe(true);
    const flaky = childrenOf(handlerSegment).find((s) => s.name === 'flaky step');
    expect(flaky?.fault).toBe(true);
    const exception = flaky?.cause?.exceptions?.[0] as { id: string; message: string } | undefined;
    expect(exception?.message).toBe('payment declined');
    // X-Ray records the exception once, on the child; the parent's cause refers to it by id
    expect((handlerSegment.cause as { id?: string }).id).toMatch(/^[0-9a-f]{16}$/);
    expect(handlerSegment.annotations).toMatchObject({
      event_source: 'sqs',
      outcome: 'error',
      cold_start: false,
    });
  });

  it("sends nothing when tracing is 'off'", async () => {
    received.length = 0;
    const handler = withObservability(async () => traced('step', async () => 'x'), { tracing: 'off' });
    output = captureOutput();
    await expect(handler(events.sqs() as never, lambdaContext())).resolves.toBe('x');
    output.restore();
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toEqual([]);
  });
});

describe('cold start', () => {
  it('is one per container: logs, ColdStart metric and trace annotation agree across two wrapped handlers', async () => {
    const { jest } = await import('@jest/globals');
    received.length = 0;
    const seen: { log: unknown; metric: number; trace: unknown }[] = [];
    await jest.isolateModulesAsync(async () => {
      const fresh = await import('../../lib/index.js');
      const first = fresh.withObservability(async () => 'a');
      const second = fresh.withObservability(async () => 'b');
      for (const [handler, id] of [
        [first, 'cold-a'],
        [second, 'cold-b'],
        [first, 'cold-a2'],
      ] as const) {
        const output = captureOutput();
        await handler(events.sns({ correlationId: id }) as never, lambdaContext());
        output.restore();
        await waitFor(() =>
          received.some(
            (s) => s.name === '## index.handler' && (s as Segment).annotations?.correlation_id === id,
          ),
        );
        const segment = (received as Segment[]).find(
          (s) => s.name === '## index.handler' && s.annotations?.correlation_id === id,
        );
        seen.push({
          log: output.logs()[0]?.cold_start,
          metric: output.emf().filter((doc) => 'ColdStart' in doc).length,
          trace: segment?.annotations?.cold_start,
        });
      }
    });
    expect(seen).toEqual([
      { log: true, metric: 1, trace: true },
      { log: false, metric: 0, trace: false },
      { log: false, metric: 0, trace: false },
    ]);
  });
});
