/**
 * `npm start`. Until the full sandbox lands, this runs a small handler wrapped with
 * `withObservability` through a few API Gateway requests and prints what Lambda would send to
 * CloudWatch: JSON log lines and EMF metric lines.
 */
import type { Context } from 'aws-lambda';
import { businessMetrics, getLogger, timeDbQuery, withObservability } from '../lib/index.js';

process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ??= '256';

const handler = withObservability(
  async (event: { rawPath: string }) => {
    if (event.rawPath === '/orders/missing') return { statusCode: 404, body: '{"error":"not found"}' };
    const order = await timeDbQuery('GetItem', 'orders', async () => ({
      id: '42',
      category: 'books',
      total: 25,
    }));
    businessMetrics.amount('OrderAmount', order.total, { category: order.category });
    getLogger().info('order read', { order_id: order.id });
    return { statusCode: 200, body: JSON.stringify(order) };
  },
  { serviceName: 'orders', routes: ['GET /orders/{id}'], tracing: 'off' },
);

const context = (n: number): Context =>
  ({
    functionName: 'orders-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:orders-api',
    memoryLimitInMB: '256',
    awsRequestId: `request-${n}`,
    getRemainingTimeInMillis: () => 3000,
  }) as Context;

const request = (path: string, correlationId: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: 'token=never-logged',
  headers: { 'x-correlation-id': correlationId, authorization: 'Bearer never-logged' },
  requestContext: {
    requestId: `api-${correlationId}`,
    http: { method: 'GET', path, sourceIp: '127.0.0.1', userAgent: 'npm-start' },
  },
});

console.log(
  'Lookout: three requests through a wrapped handler; each line below is what CloudWatch would receive.\n',
);
for (const [n, path] of ['/orders/42', '/orders/42', '/orders/missing'].entries()) {
  const response = await handler(request(path, `demo-${n + 1}`) as never, context(n + 1));
  console.log(`\n→ response ${JSON.stringify(response)}\n`);
}
