// Runs one bundled bench variant in this fresh process and prints one JSON line of figures.
//   node runner.mjs <bundle> cold            → init time (import) and first invocation
//   node runner.mjs <bundle> invoke <n> <warmup> → per-invocation samples and output bytes
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [bundle, mode, iterations = '0', warmup = '0'] = process.argv.slice(2);
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

// Exits once the line is out: a pipe may take a large line in several writes, and exiting at once
// would cut it.
const report = (figures) => {
  process.stdout.write = realWrite;
  process.stdout.write(`${JSON.stringify(figures)}\n`, () => process.exit(0));
};
const realWrite = process.stdout.write.bind(process.stdout);
let outputBytes = 0;
const swallow = (chunk) => {
  outputBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
  return true;
};
process.stdout.write = swallow;
process.stderr.write = swallow;

const importStart = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const initMs = performance.now() - importStart;

if (mode === 'cold') {
  const start = performance.now();
  await handler(structuredClone(event), context);
  report({ initMs, firstInvocationMs: performance.now() - start, processStartMs: importStart });
} else {
  for (let i = 0; i < Number(warmup); i++) await handler(structuredClone(event), context);
  outputBytes = 0;
  const samples = [];
  for (let i = 0; i < Number(iterations); i++) {
    const input = structuredClone(event);
    const start = performance.now();
    await handler(input, context);
    samples.push(Math.round((performance.now() - start) * 1e6) / 1000);
  }
  report({ samples, outputBytesPerInvocation: outputBytes / Number(iterations) });
}
