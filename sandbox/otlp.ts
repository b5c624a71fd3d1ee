/**
 * An OTLP/HTTP receiver on loopback for functions traced with OpenTelemetry: it accepts the JSON
 * trace exports POSTed to /v1/traces and assembles each trace into the same tree the X-Ray
 * stand-in builds, so the console shows both kinds in one trace view.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptLoopbackOnly } from './loopback-http.js';
import { xrayTraceId } from '../lib/tracing/context.js';
import type { ConsoleTraceNode, ConsoleTraceTree } from './console/index.js';

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  events: { name: string }[];
  resource: Record<string, unknown>;
}

type KeyValue = { key: string; value: Record<string, unknown> };
const flatten = (list: KeyValue[] = []): Record<string, unknown> =>
  Object.fromEntries(list.map(({ key, value }) => [key, Object.values(value ?? {})[0]]));

/** The spans of one OTLP/JSON `ExportTraceServiceRequest`. */
export function parseOtlpTraces(body: unknown): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  const request = body as {
    resourceSpans?: {
      resource?: { attributes?: KeyValue[] };
      scopeSpans?: { spans?: Record<string, unknown>[] }[];
    }[];
  };
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = flatten(resourceSpans.resource?.attributes);
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        spans.push({
          ...(span as unknown as OtlpSpan),
          attributes: flatten(span.attributes as KeyValue[]),
          status: (span.status as OtlpSpan['status']) ?? {},
          events: (span.events as OtlpSpan['events']) ?? [],
          resource,
        });
      }
    }
  }
  return spans;
}

const ERROR = 2;
const MAX_TRACES = 500;
const seconds = (nanos: string) => Number(BigInt(nanos) / 1000n) / 1e6;

export function assembleOtlpTrace(traceId: string, spans: OtlpSpan[]): ConsoleTraceTree {
  const nodes = new Map<string, ConsoleTraceNode>();
  for (const span of spans) {
    nodes.set(span.spanId, {
      id: span.spanId,
      name: span.name,
      kind: span.parentSpanId ? 'subsegment' : 'segment',
      ...(span.parentSpanId ? { parentId: span.parentSpanId } : {}),
      startTime: seconds(span.startTimeUnixNano),
      endTime: seconds(span.endTimeUnixNano),
      inProgress: false,
      origin: `OpenTelemetry (${String(span.resource['service.name'] ?? 'unknown service')})`,
      error: false,
      fault: span.status.code === ERROR,
      throttle: false,
      annotations: span.attributes,
      children: [],
    });
  }
  const roots: ConsoleTraceNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  for (const node of nodes.values()) node.children.sort((a, b) => a.startTime - b.startTime);
  roots.sort((a, b) => a.startTime - b.startTime);
  const starts = [...nodes.values()].map((node) => node.startTime);
  const ends = [...nodes.values()].map((node) => node.endTime ?? node.startTime);
  return {
    // X-Ray's form, so that OpenTelemetry and X-Ray documents of one trace meet
    traceId: xrayTraceId(traceId),
    startTime: Math.min(...starts),
    endTime: Math.max(...ends),
    roots,
    nodeCount: nodes.size,
  };
}

export interface OtlpReceiver {
  endpoint: string;
  traces(limit?: number): ConsoleTraceTree[];
  trace(traceId: string): ConsoleTraceTree | undefined;
  close(): Promise<void>;
}

export async function startOtlpReceiver(options: { port?: number } = {}): Promise<OtlpReceiver> {
  const byTrace = new Map<string, OtlpSpan[]>();
  const server = acceptLoopbackOnly(
    createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method !== 'POST' || request.url !== '/v1/traces') {
          response.writeHead(404).end();
          return;
        }
        try {
          for (const span of parseOtlpTraces(JSON.parse(Buffer.concat(chunks).toString('utf8')))) {
            const spans = byTrace.get(span.traceId) ?? [];
            byTrace.delete(span.traceId);
            byTrace.set(span.traceId, [...spans, span]);
            if (byTrace.size > MAX_TRACES) byTrace.delete(byTrace.keys().next().value!);
          }
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch (error) {
          response
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ message: String(error) }));
        }
      });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const toXRayKey = (traceId: string) => traceId.replace(/^1-/, '').replace('-', '');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    traces: (limit = 50) =>
      [...byTrace.entries()]
        .reverse()
        .slice(0, limit)
        .map(([id, spans]) => assembleOtlpTrace(id, spans)),
    trace: (traceId) => {
      const key = toXRayKey(traceId);
      const spans = byTrace.get(key);
      return spans ? assembleOtlpTrace(key, spans) : undefined;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
