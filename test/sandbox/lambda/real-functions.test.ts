/**
 * The demo's real functions, bundled as the CDK bundles them and run in the local Lambda
 * emulation: the health check against a local HTTP server, the orders API against dynalite and
 * the SQS stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionManager, InvocationRecord } from '../../../sandbox/lambda/index.js';
import { createFunctionManager, parseTraceHeader } from '../../../sandbox/lambda/index.js';
import type { SqsStandIn } from '../../../sandbox/aws/sqs.js';
import { startSqsStandIn } from '../../../sandbox/aws/sqs.js';
import type { LocalDynamo } from '../../support/dynalite.js';
import { createDemoTable, startDynalite } from '../../support/dynalite.js';
import { httpEvent, scheduledEvent } from '../../support/lambda-events.js';
import type { TestBundles } from './support.js';
import { parseJsonLines, testBundles } from './support.js';

const TABLE = 'lookout-demo';
let bundles: TestBundles;
let dynamo: LocalDynamo;
let sqs: SqsStandIn;
let healthServer: Server;
let healthCheck: FunctionManager;
let ordersApi: FunctionManager;
let ordersBundlePath: string;
const records: InvocationRecord[] = [];

beforeAll(async () => {
  bundles = await testBundles();
  const [healthBundle, ordersBundle] = await Promise.all([
    bundles.bundle('health-check', 'functions/health-check/handler.ts'),
    bundles.bundle('orders-api', 'functions/orders-api/handler.ts'),
  ]);
  ordersBundlePath = ordersBundle.directory;
  [dynamo, sqs] = await Promise.all([startDynalite(), startSqsStandIn({ queues: ['orders'] })]);
  await createDemoTable(dynamo.endpoint, TABLE);
  healthServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => healthServer.listen(0, '127.0.0.1', resolve));
  const healthUrl = `http://127.0.0.1:${(healthServer.address() as AddressInfo).port}/health`;

  const common = { POWERTOOLS_METRICS_NAMESPACE: 'LookoutSandboxTest', LOOKOUT_TRACING: 'off' };
  healthCheck = await createFunctionManager({
    name: 'health-check',
    bundle: healthBundle,
    environment: { ...common, HEALTH_CHECK_URL: healthUrl, HEALTH_CHECK_TARGET: 'orders' },
  });
  ordersApi = await createFunctionManager({
    name: 'orders-api',
    bundle: ordersBundle,
    memoryMb: 512,
    timeoutSeconds: 10,
    environment: {
      ...common,
      TABLE_NAME: TABLE,
      ORDERS_QUEUE_URL: sqs.queueUrl('orders'),
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.url,
    },
  });
  for (const fn of [healthCheck, ordersApi]) fn.onInvocation((record) => records.push(record));
});

afterAll(async () => {
  await Promise.all([healthCheck?.close(), ordersApi?.close()]);
  await Promise.all([
    dynamo?.close(),
    sqs?.close(),
    new Promise((resolve) => healthServer?.close(resolve)),
    bundles?.cleanup(),
  ]);
});

const emfValue = (lines: string[], metric: string): unknown[] =>
  parseJsonLines(lines)
    .filter((line) => '_aws' in line && metric in line)
    .map((line) => line[metric]);

describe('the health check in the emulation', () => {
  it('probes the URL, logs and emits its metrics, cold then warm', async () => {
    const cold = await healthCheck.invoke(scheduledEvent());
    const warm = await healthCheck.invoke(scheduledEvent());
    expect(cold).toMatchObject({
      status: 'success',
      coldStart: true,
      result: { target: 'orders', up: true, status: 200 },
    });
    expect(warm).toMatchObject({ status: 'success', coldStart: false, containerId: cold.containerId });
    expect(cold.initDurationMs).toBeGreaterThan(0);
    expect(warm.initDurationMs).toBeUndefined();

    const passed = parseJsonLines(cold.lines).find((line) => line.message === 'Health check passed');
    // Powertools reads the Lambda environment and the trace header the emulation set.
    expect(passed).toMatchObject({
      service: 'health-check',
      function_name: 'health-check',
      function_request_id: cold.requestId,
      function_memory_size: '128',
      cold_start: true,
      xray_trace_id: parseTraceHeader(cold.traceHeader)!.root,
    });
    expect(parseJsonLines(warm.lines).find((line) => line.message === 'Health check passed')).toMatchObject({
      cold_start: false,
      xray_trace_id: parseTraceHeader(warm.traceHeader)!.root,
    });
    expect(emfValue(cold.lines, 'HealthCheckSuccess')).toEqual([1]);
    expect(emfValue(cold.lines, 'ColdStart')).toEqual([1]);
    expect(
      records.filter((record) => record.functionName === 'health-check').map((r) => r.report?.record.status),
    ).toEqual(['success', 'success']);
  });
});

describe('the orders API in the emulation', () => {
  it('registers a user and places an order through dynalite and the SQS stand-in', async () => {
    const registered = await ordersApi.invoke(
      httpEvent('POST', '/users', {
        body: { email: 'emulated@example.com', name: 'Emma', password: 'correct horse battery' },
      }),
    );
    expect(registered.status).toBe('success');
    const userResponse = registered.result as {
      statusCode: number;
      body: string;
      headers: Record<string, string>;
    };
    expect(userResponse.statusCode).toBe(201);
    const user = JSON.parse(userResponse.body) as { id: string };

    const ordered = await ordersApi.invoke(
      httpEvent('POST', '/orders', {
        body: { userId: user.id, category: 'books', items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 20 }] },
        headers: { 'x-correlation-id': 'emulated-order' },
      }),
    );
    expect(ordered).toMatchObject({
      status: 'success',
      coldStart: false,
      containerId: registered.containerId,
    });
    const orderResponse = ordered.result as {
      statusCode: number;
      body: string;
      headers: Record<string, string>;
    };
    expect(orderResponse.statusCode).toBe(201);
    expect(orderResponse.headers['x-correlation-id']).toBe('emulated-order');
    const order = JSON.parse(orderResponse.body) as { id: string };
    const queued = sqs.messages('orders').find((message) => JSON.parse(message.body).orderId === order.id);
    expect(queued?.messageAttributes['x-correlation-id']?.StringValue).toBe('emulated-order');

    const access = parseJsonLines(ordered.lines).find((line) => line.route === 'POST /orders');
    expect(access).toMatchObject({ correlation_id: 'emulated-order', status: 201 });
    expect(emfValue(ordered.lines, 'Orders')).toEqual([1]);
    // The password never reaches the function's output.
    expect(registered.lines.join('\n')).not.toContain('correct horse battery');
  });

  it('fails every invocation with the init error while its configuration is missing', async () => {
    const unconfigured = await createFunctionManager({
      name: 'orders-api-unconfigured',
      bundle: ordersBundlePath,
    });
    try {
      for (const attempt of [1, 2]) {
        const result = await unconfigured.invoke(httpEvent('GET', '/health'));
        expect({ attempt, ...result }).toMatchObject({
          attempt,
          status: 'error',
          coldStart: true,
          error: {
            errorType: 'Error',
            errorMessage: 'Environment variable TABLE_NAME is required but not set',
          },
        });
      }
    } finally {
      await unconfigured.close();
    }
  });

  it('answers GET /health on a warm container, within the report’s memory figures', async () => {
    const health = await ordersApi.invoke(httpEvent('GET', '/health'));
    expect(health).toMatchObject({ status: 'success', coldStart: false, result: { statusCode: 200 } });
    const report = records.find((record) => record.result === health)!.report!;
    expect(report.record.metrics.memorySizeMB).toBe(512);
    expect(report.record.metrics.maxMemoryUsedMB).toBeGreaterThan(20);
    expect(report.record.metrics.maxMemoryUsedMB).toBeLessThan(512);
  });
});
