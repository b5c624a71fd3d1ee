/**
 * One request keeps one trace id and one correlation id across functions: an HTTP function
 * publishes to SNS with Lookout's message attributes, and the function SNS invokes continues both.
 * Checked with X-Ray (segments on a real UDP socket) and with OpenTelemetry (a real OTLP receiver).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { startXRayDaemon } from '../support/xray-daemon.js';
import type { CapturedOutput } from './support.js';
import { captureOutput, events, lambdaContext, setLambdaEnv } from './support.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const daemon = await startXRayDaemon<{ name: string; trace_id?: string; id: string; parent_id?: string }>();
const segments = daemon.segments;
const receiver = await startOtlpReceiver();

setLambdaEnv({
  AWS_XRAY_DAEMON_ADDRESS: daemon.address,
  LAMBDA_TASK_ROOT: '/var/task',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  _HANDLER: 'index.handler',
  // Capturing HTTP patches Node's http module for the whole Jest worker, and later test files in
  // it would trace their requests: not what these tests are about.
  POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
});
const lookout = await import('../../lib/index.js');
const lookoutOtel = await import('../../lib/otel.js');
/** Each backend from its own entry point, as a user imports it. */
const wrappers = { xray: lookout.withObservability, otel: lookoutOtel.withObservability };
/** Spans are read as soon as an invocation returns: a budget a loaded machine's first export fits in. */
const otelExportBudgetMs = 5_000;
const { messageAttributes, propagationHeaders, eventDetail, parseTraceparent, formatXRayHeader } = lookout;

afterAll(async () => {
  // Jest runs other test files in this process after this one: leave no trace header behind.
  delete process.env._X_AMZN_TRACE_ID;
  daemon.close();
  await receiver.close();
});

/** What SNS delivers to a subscribed function for a Publish with these MessageAttributes. */
function snsDelivery(attributes: ReturnType<typeof messageAttributes>) {
  const event = events.sns({ message: '{"orderId":"o-1"}' });
  event.Records[0]!.Sns.MessageAttributes = Object.fromEntries(
    Object.entries(attributes).map(([name, { StringValue }]) => [
      name,
      { Type: 'String', Value: StringValue },
    ]),
  ) as never;
  return event;
}

let output: CapturedOutput;

describe.each(['xray', 'otel'] as const)('API → SNS → function with %s', (tracing) => {
  it('keeps one trace id and one correlation id', async () => {
    let published: ReturnType<typeof messageAttributes> = {};
    let headers: Record<string, string> = {};
    const withObservability = wrappers[tracing];
    const api = withObservability(
      async () => {
        published = messageAttributes({ kind: { DataType: 'String', StringValue: 'order' } });
        headers = propagationHeaders();
        return { statusCode: 202 };
      },
      { tracing, serviceName: 'orders', otelExportBudgetMs },
    );
    const consumer = withObservability(async () => 'consumed', {
      tracing,
      serviceName: 'notifier',
      otelExportBudgetMs,
    });

    segments.length = 0;
    receiver.spans.length = 0;
    output = captureOutput();
    // Lambda starts the API function's trace
    process.env._X_AMZN_TRACE_ID =
      'Root=1-6748d2a0-aaaaaaaaaaaaaaaaaaaaaaaa;Parent=1111111111111111;Sampled=1';
    await api(
      events.apiGatewayV2({ method: 'POST', headers: { 'x-correlation-id': 'order-flow-1' } }) as never,
      lambdaContext(),
    );
    const sent = parseTraceparent(published.traceparent?.StringValue)!;
    expect(published.kind).toEqual({ DataType: 'String', StringValue: 'order' });
    expect(published['x-correlation-id']?.StringValue).toBe('order-flow-1');
    expect(headers).toMatchObject({
      'x-correlation-id': 'order-flow-1',
      traceparent: published.traceparent!.StringValue,
    });
    expect(headers['x-amzn-trace-id']).toBe(formatXRayHeader(sent));

    // SNS invokes the consumer; with active tracing Lambda hands it the publisher's trace header
    process.env._X_AMZN_TRACE_ID = formatXRayHeader({ ...sent, spanId: '2222222222222222' });
    await consumer(snsDelivery(published) as never, lambdaContext());
    output.restore();

    const logs = output.logs();
    expect(logs.map((l) => [l.service, l.correlation_id])).toEqual([
      ['orders', 'order-flow-1'],
      ['notifier', 'order-flow-1'],
    ]);
    expect(sent.traceId).toBe('6748d2a0aaaaaaaaaaaaaaaaaaaaaaaa');

    if (tracing === 'xray') {
      await new Promise((r) => setTimeout(r, 200));
      const handlerSegments = segments.filter((s) => s.name === '## index.handler');
      expect(handlerSegments).toHaveLength(2);
      expect(new Set(handlerSegments.map((s) => s.trace_id))).toEqual(
        new Set(['1-6748d2a0-aaaaaaaaaaaaaaaaaaaaaaaa']),
      );
      // the API function sent its own handler subsegment as the parent
      expect(sent.spanId).toBe(handlerSegments[0]!.id);
    } else {
      const [apiSpan, consumerSpan] = receiver.spans;
      expect(apiSpan!.traceId).toBe(sent.traceId);
      expect(consumerSpan!.traceId).toBe(sent.traceId);
      // the consumer continues from the publisher's span, as carried in the message
      expect(consumerSpan!.parentSpanId).toBe(apiSpan!.spanId);
      expect(sent.spanId).toBe(apiSpan!.spanId);
    }
  });
});

describe('EventBridge detail', () => {
  it('carries the correlation id and trace context to the consumer', async () => {
    let detail: Record<string, unknown> = {};
    const withObservability = wrappers.otel;
    const producer = withObservability(
      async () => {
        detail = eventDetail({ orderId: 'o-9' });
      },
      { tracing: 'otel', otelExportBudgetMs },
    );
    const consumer = withObservability(async () => 'ok', { tracing: 'otel', otelExportBudgetMs });
    receiver.spans.length = 0;
    output = captureOutput();
    await producer(
      events.apiGatewayV2({ headers: { 'x-correlation-id': 'eb-flow' } }) as never,
      lambdaContext(),
    );
    await consumer(events.eventBridge({ detail }) as never, lambdaContext());
    output.restore();
    expect(detail).toMatchObject({ orderId: 'o-9', correlation_id: 'eb-flow' });
    expect(output.logs()[1]!.correlation_id).toBe('eb-flow');
    expect(receiver.spans[1]!.traceId).toBe(receiver.spans[0]!.traceId);
  });
});

describe('X-Ray context sent on', () => {
  it("keeps Lambda's sampling decision: an unsampled trace stays unsampled downstream", async () => {
    let headers: Record<string, string> = {};
    const api = lookout.withObservability(
      async () => {
        headers = propagationHeaders();
        return { statusCode: 200 };
      },
      { tracing: 'xray' },
    );
    output = captureOutput();
    process.env._X_AMZN_TRACE_ID =
      'Root=1-6748d2a0-bbbbbbbbbbbbbbbbbbbbbbbb;Parent=3333333333333333;Sampled=0';
    await api(events.apiGatewayV2() as never, lambdaContext());
    output.restore();
    const sent = parseTraceparent(headers.traceparent)!;
    expect(sent).toMatchObject({ traceId: '6748d2a0bbbbbbbbbbbbbbbbbbbbbbbb', sampled: false });
    expect(headers['x-amzn-trace-id']).toMatch(/^Root=1-6748d2a0-b{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });
});
