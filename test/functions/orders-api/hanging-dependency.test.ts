/**
 * A dependency that accepts connections and never answers: the real handler and the real AWS SDK,
 * pointed at a TCP server that reads requests and sends nothing back. Each AWS call must give up
 * on its own, well inside the function's 10 s timeout, and the API must answer a clear 503.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setHandlerEnv } from '../../support/aws-env.js';
import { metricValues } from '../../support/output.js';
import type { ApiHandler } from './support.js';
import { apiCaller } from './support.js';

/** The deployed functions' timeout (ObservedFunction's default), which every call must stay inside. */
const FUNCTION_TIMEOUT_MS = 10_000;

const sockets = new Set<Socket>();
/** Connections on which a request arrived. */
let requestsSeen = 0;
const silent = createServer((socket) => {
  sockets.add(socket);
  socket.once('data', () => requestsSeen++);
  socket.on('close', () => sockets.delete(socket));
});
await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;

setHandlerEnv('orders-api', {
  TABLE_NAME: 'orders-hanging-test',
  ORDERS_QUEUE_URL: `${silentUrl}/123456789012/orders`,
  AWS_ENDPOINT_URL_DYNAMODB: silentUrl,
  AWS_ENDPOINT_URL_SQS: silentUrl,
});
const { handler } = await import('../../../functions/orders-api/handler.js');
const { createSqsClient } = await import('../../../functions/orders-core/clients.js');
const call = apiCaller(handler as unknown as ApiHandler);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

/** Fails the test, rather than hanging it, when the work does not settle in time. */
async function settledWithin<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('when DynamoDB accepts connections and never answers', () => {
  it('answers 503 with a clear error well inside the function timeout, after two timed-out attempts', async () => {
    requestsSeen = 0;
    const startedAt = performance.now();
    const response = await settledWithin(
      FUNCTION_TIMEOUT_MS + 5000,
      call('GET', `/orders/${randomUUID()}`, { headers: { 'x-correlation-id': 'corr-hanging-db' } }),
    );
    const elapsedMs = performance.now() - startedAt;

    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      error: 'storage_unavailable',
      message: 'The service is temporarily unavailable; try again',
    });
    expect(response.headers['retry-after']).toBe('1');
    // Two attempts of 2 s each: the answer comes from the timeouts, not from a refused connection.
    expect(requestsSeen).toBe(2);
    expect(elapsedMs).toBeGreaterThanOrEqual(3900);
    expect(elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS * 0.7);

    expect(metricValues(response.emf, 'DbQueries', { operation: 'GetItem', status: 'error' })).toEqual([1]);
    const failure = response.logs.find((line) => line.message === 'Storage call failed');
    expect(failure).toMatchObject({ level: 'ERROR', correlation_id: 'corr-hanging-db' });
    expect(JSON.stringify(failure)).toMatch(/TimeoutError/);
  }, 30_000);
});

describe('when SQS accepts connections and never answers', () => {
  it('gives up on a send with a TimeoutError after two attempts, well inside the function timeout', async () => {
    requestsSeen = 0;
    const sqs = createSqsClient();
    const startedAt = performance.now();
    try {
      const sent = sqs.send(
        new SendMessageCommand({ QueueUrl: process.env.ORDERS_QUEUE_URL, MessageBody: '{}' }),
      );
      await expect(settledWithin(FUNCTION_TIMEOUT_MS + 5000, sent)).rejects.toMatchObject({
        name: 'TimeoutError',
      });
    } finally {
      sqs.destroy();
    }
    const elapsedMs = performance.now() - startedAt;
    expect(requestsSeen).toBe(2);
    expect(elapsedMs).toBeGreaterThanOrEqual(3900);
    expect(elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS * 0.7);
  }, 30_000);
});
