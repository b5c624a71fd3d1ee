/**
 * `fetch` calls as X-Ray subsegments. Node's `fetch` is undici, which the X-Ray SDK's `http`
 * patch never sees; undici reports each request on diagnostics channels instead. A subsegment
 * named after the host opens when the request is created (with the trace header added to it, so
 * the callee joins the trace), and closes when the response headers arrive or the request fails.
 * Requests are matched to their subsegments by identity, so concurrent calls do not mix.
 */
import { subscribe } from 'node:diagnostics_channel';
import xray from 'aws-xray-sdk-core';

interface UndiciRequest {
  origin?: string | URL;
  method?: string;
  path: string;
  addHeader?(name: string, value: string): unknown;
}

interface UndiciResponse {
  statusCode: number;
  /** Names and values, alternating. */
  headers: Array<Buffer | string>;
}

/** What the X-Ray SDK's own `http` subsegments record (its types leave the field out). */
type RemoteSubsegment = xray.Subsegment & {
  http?: {
    request: { url: string; method: string };
    response?: { status: number; content_length?: number };
  };
};

const open = new WeakMap<UndiciRequest, RemoteSubsegment>();
let subscribed = false;

/** The trace a segment belongs to, `1-5759e988-bd862e3fe1be46a994272793`. */
export const rootTraceId = (segment: xray.Segment | xray.Subsegment): string | undefined =>
  'trace_id' in segment ? segment.trace_id : segment.segment?.trace_id;

function headerValue(headers: UndiciResponse['headers'], name: string): string | undefined {
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (headers[i]!.toString().toLowerCase() === name) return headers[i + 1]!.toString();
  }
  return undefined;
}

function onCreate({ request }: { request: UndiciRequest }): void {
  if (request.method === 'CONNECT') return;
  const parent = xray.getSegment();
  if (!parent || request.origin === undefined) return;
  let url: URL;
  try {
    url = new URL(request.path, request.origin);
  } catch {
    return;
  }
  const subsegment: RemoteSubsegment = parent.addNewSubsegment(url.hostname);
  subsegment.namespace = 'remote';
  // The query is left out: it may carry credentials.
  subsegment.http = { request: { url: `${url.origin}${url.pathname}`, method: request.method ?? 'GET' } };
  const traceId = rootTraceId(parent);
  if (traceId) {
    const sampled = subsegment.notTraced ? '0' : '1';
    request.addHeader?.('X-Amzn-Trace-Id', `Root=${traceId};Parent=${subsegment.id};Sampled=${sampled}`);
  }
  open.set(request, subsegment);
}

function onHeaders({ request, response }: { request: UndiciRequest; response: UndiciResponse }): void {
  const subsegment = open.get(request);
  if (!subsegment) return;
  open.delete(request);
  const status = response.statusCode;
  const length = Number.parseInt(headerValue(response.headers, 'content-length') ?? '', 10);
  if (subsegment.http) {
    subsegment.http.response = { status, ...(Number.isFinite(length) && { content_length: length }) };
  }
  if (status === 429) subsegment.addThrottleFlag();
  if (status >= 400 && status < 500) subsegment.addErrorFlag();
  else if (status >= 500) subsegment.addFaultFlag();
  subsegment.close();
}

function onError({ request, error }: { request: UndiciRequest; error: unknown }): void {
  const subsegment = open.get(request);
  if (!subsegment) return;
  open.delete(request);
  subsegment.addErrorFlag();
  if (error instanceof Error) subsegment.addError(error, true);
  subsegment.close();
}

/** Subscribes once per process: several wrapped handlers share the channels. */
export function traceFetch(): void {
  if (subscribed) return;
  subscribed = true;
  subscribe('undici:request:create', onCreate as (message: unknown) => void);
  subscribe('undici:request:headers', onHeaders as (message: unknown) => void);
  subscribe('undici:request:error', onError as (message: unknown) => void);
}
