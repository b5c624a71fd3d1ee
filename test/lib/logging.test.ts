import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { CapturedOutput } from './support.js';
import { captureOutput, events, lambdaContext, setLambdaEnv } from './support.js';
import { kinesisBatch, snsBatch, snsToSqsBatch, sqsBatch } from './fixtures/batch-events.js';

setLambdaEnv({ POWERTOOLS_TRACE_ENABLED: 'false' });
const { withObservability, withRecord, getLogger, messageAttributes, CORRELATION_HEADER } =
  await import('../../lib/index.js');

let output: CapturedOutput;
beforeAll(() => undefined);
afterEach(() => output?.restore());

const respondWith = (statusCode: number) =>
  withObservability(async () => ({ statusCode, body: 'ok' }), { routes: ['GET /orders/{id}'] });

const contextFields = [
  'service',
  'function_name',
  'function_request_id',
  'function_arn',
  'cold_start',
  'correlation_id',
  'xray_trace_id',
  'timestamp',
  'level',
];

describe('access log per HTTP source', () => {
  const cases: [string, unknown, string, string][] = [
    ['API Gateway v2', events.apiGatewayV2(), 'apigw-http', 'apigw-v2-request'],
    ['API Gateway v1', events.apiGatewayV1(), 'apigw-rest', 'apigw-v1-request'],
    ['ALB', events.alb(), 'alb', 'lambda-req'],
    ['Function URL', events.functionUrl(), 'function-url', 'function-url-request'],
  ];
  it.each(cases)(
    '%s: one JSON access line with context, route template and correlation id',
    async (_name, event, source, correlationPrefix) => {
      output = captureOutput();
      const context = lambdaContext();
      const response = await respondWith(200)(event as never, context);
      output.restore();

      const logs = output.logs();
      expect(logs).toHaveLength(1);
      const line = logs[0]!;
      for (const field of contextFields) expect(line).toHaveProperty(field);
      expect(line).toMatchObject({
        level: 'INFO',
        service: 'orders',
        function_request_id: context.awsRequestId,
        http_source: source,
        method: 'GET',
        route: 'GET /orders/{id}',
        path: '/orders/42',
        status: 200,
        user_agent: 'jest',
      });
      expect(typeof line.latency_ms).toBe('number');
      expect(String(line.correlation_id)).toContain(correlationPrefix);
      expect(line.xray_trace_id).toBe('1-6748d2a0-0123456789abcdef01234567');
      expect((response as unknown as { headers: Record<string, string> }).headers[CORRELATION_HEADER]).toBe(
        line.correlation_id,
      );
    },
  );

  it('takes the client address from API Gateway and from X-Forwarded-For behind an ALB', async () => {
    output = captureOutput();
    await respondWith(200)(events.apiGatewayV2() as never, lambdaContext());
    await respondWith(200)(events.alb() as never, lambdaContext());
    output.restore();
    expect(output.logs().map((l) => l.source_ip)).toEqual(['203.0.113.9', '192.0.2.1']);
  });

  it.each([
    [200, 'INFO'],
    [302, 'INFO'],
    [404, 'WARN'],
    [429, 'WARN'],
    [500, 'ERROR'],
    [503, 'ERROR'],
  ])('status %i is logged at %s', async (status, level) => {
    output = captureOutput();
    await respondWith(status)(events.apiGatewayV2() as never, lambdaContext());
    output.restore();
    expect(output.logs()[0]).toMatchObject({ level, status });
  });

  it('a thrown error is logged once at ERROR with status 500 and rethrown unchanged', async () => {
    const failure = new Error('database on fire');
    const handler = withObservability(async () => {
      throw failure;
    });
    output = captureOutput();
    await expect(handler(events.apiGatewayV2() as never, lambdaContext())).rejects.toBe(failure);
    output.restore();
    const logs = output.logs();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      level: 'ERROR',
      status: 500,
      error: { name: 'Error', message: 'database on fire' },
    });
  });

  it('raw paths that match no configured template are logged with route "other"', async () => {
    output = captureOutput();
    await respondWith(404)(events.functionUrl({ path: '/wp-admin/setup.php' }) as never, lambdaContext());
    output.restore();
    expect(output.logs()[0]).toMatchObject({ route: 'other', path: '/wp-admin/setup.php' });
  });
});

