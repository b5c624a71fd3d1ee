/** A real OTLP/HTTP receiver on loopback for the library's tests: keeps every span exported to /v1/traces. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OtlpSpan } from '../../sandbox/otlp.js';
import { parseOtlpTraces } from '../../sandbox/otlp.js';

export type { OtlpSpan };

export async function startOtlpReceiver() {
  const spans: OtlpSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces')
        spans.push(...parseOtlpTraces(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
