/**
 * OpenTelemetry with a collector that is absent (a closed port) or hangs (a real HTTP server that
 * never answers): the export is bounded per invocation, then skipped while the collector is down.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CapturedOutput } from './support.js';
import { captureOutput, events, lambdaContext, setLambdaEnv } from './support.js';

setLambdaEnv();
delete process.env._X_AMZN_TRACE_ID;
const { withObservability, traced } = await import('../../lib/otel.js');

/** A collector that accepts connections and reads requests, and answers only when told to. */
async function startHangingCollector() {
  const waiting: ServerResponse[] = [];
  let requests = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    if (request.url === '/v1/traces') requests += 1;
    waiting.push(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    answerAll() {
      for (const response of waiting.splice(0)) response.writeHead(200).end('{}');
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * A handler exporting to `endpoint` (the exporter reads it, and its own timeout, as the handler is
 * wrapped). `exporterTimeoutMs` only shortens how long the exporter's own retries keep the test
 * process alive after the test; the invocation's bound under test is Lookout's budget.
 */
function handlerExportingTo(
  endpoint: string,
  options: { otelExportBudgetMs?: number } = {},
  exporterTimeoutMs?: number,
) {
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
  if (exporterTimeoutMs) process.env.OTEL_EXPORTER_OTLP_TIMEOUT = String(exporterTimeoutMs);
  else delete process.env.OTEL_EXPORTER_OTLP_TIMEOUT;
  const handler = withObservability(
    async () => {
      await traced('work', async () => 'done');
      return { statusCode: 200 };
    },
    { tracing: 'otel', ...options },
  );
  return async (remainingMs = 10_000) => {
    const startedAt = performance.now();
    const result = await handler(events.apiGatewayV2() as never, lambdaContext({ remainingMs }));
    expect(result).toMatchObject({ statusCode: 200 });
    return performance.now() - startedAt;
  };
}

let output: CapturedOutput;
const collectors: { close(): Promise<void> }[] = [];
afterAll(async () => {
  output?.restore();
  await Promise.all(collectors.map((collector) => collector.close()));
});

// Generous for a loaded machine, and still far below the 2 s an unbounded export cost.
const FIRST_INVOCATION_MAX_MS = 800;
// All the later invocations together: far below what one unbounded export each would cost (1.5 s
// each); a loaded CI machine took 1.4 s for twenty invocations that exported nothing.
const LATER_INVOCATIONS_MAX_MS = 3000;

describe('OpenTelemetry without a collector', () => {
  it('a closed port costs one invocation its budget once, then nothing; one WARN says so', async () => {
    const invoke = handlerExportingTo(await closedPort(), {}, 1500);
    output = captureOutput();
    const first = await invoke();
    let later = 0;
    for (let i = 0; i < 20; i++) later += await invoke();
    output.restore();

    expect(first).toBeLessThan(FIRST_INVOCATION_MAX_MS);
    expect(later).toBeLessThan(LATER_INVOCATIONS_MAX_MS);
    const warnings = output.logs().filter((line) => line.level === 'WARN');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      message: 'OpenTelemetry collector unreachable: spans are dropped until it answers again',
      retry_after_ms: 1000,
    });
  });

  it('a collector that hangs: one request, later invocations skip the export; an INFO with the dropped count once it answers', async () => {
    const collector = await startHangingCollector();
    collectors.push(collector);
    const invoke = handlerExportingTo(collector.endpoint, { otelExportBudgetMs: 40 });
    output = captureOutput();
    const first = await invoke();
    let later = 0;
    for (let i = 0; i < 10; i++) later += await invoke();
    expect(first).toBeLessThan(FIRST_INVOCATION_MAX_MS);
    expect(later).toBeLessThan(LATER_INVOCATIONS_MAX_MS);
    // Backoff: the ten later invocations sent nothing, while the first export still hangs.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(collector.requests).toBe(1);
    expect(output.logs().filter((line) => line.level === 'WARN')).toHaveLength(1);

    // The collector answers the export it held: the first invocation's spans arrived after all,
    // the ten later invocations' (a handler span and a child span each) were dropped.
    collector.answerAll();
    await waitFor(() => output.logs().some((line) => line.level === 'INFO' && 'dropped_spans' in line));
    const recovered = output.logs().find((line) => 'dropped_spans' in line);
    expect(recovered).toMatchObject({ message: 'OpenTelemetry collector answers again', dropped_spans: 20 });

    // And exports are waited for again: the next invocation's spans reach the collector before it returns.
    const before = collector.requests;
    const answering = setInterval(() => collector.answerAll(), 5);
    try {
      await invoke();
    } finally {
      clearInterval(answering);
    }
    output.restore();
    expect(collector.requests).toBe(before + 1);
  });
});

describe('the export budget', () => {
  it('never runs past the time the invocation has left', async () => {
    const collector = await startHangingCollector();
    collectors.push(collector);
    const invoke = handlerExportingTo(collector.endpoint, { otelExportBudgetMs: 5_000 });
    output = captureOutput();
    const took = await invoke(400);
    output.restore();
    // Bounded by the 400 ms left (less a margin), not by the 5 s budget.
    expect(took).toBeLessThan(1_500);
    expect(collector.requests).toBe(1);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