describe('summary line for other event sources', () => {
  it('SQS: source, record count, outcome and partial failures', async () => {
    const handler = withObservability(async () => ({ batchItemFailures: [{ itemIdentifier: 'msg-1' }] }));
    output = captureOutput();
    await handler(events.sqs({ records: 3 }) as never, lambdaContext());
    output.restore();
    expect(output.logs()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        event_source: 'sqs',
        record_count: 3,
        outcome: 'partial_failure',
        failed_records: 1,
      }),
    ]);
  });

  it.each([
    ['SNS', events.sns(), 'sns'],
    ['EventBridge', events.eventBridge(), 'eventbridge'],
    ['schedule', events.eventBridge({ detailType: 'Scheduled Event', source: 'aws.events' }), 'schedule'],
    ['an unknown shape', { hello: 'world' }, 'unknown'],
  ])('%s: one INFO summary line', async (_name, event, source) => {
    const handler = withObservability(async () => 'done');
    output = captureOutput();
    const result = await handler(event as never, lambdaContext());
    output.restore();
    expect(result).toBe('done');
    expect(output.logs()).toEqual([
      expect.objectContaining({ level: 'INFO', event_source: source, outcome: 'success' }),
    ]);
  });

  it('a failing event handler logs outcome error', async () => {
    const handler = withObservability(async () => {
      throw new TypeError('bad record');
    });
    output = captureOutput();
    await expect(handler(events.sns() as never, lambdaContext())).rejects.toThrow('bad record');
    output.restore();
    expect(output.logs()[0]).toMatchObject({
      level: 'ERROR',
      outcome: 'error',
      error: { name: 'TypeError' },
    });
  });
});

describe('correlation id', () => {
  const echo = withObservability(async () => ({ statusCode: 200, body: '' }));
  const correlationOf = async (event: unknown, context = lambdaContext()) => {
    output = captureOutput();
    const response = (await echo(event as never, context)) as
      { headers?: Record<string, string> } | undefined;
    output.restore();
    return { logged: output.logs()[0]?.correlation_id, echoed: response?.headers?.[CORRELATION_HEADER] };
  };

  it('comes from x-correlation-id, then x-request-id, then the API Gateway request id', async () => {
    expect(
      await correlationOf(
        events.apiGatewayV2({ headers: { 'x-correlation-id': 'corr-1', 'x-request-id': 'req-1' } }),
      ),
    ).toEqual({ logged: 'corr-1', echoed: 'corr-1' });
    expect(await correlationOf(events.apiGatewayV1({ headers: { 'X-Request-Id': 'req-2' } }))).toEqual({
      logged: 'req-2',
      echoed: 'req-2',
    });
    expect(await correlationOf(events.apiGatewayV2())).toEqual({
      logged: 'apigw-v2-request',
      echoed: 'apigw-v2-request',
    });
    expect((await correlationOf(events.functionUrl())).logged).toBe('function-url-request');
  });

  it('comes from the correlation_id member of a W3C baggage header', async () => {
    const event = events.apiGatewayV2({
      headers: { baggage: 'tenant=acme, correlation_id=from%2Dbaggage;ttl=1' },
    });
    expect(await correlationOf(event)).toEqual({ logged: 'from-baggage', echoed: 'from-baggage' });
    const lookalikes = events.apiGatewayV2({
      headers: { baggage: 'old_correlation_id=no,tenant=acme;correlation_id=no , correlation_id = yes ;p' },
    });
    expect((await correlationOf(lookalikes)).logged).toBe('yes');
    const broken = events.apiGatewayV2({ headers: { baggage: 'correlation_id=%E0%A4%A' } });
    expect((await correlationOf(broken)).logged).toBe('apigw-v2-request');
  });

  it('falls back to the Lambda request id where the source has no request id (ALB)', async () => {
    const context = lambdaContext();
    expect(await correlationOf(events.alb(), context)).toEqual({
      logged: context.awsRequestId,
      echoed: context.awsRequestId,
    });
  });

  it('comes from SQS and SNS message attributes and from EventBridge detail', async () => {
    expect((await correlationOf(events.sqs({ correlationId: 'from-sqs' }))).logged).toBe('from-sqs');
    expect((await correlationOf(events.sns({ correlationId: 'from-sns' }))).logged).toBe('from-sns');
    expect((await correlationOf(events.eventBridge({ detail: { correlationId: 'from-eb' } }))).logged).toBe(
      'from-eb',
    );
    expect(
      (await correlationOf(events.eventBridge({ detail: { correlation_id: 'from-eb-2' } }))).logged,
    ).toBe('from-eb-2');
  });

  it('ignores ids that are too long or carry control characters', async () => {
    const injected = events.apiGatewayV2({ headers: { 'x-correlation-id': 'evil\n{"level":"ERROR"}' } });
    expect((await correlationOf(injected)).logged).toBe('apigw-v2-request');
    const huge = events.apiGatewayV2({ headers: { 'x-correlation-id': 'x'.repeat(500) } });
    expect((await correlationOf(huge)).logged).toBe('apigw-v2-request');
  });

  it('does not leak into the next invocation', async () => {
    await correlationOf(events.apiGatewayV2({ headers: { 'x-correlation-id': 'first' } }));
    const context = lambdaContext();
    expect((await correlationOf(events.sns(), context)).logged).toBe(context.awsRequestId);
  });

  it("keeps a correlation header the handler set itself and does not mutate the handler's object", async () => {
    const shared = { statusCode: 200, headers: { 'X-Correlation-Id': 'mine' } };
    const handler = withObservability(async () => shared);
    output = captureOutput();
    const response = await handler(
      events.apiGatewayV2({ headers: { 'x-correlation-id': 'theirs' } }) as never,
      lambdaContext(),
    );
    output.restore();
    expect(response).toEqual({ statusCode: 200, headers: { 'X-Correlation-Id': 'mine' } });
    const plain = { statusCode: 201, body: 'x' };
    output = captureOutput();
    const echoed = await withObservability(async () => plain)(
      events.apiGatewayV2() as never,
      lambdaContext(),
    );
    output.restore();
    expect(plain).toEqual({ statusCode: 201, body: 'x' });
    expect(echoed).toEqual({
      statusCode: 201,
      body: 'x',
      headers: { [CORRELATION_HEADER]: 'apigw-v2-request' },
    });
  });
});

