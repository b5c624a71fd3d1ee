/**
 * X-Ray trace headers as Lambda sets them in `_X_AMZN_TRACE_ID`:
 * `Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=1`.
 */
import { randomBytes } from 'node:crypto';

export interface TraceHeader {
  /** `1-<8 hex>-<24 hex>` */
  root: string;
  /** The id of the segment the function's work hangs under. */
  parent: string;
  sampled: boolean;
}

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

export const newSegmentId = (): string => randomBytes(8).toString('hex');

export function newTraceId(now: number = Date.now()): string {
  const epochSeconds = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return `1-${epochSeconds}-${randomBytes(12).toString('hex')}`;
}

export function formatTraceHeader(header: TraceHeader): string {
  return `Root=${header.root};Parent=${header.parent};Sampled=${header.sampled ? 1 : 0}`;
}

/** Reads `Root=...;Parent=...;Sampled=...` (any order, spaces allowed); undefined when it has no valid root. */
export function parseTraceHeader(
  text: string | undefined,
): (Partial<TraceHeader> & { root: string }) | undefined {
  if (!text) return undefined;
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const [key, ...value] = part.split('=');
    if (key && value.length > 0) fields.set(key.trim().toLowerCase(), value.join('=').trim());
  }
  const root = fields.get('root')?.toLowerCase();
  if (!root || !ROOT.test(root)) return undefined;
  const parent = fields.get('parent')?.toLowerCase();
  const sampled = fields.get('sampled');
  return {
    root,
    ...(parent && SEGMENT_ID.test(parent) && { parent }),
    ...((sampled === '0' || sampled === '1') && { sampled: sampled === '1' }),
  };
}

/**
 * The header for one invocation: a fresh trace, or the caller's trace continued. Either way the
 * parent is a new id, the function's own segment; the caller's parent, if any, is returned as
 * `callerParent` so that segment can hang under it.
 */
export function invocationTraceHeader(incoming?: string): TraceHeader & { callerParent?: string } {
  const caller = parseTraceHeader(incoming);
  return {
    root: caller?.root ?? newTraceId(),
    parent: newSegmentId(),
    sampled: caller?.sampled ?? true,
    ...(caller?.parent && { callerParent: caller.parent }),
  };
}
