/** The OpenTelemetry backend, exporting to a real local OTLP/HTTP receiver. */
import { afterAll, describe, expect, it } from '@jest/globals';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';
import type { CapturedOutput } from './support.js';
import { captureOutput, events, lambdaContext, setLambdaEnv } from './support.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const receiver = await startOtlpReceiver();
const dynamo = dynalite({ createTableMs: 0 });
await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', () => resolve()));
setLambdaEnv({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
  AWS_LAMBDA_FUNCTION_VERSION: '7',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
});
delete process.env._X_AMZN_TRACE_ID;
const { withObservability, traced, timeDbQuery, captureAwsClient } = await import('../../lib/otel.js');
const { DynamoDBClient, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');

afterAll(async () => {
  await receiver.close();
  await new Promise<void>((resolve) => dynamo.close(() => resolve()));
});

/**
 * These tests read the spans as soon as the invocation returns, so they give the export a budget
 * that a loaded machine's first export (connection, serialization) always fits in; the default
 * 50 ms budget and what happens past it are tested in otel-export.test.ts.
 */
const otel = { tracing: 'otel', otelExportBudgetMs: 5_000 } as const;

const SERVER = 2;
const ERROR = 2;
let output: CapturedOutput;

describe('lookout/otel', () => {
  it('exports the handler span and its children, linked, with attributes and resource, before returning', async () => {
    const client = captureAwsClient(new DynamoDBClient({ region: 'eu-west-2' }));
    const handler = withObservability(
      async () => {
        await traced('validate order', async () => traced('check stock', async () => 'ok'), { items: 2 });
        await timeDbQuery('ListTables', 'orders', () => client.send(new ListTablesCommand({})));
        return { statusCode: 201 };
      },
      { ...otel, serviceName: 'orders' },
    );
    receiver.spans.length = 0;
    output = captureOutput();
    await handler(
      events.apiGatewayV2({ headers: { 'x-correlation-id': 'corr-otel' } }) as never,
      lambdaContext(),
    );
    output.restore();

    // flushed before the invocation returned: no waiting here
    const byName = (name: string) => receiver.spans.find((s) => s.name === name)!;
    const root = byName('orders-api');
    expect(root).toBeDefined();
    expect(root.kind).toBe(SERVER);
    expect(root.parentSpanId ?? '').toBe('');
    expect(root.attributes).toMatchObject({
      service: 'orders',
      correlation_id: 'corr-otel',
      method: 'GET',
      route: 'GET /orders/{id}',
      status: 201,
      'faas.trigger': 'http',
      'faas.coldstart': true,
    });
    expect(root.resource).toMatchObject({
      'service.name': 'orders',
      'service.version': '7',
      'faas.name': 'orders-api',
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'cloud.region': 'eu-west-2',
    });
    // X-Ray-compatible trace ids: the first 8 hex digits are the epoch seconds
    const epoch = parseInt(root.traceId.slice(0, 8), 16);
    expect(Math.abs(epoch - Date.now() / 1000)).toBeLessThan(600);

    const validate = byName('validate order');
    const stock = byName('check stock');
    const db = byName('db ListTables orders');
    const sdk = byName('DynamoDB.ListTables');
    expect(validate.parentSpanId).toBe(root.spanId);
    expect(validate.attributes).toEqual({ items: 2 });
    expect(stock.parentSpanId).toBe(validate.spanId);
    expect(db.parentSpanId).toBe(root.spanId);
    expect(sdk.parentSpanId).toBe(db.spanId);
    expect(sdk.attributes).toMatchObject({
      'rpc.system': 'aws-api',
      'rpc.service': 'DynamoDB',
      'rpc.method': 'ListTables',
    });
    for (const span of [validate, stock, db, sdk]) expect(span.traceId).toBe(root.traceId);
  });

  it('records errors with status on the failing span and the handler span', async () => {
    const handler = withObservability(async () => {
      await traced('charge card', async () => {
        throw new Error('card declined');
      });
    }, otel);
    receiver.spans.length = 0;
    output = captureOutput();
    await expect(handler(events.sqs() as never, lambdaContext())).rejects.toThrow('card declined');
    output.restore();
    const charge = receiver.spans.find((s) => s.name === 'charge card')!;
    const root = receiver.spans.find((s) => s.spanId === charge.parentSpanId)!;
    for (const span of [charge, root]) {
      expect(span.status).toEqual({ code: ERROR, message: 'card declined' });
      expect(span.events.map((e) => e.name)).toContain('exception');
    }
    expect(root.attributes).toMatchObject({
      'faas.trigger': 'pubsub',
      event_source: 'sqs',
      outcome: 'error',
    });
  });

  it("continues the caller's trace from traceparent, x-amzn-trace-id, or Lambda's own header", async () => {
    const handler = withObservability(async () => ({ statusCode: 200 }), otel);
    const cases: [Record<string, string>, string | undefined, string, string][] = [
      [
        { traceparent: '00-6748d2a0aaaaaaaaaaaaaaaaaaaaaaaa-1111111111111111-01' },
        undefined,
        '6748d2a0aaaaaaaaaaaaaaaaaaaaaaaa',
        '1111111111111111',
      ],
      [
        { 'x-amzn-trace-id': 'Root=1-6748d2a0-bbbbbbbbbbbbbbbbbbbbbbbb;Parent=2222222222222222;Sampled=1' },
        undefined,
        '6748d2a0bbbbbbbbbbbbbbbbbbbbbbbb',
        '2222222222222222',
      ],
      [
        {},
        'Root=1-6748d2a0-cccccccccccccccccccccccc;Parent=3333333333333333;Sampled=1',
        '6748d2a0cccccccccccccccccccccccc',
        '3333333333333333',
      ],
    ];
    for (const [headers, lambdaHeader, traceId, parentSpanId] of cases) {
      if (lambdaHeader) process.env._X_AMZN_TRACE_ID = lambdaHeader;
      else delete process.env._X_AMZN_TRACE_ID;
      receiver.spans.length = 0;
      output = captureOutput();
      await handler(events.apiGatewayV2({ headers }) as never, lambdaContext());
      output.restore();
      expect(receiver.spans).toHaveLength(1);
      expect(receiver.spans[0]).toMatchObject({ traceId, parentSpanId });
    }
    delete process.env._X_AMZN_TRACE_ID;
  });
});