describe('correlation id of batches', () => {
  const invocationIdOf = async (event: unknown, context = lambdaContext()) => {
    output = captureOutput();
    await withObservability(async () => 'ok')(event as never, context);
    output.restore();
    return output.logs()[0]?.correlation_id;
  };

  it('of the invocation: the first record that has one, not only the first record', async () => {
    expect(await invocationIdOf(sqsBatch())).toBe('corr-sqs-2');
    expect(await invocationIdOf(snsBatch())).toBe('corr-sns-2');
    expect(await invocationIdOf(kinesisBatch())).toBe('corr-kinesis-2');
    const none = { Records: [sqsBatch().Records[0]] };
    const context = lambdaContext();
    expect(await invocationIdOf(none, context)).toBe(context.awsRequestId);
  });

  it('of an SNS to SQS fan-out: the attributes inside the SNS envelope in the SQS body', async () => {
    expect(await invocationIdOf(snsToSqsBatch())).toBe('corr-fanout-2');
  });

  it("withRecord scopes logs and outgoing attributes to each record's id, concurrent records included", async () => {
    const sent: Record<string, string | undefined> = {};
    const handler = withObservability(async (event: { Records: { messageId: string }[] }) => {
      await Promise.all(
        event.Records.map((record, i) =>
          withRecord(record, async (same) => {
            expect(same).toBe(record);
            // Later records log first: each keeps its own id across the await.
            await new Promise((resolve) => setTimeout(resolve, (event.Records.length - i) * 20));
            getLogger().info('processing', { message_id: record.messageId });
            sent[record.messageId] = messageAttributes()[CORRELATION_HEADER]?.StringValue;
          }),
        ),
      );
      getLogger().info('batch done');
      return { batchItemFailures: [] };
    });
    const context = lambdaContext();
    output = captureOutput();
    // One queue's batch: plain messages and SNS notifications fanned out to it.
    await handler({ Records: [...sqsBatch().Records, ...snsToSqsBatch().Records] } as never, context);
    output.restore();
    const byMessage = Object.fromEntries(
      output
        .logs()
        .filter((line) => line.message === 'processing')
        .map((line) => [line.message_id, line.correlation_id]),
    );
    const expected = {
      '059f36b4-87a3-44ab-83d2-661975830a7d': 'corr-sqs-2', // none of its own: the invocation's
      '2e1424d4-f796-459a-8184-9c92662be6da': 'corr-sqs-2',
      '3f1424d4-f796-459a-8184-9c92662be6db': 'corr-sqs-3',
      'c80e8021-a70a-42c7-a470-796e1186f753': 'corr-sqs-2',
      'd91f9132-b81b-53d8-b581-8a7f2297f864': 'corr-fanout-2',
    };
    expect(byMessage).toEqual(expected);
    expect(sent).toEqual(expected);
    const after = output.logs().filter((line) => line.message !== 'processing');
    expect(after.map((line) => line.correlation_id)).toEqual(['corr-sqs-2', 'corr-sqs-2']);
  });

  it('withRecord passes results and errors through, and runs records it cannot read', async () => {
    expect(withRecord({ messageAttributes: { 'x-correlation-id': 5 } }, () => 'ran')).toBe('ran');
    expect(withRecord(null, (record) => record)).toBeNull();
    await expect(
      withRecord(sqsBatch().Records[1], async () => {
        throw new Error('poison message');
      }),
    ).rejects.toThrow('poison message');
    const hostile = Object.defineProperty({}, 'Sns', {
      get() {
        throw new Error('getter');
      },
    });
    expect(withRecord(hostile, () => 'still ran')).toBe('still ran');
  });
});

describe('cold start', () => {
  it('is true on the first invocation of the container only', async () => {
    // Earlier tests in this file already used the container; a fresh module registry proves the first one.
    const { jest } = await import('@jest/globals');
    await jest.isolateModulesAsync(async () => {
      const fresh = await import('../../lib/index.js');
      const handler = fresh.withObservability(async () => 'ok');
      output = captureOutput();
      await handler(events.sns() as never, lambdaContext());
      await handler(events.sns() as never, lambdaContext());
      output.restore();
    });
    expect(output.logs().map((l) => l.cold_start)).toEqual([true, false]);
  });
});
