/**
 * `npm run bench`: per-invocation cost of a bare handler, the raw Powertools trio (Logger with one
 * info line, Metrics with one metric, Tracer) and `withObservability`, side by side in one process
 * with real X-Ray tracing to a local UDP socket. Output is swallowed but counted, so the table also
 * shows the bytes each invocation would send to CloudWatch Logs.
 */
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

const WARMUP = 2_000;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);

const daemon = createSocket('udp4');
daemon.on('message', () => {});
await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
Object.assign(process.env, {
  AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
  LAMBDA_TASK_ROOT: '/var/task',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_REGION: 'eu-west-2',
  POWERTOOLS_SERVICE_NAME: 'bench',
  POWERTOOLS_METRICS_NAMESPACE: 'Bench',
  _HANDLER: 'index.handler',
  _X_AMZN_TRACE_ID: 'Root=1-6748d2a0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
});

const middy = (await import('@middy/core')).default;
const { Logger } = await import('@aws-lambda-powertools/logger');
const { injectLambdaContext } = await import('@aws-lambda-powertools/logger/middleware');
const { Metrics, MetricUnit } = await import('@aws-lambda-powertools/metrics');
const { logMetrics } = await import('@aws-lambda-powertools/metrics/middleware');
const { Tracer } = await import('@aws-lambda-powertools/tracer');
const { captureLambdaHandler } = await import('@aws-lambda-powertools/tracer/middleware');
const { withObservability } = await import('../lib/index.js');

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const body = async () => ({ statusCode: 200, body: '{"ok":true}' });

const powertoolsTrio = (): Handler => {
  const logger = new Logger();
  const metrics = new Metrics();
  const tracer = new Tracer();
  return middy(async () => {
    logger.info('request handled');
    metrics.addMetric('Requests', MetricUnit.Count, 1);
    return body();
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics)) as Handler;
};

const variants: [string, Handler][] = [
  ['bare handler', body],
  ['Powertools trio (logger + metrics + tracer)', powertoolsTrio()],
  ['withObservability (xray)', withObservability(body, { routes: ['GET /orders/{id}'] }) as Handler],
  [
    'withObservability (tracing off)',
    withObservability(body, { routes: ['GET /orders/{id}'], tracing: 'off' }) as Handler,
  ],
];

const event = {
  version: '2.0',
  routeKey: 'GET /orders/{id}',
  rawPath: '/orders/42',
  rawQueryString: '',
  headers: { 'user-agent': 'bench', 'x-correlation-id': 'bench-1' },
  requestContext: {
    requestId: 'bench-req',
    http: { method: 'GET', path: '/orders/42', sourceIp: '127.0.0.1', userAgent: 'bench' },
  },
};
const context = {
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:bench',
  memoryLimitInMB: '512',
  awsRequestId: 'bench-request',
  getRemainingTimeInMillis: () => 10_000,
};

let outputBytes = 0;
const realStdout = process.stdout.write.bind(process.stdout);
const realStderr = process.stderr.write.bind(process.stderr);
const swallow = (chunk: string | Uint8Array) => {
  outputBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
  return true;
};

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

// Variants take turns in rounds, so that load from elsewhere on a shared machine falls on all alike.
const ROUNDS = 20;
const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]));
const bytes = new Map<string, number>(variants.map(([name]) => [name, 0]));
process.stdout.write = swallow as typeof process.stdout.write;
process.stderr.write = swallow as typeof process.stderr.write;
for (const [, handler] of variants) {
  for (let i = 0; i < WARMUP; i++) await handler(structuredClone(event), context);
}
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, handler] of variants) {
    const own = samples.get(name)!;
    outputBytes = 0;
    for (let i = 0; i < ITERATIONS / ROUNDS; i++) {
      const input = structuredClone(event);
      const start = performance.now();
      await handler(input, context);
      own.push((performance.now() - start) * 1000);
    }
    bytes.set(name, bytes.get(name)! + outputBytes);
  }
}
process.stdout.write = realStdout;
process.stderr.write = realStderr;

const results = variants.map(([name]) => {
  const sorted = samples.get(name)!.sort((a, b) => a - b);
  return {
    variant: name,
    median_us: Math.round(quantile(sorted, 0.5) * 10) / 10,
    p99_us: Math.round(quantile(sorted, 0.99) * 10) / 10,
    output_bytes_per_invocation: Math.round(bytes.get(name)! / ITERATIONS),
  };
});
const trio = results[1]!;
for (const result of results) {
  Object.assign(result, { median_vs_trio: Math.round((result.median_us / trio.median_us) * 100) / 100 });
}
daemon.close();

const machine = `${os.cpus()[0]?.model ?? 'unknown cpu'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`Per-invocation cost, ${ITERATIONS} invocations after ${WARMUP} warm-up, on ${machine}\n`);
console.table(results);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/invocation.json', import.meta.url),
  JSON.stringify({ machine, iterations: ITERATIONS, results }, null, 2),
);
