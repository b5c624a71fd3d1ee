/**
 * The scheduled health check against a real local HTTP server that is up, slow, failing and down.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setHandlerEnv } from '../../support/aws-env.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-events.js';
import { captureOutput, dimensionSets, metricUnit, metricValues } from '../../support/output.js';

type Mode = 'up' | 'slow' | 'failing';
let mode: Mode = 'up';
const requests: { path: string; userAgent: string | undefined }[] = [];

const server = createServer((request, response) => {
  requests.push({ path: request.url ?? '', userAgent: request.headers['user-agent'] });
  if (mode === 'failing') {
    response.writeHead(500, { 'content-type': 'application/json' }).end('{"status":"error"}');
    return;
  }
  const reply = () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  if (mode === 'slow') setTimeout(reply, 1000).unref();
  else reply();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const { port } = server.address() as AddressInfo;
let serverClosed = false;

setHandlerEnv('health-check', {
  HEALTH_CHECK_URL: `http://127.0.0.1:${port}/health?token=never-logged`,
  HEALTH_CHECK_TARGET: 'orders',
  HEALTH_CHECK_TIMEOUT_MS: '200',
});
const { handler, readHealthCheckConfig } = await import('../../../functions/health-check/handler.js');

afterAll(async () => {
  if (serverClosed) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function check() {
  const output = captureOutput();
  try {
    const result = await handler(scheduledEvent(), lambdaContext('health-check'));
    return { result, logs: output.logs(), emf: output.emf(), text: output.text() };
  } finally {
    output.restore();
  }
}

describe('health check', () => {
  it('records success and latency when the service answers 2xx', async () => {
    mode = 'up';
    const { result, logs, emf, text } = await check();
    expect(result).toMatchObject({ up: true, status: 200, target: 'orders' });
    expect(requests.at(-1)).toEqual({
      path: '/health?token=never-logged',
      userAgent: 'lookout-health-check',
    });
    expect(metricValues(emf, 'HealthCheckSuccess', { service: 'health-check', target: 'orders' })).toEqual([
      1,
    ]);
    expect(metricUnit(emf, 'HealthCheckSuccess')).toBe('Count');
    expect(dimensionSets(emf, 'HealthCheckSuccess')).toEqual([['service', 'target']]);
    const [latency] = metricValues(emf, 'HealthCheckLatency', { service: 'health-check', target: 'orders' });
    expect(latency).toBeGreaterThan(0);
    expect(metricUnit(emf, 'HealthCheckLatency')).toBe('Milliseconds');
    expect(logs.find((l) => l.message === 'Health check passed')).toMatchObject({
      level: 'INFO',
      target: 'orders',
      status: 200,
      url: `http://127.0.0.1:${port}/health`,
    });
    expect(text).not.toContain('never-logged');
  });

  it('counts a response slower than the timeout as down, with reason timeout', async () => {
    mode = 'slow';
    const { result, logs, emf } = await check();
    expect(result).toMatchObject({ up: false, reason: 'timeout' });
    expect(metricValues(emf, 'HealthCheckSuccess', { target: 'orders' })).toEqual([0]);
    expect(metricValues(emf, 'HealthCheckLatency', { target: 'orders' })).toHaveLength(1);
    expect(logs.find((l) => l.message === 'Health check failed')).toMatchObject({
      level: 'ERROR',
      reason: 'timeout',
      target: 'orders',
    });
  });

  it('counts a 500 as down, logging the status', async () => {
    mode = 'failing';
    const { result, logs, emf } = await check();
    expect(result).toMatchObject({ up: false, status: 500, reason: 'non_2xx' });
    expect(metricValues(emf, 'HealthCheckSuccess', { target: 'orders' })).toEqual([0]);
    expect(logs.find((l) => l.message === 'Health check failed')).toMatchObject({
      level: 'ERROR',
      status: 500,
      reason: 'non_2xx',
      detail: 'HTTP 500',
    });
  });

  it('counts a closed port as down, with reason connection_refused, and does not fail the invocation', async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    serverClosed = true;
    const { result, logs, emf } = await check();
    expect(result).toMatchObject({ up: false, reason: 'connection_refused', detail: 'Connection refused' });
    expect(metricValues(emf, 'HealthCheckSuccess', { target: 'orders' })).toEqual([0]);
    expect(logs.find((l) => l.message === 'Health check failed')).toMatchObject({
      reason: 'connection_refused',
    });
    expect(logs.find((l) => l.event_source === 'schedule')).toMatchObject({ outcome: 'success' });
  });
});

describe('health check configuration', () => {
  it('defaults the target and the timeout', () => {
    expect(readHealthCheckConfig({ HEALTH_CHECK_URL: 'https://api.example.com/health' })).toEqual({
      url: 'https://api.example.com/health',
      loggableUrl: 'https://api.example.com/health',
      target: 'orders',
      timeoutMs: 3000,
    });
  });

  it('keeps credentials and the query string out of the logged URL', () => {
    const config = readHealthCheckConfig({
      HEALTH_CHECK_URL: 'https://user:pw@api.example.com/health?key=k',
    });
    expect(config.loggableUrl).toBe('https://api.example.com/health');
  });

  it('refuses a missing, malformed or non-HTTP URL and a bad timeout, saying which', () => {
    expect(() => readHealthCheckConfig({})).toThrow('HEALTH_CHECK_URL is required');
    expect(() => readHealthCheckConfig({ HEALTH_CHECK_URL: 'not a url' })).toThrow('not a valid URL');
    expect(() => readHealthCheckConfig({ HEALTH_CHECK_URL: 'ftp://example.com/health' })).toThrow(
      'http or https',
    );
    expect(() =>
      readHealthCheckConfig({
        HEALTH_CHECK_URL: 'http://example.com/health',
        HEALTH_CHECK_TIMEOUT_MS: 'soon',
      }),
    ).toThrow('HEALTH_CHECK_TIMEOUT_MS');
  });
});
