/**
 * Trace context as it travels between services: W3C `traceparent` and X-Ray's
 * `X-Amzn-Trace-Id`, mapped both ways. Kept free of any tracing SDK so that each backend (and a
 * function that uses neither) pays only for what it loads.
 *
 * X-Ray `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1` is W3C
 * `00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01`.
 */

export interface TraceContext {
  /** 32 lower-case hex characters. */
  traceId: string;
  /** 16 lower-case hex characters: the caller's span (X-Ray: segment) id. */
  spanId: string;
  /** Unknown when the X-Ray header carries no `Sampled` field (the receiver decides). */
  sampled: boolean | undefined;
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const INVALID_TRACE = '0'.repeat(32);
const INVALID_SPAN = '0'.repeat(16);

const valid = (traceId: string, spanId: string) =>
  HEX32.test(traceId) && HEX16.test(spanId) && traceId !== INVALID_TRACE && spanId !== INVALID_SPAN;

export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  if (typeof header !== 'string') return undefined;
  const match = header
    .trim()
    .toLowerCase()
    .match(/^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/);
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (!valid(traceId, spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled === false ? '00' : '01'}`;
}

export function parseXRayHeader(header: string | undefined): TraceContext | undefined {
  if (typeof header !== 'string') return undefined;
  const fields = new Map<string, string>();
  for (const part of header.split(';')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (key && value !== undefined) fields.set(key.toLowerCase(), value.toLowerCase());
  }
  const root = fields.get('root')?.match(/^1-([0-9a-f]{8})-([0-9a-f]{24})$/);
  const spanId = fields.get('parent');
  if (!root || !spanId) return undefined;
  const traceId = `${root[1]}${root[2]}`;
  if (!valid(traceId, spanId)) return undefined;
  const sampled = fields.get('sampled');
  return { traceId, spanId, sampled: sampled === '1' ? true : sampled === '0' ? false : undefined };
}

/** The X-Ray trace id (`1-xxxxxxxx-yyyy…`) of a 32-hex trace id. */
export const xrayTraceId = (traceId: string): string => `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;

export function formatXRayHeader(context: TraceContext): string {
  const sampled = context.sampled === undefined ? '' : `;Sampled=${context.sampled ? 1 : 0}`;
  return `Root=${xrayTraceId(context.traceId)};Parent=${context.spanId}${sampled}`;
}
